"""What the app offers for download: reports (one entry per format), results as CSV and
XLSX (one sheet per table, human labels), and the folders reports are built from.

Reports are built from a results folder, as ``hubsim report`` builds them, so the app's
report is the CLI's. A format is one :class:`ReportFormat` in :data:`REPORT_FORMATS`:
HTML, the printed report (PDF, by headless Chromium) and Word (DOCX) are registered; another
slots in with :func:`add_report_format`, and the app lists whatever is registered (a format
that cannot be built here, such as PDF without Chromium, says why instead).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sim
from sim.experiment import export
from sim.report import save_plots

from .runs import PLOT_LOCK, Run


@dataclass(frozen=True)
class ReportFormat:
    """A report the app can offer: ``build(folder)`` writes it for a results folder (of one
    run or of a comparison) and returns the file's path."""

    label: str
    suffix: str
    mime: str
    build: Callable[[Path], Path]
    unavailable: Callable[[], str | None] = lambda: None
    """Why the format cannot be built on this machine (None: it can)."""


def _html(folder: Path) -> Path:
    from sim.report.html import build_report

    return build_report(folder)


def _pdf(folder: Path) -> Path:
    from sim.report.pdf import build_pdf

    return build_pdf(folder)


def _no_pdf() -> str | None:
    from sim.report.pdf import find_chromium

    if find_chromium() is None:
        return "PDF report: needs headless Chromium (apt-get install chromium)"
    return None


def _docx(folder: Path) -> Path:
    from sim.report.word import build_docx

    return build_docx(folder)


REPORT_FORMATS: list[ReportFormat] = [
    ReportFormat("HTML report", ".html", "text/html", _html),
    ReportFormat("PDF report", ".pdf", "application/pdf", _pdf, _no_pdf),
    ReportFormat(
        "Word report",
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _docx,
    ),
]


def add_report_format(fmt: ReportFormat) -> None:
    """Offer another report format (replacing one with the same suffix)."""
    REPORT_FORMATS[:] = [f for f in REPORT_FORMATS if f.suffix != fmt.suffix] + [fmt]


def report_bytes(fmt: ReportFormat, folder: Path) -> bytes:
    with PLOT_LOCK:
        return Path(fmt.build(folder)).read_bytes()


# -- results folders ---------------------------------------------------------------------


def run_folder(run: Run, root: Path) -> Path:
    """The run's results written as ``hubsim run`` writes them (once per run)."""
    if run.folder is None or not (run.folder / "manifest.json").is_file():
        folder = root / "runs" / run.id
        with PLOT_LOCK:
            run.results.save(str(folder), overwrite=True, extra=save_plots)
        run.folder = folder
    return run.folder


def comparison_folder(runs: list[Run], cmp: sim.Comparison, root: Path) -> Path:
    """The runs' results written as ``hubsim compare`` writes them."""
    folder = root / "comparisons" / "_vs_".join(r.id for r in runs)
    if (folder / "comparison.csv").is_file():
        return folder
    with PLOT_LOCK:
        cmp.save(folder, overwrite=True, folders=[r.id for r in runs], extra=save_plots)
    return folder


# -- tables ------------------------------------------------------------------------------
# The tables are the experiment's own (Results.to_excel, Comparison.to_excel write them).
result_tables = export.result_tables
comparison_tables = export.comparison_tables
xlsx_bytes = export.xlsx_bytes
csv_zip_bytes = export.csv_zip_bytes


def file_stem(name: str) -> str:
    """A file name from a scenario or run name."""
    stem = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower()
    return stem[:60] or "scenario"


def as_bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8")
