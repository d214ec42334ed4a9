"""``hubsim report``: the report of a finished run, comparison or sweep folder, as HTML
and, on request, printed to PDF (headless Chromium) and as a Word document."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import fail, out, write_report


def report(
    results_dir: Annotated[
        Path, typer.Argument(help="A folder written by 'hubsim run' or 'hubsim compare'.")
    ],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Where to write (default RESULTS_DIR/report.html).")
    ] = None,
    pdf: Annotated[
        bool,
        typer.Option(
            "--pdf",
            help="Also print the report to RESULTS_DIR/report.pdf (needs headless Chromium: "
            "apt-get install chromium).",
        ),
    ] = False,
    docx: Annotated[
        bool, typer.Option("--docx", help="Also write a Word document, RESULTS_DIR/report.docx.")
    ] = False,
) -> None:
    """Write one self-contained HTML report (tables, plots, model description) for results;
    --pdf and --docx add the printed report and a Word document for board papers."""
    write_report(results_dir, out_file)
    from ..report.folders import ReportError

    if docx:
        from ..report.word import build_docx

        try:
            out.print(f"Word document: {build_docx(results_dir)}")
        except ReportError as exc:
            fail(str(exc))
    if pdf:
        from ..report.pdf import build_pdf

        try:
            out.print(f"PDF: {build_pdf(results_dir)}")
        except ReportError as exc:
            fail(str(exc))
