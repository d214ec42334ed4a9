"""What the planner types and what comes back: every ``hubsim`` command prints names from
files as written (never as rich markup, never as raw terminal escapes), and mistakes on
the command line are usage errors (exit 2) found before any folder is made.

Most tests run the typer app in this process (`typer.testing.CliRunner`), which costs no
interpreter start; those that need a real process say why.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
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


# ----------------------------------------------------------------------------
# Command-line input: usage errors (exit 2) before any folder is made
# ----------------------------------------------------------------------------

TINY = f"extends: {BASE}\nname: tiny\n"


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run", "tiny.yaml", "--seed", "-1"], "--seed"),
        (["compare", "tiny.yaml", "tiny.yaml", "--seed", "-1"], "--seed"),
        (["sweep", "tiny.yaml", "--set", "horizon=9 weeks", "--seed", "-1"], "--seed"),
        (["rerun", "tiny.yaml", "--rep", "0", "--seed", "-1"], "--seed"),
        (["run", "tiny.yaml", "--jobs", "0"], "give 1 or more, or -1 for all"),
        (["run", "tiny.yaml", "--jobs", "-3"], "give 1 or more, or -1 for all"),
        (["sweep", "tiny.yaml", "--set", "horizon=9 weeks", "-j", "0"], "--jobs"),
        (["warmup", "tiny.yaml", "--jobs", "0"], "--jobs"),
        (["run", "tiny.yaml", "--backend", "dask"], "--scheduler tcp://HOST:8786"),
        (["compare", "tiny.yaml", "tiny.yaml", "--backend", "dask"], "--scheduler"),
        (["sweep", "tiny.yaml", "--set", "horizon=9 weeks", "--backend", "dask"], "--scheduler"),
    ],
)
def test_bad_options_are_usage_errors_before_any_folder(
    work: Path, args: list[str], fragment: str
) -> None:
    out = ["--out", "OUT"] if args[0] in ("run", "compare", "sweep") else []
    code, output = invoke(*args, *out, cwd=work)
    assert code == 2, output
    assert fragment in output, output
    assert "internal error" not in output and "Traceback" not in output
    assert sorted(p.name for p in work.iterdir()) == ["tiny.yaml"], "a folder was made"


def test_jobs_default_to_the_cores_available(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.experiment.runner as runner
    from sim.experiment.backends import available_cores

    asked: list[int] = []

    class Stop(Exception):
        pass

    def record(*args: object, n_jobs: int = 0, **kwargs: object) -> None:
        asked.append(n_jobs)
        raise Stop

    monkeypatch.setattr(runner, "run", record)
    monkeypatch.chdir(work)
    monkeypatch.delenv("HUBSIM_JOBS")
    for env in ({}, {"HUBSIM_JOBS": "3"}):
        res = CliRunner().invoke(app, ["run", "tiny.yaml", "--out", "OUT"], env=env)
        assert isinstance(res.exception, Stop), res.output
    res = CliRunner().invoke(app, ["run", "tiny.yaml", "--out", "OUT2", "--jobs", "-1"])
    assert isinstance(res.exception, Stop), res.output
    assert asked == [available_cores(), 3, available_cores()]
    assert len(os.sched_getaffinity(0)) == available_cores()


def _with_alarm(seconds: int):
    """Fail instead of hanging: SIGALRM interrupts a blocking open() of a FIFO."""
    import signal

    def stop(signum, frame):  # noqa: ANN001
        raise TimeoutError("hung")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    return lambda: (signal.alarm(0), signal.signal(signal.SIGALRM, old))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize(
    "args",
    [
        ["validate", "pipe.yaml"],
        ["run", "pipe.yaml", "--out", "OUT"],
        ["sweep", "tiny.yaml", "--grid", "pipe.yaml", "--out", "OUT"],
        ["validate", "uses_pipe.yaml"],  # extends a FIFO
        ["validate", "backlog_pipe.yaml"],  # a waiting-list CSV that is a FIFO
    ],
)
def test_a_named_pipe_is_refused_without_hanging(work: Path, args: list[str]) -> None:
    os.mkfifo(work / "pipe.yaml")
    (work / "uses_pipe.yaml").write_text("extends: pipe.yaml\n", encoding="utf-8")
    (work / "backlog_pipe.yaml").write_text(
        TINY + "initial_waiting_list: {csv: pipe.yaml}\n", encoding="utf-8"
    )
    restore = _with_alarm(20)
    try:
        code, output = invoke(*args, cwd=work)
    finally:
        restore()
    assert code == 2, output
    assert "named pipe (FIFO), not a file" in output and "pipe.yaml" in output, output
    assert not (work / "OUT").exists()


def test_grid_file_is_read_with_the_loaders_guards(work: Path) -> None:
    """A 'billion laughs' grid is refused at its bound (safe_load built 3.2 GB)."""
    lines = ["a0: &a0 [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    lines.append("sites.sandwell.beds.general: *a8")
    (work / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, output = invoke("sweep", "tiny.yaml", "--grid", "bomb.yaml", "--out", "OUT", cwd=work)
    assert code == 2, output
    assert "bomb.yaml" in output and "more than 1,000,000 values" in output, output
    assert not (work / "OUT").exists()
    (work / "list.yaml").write_text("- 1\n- 2\n", encoding="utf-8")
    code, output = invoke("sweep", "tiny.yaml", "--grid", "list.yaml", cwd=work)
    assert code == 2
    assert "the top level of a grid file must be a mapping" in output, output
    assert "maps dotted scenario paths to lists of values" in output
    (work / "tagged.yaml").write_text("x: !!python/object/apply:os.system [ls]\n")
    code, output = invoke("sweep", "tiny.yaml", "--grid", "tagged.yaml", cwd=work)
    assert code == 2 and "not allowed" in output, output


def test_random_py_in_the_working_folder_does_not_break_workers(work: Path) -> None:
    """Worker processes import Python's random and queue, not the planner's.

    A real process: the console script as a planner runs it, with two loky workers.
    """
    for name in ("random.py", "queue.py"):
        (work / name).write_text(f"raise ImportError('the planner\\'s {name}')\n")
    script = Path(sys.executable).with_name("hubsim")
    cmd = [str(script)] if script.exists() else [sys.executable, "-P", "-m", "sim"]
    env = {**os.environ, "HUBSIM_JOBS": "2"}
    env.pop("HUBSIM_DEBUG", None)
    res = subprocess.run(
        [*cmd, "run", "tiny.yaml", "-n", "2", "--out", "OUT", "--no-plots", "--no-report"],
        cwd=work, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr and "planner" not in res.stderr
    assert '"n_jobs": 2' in (work / "OUT" / "manifest.json").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------
# Messages that name the right place and say what to write (issue 13 §6)
# ----------------------------------------------------------------------------


def test_a_bad_set_value_is_blamed_on_the_command_line(work: Path) -> None:
    code, output = invoke(
        "run", "tiny.yaml", "--set", "sites.sandwell.beds.general=abc", "--out", "OUT", cwd=work
    )
    assert code == 2, output
    assert output.startswith(
        "error: --set sites.sandwell.beds.general=abc, field sites.sandwell.beds.general: "
        "expected a whole number, got 'abc'"
    ), output
    assert "valid_base.yaml" not in output and "line" not in output
    assert not (work / "OUT").exists()


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("sites.sandwel.beds.general=3", "no 'sandwel' under sites; did you mean 'sandwell'?"),
        ("sites.sandwell.bedz.general=3", "under sites.sandwell; did you mean 'beds'?"),
        ("horizn=9 weeks", "no 'horizn' under the top level; did you mean 'horizon'?"),
    ],
)
def test_set_paths_get_did_you_mean(work: Path, spec: str, fragment: str) -> None:
    code, output = invoke("run", "tiny.yaml", "--set", spec, "--out", "OUT", cwd=work)
    assert code == 2, output
    assert f"error: --set {spec.split('=')[0]}: the scenario has" in output and fragment in output
    assert not (work / "OUT").exists()


def test_an_inherited_error_names_the_planners_file_and_the_parents_line(work: Path) -> None:
    parent = BASE.read_text(encoding="utf-8").replace("general: 20", "general: -5")
    (work / "parent.yaml").write_text(parent, encoding="utf-8")
    (work / "mine.yaml").write_text("extends: parent.yaml\nname: mine\n", encoding="utf-8")
    line = next(n for n, t in enumerate(parent.splitlines(), 1) if "general: -5" in t)
    code, output = invoke("validate", "mine.yaml", cwd=work)
    assert code == 2, output
    assert f"parent.yaml, line {line}, field sites.sandwell.beds.general:" in output
    assert "(inherited by mine.yaml through 'extends'" in output and "in mine.yaml)" in output


def test_full_weekday_names_get_did_you_mean(work: Path) -> None:
    (work / "days.yaml").write_text(
        TINY + "sites:\n  sandwell:\n    theatres:\n      th1:\n        sessions:\n"
        "          - {days: [Monday, Wednesday], slot: all_day, specialty: ortho}\n",
        encoding="utf-8",
    )
    code, output = invoke("validate", "days.yaml", cwd=work)
    assert code == 2, output
    assert "got 'Monday'; did you mean 'Mon'?" in output
    assert "got 'Wednesday'; did you mean 'Wed'?" in output


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ("sites:\n  sandwell:\n    emergency: {admissions_per_day: 10 per week}\n",
         "got '10 per week'; write the number alone (10)"),
        ("demand:\n  referrals:\n    sandwell: {hip: 5 per week}\n",
         "got the text '5 per week'; write the number alone (5)"),
        ("sites:\n  sandwell:\n    beds: {general: 20 beds}\n",
         "expected a whole number, got '20 beds'; write the number alone (20)"),
    ],
)  # fmt: skip
def test_a_number_with_words_says_write_the_number_alone(
    work: Path, change: str, fragment: str
) -> None:
    (work / "words.yaml").write_text(TINY + change, encoding="utf-8")
    code, output = invoke("validate", "words.yaml", cwd=work)
    assert code == 2, output
    assert fragment in output, output


# ----------------------------------------------------------------------------
# Folders of compare and sweep (issue 13 §6)
# ----------------------------------------------------------------------------


def test_compare_folder_is_named_after_its_scenarios_and_called_finished(work: Path) -> None:
    (work / "more.yaml").write_text(
        "extends: tiny.yaml\nname: more beds\nsites:\n  sandwell:\n    beds: {general: 30}\n",
        encoding="utf-8",
    )
    args = ("compare", "tiny.yaml", "more.yaml", "-n", 2, "--no-plots", "--no-report")
    code, output = invoke(*args, cwd=work)
    assert code == 0, output
    folder = work / "results" / "compare-tiny-vs-more"
    assert (folder / "manifest.json").is_file() and (folder / "comparison.csv").is_file()
    assert not (folder / ".hubsim.lock").exists()
    code, output = invoke(*args, cwd=work)
    assert code == 2
    assert "already holds files: the finished results of a comparison (2 replications" in output
    assert "unfinished" not in output


def test_sweep_lock_is_removed_at_the_end(work: Path) -> None:
    args = ("sweep", "tiny.yaml", "--set", "sites.sandwell.beds.general=18,20", "-n", 1,
            "--no-plots", "--out", "SW")  # fmt: skip
    code, output = invoke(*args, cwd=work)
    assert code == 0, output
    assert (work / "SW" / "manifest.json").is_file()
    assert not (work / "SW" / ".sweep.lock").exists()
    assert not (work / "SW" / ".hubsim.lock").exists()
