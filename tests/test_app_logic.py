"""The browser app's logic without a browser or Streamlit: forms to scenario and back,
problems beside their fields with the CLI's messages, what changed, the capacity check,
uploads confined to their folder, running with progress, and the downloads."""

from __future__ import annotations

import copy
import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from builders import ROOT, SCENARIOS

import sim
from sim.app import capacity, changes, downloads, form, runs, uploads
from sim.app.launch import HOST, streamlit_command

TINY = ROOT / "tests" / "app_scenarios" / "tiny_hub.yaml"


@pytest.fixture(scope="module")
def tiny() -> sim.Scenario:
    return sim.load_scenario(TINY)


def all_tables(data: dict, rates: dict) -> form.Edits:
    """The edits of a form nobody has touched: every table as drawn."""
    return form.Edits(
        trusts=form.trusts_frame(data),
        sites=form.sites_frame(data),
        sessions={sid: form.sessions_frame(s) for sid, s in data["sites"].items()},
        referrals=form.referrals_frame(data, rates),
        procedures=form.procedures_frame(data),
        routing=form.routing_frame(data),
    )


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_untouched_forms_give_the_scenario_back(path: Path) -> None:
    """Drawing every table of a shipped scenario and reading it back changes nothing."""
    sc = sim.load_scenario(path)
    data = form.plain(sc)
    rates = form.weekly_rates(sc)
    built, problems = form.build(data, all_tables(data, rates), rates)
    assert problems == []
    checked = form.check(built)
    assert checked.ok, checked.problems
    assert sim.scenario_hash(checked.scenario) == sim.scenario_hash(sc)
    assert changes.changes(data, form.plain(checked.scenario)).empty


def test_edits_reach_the_scenario(tiny: sim.Scenario) -> None:
    data = form.plain(tiny)
    rates = form.weekly_rates(tiny)
    edits = all_tables(data, rates)
    edits.values[("sites", "hub", "beds", "elective")] = 20
    edits.text_values[("policies", "theatre_day", "turnover")] = "25 min"
    s = edits.sessions["hub"]
    edits.sessions["hub"] = pd.concat(
        [s, pd.DataFrame([["hub2", 1, ["Mon", "Fri"], "AM", "ortho", "", ""]], columns=s.columns)]
    )
    edits.referrals.loc[edits.referrals.site == "acute", "hip"] = 9.0
    edits.routing.at[0, "to"] = ["hub", "acute"]
    edits.routing.at[0, "choose"] = "shortest_list"
    built, problems = form.build(data, edits, rates)
    assert problems == []
    sc = form.check(built).scenario
    assert sc is not None
    assert sc.sites["hub"].beds.elective == 20
    assert sc.policies.theatre_day.turnover == pytest.approx(25 / 1440)
    assert [p.days for p in sc.sites["hub"].theatres["hub2"].sessions] == [["Mon", "Fri"]]
    assert sc.demand.referrals["acute"]["hip"].per_week == 9.0
    assert sc.policies.routing[0].to == ["hub", "acute"]
    diff = changes.changes(data, form.plain(sc)).set_index("field")
    assert diff.loc["sites.hub.beds.elective"].tolist() == ["12", "20"]
    assert diff.loc["demand.referrals.acute.hip.per_week"].tolist() == ["6.0", "9.0"]
    assert "sites.hub.theatres.hub2.sessions[0].days" in diff.index
    assert diff.loc["sites.hub.theatres.hub2.sessions[0].days", "base"] == changes.ABSENT


