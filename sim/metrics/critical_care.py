"""KPIs of critical care: admissions, occupancy, refusals, transfers and their times, planned
admissions, and the same per admission source where a unit names its streams."""

from __future__ import annotations

from collections.abc import Callable

from ..model.critical_care import CriticalCareTally
from ..model.elective import ElectiveTally
from ..model.ledger import Cause
from ..model.networks import SourceTally
from .registry import KPI, KPIS
from .scope import Scope, ratio

FEATURE = "critical_care"


def _cc(s: Scope) -> CriticalCareTally:
    return s.of(CriticalCareTally)


def by_source(
    s: Scope, value: Callable[[SourceTally], float], kind: str | None = None
) -> dict[str, float]:
    """``value`` of each admission source (of this site's unit, or summed over the units),
    for the sources of ``kind`` ("planned" or "unplanned"; None: all)."""
    kinds: dict[str, str] = s.ledger.extra.get("cc_sources", {})  # type: ignore[assignment]
    if not kinds:
        return {}
    summed: dict[str, SourceTally] = {}
    for key, tally in s.keyed(SourceTally).items():
        site, _, source = key.partition("/")
        if s.network or site == s.site:
            summed[source] = summed[source].plus(tally) if source in summed else tally
    return {src: value(t) for src, t in summed.items() if kind is None or kinds.get(src) == kind}


def _stay_beds(s: Scope) -> float:
    return ratio(_cc(s).stay_days_discharged, s.span)


