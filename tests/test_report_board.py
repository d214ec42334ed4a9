"""The board-ready report of the demo comparison (reduced size): page one in plain English,
labels and units from the KPI registry, three significant figures, and the same report
as a printed PDF (at most 8 pages) and a Word document."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.report.document import Bullets, Table
from sim.report.pages import report_for
from sim.report.summary import finding, sig3


@pytest.fixture(scope="module")
def report(demo_folder: Path) -> sim.report.document.Report:
    return report_for(demo_folder)


def test_page_one_is_a_summary(report, demo_comparison: sim.Comparison) -> None:
    first = report.sections[0]
    assert first.title == "Summary" and first.page_break and first.printed
    (table,) = [b for b in first.blocks if isinstance(b, Table)]
    kpis = [r.data["kpi"] for r in table.rows]
    assert kpis == sim.KPIS.headline()[:5]
    labels = [r.cells[0] for r in table.rows]
    assert labels[0] == "Operations (patients)"
    assert labels[-1] == "Share waiting under 18 weeks (%)"
    assert not any("_" in x for x in labels)  # registry labels, never snake_case
    # Three significant figures, the difference of a share in the table's pp column.
    d = demo_comparison.differences().set_index(["kpi", "site"])
    share = table.rows[-1].cells[3]
    assert share.text == sig3(d.loc[("pct_within_18_weeks", ""), "diff_mean"], True)
    findings = [b for b in first.blocks if isinstance(b, Bullets) and b.cls == "findings"]
    assert len(findings) == 1 and len(findings[0].items) == 5
    assert "pp" in findings[0].items[4] and "%" not in findings[0].items[4].split("pp")[0][-3:]
    changes = [b for b in first.blocks if isinstance(b, Bullets) and b.cls == "changes"]
    assert any("theatres" in item for item in changes[0].items)
    text = " ".join(getattr(b, "text", "") for b in first.blocks)
    assert "60 more ward beds" in text  # the capacity, in words


def test_a_difference_is_stated_only_when_its_interval_excludes_zero() -> None:
    base = {"diff_mean": 2.5, "diff_ci_low": 1.0, "diff_ci_high": 4.0, "excludes_zero": True,
            "baseline_mean": 50.0}  # fmt: skip

    def row(**changes: object) -> pd.Series:
        return pd.Series({**base, **changes})

    text = finding("pct_within_18_weeks", "Hubs", row())
    assert text == (
        "Share waiting under 18 weeks: higher with 'Hubs' than with the baseline, by 2.50 pp "
        "(95% CI +1.00 to +4.00 pp), better."
    )
    text = finding(
        "operations",
        "Hubs",
        row(diff_mean=-120.0, diff_ci_low=-130.0, diff_ci_high=-110.0, baseline_mean=4000.0),
    )
    assert text.startswith("Operations: lower with 'Hubs' than with the baseline, by 120 "
                           "patients (-3.00%)") and text.endswith(", worse.")  # fmt: skip
    unsure = row(diff_ci_low=-1.0, excludes_zero=False)
    text = finding("pct_within_18_weeks", "Hubs", unsure)
    assert text.startswith("Share waiting under 18 weeks: no difference the replications can")
    assert "higher" not in text and "better" not in text
    # Utilisation is a fraction in summary.csv, shown in % and its differences in pp.
    util = row(diff_mean=0.0512, diff_ci_low=0.03, diff_ci_high=0.07)
    assert "by 5.12 pp (95% CI +3.00 to +7.00 pp)" in finding("theatre_utilisation", "H", util)


def test_numbers_have_three_significant_figures(report) -> None:
    cells = [
        c.text
        for s in report.printed().sections
        for b in s.blocks
        if isinstance(b, Table) and b.cls in ("summary", "comparison")
        for r in b.rows
        for c in r.cells[1:]
    ]
    digits = [re.sub(r"[^0-9]", "", x.split(" ")[0]).lstrip("0") for x in cells]
    assert cells and all(len(d.rstrip("0")) <= 3 for d in digits), cells
