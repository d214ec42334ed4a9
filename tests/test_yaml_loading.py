"""Tests for sim.scenario.yamlio: safe YAML loading, locations, guards and extends."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pytest

import sim.scenario.yamlio as yamlio
from sim.scenario.errors import ScenarioError
from sim.scenario.yamlio import (
    LoadedYaml,
    Location,
    ScenarioLoader,
    load_yaml_document,
    resolve_path,
)


def write(folder: Path, name: str, text: str) -> str:
    """Write dedented YAML to folder/name and return the path as a string."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return str(path)


def load_error(path: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_yaml_document(path)
    return info.value


def assert_plain(err: ScenarioError) -> None:
    """A planner message: no traceback, no PyYAML stream noise."""
    msg = str(err)
    assert msg == err.message
    for noise in ("Traceback", "<unicode string>", "<file>", "yaml.", "Error:"):
        assert noise not in msg, msg


# ----------------------------------------------------------------------------
# Data and locations
# ----------------------------------------------------------------------------


def test_data_and_exact_locations(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bc.yaml",
        """
        # Black Country hub
        name: Black Country
        sites:
          sandwell:
            beds:
              general: 40
              critical_care: 6
        demand:
          - 10
          - rate: 2.5
            kind: poisson
        """,
    )
    loaded = load_yaml_document(path)
    assert isinstance(loaded, LoadedYaml)
    assert loaded.data == {
        "name": "Black Country",
        "sites": {"sandwell": {"beds": {"general": 40, "critical_care": 6}}},
        "demand": [10, {"rate": 2.5, "kind": "poisson"}],
    }
    locs = loaded.locations
    assert locs[()].line == 2
    assert locs[("name",)] == Location(path, 2, 1)
    assert locs[("sites",)].line == 3
    assert locs[("sites", "sandwell")] == Location(path, 4, 3)
    assert locs[("sites", "sandwell", "beds", "general")] == Location(path, 6, 7)
    assert locs[("sites", "sandwell", "beds", "critical_care")].line == 7
    assert locs[("demand",)].line == 8
    assert locs[("demand", 0)] == Location(path, 9, 5)
    assert locs[("demand", 1)].line == 10
    assert locs[("demand", 1, "rate")].line == 10
    assert locs[("demand", 1, "kind")] == Location(path, 11, 5)
    assert loaded.files == (path,)


def test_location_for_uses_longest_existing_prefix(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "sites:\n  x:\n    beds: 3\n")
    loaded = load_yaml_document(path)
    assert loaded.location_for(("sites", "x", "theatres", 0)).line == 2
    assert loaded.location_for(("nothing",)).line == 1
    assert str(loaded.location_for(("sites",))) == f"{path}, line 1"


def test_relative_path_kept_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "scenarios/bc.yaml", "name: x\n")
    monkeypatch.chdir(tmp_path)
    loaded = load_yaml_document("scenarios/bc.yaml")
    assert loaded.files == ("scenarios/bc.yaml",)
    assert loaded.locations[("name",)].file == "scenarios/bc.yaml"


def test_pathlib_path_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "name: x\n")
    assert load_yaml_document(Path(path)).data == {"name": "x"}


def test_non_string_keys_are_kept_for_the_schema_to_report(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "1: one\nnull: nothing\nname: x\n")
    loaded = load_yaml_document(path)
    assert loaded.data == {1: "one", None: "nothing", "name": "x"}
    assert loaded.locations[(None,)].line == 2
    assert loaded.locations[(1,)].line == 1


def test_keys_that_collide_once_read_are_duplicates(tmp_path: Path) -> None:
    # YAML reads `yes` as true, and true == 1 in Python: the data would lose a key.
    err = load_error(write(tmp_path, "a.yaml", "name: x\n1: one\nyes: two\n"))
    assert "duplicate key 'yes' (first at line 2, written there as '1')" in str(err)
    assert err.line == 3


def test_plain_yaml_types_and_dates(tmp_path: Path) -> None:
    import datetime as dt

    path = write(tmp_path, "a.yaml", "start: 2024-04-01\nrate: 1.5\nok: true\nnone: ~\n")
    assert load_yaml_document(path).data == {
        "start": dt.date(2024, 4, 1),
        "rate": 1.5,
        "ok": True,
        "none": None,
    }


