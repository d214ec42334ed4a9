"""Key performance indicators of one replication, from its counters and final state.

Patient-centred KPIs (referrals, waits, the list) are reported by the patient's *home*
site, where they were referred; activity KPIs (operations, cancellations, theatre and
bed use) by the site where the activity happened. The row with site ``""`` is the whole
collaborative. Wait KPIs follow NHS referral-to-treatment statistics: they describe the
incomplete pathways (everyone still waiting, booked or not) at the end of the run.
Counts cover the time after the warm-up.
"""

from __future__ import annotations

import numpy as np

from ..model.build import CollaborativeModel
from ..model.records import CANCELLATION_CAUSES
from .info import KpiInfo
from .info import ratio as _ratio
from .policies import (
    EQUITY_KPI_INFO,
    MUTUAL_AID_KPI_INFO,
    STAFF_KPI_INFO,
    equity_kpis,
    mutual_aid_kpis,
    staff_kpis,
)

WEEK = 7.0


KPI_INFO: dict[str, KpiInfo] = {
    "referrals": KpiInfo("patients", "home", "new referrals during the run"),
    "operations": KpiInfo("patients", "treating", "elective operations done"),
    "waiting_list_end": KpiInfo(
        "patients", "home", "patients waiting (incomplete pathways) at the end"
    ),
    "mean_waiting_list": KpiInfo("patients", "network", "time-average number of patients waiting"),
    "median_wait_weeks": KpiInfo(
        "weeks", "home", "median wait so far of patients waiting at the end"
    ),
    "p92_wait_weeks": KpiInfo(
        "weeks", "home", "92nd percentile wait of patients waiting at the end"
    ),
    "pct_within_18_weeks": KpiInfo(
        "%",
        "home",
        "share of patients waiting at the end who have waited under 18 weeks (RTT standard: 92%)",
    ),
    "over_52_weeks_end": KpiInfo("patients", "home", "patients waiting over 52 weeks at the end"),
    "median_wait_treated_weeks": KpiInfo(
        "weeks", "home", "median wait of patients operated on during the run"
    ),
    "removed_from_list": KpiInfo("patients", "home", "patients who left the list untreated"),
    "cancellations_on_the_day": KpiInfo(
        "operations",
        "treating",
        "operations cancelled on the day for non-clinical (hospital) reasons",
    ),
    "cancellations_no_bed": KpiInfo("operations", "treating", "cancelled on the day: no ward bed"),
    "cancellations_no_theatre_time": KpiInfo(
        "operations", "treating", "cancelled on the day: late start or early finish left no time"
    ),
    "cancellations_overrun": KpiInfo(
        "operations", "treating", "cancelled on the day: earlier cases overran"
    ),
    "cancellations_patient": KpiInfo(
        "operations",
        "treating",
        "cancelled on the day by or for the patient (unfit, did not attend)",
    ),
    "cancellation_rate_pct": KpiInfo(
        "%", "treating", "hospital on-the-day cancellations per 100 patients due in theatre"
    ),
    "sessions": KpiInfo("sessions", "treating", "theatre sessions held"),
    "operations_per_session": KpiInfo("operations", "treating", "operations per session held"),
    "theatre_utilisation": KpiInfo(
        "fraction", "treating", "operating time within sessions / planned session time"
    ),
    "ward_occupancy": KpiInfo(
        "fraction",
        "treating",
        "time-average share of ward beds (general + elective) occupied, turnaround included",
    ),
    "general_bed_occupancy": KpiInfo(
        "fraction", "treating", "time-average share of general beds occupied"
    ),
    "elective_bed_occupancy": KpiInfo(
        "fraction", "treating", "time-average share of ring-fenced elective beds occupied"
    ),
    "emergency_arrivals": KpiInfo("patients", "treating", "emergency patients needing a bed"),
    "emergency_admissions": KpiInfo("patients", "treating", "emergency patients given a bed"),
    "emergency_diverted": KpiInfo(
        "patients", "treating", "emergency patients sent elsewhere: no bed (divert policy)"
    ),
    "emergency_diverted_pct": KpiInfo("%", "treating", "share of emergency arrivals diverted"),
    "emergency_bed_wait_hours": KpiInfo(
        "hours", "treating", "mean wait for a bed of emergency patients admitted"
    ),
    "emergency_waited_pct": KpiInfo(
        "%", "treating", "share of emergency admissions that waited for a bed"
    ),
}

