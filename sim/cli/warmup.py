"""``hubsim warmup``: a warm-up period recommended by MSER-5, with its plot."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import JobsOpt, ScenarioArg, fail, load, out, parse_jobs, seed_option


def warmup(
    scenario: ScenarioArg,
    measure: Annotated[
        str,
        typer.Option(
            help="Time series: general_beds_occupied, elective_beds_occupied, waiting_list, "
            "over_18_weeks, over_52_weeks or emergency_queue."
        ),
    ] = "general_beds_occupied",
    site: Annotated[str, typer.Option(help="A site id; empty = the whole collaborative.")] = "",
    reps: Annotated[int, typer.Option("--reps", "-n", min=1, help="Replications averaged.")] = 5,
    seed: Annotated[int, seed_option("Experiment seed.")] = 1,
    jobs: JobsOpt = None,
    batch: Annotated[int, typer.Option(min=1, help="Batch size of MSER (5 = MSER-5).")] = 5,
    interval: Annotated[
        str | None,
        typer.Option(help="Snapshot interval for this analysis, e.g. '1 day' (finer answer)."),
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option(help="Where to save the plot (default results/warmup-<scenario>.png)."),
    ] = None,
) -> None:
    """Recommend a warm-up period with MSER-5 on a time series, and plot it."""
    from ..experiment.warmup import recommend_warmup
    from ..report.plots import save_figure

    jobs = parse_jobs(jobs)
    sc = load(scenario, {"snapshot_interval": interval} if interval else None)
    try:
        rec = recommend_warmup(
            sc, measure, site, reps=reps, seed=seed, n_jobs=jobs, batch_size=batch
        )
    except ValueError as exc:
        fail(str(exc))
    out.print(rec.describe(), highlight=False)
    path = plot or Path("results") / f"warmup-{scenario.stem}.png"
    save_figure(rec.plot(), path)
    out.print(f"saved the plot to {path}", highlight=False)
