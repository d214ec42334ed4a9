"""KPIs of the elective pathway: referrals, waits, the list, operations, cancellations, theatres.

Wait KPIs follow NHS referral-to-treatment statistics: they describe the incomplete
pathways (everyone still waiting, booked or not) at the end of the run, by home site.
Activity KPIs (operations, cancellations, sessions) are reported where they happened.
"""

from __future__ import annotations

import numpy as np

from ..model.elective import ElectiveTally, PathwayTally
from ..model.ledger import HOSPITAL_CAUSES, Cause
from .registry import KPI, KPIS
from .scope import WEEK, Scope, ratio

NAN = float("nan")


def _e(s: Scope) -> ElectiveTally:
    return s.of(ElectiveTally)


def _hospital_cancellations(s: Scope) -> int:
    c = _e(s).cancellations
    return sum(c[cause] for cause in HOSPITAL_CAUSES)


def _median(x: np.ndarray) -> float:
    return float(np.median(x)) if x.size else NAN


def _median_treated(s: Scope) -> float:
    days = s.treated["wait_days"]
    return float(np.median(days) / WEEK) if days.size else NAN


def _percentile(x: np.ndarray, q: float) -> float:
    return float(np.percentile(x, q)) if x.size else NAN


def _share_under_18(s: Scope) -> float:
    w = s.waiting_weeks
    return float((w < 18).mean() * 100) if w.size else NAN


FEATURE = "elective"

KPIS.add(
    KPI("referrals", "patients", "New referrals", "new referrals during the run",
        None, FEATURE, "home", lambda s: _e(s).referrals),
    KPI("operations", "patients", "Operations", "elective operations done",
        "higher", FEATURE, "treating", lambda s: _e(s).operations,
        headline=1, precision_target=True),
    KPI("waiting_list_end", "patients", "Patients waiting at the end",
        "patients waiting (incomplete pathways) at the end",
        "lower", FEATURE, "home", lambda s: s.waiting_weeks.size,
        headline=2, precision_target=True),
    KPI("mean_waiting_list", "patients", "Average number waiting",
        "time-average number of patients waiting",
        "lower", FEATURE, "network",
        lambda s: ratio(s.of(PathwayTally).waiting_days, s.span)),
    KPI("median_wait_weeks", "weeks", "Median wait of those waiting",
        "median wait so far of patients waiting at the end",
        "lower", FEATURE, "home", lambda s: _median(s.waiting_weeks), headline=3),
    KPI("p92_wait_weeks", "weeks", "92nd-percentile wait of those waiting",
        "92nd percentile wait of patients waiting at the end",
        "lower", FEATURE, "home", lambda s: _percentile(s.waiting_weeks, 92),
        headline=4, precision_target=True),
    KPI("pct_within_18_weeks", "%", "Share waiting under 18 weeks",
        "share of patients waiting at the end who have waited under 18 weeks "
        "(RTT standard: 92%)",
        "higher", FEATURE, "home", _share_under_18, headline=5),
    KPI("over_52_weeks_end", "patients", "Waiting over 52 weeks at the end",
        "patients waiting over 52 weeks at the end",
        "lower", FEATURE, "home", lambda s: int((s.waiting_weeks > 52).sum()), headline=6),
    KPI("median_wait_treated_weeks", "weeks", "Median wait of those operated on",
        "median wait of patients operated on during the run",
        "lower", FEATURE, "home", _median_treated),
    KPI("removed_from_list", "patients", "Left the list untreated",
        "patients who left the list untreated", None, FEATURE, "home",
        lambda s: _e(s).removed_from_list),
    KPI("cancellations_on_the_day", "operations", "On-the-day cancellations (hospital)",
        "operations cancelled on the day for non-clinical (hospital) reasons",
        "lower", FEATURE, "treating", _hospital_cancellations,
        headline=7, precision_target=True),
    KPI("cancellations_no_bed", "operations", "Cancelled on the day: no bed",
        "cancelled on the day: no ward bed", "lower", FEATURE, "treating",
        lambda s: _e(s).cancellations[Cause.NO_BED], headline=8),
    KPI("cancellations_no_theatre_time", "operations", "Cancelled on the day: no theatre time",
        "cancelled on the day: late start or early finish left no time",
        "lower", FEATURE, "treating", lambda s: _e(s).cancellations[Cause.NO_THEATRE_TIME]),
    KPI("cancellations_overrun", "operations", "Cancelled on the day: overrun",
        "cancelled on the day: earlier cases overran", "lower", FEATURE, "treating",
        lambda s: _e(s).cancellations[Cause.OVERRUN]),
    KPI("cancellations_patient", "operations", "Cancelled on the day by the patient",
        "cancelled on the day by or for the patient (unfit, did not attend)",
        None, FEATURE, "treating", lambda s: _e(s).cancellations[Cause.PATIENT]),
    KPI("cancellation_rate_pct", "%", "On-the-day cancellation rate",
        "hospital on-the-day cancellations per 100 patients due in theatre",
        "lower", FEATURE, "treating",
        lambda s: ratio(_hospital_cancellations(s), _e(s).operations
                        + _hospital_cancellations(s), 100),
        headline=9),
    KPI("sessions", "sessions", "Theatre sessions held", "theatre sessions held",
        None, FEATURE, "treating", lambda s: _e(s).sessions),
    KPI("operations_per_session", "operations", "Operations per session",
        "operations per session held", "higher", FEATURE, "treating",
        lambda s: ratio(_e(s).operations, _e(s).sessions)),
    KPI("theatre_utilisation", "fraction", "Theatre utilisation",
        "operating time within sessions / planned session time",
        "higher", FEATURE, "treating",
        lambda s: ratio(_e(s).session_days_used, _e(s).session_days_planned), headline=10),
)  # fmt: skip