#: Critical care KPIs, reported only for scenarios with critical care units.
CC_KPI_INFO: dict[str, KpiInfo] = {
    "cc_admissions": KpiInfo(
        "patients",
        "unit",
        "patients admitted to critical care (transfers counted where they arrive)",
    ),
    "cc_elective_admissions": KpiInfo("patients", "unit", "planned post-operative admissions"),
    "cc_occupancy": KpiInfo(
        "fraction", "unit", "time-average share of critical care beds occupied, turnaround included"
    ),
    "cc_unplanned_arrivals": KpiInfo(
        "patients", "home", "unplanned patients needing a critical care bed"
    ),
    "cc_refusals": KpiInfo("patients", "home", "unplanned patients refused: lost to the network"),
    "cc_refusal_pct": KpiInfo("%", "home", "share of unplanned patients refused"),
    "cc_transfers_out": KpiInfo(
        "patients", "home", "unplanned patients transferred to another unit for want of a bed"
    ),
    "cc_transfer_pct": KpiInfo("%", "home", "share of unplanned patients transferred out"),
    "cc_transfer_hours": KpiInfo(
        "hours",
        "home",
        "mean time from the transfer decision to arrival (waiting for a team + travel)",
    ),
    "cc_repatriations": KpiInfo(
        "patients", "unit", "transferred patients brought back to their own unit"
    ),
    "cc_unplanned_wait_hours": KpiInfo(
        "hours", "home", "mean wait for a bed at their own unit of unplanned patients admitted"
    ),
    "cancellations_no_cc_bed": KpiInfo(
        "operations", "treating", "operations cancelled on the day: no critical care bed"
    ),
    "cc_booking_deferrals": KpiInfo(
        "patients",
        "treating",
        "patients left off a list when it was finalised: no critical care bed free",
    ),
}
KPI_INFO.update(CC_KPI_INFO)
KPI_INFO.update(MUTUAL_AID_KPI_INFO)
KPI_INFO.update(STAFF_KPI_INFO)
KPI_INFO.update(EQUITY_KPI_INFO)

KPI_NAMES: tuple[str, ...] = tuple(KPI_INFO)

#: The KPIs a board asks about first (CLI tables, forest plot, reports), in this order.
HEADLINE_KPIS: tuple[str, ...] = (
    "operations",
    "waiting_list_end",
    "median_wait_weeks",
    "p92_wait_weeks",
    "pct_within_18_weeks",
    "over_52_weeks_end",
    "cancellations_on_the_day",
    "cancellations_no_bed",
    "cancellation_rate_pct",
    "theatre_utilisation",
    "ward_occupancy",
    "emergency_bed_wait_hours",
)

#: Added to the headline KPIs when the scenarios have critical care units.
CC_HEADLINE_KPIS: tuple[str, ...] = (
    "cc_occupancy",
    "cc_refusal_pct",
    "cc_transfers_out",
    "cancellations_no_cc_bed",
)

_SITE_COUNTS = (
    "referrals",
    "operations",
    "removed_from_list",
    "cancellations_on_the_day",
    *(f"cancellations_{c}" for c in CANCELLATION_CAUSES),
    "sessions",
    "emergency_arrivals",
    "emergency_admissions",
    "emergency_diverted",
)


