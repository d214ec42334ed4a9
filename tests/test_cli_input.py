"""What the planner types and what comes back: every ``hubsim`` command prints names from
files as written (never as rich markup, never as raw terminal escapes), and mistakes on
the command line are usage errors (exit 2) found before any folder is made.

Most tests run the typer app in this process (`typer.testing.CliRunner`), which costs no
interpreter start; those that need a real process say why.
"""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from sim.cli import app

HERE = Path(__file__).resolve().parent
BASE = HERE / "bad_scenarios" / "parts" / "valid_base.yaml"
#: A name that is rich markup and terminal escapes at once: the window title, clear the
#: screen, a CSI byte, a right-to-left override.
HOSTILE = "a [/] b [bold red]loud[/] \x1b]0;pwned\x07\x1b[2J\x9b2J \u202eevil"
#: Bytes that must never reach the terminal raw.
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def invoke(*args: object, cwd: Path) -> tuple[int, str]:
    """``hubsim ARGS`` in this process from ``cwd``: (exit code, stdout + stderr)."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        res = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)
    return res.exit_code, res.output + (res.stderr if res.stderr_bytes is not None else "")


def hostile_scenario(folder: Path, name: str = "hostile") -> Path:
    """A valid scenario whose name, trust and site names are ``HOSTILE``."""
    import json

    text = (
        f"extends: {BASE}\n"
        f"name: {json.dumps(HOSTILE)}\n"
        f"trusts:\n  SWB: {{name: {json.dumps(HOSTILE)}}}\n"
        f"sites:\n  sandwell:\n    name: {json.dumps(HOSTILE)}\n"
    )
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def assert_safe(output: str) -> None:
    for raw in RAW:
        assert raw not in output, (raw, output)
    assert "internal error" not in output and "Traceback" not in output, output


def test_every_command_prints_hostile_names_safely(tmp_path: Path) -> None:
    hostile_scenario(tmp_path)
    (tmp_path / "other.yaml").write_text(
        f"extends: hostile.yaml\nname: {'[/]other'!r}\n", encoding="utf-8"
    )
    fast = ("--reps", 2, "--no-plots", "--jobs", 1)
    commands = [
        ("validate", "hostile.yaml"),
        ("run", "hostile.yaml", *fast, "--out", "RUN", "--no-report"),
        ("report", "RUN"),
        ("rerun", "hostile.yaml", "--rep", 1),
        ("compare", "hostile.yaml", "other.yaml", *fast, "--out", "CMP", "--no-report"),
        ("report", "CMP"),
        ("sweep", "hostile.yaml", "--set", "sites.sandwell.beds.general=18,20", "-n", 1,
         "--no-plots", "--out", "SWEEP"),
        ("warmup", "hostile.yaml", "-n", 1, "--interval", "1 day", "--plot", "w.png"),
    ]  # fmt: skip
    for args in commands:
        code, output = invoke(*args, cwd=tmp_path)
        assert code == 0, (args, output)
        assert_safe(output)
    code, output = invoke("run", "hostile.yaml", *fast, "--out", "RUN2", cwd=tmp_path)
    assert "a [/] b [bold red]loud[/] \\x1b]0;pwned\\x07\\x1b[2J\\x9b2J \\u202eevil" in output


def test_a_hostile_file_name_is_printed_safely(tmp_path: Path) -> None:
    path = hostile_scenario(tmp_path, "plan[bold]\x1b[2J")
    code, output = invoke("validate", path.name, cwd=tmp_path)
    assert code == 0, output
    assert_safe(output)
    assert "plan[bold]\\x1b[2J.yaml" in output
    path.write_text("name: x\nhorizon: nonsense\n", encoding="utf-8")
    code, output = invoke("run", path.name, "--out", "[/]\x1b[2J", cwd=tmp_path)
    assert code == 2, output
    assert_safe(output)
    assert "plan[bold]\\x1b[2J.yaml" in output


def test_version(tmp_path: Path) -> None:
    import sim

    code, output = invoke("--version", cwd=tmp_path)
    assert code == 0
    assert output.strip() == f"hubsim {sim.__version__}"


def test_warnings_print_as_one_plain_line(tmp_path: Path) -> None:
    """A warning from a library reaches the planner as ``warning: ...``, escaped, without
    the source path and line of the library that raised it."""
    import warnings

    import typer

    from sim.cli import _options

    cmd = typer.Typer()

    @cmd.command()
    def noisy() -> None:
        warnings.warn("Glyph 27 (\x1b) missing from font(s)", UserWarning, stacklevel=1)

    cmd.callback()(_options)
    res = CliRunner().invoke(cmd, ["noisy"])
    assert res.exit_code == 0, res.output
    assert "warning: Glyph 27 (\\x1b) missing from font(s)" in res.stderr
    assert "test_cli_input.py" not in res.stderr and "\x1b" not in res.stderr
