"""Reading a scenario file: YAML (safely), ``extends``, validation, planner-friendly errors."""

from __future__ import annotations

import copy
import hashlib
import json
import os
from typing import Any

from sim.text import shown

from .checks import CSV_KEY, apply_overrides, backlog_problems, check_scenario
from .errors import ScenarioError, error_at
from .schema import Scenario
from .sheets import has_sheets, resolve_sheets
from .yamlio import LoadedYaml, Locations, gc_paused, load_yaml_document, not_a_file, resolve_path

__all__ = [
    "CSV_KEY",
    "apply_overrides",
    "backlog_problems",
    "dump_scenario_yaml",
    "load_scenario",
    "scenario_dict",
    "scenario_hash",
    "validate_scenario",
]


def load_scenario(
    path: str | os.PathLike[str], overrides: dict[str, Any] | None = None
) -> Scenario:
    """Read, merge (``extends``) and check a scenario file; raise ``ScenarioError`` if it is wrong.

    ``overrides`` maps dotted field paths (``sites.hub_north.beds.elective``) to values
    applied after reading, as a sweep does; they are checked like the file itself.
    """
    with gc_paused():
        loaded = load_yaml_document(path)
        resolve_sheets(loaded)  # demand, sessions and beds named in spreadsheets
        data = loaded.data
        wrong_paths: dict[str, str] = {}
        if overrides:
            wrong_paths = place_overrides(loaded, overrides)
            kept = {k: v for k, v in overrides.items() if k not in wrong_paths}
            data = apply_overrides(data, kept)
        _resolve_csv_path(data, loaded)
        if not wrong_paths:
            return validate_scenario(data, loaded)
        problems = list(wrong_paths.values())
        try:
            validate_scenario(data, loaded)
        except ScenarioError as exc:
            problems += list(exc.problems)
        raise _together(problems)


def _together(problems: list[str]) -> ScenarioError:
    if len(problems) == 1:
        return ScenarioError(problems[0], problems=problems)
    text = f"Found {len(problems)} problems in the scenario:\n\n" + "\n\n".join(problems)
    return ScenarioError(text, problems=problems)


def place_overrides(loaded: LoadedYaml, overrides: dict[str, Any]) -> dict[str, str]:
    """Check ``--set`` paths and place their values on the command line.

    A part of a path that is not in the scenario but close to a key that is
    (``sites.sandwel``) is a mistake with "did you mean" (returned: path -> message; the
    override is not applied); a value that is then found wrong is blamed on
    ``--set PATH=VALUE``, not on the line of the file it replaced.
    """
    from .errors import did_you_mean, format_path
    from .yamlio import Location

    wrong: dict[str, str] = {}
    for dotted, value in overrides.items():
        node: Any = loaded.data
        key: tuple[Any, ...] = ()
        for part in dotted.split("."):
            if isinstance(node, list) and part.isdigit():
                key += (int(part),)
                node = node[int(part)] if int(part) < len(node) else None
                continue
            if isinstance(node, dict) and part not in node:
                close = did_you_mean(part, [str(k) for k in node], cutoff=0.75)
                if close is not None:
                    under = format_path(key) or "the top level"
                    wrong[dotted] = (
                        f"--set {shown(dotted, 80, quote=False)}: the scenario has no "
                        f"{part!r} under {under}; did you mean {close!r}?"
                    )
                    break
            key += (part,)
            node = node.get(part) if isinstance(node, dict) else None
        if dotted in wrong:
            continue
        for old in [k for k in loaded.locations if k[: len(key)] == key]:
            del loaded.locations[old]
        for old in [k for k in loaded.locations.lists if k[: len(key)] == key]:
            del loaded.locations.lists[old]
        where = f"--set {shown(dotted, 80, quote=False)}={shown(value, 40, quote=False)}"
        loaded.locations[key] = Location(where, 0, 0)
    return wrong


def validate_scenario(data: dict[str, Any], loaded: LoadedYaml | None = None) -> Scenario:
    """Check scenario data (from YAML or built in code) and return the frozen ``Scenario``.

    Every problem is reported at once: fields that are wrong, and names that refer to
    nothing elsewhere in the file (as far as they can be checked despite the wrong fields).
    Spreadsheets named in data built in code (``from_file``) are found relative to the
    working directory.
    """
    if loaded is None and has_sheets(data):
        loaded = LoadedYaml(data=copy.deepcopy(data), locations=Locations(), files=())
        resolve_sheets(loaded)  # the cells' places are kept for the messages
        data = loaded.data
    return check_scenario(Scenario, data, loaded)


def _resolve_csv_path(data: dict[str, Any], loaded: LoadedYaml) -> None:
    """A backlog CSV path is relative to the YAML file that names it."""
    section = data.get("initial_waiting_list")
    if not isinstance(section, dict) or not isinstance(section.get("csv"), str):
        return
    where = loaded.locations.get(CSV_KEY)
    base = where.file if where else loaded.files[0]
    section["csv"] = resolve_path(base, section["csv"])
    what = not_a_file(section["csv"])
    if what is not None:
        raise error_at(loaded, CSV_KEY, f"the waiting-list CSV {shown(section['csv'])} {what}")


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
