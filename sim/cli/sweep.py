"""``hubsim sweep``: a grid of scenario changes x replications, each task stored as it ends."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .common import (
    BackendOpt,
    JobsOpt,
    ScenarioArg,
    SchedulerOpt,
    check_backend,
    err,
    fail,
    fmt,
    out,
    parse_jobs,
    say,
    seed_option,
)


def sweep(
    scenario: ScenarioArg,
    grid: Annotated[
        Path | None,
        typer.Option(help="YAML file mapping dotted scenario paths to lists of values."),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="PATH=V1,V2,... e.g. sites.cannock.beds.elective=20,26,30 (repeatable; "
            "values are read as YAML, so '6 days' stays text).",
        ),
    ] = None,
    reps: Annotated[int, typer.Option("--reps", "-n", min=1, help="Replications per point.")] = 10,
    seed: Annotated[int, seed_option("Experiment seed (shared by all points).")] = 1,
    jobs: JobsOpt = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Sweep folder (default results/sweep-<scenario>).")
    ] = None,
    backend: BackendOpt = None,
    scheduler: SchedulerOpt = None,
    overwrite: Annotated[
        bool, typer.Option(help="Start again in a folder holding another sweep.")
    ] = False,
    plots: Annotated[
        bool, typer.Option(help="Save PNG plots of KPIs against each parameter.")
    ] = True,
) -> None:
    """Run a grid of scenario changes x replications, storing each task as it finishes.

    Rerun the same command after an interruption: stored tasks are skipped.
    """
    from ..experiment.backends import BackendError
    from ..experiment.sweep.grid import SweepError, make_grid
    from ..experiment.sweep.plan import plan_sweep
    from ..experiment.sweep.run import run_sweep
    from ..scenario.errors import ScenarioError

    save_plots = None
    if plots:  # matplotlib and the report package take a quarter of a second to import
        from ..report import save_plots

    backend = check_backend(backend, scheduler)
    jobs = parse_jobs(jobs)
    folder = out_dir or Path("results") / f"sweep-{scenario.stem}"
    try:
        plan = plan_sweep(scenario, make_grid(grid, set_ or []), reps=reps, seed=seed)
        points = len(plan.points)
        out.print(
            f"sweep of '{scenario}': {points} grid point(s) x {reps} replications, seed {seed}, "
            f"into {folder}/",
            highlight=False,
        )
        res = run_sweep(
            plan, folder, jobs, backend, scheduler, overwrite=overwrite, progress=True,
            extra=save_plots, fork=True,
        )  # fmt: skip
    except (ScenarioError, SweepError) as exc:
        fail(str(exc))
    except BackendError as exc:
        fail(str(exc), code=1)
    except KeyboardInterrupt:
        say(
            "interrupted",
            f"the tasks that had finished are stored in {folder}/parts; the folder has no "
            "manifest.json, so it is not complete. Run the same command again to finish it "
            "(stored tasks are skipped).",
        )
        raise typer.Exit(130) from None
    m = res.manifest
    out.print(
        f"{m['tasks_run']} task(s) run now, {m['tasks_stored_before']} already stored; "
        f"summary.csv{' and plots' if plots else ''} in {folder}/",
        highlight=False,
    )
    out.print(sweep_table(res))
    if res.failures:
        by_id = {p.id: p.overrides for p in plan.points}
        for f in res.failures:
            say("failed", f.describe(by_id[f.point_id]))
        err.print("rerun the same command to retry the failed tasks", highlight=False)
        raise typer.Exit(1)


def sweep_table(res, kpis: tuple[str, ...] = ("operations", "waiting_list_end")) -> Table:
    """Headline KPIs of each grid point, mean and 95% CI."""
    s = res.summary
    table = Table(title="whole collaborative, mean (95% CI)", title_justify="left")
    for p in res.parameters:
        table.add_column(p)
    kpis = tuple(k for k in kpis if k in set(s.kpi))
    for k in kpis:
        table.add_column(k, justify="right")
    for _pid, grp in s.groupby("point_id", sort=False):
        g = grp.set_index("kpi")
        first = g.iloc[0]
        cells = [
            f"{fmt(g.at[k, 'mean'])} ({fmt(g.at[k, 'ci_low'])} – {fmt(g.at[k, 'ci_high'])})"
            for k in kpis
        ]
        table.add_row(*(str(first[p]) for p in res.parameters), *cells)
    return table
