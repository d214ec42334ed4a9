"""Nurse staffing of critical care units: staffed beds, not only physical ones (scenario data).

A critical care unit with ``nursing`` admits a patient only if a bed is free *and* a
bedside nurse can take them at the ratio of their level of care: the Guidelines for the
Provision of Intensive Care Services (GPICS v2, FICM/ICS 2019) give one registered nurse
per level 3 patient and one per two level 2 patients. A unit's nurses work a roster
(``shifts_per_day`` shifts of equal length, ``nurses_per_shift`` rostered on each); each
rostered nurse is off sick for a shift with probability ``sickness_absence``. Units may
share their nurses across a trust or the whole collaborative
(``policies.critical_care.nurses_shared``), like the theatre staff pools of :mod:`.staff`.

Each patient's level of care is drawn on arrival from the ``level_3_share`` of their
stream, planned admission or procedure, else of the unit they ask for first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator, Field, field_validator, model_validator

from .base import Spec
from .types import MAX_STAFF, Count, Probability
from .units import Duration

if TYPE_CHECKING:
    from .errors import Problem
    from .schema import Scenario

#: Most shifts a day (a typo guard: 6 is a 4-hour shift).
MAX_SHIFTS = 6

#: Nurse time is counted in twelfths of a nurse, so 1, 2, 3 or 4 patients per nurse are exact.
NURSE_PARTS = 12


class PatientsPerNurse(Spec):
    """Patients one bedside nurse looks after, by level of care (GPICS: 1 at level 3,
    2 at level 2)."""

    level_3: Annotated[Count, Field(ge=1, le=4)] = 1
    """Level 3 patients per nurse (GPICS: 1)."""
    level_2: Annotated[Count, Field(ge=1, le=4)] = 2
    """Level 2 patients per nurse (GPICS: 2)."""

    @model_validator(mode="after")
    def _level_3_not_lighter(self) -> PatientsPerNurse:
        if self.level_3 > self.level_2:
            raise ValueError(
                f"a nurse cannot look after more level 3 patients ({self.level_3}) than "
                f"level 2 patients ({self.level_2}): level 3 care is the heavier"
            )
        return self


def _nurses(value: Any) -> Any:
    """A number of nurses per shift, or one per shift of the day: one plain message for a
    wrong value (not one per member of the union)."""

    def whole(x: Any) -> bool:
        return isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= MAX_STAFF

    if whole(value) or (isinstance(value, list) and value and all(whole(x) for x in value)):
        return value
    raise ValueError(
        f"nurses_per_shift is a whole number of nurses from 0 to {MAX_STAFF:,} (e.g. 14), or "
        f"one such number per shift of the day (e.g. [14, 12]); got {value!r}"
    )


#: Nurses on each shift, or one number per shift of the day.
NursesPerShift = Annotated[
    Annotated[Count, Field(ge=0, le=MAX_STAFF)]
    | Annotated[list[Annotated[Count, Field(ge=0, le=MAX_STAFF)]], Field(min_length=1)],
    BeforeValidator(_nurses),
]


class Nursing(Spec):
    """A critical care unit's bedside nurses: their roster, sickness and ratios.

    Example: ``{nurses_per_shift: 14, shifts_per_day: 2, sickness_absence: 0.05}``: two
    12-hour shifts a day, 14 registered nurses rostered at the bedside on each, each off
    sick for a shift with probability 5%.
    """

    nurses_per_shift: NursesPerShift
    """Registered nurses rostered at the bedside on each shift (the unit's establishment;
    a nurse in charge who takes no patients is not counted), e.g. ``14``; or one number
    per shift of the day, from the first, e.g. ``[14, 12]`` (day, night)."""
    shifts_per_day: Annotated[Count, Field(ge=1, le=MAX_SHIFTS)] = 2
    """Shifts of equal length a day, e.g. ``2`` (12-hour shifts) or ``3`` (8-hour)."""
    first_shift_starts: Duration = 8 / 24
    """Time of day the first shift starts, e.g. ``7.5 hours`` (07:30)."""
    sickness_absence: Probability = 0.0
    """Chance a rostered nurse is off sick for a shift, each nurse and shift independently
    (the sickness absence rate: the share of rostered shifts lost), e.g. ``0.05``."""
    patients_per_nurse: PatientsPerNurse = Field(default_factory=PatientsPerNurse)
    """Patients per bedside nurse by level of care; default GPICS: ``{level_3: 1,
    level_2: 2}``."""

    @field_validator("first_shift_starts")
    @classmethod
    def _in_a_day(cls, t: float) -> float:
        if not 0 <= t < 1:
            raise ValueError("the first shift starts at a time of day, from 0 min to 24 hours")
        return t

    @model_validator(mode="after")
    def _one_per_shift(self) -> Nursing:
        n = self.nurses_per_shift
        if isinstance(n, list) and len(n) != self.shifts_per_day:
            raise ValueError(
                f"nurses_per_shift lists {len(n)} shift(s) but shifts_per_day is "
                f"{self.shifts_per_day}: give one number per shift, or one number for all"
            )
        return self

    def establishment(self, shift: int) -> int:
        """Nurses rostered on shift ``shift`` of the day (0 = the first)."""
        n = self.nurses_per_shift
        return n[shift] if isinstance(n, list) else n

    @property
    def most(self) -> int:
        """The most nurses rostered on any shift."""
        n = self.nurses_per_shift
        return max(n) if isinstance(n, list) else n

    def need(self, level: int) -> int:
        """Twelfths of a nurse a patient at ``level`` (2 or 3) takes."""
        per = self.patients_per_nurse
        return NURSE_PARTS // (per.level_3 if level == 3 else per.level_2)


def reference_problems(sc: Scenario) -> list[Problem]:
    """Where any critical care unit has nurses, every unit states its patients' level of
    care; level of care is for critical care only."""
    from .networks import CRITICAL_CARE, units_of

    out: list[Problem] = []
    units = units_of(sc)
    for bt, by_site in units.items():
        if bt == CRITICAL_CARE:
            continue
        for sid, unit in by_site.items():
            for kind in ("admissions", "planned_admissions"):
                for name, src in getattr(unit, kind).items():
                    if src.level_3_share is not None:
                        out.append(
                            (
                                ("sites", sid, "units", bt, kind, name, "level_3_share"),
                                "level of care (and nurse staffing) is modelled for critical "
                                "care units only: remove level_3_share here",
                            )
                        )
    # (a unit wrongly written under ``units.critical_care`` is not a critical care unit)
    cc = {sid: sc.sites[sid].critical_care for sid in sc.sites if sc.sites[sid].critical_care}
    if not any(u.nursing is not None for u in cc.values()):  # type: ignore[union-attr]
        if sc.policies.critical_care.nurses_shared != "site":
            out.append(
                (
                    ("policies", "critical_care", "nurses_shared"),
                    "nurses_shared pools the nurses of critical care units with `nursing`, "
                    "and no unit has any: give units their nursing, or remove nurses_shared",
                )
            )
        return out
    for sid, unit in cc.items():
        if unit.level_3_share is None:  # type: ignore[union-attr]
            out.append(
                (
                    ("sites", sid, "critical_care", "level_3_share"),
                    "critical care units have nurse staffing, so give this unit's "
                    "level_3_share: the share of its patients at level 3 (one nurse each; the "
                    "rest level 2, one nurse per two), e.g. 0.5; a stream, planned admission "
                    "or procedure may state its own",
                )
            )
    return out