def test_merge_keys_work_and_point_at_the_merge(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.yaml",
        """
        defaults: &d
          general: 10
          critical_care: 2
        sites:
          a:
            beds:
              <<: *d
              general: 20
        """,
    )
    loaded = load_yaml_document(path)
    assert loaded.data["sites"]["a"]["beds"] == {"general": 20, "critical_care": 2}
    assert loaded.locations[("sites", "a", "beds", "general")].line == 8
    # A merged key is placed where it was merged in, and remembers its line in the anchor.
    merged = loaded.locations[("sites", "a", "beds", "critical_care")]
    assert (merged.line, merged.merged_from) == (7, 3)


def test_alias_paths_get_locations(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.yaml",
        """
        base: &b
          beds: {general: 1}
        copy: *b
        """,
    )
    loaded = load_yaml_document(path)
    assert loaded.data["copy"] == {"beds": {"general": 1}}
    assert loaded.locations[("copy",)].line == 3
    # An alias path may point at the anchor's lines.
    assert loaded.locations[("copy", "beds", "general")].line == 2


def test_utf8_bom_and_utf16_are_read(tmp_path: Path) -> None:
    p1 = tmp_path / "bom.yaml"
    p1.write_bytes(b"\xef\xbb\xbfname: x\n")
    assert load_yaml_document(str(p1)).data == {"name": "x"}
    p2 = tmp_path / "u16.yaml"
    p2.write_bytes("name: £5\n".encode("utf-16"))
    assert load_yaml_document(str(p2)).data == {"name": "£5"}


# ----------------------------------------------------------------------------
# Safety
# ----------------------------------------------------------------------------


def test_loader_is_a_safe_loader() -> None:
    import yaml

    assert issubclass(ScenarioLoader, yaml.SafeLoader)


def test_python_tag_is_rejected_and_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "HACKED"
    path = write(
        tmp_path,
        "evil.yaml",
        f"""
        name: x
        run: !!python/object/apply:os.system ["echo hacked > {marker}"]
        """,
    )
    err = load_error(path)
    assert not marker.exists()
    assert err.file == path and err.line == 2
    assert "line 2" in str(err)
    assert "!!python/object/apply:os.system" in str(err)
    assert "not allowed" in str(err)
    assert_plain(err)


def test_python_tag_at_top_level_is_rejected(tmp_path: Path) -> None:
    marker = tmp_path / "HACKED2"
    path = write(tmp_path, "evil.yaml", f'!!python/object/apply:os.system ["touch {marker}"]\n')
    err = load_error(path)
    assert not marker.exists()
    assert "'!!python/object/apply:os.system' is not allowed" in str(err)


@pytest.mark.parametrize(
    ("text", "tag", "line"),
    [
        ("a: 1\nb: !Ref x\n", "!Ref", 2),
        ("a: !!binary aGVsbG8=\n", "!!binary", 1),
        ("a: 1\nb: !!set {x, y}\n", "!!set", 2),
        ("a: !!omap [x: 1]\n", "!!omap", 1),
        ("a: !!python/name:os.system\n", "!!python/name:os.system", 1),
        ("a: !!str [1, 2]\n", "!!str", 1),
    ],
)
def test_unknown_and_unsafe_tags(tmp_path: Path, text: str, tag: str, line: int) -> None:
    err = load_error(write(tmp_path, "t.yaml", text))
    assert tag in str(err)
    assert err.line == line
    assert_plain(err)


def test_billion_laughs_fails_fast(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    path = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    start = time.perf_counter()
    err = load_error(path)
    # a guard against a hang (expanding the aliases takes minutes), not a speed goal
    assert time.perf_counter() - start < 30
    assert "aliases" in str(err) and "expand too far" in str(err)
    assert err.line is not None
    assert_plain(err)


def test_moderate_alias_reuse_is_fine(tmp_path: Path) -> None:
    lines = ["a0: &a0 [1, 2, 3]"]
    for i in range(1, 4):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 3)}]")
    loaded = load_yaml_document(write(tmp_path, "ok.yaml", "\n".join(lines) + "\n"))
    assert len(loaded.data["a3"]) == 3
    assert loaded.data["a3"][2][2] == [[1, 2, 3]] * 3 or len(loaded.data["a3"][2]) == 3


