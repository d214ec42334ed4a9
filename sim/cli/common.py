"""What the ``hubsim`` commands share: messages, number formats, loading a scenario, the
output folder, the report, and the options common to several commands."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..metrics import KPIS
from ..text import printable

if TYPE_CHECKING:
    from ..experiment.precision import Precision
    from ..scenario.schema import Scenario


def plain(text: object) -> str:
    """Text from a file or the command line, safe for a terminal, line by line.

    Escape bytes and other unprintable characters are shown as ``\\x1b``-style escapes
    (`sim.text.printable`); line breaks of a multi-line message are kept.
    """
    return "\n".join(printable(line) for line in str(text).split("\n"))


class PlainConsole(Console):
    """A rich console that never reads markup or emoji codes in the strings it prints and
    escapes unprintable characters: a scenario named ``[/]`` or ``\\e]0;title\\a`` prints
    as written. Styled output is built from `rich.text.Text` (see `styled`)."""

    def render_str(self, text: str, **kwargs: Any) -> Text:  # noqa: D102 - rich's hook
        kwargs.update(markup=False, emoji=False)
        return super().render_str(plain(text), **kwargs)


def styled(text: str, style: str) -> Text:
    """``text`` (made printable) in a rich style, e.g. ``styled("ok", "green")``."""
    return Text(plain(text), style=style)


out = PlainConsole(emoji=False, markup=False)
err = PlainConsole(stderr=True, emoji=False, markup=False)


# -- messages and numbers ----------------------------------------------------------------
def say(label: str, message: str) -> None:
    """Print ``label: message`` to stderr; the message is plain text, never markup."""
    err.print(
        styled(f"{label}: ", "bold red") + Text(plain(message)), highlight=False, soft_wrap=True
    )


def fail(message: str, code: int = 2) -> NoReturn:
    """Stop with ``error: message`` and exit code ``code`` (2: the planner's mistake)."""
    say("error", message)
    raise typer.Exit(code)


def fmt(x: float) -> str:
    """A figure for a terminal table: thousands whole, units to 2 places, else 3."""
    if x != x:  # NaN
        return "–"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


# -- scenarios, folders, the report ------------------------------------------------------
ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]

SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="PATH=VALUE: change one field of the scenario for this run, e.g. "
        "horizon='30 weeks' or sites.cannock.beds.elective=26 (repeatable; the value is "
        "read as YAML).",
    ),
]


def parse_overrides(sets: list[str] | None) -> dict[str, object] | None:
    """``--set PATH=VALUE`` options as load overrides (a usage error if malformed)."""
    from ..experiment.sweep.grid import SweepError, parse_set

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


def load(path: Path, overrides: dict[str, object] | None = None) -> Scenario:
    """The checked scenario, or stop with its mistakes, one paragraph each (exit 2)."""
    from ..scenario.errors import ScenarioError
    from ..scenario.load import load_scenario

    try:
        return load_scenario(path, overrides)
    except ScenarioError as exc:
        fail(exc.message)


def prepare_output(folder: Path, overwrite: bool) -> None:
    """Make the output folder ready, or stop with the planner-facing reason (exit 2).

    Prefer `output_folder`, which also holds the folder against a second hubsim."""
    from ..experiment.output import OutputFolderError, folder_lock, prepare_folder

    try:
        with folder_lock(folder):
            prepare_folder(folder, overwrite)
    except OutputFolderError as exc:
        fail(str(exc))


@contextlib.contextmanager
def output_folder(folder: Path, overwrite: bool) -> Iterator[Path]:
    """Hold the output folder for the whole command: locked against a second hubsim,
    checked to be writable and free (or emptied with ``--overwrite``) before anything
    runs; or stop with the planner-facing reason (exit 2)."""
    from ..experiment.output import OutputFolderError, folder_lock, prepare_folder

    try:
        with folder_lock(folder):
            prepare_folder(folder, overwrite)
            yield folder
    except OutputFolderError as exc:
        fail(str(exc))


def save_failed(folder: Path, exc: OSError) -> NoReturn:
    """Stop (exit 1) when results cannot be saved (disk full, ...): say why and that the
    folder holds nothing that claims to be complete."""
    from ..experiment.output import cannot_write

    fail(
        f"{cannot_write(folder, exc)}. Nothing in {folder} claims to be complete (it has no "
        "manifest.json); run again with --overwrite once it can be written",
        code=1,
    )


def write_report(folder: Path, out_file: Path | None = None) -> None:
    """Write ``report.html`` for a finished folder, or stop saying why not (exit 2)."""
    from ..report.html import ReportError, build_report

    try:
        path = build_report(folder, out_file)
    except ReportError as exc:
        fail(str(exc))
    out.print(f"report: {path}")


# -- replications by precision (--reps auto) and where they run ---------------------------
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
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        envvar="HUBSIM_JOBS",
        show_default=False,
        help="Worker processes (default: the cores available to hubsim, or HUBSIM_JOBS); "
        "-1 = all of them.",
    ),
]


def seed_option(help: str) -> Any:
    """``--seed``: a whole number from 0 (numpy's seed sequences take no negative seed)."""
    return typer.Option(min=0, help=help)


def parse_jobs(jobs: int | None) -> int:
    """``--jobs``: a number of worker processes, -1 or none given = the cores available."""
    from ..experiment.backends import available_cores

    if jobs is None or jobs == -1:
        return available_cores()
    if jobs < 1:
        raise typer.BadParameter(
            f"{jobs} worker processes: give 1 or more, or -1 for all "
            f"{available_cores()} cores available",
            param_hint="--jobs",
        )
    return jobs


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
    from ..experiment.precision import check_kpis

    try:
        return check_kpis([k.strip() for k in text.split(",") if k.strip()])
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--target-kpis") from None


def check_backend(backend: str | None, scheduler: str | None) -> str | None:
    """``--backend`` and ``--scheduler`` checked together (a usage error if they clash)."""
    from ..experiment.backends import BackendError, resolve_backend

    if backend not in (None, "loky", "dask"):
        raise typer.BadParameter(f"{backend!r}: choose loky or dask", param_hint="--backend")
    try:
        resolved = resolve_backend(backend, scheduler)
    except BackendError as exc:
        raise typer.BadParameter(str(exc), param_hint="--scheduler") from None
    if resolved == "dask" and not scheduler:  # no dask client can exist before a command
        raise typer.BadParameter(
            "the dask backend needs the address of a running dask scheduler, e.g. "
            "--scheduler tcp://HOST:8786",
            param_hint="--scheduler",
        )
    return resolved


def precision_table(precision: Precision) -> Table:
    """Each target KPI's 95% half-width and its share of the mean, against the target."""
    table = Table(title=precision.describe(), title_justify="left")
    table.add_column("KPI")
    table.add_column("95% half-width", justify="right")
    table.add_column("relative", justify="right")
    table.add_column("target", justify="right")
    for key, half in precision.half_widths.items():
        rel = precision.relative[key]
        ok = styled("ok", "green") if rel <= precision.target else styled("above", "red")
        table.add_row(
            key, fmt(half), Text(f"{100 * rel:.2f}% ") + ok, f"{100 * precision.target:g}%"
        )
    return table
