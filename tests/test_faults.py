"""Faults during a run: interrupted runs, replications that raise, and the output folder.

Each test runs ``python -m sim`` as a real subprocess. A small wrapper (``CHILD``) can
inject a fault into that process only, chosen by environment variables:

- ``HUBSIM_TEST_FAIL_REP=K``: replication K raises (in ``hubsim run`` and ``hubsim rerun``);
- ``HUBSIM_TEST_HANG_REP=K``: replication K prints ``RUNNING`` and hangs;
- ``HUBSIM_TEST_STUCK_AT=N``: the N-th result file is written under its temporary name,
  then the process prints ``STUCK`` and hangs before renaming it into place.

A hanging child is then killed with SIGKILL, as a power cut or ``kill -9`` would, and the
folder it left is inspected: only a folder with ``manifest.json`` holds complete results.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

TINY = textwrap.dedent(
    """\
    name: tiny
    horizon: 6 weeks
    warm_up: 1 weeks
    trusts:
      SWB: {name: Sandwell and West Birmingham}
    sites:
      site_a:
        trust: SWB
        beds: {general: 20, elective: 5}
        theatres:
          th1:
            sessions:
              - {days: [Mon, Wed], slot: all_day, specialty: ortho}
        emergency:
          admissions_per_day: 2
          length_of_stay: {dist: exponential, mean: 3 days}
    procedures:
      hip:
        specialty: ortho
        duration: {dist: lognormal, mean: 95 min, sd: 20 min}
        length_of_stay: {dist: lognormal, mean: 3 days, sd: 1 days}
    demand:
      referrals:
        site_a: {hip: 5}
    """
)

CHILD = textwrap.dedent(
    """\
    import importlib, os, time

    import sim.experiment.output as output

    run_module = importlib.import_module("sim.replication")

    FAIL = int(os.environ.get("HUBSIM_TEST_FAIL_REP", "-1"))
    HANG = int(os.environ.get("HUBSIM_TEST_HANG_REP", "-1"))
    STUCK_AT = int(os.environ.get("HUBSIM_TEST_STUCK_AT", "0"))
    real_run_replication = run_module.run_replication
    real_atomic_write = output.atomic_write
    writes = 0


    def run_replication(scenario, seed=0, rep=0, events=False):
        if rep == FAIL:
            raise RuntimeError(f"injected fault in replication {rep}")
        if rep == HANG:
            print("RUNNING", rep, flush=True)
            time.sleep(600)
        return real_run_replication(scenario, seed=seed, rep=rep, events=events)


    def atomic_write(path, write):
        global writes
        writes += 1
        if writes != STUCK_AT:
            return real_atomic_write(path, write)

        def write_then_hang(tmp):
            write(tmp)
            print("STUCK", path, flush=True)
            time.sleep(600)

        return real_atomic_write(path, write_then_hang)


    run_module.run_replication = run_replication
    output.atomic_write = atomic_write
    from sim.cli import main

    main()
    """
)

RESULT_FILES = ("summary.csv", "replications.parquet", "timeseries.parquet", "treated.parquet")
#: Files a run may leave beside those its manifest lists: the manifest, and the HTML
#: report built from the finished folder after it.
NOT_LISTED = {"manifest.json", "report.html"}


def _env(**faults: int) -> dict[str, str]:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("HUBSIM_DEBUG", None)
    for key in ("FAIL_REP", "HANG_REP", "STUCK_AT"):
        env.pop(f"HUBSIM_TEST_{key}", None)
    env.update({f"HUBSIM_TEST_{k.upper()}": str(v) for k, v in faults.items()})
    return env


def hubsim(*args: object, cwd: Path, **faults: int) -> subprocess.CompletedProcess[str]:
    """``hubsim ARGS`` in a child process, with the given faults injected."""
    return subprocess.run(
        [sys.executable, "-c", CHILD, *map(str, args)],
        cwd=cwd,
        env=_env(**faults),
        capture_output=True,
        text=True,
        timeout=180,
    )


def kill_when(signal_word: str, *args: object, cwd: Path, **faults: int) -> str:
    """Start ``hubsim ARGS``, wait until it prints ``signal_word``, then SIGKILL it.

    Returns what it had printed on stdout.
    """
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, *map(str, args)],
        cwd=cwd,
        env=_env(**faults),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    seen: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            seen.append(line)
            if line.startswith(signal_word):
                break
        else:
            pytest.fail(f"hubsim ended (code {proc.wait()}) before {signal_word}: {seen}")
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    return "".join(seen)


def visible_files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")}


def assert_complete(folder: Path) -> dict:
    """A finished folder: a manifest that lists every result file, and no file it does not."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert set(RESULT_FILES) <= set(manifest["files"])
    assert visible_files(folder) - NOT_LISTED == set(manifest["files"])
    assert not list(folder.glob(".*.part")), "a temporary file was left behind"
    return manifest


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    return tmp_path


