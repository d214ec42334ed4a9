"""Assumptions as part of the scenario: values a planner is unsure of, with a plausible range.

An ``assumptions:`` block names values anywhere in the scenario by their dotted path, with
the low and high ends of what is plausible and why (a source, or the reasoning)::

    assumptions:
      sites.cannock.beds.elective:
        low: 20
        high: 40
        why: "assumption: sized for ~70% occupancy of the hub's inpatient load"
      hub_beds:                              # a name, for several values moved together
        paths: [sites.cannock.beds.elective, sites.sandwell.beds.elective]
        low: 20
        high: 40
        why: ...
      emergency_admissions:                  # low/high as multiples of each value
        paths: [sites.mmuh.emergency.admissions_per_day, ...]
        relative: true
        low: 0.9
        high: 1.1
        why: ...

Each path must lead to a number (or a duration) in the checked scenario; a wrong step is
reported with the names that would fit ("did you mean ..."). The scenario's own value must
lie in its range. ``hubsim sensitivity`` moves each assumption to its low and high end in
turn (one-way sensitivity); :func:`assumption_overrides` gives the values to set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, Field, model_validator

from .base import Spec
from .errors import Problem, did_you_mean
from .units import format_duration, parse_duration

if TYPE_CHECKING:
    from .schema import Scenario


END_BOUND = 1e9
"""Largest size of a range end: any value a scenario can hold is far inside it."""
End = (
    Annotated[int, Field(ge=-END_BOUND, le=END_BOUND)]
    | Annotated[float, Field(ge=-END_BOUND, le=END_BOUND)]
    | str
)


class Assumption(Spec):
    """A value (or values moved together) the planner is unsure of: its plausible range and why."""

    paths: list[str] | None = Field(
        default=None,
        min_length=1,
        description="Dotted paths of the values this assumption moves together (default: the "
        "assumption's own name, itself a dotted path such as sites.cannock.beds.elective).",
    )
    low: End = Field(
        description="Low end of the plausible range: a number, or a duration such as '4 days' "
        "(with relative: true, a multiple of each value, e.g. 0.9)."
    )
    high: End = Field(description="High end of the plausible range, as ``low``.")
    relative: bool = Field(
        default=False,
        description="low and high multiply each path's own value (e.g. 0.9 and 1.1 for +-10%).",
    )
    why: str = Field(
        min_length=1,
        description="Where the range comes from: a source, or 'assumption' with the reasoning.",
    )
    label: str | None = Field(
        default=None, description="A short name for charts (default: the assumption's key)."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Assumption:
        low, high = _number(self.low), _number(self.high)
        if low is not None and high is not None and not low < high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.relative and (isinstance(self.low, str) or isinstance(self.high, str)):
            raise ValueError("with relative: true, low and high are multiples such as 0.9 and 1.1")
        return self


def _number(v: int | float | str) -> float | None:
    """A range end as a number (durations in days), or None if it is neither."""
    if isinstance(v, int | float):
        return float(v)
    try:
        return parse_duration(v)
    except ValueError:
        return None


def paths_of(key: str, a: Assumption) -> list[str]:
    return list(a.paths) if a.paths else [key]


def _children(node: Any) -> dict[str, Any] | None:
    """What one step of a path can lead to from ``node``: field names (as written in the
    YAML, aliases first), mapping keys or list indices; None for a plain value."""
    if isinstance(node, BaseModel):
        out = {}
        for name, field in type(node).model_fields.items():
            out[field.alias if isinstance(field.alias, str) else name] = getattr(node, name)
        return out
    if isinstance(node, dict):
        return {str(k): v for k, v in node.items()}
    if isinstance(node, list | tuple):
        return {str(i): v for i, v in enumerate(node)}
    return None


def value_at(sc: Scenario, path: str) -> tuple[Any, str | None]:
    """(the value at a dotted path, None), or (None, why the path leads nowhere)."""
    node: Any = sc
    done: list[str] = []
    for part in path.split("."):
        kids = _children(node)
        where = ".".join(done) or "the scenario"
        if kids is None:
            return None, f"{where} is a single value, with nothing named {part!r} inside it"
        if part not in kids or (kids[part] is None and not isinstance(node, BaseModel)):
            close = did_you_mean(part, list(kids))
            hint = f"; did you mean {close!r}?" if close else ""
            listing = ", ".join(list(kids)[:20]) or "nothing"
            return None, (f"{path}: {where} has no {part!r}{hint} (it has: {listing})")
        node = kids[part]
        done.append(part)
        if node is None:
            return None, f"{path}: {'.'.join(done)} is not set in this scenario"
    return node, None


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def reference_problems(sc: Scenario) -> list[Problem]:
    """Every assumption's paths lead to numbers, and the scenario's values lie in the range."""
    out: list[Problem] = []
    for key, a in sc.assumptions.items():
        loc = ("assumptions", key)
        for path in paths_of(key, a):
            value, why = value_at(sc, path)
            if why is not None:
                out.append((loc + (("paths",) if a.paths else ()), why))
                continue
            if not _is_number(value):
                out.append((loc, f"{path} is {value!r}, not a number or a duration: an "
                                 "assumption's range needs a number to move"))  # fmt: skip
                continue
            if a.relative:  # low and high are multiples of the value
                low, high, value = float(a.low), float(a.high), 1.0  # type: ignore[arg-type]
            else:
                low, high = _number(a.low), _number(a.high)
            if low is None or high is None:
                out.append((loc, f"low and high must be numbers or durations, not {a.low!r} "
                                 f"and {a.high!r}"))  # fmt: skip
            elif not low <= value <= high:
                shown_value = "1 (the value itself)" if a.relative else repr(value)
                out.append((loc, f"the scenario's value of {path}, {shown_value}, is outside "
                                 f"its range {a.low} to {a.high}"))  # fmt: skip
    return out


def assumption_overrides(sc: Scenario, key: str, end: str) -> dict[str, Any]:
    """Dotted path -> value that puts assumption ``key`` at its ``end`` ('low' or 'high'),
    ready for :func:`sim.scenario.load.apply_overrides`."""
    a = sc.assumptions[key]
    target = a.low if end == "low" else a.high
    out: dict[str, Any] = {}
    for path in paths_of(key, a):
        value, _ = value_at(sc, path)
        if a.relative:
            new = float(value) * float(target)
            if isinstance(value, int):
                new = round(new)
            out[path] = _as_written(sc, path, new)
        else:
            out[path] = target
    return out


def _as_written(sc: Scenario, path: str, value: float) -> Any:
    """A moved value as the scenario file would write it (a duration with its unit)."""
    node: Any = sc.model_dump(mode="json", by_alias=True)  # as the file would write it
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return format_duration(value) if isinstance(node, str) else value
