"""The ``hubsim`` command: validate a scenario, run it, print and save the KPIs.

Mistakes in a scenario are reported as plain paragraphs naming file, line and field,
with exit code 2, never a traceback. Set ``HUBSIM_DEBUG=1`` to see tracebacks of
internal errors.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

os.environ.setdefault("MPLBACKEND", "Agg")

import typer  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from rich.text import Text  # noqa: E402

from . import cli_experiments as xp  # noqa: E402
from .app.launch import app_command  # noqa: E402
from .cli_experiments import (  # noqa: E402
    DEFAULT_TARGET,
    BackendOpt,
    MaxRepsOpt,
    MinRepsOpt,
    PrecisionOnOpt,
    PrecisionOpt,
    RepsOpt,
    SchedulerOpt,
    TargetKpisOpt,
)
from .metrics import KPIS  # noqa: E402

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="hubsim: simulate NHS provider collaboratives (elective hubs, shared beds, mutual aid).",
)
out = Console()
err = Console(stderr=True)

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]


def _say(label: str, message: str) -> None:
    """Print ``label: message`` to stderr; the message is plain text, never markup."""
    err.print(Text(f"{label}: ", style="bold red") + Text(message), highlight=False, soft_wrap=True)


def _fail(message: str, code: int = 2) -> None:
    _say("error", message)
    raise typer.Exit(code)


def _prepare(folder: Path, overwrite: bool) -> None:
    """Make the output folder ready, or stop with the planner-facing reason (exit 2)."""
    from .experiment.output import OutputFolderError, prepare_folder

    try:
        prepare_folder(folder, overwrite)
    except OutputFolderError as exc:
        _fail(str(exc))


SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="PATH=VALUE: change one field of the scenario for this run, e.g. "
        "horizon='30 weeks' or sites.cannock.beds.elective=26 (repeatable; the value is "
        "read as YAML).",
    ),
]


def _overrides(sets: list[str] | None) -> dict[str, object] | None:
    """``--set PATH=VALUE`` options as load overrides (a usage error if malformed)."""
    from .experiment.sweep.grid import SweepError, parse_set

    if not sets:
        return None
    overrides: dict[str, object] = {}
    for spec in sets:
        try:
            path, values = parse_set(spec)
        except SweepError as exc:
            raise typer.BadParameter(str(exc), param_hint="--set") from None
        if len(values) != 1:
            raise typer.BadParameter(
                f"{spec!r}: give one value (a sweep takes several: hubsim sweep)",
                param_hint="--set",
            )
        overrides[path] = values[0]
    return overrides


def _load(path: Path, overrides: dict[str, object] | None = None):
    from .scenario.errors import ScenarioError
    from .scenario.load import load_scenario

    try:
        return load_scenario(path, overrides)
    except ScenarioError as exc:
        _fail(exc.message)


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
        ci = "" if r["n"] < 2 else f"{_fmt(r['ci_low'])} – {_fmt(r['ci_high'])}"
        unit = KPIS.unit(r["kpi"])
        table.add_row(r["kpi"], _fmt(r["mean"]), ci, unit)
    return table


def _fmt(x: float) -> str:
    if x != x:  # NaN
        return "–"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


@app.command()
def validate(scenario: ScenarioArg) -> None:
    """Check a scenario file and say what it contains, without simulating."""
    sc = _load(scenario)
    from .scenario.load import scenario_hash

    theatres = sum(t.count for s in sc.sites.values() for t in s.theatres.values())
    beds = sum((s.beds.general + s.beds.elective) for s in sc.sites.values() if s.beds)
    out.print(
        f"[green]ok[/] {scenario}: '{sc.name}' — {len(sc.trusts)} trusts, {len(sc.sites)} sites, "
        f"{theatres} theatres, {beds} ward beds, {len(sc.procedures)} procedures, "
        f"horizon {sc.horizon / 7:g} weeks (hash {scenario_hash(sc)})"
    )


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor autocompletion)."""
    from .scenario.json_schema import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2))


@app.command()
def run(
    scenario: ScenarioArg,
    reps: RepsOpt = "10",
    seed: Annotated[int, typer.Option(help="Experiment seed.")] = 1,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", help="Parallel workers (-1 = all cores).")
    ] = 1,
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
    from .experiment.backends import BackendError
    from .experiment.precision import Precision, run_until_precise
    from .experiment.results import ReplicationError
    from .experiment.runner import run as run_experiment

    n = xp.parse_reps(reps, 1)
    kpis = xp.parse_kpis(target_kpis) if n is None else []
    backend = xp.check_backend(backend, scheduler)
    sc = _load(scenario, _overrides(set_))
    folder = out_dir or Path("results") / scenario.stem
    _prepare(folder, overwrite)
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
        _fail(str(exc), code=1)
    except ReplicationError as exc:
        for f in exc.failures:
            _say("failed", f.describe())
        err.print(
            f"reproduce one alone with: hubsim rerun {scenario} --seed {seed} --rep "
            f"{exc.failures[0].rep}",
            highlight=False,
        )
        raise typer.Exit(1) from None
    out.print(kpi_table(res.summary, "", f"{sc.name}: {len(res.reps)} replications, seed {seed}"))
    if "precision" in res.manifest:
        out.print(xp.precision_table(Precision(**res.manifest["precision"])))
    from .report import save_plots

    files = res.save(str(folder), overwrite=True, extra=save_plots if plots else None)
    out.print(f"saved {len(files)} files to {folder}/")
    if report:
        _write_report(folder)
    if res.failures:
        for f in res.failures:
            _say("failed", f.describe())
        raise typer.Exit(1)


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
            cells.append(
                f"{_fmt(r.diff_mean)} ({_fmt(r.diff_ci_low)} – {_fmt(r.diff_ci_high)}){star}"
            )
        table.add_row(kpi, _fmt(sel.iloc[0].baseline_mean), *cells)
    table.caption = "* the 95% interval of the difference excludes 0"
    return table


