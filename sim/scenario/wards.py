"""Ward beds: general beds shared with emergencies, ring-fenced elective beds (scenario data)."""

from __future__ import annotations

from pydantic import Field, model_validator

from .base import Spec
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

    @model_validator(mode="after")
    def _some_beds(self) -> Beds:
        if self.general + self.elective <= 0:
            raise ValueError("a site's beds must include at least one general or elective bed")
        return self
