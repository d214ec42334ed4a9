"""Smoke test of the benchmark scripts: each one runs and prints its report.

Benchmarks are scripts, not tests (``benchmarks/README.md``): nothing here times anything
or asserts a figure. Each script runs as a subprocess from the repository root, as a
person would run it, on tiny sizes (``--smoke``), and must exit 0 and print its headings.
A script added to ``benchmarks/`` must be added here too. ciw and psutil, which the
scripts need, are in the ``dev`` extra, so nothing here is skipped; py-spy is not needed
(``profile_default.py`` only reads the raw file py-spy writes, checked on a sample).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"

# script -> (arguments, text the output must contain), run from the repository root
SMOKE_RUNS: dict[str, tuple[list[str], list[str]]] = {
    "bench_engine.py": (
        ["--smoke"],
        [
            "hubsim engine benchmark (--smoke)",
            "1. Engine overhead per event (black_country_ortho_hubs.yaml",
            "horizon cut to 8 weeks",
            "checked against a peek()/step() loop",
            "ratio hubsim / bare:",
            "2. Waiting list, steady state",
            "WaitingList ratio 10k / 1k:",
            "PriorityResource ratio",
            "total benchmark time",
        ],
    ),
    "bench_peer.py": (
        ["--smoke"],
        [
            "hubsim vs Ciw vs SimPy: M/M/10 at rho = 0.85 (--smoke)",
            "1,000 customers expected per run (2 segments of 59 days, each from empty)",
            "exact Erlang C mean wait in queue: 8.478 hours",
            "  model         cust/s   sim s  process s  import s  mean wait h  vs Erlang C",
            "  hubsim-em ",
            "  hubsim-cc ",
            "  ciw ",
            "  simpy ",
        ],
    ),
    "bench_sweep_peers.py": (
        ["--smoke"],
        [
            "hubsim sweep vs plain SimPy script, whole processes, in turns",
            "[ccu: 2 values x 2 replications, 2 jobs]",
            "[hub: 2 values x 2 replications, 2 jobs]",
            "cancellations_no_bed",
            "median ratio hubsim / plain: wall",
            "agreement (difference of means, hubsim - plain, 95% interval):",
            "all intervals hold 0:",
        ],
    ),
    "bench_workflow.py": (
        ["--smoke"],
        [
            "hubsim workflow benchmark (--smoke)",
            "black_country_ortho_hubs.yaml, horizon cut to 8 weeks",
            "hubsim run --reps 2 --jobs 2 (whole process):",
            "sim.run(reps=2, n_jobs=2) alone:",
            "sim.run(reps=1, n_jobs=1) alone:",
            "parallel efficiency T1 / (2 x T2)",
        ],
    ),
    "bench_memory.py": (
        ["--smoke"],
        [
            "hubsim memory benchmark",
            "[1. bytes per waiting patient (tracemalloc, after the build)]",
            "bytes per waiting patient:",
            "[2. memory against patients treated",
            "bytes left per patient treated:",
        ],
    ),
    "bench_validation.py": (
        ["--smoke"],
        [
            "hubsim validation benchmark (--smoke)",
            "[1. hubsim validate, 200 sites]",
            "[2. hubsim validate, a 20,000-value empirical distribution]",
            "[3. load + hash + capacity check, 50 and 200 sites]",
            "ratio (linear: 4; quadratic: 16)",
            "total benchmark time",
        ],
    ),
    "scale.py": (
        ["--smoke"],
        [
            "hubsim scale benchmark",
            "SMOKE: tiny sizes",
            "trusts  waiting t0   referrals",
            "max RSS",
        ],
    ),
    "profile_default.py": (
        ["--smoke"],
        [
            "== cProfile, 1 replication(s), top 20 by cumulative time ==",
            "== cProfile, 1 replication(s), top 20 by self time ==",
            "run_replication",
            "--smoke: the scenario cut to 8 weeks",
        ],
    ),
    "run_all.py": (
        ["--smoke"],
        [
            "hubsim benchmark suite (--smoke)",
            "figure",
            "status",
            "[1. engine overhead (black_country_ortho_hubs.yaml, 1 replication, horizon cut",
            "ratio hubsim / bare SimPy",
            "[2. M/M/10 rho 0.85, 1,000 customers, fresh processes]",
            "/ Ciw customers/s",
            "ciw mean wait vs Erlang C",
            "[3. waiting list, add + pop per referral, steady state]",
            "ratio 10k / 1k",
            "[4. workflow: default scenario, 8 weeks in all x 2 replications, 2 workers]",
            "hubsim run --jobs 2, 50 reps, whole process (extrapolated)",
            "peak memory, 2 reps, event log off, parent + workers",
            "* --smoke: tiny sizes",
            "Notes:",
            "Each run is 2 segments from empty",
            "total benchmark time",
        ],
    ),
}


def bench(*args: str, timeout: float = 180) -> str:
    """Run ``python benchmarks/<args>`` from the repository root; its standard output.

    Fails unless it exits 0; standard error (progress) is shown on failure.
    """
    res = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    assert res.returncode == 0, (
        f"{' '.join(args)} exited {res.returncode}\n--- stdout\n{res.stdout[-3000:]}"
        f"\n--- stderr\n{res.stderr[-3000:]}"
    )
    assert "Traceback" not in res.stderr, res.stderr[-3000:]
    return res.stdout


def test_every_runnable_script_is_smoke_tested() -> None:
    main = 'if __name__ == "__main__":'
    runnable = {p.name for p in BENCH.glob("*.py") if main in p.read_text()}
    assert runnable == set(SMOKE_RUNS)


def test_the_suite_starts_the_england_row_in_the_background() -> None:
    """``run_all.py --england`` returns at once, leaving ``scale.py`` running on its own
    and writing its report to the file it names (with ``--smoke``: tiny sizes)."""
    import time

    out = bench("benchmarks/run_all.py", "--england", "--smoke")
    assert "started a smoke-sized stand-in for the england row in the background" in out
    pid = int(out.split("process ")[1].split()[0])
    report = ROOT / out.split("report:")[1].split()[0]
    deadline = time.monotonic() + 120
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.2)  # not our child: it was started in a session of its own
    assert not _running(pid), "the background run did not end"
    text = report.read_text()
    report.unlink()
    report.with_suffix(".err").unlink()
    assert "hubsim scale benchmark" in text and "SMOKE" in text, text


def _running(pid: int) -> bool:
    """Whether process ``pid`` still runs (an ended one not yet reaped by whoever adopted
    it, a zombie, has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.parametrize("script", sorted(SMOKE_RUNS))
def test_script_runs(script: str) -> None:
    args, expected = SMOKE_RUNS[script]
    out = bench(f"benchmarks/{script}", *args)
    missing = [text for text in expected if text not in out]
    assert not missing, f"{script} {' '.join(args)} did not print {missing}:\n{out}"


def test_profile_plain_runs() -> None:
    """``--plain`` is what py-spy records (``benchmarks/README.md``)."""
    out = bench("benchmarks/profile_default.py", "--plain", "--smoke", "--reps", "2")
    assert "2 replication(s):" in out


def test_profile_summarises_a_py_spy_file(tmp_path: Path) -> None:
    """``--summarise`` on a small file in py-spy's raw format (``--format raw``: frames
    from the outermost, ``;``-separated, then the sample count); py-spy itself is not run.
    Only samples inside ``run_replication`` count."""
    script = "benchmarks/profile_default.py"
    top = f"<module> ({script}:144);main ({script}:138)"
    rep = f"{top};replications ({script}:52);run_replication (/x/sim/run.py:35)"
    core = "/v/lib/python3.11/site-packages/simpy/core.py"
    raw = tmp_path / "hubsim.txt"
    raw.write_text(
        f"{rep};CollaborativeModel.run (/x/sim/model/build.py:309);"
        f"Environment.step ({core}:182) 6\n"
        f"{rep};ElectivePathway.refer (/x/sim/model/elective.py:153) 3\n"
        f"{top};_find_and_load (<frozen importlib._bootstrap>:1165) 5\n"
    )
    out = bench(script, "--summarise", str(raw))
    lines = out.splitlines()
    assert lines[0] == "== py-spy, 9 samples inside run_replication =="
    # self %, inclusive %, function (path from sim/ or site-packages/, no line number)
    assert lines[1:4] == [
        " self %   incl %  function",
        "   66.7     66.7  Environment.step (simpy/core.py)",
        "   33.3     33.3  ElectivePathway.refer (sim/model/elective.py)",
    ]
    # then by inclusive share, without the frames that drive the run
    assert " incl %   self %  function (by inclusive share)" in lines
    for frame in ("run_replication (", "CollaborativeModel.run (", "_find_and_load"):
        assert frame not in out


@pytest.fixture
def bench_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    """The benchmark scripts importable as modules (they import each other by name)."""
    monkeypatch.syspath_prepend(str(BENCH))


@pytest.mark.usefixtures("bench_modules")
@pytest.mark.parametrize("plan", ["FULL", "QUICK"])
def test_peer_segments_fit_the_horizon_cap(plan: str) -> None:
    """run_all.py's M/M/10 runs (200,000 customers: 64 years) are split into segments
    that each pass scenario validation, whose horizon is at most 50 years."""
    import bench_peer
    import run_all

    customers = getattr(run_all, plan).customers
    n, days = bench_peer.split(customers)
    assert n * days == pytest.approx(customers / bench_peer.ARRIVALS_PER_DAY)
    for kind in ("em", "cc"):
        assert bench_peer.hubsim_scenario(kind, days).horizon == pytest.approx(days)
    if customers > 50 * 365 * bench_peer.ARRIVALS_PER_DAY:
        assert n > 1
    with pytest.raises(ValueError, match="horizon cap"):
        bench_peer.split(customers * 10, segments=1)
