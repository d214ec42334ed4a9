"""The capacity check shown before a run, as tables for the app: the scenario layer's
:func:`sim.capacity_check` (the one ``hubsim validate`` prints), nothing computed here.

Per site and specialty, the referrals a week routed there against the cases a week the
session plan books, with the NHSRwaitinglist figures; per site, the elective bed-days
needed a week against those left after emergencies; and the warnings.
"""

from __future__ import annotations

import math

import pandas as pd

import sim

COLUMNS = [
    "site",
    "specialty",
    "referrals a week",
    "cases booked a week",
    "session hours a week",
    "load (%)",
    "list at start",
    "target list",
    "pressure",
    "verdict",
]
TIGHT = 85.0
PLANNER_NOTE = (
    "Per site and specialty: the referrals a week routed there (a line routed to several "
    "sites is split evenly) against the cases a week the sessions book (bookable time over "
    "planned case time plus turnover). Over 100% the list grows whatever else happens. "
    "Target list = referrals x 18 weeks / 4 (NHSRwaitinglist); pressure = 2 x mean wait / "
    "18 weeks (over 1, the 18-week target is likely missed). Beds: elective bed-days a "
    "week against those left after emergencies."
)


def _verdict(load: float, referrals: float, cases: float) -> str:
    if referrals > 0 and cases <= 0:
        return "no sessions for this demand"
    if load > 100:
        return "list will grow"
    if load > TIGHT:
        return "tight"
    return "enough"


def _round(x: float | None, digits: int = 1) -> float:
    return float("nan") if x is None or math.isinf(x) else round(x, digits)


def capacity_check(sc: sim.Scenario) -> pd.DataFrame:
    """Per site and specialty: demand against the cases the sessions book (see the module)."""
    check = sim.capacity_check(sc)
    rows = []
    for lc in check.lists:
        load = 100.0 * lc.load
        rows.append(
            (
                sc.sites[lc.site].name or lc.site,
                lc.specialty,
                _round(lc.referrals_per_week),
                _round(lc.cases_per_week),
                _round(lc.session_hours_per_week),
                _round(load),
                _round(lc.figures.queue, 0),
                _round(lc.figures.target_queue, 0),
                _round(lc.figures.pressure, 2),
                _verdict(load, lc.referrals_per_week, lc.cases_per_week),
            )
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def bed_check(sc: sim.Scenario) -> pd.DataFrame:
    """Per site: elective bed-days needed a week against those left after emergencies."""
    rows = [
        (
            sc.sites[b.site].name or b.site,
            b.beds,
            _round(b.emergency_bed_days, 0),
            _round(b.elective_bed_days, 0),
            _round(b.available_bed_days, 0),
            _round(100.0 * b.load),
            _round(100.0 * b.occupancy),
        )
        for b in sim.capacity_check(sc).beds
    ]
    return pd.DataFrame(
        rows,
        columns=["site", "ward beds", "emergency bed-days a week", "elective bed-days needed",
                 "left for electives", "load (%)", "expected occupancy (%)"],
    )  # fmt: skip


def warnings(sc: sim.Scenario) -> list[str]:
    """The capacity check's warnings (lists that will grow, beds too few)."""
    return sim.capacity_check(sc).warnings


def beds(sc: sim.Scenario) -> pd.DataFrame:
    """Beds per site: general, ring-fenced elective and critical care."""
    rows = [
        (
            site.name or sid,
            site.beds.general if site.beds else 0,
            site.beds.elective if site.beds else 0,
            site.critical_care.beds if site.critical_care else 0,
        )
        for sid, site in sc.sites.items()
    ]
    return pd.DataFrame(rows, columns=["site", "general beds", "ring-fenced beds", "critical care"])
