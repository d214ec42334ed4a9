"""Demand, session plans and beds from CSV or XLSX sheets named in the YAML.

Each case writes a small scenario and its spreadsheet to ``tmp_path`` and loads it as a
planner would: the values arrive as if written in the YAML, and a problem in a sheet names
the file, sheet, row and column.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from builders import SCENARIOS, SMALL_ELECTIVE
from openpyxl import Workbook

import sim
from sim.scenario import sheets
from sim.scenario.load import scenario_dict


def write_yaml(folder: Path, data: dict, name: str = "sc.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def write_xlsx(path: Path, sheets_: dict[str, list[list]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets_.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


REFERRALS = [
    ["site", "procedure", "per_week"],
    ["a", "hip", 8],
    ["a", "scope", 10],
    ["b", "hip", 5],
    ["b", "scope", 6],
]
BEDS = [["site", "general", "elective", "turnaround"], ["a", 40, None, "2 hours"], ["b", 30]]
SESSIONS = [
    ["Site", "Theatre", "Days", "Slot", "Specialty"],
    ["a", "t1", "Mon, Tue, Wed, Thu, Fri", "all_day", "ortho"],
    ["b", "t1", "Mon Wed Friday", "all_day", "ortho"],
]


def with_sheets(**refs: dict) -> dict:
    data = copy.deepcopy(SMALL_ELECTIVE)
    if "referrals" in refs:
        data["demand"]["referrals"] = refs["referrals"]
    for site in ("a", "b"):
        for key in ("beds", "theatres"):
            if key in refs:
                data["sites"][site][key] = refs[key]
    return data


def problem(path: Path) -> str:
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(path)
    return str(err.value)


def test_the_shipped_workbook_scenario_is_the_status_quo() -> None:
    a = scenario_dict(sim.load_scenario(SCENARIOS / "black_country_ortho.yaml"))
    b = scenario_dict(sim.load_scenario(SCENARIOS / "black_country_ortho_sheets.yaml"))
    assert a.pop("name") != b.pop("name")
    assert a == b


def test_demand_sessions_and_beds_from_a_workbook(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "in.xlsx", {"referrals": REFERRALS, "beds": BEDS, "sessions": SESSIONS})
    ref = {"from_file": "in.xlsx"}
    path = write_yaml(
        tmp_path,
        with_sheets(
            referrals={**ref, "sheet": "referrals"},
            beds={**ref, "sheet": "beds"},
            theatres={**ref, "sheet": "sessions"},
        ),
    )
    got = scenario_dict(sim.load_scenario(path))
    want = scenario_dict(sim.validate_scenario(copy.deepcopy(SMALL_ELECTIVE)))
    assert got == want  # the same values as written in the YAML
    assert got["sites"]["b"]["theatres"]["t1"]["sessions"][0]["days"] == ["Mon", "Wed", "Fri"]


def test_demand_from_a_csv_beside_a_base_file(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    csv = "\n".join(",".join(str(c) for c in row) for row in REFERRALS)
    (tmp_path / "data" / "demand.csv").write_text(csv.replace("a,hip,8", "a,hip,11.5"))
    write_yaml(tmp_path, copy.deepcopy(SMALL_ELECTIVE), "base.yaml")
    child = {"extends": "base.yaml", "demand": {"referrals": {"from_file": "data/demand.csv"}}}
    sc = sim.load_scenario(write_yaml(tmp_path, child, "child.yaml"))
    assert sc.demand.referrals["a"]["hip"].per_week == 11.5  # the sheet replaced the base's
    # A file extending that one changes a value of the sheet with a value of its own.
    grand = {"extends": "child.yaml", "demand": {"referrals": {"b": {"hip": 2}}}}
    sc = sim.load_scenario(write_yaml(tmp_path, grand, "grand.yaml"))
    assert sc.demand.referrals["b"]["hip"].per_week == 2
    assert sc.demand.referrals["a"]["hip"].per_week == 11.5


def test_text_in_a_number_cell_names_row_and_column(tmp_path: Path) -> None:
    rows = [*REFERRALS[:3], ["b", "hip", "ten"], REFERRALS[4]]
    write_xlsx(tmp_path / "in.xlsx", {"referrals": rows})
    path = write_yaml(
        tmp_path, with_sheets(referrals={"from_file": "in.xlsx", "sheet": "referrals"})
    )
    assert problem(path) == (
        f"{tmp_path}/in.xlsx, sheet referrals, row 4, column C (per_week): expected referrals a "
        "week, got 'ten'."
    )


def test_a_wrong_header_says_what_is_missing(tmp_path: Path) -> None:
    rows = [["site", "procedure", "per_wk"], *REFERRALS[1:]]
    write_xlsx(tmp_path / "in.xlsx", {"referrals": rows})
    path = write_yaml(
        tmp_path, with_sheets(referrals={"from_file": "in.xlsx", "sheet": "referrals"})
    )
    text = problem(path)
    assert text.startswith(f"{tmp_path}/in.xlsx, sheet referrals: the first row should name")
    assert "missing 'per_week' (did you mean 'per_wk'?)" in text


def test_a_missing_sheet_and_a_missing_file(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "in.xlsx", {"referrals": REFERRALS})
    path = write_yaml(
        tmp_path, with_sheets(referrals={"from_file": "in.xlsx", "sheet": "referals"})
    )
    assert problem(path) == (
        f"{tmp_path}/in.xlsx: the workbook has no sheet 'referals'; did you mean 'referrals'?"
    )
    path = write_yaml(tmp_path, with_sheets(referrals={"from_file": "nowhere.xlsx"}))
    text = problem(path)
    assert text.startswith(f"{path}, line ") and "field demand.referrals.from_file" in text
    assert "the spreadsheet 'nowhere.xlsx' does not exist" in text


def test_a_value_the_model_refuses_is_placed_at_its_cell(tmp_path: Path) -> None:
    rows = [*REFERRALS[:2], ["a", "knee", 3], *REFERRALS[2:]]  # no such procedure
    (tmp_path / "d.csv").write_text("\n".join(",".join(map(str, r)) for r in rows))
    path = write_yaml(tmp_path, with_sheets(referrals={"from_file": "d.csv"}))
    text = problem(path)
    assert text.startswith(f"{tmp_path}/d.csv, line 3, column C (per_week), field ")
    assert "demand.referrals.a.knee" in text and "knee" in text


def test_beds_and_sessions_problems(tmp_path: Path) -> None:
    write_xlsx(
        tmp_path / "in.xlsx",
        {
            "beds": [["site", "general"], ["a", 40], ["c", 30]],
            "sessions": [SESSIONS[0], SESSIONS[1], ["b", "t1", "Mon, Funday", "all_day", "ortho"]],
        },
    )
    path = write_yaml(tmp_path, with_sheets(beds={"from_file": "in.xlsx", "sheet": "beds"}))
    assert (
        problem(path)
        == f"{tmp_path}/in.xlsx, sheet beds: no row for the site 'b' (sites in it: a, c)."
    )
    path = write_yaml(tmp_path, with_sheets(theatres={"from_file": "in.xlsx", "sheet": "sessions"}))
    assert problem(path) == (
        f"{tmp_path}/in.xlsx, sheet sessions, row 3, column C (days): expected weekdays such "
        "as 'Mon, Wed', got 'Funday'."
    )


def test_from_file_only_where_a_sheet_can_stand(tmp_path: Path) -> None:
    data = copy.deepcopy(SMALL_ELECTIVE)
    data["procedures"] = {"from_file": "p.csv"}
    text = problem(write_yaml(tmp_path, data))
    assert "field procedures.from_file" in text and "not procedures" in text
    data = with_sheets(beds={"from_file": "b.csv", "general": 3})
    (tmp_path / "b.csv").write_text("general\n3\n")
    assert "names a sheet (from_file) and gives values too" in problem(write_yaml(tmp_path, data))
    data = with_sheets(beds={"from_file": "b.csv", "sheet": "x"})
    assert "a CSV file has no sheets" in problem(write_yaml(tmp_path, data))


def test_large_files_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "d.csv").write_text("\n".join(",".join(map(str, r)) for r in REFERRALS))
    monkeypatch.setattr(sheets, "MAX_BYTES", 20)
    assert "it may be at most" in problem(
        write_yaml(tmp_path, with_sheets(referrals={"from_file": "d.csv"}))
    )
    monkeypatch.setattr(sheets, "MAX_BYTES", 10**6)
    monkeypatch.setattr(sheets, "MAX_ROWS", 2)
    sheets._read_table.cache_clear()
    assert "more than 2 rows" in problem(
        write_yaml(tmp_path, with_sheets(referrals={"from_file": "d.csv"}))
    )


def test_an_upload_may_name_only_its_own_sheets(tmp_path: Path) -> None:
    from sim.app.uploads import confinement_problems

    data = with_sheets(referrals={"from_file": "../elsewhere/demand.xlsx"})
    write_yaml(tmp_path, data)
    (problem_,) = confinement_problems(tmp_path)
    assert "field demand.referrals.from_file" in problem_ and "outside this upload" in problem_


def test_an_uploaded_scenario_reads_its_uploaded_workbook(tmp_path: Path) -> None:
    from sim.app.uploads import load_upload, save_uploads

    book = write_xlsx(tmp_path / "in.xlsx", {"referrals": REFERRALS})
    text = yaml.safe_dump(with_sheets(referrals={"from_file": "in.xlsx", "sheet": "referrals"}))
    folder = save_uploads([("sc.yaml", text.encode()), ("in.xlsx", book.read_bytes())], tmp_path)
    sc = load_upload(folder / "sc.yaml", folder)
    assert sc.demand.referrals["b"]["scope"].per_week == 6


def test_a_scenario_built_in_code_reads_sheets_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_xlsx(
        tmp_path / "in.xlsx", {"referrals": REFERRALS, "bad": [*REFERRALS[:2], ["a", "scope", -1]]}
    )
    monkeypatch.chdir(tmp_path)
    sc = sim.validate_scenario(
        with_sheets(referrals={"from_file": "in.xlsx", "sheet": "referrals"})
    )
    assert sc.demand.referrals["a"]["scope"].per_week == 10
    with pytest.raises(sim.ScenarioError) as err:
        sim.validate_scenario(with_sheets(referrals={"from_file": "in.xlsx", "sheet": "bad"}))
    assert str(err.value).startswith("in.xlsx, sheet bad, row 3, column C (per_week), field ")