def test_problems_sit_beside_their_fields_with_the_cli_messages(
    tiny: sim.Scenario, tmp_path: Path
) -> None:
    data = form.plain(tiny)
    slots = [
        "sites.hub.beds.elective",
        "sites.hub.beds",
        "sites.acute.beds.turnaround",
        "sites.acute.theatres",
        "sites",
    ]
    # Field problems first (as the CLI, cross-references are checked once fields are right).
    edits = form.Edits()
    edits.values[("sites", "hub", "beds", "elective")] = -3
    edits.text_values[("sites", "acute", "beds", "turnaround")] = "2 hourz"
    built, found = form.build(data, edits)
    checked = form.check(built, found)
    assert not checked.ok
    placed = form.place(checked.problems, slots)
    (beds,) = placed.pop("sites.hub.beds.elective")
    (turnaround,) = placed.pop("sites.acute.beds.turnaround")
    assert placed == {}
    edits = form.Edits()
    s = form.sessions_frame(data["sites"]["acute"])
    s.at[0, "specialty"] = "orthp"
    edits.sessions["acute"] = s
    built, found = form.build(data, edits)
    placed = form.place(form.check(built, found).problems, slots)
    (specialty,) = placed.pop("sites.acute.theatres")
    assert "did you mean 'ortho'" in specialty
    assert placed == {}
    # The same edits in files: the CLI's messages end with the app's.
    bad = copy.deepcopy(data)
    bad["sites"]["hub"]["beds"]["elective"] = -3
    bad["sites"]["acute"]["beds"]["turnaround"] = "2 hourz"
    wrong = copy.deepcopy(data)
    wrong["sites"]["acute"]["theatres"]["main"]["sessions"][0]["specialty"] = "orthp"
    for name, scenario, messages in (
        ("bad", bad, (beds, turnaround)),
        ("wrong", wrong, (specialty,)),
    ):
        file = tmp_path / f"{name}.yaml"
        file.write_text(changes.scenario_yaml(scenario))
        cli = subprocess.run(
            [sys.executable, "-m", "sim", "validate", str(file)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert cli.returncode == 2
        text = " ".join(cli.stderr.split())
        for message in messages:
            assert " ".join(message.split()) in text


def test_form_only_problems_are_placed_too(tiny: sim.Scenario) -> None:
    data = form.plain(tiny)
    edits = form.Edits()
    s = form.sessions_frame(data["sites"]["acute"])
    s = pd.concat([s, s.assign(count=2)], ignore_index=True)  # one theatre, two counts
    edits.sessions["acute"] = s
    edits.text_values[("horizon",)] = "{dist: [unclosed"
    built, found = form.build(data, edits)
    placed = form.place(form.check(built, found).problems, ["sites.acute.theatres", "horizon"])
    assert "different counts (1, 2)" in placed["sites.acute.theatres"][0]
    assert "cannot be read as YAML" in placed["horizon"][0]


def test_adding_and_removing_sites(tiny: sim.Scenario) -> None:
    data = form.plain(tiny)
    assert (
        form.check_new_name("hub", data["sites"], "site") == "there is already a site called 'hub'"
    )
    assert "letters, digits" in form.check_new_name("new hub", data["sites"], "site")
    more = form.add_site(data, "hub2", "hub")
    sc = form.check(more).scenario
    assert sc is not None and sc.sites["hub2"].beds.elective == 12
    fewer = form.remove_site(data, "hub")
    problems = form.check(fewer).problems
    assert any(p.field == "policies.routing[0].to[0]" for p in problems)


def test_capacity_check(tiny: sim.Scenario) -> None:
    t = capacity.capacity_check(tiny).set_index("site")
    hub = t.loc["Elective Hub"]
    # 6 hips a week routed to the hub; 2 all-day sessions (16 hours) booked to 95% hold
    # (456 + 20) / (100 + 20) cases each (100 min planned, 20 min turnover): the same figures
    # as sim.capacity_check (hubsim validate).
    cases = 2 * 476 / 120
    assert hub["referrals a week"] == 6.0
    assert hub["cases booked a week"] == pytest.approx(cases, abs=0.05)
    assert hub["session hours a week"] == 16.0
    assert hub["load (%)"] == pytest.approx(100 * 6 / cases, abs=0.05)
    assert hub["verdict"] == "enough"
    lists = {(lc.site, lc.specialty): lc for lc in sim.capacity_check(tiny).lists}
    assert hub["load (%)"] == round(100 * lists[("hub", "ortho")].load, 1)
    assert capacity.bed_check(tiny).set_index("site").loc["Elective Hub", "ward beds"] > 0
    data = form.plain(tiny)
    data["demand"]["referrals"]["acute"]["hip"]["per_week"] = 9
    hub = capacity.capacity_check(form.check(data).scenario).set_index("site").loc["Elective Hub"]
    assert hub["verdict"] == "list will grow"


def test_changes_only_file_extends_the_base(tiny: sim.Scenario, tmp_path: Path) -> None:
    shutil.copy(TINY, tmp_path / TINY.name)
    data = form.plain(tiny)
    now = copy.deepcopy(data)
    now["sites"]["hub"]["beds"]["elective"] = 16
    del now["sites"]["hub"]["location"]
    now["policies"]["routing"][0]["choose"] = "shortest_list"
    text = changes.variant_yaml(TINY.name, data, now)
    assert "location: null" in text
    (tmp_path / "variant.yaml").write_text(text)
    loaded = sim.load_scenario(tmp_path / "variant.yaml")
    assert sim.scenario_hash(loaded) == sim.scenario_hash(form.check(now).scenario)


# -- uploads ------------------------------------------------------------------------------


def upload(tmp_path: Path, **files: str) -> Path:
    return uploads.save_uploads([(n, t.encode()) for n, t in files.items()], tmp_path)


@pytest.mark.parametrize(
    "reference",
    ["extends: /etc/passwd", "extends: ../x.yaml", "extends: [tiny.yaml, ../../x.yaml]",
     "initial_waiting_list: {csv: /etc/passwd}", "initial_waiting_list: {csv: ../list.csv}"],
)  # fmt: skip
def test_an_upload_cannot_reach_outside_its_folder(tmp_path: Path, reference: str) -> None:
    (tmp_path / "x.yaml").write_text(TINY.read_text())  # a real file just outside
    folder = upload(
        tmp_path, **{"mine.yaml": f"name: mine\n{reference}\n", "tiny.yaml": TINY.read_text()}
    )
    with pytest.raises(sim.ScenarioError) as err:
        uploads.load_upload(folder / "mine.yaml", folder)
    message = err.value.message
    assert message.startswith("mine.yaml, line 2, field ")
    assert "is outside this upload" in message
    assert "root:" not in message  # nothing of the file was read


def test_a_base_uploaded_with_its_variant_loads(tmp_path: Path) -> None:
    folder = upload(
        tmp_path,
        **{"tiny_hub.yaml": TINY.read_text(), "more_beds.yaml":
           "extends: tiny_hub.yaml\nname: more beds\nsites: {hub: {beds: {elective: 14}}}\n"},
    )  # fmt: skip
    sc = uploads.load_upload(folder / "more_beds.yaml", folder)
    assert sc.sites["hub"].beds.elective == 14
    # a mistake is reported with the uploaded file's own name
    (folder / "broken.yaml").write_text("extends: tiny_hub.yaml\nsites: {hub: {bedz: 1}}\n")
    with pytest.raises(sim.ScenarioError) as err:
        uploads.load_upload(folder / "broken.yaml", folder)
    assert err.value.message.startswith("broken.yaml, line 2, field sites.hub.bedz")
    assert str(folder) not in err.value.message


def test_upload_names_are_made_safe(tmp_path: Path) -> None:
    assert uploads.safe_name("../../etc/passwd") == "passwd"
    assert uploads.safe_name("C:\\Users\\me\\my scenario.yaml") == "my scenario.yaml"
    folder = upload(tmp_path, **{"../evil.yaml": "name: x\n"})
    assert [p.name for p in folder.iterdir()] == ["evil.yaml"]
    assert folder.parent.parent == tmp_path


# -- running and downloads ----------------------------------------------------------------


def test_run_with_progress_matches_one_run(tiny: sim.Scenario) -> None:
    seen = []
    res = runs.run_with_progress(
        tiny, reps=3, seed=4, workers=2, progress=lambda d, n: seen.append((d, n))
    )
    assert seen == [(0, 3), (2, 3), (3, 3)]
    one = sim.run(tiny, reps=3, seed=4)
    pd.testing.assert_frame_equal(res.summary, one.summary)
    assert res.manifest["reps"] == 3 and res.manifest["replications"] == [0, 1, 2]


def test_downloads(tiny: sim.Scenario, tmp_path: Path) -> None:
    res = sim.run(tiny, reps=2, seed=1)
    tables = downloads.result_tables(res)
    book = downloads.xlsx_bytes(tables)
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(book), read_only=True)
    assert wb.sheetnames == ["KPIs", "Replications", "Time series", "Run", "Scenario"]
    header = [c.value for c in next(wb["KPIs"].iter_rows(max_row=1))]
    assert header[:4] == ["KPI", "unit", "site", "mean"]
    labels = {r[0] for r in wb["KPIs"].iter_rows(min_row=2, values_only=True)}
    assert sim.KPIS.label("operations") in labels
    with zipfile.ZipFile(io.BytesIO(downloads.csv_zip_bytes(tables))) as zf:
        assert sorted(zf.namelist()) == sorted(
            ["kpis.csv", "replications.csv", "time_series.csv", "run.csv", "scenario.csv"]
        )
    run = runs.Run(id="run1", results=res, yaml_text="", source="tiny_hub.yaml", seconds=0.1)
    (html,) = [f for f in downloads.REPORT_FORMATS if f.suffix == ".html"]
    report = downloads.report_bytes(html, downloads.run_folder(run, tmp_path))
    assert b"<!DOCTYPE html>" in report and b"Tiny hub" in report
    other = sim.run(sim.validate_scenario({**form.plain(tiny), "name": "Tiny hub, more beds"}),
                    reps=2, seed=1)  # fmt: skip
    pair = [run, runs.Run(id="run2", results=other, yaml_text="", source="", seconds=0.1)]
    cmp = runs.compare_runs(pair)
    folder = downloads.comparison_folder(pair, cmp, tmp_path)
    report = downloads.report_bytes(html, folder)
    assert b"hubsim comparison" in report
    (word,) = [f for f in downloads.REPORT_FORMATS if f.suffix == ".docx"]
    assert word.unavailable() is None
    assert downloads.report_bytes(word, folder).startswith(b"PK")  # a .docx is a ZIP
    wb = openpyxl.load_workbook(io.BytesIO(downloads.xlsx_bytes(downloads.comparison_tables(cmp))))
    assert wb.sheetnames == ["Differences", "KPIs"]
    assert runs.differences_table(cmp).iloc[0, -1] == "0 (0 to 0)"  # same patients, same plan


def test_report_formats_slot_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert [f.suffix for f in downloads.REPORT_FORMATS] == [".html", ".pdf", ".docx"]
    (pdf,) = [f for f in downloads.REPORT_FORMATS if f.suffix == ".pdf"]
    monkeypatch.setenv("HUBSIM_CHROMIUM", str(tmp_path / "no-browser"))
    assert "needs headless Chromium" in (pdf.unavailable() or "")
    fmt = downloads.ReportFormat("Slides", ".pptx", "application/x-test", lambda f: f)
    before = list(downloads.REPORT_FORMATS)
    try:
        downloads.add_report_format(fmt)
        assert [f.suffix for f in downloads.REPORT_FORMATS] == [".html", ".pdf", ".docx", ".pptx"]
    finally:
        downloads.REPORT_FORMATS[:] = before


def test_sig3() -> None:
    assert [runs.sig3(x) for x in (18238.4, 58.62, 0.6943, 0.0, -4104)] == [
        "18,200", "58.6", "0.694", "0", "-4,100"
    ]  # fmt: skip
    assert runs.sig3(2.5, signed=True) == "+2.50"


def test_the_app_listens_on_loopback_only() -> None:
    cmd = streamlit_command(8765)
    assert HOST == "127.0.0.1"
    assert "--server.address=127.0.0.1" in cmd
    assert "--browser.gatherUsageStats=false" in cmd


def test_tornado_of_the_paired_difference_over_declared_assumptions() -> None:
    """The compare page's tornado: one bar per declared assumption, drawn from real
    sensitivity runs; a scenario with no assumptions gets the library's plain reason."""
    from builders import emergency_only

    from sim.scenario.load import scenario_dict

    loss = {"dist": "exponential", "mean": "4 days"}
    base = emergency_only(10, 2.0, loss, "divert", horizon="120 days", warm_up="20 days")
    data = scenario_dict(base)
    data["assumptions"] = {"sites.s.emergency.admissions_per_day": {
        "low": 1.5, "high": 2.5, "why": "assumption: a test range"}}  # fmt: skip
    other = sim.validate_scenario(data)
    png, note = runs.sensitivity_figure(other, base, "emergency_diverted", reps=2)
    assert png is not None and png.startswith(b"\x89PNG"), note
    assert "2 replications each" in note
    none, reason = runs.sensitivity_figure(base, None, "emergency_diverted", reps=2)
    assert none is None and "declares no assumptions" in reason
