"""``hubsim sensitivity``, ``hubsim threshold`` and ``hubsim target``: how the answer moves
with the assumptions, where it turns over, and the capacity that meets an NHS target."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .common import ScenarioArg, fail, fmt, load, out, prepare_output, write_report

AgainstOpt = Annotated[
    Path | None,
    typer.Option(help="A base scenario: measure the paired difference against it instead."),
]
RepsOpt = Annotated[int, typer.Option("--reps", "-n", min=2, help="Replications per run.")]
SeedOpt = Annotated[int, typer.Option(help="Experiment seed (shared by every run).")]
JobsOpt = Annotated[int, typer.Option("--jobs", "-j", help="Parallel workers.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Output folder.")]
OverwriteOpt = Annotated[bool, typer.Option(help="Replace results in the output folder.")]
ReportOpt = Annotated[
    bool, typer.Option("--report/--no-report", help="Write report.html at the end.")
]
PathOpt = Annotated[
    list[str],
    typer.Option("--path", help="Dotted path of the value to search over (repeatable: all are "
                 "set to the same value), e.g. sites.cannock.beds.elective."),
]  # fmt: skip


def _kpis(kpi: list[str] | None, default: tuple[str, ...]) -> list[str]:
    from ..experiment.sensitivity import check_measures

    try:
        return check_measures(kpi or list(default))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--kpi") from None


def level_text(x: object) -> str:
    """An assumption's end as written (20, not 20.0)."""
    return f"{x:g}" if isinstance(x, float) else str(x)


def tornado_table(sens, kpi: str) -> Table:
    """Assumptions by swing: each end's value and its effect with the paired 95% interval."""
    from ..experiment.sensitivity import measure_label

    label, unit = measure_label(kpi)
    rows = sens.table(kpi)
    what = f"difference against '{sens.against}'" if sens.against else "value"
    t = Table(title=f"{label} ({unit}), {what}: {fmt(rows.central.iloc[0])} as written",
              title_justify="left")  # fmt: skip
    for col in ("assumption", "low end", "effect (95% CI)", "high end", "effect (95% CI)"):
        t.add_column(col, justify="left" if col == "assumption" else "right")
    for key in sens.order(kpi):
        r = rows[rows.assumption == key].set_index("end")
        cells = []
        for end in ("low", "high"):
            x = r.loc[end]
            star = " *" if x.effect_ci_low > 0 or x.effect_ci_high < 0 else ""
            cells += [level_text(x.level), f"{fmt(x.effect)} ({fmt(x.effect_ci_low)} – "
                                    f"{fmt(x.effect_ci_high)}){star}"]  # fmt: skip
        t.add_row(str(r.label.iloc[0]), *cells)
    t.caption = "largest swing first; * the paired interval excludes 0"
    return t


def sensitivity(
    scenario: ScenarioArg,
    against: AgainstOpt = None,
    kpi: Annotated[
        list[str] | None, typer.Option("--kpi", help="KPI to chart (repeatable).")
    ] = None,
    assumption: Annotated[
        list[str] | None,
        typer.Option("--assumption", help="Only these assumptions (repeatable; default: all)."),
    ] = None,
    reps: RepsOpt = 10,
    seed: SeedOpt = 1,
    jobs: JobsOpt = 1,
    out_dir: OutOpt = None,
    overwrite: OverwriteOpt = False,
    plots: Annotated[bool, typer.Option(help="Save the tornado charts.")] = True,
    report: ReportOpt = True,
) -> None:
    """One-way sensitivity to every assumption the scenario declares (its assumptions:
    block), each moved to its low and high end on common random numbers; with --against,
    of the paired difference between the two scenarios."""
    from ..experiment.sensitivity import DEFAULT_KPIS
    from ..experiment.sensitivity import sensitivity as run_sensitivity
    from ..report import save_plots
    from ..scenario.errors import ScenarioError

    kpis = _kpis(kpi, DEFAULT_KPIS)
    sc = load(scenario)
    base = load(against) if against is not None else None
    folder = out_dir or Path("results") / "sensitivity"
    prepare_output(folder, overwrite)
    try:
        sens = run_sensitivity(
            sc, base, kpis, reps=reps, seed=seed, n_jobs=jobs, progress=True,
            assumptions=assumption, on_step=lambda s: out.print(f"running {s}", highlight=False),
        )  # fmt: skip
    except ScenarioError as exc:
        fail(exc.message)
    except ValueError as exc:
        fail(str(exc))
    for k in kpis:
        out.print(tornado_table(sens, k))
    sens.save(folder, overwrite=True, extra=save_plots if plots else None)
    out.print(f"saved sensitivity.csv and the tornado charts to {folder}/")
    if report:
        write_report(folder)


