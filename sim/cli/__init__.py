"""The ``hubsim`` command: one module per command, the shared parts in :mod:`.common`.

Mistakes in a scenario are reported as plain paragraphs naming file, line and field,
with exit code 2, never a traceback. Set ``HUBSIM_DEBUG=1`` to see tracebacks of
internal errors.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

os.environ.setdefault("MPLBACKEND", "Agg")  # before anything imports matplotlib

import typer  # noqa: E402

from ..app.launch import app_command  # noqa: E402
from . import (  # noqa: E402
    calibrate,
    compare,
    decompose,
    report,
    rerun,
    run,
    schema,
    sensitivity,
    sweep,
    validate,
    warmup,
)
from .common import err, out, say  # noqa: E402

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="hubsim: simulate NHS provider collaboratives (elective hubs, shared beds, mutual aid).",
)


def _show_version(value: bool) -> None:
    if value:
        from .._version import __version__

        out.print(f"hubsim {__version__}")
        raise typer.Exit()


def _warn(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    """A warning as one plain line (``warning: ...``): no source path, nothing raw."""
    say("warning", str(message))


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and stop."
        ),
    ] = False,
) -> None:
    """hubsim: simulate NHS provider collaboratives (elective hubs, shared beds, mutual aid)."""
    warnings.showwarning = _warn


@contextmanager
def _ignore_working_folder() -> Iterator[None]:
    """Keep the planner's own ``random.py`` or ``queue.py`` from replacing Python's.

    Worker processes start with ``python -m ...``, which puts the working folder first on
    their import path; ``PYTHONSAFEPATH`` (Python 3.11) stops that, and the working folder
    is taken off this process's path (which the workers copy) unless hubsim itself is
    imported from there (a source checkout run as ``python -m sim``). Both are put back
    afterwards, for a caller that runs the command in its own process (a test, a notebook).
    """
    before_env, before_path = os.environ.get("PYTHONSAFEPATH"), list(sys.path)
    os.environ["PYTHONSAFEPATH"] = "1"
    here = os.path.realpath(os.getcwd())
    source = os.path.realpath(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    if source != here:
        sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != here]
    try:
        yield
    finally:
        sys.path[:] = before_path
        if before_env is None:
            os.environ.pop("PYTHONSAFEPATH", None)
        else:
            os.environ["PYTHONSAFEPATH"] = before_env


for command in (
    validate.validate,
    schema.schema,
    run.run,
    compare.compare,
    decompose.decompose,
    sensitivity.sensitivity,
    sensitivity.threshold,
    sensitivity.target,
    report.report,
    rerun.rerun,
    sweep.sweep,
    warmup.warmup,
    calibrate.calibrate,
):
    app.command()(command)
app.command("app")(app_command)  # the planner's browser app lives with it, in sim.app


def main() -> None:
    """Entry point of the ``hubsim`` console script.

    Usage mistakes are reported by typer (exit 2); scenario mistakes by ``common.fail``
    (exit 2); anything else is an internal error: one line, no traceback unless
    ``HUBSIM_DEBUG=1``.
    """
    try:
        with _ignore_working_folder():
            app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - last line of defence: no tracebacks for planners
        if os.environ.get("HUBSIM_DEBUG"):
            raise
        say(
            "internal error",
            f"{type(exc).__name__}: {exc}\nThis is a bug in hubsim, not in your scenario. Run "
            "again with HUBSIM_DEBUG=1 to see the details, and report them.",
        )
        sys.exit(1)
