"""The JSON Schema of scenario files, for editors: what ``hubsim schema`` prints.

VS Code's YAML extension (and any editor using yaml-language-server) reads this schema to
complete keys, check values and show help while a planner edits a scenario. The rule: every
file the loader accepts is valid, and what the loader rejects is invalid wherever JSON Schema
can say so -- above all unknown keys (``additionalProperties: false``), so ``bedz:`` is flagged
as it is typed.

How it is built, in four layers:

1. **Input shapes live on the types.** Each type says what a planner may *write*, not what
   Python holds: ``Duration`` is text with a unit, and ``NonNegativeDuration`` /
   ``PositiveDuration`` narrow the number (``units.py``); ``TimeDist`` is a distribution
   mapping or a single duration meaning a fixed time (``distributions.py``); a referral line
   may be a bare number per week, ``days: Mon`` and ``to: hub`` may name one item instead of
   a list, and profiles hold exactly 7 or 12 numbers (``json_schema_input_type`` and
   ``WithJsonSchema`` in the scenario modules). So pydantic's own
   ``Scenario.model_json_schema()`` (validation mode) already describes files.
2. **`ScenarioJsonSchema`** (a pydantic ``GenerateJsonSchema``) adds what holds for every
   type, because JSON and YAML differ from Python: mapping keys are text, so keys of a fixed
   set (priorities ``P1``-``P4``, quintiles ``1``-``5``) become ``properties`` and name keys
   get a ``propertyNames`` pattern (anything else is refused); booleans also accept the YAML
   1.1 words ``yes``/``no``/``on``/``off``, which the loader (PyYAML, YAML 1.1) reads as
   true/false but an editor (YAML 1.2) reads as text; defaults are written as in a file
   (``"0 hours"``, not ``0.0``); a field's Python name (``mean_``, accepted beside its alias
   ``mean``) is allowed but not offered for completion.
3. **Two variants of the definitions.** A file without ``extends`` is complete:
   ``#/$defs/<Model>`` with pydantic's required fields, and in a distribution mapping the
   ``dist`` key is required (the loader needs it to choose the kind). A file with ``extends``
   is a patch on its base (see ``yamlio``): it may give any subset of keys at any depth, and
   ``null`` deletes an inherited key. Its definitions, ``#/$defs/Partial<Model>``, are derived
   mechanically from the complete ones by `_Partial`: no required keys and no minimum number
   of entries in a mapping; ``null`` allowed for every key that may be deleted (not for a
   required field: deleting it leaves the merged scenario without it); a distribution mapping
   may leave out ``dist`` (``{mean: 90 min}`` changes only the inherited mean) and may delete
   the parameters of another kind when it switches kind. A list replaces the inherited list
   whole, so everything inside a list stays complete (``#/$defs/<Model>``).
4. **The top level chooses the variant:** ``if: {required: [extends]}``, ``then:
   PartialScenario``, ``else: Scenario``. Both roots list ``extends``, so an editor offers it.

Help on hover: titles and descriptions come from the models and types and are copied into the
partial variant with the rest, so a description, unit or example added once to a field (e.g.
``Field(description=..., examples=[...])``, or attribute docstrings with pydantic's
``use_attribute_docstrings``) shows in both variants.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from .field_help import Help, help_for
from .schema import Scenario

__all__ = ["DIALECT", "ScenarioJsonSchema", "YAML11_BOOLEANS", "scenario_json_schema"]

#: The JSON Schema dialect of the output (pydantic's; VS Code's YAML extension reads it).
DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: Prefix of the definitions used in a file with ``extends``.
PARTIAL = "Partial"
_DEFS = "#/$defs/"

#: Plain words that PyYAML (YAML 1.1, the loader) reads as true/false but a YAML 1.2 reader
#: (an editor) reads as text; ``true``/``false`` in any case are booleans in both.
YAML11_BOOLEANS = ("yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF")

_EXTENDS: dict[str, Any] = {
    "title": "Extends",
    "description": (
        "The scenario file this one builds on (or a list of them, merged in order), relative "
        "to this file. This file then gives only what differs: mappings merge key by key, "
        "lists and values replace the inherited ones, and null deletes an inherited key."
    ),
    "anyOf": [
        {"type": "string", "pattern": r"\S"},
        {"type": "array", "items": {"type": "string", "pattern": r"\S"}},
    ],
    "examples": ["base.yaml"],
}

#: Keywords that describe a schema without constraining it (kept outside a null wrapper).
_NOTES = ("title", "description", "default", "examples", "deprecated")


class ScenarioJsonSchema(GenerateJsonSchema):
    """Pydantic's generator with the JSON and YAML rules that hold for every scenario type."""

    def bool_schema(self, schema: core_schema.BoolSchema) -> JsonSchemaValue:
        return {"anyOf": [{"type": "boolean"}, {"enum": list(YAML11_BOOLEANS)}]}

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        """A mapping: its keys' rules on the keys (refusing others), its values' schema."""
        keys = self.generate_inner(schema["keys_schema"]) if "keys_schema" in schema else {}
        values = (
            dict(self.generate_inner(schema["values_schema"])) if "values_schema" in schema else {}
        )
        values.pop("title", None)
        json_schema: JsonSchemaValue = {"type": "object"}
        fixed = keys.get("enum", [keys["const"]] if "const" in keys else None)
        if fixed is not None:
            # JSON keys are text: the quintile 1 is the key "1". Listing the keys (rather than
            # propertyNames: {enum}) also lets an editor offer them.
            json_schema["properties"] = {str(k): values or {} for k in fixed}
            json_schema["additionalProperties"] = False
        else:
            rules = {k: keys[k] for k in ("pattern", "minLength", "maxLength") if k in keys}
            if rules:
                json_schema["propertyNames"] = rules
            json_schema["additionalProperties"] = values or True
        self.update_with_validations(json_schema, schema, self.ValidationsMapping.object)
        return json_schema

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        """Write a default as a file would (``"1 weeks"``, not the 7.0 days Python holds)."""
        json_schema = super().default_schema(schema)
        if json_schema.get("default") is not None and "default" in schema:
            serialize = _plain_serializer(schema["schema"])
            if serialize is not None:
                json_schema["default"] = serialize(schema["default"])
        return json_schema

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        """Allow a field's Python name where the model accepts it beside the alias.

        ``patternProperties`` validates the key without an editor offering it.
        """
        json_schema = super().model_schema(schema)
        cls = schema["cls"]
        config = cls.model_config
        properties = json_schema.get("properties", {})
        for name, field in cls.model_fields.items():
            key = field.alias if isinstance(field.alias, str) else name
            if key in properties:
                _add_help(
                    properties[key], help_for(cls.__mro__, key) or help_for(cls.__mro__, name)
                )
        if config.get("validate_by_name") or config.get("populate_by_name"):
            for name, field in cls.model_fields.items():
                if field.alias and field.alias != name and field.alias in properties:
                    json_schema.setdefault("patternProperties", {})[f"^{re.escape(name)}$"] = (
                        properties[field.alias]
                    )
        return json_schema


