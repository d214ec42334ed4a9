"""Checking scenario data: every problem at once, in the planner's words, the backlog CSV read.

:func:`check_scenario` is what :func:`sim.scenario.load.validate_scenario` and
``Scenario.with_values`` both run, so a scenario changed in code gets the messages a file
gets. It takes the scenario class as an argument, so the schema can call it without an
import cycle.
"""

from __future__ import annotations

import copy
import json
from typing import Any, TypeVar

from pydantic import ValidationError

from .backlog_csv import read_backlog_csv
from .base import Spec
from .errors import did_you_mean, reference_problems_placed, scenario_error, validation_problems
from .references import ScenarioReferenceError
from .yamlio import LoadedYaml

S = TypeVar("S", bound=Spec)

CSV_KEY = ("initial_waiting_list", "csv")


def check_scenario(model: type[S], data: dict[str, Any], loaded: LoadedYaml | None = None) -> S:
    """Check scenario data against ``model`` (the ``Scenario`` class) and return it, frozen.

    Every problem is reported at once: fields that are wrong, and names that refer to
    nothing elsewhere in the file (as far as they can be checked despite the wrong fields).
    """
    try:
        scenario = model.model_validate(data)
    except ValidationError as err:
        problems = validation_problems(err, loaded, data=data)
        problems += reference_problems_placed(_references_despite(model, err, data), loaded)
        raise scenario_error(problems, loaded) from None
    except ScenarioReferenceError as err:
        raise scenario_error(reference_problems_placed(err.problems, loaded), loaded) from None
    problems = backlog_problems(scenario)
    if problems:
        raise scenario_error(reference_problems_placed(problems, loaded), loaded)
    return scenario


def _references_despite(
    model: type[Spec], err: ValidationError, data: Any
) -> list[tuple[Any, str]]:
    """Reference problems in ``data`` beside the field problems of ``err``, best effort.

    The fields in error are repaired as the messages suggest (a misspelt key gets the
    spelling the message offers) or left out, and the repaired data is checked again.
    Only problems outside what was repaired are kept (a value left out leaves its whole
    site, procedure or rule unjudged), and names whose definitions were left out are not
    reported as unknown. If the repair does not validate (a required
    field is missing, say), nothing more is reported.
    """
    if not isinstance(data, dict):
        return []
    try:
        return _repair_and_check(model, err, data)
    except Exception:  # noqa: BLE001 - a best effort beside the field problems, never instead
        return []


def _repair_and_check(
    model: type[Spec], err: ValidationError, data: dict[str, Any]
) -> list[tuple[Any, str]]:
    repaired = copy.deepcopy(data)
    touched: list[tuple[Any, ...]] = []
    dropped: set[str] = set()
    for e in err.errors(include_url=False):
        kind = e.get("type", "")
        if kind == "missing":
            return []
        path = _existing_path(repaired, e.get("loc", ()))
        ctx = e.get("ctx") or {}
        if kind == "unknown_key" and "key" in ctx:
            holder = _at(repaired, path)
            key = ctx["key"]
            if not isinstance(holder, dict) or key not in holder:
                return []
            value = holder.pop(key)
            allowed = [a for a in str(ctx.get("allowed", "")).split(", ") if a]
            better = did_you_mean(key, allowed) if isinstance(key, str) else None
            if better is not None and better not in holder:
                holder[better] = value
                touched.append(path + (better,))
            continue
        if not path:
            return []
        holder = _at(repaired, path[:-1])
        if isinstance(holder, dict):
            holder.pop(path[-1], None)
            if isinstance(path[-1], str):
                dropped.add(path[-1])
        elif isinstance(holder, list):
            del holder[path[-1]]
        # What the value should be is unknown: leave the whole site (procedure, rule...)
        # unjudged, since its other checks may depend on it.
        touched.append(path[:2])
    try:
        model.model_validate(repaired, context={"names_only": True})
    except ScenarioReferenceError as again:
        return [
            (loc, msg)
            for loc, msg in again.problems
            if not any(_under(loc, t) for t in touched)
            and not any(f"'{name}'" in msg for name in dropped)
        ]
    except ValidationError:
        return []
    return []


def _existing_path(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The parts of a pydantic error location that are keys or indices in ``data``."""
    path: list[Any] = []
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and _has_key(node, part)
        if in_dict or isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path.append(part)
    return tuple(path)


def _has_key(node: dict[Any, Any], key: Any) -> bool:
    try:
        return key in node
    except TypeError:
        return False


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _under(loc: Any, prefix: tuple[Any, ...]) -> bool:
    paths = loc if loc and isinstance(loc[0], tuple) else (loc,)
    return any(tuple(p[: len(prefix)]) == prefix for p in paths)


def backlog_problems(sc: Spec) -> list[tuple[tuple, str]]:
    """Rows of a backlog CSV that name unknown sites or procedures, or cannot be treated.

    The rows are read once, here, and carried in the scenario from then on.
    """
    initial = sc.initial_waiting_list  # type: ignore[attr-defined]
    if initial.csv is None:
        return []
    initial.carry(tuple(read_backlog_csv(initial.csv)))
    pairs = {(r.site, r.procedure) for r in initial.rows}
    lists = {
        "initial_waiting_list": {
            "lists": {s: {p: {"size": 0, "wait_age": "0 days"}} for s, p in pairs}
        }
    }
    # Reuse the scenario's own reference checks on the CSV's (site, procedure) pairs.
    probe = sc.model_dump(by_alias=True, exclude={"initial_waiting_list"})
    probe.update(lists)
    try:
        type(sc).model_validate(probe)
    except ScenarioReferenceError as err:
        return [(CSV_KEY, f"in the CSV: {msg}") for _loc, msg in err.problems]
    return []


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` with dotted paths set (``policies.booking.fill_to: 0.9``)."""
    out = json.loads(json.dumps(data, default=str))
    for dotted, value in overrides.items():
        parts = dotted.split(".")
        node = out
        for part in parts[:-1]:
            if isinstance(node, list):
                node = node[int(part)]
                continue
            if not isinstance(node.get(part), dict | list):
                node[part] = {}
            node = node[part]
        if isinstance(node, list):
            node[int(parts[-1])] = value
        else:
            node[parts[-1]] = value
    return out