def _wait_kpis(waits_days: np.ndarray) -> dict[str, float]:
    n = waits_days.size
    if n == 0:
        nan = float("nan")
        return {
            "waiting_list_end": 0,
            "median_wait_weeks": nan,
            "p92_wait_weeks": nan,
            "pct_within_18_weeks": nan,
            "over_52_weeks_end": 0,
        }
    weeks = waits_days / WEEK
    return {
        "waiting_list_end": n,
        "median_wait_weeks": float(np.median(weeks)),
        "p92_wait_weeks": float(np.percentile(weeks, 92)),
        "pct_within_18_weeks": float((weeks < 18).mean() * 100),
        "over_52_weeks_end": int((weeks > 52).sum()),
    }


WARD_KPIS = frozenset({"ward_occupancy", "general_bed_occupancy", "elective_bed_occupancy"})
EMERGENCY_KPIS = frozenset(k for k in KPI_INFO if k.startswith("emergency_"))
POLICY_KPIS = (
    frozenset(MUTUAL_AID_KPI_INFO) | frozenset(STAFF_KPI_INFO) | frozenset(EQUITY_KPI_INFO)
)
ELECTIVE_KPIS = (
    frozenset(KPI_INFO) - WARD_KPIS - EMERGENCY_KPIS - frozenset(CC_KPI_INFO) - POLICY_KPIS
)


def reported_kpis(model: CollaborativeModel) -> tuple[str, ...]:
    """The KPIs that mean something for this scenario (no theatre KPIs without theatres...)."""
    sc = model.scenario
    names = set()
    if any(s.theatres for s in sc.sites.values()):
        names |= ELECTIVE_KPIS
    if model.beds:
        names |= WARD_KPIS
    if model.emergencies:
        names |= EMERGENCY_KPIS
    if model.critical_care is not None:
        names |= set(CC_KPI_INFO)
    if model.mutual_aid:
        names |= set(MUTUAL_AID_KPI_INFO)
    if model.roster is not None:
        names |= set(STAFF_KPI_INFO) - {"staff_utilisation"}
        names |= {f"staff_utilisation_{g}" for g in model.roster.groups}
    if any(p.quintile for p in model.elective.pathway.values()) or any(
        t[5] for t in model.recorder.treated
    ):
        names |= set(EQUITY_KPI_INFO)
    ordered = [k for k in KPI_NAMES if k in names]
    return tuple(ordered + sorted(names - set(ordered)))


