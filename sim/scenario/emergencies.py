"""Emergency admissions competing for a site's general beds (scenario data).

A site's emergency demand is one stream (a rate, gaps or set times, with one length of
stay), or several named streams (``streams: {ae: ..., gp: ...}``: A&E, GP referrals,
other hospitals ...), each with its own arrival pattern and length of stay; KPIs are
then also reported per stream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field, ModelWrapValidatorHandler, ValidationError, model_validator
from pydantic_core import InitErrorDetails

from .arrivals import ArrivalPattern
from .distributions import TimeDist
from .types import Ident
from .wards import DelayedDischarge

if TYPE_CHECKING:
    from .errors import Problem
    from .schema import Scenario

#: Most named emergency streams a site may have (a typo guard).
MAX_EMERGENCY_STREAMS = 50


class EmergencyStream(ArrivalPattern):
    """One named source of a site's emergency admissions (e.g. A&E, GP referrals): a rate,
    or gaps drawn from a distribution, or set times (see :mod:`.arrivals`), and the stay
    of its patients."""

    _rate_field: ClassVar[str] = "admissions_per_day"

    admissions_per_day: float | None = Field(default=None, gt=0, le=10_000)
    """Mean admissions a day from this source, e.g. ``6.5``."""
    length_of_stay: TimeDist
    """Ward stay of this source's patients, e.g. ``{dist: lognormal, mean: 5 days, sd: 4 days}``."""
    delayed_discharge: DelayedDischarge | None = None
    """Extra days some of this source's patients stay, medically fit but waiting for care."""


class Emergency(ArrivalPattern):
    """Emergency admissions at a site, competing for its general beds: one stream (a rate,
    or gaps drawn from a distribution, or set times, see :mod:`.arrivals`, with one length
    of stay), or several named ``streams``."""

    _rate_field: ClassVar[str] = "admissions_per_day"

    admissions_per_day: float | None = Field(default=None, gt=0, le=10_000)
    length_of_stay: TimeDist | None = None
    """Ward stay (required unless the admissions come as ``streams``)."""
    delayed_discharge: DelayedDischarge | None = None
    when_full: Literal["queue", "divert"] = "queue"
    """No free bed: wait for one (in the emergency department) or go to another hospital."""
    streams: dict[Ident, EmergencyStream] | None = Field(
        default=None, min_length=1, max_length=MAX_EMERGENCY_STREAMS
    )
    """Several named sources instead of one stream, each with its own arrivals and stay, e.g.
    ``{ae: {admissions_per_day: 8, length_of_stay: 5 days}, gp: {admissions_per_day: 2,
    length_of_stay: 3 days}}``; KPIs are also reported per source (``emergency_arrivals_ae``)."""

    @classmethod
    def _shape_problem(cls, given: dict[str, Any]) -> str | None:
        if given.get("streams"):
            own = [
                k
                for k in (cls._rate_field, "interarrival", "schedule", "weekday_profile",
                          "monthly_profile", "length_of_stay", "delayed_discharge")
                if given.get(k) is not None
            ]  # fmt: skip
            if own:
                return (
                    "with streams, each stream says how its patients arrive and how long they "
                    f"stay: move {', '.join(own)} into the streams"
                )
            return None
        problem = super()._shape_problem(given)
        if problem is not None and problem.endswith("none is given"):
            return problem + ", nor several named streams"
        return problem

    @model_validator(mode="wrap")
    @classmethod
    def _one_stay(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        """One stream needs its length of stay, reported like any missing field."""
        model = handler(data)
        if model.streams is None and model.length_of_stay is None:
            missing = InitErrorDetails(type="missing", loc=("length_of_stay",), input=data)
            raise ValidationError.from_exception_data(cls.__name__, [missing]) from None
        return model

    @property
    def mean_per_day(self) -> float:
        """Long-run average admissions a day, over all streams."""
        if self.streams:
            return sum(s.mean_per_day for s in self.streams.values())
        return super().mean_per_day


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
