"""``hubsim compare``: scenarios on the same seeds, paired differences against the first."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..metrics import KPIS
from .common import (
    DEFAULT_TARGET,
    BackendOpt,
    JobsOpt,
    MaxRepsOpt,
    MinRepsOpt,
    PrecisionOnOpt,
    PrecisionOpt,
    RepsOpt,
    SchedulerOpt,
    TargetKpisOpt,
    check_backend,
    fail,
    fmt,
    load,
    out,
    output_folder,
    parse_jobs,
    parse_kpis,
    parse_reps,
    precision_table,
    save_failed,
    seed_option,
    write_report,
)


def comparison_table(cmp, site: str = "") -> Table:
    """Baseline mean, each scenario's paired difference with its 95% CI (* = excludes 0)."""
    diffs = cmp.differences()
    table = Table(
        title=f"Paired differences against '{cmp.baseline.name}' "
        f"({len(cmp.baseline.reps)} replications, same seeds)",
        title_justify="left",
    )
    table.add_column("KPI")
    table.add_column("baseline", justify="right")
    for name in cmp.names[1:]:
        table.add_column(f"{name}: difference (95% CI)", justify="right")
    for kpi in KPIS.headline(diffs.kpi):
        sel = diffs[(diffs.kpi == kpi) & (diffs.site == site)]
        if sel.empty:
            continue
        cells = []
        for name in cmp.names[1:]:
            r = sel[sel.scenario == name]
            if r.empty:
                cells.append("–")
                continue
            r = r.iloc[0]
            star = " *" if r.excludes_zero else ""
            cells.append(f"{fmt(r.diff_mean)} ({fmt(r.diff_ci_low)} – {fmt(r.diff_ci_high)}){star}")
        table.add_row(kpi, fmt(sel.iloc[0].baseline_mean), *cells)
    table.caption = "* the 95% interval of the difference excludes 0"
    return table


def capacity_table(scenarios: list) -> tuple[Table, list[str]]:
    """Each scenario's capacity side by side, and a sentence per scenario saying whether it
    has the baseline's capacity (a like-for-like comparison) or how it differs."""
    from ..scenario.capacity_summary import capacity_summary, like_for_like

    caps = [capacity_summary(sc) for sc in scenarios]
    table = Table(title="Capacity as planned (the scenario files)", title_justify="left")
    table.add_column("")
    for sc in scenarios:
        table.add_column(sc.name, justify="right")
    rows = [dict(c.rows()) for c in caps]
    for what in dict.fromkeys(k for r in rows for k in r):
        table.add_row(what, *(r.get(what, "–") for r in rows))
    notes = [
        like_for_like(scenarios[0].name, caps[0], sc.name, cap)
        for sc, cap in zip(scenarios[1:], caps[1:], strict=True)
    ]
    return table, notes


def compare(
    scenarios: Annotated[
        list[Path], typer.Argument(help="Two or more scenario files; the first is the baseline.")
    ],
    reps: RepsOpt = "10",
    seed: Annotated[int, seed_option("Experiment seed (shared by all scenarios).")] = 1,
    jobs: JobsOpt = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Output folder.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace results in the output folder.")] = False,
    plots: Annotated[bool, typer.Option(help="Save PNG plots.")] = True,
    report: Annotated[
        bool, typer.Option("--report/--no-report", help="Write report.html at the end.")
    ] = True,
    target_kpis: TargetKpisOpt = DEFAULT_TARGET,
    precision: PrecisionOpt = 0.05,
    precision_on: PrecisionOnOpt = "each",
    min_reps: MinRepsOpt = 5,
    max_reps: MaxRepsOpt = 100,
    backend: BackendOpt = None,
    scheduler: SchedulerOpt = None,
) -> None:
    """Run scenarios on the same seeds and report paired differences against the first."""
    from ..experiment.backends import BackendError
    from ..experiment.compare import compare as run_compare
    from ..experiment.precision import Precision, compare_until_precise
    from ..report import save_plots

    if len(scenarios) < 2:
        fail("compare needs at least two scenario files")
    n = parse_reps(reps, 2)
    kpis = parse_kpis(target_kpis) if n is None else []
    if precision_on not in ("each", "differences"):
        raise typer.BadParameter("choose 'each' or 'differences'", param_hint="--precision-on")
    backend = check_backend(backend, scheduler)
    jobs = parse_jobs(jobs)
    loaded = [load(p) for p in scenarios]
    stems = [p.stem for p in scenarios]
    if len(set(stems)) != len(stems):
        fail(
            "the scenario files must have different names "
            "(their results go in folders named after them)"
        )
    folder = out_dir or Path("results") / ("compare-" + "-vs-".join(stems))
    with output_folder(folder, overwrite):
        try:
            if n is None:
                cmp = compare_until_precise(
                    loaded, kpis, precision, precision_on, min_reps, max_reps, seed=seed,
                    n_jobs=jobs, backend=backend, scheduler=scheduler, progress=True,
                )  # fmt: skip
            else:
                cmp = run_compare(
                    loaded, n, seed, jobs, progress=True, backend=backend, scheduler=scheduler
                )
        except BackendError as exc:
            fail(str(exc), code=1)
        cap_table, notes = capacity_table(loaded)
        out.print(cap_table)
        for note in notes:
            out.print(note, highlight=False)
        out.print(comparison_table(cmp))
        if "precision" in cmp.baseline.manifest:
            out.print(precision_table(Precision(**cmp.baseline.manifest["precision"])))
        try:
            cmp.save(folder, overwrite=True, folders=stems, extra=save_plots if plots else None)
        except OSError as exc:
            save_failed(folder, exc)
        out.print(f"saved each scenario's results and comparison.csv to {folder}/")
        if report:
            write_report(folder)
