"""Emergency admissions competing for a site's general beds (scenario data)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from .arrivals import ArrivalPattern
from .distributions import TimeDist
from .wards import DelayedDischarge

if TYPE_CHECKING:
    from .errors import Problem
    from .schema import Scenario


class Emergency(ArrivalPattern):
    """Emergency admissions at a site, competing for its general beds: a rate, or gaps
    drawn from a distribution, or set times (see :mod:`.arrivals`)."""

    _rate_field: ClassVar[str] = "admissions_per_day"

    admissions_per_day: float | None = Field(default=None, gt=0, le=10_000)
    length_of_stay: TimeDist
    delayed_discharge: DelayedDischarge | None = None
    when_full: Literal["queue", "divert"] = "queue"
    """No free bed: wait for one (in the emergency department) or go to another hospital."""


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
