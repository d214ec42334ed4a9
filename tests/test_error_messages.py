"""Tests for sim.scenario.base.Spec and sim.scenario.errors: planner-facing messages."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Annotated, Literal

import pytest
from pydantic import Field, ValidationError, field_validator, model_validator

from sim.scenario.base import Spec
from sim.scenario.errors import (
    ScenarioError,
    did_you_mean,
    error_at,
    format_path,
    format_validation_error,
)
from sim.scenario.yamlio import LoadedYaml, load_yaml_document

# ----------------------------------------------------------------------------
# Tiny models standing in for the real schema
# ----------------------------------------------------------------------------


class Beds(Spec):
    general: int = Field(gt=0)
    critical_care: int = Field(default=0, ge=0)


class Session(Spec):
    slot: Literal["AM", "PM", "all_day"]
    weekday: int = Field(default=0, ge=0, le=6)


class Theatre(Spec):
    name: str
    sessions: list[Session] = Field(min_length=1)


class LogNormal(Spec):
    kind: Literal["lognormal"]
    mean: float = Field(gt=0)
    sd: float = Field(gt=0)


class Fixed(Spec):
    kind: Literal["fixed"]
    value: float


Distribution = Annotated[LogNormal | Fixed, Field(discriminator="kind")]


class Site(Spec):
    beds: Beds
    theatres: list[Theatre] = []
    length_of_stay: Distribution | None = None
    open: bool = True
    trust: str = "unknown"
    code: int | str = 0

    @field_validator("trust")
    @classmethod
    def _trust_known(cls, value: str) -> str:
        if value == "bogus":
            raise ValueError("trust 'bogus' is not one of the trusts in this collaborative")
        return value


class Scenario(Spec):
    name: str
    seed: int = 1
    run_length_days: float = Field(default=365, gt=0)
    warm_up_days: float = 0
    sites: dict[str, Site]
    notes: str = ""
    anchors: dict = {}
    hub_name: str = Field(default="", alias="hub")

    @model_validator(mode="after")
    def _warm_up_shorter(self) -> Scenario:
        if self.warm_up_days >= self.run_length_days:
            raise ValueError("the warm-up must be shorter than the run length")
        return self


GOOD = """
name: Black Country
sites:
  sandwell:
    beds:
      general: 40
