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
from sim.report.summary import finding, run_finding, sig3


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


def test_a_run_says_whether_the_standard_is_met() -> None:
    share = pd.Series({"mean": 85.04, "ci_low": 84.0, "ci_high": 86.1})
    assert run_finding("pct_within_18_weeks", share) == (
        "Share waiting under 18 weeks: 85.0% (95% CI 84.0 to 86.1), below the 92% standard."
    )
    straddles = share.copy()
    straddles["ci_high"] = 93.0
    assert "standard" not in run_finding("pct_within_18_weeks", straddles)
    ops = pd.Series({"mean": 12345.6, "ci_low": 12001.0, "ci_high": 12689.0})
    assert (
        run_finding("operations", ops) == "Operations: 12,300 patients (95% CI 12,000 to 12,700)."
    )


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


# -- Word ------------------------------------------------------------------------------------


def test_docx_has_the_summary_tables_and_figures(demo_folder: Path, tmp_path: Path) -> None:
    import docx

    from sim.report.word import build_docx

    path = build_docx(demo_folder, tmp_path / "board.docx")
    doc = docx.Document(str(path))
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith(
        ("Heading", "Title"))]  # fmt: skip
    assert headings[0][0] == "Title" and headings[0][1].startswith("hubsim comparison")
    names = [t for _, t in headings]
    assert names[1:5] == ["Summary", "Headline results", "Findings", "What changed"]
    assert {"Comparison", "Capacity", "Provenance"} <= set(names)
    assert "Model description" not in names  # screen only: the HTML report has it
    summary = doc.tables[0]
    head = [c.text for c in summary.rows[0].cells]
    assert head[0].startswith("KPI (unit") and head[-1].endswith("minus baseline")
    rows = [[c.text for c in r.cells] for r in summary.rows[1:]]
    assert [r[0] for r in rows] == [sim.report.summary.unit_label(k)
                                    for k in sim.KPIS.headline()[:5]]  # fmt: skip
    assert all(" to " in cell for r in rows for cell in r[1:])  # every figure with its CI
    findings = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    assert sum(t.startswith("Operations: ") for t in findings) == 1
    comparison = next(t for t in doc.tables if t.rows[0].cells[0].text == "KPI")
    assert len(comparison.rows) > 20
    assert len(doc.inline_shapes) >= 2  # the forest plot and the waiting lists


# -- printed -------------------------------------------------------------------------------


def test_comparison_prints_in_at_most_8_pages(
    chromium: str, demo_folder: Path, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    from sim.report.pdf import build_pdf

    pdf = PdfReader(build_pdf(demo_folder, tmp_path / "board.pdf"))
    assert 2 <= len(pdf.pages) <= 8
    first = pdf.pages[0].extract_text()
    for words in ("Summary", "Headline results", "Findings", "What changed"):
        assert words in first  # page one is the summary, whole
    assert "Provenance" not in first
    assert "Comparison" in pdf.pages[1].extract_text()  # the details start on page two


def test_without_chromium_the_pdf_command_says_so(
    demo_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from sim.cli import app

    monkeypatch.setenv("HUBSIM_CHROMIUM", str(tmp_path / "no-such-browser"))
    args = ["report", str(demo_folder), "--out", str(tmp_path / "r.html"), "--docx", "--pdf"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2
    assert "headless Chromium, which is not installed" in res.output
    assert "apt-get install chromium" in res.output and "Traceback" not in res.output
    assert not (demo_folder / "report.pdf").exists()
    assert (demo_folder / "report.docx").is_file()  # --docx needs no browser


# -- plots -----------------------------------------------------------------------------------


def test_waiting_list_trajectories_show_long_waits_and_the_standard(
    demo_comparison: sim.Comparison,
) -> None:
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    ts = demo_comparison.baseline.timeseries
    wide = ts[ts.site == ""].pivot_table(index=["rep", "day"], columns="measure", values="value")
    assert (wide.waiting_list >= wide.over_18_weeks).all()
    assert (wide.over_18_weeks >= wide.over_52_weeks).all()
    assert (wide.over_52_weeks >= wide.over_65_weeks).all() and wide.over_65_weeks.max() > 0

    fig = demo_comparison.plot.waiting_list()
    top, mid, low = fig.axes[:3]
    start = demo_comparison.baseline.scenario.start_date
    first = mdates.num2date(top.get_xlim()[0]).date()
    assert first == start  # a date axis from the scenario's start
    styles = {line.get_linestyle() for line in mid.get_lines()}
    assert {"--", "-.", ":"} <= styles  # over 18, 52 and 65 weeks
    assert [t.get_text() for t in mid.get_legend().get_texts()] == [
        "over 18 weeks", "over 52 weeks", "over 65 weeks"
    ]  # fmt: skip
    standard = [ln for ln in low.get_lines() if list(ln.get_ydata()) == [92.0, 92.0]]
    assert len(standard) == 1 and "92%" in standard[0].get_label()
    plt.close(fig)
