"""Calendars that change: bank holidays, theatre weeks closed for leave, industrial action,
and the dated changes of a theatre or a ward (scenario data).

The scenario's ``calendar`` section holds what applies to every site:

- ``bank_holidays``: the region whose bank holidays the run keeps (``england_and_wales``,
  ``scotland``, ``northern_ireland``; none by default). The dates come from the maintained
  ``holidays`` library, one-off holidays (a coronation, a state funeral) included. Theatre
  sessions do not run on them, and elective referrals that day follow
  ``referrals_on_bank_holidays``.
- ``working_weeks`` or ``closed_weeks``: theatre weeks closed for leave (Monday to Sunday).
- ``industrial_action``: days on which a share of sessions is lost.

A theatre may override the weeks and bank holidays, open and close on dates and ramp up
(:class:`Opening`); a session plan may run in some weeks of a cycle (fortnightly); a site's
beds may change on dates (:class:`BedChange`). Dates are written ``YYYY-MM-DD``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from .base import Spec
from .errors import unknown
from .types import MAX_BEDS, Count, Ident

if TYPE_CHECKING:
    from .errors import Problem
    from .schema import Scenario

#: The regions whose bank holidays a scenario may keep, and their code in ``holidays``
#: (England and Wales share their bank holidays).
BANK_HOLIDAY_REGIONS: dict[str, str] = {
    "england_and_wales": "ENG",
    "scotland": "SCT",
    "northern_ireland": "NIR",
}

#: Years a date may fall in (a typo guard: 2205 for 2025).
FIRST_YEAR, LAST_YEAR = 1950, 2150

#: Fewest theatre working weeks a year ``working_weeks`` may ask for: the closed weeks are the
#: Christmas fortnight and up to 6 summer weeks.
MIN_WORKING_WEEKS = 44


def _plausible(day: dt.date) -> dt.date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(
            f"the date {day.isoformat()} is outside {FIRST_YEAR}-{LAST_YEAR}: is the year a typo?"
        )
    return day


#: A calendar date, written ``YYYY-MM-DD``.
Date = Annotated[dt.date, AfterValidator(_plausible)]

#: Theatre working weeks a year.
WorkingWeeks = Annotated[int, Field(strict=True, ge=MIN_WORKING_WEEKS, le=52)]


def monday_of(day: dt.date) -> dt.date:
    """The Monday of the week (Monday to Sunday) holding ``day``."""
    return day - dt.timedelta(days=day.weekday())


def _distinct_sorted(dates: list[dt.date]) -> list[dt.date]:
    if len(set(dates)) != len(dates):
        twice = sorted({d for d in dates if dates.count(d) > 1})
        raise ValueError(f"{twice[0].isoformat()} is listed twice")
    return sorted(dates)


class TheatreWeeks(Spec):
    """Theatre weeks closed for leave: ``working_weeks`` a year by the stated rule, or the
    ``closed_weeks`` named. Shared by the calendar (every theatre) and one theatre's override."""

    working_weeks: WorkingWeeks | None = None
    """Theatre weeks worked a year, e.g. ``48``. The 52 - N closed weeks of each calendar year
    are, in this order, the weeks (Monday to Sunday) containing 25 December and 1 January (the
    Christmas fortnight), then consecutive weeks from the first Monday of August."""
    closed_weeks: Annotated[list[Date], AfterValidator(_distinct_sorted)] = Field(
        default_factory=list
    )
    """Weeks closed for leave, each named by any date in it (the Monday-to-Sunday week that
    holds it closes), e.g. ``[2025-12-22, 2025-12-29]``."""

    @model_validator(mode="after")
    def _one_way(self) -> TheatreWeeks:
        if self.working_weeks is not None and self.closed_weeks:
            raise ValueError(
                "give either working_weeks (closed weeks spread by the rule) or closed_weeks "
                "(the weeks named), not both"
            )
        return self

    @property
    def given(self) -> bool:
        return self.working_weeks is not None or bool(self.closed_weeks)


class IndustrialAction(Spec):
    """Days of industrial action: a share of the theatre sessions those days is lost.

    Lost sessions are known in advance: they are not booked (their patients stay on the
    list) and are counted in ``sessions_lost_industrial_action``.
    """

    dates: Annotated[list[Date], AfterValidator(_distinct_sorted)] = Field(min_length=1)
    """The days of action, e.g. ``[2025-06-10, 2025-06-11]``."""
    share_of_sessions: float = Field(default=1.0, gt=0.0, le=1.0)
    """Chance that each affected session is lost (drawn session by session), e.g. ``0.6``."""
    sites: list[Ident] | None = None
    """Sites affected (default: every site)."""
    specialties: list[Ident] | None = None
    """Specialties affected (default: every specialty)."""