"""


@pytest.fixture
def scenario_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "scenarios").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return name


def problem(text: str, folder: Path, name: str = "scenarios/bc.yaml") -> ScenarioError:
    """Load YAML text as a Scenario and return the planner error it produces."""
    loaded = load_yaml_document(write(folder, name, text))
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(loaded.data)
    err = format_validation_error(info.value, loaded)
    assert isinstance(err, ScenarioError)
    msg = str(err)
    for banned in ("pydantic", "For further information", "ValidationError", "Traceback"):
        assert banned not in msg, msg
    assert "Value error, " not in msg and "Input should" not in msg
    return err


# ----------------------------------------------------------------------------
# Spec
# ----------------------------------------------------------------------------


def test_spec_is_frozen_and_accepts_valid_input(scenario_dir: Path) -> None:
    loaded = load_yaml_document(write(scenario_dir, "scenarios/ok.yaml", GOOD))
    sc = Scenario.model_validate(loaded.data)
    assert sc.sites["sandwell"].beds.general == 40
    with pytest.raises(ValidationError):
        sc.name = "other"  # type: ignore[misc]


def test_spec_accepts_alias_and_field_name() -> None:
    base = {"name": "x", "sites": {}}
    assert Scenario.model_validate({**base, "hub": "h"}).hub_name == "h"
    assert Scenario.model_validate({**base, "hub_name": "h"}).hub_name == "h"


def test_unknown_key_error_type_and_context() -> None:
    with pytest.raises(ValidationError) as info:
        Beds.model_validate({"general": 3, "genral": 4})
    (err,) = info.value.errors()
    assert err["type"] == "unknown_key"
    assert err["ctx"]["key"] == "genral"
    assert err["msg"] == "unknown key 'genral'; did you mean 'general'?"


def test_unknown_key_without_close_match_lists_allowed_keys() -> None:
    with pytest.raises(ValidationError) as info:
        Beds.model_validate({"general": 3, "zzz": 1})
    assert (
        info.value.errors()[0]["msg"] == "unknown key 'zzz'; allowed keys: general, critical_care"
    )


def test_all_unknown_keys_reported_sorted_with_other_problems() -> None:
    with pytest.raises(ValidationError) as info:
        Beds.model_validate({"general": -1, "zeta": 1, "alpha": 2})
    errors = info.value.errors()
    assert [e["ctx"]["key"] for e in errors if e["type"] == "unknown_key"] == ["alpha", "zeta"]
    assert any(e["type"] == "greater_than" for e in errors)


@pytest.mark.parametrize(
    ("key", "words"),
    [
        (1, "is a number, not a name"),
        (None, "a key is empty"),
        (True, "YAML reads the keys yes, no, on, off"),
        (2.5, "is a number"),
    ],
)
def test_non_string_keys_give_clear_errors(key: object, words: str) -> None:
    with pytest.raises(ValidationError) as info:
        Beds.model_validate({"general": 3, key: 1})
    (err,) = info.value.errors()
    assert err["type"] == "unknown_key"
    assert words in err["msg"]
    assert "allowed keys: general, critical_care" in err["msg"]


def test_non_mapping_input_is_left_to_pydantic() -> None:
    with pytest.raises(ValidationError) as info:
        Beds.model_validate([1, 2])
    assert info.value.errors()[0]["type"] == "model_type"


# ----------------------------------------------------------------------------
# Message format
# ----------------------------------------------------------------------------


def test_constraint_message_exact(scenario_dir: Path) -> None:
    err = problem(
        """
        name: Black Country
        sites:
          sandwell:
            beds:
              general: -5
        """,
        scenario_dir,
    )
    assert str(err) == (
        "scenarios/bc.yaml, line 5, field sites.sandwell.beds.general: "
        "expected a number greater than 0, got -5."
    )
    assert err.file == "scenarios/bc.yaml"
    assert err.line == 5
    assert err.field == "sites.sandwell.beds.general"


def test_unknown_key_did_you_mean_on_the_key_line(scenario_dir: Path) -> None:
    err = problem(
        """
        name: x
        sites:
          sandwell:
            bedz:
              general: 4
        """,
        scenario_dir,
    )
    assert (
        "scenarios/bc.yaml, line 4, field sites.sandwell.bedz: "
        "unknown key 'bedz'; did you mean 'beds'?"
    ) in err.problems
    # beds is also missing: reported at the parent's line.
    assert "field sites.sandwell.beds: is required but missing" in str(err)
    assert len(err.problems) == 2


def test_nested_unknown_key_inside_a_list_of_models(scenario_dir: Path) -> None:
    err = problem(
        """
        name: x
        sites:
          sandwell:
            beds: {general: 4}
            theatres:
              - name: T1
                sessions:
                  - slot: AM
              - name: T2
                sessions:
                  - slot: PM
                  - slott: AM
        """,
        scenario_dir,
    )
    first = err.problems[0]
    assert first.startswith(
        "scenarios/bc.yaml, line 12, field sites.sandwell.theatres[1].sessions[1].slott: "
        "unknown key 'slott'; did you mean 'slot'?"
    )
    # ... and the missing slot of that same session is reported too.
    assert any(
        "line 12, field sites.sandwell.theatres[1].sessions[1].slot: is required" in p
        for p in err.problems
    )


def test_missing_required_field_reports_parent_line(scenario_dir: Path) -> None:
    err = problem(
        """
        name: x
        sites:
          sandwell:
            theatres: []
          city:
            beds:
              critical_care: 2
        """,
        scenario_dir,
    )
    assert err.problems == (
        "scenarios/bc.yaml, line 3, field sites.sandwell.beds: is required but missing; "
        "add `beds: ...` under sites.sandwell (line 3).",
        "scenarios/bc.yaml, line 6, field sites.city.beds.general: is required but missing; "
        "add `general: ...` under sites.city.beds (line 6).",
    )


def test_missing_top_level_field(scenario_dir: Path) -> None:
    err = problem("# my scenario\nseed: 3\nsites: {}\n", scenario_dir)
    assert str(err) == (
        "scenarios/bc.yaml, line 2, field name: is required but missing; "
        "add `name: ...` at the top level of the file."
    )


def test_literal_with_did_you_mean(scenario_dir: Path) -> None:
    err = problem(
        """
        name: x
        sites:
          a:
            beds: {general: 1}
            theatres:
              - name: T1
                sessions:
                  - slot: am
        """,
        scenario_dir,
    )
    assert str(err) == (
        "scenarios/bc.yaml, line 8, field sites.a.theatres[0].sessions[0].slot: "
        "expected one of: AM, PM, all_day; got 'am'; did you mean 'AM'?"
    )


def test_unknown_distribution_name(scenario_dir: Path) -> None:
    err = problem(
        """
        name: x
        sites:
          a:
            beds: {general: 1}
            length_of_stay:
              kind: lognormel
              mean: 3
        """,
        scenario_dir,
    )
    assert str(err) == (
        "scenarios/bc.yaml, line 6, field sites.a.length_of_stay.kind: unknown kind "
        "'lognormel'; expected one of: lognormal, fixed; did you mean 'lognormal'?"
    )


def test_distribution_without_kind(scenario_dir: Path) -> None:
    err = problem(
        "name: x\nsites:\n  a:\n    beds: {general: 1}\n    length_of_stay: {mean: 3}\n",
        scenario_dir,
    )
    assert err.line == 5
    assert "field sites.a.length_of_stay: needs a 'kind' key" in str(err)


def test_error_inside_tagged_union_drops_internal_tag(scenario_dir: Path) -> None:
    err = problem(
        """
        name: x
        sites:
          a:
            beds: {general: 1}
            length_of_stay:
              kind: lognormal
              mean: 3
              sd: 0
        """,
        scenario_dir,
    )
    assert str(err) == (
        "scenarios/bc.yaml, line 8, field sites.a.length_of_stay.sd: "
        "expected a number greater than 0, got 0."
    )


def test_missing_field_inside_tagged_union(scenario_dir: Path) -> None:
    err = problem(
        """
        name: x
        sites:
          a:
            beds: {general: 1}
            length_of_stay:
              kind: lognormal
              mean: 3
        """,
        scenario_dir,
    )
    assert err.line == 5
    assert err.field == "sites.a.length_of_stay.sd"
    assert "is required but missing" in str(err)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("seed: abc", "line 1, field seed: expected a whole number, got 'abc'."),
        ("seed: 2.5", "line 1, field seed: expected a whole number, got 2.5."),
        ("run_length_days: lots", "field run_length_days: expected a number, got 'lots'."),
        ("run_length_days: -1", "expected a number greater than 0, got -1."),
        ("run_length_days:", "expected a number, got an empty value."),
        (
            "sites: [a, b]",
            "field sites: expected a mapping of keys to values, got a list ['a', 'b'].",
        ),
        ("sites: 3", "field sites: expected a mapping of keys to values, got the number 3."),
        ("name: yes", "field name: expected text, got true (YAML reads yes, no, on, off"),
        ("name: 1.10", "field name: expected text, got the number 1.1 (put the value in quotes"),
        ("name: [1]", "field name: expected text, got a list [1]."),
        ("notes: " + "x" * 100, None),
    ],
)
def test_common_type_errors(scenario_dir: Path, line: str, expected: str | None) -> None:
    text = line + "\n" + ("name: x\n" if not line.startswith("name") else "")
    if not line.startswith("sites"):
        text += "sites: {}\n"
    if expected is None:  # a valid file: long values are fine
        Scenario.model_validate(load_yaml_document(write(scenario_dir, "s.yaml", text)).data)
        return
    assert expected in str(problem(text, scenario_dir))


def test_bool_list_and_too_short(scenario_dir: Path) -> None:
    err = problem(
        """
        name: x
        sites:
          a:
            beds: {general: 1}
            open: maybe
            theatres:
              - name: T1
                sessions: []
              - name: T2
                sessions: {slot: AM}
        """,
        scenario_dir,
    )
    assert err.problems == (
        "scenarios/bc.yaml, line 5, field sites.a.open: expected true or false, got 'maybe'.",
        "scenarios/bc.yaml, line 8, field sites.a.theatres[0].sessions: "
        "expected at least 1 item, got 0.",
        "scenarios/bc.yaml, line 10, field sites.a.theatres[1].sessions: expected a list, got "
        "a mapping {'slot': 'AM'} (write each item on its own line starting with '- ').",
    )


def test_plain_union_errors_are_combined(scenario_dir: Path) -> None:
    err = problem("name: x\nsites:\n  a:\n    beds: {general: 1}\n    code: [1, 2]\n", scenario_dir)
    assert str(err) == (
        "scenarios/bc.yaml, line 5, field sites.a.code: "
        "expected a whole number or text, got a list [1, 2]."
    )


def test_custom_validator_message_is_used(scenario_dir: Path) -> None:
    err = problem("name: x\nsites:\n  a:\n    beds: {general: 1}\n    trust: bogus\n", scenario_dir)
    assert str(err) == (
        "scenarios/bc.yaml, line 5, field sites.a.trust: "
        "trust 'bogus' is not one of the trusts in this collaborative."
    )


def test_model_level_validator_points_at_top(scenario_dir: Path) -> None:
    err = problem("name: x\nrun_length_days: 10\nwarm_up_days: 20\nsites: {}\n", scenario_dir)
    assert str(err) == (
        "scenarios/bc.yaml, line 1: the warm-up must be shorter than the run length."
    )


def test_top_level_unknown_keys_including_non_string(scenario_dir: Path) -> None:
    err = problem("name: x\nsites: {}\nseeds: 3\n1: one\nnull: nothing\n", scenario_dir)
    text = str(err)
    assert "line 3, field seeds: unknown key 'seeds'; did you mean 'seed'?" in text
    assert "line 4, field [1]: the key 1 is a number, not a name" in text or (
        "line 4" in text and "the key 1 is a number" in text
    )
    assert "line 5" in text and "a key is empty" in text


def test_long_values_are_truncated(scenario_dir: Path) -> None:
    err = problem("name: x\nsites: {}\nseed: '" + "9x" * 200 + "'\n", scenario_dir)
    got = str(err).split("got ", 1)[1]
    value, length = got.split(" (", 1)
    assert len(value) <= 62 and value.endswith("…'")
    assert length == "400 characters)."


def test_many_problems_are_capped(scenario_dir: Path) -> None:
    lines = ["name: x", "sites:"]
    for i in range(14):
        lines += [f"  s{i}:", "    beds:", "      general: 0"]
    err = problem("\n".join(lines) + "\n", scenario_dir)
    text = str(err)
    assert text.startswith("Found 14 problems in the scenario:\n\n")
    assert text.count("expected a number greater than 0, got 0.") == 10
    assert text.endswith("... and 4 more problems.")
    assert len(err.problems) == 14
    assert err.line == 5  # the first problem, in file order


def test_errors_point_at_the_right_file_with_extends(scenario_dir: Path) -> None:
    write(
        scenario_dir,
        "scenarios/base.yaml",
        """
        name: base
        seed: many
        sites:
          sandwell:
            beds:
              general: 40
        """,
    )
    err = problem(
        """
        extends: base.yaml
        sites:
          sandwell:
            beds:
              general: -1
        """,
        scenario_dir,
    )
    assert err.problems == (
        "scenarios/bc.yaml, line 5, field sites.sandwell.beds.general: "
        "expected a number greater than 0, got -1.",
        "scenarios/base.yaml, line 2, field seed: expected a whole number, got 'many' "
        "(inherited by scenarios/bc.yaml through 'extends': correct it here, or set the field "
        "in scenarios/bc.yaml).",
    )


def test_error_under_merge_key_points_at_the_merge_and_the_anchor(scenario_dir: Path) -> None:
    err = problem(
        """
        name: x
        anchors:
          small: &small
            general: 0
        sites:
          a:
            beds:
              <<: *small
              critical_care: 1
        """,
        scenario_dir,
    )
    assert err.line == 8  # where '<<' merged it in
    assert err.field == "sites.a.beds.general"
    assert "(merged in here by '<<' from line 4)" in err.message


def test_base_path_for_validating_a_section(scenario_dir: Path) -> None:
    loaded = load_yaml_document(
        write(scenario_dir, "scenarios/x.yaml", "name: x\nsites:\n  a:\n    general: -2\n")
    )
    with pytest.raises(ValidationError) as info:
        Beds.model_validate(loaded.data["sites"]["a"])
    err = format_validation_error(info.value, loaded, base_path=("sites", "a"))
    assert str(err) == (
        "scenarios/x.yaml, line 4, field sites.a.general: expected a number greater than 0, got -2."
    )


def test_without_loaded_yaml_still_readable() -> None:
    with pytest.raises(ValidationError) as info:
        Site.model_validate({"beds": {"general": 1}, "code": [1]})
    err = format_validation_error(info.value)
    assert str(err) == "field code: expected a whole number or text, got a list [1]."


# ----------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------


def test_error_at_uses_longest_prefix(scenario_dir: Path) -> None:
    loaded = load_yaml_document(write(scenario_dir, "scenarios/bc.yaml", GOOD))
    err = error_at(loaded, ("sites", "sandwell", "theatres", 0), "no theatre named 'T9'")
    assert str(err) == (
        "scenarios/bc.yaml, line 3, field sites.sandwell.theatres[0]: no theatre named 'T9'."
    )
    assert err.line == 3


def test_scenario_error_at_and_attributes() -> None:
    err = ScenarioError.at("cannot read", file="a.csv", line=3, field="x")
    assert str(err) == err.message == "a.csv, line 3, field x: cannot read."
    assert (err.file, err.line, err.field) == ("a.csv", 3, "x")
    assert ScenarioError("plain").problems == ("plain",)


def test_format_path_and_did_you_mean() -> None:
    assert format_path(("theatres", 0, "sessions", 1, "slot")) == "theatres[0].sessions[1].slot"
    assert format_path(()) == ""
    assert did_you_mean("bedz", ["beds", "theatres"]) == "beds"
    assert did_you_mean("am", ["AM", "PM"]) == "AM"
    assert did_you_mean("qqqq", ["beds"]) is None


def test_loaded_yaml_is_frozen(scenario_dir: Path) -> None:
    loaded = load_yaml_document(write(scenario_dir, "scenarios/bc.yaml", GOOD))
    assert isinstance(loaded, LoadedYaml)
    with pytest.raises(AttributeError):
        loaded.data = {}  # type: ignore[misc]


def test_validated_data_can_differ_from_the_file(scenario_dir: Path) -> None:
    loaded = load_yaml_document(write(scenario_dir, "scenarios/bc.yaml", GOOD))
    data = {**loaded.data, "sites": {"sandwell": {"beds": {"general": 40}}, "new": {}}}
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(data)
    err = format_validation_error(info.value, loaded, data=data)
    assert str(err) == (
        "scenarios/bc.yaml, line 2, field sites.new.beds: is required but missing; "
        "add `beds: ...` under sites.new (line 2)."
    )


def test_problem_repeated_through_an_alias_is_reported_once(scenario_dir: Path) -> None:
    err = problem(
        """
        name: x
        sites:
          a:
            beds: &b {general: 0}
          b:
            beds: *b
          c:
            beds: *b
        """,
        scenario_dir,
    )
    assert str(err) == (
        "scenarios/bc.yaml, line 4, field sites.a.beds.general: expected a number greater "
        "than 0, got 0 (this line is also used, through a YAML alias, at sites.b.beds.general, "
        "sites.c.beds.general)."
    )


def test_same_line_different_keys_are_not_folded(scenario_dir: Path) -> None:
    err = problem(
        "name: x\nsites: {a: {beds: {general: 0}}, b: {beds: {general: 0}}}\n", scenario_dir
    )
    assert len(err.problems) == 2


def test_scenario_error_survives_pickling() -> None:
    import pickle

    err = ScenarioError.at("bad", file="a.yaml", line=2, field="x")
    copy = pickle.loads(pickle.dumps(err))
    assert (str(copy), copy.file, copy.line, copy.field) == (str(err), "a.yaml", 2, "x")
