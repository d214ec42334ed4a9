"""KPIs of critical care nurse staffing: staffed beds, nurses at work and their use, shifts
short of their establishment, and the patients who found a bed but no nurse."""

from __future__ import annotations

from ..model.nursing import NursingTally
from .registry import KPI, KPIS
from .scope import Scope, ratio

FEATURE = "nursing"


NAN = float("nan")


def _n(s: Scope) -> NursingTally:
    return s.of(NursingTally)


def _staffed(s: Scope) -> bool:
    """This site's unit (or some unit, for the collaborative) has nurse staffing."""
    keys = s.keyed(NursingTally)
    return bool(keys) if s.network else s.site in keys


KPIS.add(
    KPI("cc_staffed_beds", "beds", "Staffed critical care beds",
        "time-average staffed beds: beds, or the patients at the unit's share at level 3 "
        "the nurses at work can take if fewer (units with nurse staffing)", None, FEATURE, "unit",
        lambda s: ratio(_n(s).staffed_bed_days, s.span) if _staffed(s) else NAN),
    KPI("cc_nurses_present", "nurses", "Bedside nurses at work",
        "time-average registered nurses at work at the bedside (rostered and not off sick)",
        None, FEATURE, "unit",
        lambda s: ratio(_n(s).nurse_days_present, s.span) if _staffed(s) else NAN),
    KPI("cc_nurse_utilisation", "fraction", "Nurse utilisation",
        "nursing the patients take at their level of care (1 nurse at level 3, 1/2 at level "
        "2, GPICS) over nurses at work, time-averaged; a unit above 1 borrows from its pool",
        None, FEATURE, "unit",
        lambda s: ratio(_n(s).nurse_days_needed, _n(s).nurse_days_present)),
    KPI("cc_shifts_short_pct", "%", "Shifts below establishment",
        "share of shifts with fewer nurses at work than rostered (sickness)", "lower",
        FEATURE, "unit", lambda s: ratio(_n(s).shifts_short, _n(s).shifts, 100)),
    KPI("cc_no_nurse", "patients", "Unplanned patients finding a bed but no nurse",
        "unplanned patients whose own unit (or pool) had a free bed but no nurse for them: "
        "they waited, were transferred or refused as if it were full", "lower", FEATURE,
        "home", lambda s: _n(s).no_nurse),
    KPI("cc_refusals_no_nurse", "patients", "Critical care refusals: no nurse",
        "unplanned patients refused whose own unit had a free bed but no nurse for them",
        "lower", FEATURE, "home", lambda s: _n(s).refusals_no_nurse),
    KPI("cc_transfers_no_nurse", "patients", "Transfers for want of a nurse",
        "unplanned patients transferred whose own unit had a free bed but no nurse for them",
        "lower", FEATURE, "home", lambda s: _n(s).transfers_no_nurse),
    KPI("cc_cancellations_no_nurse", "patients", "Planned admissions cancelled: no nurse",
        "planned patients (after surgery, or booked into the unit) cancelled with a bed free "
        "but no nurse for them", "lower", FEATURE, "unit",
        lambda s: _n(s).cancellations_no_nurse),
)  # fmt: skip
