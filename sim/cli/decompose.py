"""``hubsim decompose``: a chain of scenarios on the same seeds, the difference between the
first and the last split into steps, each with its paired interval, and a waterfall."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..metrics import KPIS
from .common import fail, fmt, load, out, prepare_output, write_report
from .compare import capacity_table


def decomposition_table(table, kpi: str) -> Table:
    """One KPI's steps: paired difference (95% CI), * when it excludes 0, share of the total."""
    from ..report.htmltext import share_text

    rows = table[table.kpi == kpi]
    t = Table(
        title=f"{KPIS.label(kpi)} ({KPIS.unit(kpi)}): {fmt(rows.iloc[0].from_mean)} in "
        f"'{rows.iloc[0].from_scenario}'",
        title_justify="left",
    )
    for col, just in (("step", "left"), ("difference (95% CI)", "right"), ("share", "right"),
                      ("then", "right")):  # fmt: skip
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for _, r in rows.iterrows():
        star = " *" if r.excludes_zero else ""
        share = share_text(r.share_of_total)
        t.add_row(
            str(r.label) if str(r.step) != "total" else "total",
            f"{fmt(r.diff_mean)} ({fmt(r.diff_ci_low)} – {fmt(r.diff_ci_high)}){star}",
            share,
            fmt(r.to_mean),
        )
    return t


def decompose(
    scenarios: Annotated[
        list[Path],
        typer.Argument(
            help="The chain of scenario files, each changing one thing from the one before "
            "(e.g. status quo, + beds shared, + beds ring-fenced, + sessions, hubs)."
        ),
    ],
    steps: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated names of the steps, one per scenario after the first "
            "(default: 'to <scenario name>')."
        ),
    ] = None,
    kpi: Annotated[
        list[str] | None,
        typer.Option("--kpi", help="KPI to split (repeatable; default: the headline ones)."),
    ] = None,
    reps: Annotated[int, typer.Option("--reps", "-n", min=2, help="Replications.")] = 10,
    seed: Annotated[int, typer.Option(help="Experiment seed (shared by all scenarios).")] = 1,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Parallel workers.")] = 1,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Output folder.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace results in the output folder.")] = False,
    plots: Annotated[bool, typer.Option(help="Save PNG plots.")] = True,
    report: Annotated[
        bool, typer.Option("--report/--no-report", help="Write report.html at the end.")
    ] = True,
) -> None:
    """Split the difference between the first and the last scenario into steps, in the order
    given, each with its paired 95% interval (common random numbers)."""
    from ..experiment.decompose import DEFAULT_KPIS
    from ..experiment.decompose import decompose as run_decompose
    from ..experiment.precision import check_kpis
    from ..report import save_plots

    if len(scenarios) < 2:
        fail("decompose needs a chain of at least two scenario files")
    labels = [s.strip() for s in steps.split(",")] if steps else None
    if labels is not None and len(labels) != len(scenarios) - 1:
        raise typer.BadParameter(
            f"give {len(scenarios) - 1} step names (one per scenario after the first), "
            f"not {len(labels)}",
            param_hint="--steps",
        )
    try:
        kpis = check_kpis(kpi) if kpi else list(DEFAULT_KPIS)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--kpi") from None
    stems = [p.stem for p in scenarios]
    if len(set(stems)) != len(stems):
        fail("the scenario files must have different names (their results go in folders "
             "named after them)")  # fmt: skip
    loaded = [load(p) for p in scenarios]
    folder = out_dir or Path("results") / "decompose"
    prepare_output(folder, overwrite)
    dec = run_decompose(loaded, labels, reps=reps, seed=seed, n_jobs=jobs, progress=True,
                        kpis=kpis)  # fmt: skip
    cap, notes = capacity_table(loaded)
    out.print(cap)
    for note in notes:
        out.print(note, highlight=False)
    table = dec.table()
    out.print(
        f"Each step is a scenario minus the one before it, replication by replication "
        f"({reps} replications, seed {seed}, common random numbers); the steps add up to "
        "the total. * the 95% interval excludes 0.",
        highlight=False,
    )
    for k in dict.fromkeys(table.kpi):
        out.print(decomposition_table(table, k))
    dec.save(folder, overwrite=True, folders=stems, extra=save_plots if plots else None)
    out.print(f"saved each scenario's results, comparison.csv and decomposition.csv to {folder}/")
    if report:
        write_report(folder)
