"""The printed report: the HTML report printed to PDF by headless Chromium.

Chromium lays the page out with the report's own print style sheet (A4, the summary alone
on page one, screen-only sections left out), so the PDF is the HTML report as a browser
prints it. hubsim never downloads a browser: it uses the one installed (Debian's
``chromium`` package, or ``HUBSIM_CHROMIUM`` naming an executable). Without one,
:func:`build_pdf` raises a :class:`~sim.report.folders.ReportError` saying so plainly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..experiment.output import atomic_write
from .folders import ReportError
from .html import to_html
from .pages import report_for

PDF_NAME = "report.pdf"
#: Executables tried in turn (after ``HUBSIM_CHROMIUM``).
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Seconds Chromium may take to print.
TIMEOUT = 180

NO_BROWSER = (
    "the PDF report is printed by headless Chromium, which is not installed here: install "
    "it (Debian/Ubuntu: apt-get install chromium) or set HUBSIM_CHROMIUM to its path. The "
    "HTML report (hubsim report FOLDER) prints from any browser, and --docx writes a Word "
    "document without a browser"
)


def find_chromium() -> str | None:
    """The Chromium (or Chrome) executable to print with, or None."""
    named = os.environ.get("HUBSIM_CHROMIUM")
    if named:
        return named if Path(named).is_file() or shutil.which(named) else None
    return next((p for n in BROWSERS if (p := shutil.which(n))), None)


def print_pdf(html: Path, pdf: Path, browser: str | None = None) -> Path:
    """Print the HTML file ``html`` to ``pdf`` with headless Chromium (its own throw-away
    profile, no network, no header or footer lines); returns ``pdf``."""
    exe = browser or find_chromium()
    if exe is None:
        raise ReportError(NO_BROWSER)
    with tempfile.TemporaryDirectory(prefix="hubsim-chromium-") as profile:
        out = Path(profile) / "report.pdf"
        args = [
            exe,
            "--headless",
            "--no-sandbox",  # CI and containers run as root
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(profile) / 'profile'}",
            f"--print-to-pdf={out}",
            html.resolve().as_uri(),
        ]
        try:
            res = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ReportError(f"Chromium ({exe}) could not print the report: {exc}") from None
        if res.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            tail = res.stderr.strip().splitlines()[-3:]
            raise ReportError(
                f"Chromium ({exe}) could not print the report (exit {res.returncode}): "
                + " / ".join(tail)
            )
        data = out.read_bytes()
    atomic_write(pdf, lambda tmp: Path(tmp).write_bytes(data))
    return pdf


def build_pdf(folder: str | os.PathLike[str], out: str | os.PathLike[str] | None = None) -> Path:
    """Write ``report.pdf`` for a run, comparison or sweep folder: the report printed by
    headless Chromium; returns its path. A ReportError (no browser, not a results
    folder) says what to do."""
    path = Path(folder)
    exe = find_chromium()
    if exe is None:
        raise ReportError(NO_BROWSER)
    report = report_for(path)
    target = Path(out) if out is not None else path / PDF_NAME
    with tempfile.TemporaryDirectory(prefix="hubsim-report-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(to_html(report.printed()), encoding="utf-8")
        return print_pdf(page, target, exe)