def test_recursive_alias_is_rejected(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, "r.yaml", "name: x\nloop: &a [1, *a]\n"))
    assert "alias" in str(err)
    assert err.line == 2


def test_duplicate_key_reports_both_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "d.yaml",
        """
        name: x
        sites:
          sandwell:
            beds: 3
            theatres: 2
            beds: 4
        """,
    )
    err = load_error(path)
    assert err.line == 6
    assert "duplicate key 'beds' (first at line 4)" in str(err)
    assert err.field == "sites.sandwell.beds"
    assert str(err).startswith(f"{path}, line 6")


def test_duplicate_key_with_quotes_is_still_duplicate(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, "d.yaml", 'name: x\n"name": y\n'))
    assert "duplicate key 'name' (first at line 1)" in str(err)


def test_complex_key_is_rejected(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, "k.yaml", "name: x\n? [a, b]\n: 1\n"))
    assert "keys must be simple names" in str(err)
    assert err.line == 2


def test_impossible_date_and_bad_explicit_int(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, "d.yaml", "name: x\nstart: 2024-02-30\n"))
    assert err.line == 2 and "2024-02-30" in str(err) and "date" in str(err)
    err = load_error(write(tmp_path, "i.yaml", "name: x\nbeds: !!int lots\n"))
    assert err.line == 2 and "'lots'" in str(err) and "whole number" in str(err)


def test_deep_nesting_is_a_clear_error(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, "n.yaml", "a: " + "[" * 2000 + "]" * 2000 + "\n"))
    assert "nested too deeply" in str(err)


# ----------------------------------------------------------------------------
# Size, encoding and content guards
# ----------------------------------------------------------------------------


def test_file_larger_than_5_mb_is_rejected_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with open(path, "wb") as fh:  # sparse: cheap to create
        fh.truncate(6 * 1024 * 1024)
    err = load_error(str(path))
    assert "6.0 MB" in str(err) and "5 MB" in str(err)
    assert err.file == str(path)


def test_line_longer_than_100k_characters_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "long.yaml"
    path.write_text("name: x\nnotes: " + "a" * 200_000 + "\n", encoding="utf-8")
    err = load_error(str(path))
    assert err.line == 2
    assert "longer than 100,000 characters" in str(err)


def test_binary_junk_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "picture.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    err = load_error(str(path))
    assert "not a text YAML file (byte 0x89 at offset 0 is not UTF-8)" in str(err)
    assert_plain(err)


def test_nul_bytes_are_not_text(tmp_path: Path) -> None:
    path = tmp_path / "nul.yaml"
    path.write_bytes(b"name: x\nbeds: 4\x00\x00\n")
    err = load_error(str(path))
    assert "not a text YAML file (byte 0x00 at offset 15" in str(err)
    assert err.line == 2


def test_windows_1252_pound_sign_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.yaml"
    path.write_bytes("name: x\ncost: £5\n".encode("cp1252"))
    err = load_error(str(path))
    assert "byte 0xa3 at offset 14 is not UTF-8" in str(err)
    assert err.line == 2
    assert "UTF-8" in str(err)


def test_control_character_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bell.yaml"
    path.write_bytes(b"name: x\nnote: ding\x07\n")
    err = load_error(str(path))
    assert "0x07" in str(err) and err.line == 2
    assert_plain(err)


@pytest.mark.parametrize("text", ["", "\n\n", "# just a comment\n# and another\n", "---\n", "~\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    err = load_error(write(tmp_path, "e.yaml", text) if text.strip() else _raw(tmp_path, text))
    assert "the file is empty; a scenario is a YAML mapping such as `name: ...`" in str(err)


def _raw(folder: Path, text: str) -> str:
    path = folder / "raw.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("text", "found"), [("- a\n- b\n", "a list"), ("hello\n", "the value 'hello'")]
)
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str, found: str) -> None:
    err = load_error(write(tmp_path, "l.yaml", text))
    assert "top level of a scenario file must be a mapping" in str(err)
    assert found in str(err)
    assert err.line == 1


def test_syntax_error_has_line_column_and_plain_words(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.yaml",
        """
        name: x
        sites:
          a:
            beds: 4
           theatres: 2
        """,
    )
    err = load_error(path)
    assert err.line == 5
    assert str(err).startswith(f"{path}, line 5, column 4: YAML syntax error: ")
    assert "indentation" in str(err)
    assert_plain(err)


