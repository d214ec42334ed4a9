"""Small types shared by every part of a scenario: counts, probabilities, names, profiles.

Data only, like the rest of ``sim.scenario``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, WithJsonSchema

Probability = Annotated[float, Field(ge=0.0, le=1.0)]


#: A whole number written as one (``yes``/``true`` is not a count of beds).
Count = Annotated[int, Field(strict=True)]


#: Upper bounds that catch typos (``general: 20000000``) before a run tries to honour them.
MAX_BEDS = 10_000


MAX_THEATRES = 100


MAX_BACKLOG = 1_000_000


#: Members of one staff group based at one site.
MAX_STAFF = 10_000


#: Members of one staff group one session needs.
MAX_TEAM = 100


#: Largest relative weight (profiles, empirical weights): only ratios matter, and a bound
#: keeps sums far from overflowing.
MAX_WEIGHT = 1e9


#: A relative weight: zero or more, at most `MAX_WEIGHT`.
Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT)]


Priority = Literal["P1", "P2", "P3", "P4"]


PRIORITIES: tuple[str, ...] = ("P1", "P2", "P3", "P4")


Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


Slot = Literal["AM", "PM", "all_day", "evening"]


Ident = Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_\-]+$")]


def profile_schema(length: int) -> WithJsonSchema:
    """A profile's input shape: exactly ``length`` numbers, none negative, not all zero."""
    return WithJsonSchema(
        {
            "type": "array",
            "items": {"type": "number", "minimum": 0, "maximum": MAX_WEIGHT},
            "minItems": length,
            "maxItems": length,
            "contains": {"type": "number", "exclusiveMinimum": 0},
        }
    )


#: Relative rates Mon..Sun (7 numbers).
WeekdayProfile = Annotated[list[Weight], profile_schema(7)]


#: Relative rates Jan..Dec (12 numbers).
MonthlyProfile = Annotated[list[Weight], profile_schema(12)]


#: Referrals a week for one procedure at one site.
PerWeek = Annotated[float, Field(ge=0, le=100_000)]


def profile_check(length: int, what: str):
    def check(values: list[float] | None) -> list[float] | None:
        if values is None:
            return None
        if len(values) != length:
            raise ValueError(f"{what} needs exactly {length} numbers, got {len(values)}")
        if any(v < 0 for v in values):
            raise ValueError(f"{what} cannot contain negative numbers")
        if sum(values) <= 0:
            raise ValueError(f"{what} cannot be all zeros")
        return values

    return check


def check_shares(mix: dict | None, what: str, labels: str) -> dict | None:
    """A mix of shares (priorities, quintiles, ...) must add up to 1."""
    if mix is None:
        return None
    if not mix:
        raise ValueError(f"the {what} is empty: give shares of {labels} that add up to 1")
    total = sum(mix.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(
            f"the {what} must add up to 1 (100%), but "
            f"{' + '.join(f'{v:g}' for v in mix.values())} = {total:g}"
        )
    return mix


def check_priority_mix(mix: dict[str, float] | None) -> dict[str, float] | None:
    return check_shares(mix, "priority mix", "P1-P4")
