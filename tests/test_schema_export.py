"""``hubsim schema``: the JSON Schema editors use must agree with the loader.

Every shipped scenario, read as an editor reads it (YAML 1.2 core schema: ``2025-04-01`` and
``yes`` stay text), is valid against the schema the command prints. Where the loader accepts
or refuses a change to a scenario, the schema does the same: unknown keys, missing fields,
duration strings, shorthands, ``extends`` with ``null`` deletions.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from builders import SCENARIOS
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter
from ruamel.yaml import YAML
from ruamel.yaml.resolver import VersionedResolver

from sim.scenario.errors import ScenarioError
from sim.scenario.json_schema import YAML11_BOOLEANS, scenario_json_schema
from sim.scenario.load import load_scenario, validate_scenario
from sim.scenario.units import (
    UNIT_DAYS,
    Duration,
    NonNegativeDuration,
    PositiveDuration,
    parse_duration,
)

SCENARIO_FILES = sorted(p for p in SCENARIOS.rglob("*") if p.suffix in (".yaml", ".yml"))

# -- reading YAML as an editor does -------------------------------------------------------------

#: The YAML 1.2 core schema (YAML 1.2.2, section 10.3.2), which VS Code's YAML extension
#: uses by default, plus the ``<<`` merge key that editors honour too.
_CORE_12 = [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+0123456789."),
    ),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", ["<"]),
]


class _Core12Resolver(VersionedResolver):
    """ruamel.yaml's resolver restricted to the core schema.

    ruamel.yaml's own YAML 1.2 mode still reads ``2025-04-01`` as a date and ``1_000`` as a
    number; an editor reads both as text.
    """

    _resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}
    for _tag, _regex, _first in _CORE_12:
        for _char in _first:
            _resolvers.setdefault(_char, []).append((_tag, re.compile(_regex)))

    @property
    def versioned_resolver(self) -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
        # ruamel extends the list it gets with `+=`: hand out copies.
        return {k: list(v) for k, v in self._resolvers.items()}


def _json_keys(value: Any) -> Any:
    """Mapping keys as text, as JSON (and an editor's schema check) sees them: ``1:`` is "1"."""
    if isinstance(value, dict):
        return {_key_text(k): _json_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_keys(v) for v in value]
    return value


def _key_text(key: Any) -> str:
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def editor_load(text: str) -> Any:
    """Read YAML text as an editor does: YAML 1.2 core schema, keys as text."""
    reader = YAML(typ="safe", pure=True)
    reader.Resolver = _Core12Resolver
    return _json_keys(reader.load(text))


# -- the schema, as the command prints it -------------------------------------------------------


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    res = subprocess.run(
        [sys.executable, "-m", "sim", "schema"], capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr
    printed = json.loads(res.stdout)
    assert printed == scenario_json_schema()  # the in-process builder below is the same
    return printed


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(schema)
    assert cls is jsonschema.Draft202012Validator
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def problems(validator: jsonschema.protocols.Validator, data: Any) -> list[str]:
    return [
        f"{e.json_path}: {e.message[:300]}"
        for e in sorted(validator.iter_errors(data), key=lambda e: e.json_path)
    ]


def test_editor_reader_is_yaml_1_2_core() -> None:
    data = editor_load(
        "d: 2025-04-01\nb: yes\nt: True\nn: 1_000\ni: 0o17\nf: 1e3\nz: ~\n"
        "q: {1: a}\na: &x {p: 1}\nm: {<<: *x, r: 2}\n"
    )
    assert data == {
        "d": "2025-04-01",
        "b": "yes",
        "t": True,
        "n": "1_000",
        "i": 15,
        "f": 1000.0,
        "z": None,
        "q": {"1": "a"},
        "a": {"p": 1},
        "m": {"p": 1, "r": 2},
    }


# -- every shipped scenario ---------------------------------------------------------------------


def test_scenarios_are_found() -> None:
    assert len(SCENARIO_FILES) >= 9
    assert any("extends" in p.read_text() for p in SCENARIO_FILES)


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: str(p.relative_to(SCENARIOS)))
def test_shipped_scenario_is_valid(validator: Any, path: Path) -> None:
    data = editor_load(path.read_text(encoding="utf-8"))
    assert problems(validator, data) == []


# -- the schema and the loader agree ------------------------------------------------------------

STATUS_QUO = SCENARIOS / "black_country_ortho.yaml"


@pytest.fixture(scope="module")
def base_text() -> str:
    # Without its assumptions block: an assumption's path and range refer to other fields
    # (as a routing rule names a site), which the loader checks and a JSON Schema cannot,
    # so a change such as sites.mmuh.beds.general=20 (outside the declared 88-100) or
    # sites.mmuh.emergency=null would be refused for the block's sake alone.
    text = STATUS_QUO.read_text(encoding="utf-8")
    return text.split("\nassumptions:")[0]


def _set(data: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """A copy of ``data`` with ``dotted`` set (or deleted, for ``...``)."""
    out = copy.deepcopy(data)
    *parents, last = dotted.split(".")
    node = out
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is ...:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return out


_UNREADABLE = object()


def _loader_accepts(data: dict[str, Any]) -> bool:
    try:
        validate_scenario(data)
    except ScenarioError:
        return False
    return True


#: (field, value written in YAML) -- accepted or refused alike by the loader and the schema.
#: ``...`` deletes the field.
CHANGES: list[tuple[str, str]] = [
    # keys
    ("sites.mmuh.bedz", "5"),
    ("sites.mmuh.beds.generl", "5"),
    ("policies.booking.lead_tim", "7 days"),
    ("horizon", "..."),
    ("name", "..."),
    ("sites.mmuh.trust", "..."),
    ("procedures.hip_replacement.duration", "..."),
    ("sites.mmuh.theatres.minor", "null"),
    ("sites.mmuh.emergency", "null"),
    ("sites.mmuh.emergency", ""),
    ("policies.booking", "null"),
    ("sites.bad name", "{trust: SWB, beds: {general: 1}}"),
    ("sites.new_site", "{trust: SWB, beds: {general: 1}}"),
    ("trusts", "{}"),
    ("extra_top_level", "1"),
    # durations
    ("horizon", "52 weeks"),
    ("horizon", "52 WEEKS"),
    ("horizon", "52 Wks"),
    ("horizon", "1 years"),
    ("horizon", "52"),
    ("horizon", "52 fortnights"),
    ("snapshot_interval", "0 days"),
    ("snapshot_interval", "-5 days"),
    ("snapshot_interval", ".5 days"),
    ("snapshot_interval", "' 7 days '"),
    ("warm_up", "0 min"),
    ("warm_up", "-0 min"),
    ("warm_up", "-1 min"),
    ("warm_up", "2.5 h"),
    ("warm_up", "2.5"),
    ("snapshot_interval", "1 d"),
    ("start_date", "2025-04-01"),
    ("start_date", "2025-13-01"),
    ("start_date", "'1 April 2025'"),
    # distributions
    ("procedures.arthroscopy.length_of_stay", "1 days"),
    ("procedures.arthroscopy.length_of_stay", "1"),
    ("procedures.arthroscopy.duration", "45 min"),
    ("procedures.arthroscopy.duration", "{dist: fixed, value: 45 min}"),
    ("procedures.arthroscopy.duration", "{value: 45 min}"),
    ("procedures.arthroscopy.duration", "{dist: lognormal, mean: 45 min}"),
    ("procedures.arthroscopy.duration", "{dist: lognormal, mean: 45 min, sd: 5 min, low: 1 min}"),
    ("procedures.arthroscopy.duration", "{dist: exponential, mean: 45 min}"),
    ("procedures.arthroscopy.duration", "{dist: weibull, mean: 45 min}"),
    ("procedures.arthroscopy.duration", "{dist: triangular, low: 30 min, mode: 40 min, high: 1 h}"),
    ("procedures.arthroscopy.duration", "{dist: empirical, values: [30 min, 1 h]}"),
    ("procedures.arthroscopy.duration", "{dist: empirical, values: 30 min}"),
    ("procedures.arthroscopy.length_of_stay", "{dist: gamma, mean: 1 days, sd: -1 days}"),
    # shorthands and lists
    ("demand.referrals.mmuh.hip_replacement", "8"),
    ("demand.referrals.mmuh.hip_replacement", "{per_week: 8, priority_mix: {P4: 1}}"),
    ("demand.referrals.mmuh.hip_replacement", "-8"),
    ("demand.referrals.mmuh.hip_replacement", "eight"),
    ("demand.referrals.mmuh.hip_replacement", "true"),
    ("sites.mmuh.theatres.joints.sessions.0.days", "Mon"),
    ("sites.mmuh.theatres.joints.sessions.0.days", "Monday"),
    ("sites.mmuh.theatres.joints.sessions.0.days", "[]"),
    ("sites.mmuh.theatres.joints.sessions", "[]"),
    ("policies.routing", "[{procedures: [hip_replacement], to: mmuh}]"),
    ("policies.routing", "[{procedures: hip_replacement, to: mmuh}]"),
    ("policies.routing", "[{procedures: [hip_replacement]}]"),
    ("policies.mutual_aid", "{aid: {from_trusts: SWB, to: manor, every: 4 weeks}}"),
    ("policies.mutual_aid", "{aid: {from_trusts: [SWB], to: [manor], every: 4 weeks}}"),
    ("policies.mutual_aid", "{aid: {from_trusts: SWB, every: 4 weeks}}"),
    ("policies.mutual_aid", "{aid: {from_trusts: SWB, to: null, every: 4 weeks}}"),
    # keys of a fixed set
    ("demand.priority_mix", "{P2: 0.10, P3: 0.25, P4: 0.65}"),
    ("demand.priority_mix", "{P5: 1.0}"),
    ("demand.quintile_mix", "{1: 0.5, 5: 0.5}"),
    ("demand.quintile_mix", "{'1': 0.5, '5': 0.5}"),
    ("demand.quintile_mix", "{0: 0.5, 5: 0.5}"),
    ("demand.quintile_mix", "{6: 1.0}"),
    ("policies.booking", "{order: deprivation_weighted, deprivation_credit: {1: 2 weeks}}"),
    ("policies.booking", "{order: deprivation_weighted, deprivation_credit: {1: 2}}"),
    # numbers, booleans and choices
    ("demand.weekday_profile", "[1, 1, 1, 1, 1, 0, 0]"),
    ("demand.weekday_profile", "[1, 1, 1, 1, 1, 0]"),
    ("demand.weekday_profile", "[0, 0, 0, 0, 0, 0, 0]"),
    ("demand.weekday_profile", "[1, 1, 1, 1, 1, 0, -1]"),
    ("sites.mmuh.beds.general", "20"),
    ("sites.mmuh.beds.general", "-1"),
    ("sites.mmuh.beds.general", "20000"),
    ("sites.mmuh.beds.general", "yes"),
    ("sites.mmuh.beds.general", "'20'"),
    ("demand.removal_per_year", "1.5"),
    ("policies.ring_fence_elective_beds", "false"),
    ("policies.ring_fence_elective_beds", "no"),
    ("policies.ring_fence_elective_beds", "On"),
    ("policies.ring_fence_elective_beds", "null"),
    ("policies.on_cancellation", "rebook_first"),
    ("policies.on_cancellation", "rebook"),
    ("sites.mmuh.emergency.when_full", "divert"),
]


@pytest.mark.parametrize(("field", "written"), CHANGES, ids=[f"{f}={v}" for f, v in CHANGES])
def test_schema_agrees_with_loader(
    validator: Any, base_text: str, field: str, written: str
) -> None:
    if written == "...":
        loader_value = editor_value = ...
    else:
        try:
            loader_value = yaml.safe_load(f"v: {written}")["v"]  # YAML 1.1, as the loader reads
        except ValueError:  # e.g. an impossible date: the loader refuses the file
            loader_value = _UNREADABLE
        editor_value = editor_load(f"v: {written}")["v"]
    loader_data = _set(yaml.safe_load(base_text), field, loader_value)
    editor_data = _set(editor_load(base_text), field, editor_value)
    accepted = loader_value is not _UNREADABLE and _loader_accepts(loader_data)
    found = problems(validator, editor_data)
    assert (not found) == accepted, (
        f"the loader {'accepts' if accepted else 'refuses'} {field}: {written}, "
        f"the schema says {found or 'valid'}"
    )


def test_an_unknown_key_is_named(validator: Any, base_text: str) -> None:
    data = editor_load(base_text)
    data["sites"]["mmuh"]["bedz"] = 5
    found = problems(validator, data)
    assert any("'bedz' was unexpected" in p for p in found), found


def test_every_unit_in_any_case(validator: Any, base_text: str) -> None:
    data = editor_load(base_text)
    for unit in UNIT_DAYS:
        for written in (unit, unit.upper(), unit.title()):
            text = f"3 {written}"
            parse_duration(text)
            assert problems(validator, _set(data, "warm_up", text)) == [], text
    for bad in ("3 hs", "3 ds", "3 ws", "3 yr", "3 minss", "3 weekss", "3 mi", "3 m"):
        with pytest.raises(ValueError):
            parse_duration(bad)
        assert problems(validator, _set(data, "warm_up", bad)), bad


_DURATION_PATTERNS = {
    kind: re.compile(TypeAdapter(kind).json_schema()["pattern"])
    for kind in (Duration, NonNegativeDuration, PositiveDuration)
}
_LETTERS = sorted(set("".join(UNIT_DAYS)) | set("".join(UNIT_DAYS).upper()) | set("xz"))
_DURATION_TEXT = st.builds(
    "".join,
    st.lists(
        st.sampled_from([" ", "+", "-", ".", "0", "1", "5", "0", ".", *_LETTERS]),
        max_size=10,
    ),
) | st.builds(
    lambda space1, sign, number, space2, unit, space3: (
        f"{space1}{sign}{number}{space2}{unit}{space3}"
    ),
    st.sampled_from(["", " ", "  "]),
    st.sampled_from(["", "+", "-"]),
    st.from_regex(r"\A([0-9]{1,3}(\.[0-9]{0,2})?|\.[0-9]{1,2})\Z"),
    st.sampled_from(["", " "]),
    st.sampled_from([*UNIT_DAYS, "hs", "ds", "yr", "mn", "wek"]).flatmap(
        lambda u: st.sampled_from([u, u.upper(), u.title(), u.swapcase()])
    ),
    st.sampled_from(["", " "]),
)


@settings(max_examples=400, deadline=None)
@given(_DURATION_TEXT)
def test_duration_patterns_agree_with_the_loader(text: str) -> None:
    for kind, pattern in _DURATION_PATTERNS.items():
        try:
            TypeAdapter(kind).validate_python(text)
            accepted = True
        except ValueError:
            accepted = False
        assert bool(pattern.search(text)) == accepted, (kind, text)


def test_yaml_1_1_booleans_are_all_accepted() -> None:
    for word in YAML11_BOOLEANS:
        assert isinstance(yaml.safe_load(f"v: {word}")["v"], bool), word
        assert editor_load(f"v: {word}")["v"] == word


def test_defaults_are_written_as_in_a_file(schema: dict[str, Any]) -> None:
    props = schema["$defs"]["Scenario"]["properties"]
    assert props["warm_up"]["default"] == "0 hours"
    assert props["snapshot_interval"]["default"] == "1 weeks"
    assert schema["$defs"]["Booking"]["properties"]["lead_time"]["default"] == "1 weeks"
    assert schema["$defs"]["TheatreDay"]["properties"]["late_start"]["default"] == "0 min"


# -- files with extends -------------------------------------------------------------------------

PARENT = textwrap.dedent(
    """\
    name: parent
    horizon: 10 weeks
    trusts:
      SWB: {name: Sandwell}
    sites:
      a:
        trust: SWB
        beds: {general: 20}
        theatres:
          main: {sessions: [{days: [Mon, Wed], specialty: ortho}]}
          minor: {sessions: [{days: Fri, specialty: ortho}]}
    procedures:
      hip:
        specialty: ortho
        duration: {dist: lognormal, mean: 95 min, sd: 20 min}
        length_of_stay: 3 days
    demand:
      referrals:
        a: {hip: 5}
    policies:
      booking: {fill_to: 0.9}
    """
)

#: (child file below ``extends: parent.yaml``, accepted by the loader?)
CHILDREN: list[tuple[str, bool]] = [
    ("name: child\n", True),
    ("{}\n", True),
    ("sites: {a: {theatres: {minor: null}}}\n", True),
    ("sites: {a: {beds: {general: 30}}}\n", True),
    ("sites: {a: {theatres: {main: {count: 2}}}}\n", True),
    ("procedures: {hip: {duration: {mean: 100 min}}}\n", True),
    ("procedures: {hip: {duration: 100 min}}\n", True),
    ("procedures: {hip: {duration: {dist: fixed, value: 90 min, mean: null, sd: null}}}\n", True),
    ("demand: {referrals: {a: {hip: {per_week: 6}}}}\n", True),
    ("demand: {referrals: {a: {hip: null}}}\n", True),
    ("sites: {a: {emergency: null, critical_care: null}}\n", True),
    ("policies: {booking: null}\n", True),
    ("sites: {a: {bedz: 5}}\n", False),
    ("horizon: null\n", False),
    ("sites: {a: {trust: null}}\n", False),
    ("horizon: 10\n", False),
    ("procedures: {hip: {duration: {meen: 100 min}}}\n", False),
    ("procedures: {hip: {duration: {dist: null}}}\n", False),
    ("sites: {a: {theatres: {main: {sessions: [{days: Mon}]}}}}\n", False),
    ("demand: {referrals: {a: {hip: -1}}}\n", False),
]


def _load_child(tmp_path: Path, child: str) -> tuple[str, bool]:
    """Write the parent and a child extending it; the child's text and whether it loads."""
    (tmp_path / "parent.yaml").write_text(PARENT)
    text = "extends: parent.yaml\n" + child.removeprefix("{}\n")
    (tmp_path / "child.yaml").write_text(text)
    try:
        load_scenario(tmp_path / "child.yaml")
    except ScenarioError:
        return text, False
    return text, True


@pytest.mark.parametrize(("child", "accepted"), CHILDREN, ids=[c.strip() for c, _ in CHILDREN])
def test_extends_agrees_with_loader(
    validator: Any, tmp_path: Path, child: str, accepted: bool
) -> None:
    text, loader_ok = _load_child(tmp_path, child)
    assert loader_ok == accepted, "the loader's behaviour changed: fix the table"
    found = problems(validator, editor_load(text))
    assert (not found) == accepted, found


#: Children the schema cannot refuse, because it cannot know what the base file holds: a
#: null under a key the base lacks is not a deletion, and a site new to the child must be
#: complete. (The loader reports these with the file and line.)
BEYOND_THE_SCHEMA = [
    "procedures: {knee: {specialty: ortho, duration: 1 h, length_of_stay: 1 d, "
    "complexity: null}}\n",
    "sites: {b: {beds: {general: 5}}}\n",
]


@pytest.mark.parametrize("child", BEYOND_THE_SCHEMA, ids=str.strip)
def test_what_only_the_loader_can_check(validator: Any, tmp_path: Path, child: str) -> None:
    text, loader_ok = _load_child(tmp_path, child)
    assert not loader_ok
    assert problems(validator, editor_load(text)) == []


def test_parent_is_complete(validator: Any) -> None:
    assert problems(validator, editor_load(PARENT)) == []


def test_required_fields_apply_only_without_extends(validator: Any) -> None:
    data = editor_load(PARENT)
    del data["horizon"]
    assert any("'horizon' is a required property" in p for p in problems(validator, data))
    data["extends"] = "parent.yaml"
    assert problems(validator, data) == []


def test_null_deletes_only_in_a_file_with_extends(validator: Any) -> None:
    data = editor_load(PARENT)
    data["sites"]["a"]["theatres"]["minor"] = None
    assert problems(validator, data)
    data["extends"] = ["parent.yaml"]
    assert problems(validator, data) == []


@pytest.mark.parametrize("extends", ["", "  ", None, 3, ["a.yaml", ""]])
def test_extends_names_files(validator: Any, extends: Any) -> None:
    assert problems(validator, {"extends": extends})