KPIS.add(
    KPI("cc_admissions", "patients", "Critical care admissions",
        "patients admitted to critical care (transfers counted where they arrive)",
        None, FEATURE, "unit", lambda s: _cc(s).admissions),
    KPI("cc_elective_admissions", "patients", "Planned post-operative admissions",
        "planned post-operative admissions", None, FEATURE, "unit",
        lambda s: _cc(s).elective_admissions),
    KPI("cc_occupancy", "fraction", "Critical care occupancy",
        "time-average share of critical care beds occupied, turnaround included",
        None, FEATURE, "unit",
        lambda s: ratio(_cc(s).beds.bed_days, _cc(s).beds.capacity_days), headline=13),
    KPI("cc_occupancy_patients", "fraction", "Critical care beds occupied by a patient",
        "time-average share of critical care beds holding a patient, turnaround excluded (as "
        "the critical care sitrep counts occupied beds)", None, FEATURE, "unit",
        lambda s: ratio(_cc(s).treating_days, _cc(s).beds.capacity_days)),
    KPI("cc_unplanned_arrivals", "patients", "Unplanned critical care patients",
        "unplanned patients needing a critical care bed", None, FEATURE, "home",
        lambda s: _cc(s).unplanned_arrivals),
    KPI("cc_refusals", "patients", "Critical care refusals",
        "unplanned patients refused: lost to the network", "lower", FEATURE, "home",
        lambda s: _cc(s).refusals, headline=17),
    KPI("cc_refusal_pct", "%", "Share of unplanned patients refused",
        "share of unplanned patients refused", "lower", FEATURE, "home",
        lambda s: ratio(_cc(s).refusals, _cc(s).unplanned_arrivals, 100), headline=14),
    KPI("cc_transfers_out", "patients", "Transfers for want of a bed",
        "unplanned patients transferred to another unit for want of a bed (with pooling: "
        "placed in another unit's bed)", "lower", FEATURE, "home",
        lambda s: _cc(s).transfers_out, headline=15),
    KPI("cc_transfer_pct", "%", "Share of unplanned patients transferred",
        "share of unplanned patients transferred out", "lower", FEATURE, "home",
        lambda s: ratio(_cc(s).transfers_out, _cc(s).unplanned_arrivals, 100)),
    KPI("cc_nonclinical_transfer_pct", "%", "Non-clinical transfers per 100 patients",
        "unplanned patients who went to another unit for want of a bed at their own, inside "
        "the network (transferred) or out of it (refused), per 100 critical care patients "
        "admitted or sent elsewhere (Barratt et al. 2012: 0.25% of admissions nationally)",
        "lower", FEATURE, "home",
        lambda s: ratio(_cc(s).transfers_out + _cc(s).refusals,
                        _cc(s).admissions + _cc(s).refusals, 100)),
    KPI("cc_transfer_hours", "hours", "Transfer time",
        "mean time from the transfer decision to arrival (waiting for a team + travel)",
        "lower", FEATURE, "home",
        lambda s: ratio(_cc(s).transfer_days, _cc(s).transfers_out, 24), headline=18),
    KPI("cc_repatriations", "patients", "Repatriations",
        "transferred patients brought back to their own unit", None, FEATURE, "unit",
        lambda s: _cc(s).repatriations),
    KPI("cc_unplanned_wait_hours", "hours", "Wait for a critical care bed",
        "mean wait for a bed at their own unit of unplanned patients admitted",
        "lower", FEATURE, "home",
        lambda s: ratio(_cc(s).unplanned_wait_days, _cc(s).unplanned_admitted, 24)),
    KPI("cc_distance_km", "km", "Distance from home to critical care",
        "mean road km from the patient's home site to the unit that admitted them "
        "(unplanned patients)", "lower", FEATURE, "home",
        lambda s: ratio(_cc(s).distance_km, _cc(s).distance_known)),
    KPI("cancellations_no_cc_bed", "operations", "Cancelled on the day: no critical care bed",
        "operations cancelled on the day: no critical care bed", "lower", FEATURE, "treating",
        lambda s: s.of(ElectiveTally).cancellations[Cause.NO_CC_BED], headline=16),
    KPI("cc_booking_deferrals", "patients", "Left off a list: no critical care bed",
        "patients who would have been on a list when it was finalised but were left off: no "
        "critical care bed free (each counted once per list)",
        "lower", FEATURE, "treating", lambda s: _cc(s).booking_deferrals),
    KPI("cc_planned_admissions", "patients", "Planned admissions booked into the unit",
        "planned patients booked straight into a unit (not from a theatre list) and admitted",
        None, FEATURE, "unit", lambda s: _cc(s).planned_admissions),
    KPI("cc_planned_cancellations", "patients", "Planned admissions cancelled: no bed",
        "planned patients booked straight into a unit who found no free bed on arrival (a "
        "bed being cleaned is not free) and were cancelled", "lower", FEATURE, "unit",
        lambda s: _cc(s).planned_cancellations),
    KPI("cc_beds_in_treatment", "beds", "Critical care beds in treatment",
        "time-average number of beds holding a patient (turnaround excluded)", None, FEATURE,
        "unit", lambda s: ratio(_cc(s).treating_days, s.span)),
    KPI("cc_stay_beds_at_discharge", "beds", "Beds in treatment, counted at discharge",
        "whole stays of the patients whose stay ended in the period, divided by its length "
        "(turnaround excluded; the occupancy of Griffiths et al. 2010 as recreated by Monks, "
        "Harper & Heather 2025)", None, FEATURE, "unit", _stay_beds),
    KPI("cc_wait_hours_at_discharge", "hours", "Wait for a bed, counted at discharge",
        "mean wait for a bed of the unplanned patients whose stay ended in the period "
        "(Griffiths et al. 2010 as recreated by Monks, Harper & Heather 2025)", "lower",
        FEATURE, "unit",
        lambda s: ratio(_cc(s).wait_days_discharged, _cc(s).unplanned_discharged, 24)),
    KPI("cc_arrivals_<source>", "patients", "Critical care patients from <member>",
        "patients needing a critical care bed, by admission source (planned sources: "
        "cancelled ones included)", None, FEATURE, "unit",
        lambda s: by_source(s, lambda t: t.arrivals)),
    KPI("cc_admissions_<source>", "patients", "Critical care admissions from <member>",
        "patients admitted to critical care, by admission source (transfers counted once)",
        None, FEATURE, "unit", lambda s: by_source(s, lambda t: t.admissions)),
    KPI("cc_refusals_<source>", "patients", "Critical care refusals from <member>",
        "unplanned patients refused, by admission source", "lower", FEATURE, "unit",
        lambda s: by_source(s, lambda t: t.refusals, "unplanned")),
    KPI("cc_refusal_pct_<source>", "%", "Share refused from <member>",
        "share of a source's unplanned patients refused", "lower", FEATURE, "unit",
        lambda s: by_source(s, lambda t: ratio(t.refusals, t.arrivals, 100), "unplanned")),
    KPI("cc_transfers_out_<source>", "patients", "Transfers for want of a bed from <member>",
        "unplanned patients transferred to another unit, by admission source", "lower",
        FEATURE, "unit", lambda s: by_source(s, lambda t: t.transfers_out, "unplanned")),
    KPI("cc_unplanned_wait_hours_<source>", "hours", "Wait for a critical care bed from <member>",
        "mean wait for a bed of a source's unplanned patients admitted", "lower", FEATURE,
        "unit",
        lambda s: by_source(s, lambda t: ratio(t.wait_days, t.unplanned_admitted, 24),
                            "unplanned")),
    KPI("cc_cancellations_<source>", "patients", "Planned admissions cancelled from <member>",
        "planned patients cancelled for want of a critical care bed, by source", "lower",
        FEATURE, "unit", lambda s: by_source(s, lambda t: t.cancellations, "planned")),
)  # fmt: skip
