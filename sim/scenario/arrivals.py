"""How patients arrive: at a rate, with gaps drawn from a distribution, or at set times.

Every arrival stream of a scenario (a referral line, a site's emergency admissions, a
critical care unit's admission streams) says when its patients come in one of three ways:

- a **rate** (``per_week`` for referrals, ``per_day`` elsewhere): a Poisson process
  whose rate may follow the weekday and monthly profiles;
- ``interarrival``: the time between arrivals, drawn from any distribution of the
  registry (exponential is the Poisson process again; ``truncated_normal``, ``fixed``
  for evenly spaced arrivals, a ``mixture`` ...), starting from the start of the run;
- ``schedule``: arrivals at fixed times of day on given weekdays.

Weekday and monthly profiles shape a rate; with ``interarrival`` or ``schedule`` they are
refused, because a gap distribution or a timetable already says when patients come.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import (
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from .base import Spec, reraisable
from .distributions import TimeDist
from .types import WEEKDAYS, Count, MonthlyProfile, Weekday, WeekdayProfile, profile_check
from .units import Duration

#: Most arrivals a schedule may list per day (a typo guard).
MAX_SCHEDULED_PER_DAY = 1_000


class Schedule(Spec):
    """Arrivals at set times of day (after midnight) on the given weekdays."""

    times: list[Duration] = Field(min_length=1, max_length=MAX_SCHEDULED_PER_DAY)
    """Times of day, e.g. ``[8 hours, 13 hours]`` for 08:00 and 13:00."""
    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS), min_length=1)
    patients: Count = Field(default=1, ge=1, le=1_000)
    """Patients arriving at each time."""

    @field_validator("times")
    @classmethod
    def _within_a_day(cls, times: list[float]) -> list[float]:
        for t in times:
            if not 0 <= t < 1:
                raise ValueError("a scheduled time must be a time of day, from 0 min to 24 hours")
        return sorted(times)

    @field_validator("days", mode="before")
    @classmethod
    def _one_day(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v


class ArrivalPattern(Spec):
    """The fields every arrival stream shares besides its rate (see the module docstring).

    A subclass declares its rate field and names it in ``_rate_field``.
    """

    interarrival: TimeDist | None = None
    """Time between arrivals, drawn from a distribution, instead of a rate."""
    schedule: Schedule | None = None
    """Arrivals at set times of day instead of a rate."""
    weekday_profile: WeekdayProfile | None = None
    """Relative arrivals Mon..Sun (7 numbers) for a rate; scaled so the weekly mean stays."""
    monthly_profile: MonthlyProfile | None = None
    """Relative arrivals Jan..Dec (12 numbers) for a rate, e.g. a winter uplift."""

    _rate_field: ClassVar[str] = "per_day"

    _weekday = field_validator("weekday_profile")(profile_check(7, "weekday_profile"))
    _monthly = field_validator("monthly_profile")(profile_check(12, "monthly_profile"))

    @model_validator(mode="wrap")
    @classmethod
    def _one_way(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        """Exactly one of rate, gaps or schedule; profiles only with a rate.

        Checked on the raw mapping too, so that a misspelt rate (``admisions_per_day``) is
        reported both as an unknown key and as a stream with no arrivals.
        """
        try:
            model = handler(data)
        except ValidationError as exc:
            problem = cls._shape_problem(data) if isinstance(data, dict) else None
            if problem is None:
                raise
            errors = [reraisable(e) for e in exc.errors(include_url=False)]
            errors.append(
                InitErrorDetails(
                    type=PydanticCustomError("value_error", "{message}", {"message": problem}),
                    loc=(),
                    input=data,
                )
            )
            raise ValidationError.from_exception_data(cls.__name__, errors) from None
        problem = cls._shape_problem({k: getattr(model, k) for k in cls.model_fields})
        if problem is not None:
            raise ValueError(problem)
        return model

    @classmethod
    def _shape_problem(cls, given: dict[str, Any]) -> str | None:
        ways = [
            w for w in (cls._rate_field, "interarrival", "schedule") if given.get(w) is not None
        ]
        if len(ways) != 1:
            return (
                f"say how patients arrive in one way: {cls._rate_field} (a rate), "
                "interarrival (a distribution of gaps) or schedule (set times); "
                + (f"got {' and '.join(ways)}" if ways else "none is given")
            )
        profiles = [p for p in ("weekday_profile", "monthly_profile") if given.get(p) is not None]
        if profiles and ways[0] != cls._rate_field:
            return (
                f"{' and '.join(profiles)} shape a rate ({cls._rate_field}); with {ways[0]} "
                "the gaps or times already say when patients come: remove the profile, or "
                "give a rate instead"
            )
        gaps = given.get("interarrival")
        if hasattr(gaps, "mean") and gaps.mean <= 0:
            return "the time between arrivals must be longer than zero on average"
        return None

    _days_per_rate_unit: ClassVar[float] = 1.0

    @property
    def is_rate(self) -> bool:
        return getattr(self, self._rate_field, None) is not None

    @property
    def mean_per_day(self) -> float:
        """Long-run average arrivals a day, however they are given (profiles keep the mean)."""
        rate = getattr(self, self._rate_field, None)
        if rate is not None:
            return rate / self._days_per_rate_unit
        if self.interarrival is not None:
            return 1.0 / self.interarrival.mean
        s = self.schedule
        return len(s.times) * s.patients * len(s.days) / 7.0