def _add_help(prop: dict[str, Any], found: Help | None) -> None:
    """A field's description with its unit, and its example (see :mod:`.field_help`)."""
    if found is None:
        return
    text = prop.get("description") or found.description
    if text and found.unit:
        text = f"{text.rstrip()}\n\nUnit: {found.unit}."
    if text:
        prop["description"] = text
    if "examples" not in prop and found.example is not None:
        prop["examples"] = [found.example]


def _plain_serializer(schema: core_schema.CoreSchema) -> Callable[[Any], Any] | None:
    """The plain serializer of a type (e.g. ``Duration``'s), looking inside its validators."""
    while True:
        ser = schema.get("serialization")
        if ser and ser["type"] == "function-plain" and not ser.get("info_arg"):
            return ser["function"]
        if schema["type"] not in ("function-before", "function-after", "function-wrap"):
            return None
        schema = schema["schema"]


def _subschemas(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _subschemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _subschemas(value)


def _def_name(ref: str) -> str:
    assert ref.startswith(_DEFS), ref
    return ref[len(_DEFS) :]


def _require_discriminators(defs: dict[str, Any]) -> dict[str, set[str]]:
    """Make each discriminated union's tag key required in its choices, as the loader does.

    Returns, per choice, the keys of its sibling choices (what a patch that switches a
    distribution's kind may need to delete).
    """
    siblings: dict[str, set[str]] = {}
    for node in list(_subschemas(defs)):
        if "oneOf" not in node or "discriminator" not in node:
            continue
        tag = node["discriminator"]["propertyName"]
        names = [_def_name(choice["$ref"]) for choice in node["oneOf"]]
        every_key = {key for name in names for key in defs[name]["properties"]}
        for name in names:
            choice = defs[name]
            if tag not in choice.setdefault("required", []):
                choice["required"].insert(0, tag)
            siblings.setdefault(name, set()).update(every_key - set(choice["properties"]))
    return siblings


def _accepts_null(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return schema is True
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    return any(_accepts_null(s) for s in [*schema.get("anyOf", ()), *schema.get("oneOf", ())])


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema``, or null (a key that a file with ``extends`` may delete)."""
    if _accepts_null(schema):
        return schema
    notes = {k: v for k, v in schema.items() if k in _NOTES}
    rest = {k: v for k, v in schema.items() if k not in _NOTES}
    branches = rest["anyOf"] if list(rest) == ["anyOf"] else [rest]
    return {**notes, "anyOf": [*branches, {"type": "null"}]}


class _Partial:
    """Derive the definitions of a file with ``extends`` from the complete ones."""

    def __init__(self, defs: dict[str, Any], siblings: dict[str, set[str]]) -> None:
        self.defs = defs
        self.siblings = siblings
        self.out: dict[str, Any] = {}
        self.todo: list[str] = []

    def build(self, root: str) -> dict[str, Any]:
        """``Partial<Name>`` for ``root`` and every definition it reaches outside lists."""
        self.todo.append(root)
        while self.todo:
            name = self.todo.pop()
            if PARTIAL + name in self.out:
                continue
            self.out[PARTIAL + name] = {}  # reserved: a model may refer to itself
            partial = self.schema(self.defs[name])
            for key in sorted(self.siblings.get(name, ())):
                partial["properties"].setdefault(
                    key,
                    {
                        "type": "null",
                        "description": f"null deletes the inherited {key} (a parameter of "
                        "another kind of distribution), when this file changes the kind.",
                    },
                )
            self.out[PARTIAL + name] = partial
        return self.out

    def schema(self, schema: Any) -> Any:
        if not isinstance(schema, dict):
            return schema
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key == "$ref":
                name = _def_name(value)
                self.todo.append(name)
                out[key] = _DEFS + PARTIAL + name
            elif key in ("anyOf", "oneOf", "allOf"):
                # Partial choices overlap ({mean: 90 min} fits several kinds): anyOf.
                out["allOf" if key == "allOf" else "anyOf"] = [self.schema(s) for s in value]
            elif key in ("properties", "patternProperties"):
                required = set(schema.get("required", ()))
                out[key] = {
                    k: self.schema(s) if k in required else _or_null(self.schema(s))
                    for k, s in value.items()
                }
            elif key == "additionalProperties" and isinstance(value, dict):
                out[key] = _or_null(self.schema(value))  # an entry of a mapping of names
            elif key in ("required", "minProperties", "discriminator"):
                continue
            else:  # items (a list replaces the inherited one whole), constraints, notes
                out[key] = value
        return out


_SHEET_REF: dict[str, Any] = {
    "title": "SheetRef",
    "description": (
        "Values read from a spreadsheet instead of written here (see sim/scenario/sheets.py): "
        "a .csv file, or a sheet of an .xlsx workbook, relative to this file. Its first row "
        "names the columns."
    ),
    "type": "object",
    "properties": {
        "from_file": {
            "description": "The .csv or .xlsx file, relative to this YAML file.",
            "type": "string",
            "pattern": r"\.([cC][sS][vV]|[xX][lL][sS][xXmM])\s*$",  # ECMA regex: no (?i)
            "examples": ["data/inputs.xlsx"],
        },
        "sheet": {
            "description": "The sheet of an .xlsx workbook (default: its first); none for a CSV.",
            "type": "string",
            "minLength": 1,
            "examples": ["referrals"],
        },
    },
    "required": ["from_file"],
    "additionalProperties": False,
}

#: Where a sheet may stand for the values, and the columns it needs.
_SHEET_PLACES = {
    ("Demand", "referrals"): "columns site, procedure, per_week",
    ("Site", "beds"): "columns general (elective, turnaround; a site column picks the row)",
    ("Site", "theatres"): (
        "columns theatre, days, slot, specialty (count; a site column picks the rows)"
    ),
}


def _sheets_allowed(defs: dict[str, Any]) -> None:
    """Let demand's referrals and a site's beds and theatres name a sheet instead."""
    defs["SheetRef"] = _SHEET_REF
    for (model, key), columns in _SHEET_PLACES.items():
        prop = defs[model]["properties"][key]
        notes = {k: v for k, v in prop.items() if k in _NOTES}
        rest = {k: v for k, v in prop.items() if k not in _NOTES}
        branches = rest["anyOf"] if list(rest) == ["anyOf"] else [rest]
        if notes.get("description"):
            notes["description"] += (
                f"\n\nOr from a spreadsheet: {{from_file, sheet}} with {columns}."
            )
        defs[model]["properties"][key] = {
            **notes,
            "anyOf": [*branches, {"$ref": _DEFS + "SheetRef"}],
        }


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files (complete ones and ones with ``extends``)."""
    root = Scenario.model_json_schema(by_alias=True, schema_generator=ScenarioJsonSchema)
    defs: dict[str, Any] = root.pop("$defs")
    defs["Scenario"] = root
    _sheets_allowed(defs)
    siblings = _require_discriminators(defs)
    defs.update(_Partial(defs, siblings).build("Scenario"))
    defs["Extends"] = _EXTENDS
    for name in ("Scenario", PARTIAL + "Scenario"):
        defs[name]["properties"] = {
            "extends": {"$ref": _DEFS + "Extends", "description": _EXTENDS["description"]},
            **defs[name]["properties"],
        }
    defs[PARTIAL + "Scenario"]["required"] = ["extends"]
    return {
        "$schema": DIALECT,
        "title": "hubsim scenario",
        "description": (
            "A hubsim scenario file. A file with `extends` builds on another and gives only "
            "what differs (null deletes an inherited key); any other file is complete."
        ),
        "type": "object",
        "if": {"required": ["extends"]},
        "then": {"$ref": _DEFS + PARTIAL + "Scenario"},
        "else": {"$ref": _DEFS + "Scenario"},
        "$defs": dict(sorted(defs.items())),
    }
