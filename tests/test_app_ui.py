"""The browser app's page in-process (Streamlit's AppTest): edit, see problems beside their
fields and the changes, upload, run, compare and download, without a browser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from builders import ROOT

try:
    from streamlit.testing.v1 import AppTest
except ImportError:  # pragma: no cover - the app extra is not installed
    if os.environ.get("CI") == "true":
        raise
    pytest.skip(
        "the app's libraries are not installed (python3 tasks.py app)", allow_module_level=True
    )

MAIN = ROOT / "sim" / "app" / "main.py"
SCENARIOS = ROOT / "tests" / "app_scenarios"
BEDS = "g1|sites.hub.beds.elective"


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AppTest:
    monkeypatch.setenv("HUBSIM_APP_SCENARIOS", str(SCENARIOS))
    monkeypatch.setenv("HUBSIM_APP_WORKDIR", str(tmp_path))
    app = AppTest.from_file(str(MAIN), default_timeout=120)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def tables_text(at: AppTest) -> str:
    return "\n".join(t.value.to_string() for t in at.table)


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]  # the sidebar's too


def test_the_page_shows_the_scenario_and_its_capacity(at: AppTest) -> None:
    assert [t.value for t in at.title] == ["Tiny hub"]
    assert errors(at) == []
    assert "Elective Hub" in tables_text(at) and "load (%)" in tables_text(at)
    labels = {w.label for w in at.number_input}
    assert {"General beds", "Ring-fenced elective beds", "Emergency admissions a day"} <= labels
    assert {"Horizon (warm-up included)", "Bed turnaround", "Late start"} <= {
        w.label for w in at.text_input
    }
    assert {"Booking order", "No free bed: the patient"} <= {w.label for w in at.selectbox}
    # sessions of each site, referrals, procedures, routing, sites and trusts
    keys = {d.key for d in at.data_editor}
    assert {"g1|table|sessions|acute", "g1|table|referrals", "g1|table|routing"} <= keys


def test_a_changed_bed_count_is_listed_and_a_wrong_one_explained(at: AppTest) -> None:
    at.number_input(key=BEDS).set_value(20).run()
    assert errors(at) == []
    assert "sites.hub.beds.elective" in tables_text(at)
    assert not at.button(key="run").disabled
    at.number_input(key=BEDS).set_value(-3).run()
    found = errors(at)
    assert "field sites.hub.beds.elective: expected a number of at least 0, got -3." in found
    assert any(e.startswith("1 problem in the scenario") for e in found)
    assert at.button(key="run").disabled


def test_a_table_edit_reaches_the_scenario(at: AppTest) -> None:
    at.session_state["g1|table|referrals"] = {
        "edited_rows": {0: {"hip": 9.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert errors(at) == []
    text = tables_text(at)
    assert "demand.referrals.acute.hip.per_week" in text
    assert "list will grow" in text  # the hub's theatres cannot keep up with 9 hips a week


def test_an_uploaded_scenario_cannot_reach_outside_its_folder(at: AppTest) -> None:
    at.sidebar.radio(key="source").set_value("My own scenario file").run()
    at.sidebar.file_uploader(key="upload").set_value(
        ("mine.yaml", b"name: mine\nextends: /etc/passwd\n", "application/x-yaml")
    ).run()
    (message,) = errors(at)
    assert message.startswith("mine.yaml, line 2, field extends: '/etc/passwd' is outside")
    tiny = (SCENARIOS / "tiny_hub.yaml").read_bytes()
    at.sidebar.file_uploader(key="upload").set_value(
        [
            ("tiny_hub.yaml", tiny, "application/x-yaml"),
            ("more.yaml", b"extends: tiny_hub.yaml\nname: More beds\n", "application/x-yaml"),
        ]
    ).run()
    at.sidebar.selectbox(key="upload_main").set_value("more.yaml").run()
    assert errors(at) == []
    assert [t.value for t in at.title] == ["More beds"]


def test_runs_are_kept_compared_and_offered_for_download(at: AppTest) -> None:
    at.number_input(key="reps").set_value(2)
    at.number_input(key="workers").set_value(1)
    at.button(key="run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Operations" in tables_text(at)
    assert len(at.image) >= 4
    at.number_input(key=BEDS).set_value(4).run()
    at.button(key="run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="compare_ids").value == ["run1", "run2"]
    text = tables_text(at)
    assert "Tiny hub (2): difference" in text
    assert "Tiny hub (2): load (%)" in text
    assert "Tiny hub (2): ring-fenced beds" in text
    kept = [c.value for c in at.sidebar.caption]
    assert "run1: Tiny hub — 2 replications, seed 1" in kept
    assert "run2: Tiny hub (2) — 2 replications, seed 1" in kept
    captions = " ".join(c for i in at.image for c in i.captions)
    assert "Forest plot" in captions and "Waiting lists" in captions
    labels = {b.label for b in at.download_button}
    assert {
        "Scenario YAML (whole)",
        "Only the changes (extends tiny_hub.yaml)",
        "HTML report",
        "Results (CSV, zipped)",
        "Results (XLSX)",
        "Comparison HTML report",
        "Comparison (XLSX)",
    } <= labels