# ----------------------------------------------------------------------------
# The output folder
# ----------------------------------------------------------------------------


def test_killed_while_running_leaves_no_results(work: Path) -> None:
    kill_when("RUNNING", "run", "tiny.yaml", "--reps", 3, "--out", "OUT", cwd=work, hang_rep=1)
    out = work / "OUT"
    assert not (out / "manifest.json").exists()
    assert visible_files(out) == set(), "a killed run left result files"
    # An empty folder is free to use again.
    res = hubsim("run", "tiny.yaml", "--reps", 2, "--out", "OUT", "--no-plots", cwd=work)
    assert res.returncode == 0, res.stderr
    assert_complete(out)


def test_killed_while_saving_leaves_an_incomplete_folder(work: Path) -> None:
    printed = kill_when(
        "STUCK", "run", "tiny.yaml", "--reps", 2, "--out", "OUT", "--no-plots", cwd=work, stuck_at=3
    )
    out = work / "OUT"
    assert printed.splitlines()[-1] == f"STUCK {Path('OUT') / RESULT_FILES[2]}"
    # Files written before the kill are whole; the one being written is only a hidden
    # temporary file; and there is no manifest, so nothing claims to be complete.
    assert visible_files(out) == set(RESULT_FILES[:2])
    assert pd.read_csv(out / "summary.csv").shape[0] > 0
    assert [p.name.startswith(f".{RESULT_FILES[2]}.") for p in out.glob(".*.part")] == [True]
    assert not (out / "manifest.json").exists()

    # A later run does not mix its results into the unfinished folder ...
    res = hubsim("run", "tiny.yaml", "--reps", 2, "--out", "OUT", "--no-plots", cwd=work)
    assert res.returncode == 2, res.stderr
    assert "already holds files" in res.stderr and "--overwrite" in res.stderr
    assert "Traceback" not in res.stderr
    # ... unless told to replace it: then the folder is complete, with nothing stale.
    res = hubsim(
        "run", "tiny.yaml", "--reps", 2, "--out", "OUT", "--no-plots", "--overwrite", cwd=work
    )
    assert res.returncode == 0, res.stderr
    assert_complete(out)


