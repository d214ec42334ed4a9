"""The committed editor schema: up to date, named by every shipped scenario, and helpful.

``scenarios/hubsim.schema.json`` is what ``hubsim schema`` prints; each shipped scenario's
first line points VS Code's YAML extension at it. Every field in it has a description
(shown on hover), a unit where it is a number, and an example that is itself valid.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from builders import ROOT, SCENARIOS

from sim.scenario.base import Spec
from sim.scenario.field_help import FIELD_HELP
from sim.scenario.json_schema import scenario_json_schema

SCHEMA_FILE = SCENARIOS / "hubsim.schema.json"
REGENERATE = "run `python3 tasks.py schema` and commit scenarios/hubsim.schema.json"
SHIPPED = sorted(SCENARIOS.rglob("*.yaml"))


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return scenario_json_schema()


def test_the_committed_schema_is_what_hubsim_schema_prints(capsys) -> None:
    # The command's own code, in process (tests/test_schema_export.py runs the command and
    # checks that it prints this same schema).
    from sim.cli.schema import schema as command

    command()
    printed = capsys.readouterr().out
    assert SCHEMA_FILE.read_text(encoding="utf-8") == printed, (
        f"{SCHEMA_FILE.relative_to(ROOT)} is out of date with the scenario format: {REGENERATE}"
    )


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(SCENARIOS)))
def test_a_shipped_scenario_names_the_schema_on_its_first_line(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    relative = os.path.relpath(SCHEMA_FILE, path.parent)
    assert first.startswith(prefix), (
        f"{path.name}: make the first line '{prefix}{relative}' (editors then help as you type)"
    )
    target = (path.parent / first[len(prefix) :].strip()).resolve()
    assert target == SCHEMA_FILE.resolve(), f"{path.name} names {target}, not the schema file"
    assert first[len(prefix) :].strip() == relative  # relative, so it works in any checkout


def _fields(schema: dict[str, Any]):
    for name, definition in schema["$defs"].items():
        for key, prop in definition.get("properties", {}).items():
            yield f"{name}.{key}", prop


def _is_number(prop: Any) -> bool:
    """The field may be written as a number (or a list or mapping of numbers)."""
    if not isinstance(prop, dict):
        return False
    kind = prop.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "number" in kinds or "integer" in kinds:
        return True
    inner = [*prop.get("anyOf", ()), *prop.get("oneOf", ())]
    inner += [prop.get("items"), prop.get("additionalProperties")]
    inner += list(prop.get("properties", {}).values())
    return any(_is_number(p) for p in inner)


def test_every_field_has_a_description_and_an_example(schema: dict[str, Any]) -> None:
    bare = [f for f, p in _fields(schema) if not p.get("description")]
    assert not bare, (
        "fields without a description (shown on hover in an editor): give each an attribute "
        "docstring in its model or a line in sim/scenario/field_help.py, then "
        f"{REGENERATE}:\n" + "\n".join(bare)
    )
    no_example = [f for f, p in _fields(schema) if "examples" not in p and p.get("type") != "null"]
    no_example = [f for f in no_example if not f.endswith(".extends")]  # $ref to Extends
    assert not no_example, "fields without an example (sim/scenario/field_help.py):\n" + (
        "\n".join(no_example)
    )


def test_every_number_says_its_unit(schema: dict[str, Any]) -> None:
    missing = [f for f, p in _fields(schema) if _is_number(p) and "Unit: " not in p["description"]]
    assert not missing, "fields written as numbers without a unit (field_help.py):\n" + (
        "\n".join(missing)
    )
    assert "Unit: beds." in schema["$defs"]["Beds"]["properties"]["general"]["description"]


def test_every_example_is_valid_for_its_field(schema: dict[str, Any]) -> None:
    cls = jsonschema.Draft202012Validator
    bad = []
    for name, prop in _fields(schema):
        if name.startswith("Partial"):
            continue  # the same examples as the complete definitions
        for example in prop.get("examples", ()):
            check = cls({**prop, "$defs": schema["$defs"]}, format_checker=cls.FORMAT_CHECKER)
            errors = [e.message[:200] for e in check.iter_errors(example)]
            if errors:
                bad.append(f"{name}: {example!r}: {errors[0]}")
    assert not bad, "examples that the schema refuses:\n" + "\n".join(bad)


def _models() -> dict[str, type]:
    out: dict[str, type] = {}
    todo = [Spec]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("sim."):  # not the small models other tests define
                out[sub.__name__] = sub
            todo.append(sub)
    return out


def test_every_model_field_has_a_description_in_python_too() -> None:
    bare = [
        f"{name}.{key}"
        for name, cls in _models().items()
        for key, field in cls.model_fields.items()
        if not field.description
    ]
    assert not bare, "fields without a description (docstring or field_help.py): " + ", ".join(bare)


def test_field_help_names_only_real_fields() -> None:
    models = _models()
    stale = []
    for key in FIELD_HELP:
        model, field = key.split(".")
        cls = models.get(model)
        names = set()
        if cls is not None:
            for name, info in cls.model_fields.items():
                names |= {name, info.alias or name}
        if field not in names:
            stale.append(key)
    assert not stale, "sim/scenario/field_help.py names fields that do not exist: " + ", ".join(
        stale
    )
