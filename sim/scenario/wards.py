"""Ward beds: general beds shared with emergencies, ring-fenced elective beds (scenario data)."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from .base import Spec
from .calendar import BedChange, check_bed_changes
from .distributions import TimeDist
from .types import MAX_BEDS, Count, Probability
from .units import NonNegativeDuration


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

    _dated = field_validator("changes")(check_bed_changes)

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