def replication_kpis(model: CollaborativeModel) -> list[tuple[str, str, float]]:
    """The KPIs of a finished replication as (kpi, site, value) rows."""
    rec = model.recorder
    wanted = reported_kpis(model)
    now = model.env.now
    sites = list(model.scenario.sites)
    rows: list[tuple[str, str, float]] = []
    span = now - rec.warm_up

    def count(name: str, site: str | None) -> float:
        if site is None:
            return sum(rec.since_warm_up(name, s) for s in sites)
        return rec.since_warm_up(name, site)

    # Waits of everyone still waiting, by home site.
    pathway = model.elective.pathway.values()
    homes = np.array([p.home for p in pathway], dtype=object)
    waits = np.array([now - p.referral_time for p in pathway], dtype=float)
    treated = rec.treated
    t_home = np.array([t[0] for t in treated], dtype=object)
    t_wait = np.array([t[3] for t in treated], dtype=float)

    bed_stats = {sid: (b.general.stats(), b.elective.stats()) for sid, b in model.beds.items()}
    warm_beds = model.at_warm_up.get("beds", {})

    def bed_area(sid: str, which: int) -> tuple[float, int]:
        area = bed_stats[sid][which][0] - warm_beds.get(sid, ((0.0, None), (0.0, None)))[which][0]
        pool = model.beds[sid].general if which == 0 else model.beds[sid].elective
        return area, pool.capacity

    for site in [*sites, None]:
        label = "" if site is None else site
        vals: dict[str, float] = {name: count(name, site) for name in _SITE_COUNTS}
        sel = slice(None) if site is None else homes == site
        vals.update(_wait_kpis(waits[sel]))
        tsel = slice(None) if site is None else t_home == site
        tw = t_wait[tsel]
        vals["median_wait_treated_weeks"] = float(np.median(tw) / WEEK) if tw.size else float("nan")
        due = vals["operations"] + vals["cancellations_on_the_day"]
        vals["cancellation_rate_pct"] = _ratio(vals["cancellations_on_the_day"], due, 100)
        vals["operations_per_session"] = _ratio(vals["operations"], vals["sessions"])
        vals["theatre_utilisation"] = _ratio(
            count("session_days_used", site), count("session_days_planned", site)
        )
        bed_sites = [s for s in ([site] if site else sites) if s in model.beds]
        g = [bed_area(s, 0) for s in bed_sites]
        e = [bed_area(s, 1) for s in bed_sites]
        g_area, g_cap = sum(a for a, _ in g), sum(c for _, c in g)
        e_area, e_cap = sum(a for a, _ in e), sum(c for _, c in e)
        vals["general_bed_occupancy"] = _ratio(g_area, g_cap * span)
        vals["elective_bed_occupancy"] = _ratio(e_area, e_cap * span)
        vals["ward_occupancy"] = _ratio(g_area + e_area, (g_cap + e_cap) * span)
        arrivals = count("emergency_arrivals", site)
        vals["emergency_diverted_pct"] = _ratio(vals["emergency_diverted"], arrivals, 100)
        admitted = vals["emergency_admissions"]
        vals["emergency_bed_wait_hours"] = _ratio(count("emergency_wait_days", site), admitted, 24)
        vals["emergency_waited_pct"] = _ratio(count("emergency_waited", site), admitted, 100)
        if site is None:
            area = model.elective.pathway_area - model.at_warm_up.get("pathway_area", 0.0)
            vals["mean_waiting_list"] = _ratio(area, span)
        if model.critical_care is not None:
            vals.update(_cc_kpis(model, site, count, span))
        if model.mutual_aid:
            vals.update(mutual_aid_kpis(count, site))
        if model.roster is not None:
            vals.update(staff_kpis(model, count, site))
        if site is None and "wait_gap_q1_q5_weeks" in wanted:
            vals.update(equity_kpis(model))
        rows.extend((name, label, float(vals[name])) for name in wanted if name in vals)
    return rows


def _cc_kpis(model: CollaborativeModel, site: str | None, count, span: float) -> dict[str, float]:
    cc = model.critical_care
    warm = model.at_warm_up.get("cc", {})
    if site is None:
        pool = cc.network
    elif site in cc.units:
        pool = cc.units[site].pool
    else:
        pool = None
    vals: dict[str, float] = {
        name: count(name, site)
        for name in (
            "cc_admissions", "cc_elective_admissions", "cc_unplanned_arrivals", "cc_refusals",
            "cc_transfers_out", "cc_repatriations", "cc_booking_deferrals",
        )
    }  # fmt: skip
    vals["cancellations_no_cc_bed"] = count("cancellations_no_critical_care_bed", site)
    if pool is not None:
        area = pool.stats()[0] - warm.get(pool.name, (0.0, None))[0]
        vals["cc_occupancy"] = _ratio(area, pool.capacity * span)
    else:
        vals["cc_occupancy"] = float("nan")
    vals["cc_refusal_pct"] = _ratio(vals["cc_refusals"], vals["cc_unplanned_arrivals"], 100)
    vals["cc_transfer_pct"] = _ratio(vals["cc_transfers_out"], vals["cc_unplanned_arrivals"], 100)
    vals["cc_transfer_hours"] = _ratio(
        count("cc_transfer_days", site), vals["cc_transfers_out"], 24
    )
    vals["cc_unplanned_wait_hours"] = _ratio(
        count("cc_unplanned_wait_days", site), count("cc_unplanned_admitted", site), 24
    )
    return vals