def test_overwrite_removes_the_old_manifest_and_results_before_writing(work: Path) -> None:
    first = hubsim("run", "tiny.yaml", "--reps", 2, "--seed", 3, "--out", "OUT", cwd=work)
    assert first.returncode == 0, first.stderr
    out = work / "OUT"
    old = assert_complete(out)
    assert any(name.endswith(".png") for name in old["files"])
    (out / "events.parquet").write_bytes(b"from an even older run")  # not in the manifest

    # Replaced with a run without plots that is killed while writing its first file.
    kill_when(
        "STUCK", "run", "tiny.yaml", "--reps", 2, "--seed", 4, "--out", "OUT", "--no-plots",
        "--overwrite", cwd=work, stuck_at=1,
    )  # fmt: skip
    assert not (out / "manifest.json").exists(), "the old manifest still vouches for the folder"
    assert visible_files(out) == set(), "old results were left beside the new ones"

    res = hubsim(
        "run", "tiny.yaml", "--reps", 2, "--seed", 4, "--out", "OUT", "--no-plots", "--overwrite",
        cwd=work,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    manifest = assert_complete(out)
    assert manifest["seed"] == 4
    assert not any(name.endswith(".png") for name in visible_files(out))


def test_a_user_file_in_the_folder_is_refused_without_overwrite(work: Path) -> None:
    out = work / "OUT"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    res = hubsim("run", "tiny.yaml", "--reps", 1, "--out", "OUT", "--no-plots", cwd=work)
    assert res.returncode == 2
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert visible_files(out) == {"notes.txt"}
    # --overwrite replaces results, not the planner's own files.
    res = hubsim(
        "run", "tiny.yaml", "--reps", 1, "--out", "OUT", "--no-plots", "--overwrite", cwd=work
    )
    assert res.returncode == 0, res.stderr
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


# ----------------------------------------------------------------------------
# A replication that raises
# ----------------------------------------------------------------------------


def _names_the_failure(stderr: str, rep: int, seed: int) -> None:
    assert f"replication {rep} (experiment seed {seed}" in stderr, stderr
    assert f"injected fault in replication {rep}" in stderr, stderr
    assert "Traceback" not in stderr, stderr


def test_failed_replication_without_keep_going_saves_nothing(work: Path) -> None:
    res = hubsim(
        "run", "tiny.yaml", "--reps", 3, "--seed", 7, "--jobs", 1, "--out", "OUT", cwd=work,
        fail_rep=1,
    )  # fmt: skip
    assert res.returncode != 0
    _names_the_failure(res.stderr, rep=1, seed=7)
    assert "hubsim rerun tiny.yaml --seed 7 --rep 1" in res.stderr
    out = work / "OUT"
    assert not (out / "manifest.json").exists()
    assert visible_files(out) == set()


def test_failed_replication_with_keep_going_saves_the_others(work: Path) -> None:
    res = hubsim(
        "run", "tiny.yaml", "--reps", 3, "--seed", 7, "--jobs", 1, "--out", "OUT", "--no-plots",
        "--keep-going", cwd=work, fail_rep=1,
    )  # fmt: skip
    assert res.returncode != 0, "a run with a failed replication must not look successful"
    _names_the_failure(res.stderr, rep=1, seed=7)
    out = work / "OUT"
    manifest = assert_complete(out)
    assert manifest["replications"] == [0, 2]
    [failure] = manifest["failures"]
    assert failure["rep"] == 1 and failure["seed"] == 7
    assert "injected fault in replication 1" in failure["error"]
    reps = pd.read_parquet(out / "replications.parquet")
    assert sorted(reps["rep"].unique()) == [0, 2]

    # `hubsim rerun` reproduces one replication alone: rep 2 gives the saved numbers ...
    again = hubsim("rerun", "tiny.yaml", "--seed", 7, "--rep", 2, cwd=work)
    assert again.returncode == 0, again.stderr
    saved = reps[(reps["rep"] == 2) & (reps["site"] == "")].set_index("kpi")["value"]
    from sim.cli.common import fmt

    for kpi in ("referrals", "operations", "waiting_list_end"):
        assert f"  {kpi:32s} {fmt(saved[kpi])}\n" in again.stdout, (kpi, again.stdout)


def test_rerun_reproduces_the_failure_alone(work: Path) -> None:
    res = hubsim("rerun", "tiny.yaml", "--seed", 7, "--rep", 1, cwd=work, fail_rep=1)
    assert res.returncode != 0
    _names_the_failure(res.stderr, rep=1, seed=7)
    assert "HUBSIM_DEBUG=1" in res.stderr  # how to see the traceback

    other = hubsim("rerun", "tiny.yaml", "--seed", 7, "--rep", 0, cwd=work, fail_rep=1)
    assert other.returncode == 0, other.stderr
    assert "replication 0 (seed 7)" in other.stdout


def test_rerun_shows_the_traceback_when_debugging(work: Path) -> None:
    env_debug = {"HUBSIM_DEBUG": "1"}
    res = subprocess.run(
        [sys.executable, "-c", CHILD, "rerun", "tiny.yaml", "--seed", "7", "--rep", "1"],
        cwd=work,
        env={**_env(fail_rep=1), **env_debug},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert res.returncode != 0
    assert "Traceback" in res.stderr and "injected fault in replication 1" in res.stderr


# ----------------------------------------------------------------------------
# Every file through a temporary name
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["run", "compare"])
def test_every_result_file_is_written_by_rename(
    command: str, work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each file the command leaves was written under a temporary name and renamed."""
    import sim.cli
    import sim.experiment.output as output

    renamed: list[Path] = []
    real = output.atomic_write

    def spy(path: str | os.PathLike[str], write) -> None:
        real(path, write)
        renamed.append(Path(path).resolve())

    monkeypatch.setattr(output, "atomic_write", spy)
    monkeypatch.chdir(work)
    monkeypatch.delenv("HUBSIM_DEBUG", raising=False)
    (work / "other.yaml").write_text(TINY.replace("name: tiny", "name: other"), encoding="utf-8")
    files = ["tiny.yaml", "other.yaml"] if command == "compare" else ["tiny.yaml"]
    monkeypatch.setattr(sys, "argv", ["hubsim", command, *files, "--reps", "2", "--out", "OUT"])
    with pytest.raises(SystemExit) as done:
        sim.cli.main()
    assert done.value.code == 0
    written = {p.resolve() for p in (work / "OUT").rglob("*") if p.is_file()}
    assert written, "nothing was written"
    assert written == set(renamed), written ^ set(renamed)
    assert not any(p.name.endswith(".part") for p in written)


# ----------------------------------------------------------------------------
# Two runs into one folder: one wins, the other refuses (issue 15)
# ----------------------------------------------------------------------------


def here(*args: object, cwd: Path):
    """``hubsim ARGS`` in this process (no interpreter start): for the checks that follow a
    fault, which need no fault of their own. Returns typer's result (exit_code, stderr)."""
    from typer.testing import CliRunner

    from sim.cli import app

    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(app, [str(a) for a in args])
    finally:
        os.chdir(old)


def _ctrl_c_as_in_a_terminal() -> None:
    # A command started in the background (``cmd &``, nohup, some CI runners) inherits
    # SIGINT ignored, and Python then never raises KeyboardInterrupt: the child gets
    # Ctrl-C as it would in a terminal, whoever started the tests.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(*args: object, cwd: Path, **faults: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, *map(str, args)],
        cwd=cwd,
        env=_env(**faults),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )


def test_a_second_run_into_a_busy_folder_is_refused(work: Path) -> None:
    first = start(
        "run", "tiny.yaml", "--reps", 3, "--out", "OUT", "--no-plots", cwd=work, hang_rep=1
    )
    try:
        assert first.stdout is not None
        assert first.stdout.readline().startswith("RUNNING")  # holds OUT, mid-run
        second = here("run", "tiny.yaml", "--reps", 2, "--seed", 9, "--out", "OUT", cwd=work)
        assert second.exit_code == 2, second.stderr
        assert f"another hubsim (process {first.pid}) is writing to OUT" in second.stderr
        assert "Traceback" not in second.stderr
        assert visible_files(work / "OUT") == set(), "the refused run wrote into the folder"
    finally:
        first.kill()
        first.wait(timeout=30)
    # The killed run's lock died with it: the folder is free again, and the lock file is
    # removed at the end of the next run.
    res = here("run", "tiny.yaml", "--reps", 2, "--out", "OUT", "--no-plots", cwd=work)
    assert res.exit_code == 0, res.stderr
    assert_complete(work / "OUT")
    assert not (work / "OUT" / ".hubsim.lock").exists()


def test_two_runs_started_together_never_mix(work: Path) -> None:
    runs = {
        seed: start("run", "tiny.yaml", "--reps", 2, "--seed", seed, "--out", "OUT",
                    "--no-plots", "--no-report", cwd=work)
        for seed in (3, 4)
    }  # fmt: skip
    ended = {seed: (p.wait(timeout=300), p.communicate()[1]) for seed, p in runs.items()}
    winners = [seed for seed, (code, _) in ended.items() if code == 0]
    assert len(winners) == 1, ended
    [(code, stderr)] = [v for seed, v in ended.items() if seed not in winners]
    assert code == 2 and "Traceback" not in stderr, stderr
    assert "another hubsim" in stderr or "holds files: the finished results of a run" in stderr
    manifest = assert_complete(work / "OUT")
    assert manifest["seed"] == winners[0]
    from sim.experiment.output import changed_files

    assert changed_files(work / "OUT", manifest) == []  # every file is the winner's


# ----------------------------------------------------------------------------
# A killed parent leaves no worker behind
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_workers_die_with_a_killed_parent(work: Path, command: str) -> None:
    psutil = pytest.importorskip("psutil")
    args = {
        "run": ["run", "tiny.yaml", "-n", 400, "--out", "OUT"],
        "sweep": ["sweep", "tiny.yaml", "--set", "sites.site_a.beds.general=18,19,20,21",
                  "-n", 100, "--out", "SW"],
    }[command]  # fmt: skip
    env = {**_env(), "HUBSIM_JOBS": "2"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *map(str, args), "--no-plots"],
        cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        parent = psutil.Process(proc.pid)
        deadline = time.monotonic() + 120
        while True:
            family = parent.children(recursive=True)
            # loky's workers, or forks of the command itself (the sweep's fork pool)
            workers = [
                p for p in family
                if "loky.backend.popen" in " ".join(p.cmdline()) or p.cmdline() == parent.cmdline()
            ]  # fmt: skip
            if len(workers) >= 2:
                break
            assert proc.poll() is None, "the run ended before its workers were seen"
            assert time.monotonic() < deadline, "no workers started"
            time.sleep(0.2)
        time.sleep(1.0)  # let them take tasks
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        _, alive = psutil.wait_procs(family, timeout=30)
        assert alive == [], f"left behind: {[(p.pid, p.cmdline()[:3]) for p in alive]}"
    finally:
        proc.kill()
        proc.wait()


# ----------------------------------------------------------------------------
# Ctrl-C keeps the finished replications, marked partial
# ----------------------------------------------------------------------------


def test_ctrl_c_keeps_finished_replications_marked_partial(work: Path) -> None:
    proc = start("run", "tiny.yaml", "--reps", 5, "--seed", 2, "--out", "OUT", "--no-plots",
                 cwd=work, hang_rep=2)  # fmt: skip
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("RUNNING 2")  # replications 0 and 1 done
        proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        _, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr
    assert "interrupted: kept the 2 replication(s) that had finished of 5 in OUT/" in stderr
    assert "partial" in stderr and "Traceback" not in stderr
    manifest = assert_complete(work / "OUT")
    assert manifest["partial"] is True
    assert manifest["replications"] == [0, 1] and manifest["reps_planned"] == 5
    assert sorted(pd.read_parquet(work / "OUT" / "replications.parquet")["rep"].unique()) == [0, 1]
    # A later command says what is there, and the report says it is partial.
    again = here("run", "tiny.yaml", "--reps", 5, "--out", "OUT", cwd=work)
    assert again.exit_code == 2
    assert "a run interrupted after 2 of 5 replications (kept and marked partial)" in again.stderr
    rep = here("report", "OUT", cwd=work)
    assert rep.exit_code == 0, rep.stderr
    html = (work / "OUT" / "report.html").read_text(encoding="utf-8")
    assert "Partial: the run was interrupted after 2 of 5 replications." in html


def test_killed_while_writing_the_manifest_is_not_complete(work: Path) -> None:
    """The sixth file written (--no-plots) is the manifest: killed before it is renamed
    into place, the folder is an unfinished run to every later command."""
    printed = kill_when(
        "STUCK", "run", "tiny.yaml", "--reps", 2, "--out", "OUT", "--no-plots", cwd=work,
        stuck_at=6,
    )  # fmt: skip
    assert printed.splitlines()[-1] == f"STUCK {Path('OUT') / 'manifest.json'}"
    report = here("report", "OUT", cwd=work)
    assert report.exit_code == 2 and "has no manifest.json" in report.stderr, report.stderr
    again = here("run", "tiny.yaml", "--reps", 2, "--out", "OUT", cwd=work)
    assert again.exit_code == 2
    assert "an unfinished run (replications.parquet, scenario.yaml" in again.stderr, again.stderr
    assert "no manifest.json, so not complete results" in again.stderr


# ----------------------------------------------------------------------------
# A folder that cannot be written: read-only, full disk
# ----------------------------------------------------------------------------
# CI runs as root, so chmod stops nothing: these mount a real read-only or tiny tmpfs in a
# private mount namespace (`unshare -rm`), which lasts as long as the one command.


def _mount_namespace_works(where: Path) -> bool:
    try:
        res = subprocess.run(
            ["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs '{where}'"],
            capture_output=True, timeout=30,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return False
    return res.returncode == 0


def in_mount_namespace(mounts: str, *args: object, cwd: Path, **faults: int):
    """``hubsim ARGS`` (the fault-injecting child) after ``mounts`` in a private mount
    namespace; skipped where unprivileged mount namespaces are not allowed."""
    probe = cwd / ".probe"
    probe.mkdir(exist_ok=True)
    if not _mount_namespace_works(probe):
        pytest.skip(
            "cannot mount a tmpfs in a private mount namespace (unshare -rm) here, so no "
            "read-only or full file system can be made; chmod does not stop root"
        )
    env = {**_env(**faults), "HUBSIM_CHILD": CHILD}
    script = f'{mounts} && exec "$0" -c "$HUBSIM_CHILD" "$@"'
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, sys.executable, *map(str, args)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip


@pytest.mark.parametrize("out", ["RO", "RO/OUT"])
def test_read_only_folder_exits_2_before_simulating(work: Path, out: str) -> None:
    (work / "RO").mkdir()
    res = in_mount_namespace(
        "mount -t tmpfs -o size=1m tmpfs RO && mount -o remount,ro RO",
        "run", "tiny.yaml", "--reps", 2, "--out", out, cwd=work, fail_rep=0,
    )  # fmt: skip
    assert res.returncode == 2, res.stderr
    assert f"cannot write to {out}: Read-only file system" in res.stderr, res.stderr
    assert "choose a folder you can write to with --out" in res.stderr
    assert "injected fault" not in res.stderr, "the simulation ran before the folder was checked"
    assert "bug in hubsim" not in res.stderr and "Traceback" not in res.stderr


def test_full_disk_exits_2_before_simulating(work: Path) -> None:
    (work / "FULL").mkdir()
    res = in_mount_namespace(
        "mount -t tmpfs -o size=512k tmpfs FULL",
        "run", "tiny.yaml", "--reps", 2, "--out", "FULL/OUT", cwd=work, fail_rep=0,
    )  # fmt: skip
    assert res.returncode == 2, res.stderr
    assert "cannot write to FULL/OUT: only" in res.stderr and "KB free" in res.stderr
    assert "free some space" in res.stderr
    assert "injected fault" not in res.stderr and "bug in hubsim" not in res.stderr


def test_disk_full_while_saving_leaves_nothing_complete(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills between the check and the save (injected ENOSPC on the third file):
    exit 1 with a plain message, no manifest, no temporary file left."""
    import errno

    from typer.testing import CliRunner

    import sim.experiment.output as output
    from sim.cli import app

    real, calls = output.atomic_write, []

    def filling(path, write) -> None:  # noqa: ANN001
        calls.append(path)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, write)

    monkeypatch.setattr(output, "atomic_write", filling)
    monkeypatch.chdir(work)
    res = CliRunner().invoke(app, ["run", "tiny.yaml", "-n", "2", "--out", "OUT", "--no-plots"])
    assert res.exit_code == 1, res.output
    assert "cannot write to OUT: No space left on device; free some space" in res.stderr
    assert "Nothing in OUT claims to be complete" in res.stderr
    assert "bug in hubsim" not in res.stderr
    assert not (work / "OUT" / "manifest.json").exists()
    assert not list((work / "OUT").glob(".*"))  # no temporary file, no lock


# ----------------------------------------------------------------------------
# hubsim report on a tampered folder: a clear exit 2 each
# ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished run folder (in this process: no interpreter start)."""
    import sim

    base = tmp_path_factory.mktemp("finished")
    (base / "tiny.yaml").write_text(TINY, encoding="utf-8")
    sim.run(sim.load_scenario(base / "tiny.yaml"), reps=2, seed=1).save(str(base / "OUT"))
    return base / "OUT"


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _no_checksums(folder: Path) -> None:
    """As an older hubsim wrote it: no SHA-256 in the manifest."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    del manifest["sha256"]
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _text_in_mean(folder: Path) -> None:
    _no_checksums(folder)
    summary = pd.read_csv(folder / "summary.csv", keep_default_na=False)
    summary["mean"] = summary["mean"].astype(object)
    summary.loc[3, "mean"] = "about ten"
    summary.to_csv(folder / "summary.csv", index=False)


TAMPERED = [
    pytest.param(lambda f: (f / "manifest.json").write_text("{"), [], "not valid JSON",
                 id="manifest {"),
    pytest.param(lambda f: (f / "manifest.json").write_text("[]"), [],
                 "holds list JSON, not hubsim's manifest", id="manifest []"),
    pytest.param(lambda f: _truncate(f / "replications.parquet"), [],
                 "replications.parquet (changed since hubsim wrote it)", id="truncated parquet"),
    pytest.param(lambda f: _truncate(f / "summary.csv"), [],
                 "summary.csv (changed since hubsim wrote it)", id="truncated summary.csv"),
    pytest.param(lambda f: (_no_checksums(f), (f / "summary.csv").write_text("")), [],
                 "summary.csv cannot be read as CSV", id="empty summary.csv, old manifest"),
    pytest.param(_text_in_mean, [], "row 5, column mean: 'about ten' is not a number",
                 id="text in a number column"),
    pytest.param(lambda f: (f / "scenario.yaml").unlink(), [], "scenario.yaml (missing)",
                 id="missing scenario.yaml"),
    pytest.param(lambda f: (_no_checksums(f), (f / "scenario.yaml").unlink()), [],
                 "has no scenario.yaml", id="missing scenario.yaml, old manifest"),
    pytest.param(lambda f: (f / "elsewhere").mkdir(), ["--out", "{folder}/elsewhere"],
                 "is a folder; give a file name such as report.html", id="--out a folder"),
]  # fmt: skip


@pytest.mark.parametrize(("tamper", "extra", "fragment"), TAMPERED)
def test_report_on_a_tampered_folder_exits_2(
    finished: Path, tmp_path: Path, tamper, extra: list[str], fragment: str
) -> None:
    import shutil

    from typer.testing import CliRunner

    from sim.cli import app

    folder = tmp_path / "OUT"
    shutil.copytree(finished, folder)
    tamper(folder)
    args = ["report", str(folder), *(a.format(folder=folder) for a in extra)]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2, (res.exit_code, res.output, res.exception)
    assert fragment in res.stderr, res.stderr
    assert "bug in hubsim" not in res.stderr and "Traceback" not in res.stderr
    assert not (folder / "report.html").exists()


def test_report_verifies_checksums_of_an_untouched_folder(finished: Path, tmp_path: Path) -> None:
    from sim.experiment.output import changed_files, sha256_file

    manifest = json.loads((finished / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["sha256"]) == set(manifest["files"])
    for name, digest in manifest["sha256"].items():
        assert sha256_file(finished / name) == digest
    assert changed_files(finished, manifest) == []


def test_run_out_naming_a_file_exits_2(work: Path) -> None:
    from typer.testing import CliRunner

    from sim.cli import app

    (work / "notes.txt").write_text("mine", encoding="utf-8")
    old = Path.cwd()
    os.chdir(work)
    try:
        res = CliRunner().invoke(app, ["run", "tiny.yaml", "--out", "notes.txt"])
    finally:
        os.chdir(old)
    assert res.exit_code == 2 and "notes.txt exists and is not a folder" in res.stderr
    assert (work / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_compare_killed_before_its_manifest_is_not_complete(work: Path) -> None:
    """hubsim compare writes each scenario's folder, comparison.csv, then its own manifest
    (the 14th file without plots): killed just before, nothing calls the folder complete."""
    from typer.testing import CliRunner

    from sim.cli import app

    (work / "more.yaml").write_text(TINY.replace("general: 20", "general: 30"), encoding="utf-8")
    printed = kill_when(
        "STUCK", "compare", "tiny.yaml", "more.yaml", "--reps", 2, "--out", "CMP", "--no-plots",
        cwd=work, stuck_at=14,
    )  # fmt: skip
    assert printed.splitlines()[-1] == f"STUCK {Path('CMP') / 'manifest.json'}"
    assert (work / "CMP" / "comparison.csv").is_file()
    old = Path.cwd()
    os.chdir(work)
    try:
        report = CliRunner().invoke(app, ["report", "CMP"])
        again = CliRunner().invoke(app, ["compare", "tiny.yaml", "more.yaml", "--out", "CMP"])
    finally:
        os.chdir(old)
    assert report.exit_code == 2 and "holds an unfinished comparison" in report.stderr
    assert again.exit_code == 2
    assert "an unfinished run" in again.stderr and "no manifest.json" in again.stderr


def test_folder_lock_is_reentrant_per_thread_and_removed_at_the_end(tmp_path: Path) -> None:
    """The same thread may take the lock again (a command, then Results.save inside it);
    another thread of the process is refused like another process (the app saves from
    several sessions); the lock file is gone afterwards."""
    import threading

    from sim.experiment.output import LOCK_NAME, FolderBusy, folder_lock

    seen: list[str] = []

    def other() -> None:
        try:
            with folder_lock(tmp_path):
                seen.append("entered")
        except FolderBusy as exc:
            seen.append(str(exc))

    with folder_lock(tmp_path):
        assert (tmp_path / LOCK_NAME).read_text().strip() == str(os.getpid())
        with folder_lock(tmp_path):
            pass
        assert (tmp_path / LOCK_NAME).exists()  # still held by the outer block
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert seen == [f"another hubsim (process {os.getpid()}) is writing to {tmp_path}; wait "
                    "for it to finish or choose another folder"]  # fmt: skip
    assert not (tmp_path / LOCK_NAME).exists()
    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert seen[-1] == "entered"


def test_ctrl_c_in_a_sweep_keeps_its_tasks_and_says_how_to_finish(work: Path) -> None:
    args = ("sweep", "tiny.yaml", "--set", "sites.site_a.beds.general=18,20", "-n", 30,
            "--jobs", 1, "--out", "SW", "--no-plots")  # fmt: skip
    proc = start(*args, cwd=work, hang_rep=27)  # the first batch (0-24) is stored by then
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("RUNNING 27"):
                break
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr
    assert "interrupted: the tasks that had finished are stored in SW/parts" in stderr
    assert "Run the same command again to finish it" in stderr and "Traceback" not in stderr
    assert not (work / "SW" / "manifest.json").exists()
    assert not (work / "SW" / ".sweep.lock").exists()
    stored = sorted(p.name for p in (work / "SW" / "parts").rglob("*.parquet"))
    assert stored, "no finished task was stored"
    res = here(*args, cwd=work)  # finishes what is left
    assert res.exit_code == 0, res.stderr
    assert (work / "SW" / "manifest.json").is_file()
