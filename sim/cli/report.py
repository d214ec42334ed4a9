"""``hubsim report``: the HTML report of a finished run, comparison or sweep folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import write_report


def report(
    results_dir: Annotated[
        Path, typer.Argument(help="A folder written by 'hubsim run' or 'hubsim compare'.")
    ],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Where to write (default RESULTS_DIR/report.html).")
    ] = None,
) -> None:
    """Write one self-contained HTML report (tables, plots, model description) for results."""
    write_report(results_dir, out_file)
