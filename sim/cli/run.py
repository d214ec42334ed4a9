"""``hubsim run``: replications of one scenario, its KPIs printed, results and report saved."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.table import Table

from ..metrics import KPIS
from .common import (
    DEFAULT_TARGET,
    BackendOpt,
    JobsOpt,
    MaxRepsOpt,
    MinRepsOpt,
    PrecisionOpt,
    RepsOpt,
    ScenarioArg,
    SchedulerOpt,
    SetOpt,
    TargetKpisOpt,
    check_backend,
    err,
    fail,
    fmt,
    load,
    out,
    output_folder,
    parse_jobs,
    parse_kpis,
    parse_overrides,
    parse_reps,
    precision_table,
    save_failed,
    say,
    seed_option,
    write_report,
)


def kpi_table(summary, site: str = "", title: str = "") -> Table:
    """A readable table of one site's KPIs (site "" = the whole collaborative)."""
    table = Table(title=title, title_justify="left")
    table.add_column("KPI")
    table.add_column("mean", justify="right")
    table.add_column("95% CI", justify="right")
    table.add_column("unit")
    rows = summary[summary.site == site]
    for _, r in rows.iterrows():
        if r["n"] == 0:
            continue
        ci = "" if r["n"] < 2 else f"{fmt(r['ci_low'])} – {fmt(r['ci_high'])}"
        unit = KPIS.unit(r["kpi"])
        table.add_row(r["kpi"], fmt(r["mean"]), ci, unit)
    return table


def run(
    scenario: ScenarioArg,
    reps: RepsOpt = "10",
    seed: Annotated[int, seed_option("Experiment seed.")] = 1,
    jobs: JobsOpt = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Output folder (default results/<scenario>).")
    ] = None,
    events: Annotated[bool, typer.Option(help="Keep the patient-level event log.")] = False,
    overwrite: Annotated[
        bool, typer.Option(help="Replace results already in the output folder.")
    ] = False,
    keep_going: Annotated[
        bool, typer.Option(help="Keep the other replications' results if one fails.")
    ] = False,
    plots: Annotated[bool, typer.Option(help="Save PNG plots.")] = True,
    report: Annotated[
        bool, typer.Option("--report/--no-report", help="Write report.html at the end.")
    ] = True,
    target_kpis: TargetKpisOpt = DEFAULT_TARGET,
    precision: PrecisionOpt = 0.05,
    min_reps: MinRepsOpt = 5,
    max_reps: MaxRepsOpt = 100,
    backend: BackendOpt = None,
    scheduler: SchedulerOpt = None,
    set_: SetOpt = None,
) -> None:
    """Run replications of a scenario, print its KPIs and save results."""
    from ..experiment.backends import BackendError
    from ..experiment.precision import Precision, run_until_precise
    from ..experiment.results import ReplicationError, RunInterrupted
    from ..experiment.runner import run as run_experiment
    from ..report import save_plots

    n = parse_reps(reps, 1)
    kpis = parse_kpis(target_kpis) if n is None else []
    backend = check_backend(backend, scheduler)
    jobs = parse_jobs(jobs)
    sc = load(scenario, parse_overrides(set_))
    folder = out_dir or Path("results") / scenario.stem
    with output_folder(folder, overwrite):
        try:
            if n is None:
                res = run_until_precise(
                    sc, kpis, precision, min_reps, max_reps, seed=seed, n_jobs=jobs, events=events,
                    backend=backend, scheduler=scheduler, progress=True,
                )  # fmt: skip
            else:
                res = run_experiment(
                    sc,
                    reps=n,
                    seed=seed,
                    n_jobs=jobs,
                    events=events,
                    progress=True,
                    keep_going=keep_going,
                    backend=backend,
                    scheduler=scheduler,
                )
        except BackendError as exc:
            fail(str(exc), code=1)
        except RunInterrupted as exc:
            keep_partial(exc.partial if n is not None else None, folder, n)
        except ReplicationError as exc:
            for f in exc.failures:
                say("failed", f.describe())
            err.print(
                f"reproduce one alone with: hubsim rerun {scenario} --seed {seed} --rep "
                f"{exc.failures[0].rep}",
                highlight=False,
            )
            raise typer.Exit(1) from None
        out.print(
            kpi_table(res.summary, "", f"{sc.name}: {len(res.reps)} replications, seed {seed}")
        )
        if "precision" in res.manifest:
            out.print(precision_table(Precision(**res.manifest["precision"])))
        try:
            files = res.save(str(folder), overwrite=True, extra=save_plots if plots else None)
        except OSError as exc:
            save_failed(folder, exc)
        out.print(f"saved {len(files)} files to {folder}/")
        if report:
            write_report(folder)
        if res.failures:
            for f in res.failures:
                say("failed", f.describe())
            raise typer.Exit(1)


def keep_partial(res, folder: Path, planned: int | None) -> NoReturn:
    """Ctrl-C: save the replications that had finished, marked partial, say so, exit 130."""
    if res is None:
        say("interrupted", "no replication had finished; nothing was saved")
        raise typer.Exit(130)
    done = len(res.reps)
    try:
        res.save(str(folder), overwrite=True)
    except OSError as exc:
        save_failed(folder, exc)
    say(
        "interrupted",
        f"kept the {done} replication(s) that had finished"
        + (f" of {planned}" if planned else "")
        + f" in {folder}/; its manifest.json marks them partial (\"partial\": true). "
        "Run again with --overwrite for the full set.",
    )
    raise typer.Exit(130)