def test_missing_colon_syntax_error(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, "s.yaml", "name: x\nsites\nbeds: 3\n"))
    assert "could not find expected ':'" in str(err)
    assert "line 3" in str(err)
    assert_plain(err)


def test_tab_indentation_gets_a_hint(tmp_path: Path) -> None:
    err = load_error(_raw(tmp_path, "sites:\n\tbeds: 3\n"))
    assert "tab" in str(err) and err.line == 2
    assert_plain(err)


def test_two_documents_are_rejected(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, "two.yaml", "name: a\n---\nname: b\n"))
    assert "more than one YAML document" in str(err) and "---" in str(err)
    assert err.line == 2


def test_undefined_alias(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, "u.yaml", "name: x\nbeds: *nothing\n"))
    assert "undefined alias" in str(err) and err.line == 2


def test_missing_file_and_folder(tmp_path: Path) -> None:
    err = load_error(str(tmp_path / "nope.yaml"))
    assert "does not exist" in str(err) and "nope.yaml" in str(err)
    err = load_error(str(tmp_path))
    assert "folder" in str(err)


# ----------------------------------------------------------------------------
# extends
# ----------------------------------------------------------------------------


def test_extends_deep_merge(tmp_path: Path) -> None:
    base = write(
        tmp_path,
        "common/base.yaml",
        """
        name: base
        seed: 1
        sites:
          sandwell:
            beds:
              general: 40
              critical_care: 6
            theatres: [t1, t2, t3]
          city:
            beds:
              general: 10
        policies:
          mutual_aid: {enabled: true}
        """,
    )
    child = write(
        tmp_path,
        "scenarios/more_beds.yaml",
        """
        extends: ../common/base.yaml
        name: more beds
        sites:
          sandwell:
            beds:
              general: 50
            theatres: [t9]
        policies: null
        """,
    )
    loaded = load_yaml_document(child)
    assert loaded.data == {
        "name": "more beds",
        "seed": 1,
        "sites": {
            "sandwell": {"beds": {"general": 50, "critical_care": 6}, "theatres": ["t9"]},
            "city": {"beds": {"general": 10}},
        },
    }
    assert "extends" not in loaded.data
    assert loaded.files == (child, os.path.normpath(base))
    locs = loaded.locations
    # Child values point at the child file ...
    assert locs[("sites", "sandwell", "beds", "general")] == Location(child, 6, 7)
    assert locs[("name",)] == Location(child, 2, 1)
    assert locs[("sites", "sandwell", "theatres", 0)].file == child
    assert ("sites", "sandwell", "theatres", 2) not in locs  # the list was replaced
    assert ("policies",) not in locs  # null deletes the key ...
    assert ("policies", "mutual_aid") not in locs  # ... and everything under it
    # ... parent-only values keep the parent's file and line.
    base_file = os.path.normpath(base)
    assert locs[("sites", "sandwell", "beds", "critical_care")] == Location(base_file, 7, 7)
    assert locs[("seed",)] == Location(base_file, 2, 1)
    assert locs[("sites", "city", "beds", "general")] == Location(base_file, 11, 7)
    assert not any(p and p[0] == "extends" for p in locs)


def test_extends_list_merges_left_to_right(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "x: 1\ny: {p: 1, q: 1}\n")
    write(tmp_path, "b.yaml", "x: 2\ny: {q: 2}\nz: 2\n")
    child = write(tmp_path, "c.yaml", "extends: [a.yaml, b.yaml]\nz: 3\n")
    loaded = load_yaml_document(child)
    assert loaded.data == {"x": 2, "y": {"p": 1, "q": 2}, "z": 3}
    assert loaded.locations[("y", "p")].file.endswith("a.yaml")
    assert loaded.locations[("y", "q")].file.endswith("b.yaml")
    assert [os.path.basename(f) for f in loaded.files] == ["c.yaml", "a.yaml", "b.yaml"]


def test_extends_chain_and_diamond(tmp_path: Path) -> None:
    write(tmp_path, "root.yaml", "x: 0\nr: root\n")
    write(tmp_path, "a.yaml", "extends: root.yaml\nx: 1\n")
    write(tmp_path, "b.yaml", "extends: root.yaml\nx: 2\n")
    loaded = load_yaml_document(write(tmp_path, "c.yaml", "extends: [a.yaml, b.yaml]\n"))
    assert loaded.data == {"x": 2, "r": "root"}
    assert [os.path.basename(f) for f in loaded.files] == [
        "c.yaml",
        "a.yaml",
        "root.yaml",
        "b.yaml",
    ]