@app.command()
def compare(
    scenarios: Annotated[
        list[Path], typer.Argument(help="Two or more scenario files; the first is the baseline.")
    ],
    reps: RepsOpt = "10",
    seed: Annotated[int, typer.Option(help="Experiment seed (shared by all scenarios).")] = 1,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Parallel workers.")] = 1,
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
    from .experiment.backends import BackendError
    from .experiment.compare import compare as run_compare
    from .experiment.precision import Precision, compare_until_precise

    if len(scenarios) < 2:
        _fail("compare needs at least two scenario files")
    n = xp.parse_reps(reps, 2)
    kpis = xp.parse_kpis(target_kpis) if n is None else []
    if precision_on not in ("each", "differences"):
        raise typer.BadParameter("choose 'each' or 'differences'", param_hint="--precision-on")
    backend = xp.check_backend(backend, scheduler)
    loaded = [_load(p) for p in scenarios]
    stems = [p.stem for p in scenarios]
    if len(set(stems)) != len(stems):
        _fail(
            "the scenario files must have different names "
            "(their results go in folders named after them)"
        )
    folder = out_dir or Path("results") / "compare"
    _prepare(folder, overwrite)
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
        _fail(str(exc), code=1)
    out.print(comparison_table(cmp))
    if "precision" in cmp.baseline.manifest:
        out.print(xp.precision_table(Precision(**cmp.baseline.manifest["precision"])))
    from .report import save_plots

    cmp.save(folder, overwrite=True, folders=stems, extra=save_plots if plots else None)
    out.print(f"saved each scenario's results and comparison.csv to {folder}/")
    if report:
        _write_report(folder)


def _write_report(folder: Path, out_file: Path | None = None) -> None:
    from .report.html import ReportError, build_report

    try:
        path = build_report(folder, out_file)
    except ReportError as exc:
        _fail(str(exc))
    out.print(f"report: {path}")


@app.command("report")
def report_command(
    results_dir: Annotated[
        Path, typer.Argument(help="A folder written by 'hubsim run' or 'hubsim compare'.")
    ],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Where to write (default RESULTS_DIR/report.html).")
    ] = None,
) -> None:
    """Write one self-contained HTML report (tables, plots, model description) for results."""
    _write_report(results_dir, out_file)


@app.command()
def rerun(
    scenario: ScenarioArg,
    rep: Annotated[int, typer.Option(help="Replication index to reproduce.")],
    seed: Annotated[int, typer.Option(help="Experiment seed of the original run.")] = 1,
) -> None:
    """Run one replication alone, to reproduce a failure (its traceback with HUBSIM_DEBUG=1)."""
    from .experiment.results import ReplicationFailure
    from .replication import run_replication

    sc = _load(scenario)
    try:
        result = run_replication(sc, seed=seed, rep=rep)
    except Exception as exc:
        if os.environ.get("HUBSIM_DEBUG"):
            raise
        _say("failed", ReplicationFailure(rep, seed, f"{type(exc).__name__}: {exc}", "").describe())
        err.print("Run again with HUBSIM_DEBUG=1 to see the traceback.", highlight=False)
        raise typer.Exit(1) from None
    out.print(f"replication {rep} (seed {seed}) finished in {result.wall_seconds:.2f} s")
    for kpi, site, value in result.kpis:
        if site == "":
            out.print(f"  {kpi:32s} {_fmt(value)}")


app.command()(xp.sweep)
app.command()(xp.warmup)
app.command("app")(app_command)


def main() -> None:
    """Entry point of the ``hubsim`` console script.

    Usage mistakes are reported by typer (exit 2); scenario mistakes by ``_fail`` (exit 2);
    anything else is an internal error: one line, no traceback unless ``HUBSIM_DEBUG=1``.
    """
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - last line of defence: no tracebacks for planners
        if os.environ.get("HUBSIM_DEBUG"):
            raise
        _say(
            "internal error",
            f"{type(exc).__name__}: {exc}\nThis is a bug in hubsim, not in your scenario. Run "
            "again with HUBSIM_DEBUG=1 to see the details, and report them.",
        )
        sys.exit(1)
