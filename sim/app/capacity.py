"""The capacity check shown before a run: can each site's theatres keep up with the
referrals routed to it?

A first, simple check: per site and specialty, the referrals a week routed there (a line
routed to several sites is split evenly), the theatre hours they need a week (planned case
time plus turnover), and the session hours a week the plan books (sessions x theatres x
``fill_to``). A load over 100% means the list grows whatever else happens; the backlog at
the start, cancellations and beds are left out. Issue 12 brings a fuller check (beds,
NHSRwaitinglist/Fong figures); it replaces :func:`capacity_check` here, and the app calls
nothing else.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

import sim

COLUMNS = [
    "site",
    "specialty",
    "referrals a week",
    "theatre hours needed a week",
    "session hours a week",
    "bookable hours a week",
    "load (%)",
    "verdict",
]
TIGHT = 85.0
PLANNER_NOTE = (
    "Per site and specialty: the referrals a week routed there (a line routed to several "
    "sites is split evenly), the theatre hours they need (planned case time plus turnover) "
    "and the session hours the plan books (sessions x theatres x the share lists are booked "
    "to). Over 100% the list grows whatever else happens; the backlog at the start, "
    "cancellations and beds are not counted here."
)


def _verdict(load: float) -> str:
    if load != load:  # NaN: demand but no sessions
        return "no sessions for this demand"
    if load > 100:
        return "list will grow"
    if load > TIGHT:
        return "tight"
    return "enough"


def demand_vs_theatres(sc: sim.Scenario) -> pd.DataFrame:
    """Per site and specialty: referral demand against theatre time (see the module)."""
    sessions: dict[tuple[str, str], float] = defaultdict(float)
    for sid, site in sc.sites.items():
        for theatre in site.theatres.values():
            for plan in theatre.sessions:
                hours = plan.session_length * 24 * len(plan.days) * theatre.count
                sessions[(sid, plan.specialty)] += hours
    needed: dict[tuple[str, str], float] = defaultdict(float)
    referred: dict[tuple[str, str], float] = defaultdict(float)
    turnover = sc.policies.theatre_day.turnover
    for home, lines in sc.demand.referrals.items():
        for pid, line in lines.items():
            proc = sc.procedures[pid]
            per_week = line.mean_per_day * 7.0
            targets, _ = sc.treating_sites(home, pid)
            for target in targets:
                share = per_week / len(targets)
                referred[(target, proc.specialty)] += share
                needed[(target, proc.specialty)] += share * (proc.planning_time + turnover) * 24
    fill = sc.policies.booking.fill_to
    rows = []
    for sid in sc.sites:
        keys = sorted({k for k in (*sessions, *needed) if k[0] == sid}, key=lambda k: k[1])
        for key in keys:
            hours = sessions.get(key, 0.0)
            bookable = hours * fill
            need = needed.get(key, 0.0)
            load = 100.0 * need / bookable if bookable > 0 else (float("nan") if need else 0.0)
            rows.append(
                (
                    sc.sites[sid].name or sid,
                    key[1],
                    round(referred.get(key, 0.0), 1),
                    round(need, 1),
                    round(hours, 1),
                    round(bookable, 1),
                    round(load, 1),
                    _verdict(load),
                )
            )
    return pd.DataFrame(rows, columns=COLUMNS)


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


#: The check the app shows; swap this one name for a fuller check.
capacity_check = demand_vs_theatres