class Calendar(TheatreWeeks):
    """Bank holidays, theatre weeks closed for leave and industrial action, for every site."""

    bank_holidays: Literal["england_and_wales", "scotland", "northern_ireland"] | None = None
    """The region whose bank holidays theatres close on, e.g. ``england_and_wales``; none by
    default. Dates from the ``holidays`` library."""
    referrals_on_bank_holidays: Literal["weekend"] | Annotated[float, Field(ge=0.0, le=10.0)] = (
        "weekend"
    )
    """Rate of elective referrals (given by a rate) on a weekday that is a bank holiday:
    ``weekend`` (the mean of the Saturday and Sunday rates of the weekday profile, so none
    with the default Monday-to-Friday profile), or a factor of that weekday's rate, e.g.
    ``0.3``. Referrals given by gaps or set times are not changed."""
    industrial_action: list[IndustrialAction] = Field(default_factory=list)
    """Days of industrial action with the sessions lost."""

    @field_validator(
        "bank_holidays",
        mode="before",
        json_schema_input_type=Literal["england_and_wales", "scotland", "northern_ireland", "none"]
        | None,
    )
    @classmethod
    def _none(cls, v: object) -> object:
        return None if isinstance(v, str) and v.lower() == "none" else v


class RampStep(Spec):
    """A share of a theatre's sessions run, for some weeks after it opens."""

    weeks: Count = Field(ge=1, le=104)
    """How many weeks this step lasts, e.g. ``4``."""
    share: float = Field(gt=0.0, le=1.0)
    """Share of the sessions that run (spread evenly through them), e.g. ``0.5``."""


class Opening(Spec):
    """When a theatre runs: from ``opens`` (ramping up) until ``closes``."""

    opens: Date | None = None
    """First day the theatre runs (default: from the start of the run)."""
    closes: Date | None = None
    """First day it no longer runs (default: it stays open)."""
    ramp_up: list[RampStep] = Field(default_factory=list)
    """Steps after opening (or the start of the run), in order, e.g. ``[{weeks: 4, share:
    0.5}]``: half the sessions run in the first 4 weeks, all of them afterwards."""

    @field_validator("ramp_up", mode="before", json_schema_input_type=RampStep | list[RampStep])
    @classmethod
    def _one_step(cls, v: object) -> object:
        return [v] if isinstance(v, dict) else v

    @model_validator(mode="after")
    def _in_order(self) -> Opening:
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValueError(
                f"closes ({self.closes.isoformat()}) must be after opens ({self.opens.isoformat()})"
            )
        return self


class BedChange(Spec):
    """A site's bed count from a date: a ward opening, closing or changing size."""

    date: Date
    """The day the change takes effect (at midnight), e.g. ``2026-01-05``."""
    general: Count | None = Field(default=None, ge=0, le=MAX_BEDS)
    """General beds from that day (default: unchanged)."""
    elective: Count | None = Field(default=None, ge=0, le=MAX_BEDS)
    """Ring-fenced elective beds from that day (default: unchanged)."""

    @model_validator(mode="after")
    def _changes_something(self) -> BedChange:
        if self.general is None and self.elective is None:
            raise ValueError("a bed change must give general or elective beds (or both)")
        return self


def check_bed_changes(changes: list[BedChange]) -> list[BedChange]:
    """Bed changes are on distinct days; kept in date order."""
    _distinct_sorted([c.date for c in changes])
    return sorted(changes, key=lambda c: c.date)


def reference_problems(sc: Scenario) -> list[Problem]:
    """Industrial action names real sites and specialties."""
    out: list[Problem] = []
    specialties = sorted({p.specialty for p in sc.procedures.values()})
    for i, action in enumerate(sc.calendar.industrial_action):
        base = ("calendar", "industrial_action", i)
        for j, sid in enumerate(action.sites or []):
            if sid not in sc.sites:
                out.append(((*base, "sites", j), unknown("site", sid, list(sc.sites))))
        for j, spec in enumerate(action.specialties or []):
            if spec not in specialties:
                out.append(((*base, "specialties", j), unknown("specialty", spec, specialties)))
    return out