def _search_out(result, folder: Path, overwrite: bool, plots: bool, report: bool) -> None:
    from ..report import save_plots

    t = Table(title="Values run", title_justify="left")
    for col in ("value", "mean", "95% CI", "interval"):
        t.add_column(col, justify="right")
    for _, r in result.evaluations.sort_values("value").iterrows():
        side = {-1: "below", 0: "includes it", 1: "above"}[int(r.side)]
        t.add_row(fmt(r.value), fmt(r["mean"]), f"{fmt(r.ci_low)} – {fmt(r.ci_high)}", side)
    out.print(t)
    out.print(result.describe(), highlight=False)
    result.save(str(folder), overwrite=True, extra=save_plots if plots else None)
    out.print(f"saved threshold.csv and threshold.json to {folder}/")
    if report:
        write_report(folder)


def threshold(
    scenario: ScenarioArg,
    path: PathOpt,
    low: Annotated[float, typer.Option(help="Low end of the search.")],
    high: Annotated[float, typer.Option(help="High end of the search.")],
    kpi: Annotated[str, typer.Option(help="The KPI compared.")],
    against: AgainstOpt = None,
    level: Annotated[
        float, typer.Option(help="Without --against: the level the KPI crosses.")
    ] = 0.0,
    step: Annotated[float, typer.Option(help="Spacing of the values tried.")] = 1.0,
    reps: RepsOpt = 10,
    seed: SeedOpt = 1,
    jobs: JobsOpt = 1,
    out_dir: OutOpt = None,
    overwrite: OverwriteOpt = False,
    plots: Annotated[bool, typer.Option(help="Save the plot.")] = True,
    report: ReportOpt = True,
) -> None:
    """Bisection for the value of --path at which the scenario stops beating --against on
    --kpi (the paired difference crosses zero), or the KPI crosses --level; reported with
    the range of values whose 95% interval includes it."""
    from ..experiment.threshold import threshold as run_threshold
    from ..scenario.errors import ScenarioError

    _kpis([kpi], ())
    sc = load(scenario)
    base = load(against) if against is not None else None
    folder = out_dir or Path("results") / "threshold"
    prepare_output(folder, overwrite)
    try:
        result = run_threshold(sc, path, low, high, kpi, base, level, step=step, reps=reps,
                               seed=seed, n_jobs=jobs, progress=True)  # fmt: skip
    except ScenarioError as exc:
        fail(exc.message)
    except ValueError as exc:
        fail(str(exc))
    _search_out(result, folder, overwrite, plots, report)


def target(
    scenario: ScenarioArg,
    path: PathOpt,
    low: Annotated[float, typer.Option(help="Smallest capacity tried.")],
    high: Annotated[float, typer.Option(help="Largest capacity tried.")],
    goal: Annotated[
        str,
        typer.Option(
            help="rtt_18_weeks (at least 65% waiting under 18 weeks) or over_52_weeks "
            "(under 1% waiting over 52 weeks)."
        ),
    ] = "rtt_18_weeks",  # fmt: skip
    by: Annotated[
        str | None, typer.Option(help="Date the target is due, YYYY-MM-DD (default: the horizon).")
    ] = None,
    step: Annotated[float, typer.Option(help="Spacing of the capacities tried.")] = 1.0,
    reps: RepsOpt = 10,
    seed: SeedOpt = 1,
    jobs: JobsOpt = 1,
    out_dir: OutOpt = None,
    overwrite: OverwriteOpt = False,
    plots: Annotated[bool, typer.Option(help="Save the plot.")] = True,
    report: ReportOpt = True,
) -> None:
    """The smallest capacity (--path: beds, theatres) at which the scenario meets an NHS
    target by a date, with the range of capacities its 95% interval cannot decide."""
    from ..experiment.threshold import NHS_TARGETS
    from ..experiment.threshold import target as run_target
    from ..scenario.errors import ScenarioError

    if goal not in NHS_TARGETS:
        raise typer.BadParameter(f"choose {' or '.join(NHS_TARGETS)}", param_hint="--goal")
    try:
        due = dt.date.fromisoformat(by) if by else None
    except ValueError:
        raise typer.BadParameter(f"{by!r} is not a date YYYY-MM-DD", param_hint="--by") from None
    sc = load(scenario)
    folder = out_dir or Path("results") / "target"
    prepare_output(folder, overwrite)
    try:
        result = run_target(sc, path, low, high, goal, due, step=step, reps=reps, seed=seed,
                            n_jobs=jobs, progress=True)  # fmt: skip
    except ScenarioError as exc:
        fail(exc.message)
    except ValueError as exc:
        fail(str(exc))
    _search_out(result, folder, overwrite, plots, report)