def test_extends_cycle_lists_the_chain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a.yaml", "name: a\nextends: b.yaml\n")
    write(tmp_path, "b.yaml", "extends: a.yaml\n")
    err = load_error("a.yaml")
    assert "a.yaml -> b.yaml -> a.yaml" in str(err)
    assert err.file == "b.yaml" and err.line == 1


def test_extends_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a.yaml", "extends: ./a.yaml\n")
    err = load_error("a.yaml")
    assert "a.yaml -> a.yaml" in str(err)


def test_missing_extends_file_names_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "scenarios/bc.yaml", "name: x\nseed: 2\nextends: [base.yaml, gone.yaml]\n")
    write(tmp_path, "scenarios/base.yaml", "seed: 1\n")
    err = load_error("scenarios/bc.yaml")
    assert err.file == "scenarios/bc.yaml" and err.line == 3
    assert str(err).startswith("scenarios/bc.yaml, line 3, field extends[1]: ")
    assert "'gone.yaml'" in str(err) and "scenarios/gone.yaml" in str(err)


def test_extends_must_be_a_name(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, "a.yaml", "name: x\nextends: {file: b.yaml}\n"))
    assert err.line == 2 and err.field == "extends"


def test_extends_depth_limit(tmp_path: Path) -> None:
    for i in range(25):
        write(tmp_path, f"f{i}.yaml", f"extends: f{i + 1}.yaml\nv{i}: {i}\n")
    write(tmp_path, "f25.yaml", "end: true\n")
    err = load_error(str(tmp_path / "f0.yaml"))
    assert "more than 20 files deep" in str(err)


def test_error_in_parent_names_the_parent(tmp_path: Path) -> None:
    parent = write(tmp_path, "base.yaml", "name: x\nname: y\n")
    child = write(tmp_path, "child.yaml", "extends: base.yaml\n")
    err = load_error(child)
    assert err.file == os.path.normpath(parent) and err.line == 2
    assert str(err).endswith(f"(this file is read because {child}, line 1 extends it).")


@pytest.mark.parametrize(
    ("parent", "words"),
    [
        (b"\x89PNG\r\n\x1a\n", "not a text YAML file"),
        (b"", "the file is empty"),
        (b"- a\n- b\n", "holds a list"),
        ("a secret line\n" * 200, "one text value of 2,799 characters"),
    ],
)
def test_extending_something_that_is_not_a_scenario_blames_the_extends_line(
    tmp_path: Path, parent: bytes | str, words: str
) -> None:
    target = tmp_path / "notes.txt"
    if isinstance(parent, str):
        target.write_text(parent, encoding="utf-8")
    else:
        target.write_bytes(parent)
    child = write(tmp_path, "child.yaml", "name: x\nextends: notes.txt\n")
    err = load_error(child)
    assert (err.file, err.line, err.field) == (child, 2, "extends")
    assert "the file to extend, 'notes.txt', is not a scenario" in str(err)
    assert words in str(err) and "secret" not in str(err)


def test_resolve_path() -> None:
    assert resolve_path("scenarios/bc.yaml", "base.yaml") == os.path.join("scenarios", "base.yaml")
    assert resolve_path("bc.yaml", "base.yaml") == "base.yaml"
    assert resolve_path("scenarios/bc.yaml", "../data/x.csv") == os.path.join("data", "x.csv")
    absolute = os.path.abspath("/tmp/x.csv")
    assert resolve_path("scenarios/bc.yaml", absolute) == absolute


def test_aliased_values_are_not_shared_objects(tmp_path: Path) -> None:
    loaded = load_yaml_document(write(tmp_path, "a.yaml", "a: &x {b: [1]}\nc: *x\n"))
    assert loaded.data["a"] == loaded.data["c"]
    assert loaded.data["a"] is not loaded.data["c"]
    assert loaded.data["a"]["b"] is not loaded.data["c"]["b"]


