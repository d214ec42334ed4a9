"""Emergency admissions competing for a site's general beds (scenario data)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator

from .base import Spec
from .distributions import TimeDist
from .types import MonthlyProfile, WeekdayProfile, profile_check
from .wards import DelayedDischarge

if TYPE_CHECKING:
    from .errors import Problem
    from .schema import Scenario


class Emergency(Spec):
    """Emergency admissions at a site, competing for its general beds."""

    admissions_per_day: float = Field(gt=0, le=10_000)
    weekday_profile: WeekdayProfile | None = None
    """Relative admissions Mon..Sun (7 numbers); scaled so the weekly mean stays as given."""
    monthly_profile: MonthlyProfile | None = None
    """Relative admissions Jan..Dec (12 numbers), e.g. a winter uplift; mean-preserving."""
    length_of_stay: TimeDist
    delayed_discharge: DelayedDischarge | None = None
    when_full: Literal["queue", "divert"] = "queue"
    """No free bed: wait for one (in the emergency department) or go to another hospital."""

    _weekday = field_validator("weekday_profile")(profile_check(7, "weekday_profile"))
    _monthly = field_validator("monthly_profile")(profile_check(12, "monthly_profile"))


def reference_problems(sc: Scenario) -> list[Problem]:
    """Emergency admissions need general beds they can use."""
    out: list[Problem] = []
    for sid, site in sc.sites.items():
        if site.emergency is None:
            continue
        if site.beds is None:
            out.append(
                (
                    ("sites", sid, "emergency"),
                    "emergency admissions need beds: add 'beds' to this site",
                )
            )
        elif site.beds.general == 0 and sc.policies.ring_fence_elective_beds:
            out.append(
                (
                    ("sites", sid, "emergency"),
                    "emergency admissions need general beds, but this site has none and its "
                    "elective beds are ring-fenced (policies.ring_fence_elective_beds)",
                )
            )
    return out
