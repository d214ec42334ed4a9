"""``hubsim sweep`` and ``hubsim warmup``, and the options shared by run and compare for
choosing replications by precision (``--reps auto``) and running on a dask cluster.

Registered on the ``hubsim`` app by :mod:`sim.cli`; the helpers of that module are
imported inside the commands so that this one can be imported first.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from .metrics import KPIS

if TYPE_CHECKING:
    from .experiment.precision import Precision
    from .scenario.schema import Scenario

# -- options shared with run and compare -------------------------------------------------
RepsOpt = Annotated[
    str,
    typer.Option(
        "--reps",
        "-n",
        help="Replications, or 'auto': add them in batches until the 95% intervals of "
        "--target-kpis are within --precision of the mean, at most --max-reps.",
    ),
]
TargetKpisOpt = Annotated[
    str,
    typer.Option(help="With --reps auto: comma-separated KPIs of the whole collaborative."),
]
PrecisionOpt = Annotated[
    float,
    typer.Option(
        min=0.0, help="With --reps auto: largest relative half-width of the 95% CI (0.05 = 5%)."
    ),
]
MaxRepsOpt = Annotated[int, typer.Option(min=2, help="With --reps auto: the cap.")]
MinRepsOpt = Annotated[int, typer.Option(min=2, help="With --reps auto: the first batch.")]
PrecisionOnOpt = Annotated[
    str,
    typer.Option(
        help="With --reps auto: 'each' = every scenario's own KPI intervals must meet the "
        "target; 'differences' = the paired differences' intervals, relative to the "
        "baseline mean."
    ),
]
BackendOpt = Annotated[
    str | None,
    typer.Option(help="Where replications run: 'loky' (worker processes here) or 'dask'."),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(help="Address of a dask scheduler (tcp://HOST:8786); implies --backend dask."),
]
DEFAULT_TARGET = ",".join(KPIS.precision_targets())


def parse_reps(text: str, minimum: int) -> int | None:
    """``--reps``: a whole number (at least ``minimum``), or ``auto`` (returns None)."""
    if text.strip().lower() == "auto":
        return None
    try:
        n = int(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is neither a number nor 'auto'", param_hint="--reps"
        ) from None
    if n < minimum:
        raise typer.BadParameter(f"{n} is less than {minimum}", param_hint="--reps")
    return n


def parse_kpis(text: str) -> list[str]:
    """``--target-kpis``: comma-separated names, checked against the KPI list."""
    from .experiment.precision import check_kpis

    try:
        return check_kpis([k.strip() for k in text.split(",") if k.strip()])
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--target-kpis") from None


def check_backend(backend: str | None, scheduler: str | None) -> str | None:
    from .experiment.backends import BackendError, resolve_backend

    if backend not in (None, "loky", "dask"):
        raise typer.BadParameter(f"{backend!r}: choose loky or dask", param_hint="--backend")
    try:
        return resolve_backend(backend, scheduler)
    except BackendError as exc:
        raise typer.BadParameter(str(exc), param_hint="--scheduler") from None


def precision_table(precision: Precision) -> Table:
    """Each target KPI's 95% half-width and its share of the mean, against the target."""
    from .cli import _fmt

    table = Table(title=precision.describe(), title_justify="left")
    table.add_column("KPI")
    table.add_column("95% half-width", justify="right")
    table.add_column("relative", justify="right")
    table.add_column("target", justify="right")
    for key, half in precision.half_widths.items():
        rel = precision.relative[key]
        ok = "[green]ok[/]" if rel <= precision.target else "[red]above[/]"
        table.add_row(key, _fmt(half), f"{100 * rel:.2f}% {ok}", f"{100 * precision.target:g}%")
    return table


# -- hubsim sweep ------------------------------------------------------------------------
def sweep(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)],
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
    seed: Annotated[int, typer.Option(help="Experiment seed (shared by all points).")] = 1,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", help="Parallel workers (-1 = all cores).")
    ] = 1,
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
    from .cli import _fail, _say, err, out
    from .experiment.backends import BackendError
    from .experiment.sweep.grid import SweepError, make_grid
    from .experiment.sweep.plan import plan_sweep
    from .experiment.sweep.run import run_sweep
    from .report import save_plots
    from .scenario.errors import ScenarioError

    backend = check_backend(backend, scheduler)
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
            extra=save_plots if plots else None,
        )  # fmt: skip
    except (ScenarioError, SweepError) as exc:
        _fail(str(exc))
    except BackendError as exc:
        _fail(str(exc), code=1)
    m = res.manifest
    out.print(
        f"{m['tasks_run']} task(s) run now, {m['tasks_stored_before']} already stored; "
        f"summary.csv and plots in {folder}/",
        highlight=False,
    )
    out.print(sweep_table(res))
    if res.failures:
        by_id = {p.id: p.overrides for p in plan.points}
        for f in res.failures:
            _say("failed", f.describe(by_id[f.point_id]))
        err.print("rerun the same command to retry the failed tasks", highlight=False)
        raise typer.Exit(1)


def sweep_table(res, kpis: tuple[str, ...] = ("operations", "waiting_list_end")) -> Table:
    """Headline KPIs of each grid point, mean and 95% CI."""
    from .cli import _fmt

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
            f"{_fmt(g.at[k, 'mean'])} ({_fmt(g.at[k, 'ci_low'])} – {_fmt(g.at[k, 'ci_high'])})"
            for k in kpis
        ]
        table.add_row(*(str(first[p]) for p in res.parameters), *cells)
    return table


# -- hubsim warmup -----------------------------------------------------------------------
def warmup(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)],
    measure: Annotated[
        str,
        typer.Option(
            help="Time series: general_beds_occupied, elective_beds_occupied, waiting_list, "
            "over_18_weeks, over_52_weeks or emergency_queue."
        ),
    ] = "general_beds_occupied",
    site: Annotated[str, typer.Option(help="A site id; empty = the whole collaborative.")] = "",
    reps: Annotated[int, typer.Option("--reps", "-n", min=1, help="Replications averaged.")] = 5,
    seed: Annotated[int, typer.Option(help="Experiment seed.")] = 1,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Parallel workers.")] = 1,
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
    from .cli import _fail, out
    from .experiment.warmup import recommend_warmup
    from .report.plots import save_figure

    sc = _load_with(scenario, {"snapshot_interval": interval} if interval else None)
    try:
        rec = recommend_warmup(
            sc, measure, site, reps=reps, seed=seed, n_jobs=jobs, batch_size=batch
        )
    except ValueError as exc:
        _fail(str(exc))
    out.print(rec.describe(), highlight=False)
    path = plot or Path("results") / f"warmup-{scenario.stem}.png"
    save_figure(rec.plot(), path)
    out.print(f"saved the plot to {path}", highlight=False)


def _load_with(path: Path, overrides: dict | None) -> Scenario:
    from .cli import _fail
    from .scenario.errors import ScenarioError
    from .scenario.load import load_scenario

    try:
        return load_scenario(path, overrides)
    except ScenarioError as exc:
        _fail(exc.message)
        raise  # unreachable: _fail exits
