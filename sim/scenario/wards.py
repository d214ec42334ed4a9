"""Ward beds: general beds shared with emergencies, ring-fenced elective beds, when beds
free in the day, and whether elective patients wait for one on the day (scenario data)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from .base import Spec
from .calendar import BedChange, check_bed_changes
from .distributions import TimeDist
from .types import MAX_BEDS, Count, Probability, Weight, profile_check, profile_schema
from .units import Duration, NonNegativeDuration

#: Relative discharges in each hour of the day, 00:00-01:00 ... 23:00-24:00 (24 numbers).
HourlyProfile = Annotated[list[Weight], profile_schema(24)]


class DelayedDischarge(Spec):
    """Patients medically fit to leave but waiting for care elsewhere keep their bed longer."""

    probability: Probability
    extra: TimeDist


class Beds(Spec):
    """Ward beds at a site: general beds (shared with emergencies) and ring-fenced elective beds."""

    general: Count = Field(default=0, ge=0, le=MAX_BEDS)
    elective: Count = Field(default=0, ge=0, le=MAX_BEDS)
    """Beds kept for elective surgery: emergencies never use them while they are ring-fenced."""
    turnaround: NonNegativeDuration = 0.0
    """A bed is unavailable for this long after each discharge (cleaning, making up)."""
    changes: list[BedChange] = Field(default_factory=list)
    """Bed counts from later dates: a ward opening, closing or changing size, e.g. ``[{date:
    2026-01-05, general: 20}]``. Patients in beds when the count falls stay until they leave;
    no one is admitted to that pool until it is below its new count."""
    discharge_profile: HourlyProfile | None = None
    """When in the day patients leave: relative discharges in each hour, 00:00-01:00 to
    23:00-24:00 (24 numbers, e.g. most in the afternoon). The length of stay decides the
    day a patient leaves, the profile the time (never before they were admitted); none
    (default): they leave when their stay ends, at any hour."""

    _dated = field_validator("changes")(check_bed_changes)
    _hours = field_validator("discharge_profile")(profile_check(24, "discharge_profile"))

    @model_validator(mode="after")
    def _some_beds(self) -> Beds:
        counts = [(self.general, self.elective)]
        for c in self.changes:
            g, e = counts[-1]
            counts.append((g if c.general is None else c.general,
                           e if c.elective is None else c.elective))  # fmt: skip
        if all(g + e <= 0 for g, e in counts):
            raise ValueError("a site's beds must include at least one general or elective bed")
        return self

    @property
    def most(self) -> tuple[int, int]:
        """The most general and elective beds the site ever has."""
        g, e = self.general, self.elective
        for c in self.changes:
            g = max(g, c.general or 0)
            e = max(e, c.elective or 0)
        return g, e


class WaitForBed(Spec):
    """Elective inpatients who find no bed on the morning of surgery wait for one (in the
    admissions lounge) until a cut-off, instead of being cancelled at once."""

    until: Duration | None = None
    """Cut-off as a time of day, e.g. ``12 hours`` (noon): still without a bed then, the
    operation is cancelled (no bed). Give this or ``max_wait``."""
    max_wait: TimeDist | None = None
    """Cut-off as a wait drawn for each patient, e.g. ``{dist: uniform, low: 2 hours, high:
    5 hours}``. Give this or ``until``."""
    order: Literal["list_order", "shortest_stay", "priority"] = "list_order"
    """Which waiting patient takes a freed bed: the first on the theatre lists (in the
    order they came, and in list order within a list), the shortest expected stay (the
    procedure's mean, delayed discharge included), or the most urgent clinical priority;
    ties in list order."""
    freed_beds: Literal["emergencies_first", "electives_first", "first_come_first_served"] = (
        "emergencies_first"
    )
    """Who takes a freed bed both could use: emergency patients waiting for one first (as
    without this policy), waiting elective patients first, or whoever has waited longer."""

    @field_validator("until")
    @classmethod
    def _time_of_day(cls, v: float | None) -> float | None:
        if v is not None and not 0 <= v < 1:
            raise ValueError("the cut-off must be a time of day, from 0 min to 24 hours")
        return v

    @field_validator("max_wait")
    @classmethod
    def _some_wait(cls, v: TimeDist | None) -> TimeDist | None:
        if v is not None and v.mean <= 0:
            raise ValueError("the longest wait for a bed must be longer than zero on average")
        return v

    @model_validator(mode="after")
    def _one_cutoff(self) -> WaitForBed:
        if (self.until is None) == (self.max_wait is None):
            raise ValueError(
                "give the cut-off in one way: until (a time of day, e.g. 12 hours) or "
                "max_wait (a wait drawn for each patient)"
            )
        return self