# ----------------------------------------------------------------------------
# Numbers YAML 1.1 reads in another base
# ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("010", "010 starts with a zero, so YAML reads it as an octal number (8); write 10"),
        ("-007", "octal number (-7); write -7"),
        ("0x1A", "0x1A is written in hexadecimal, which YAML reads as 26"),
        ("0b101", "0b101 is written in binary, which YAML reads as 5"),
        ("1:30", "YAML reads 1:30 as a base-60 number (90)"),
        ("1:30.5", "YAML reads 1:30.5 as a base-60 number (90.5)"),
    ],
)
def test_numbers_in_another_base_are_refused(tmp_path: Path, written: str, words: str) -> None:
    for text in (f"name: x\nbeds: {written}\n", f"name: x\n{written}: 1\n"):
        err = load_error(write(tmp_path, "a.yaml", text))
        assert err.line == 2 and words in str(err), str(err)


@pytest.mark.parametrize(
    ("written", "value"),
    [("0", 0), ("-0", 0), ("+7", 7), ("1_000", 1000), ("10", 10), ("0.5", 0.5), ("012.5", 12.5)],
)
def test_decimal_numbers_are_read(tmp_path: Path, written: str, value: float) -> None:
    loaded = load_yaml_document(write(tmp_path, "a.yaml", f"beds: {written}\n"))
    assert loaded.data["beds"] == value


@pytest.mark.parametrize("written", ["<<", "="])
def test_merge_and_value_signs_are_text_as_values(tmp_path: Path, written: str) -> None:
    text = f"name: {written}\nlist: [{written}]\n"
    loaded = load_yaml_document(write(tmp_path, "a.yaml", text))
    assert loaded.data == {"name": written, "list": [written]}


# ----------------------------------------------------------------------------
# Encodings
# ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "words"),
    [
        ("utf-32", "the file is saved as UTF-32 text; save it as UTF-8"),
        ("utf-32-be", "the file looks like UTF-32 text (every character takes 4 bytes)"),
        ("utf-32-le", "the file looks like UTF-32 text"),
        ("utf-16-le", "the file looks like UTF-16 text (every character takes 2 bytes)"),
        ("utf-16-be", "the file looks like UTF-16 text"),
    ],
)
def test_wide_encodings_say_save_as_utf8(tmp_path: Path, encoding: str, words: str) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes("name: x\nhorizon: 8 weeks\n".encode(encoding))
    err = load_error(str(path))
    assert words in str(err) and "UTF-8" in str(err)


# ----------------------------------------------------------------------------
# LibYAML (fast) and PyYAML read every file alike
# ----------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
EVERY_FILE = sorted(
    str(p.relative_to(ROOT))
    for folder in ("scenarios", "tests/bad_scenarios", "tests/odd_scenarios")
    for p in (ROOT / folder).rglob("*")
    if p.suffix in (".yaml", ".json") and p.name != "expected.yaml"
)


def _outcome(path: str) -> object:
    try:
        loaded = load_yaml_document(path)
    except ScenarioError as err:
        return ("error", err.message)
    locations = {p: loaded.locations.get(p) for p in loaded.locations}
    return (loaded.data, locations, loaded.files, loaded.removed)


@pytest.mark.skipif(not yamlio.yaml.__with_libyaml__, reason="PyYAML has no LibYAML here")
def test_libyaml_and_pyyaml_read_every_file_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert len(EVERY_FILE) > 100
    fast = {f: _outcome(f) for f in EVERY_FILE}
    monkeypatch.setattr(yamlio, "_FastLoader", None)
    for f in EVERY_FILE:
        assert _outcome(f) == fast[f], f


def test_a_long_list_keeps_the_line_of_every_item(tmp_path: Path) -> None:
    values = "".join(f"  - {i} min\n" for i in range(5000))
    loaded = load_yaml_document(write(tmp_path, "a.yaml", "name: x\nvalues:\n" + values))
    assert loaded.locations[("values", 0)].line == 3
    assert loaded.locations[("values", 4321)].line == 4324
    assert loaded.locations.get(("values", 5000)) is None
    assert loaded.location_for(("values", 4321, "deeper")).line == 4324
    # A child that replaces the list drops the parent's lines.
    child = write(tmp_path, "b.yaml", "extends: a.yaml\nvalues: [1 min]\n")
    loaded = load_yaml_document(child)
    assert loaded.locations[("values", 0)].file == child
    assert loaded.locations.get(("values", 4321)) is None
