"""KPIs of collaboration policies: mutual aid, shared staff, and equity by deprivation.

Equity KPIs describe the patients still waiting at the end (incomplete pathways, as NHS
statistics and the King's Fund inequality figures do), by deprivation quintile (IMD 1 =
most deprived). The concentration index ranks those patients from most to least
deprived: a negative value means long waits (over 18 weeks) fall more on the deprived.
"""

from __future__ import annotations

import numpy as np

from ..model.build import CollaborativeModel
from .info import KpiInfo, ratio

WEEK = 7.0
QUINTILES = (1, 2, 3, 4, 5)
LONG_WAIT_WEEKS = 18.0

MUTUAL_AID_KPI_INFO: dict[str, KpiInfo] = {
    "mutual_aid_offers": KpiInfo("patients", "home", "patients offered treatment at another site"),
    "mutual_aid_transfers": KpiInfo(
        "patients", "home", "patients who accepted and moved to another site's list"
    ),
    "mean_extra_travel_km": KpiInfo(
        "km", "home", "mean extra road distance for patients who moved (vs their own site)"
    ),
}

STAFF_KPI_INFO: dict[str, KpiInfo] = {
    "sessions_lost_no_staff": KpiInfo(
        "sessions", "treating", "theatre sessions lost: their team was not complete"
    ),
    "cancellations_no_staff": KpiInfo(
        "operations", "treating", "operations cancelled on the day: session lost for want of staff"
    ),
    "staff_utilisation": KpiInfo(
        "fraction",
        "network",
        "share of staff session-slots on duty used, per staff group "
        "(reported as staff_utilisation_<group>)",
    ),
}

EQUITY_KPI_INFO: dict[str, KpiInfo] = {}
for _q in QUINTILES:
    EQUITY_KPI_INFO[f"median_wait_weeks_q{_q}"] = KpiInfo(
        "weeks", "network", f"median wait of patients waiting at the end, IMD quintile {_q}"
    )
    EQUITY_KPI_INFO[f"p92_wait_weeks_q{_q}"] = KpiInfo(
        "weeks", "network", f"92nd percentile wait of patients waiting at the end, quintile {_q}"
    )
    EQUITY_KPI_INFO[f"pct_over_52_weeks_q{_q}"] = KpiInfo(
        "%", "network", f"share of quintile {_q} patients waiting at the end who waited >52 weeks"
    )
    EQUITY_KPI_INFO[f"median_wait_treated_weeks_q{_q}"] = KpiInfo(
        "weeks", "network", f"median wait of quintile {_q} patients operated on during the run"
    )
EQUITY_KPI_INFO["wait_gap_q1_q5_weeks"] = KpiInfo(
    "weeks", "network", "median wait at the end, most deprived (Q1) minus least deprived (Q5)"
)
EQUITY_KPI_INFO["long_wait_concentration_index"] = KpiInfo(
    "index",
    "network",
    "concentration index of waits over 18 weeks by deprivation rank "
    "(most deprived first; negative = long waits fall more on the deprived)",
)


def concentration_index(outcome: np.ndarray, quintile: np.ndarray) -> float:
    """Concentration index of a 0/1 ``outcome`` over people ranked most to least deprived.

    ``2 cov(outcome, r) / mean(outcome)`` with ``r`` the fractional rank (ties share the
    mean rank). NaN when nobody has the outcome.
    """
    n = outcome.size
    mean = outcome.mean() if n else 0.0
    if n == 0 or mean == 0:
        return float("nan")
    order = np.argsort(quintile, kind="stable")
    ranks = np.empty(n)
    ranks[order] = np.arange(1, n + 1)
    for q in np.unique(quintile):  # ties share their mean rank
        sel = quintile == q
        ranks[sel] = ranks[sel].mean()
    r = (ranks - 0.5) / n
    return float(2 * np.mean((outcome - mean) * (r - r.mean())) / mean)


def equity_kpis(model: CollaborativeModel) -> dict[str, float]:
    """Waits by deprivation quintile (whole collaborative)."""
    now = model.env.now
    people = [(p.quintile, now - p.referral_time) for p in model.elective.pathway.values()]
    q = np.array([x for x, _ in people], dtype=int)
    weeks = np.array([w for _, w in people], dtype=float) / WEEK
    treated_q = np.array([t[5] for t in model.recorder.treated], dtype=int)
    treated_w = np.array([t[3] for t in model.recorder.treated], dtype=float) / WEEK
    out: dict[str, float] = {}
    nan = float("nan")
    for k in QUINTILES:
        w = weeks[q == k]
        tw = treated_w[treated_q == k]
        out[f"median_wait_weeks_q{k}"] = float(np.median(w)) if w.size else nan
        out[f"p92_wait_weeks_q{k}"] = float(np.percentile(w, 92)) if w.size else nan
        out[f"pct_over_52_weeks_q{k}"] = float((w > 52).mean() * 100) if w.size else nan
        out[f"median_wait_treated_weeks_q{k}"] = float(np.median(tw)) if tw.size else nan
    out["wait_gap_q1_q5_weeks"] = out["median_wait_weeks_q1"] - out["median_wait_weeks_q5"]
    known = q > 0
    out["long_wait_concentration_index"] = concentration_index(
        (weeks[known] > LONG_WAIT_WEEKS).astype(float), q[known]
    )
    return out


def mutual_aid_kpis(count, site: str | None) -> dict[str, float]:
    moved = count("mutual_aid_transfers", site)
    return {
        "mutual_aid_offers": count("mutual_aid_offers", site),
        "mutual_aid_transfers": moved,
        "mean_extra_travel_km": ratio(count("mutual_aid_extra_km", site), moved),
    }


def staff_kpis(model: CollaborativeModel, count, site: str | None) -> dict[str, float]:
    out = {
        "sessions_lost_no_staff": count("sessions_lost_no_staff", site),
        "cancellations_no_staff": count("cancellations_no_staff", site),
    }
    if site is None:
        for group, value in model.roster.utilisation().items():
            out[f"staff_utilisation_{group}"] = value
    return out
