"""Reading a scenario file: YAML (safely), ``extends``, validation, planner-friendly errors."""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from pydantic import ValidationError

from .backlog_csv import read_backlog_csv
from .errors import MAX_PROBLEMS_SHOWN, ScenarioError, error_at, format_validation_error
from .references import ScenarioReferenceError
from .schema import Scenario
from .yamlio import LoadedYaml, load_yaml_document, resolve_path

CSV_KEY = ("initial_waiting_list", "csv")


def load_scenario(
    path: str | os.PathLike[str], overrides: dict[str, Any] | None = None
) -> Scenario:
    """Read, merge (``extends``) and check a scenario file; raise ``ScenarioError`` if it is wrong.

    ``overrides`` maps dotted field paths (``sites.hub_north.beds.elective``) to values
    applied after reading, as a sweep does; they are checked like the file itself.
    """
    loaded = load_yaml_document(path)
    data = loaded.data
    if overrides:
        data = apply_overrides(data, overrides)
    _resolve_csv_path(data, loaded)
    return validate_scenario(data, loaded)


def validate_scenario(data: dict[str, Any], loaded: LoadedYaml | None = None) -> Scenario:
    """Check scenario data (from YAML or built in code) and return the frozen ``Scenario``."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        raise format_validation_error(err, loaded, data=data) from None
    except ScenarioReferenceError as err:
        raise _reference_error(err.problems, loaded) from None
    problems = backlog_problems(scenario)
    if problems:
        raise _reference_error(problems, loaded)
    return scenario


def _reference_error(problems: list[tuple[tuple, str]], loaded: LoadedYaml | None) -> ScenarioError:
    errors = [error_at(loaded, loc, msg) for loc, msg in problems]
    if loaded is not None:  # reading order, as for field problems: file by file, top to bottom
        order = {f: i for i, f in enumerate(loaded.files)}
        errors.sort(key=lambda e: (order.get(e.file, len(order)), e.line or 0))
    first = errors[0]
    shown = errors[:MAX_PROBLEMS_SHOWN]
    message = "\n\n".join(e.message for e in shown)
    if len(errors) > 1:
        message = f"Found {len(errors)} problems in the scenario:\n\n{message}"
    if len(errors) > len(shown):
        message += f"\n\n... and {len(errors) - len(shown)} more problems."
    return ScenarioError(
        message,
        file=first.file,
        line=first.line,
        field=first.field,
        problems=[e.message for e in errors],
    )


def _resolve_csv_path(data: dict[str, Any], loaded: LoadedYaml) -> None:
    """A backlog CSV path is relative to the YAML file that names it."""
    section = data.get("initial_waiting_list")
    if not isinstance(section, dict) or not isinstance(section.get("csv"), str):
        return
    where = loaded.locations.get(CSV_KEY)
    base = where.file if where else loaded.files[0]
    section["csv"] = resolve_path(base, section["csv"])
    if not os.path.isfile(section["csv"]):
        raise error_at(loaded, CSV_KEY, f"the waiting-list CSV '{section['csv']}' does not exist")


def backlog_problems(sc: Scenario) -> list[tuple[tuple, str]]:
    """Rows of a backlog CSV that name unknown sites or procedures, or cannot be treated.

    The rows are read once, here, and carried in the scenario from then on.
    """
    initial = sc.initial_waiting_list
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
        Scenario.model_validate(probe)
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


def scenario_dict(sc: Scenario) -> dict[str, Any]:
    """The resolved scenario as plain data (durations written back with units)."""
    return sc.model_dump(mode="json", by_alias=True)


def scenario_hash(sc: Scenario) -> str:
    """A short fingerprint of everything that can change a result (SHA-256 of the resolved data)."""
    text = json.dumps(scenario_dict(sc), sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(text.encode())
    for row in sc.initial_waiting_list.rows:  # the CSV's patients, carried in the scenario
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()[:16]


def dump_scenario_yaml(sc: Scenario) -> str:
    """The resolved scenario as YAML text, as saved beside results."""
    import yaml

    return yaml.safe_dump(scenario_dict(sc), sort_keys=False, allow_unicode=True)
