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


def _by_procedure(s: Scope, counts: list[int]) -> dict[str, int]:
    return {name: counts[i] if i < len(counts) else 0 for i, name in enumerate(s.ledger.procedures)}


def _waiting_by_procedure(s: Scope) -> dict[str, int]:
    counts = np.bincount(s.waiting_procedures, minlength=len(s.ledger.procedures))
    return {name: int(counts[i]) for i, name in enumerate(s.ledger.procedures)}


def _median_wait_by_procedure(s: Scope) -> dict[str, float]:
    weeks, procs = s.waiting_weeks, s.waiting_procedures
    return {name: _median(weeks[procs == i]) for i, name in enumerate(s.ledger.procedures)}


def _lost_slots(s: Scope) -> int:
    return sum(_e(s).cancellations)


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
    KPI("over_65_weeks_end", "patients", "Waiting over 65 weeks at the end",
        "patients waiting over 65 weeks at the end (NHS long-wait milestone, March 2024)",
        "lower", FEATURE, "home", lambda s: int((s.waiting_weeks > 65).sum())),
    KPI("over_78_weeks_end", "patients", "Waiting over 78 weeks at the end",
        "patients waiting over 78 weeks at the end (NHS long-wait milestone, April 2023)",
        "lower", FEATURE, "home", lambda s: int((s.waiting_weeks > 78).sum())),
    KPI("over_104_weeks_end", "patients", "Waiting over 104 weeks at the end",
        "patients waiting over 104 weeks at the end (NHS long-wait milestone, July 2022)",
        "lower", FEATURE, "home", lambda s: int((s.waiting_weeks > 104).sum())),
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
    KPI("nonclinical_cancellation_pct", "%", "Non-clinical last-minute cancellations",
        "on-the-day cancellations for non-clinical (hospital) reasons per 100 elective "
        "admissions (operations done), as NHS England's last-minute cancellation statistics "
        "count them (nationally 0.8-1.1%)", "lower", FEATURE, "treating",
        lambda s: ratio(_hospital_cancellations(s), _e(s).operations, 100)),
    KPI("no_bed_cancellation_share_pct", "%", "Share of on-the-day cancellations: no bed",
        "on-the-day cancellations for want of a ward bed per 100 on-the-day cancellations of "
        "any cause, the patient's own included (the cause mix of Dimitriadis et al. 2013: no "
        "bed 21.8%)", None, FEATURE, "treating",
        lambda s: ratio(_e(s).cancellations[Cause.NO_BED], sum(_e(s).cancellations), 100)),
    KPI("operations_first_year", "patients", "Operations in the first year",
        "elective operations of this site's patients in the first 52 weeks after the warm-up "
        "(the year-one activity of Co et al. 2025's hub comparison)", "higher", FEATURE,
        "home", lambda s: int((s.treated["day"] < s.ledger.warm_up + 52 * WEEK).sum())),
    KPI("lost_slots", "operations", "Lost slots",
        "booked operations that did not go ahead: patients booked on a list and cancelled on "
        "the day for any reason (the patient's own included, or their session lost); hubsim "
        "never back-fills a slot. As NHS theatre dashboards and GIRFT count it, a lost slot is "
        "a booked case, not minutes: planned session time left unused is 1 - "
        "theatre_utilisation (GIRFT's capped utilisation)",
        "lower", FEATURE, "treating", _lost_slots),
    KPI("sessions", "sessions", "Theatre sessions held", "theatre sessions held",
        None, FEATURE, "treating", lambda s: _e(s).sessions),
    KPI("operations_per_session", "operations", "Operations per session",
        "operations per session held", "higher", FEATURE, "treating",
        lambda s: ratio(_e(s).operations, _e(s).sessions)),
    KPI("theatre_utilisation", "fraction", "Theatre utilisation",
        "operating time within sessions / planned session time",
        "higher", FEATURE, "treating",
        lambda s: ratio(_e(s).session_days_used, _e(s).session_days_planned), headline=10),
    KPI("operations_of_<procedure>", "operations", "Operations: <member>",
        "elective operations of this procedure done", "higher", FEATURE, "treating",
        lambda s: _by_procedure(s, _e(s).operations_by_procedure)),
    KPI("cancellations_on_the_day_of_<procedure>", "operations",
        "On-the-day cancellations (hospital): <member>",
        "operations of this procedure cancelled on the day for non-clinical (hospital) reasons",
        "lower", FEATURE, "treating",
        lambda s: _by_procedure(s, _e(s).cancellations_by_procedure)),
    KPI("waiting_list_end_of_<procedure>", "patients", "Patients waiting at the end: <member>",
        "patients waiting for this procedure (incomplete pathways) at the end",
        "lower", FEATURE, "home", _waiting_by_procedure),
    KPI("median_wait_weeks_of_<procedure>", "weeks", "Median wait of those waiting: <member>",
        "median wait so far of patients waiting for this procedure at the end",
        "lower", FEATURE, "home", _median_wait_by_procedure),
)  # fmt: skip

KPIS.add(
    KPI("template_places_unfilled", "operations", "Session template places left empty",
        "places of session templates (cases: ...) that booking could not fill from the list, "
        "looking at most policies.booking.lookahead patients past those of other procedures",
        "lower", FEATURE, "treating", lambda s: _e(s).template_places_unfilled,
        requires="session_templates"),
    KPI("template_fill_pct", "%", "Session template places filled",
        "share of session templates' places booked with a patient", "higher",
        FEATURE, "treating",
        lambda s: ratio(_e(s).template_places - _e(s).template_places_unfilled,
                        _e(s).template_places, 100), requires="session_templates"),
    KPI("left_after_cancellation", "patients", "Left the list after a cancellation",
        "patients cancelled on the day who left the list untreated (on_cancellation: leave); "
        "counted where the operation was cancelled", None, FEATURE, "treating",
        lambda s: _e(s).left_after_cancellation, requires="cancellation_leave"),
)  # fmt: skip
