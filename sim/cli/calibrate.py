"""``hubsim calibrate``: the shipped scenarios (or given ones) against published NHS figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .common import JobsOpt, fail, load, out, parse_jobs, say, seed_option


def calibrate(
    scenarios: Annotated[
        list[Path] | None,
        typer.Argument(help="Scenario files (default: every scenarios/*.yaml here)."),
    ] = None,
    reps: Annotated[int, typer.Option("--reps", "-n", min=1, help="Replications each.")] = 10,
    seed: Annotated[int, seed_option("Experiment seed.")] = 1,
    jobs: JobsOpt = None,
    out_file: Annotated[
        Path, typer.Option("--out", help="The Markdown table (a CSV is written beside it).")
    ] = Path("docs/calibration.md"),
) -> None:
    """Run each scenario and set its KPIs against the published figures that apply
    (cancellations, occupancy, transfers, hub uplift, deprivation gap, 18-week share);
    write the table; exit 1 if a KPI is outside its range with no reason in the scenario's
    calibration block."""
    from ..validation import calibration

    jobs = parse_jobs(jobs)
    paths = scenarios or calibration.shipped(Path.cwd())
    if not paths:
        fail("no scenario files given and none under scenarios/ here")
    for p in paths:
        load(p)  # a planner's mistake is reported before anything runs
    table = calibration.calibrate(paths, reps=reps, seed=seed, n_jobs=jobs)
    command = " ".join(["hubsim calibrate", *(str(p) for p in scenarios or []),
                        f"--reps {reps}", f"--seed {seed}"])  # fmt: skip
    calibration.write(table, out_file, command, reps, seed)
    t = Table(title="Calibration against published figures", title_justify="left")
    for col in ("scenario", "target", "site", "KPI", "95% interval", "range", "verdict"):
        t.add_column(col, justify="right" if col in ("KPI", "95% interval") else "left")
    for r in table.itertuples():
        t.add_row(
            r.scenario, r.target, r.site or "all", f"{r.mean:.3g}",
            f"{r.ci_low:.3g} – {r.ci_high:.3g}", f"{r.low:g}–{r.high:g}", r.verdict,
        )  # fmt: skip
    out.print(t)
    out.print(f"wrote {out_file} and {out_file.with_suffix('.csv')}", highlight=False)
    bad = calibration.problems(table)
    for line in bad:
        say("outside", line)
    if bad:
        raise typer.Exit(1)
