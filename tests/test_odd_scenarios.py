"""Odd but valid files: accepted, and a replication of each runs without a warning.

``tests/odd_scenarios/`` holds files a new user wrote that hubsim must accept (issue 15):
tab-indented JSON, the values ``<<`` and ``=``, names that look like rich markup or hold
terminal escapes, anchors merged with ``<<``, the latest start date whose run still fits
the dates results can hold, and a CSV saved by Excel. Each is loaded, checked for what it
says, and run for one replication with every warning an error (a numpy RuntimeWarning
printed to a planner is a defect).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import sim
from sim.text import printable, shown

ODD = Path(__file__).resolve().parent / "odd_scenarios"
BASE = Path(__file__).resolve().parent / "bad_scenarios" / "parts" / "valid_base.yaml"
FILES = sorted(p.name for p in ODD.iterdir() if p.suffix in (".yaml", ".json"))


def test_the_odd_corpus_is_there() -> None:
    assert len(FILES) >= 7, FILES


@pytest.mark.parametrize("name", FILES)
def test_odd_file_is_accepted_and_runs_without_warnings(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sc = sim.load_scenario(ODD / name)
        results = sim.run(sc, reps=1, seed=1)
        assert results.summary["n"].max() == 1
        dates = results.timeseries["date"]
        assert dates.min().date() >= sc.start_date


def test_tab_indented_json_reads_as_its_yaml_twin() -> None:
    json_sc = sim.load_scenario(ODD / "tab_indented.json")
    yaml_sc = sim.load_scenario(BASE)
    assert json_sc.model_copy(update={"name": yaml_sc.name}) == yaml_sc


def test_tab_indented_json_is_read_without_libyaml(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """PyYAML alone refuses tabs even between JSON's tokens; valid JSON is read anyway,
    while the same tabs in a file that is not JSON are still refused."""
    import sim.scenario.yamlio as yamlio

    monkeypatch.setattr(yamlio, "_FastLoader", None)
    assert sim.load_scenario(ODD / "tab_indented.json").name == "tab-indented JSON"
    text = (ODD / "tab_indented.json").read_text(encoding="utf-8")
    broken = tmp_path / "almost.json"
    broken.write_text(text.replace('"name"', "name", 1), encoding="utf-8")
    with pytest.raises(sim.ScenarioError, match="tab character"):
        sim.load_scenario(broken)


def test_merge_and_plain_numbers() -> None:
    sc = sim.load_scenario(ODD / "merge_keys.yaml")
    assert (sc.sites["sandwell"].beds.general, sc.sites["sandwell"].beds.elective) == (12, 6)
    assert (sc.sites["new_cross"].beds.general, sc.sites["new_cross"].beds.elective) == (12, 0)


def test_merge_key_and_equals_sign_are_text() -> None:
    sc = sim.load_scenario(ODD / "name_is_merge_key.yaml")
    assert (sc.name, sc.description) == ("<<", "=")


def test_names_keep_their_characters_and_print_escaped() -> None:
    sc = sim.load_scenario(ODD / "names_with_escapes.yaml")
    assert sc.name.startswith("\x1b]0;pwned\x07")
    assert printable(sc.name) == "\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31mred"
    assert printable(sc.trusts["SWB"].name) == "Sandwell \\u202eevil"
    assert printable(sc.sites["sandwell"].name) == "\\x9b2J CSI"
    assert printable(sc.procedures["hip"].name) == "line one\\nline two"
    for text in (sc.name, sc.trusts["SWB"].name, sc.sites["sandwell"].name):
        assert printable(text).isprintable()


def test_markup_names_are_kept_as_written() -> None:
    sc = sim.load_scenario(ODD / "names_with_markup.yaml")
    assert sc.name == "a [/] b [bold red]loud[/] c [link=file:///etc/passwd]link"
    assert printable(sc.name) == sc.name  # markup is the command line's business


def test_excel_csv() -> None:
    sc = sim.load_scenario(ODD / "backlog_bom_crlf.yaml")
    rows = [tuple(r) for r in sc.initial_waiting_list.rows]
    assert rows == [("sandwell", "hip", "P4", 12.0, 1), ("new_cross", "hip", "P2", 8.5, None)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", "'plain'"),
        ("9" * 5000, "'" + "9" * 59 + "…' (5,000 characters)"),
        ("a\x1b[2Jb", "'a\\x1b[2Jb'"),
        ("\u202eabc", "'\\u202eabc'"),
        (10**70, "1" + "0" * 58 + "… (71 characters)"),
    ],
)
def test_shown_values_are_short_and_printable(value: object, expected: str) -> None:
    assert shown(value) == expected


def test_printable_keeps_letters_of_every_script() -> None:
    assert printable("Ysbyty Gwynedd – Ærø, Ελλάδα, Київ") == "Ysbyty Gwynedd – Ærø, Ελλάδα, Київ"
    assert printable("tab\there") == "tab\\there"


def test_the_odd_files_build_on_the_bad_corpus_base() -> None:
    for name in FILES:
        if name.endswith(".yaml"):
            text = (ODD / name).read_text(encoding="utf-8")
            assert "\nextends: ../bad_scenarios/parts/valid_base.yaml\n" in text, name
