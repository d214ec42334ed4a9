"""Durations with units, as planners write them: ``95 min``, ``3 days``, ``18 weeks``.

The simulation clock counts **days** (a float), so every duration in a scenario is
converted to days when the file is read. A bare number is refused: ``3`` could mean
minutes, hours or days, and guessing would silently change the answer.
"""

from __future__ import annotations

import math
import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, WithJsonSchema

from sim.text import shown

#: How many days one of each unit is.
UNIT_DAYS: dict[str, float] = {
    "min": 1 / 1440,
    "minute": 1 / 1440,
    "minutes": 1 / 1440,
    "mins": 1 / 1440,
    "h": 1 / 24,
    "hour": 1 / 24,
    "hours": 1 / 24,
    "hr": 1 / 24,
    "hrs": 1 / 24,
    "day": 1.0,
    "days": 1.0,
    "d": 1.0,
    "week": 7.0,
    "weeks": 7.0,
    "wk": 7.0,
    "wks": 7.0,
    "w": 7.0,
    "year": 365.0,
    "years": 365.0,
}

#: Longest duration a scenario may give (a typo guard; the horizon itself is at most 50 years).
MAX_DURATION_DAYS = 1000 * 365.0

_DURATION_RE = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?|[-+]?\.\d+)\s*([A-Za-z]+)\s*$")


def parse_duration(value: object) -> float:
    """Convert ``"95 min"`` / ``"3 days"`` / ``"18 weeks"`` to days."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration with a unit such as '3 days', got {value!r}")
    if isinstance(value, int | float):
        raise ValueError(
            f"a duration needs a unit: write e.g. '{value} min', '{value} hours' or "
            f"'{value} days', not {value!r}"
        )
    if not isinstance(value, str):
        raise ValueError(f"expected a duration such as '95 min' or '3 days', got {value!r}")
    match = _DURATION_RE.match(value)
    if not match:
        raise ValueError(
            "expected a duration such as '95 min', '4 hours', '3 days' or '18 weeks', "
            f"got {value!r}"
        )
    number, unit = match.groups()
    factor = UNIT_DAYS.get(unit.lower())
    if factor is None:
        raise ValueError(f"unknown time unit {unit!r} in {value!r}; use min, hours, days or weeks")
    days = float(number) * factor
    if not abs(days) <= MAX_DURATION_DAYS:  # also catches a number too long to be finite
        raise ValueError(
            f"a duration longer than 1,000 years is almost certainly a typo, got {shown(value)}"
        )
    return days


def describe_duration(days: float, up: bool = False) -> str:
    """A duration in the most readable unit with three significant figures, for messages
    (``0.0001 min``, ``2.5 hours``, ``8 weeks``); ``up`` rounds up, for a suggested bound."""
    for unit, size in (("weeks", 7.0), ("days", 1.0), ("hours", 1 / 24), ("min", 1 / 1440)):
        if days >= (14.0 if unit == "weeks" else size) or unit == "min":
            x = days / size
            if up and x > 0:
                step = 10 ** (math.floor(math.log10(x)) - 2)
                x = math.ceil(x / step - 1e-9) * step
            return f"{x:.3g} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def format_duration(days: float) -> str:
    """Render days back in the most readable unit (used when saving a resolved scenario)."""
    if days < 0:
        return "-" + format_duration(-days)
    minutes = days * 1440
    if abs(minutes - round(minutes)) < 1e-6 and minutes < 24 * 60 and minutes % 60:
        return f"{round(minutes)} min"
    hours = days * 24
    if abs(hours - round(hours)) < 1e-6 and hours < 24:
        return f"{round(hours)} hours"
    weeks = days / 7
    if days >= 7 and abs(weeks - round(weeks)) < 1e-9:
        return f"{round(weeks)} weeks"
    return f"{days!r} days"


# -- the input shape, for the JSON Schema of scenario files (``hubsim schema``) -----------------


def _any_case(words: list[str]) -> str:
    """A regex matching exactly ``words`` in any letter case, as the loader does.

    JSON Schema patterns have no case-insensitive flag, so each letter is a class, and the
    words share their beginnings (a trie): ``d``, ``day``, ``days`` give ``[dD]([aA][yY][sS]?)?``.
    """
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word.lower():
            node = node.setdefault(char, {})
        node[""] = {}

    def regex(node: dict[str, dict]) -> str:
        parts = [f"[{c}{c.upper()}]" + regex(child) for c, child in sorted(node.items()) if c]
        if not parts:
            return ""
        if "" not in node:
            return parts[0] if len(parts) == 1 else "(" + "|".join(parts) + ")"
        one_letter = len(parts) == 1 and re.fullmatch(r"\[..\]", parts[0])
        return (parts[0] if one_letter else "(" + "|".join(parts) + ")") + "?"

    return regex(trie)


_UNIT = _any_case(list(UNIT_DAYS))
_NUMBER = r"(\d+(\.\d*)?|\.\d+)"
_ZERO = r"(0+(\.0*)?|\.0+)"


def _duration_schema(number: str, which: str) -> dict[str, object]:
    """A duration as planners write it: text with a unit (a bare number is refused)."""
    return {
        "type": "string",
        "pattern": rf"^\s*{number}\s*{_UNIT}\s*$",
        # VS Code's YAML extension shows this instead of the pattern itself.
        "patternErrorMessage": (
            f"expected {which} with a unit, such as '95 min', '4 hours', '3 days' or "
            "'18 weeks' (a bare number is refused: minutes, hours or days?)"
        ),
        "examples": ["95 min", "4 hours", "3 days", "18 weeks"],
    }


#: A duration read from YAML, held in days.
Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(_duration_schema(rf"[-+]?{_NUMBER}", "a duration")),
]


def _non_negative(days: float) -> float:
    if days < 0:
        raise ValueError(f"a duration cannot be negative (got {format_duration(days)})")
    return days


def _positive(days: float) -> float:
    if days <= 0:
        raise ValueError("a duration must be longer than zero")
    return days


#: A duration of zero or more (``-0 min`` is zero too).
NonNegativeDuration = Annotated[
    Duration,
    AfterValidator(_non_negative),
    WithJsonSchema(_duration_schema(rf"(\+?{_NUMBER}|-{_ZERO})", "a duration of zero or more")),
]
#: A duration longer than zero (at least one digit is not 0).
PositiveDuration = Annotated[
    Duration,
    AfterValidator(_positive),
    WithJsonSchema(
        _duration_schema(rf"\+?(?=[\d.]*[1-9]){_NUMBER}", "a duration longer than zero")
    ),
]
