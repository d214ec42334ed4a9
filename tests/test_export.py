"""Results to a spreadsheet: ``Results.to_excel`` and ``Comparison.to_excel`` write one
sheet per table with the KPI registry's labels, sites by name, shares and utilisation in
% and differences of shares in percentage points."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import sim


def rows(ws) -> list[dict[str, object]]:
    it = ws.iter_rows(values_only=True)
    head = next(it)
    return [dict(zip(head, r, strict=True)) for r in it]


def test_results_to_excel(demo_comparison: sim.Comparison, tmp_path: Path) -> None:
    res = demo_comparison.baseline
    path = res.to_excel(tmp_path / "run.xlsx")
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.sheetnames == ["KPIs", "Replications", "Time series", "Run", "Scenario"]
    kpis = rows(wb["KPIs"])
    by = {(r["KPI name"], r["site"]): r for r in kpis}
    ops = by["operations", "Whole collaborative"]
    assert ops["KPI"] == "Operations" and ops["unit"] == "patients"
    assert ops["mean"] == pytest.approx(res.kpi("operations")["mean"])
    # Utilisation (a fraction in summary.csv) is shown in %.
    util = by["theatre_utilisation", "Whole collaborative"]
    assert util["unit"] == "%" and util["KPI"] == "Theatre utilisation"
    assert util["mean"] == pytest.approx(100 * res.kpi("theatre_utilisation")["mean"])
    assert 0 < util["95% CI low"] <= util["mean"] <= util["95% CI high"] <= 100
    names = {s.name for s in res.scenario.sites.values() if s.name}
    assert names <= {r["site"] for r in kpis}  # sites by name, not id
    assert len(rows(wb["Replications"])) == len(res.replications)
    dates = {r["date"] for r in rows(wb["Time series"])}
    assert min(dates).date() >= res.scenario.start_date
    fields = {r["field"]: r["value"] for r in rows(wb["Scenario"])}
    assert fields["horizon"] == "16 weeks" or fields["horizon"].startswith("112")


def test_comparison_to_excel(demo_comparison: sim.Comparison, tmp_path: Path) -> None:
    path = demo_comparison.to_excel(tmp_path / "cmp.xlsx")
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.sheetnames == ["Differences", "KPIs"]
    diffs = {(r["KPI name"], r["site"]): r for r in rows(wb["Differences"])}
    share = diffs["pct_within_18_weeks", "Whole collaborative"]
    assert share["unit"] == "%" and share["difference unit"] == "pp"
    util = diffs["theatre_utilisation", "Whole collaborative"]
    assert util["difference unit"] == "pp"
    d = demo_comparison.differences().set_index(["kpi", "site"])
    assert util["difference"] == pytest.approx(
        100 * d.loc[("theatre_utilisation", ""), "diff_mean"]
    )
    ops = diffs["operations", "Whole collaborative"]
    assert ops["difference unit"] == "patients"
    assert ops["interval excludes 0"] == bool(d.loc[("operations", ""), "excludes_zero"])
    scenarios = {r["scenario"] for r in rows(wb["KPIs"])}
    assert scenarios == set(demo_comparison.names)
