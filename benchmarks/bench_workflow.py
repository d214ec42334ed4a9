"""The planner's workflow: the Black Country hubs scenario, many replications, 2 workers.

Three kinds of run, each a fresh process:

* ``cli``: ``hubsim run scenarios/black_country_ortho_hubs.yaml --reps N --jobs J
  --seed 1 --no-events --no-plots --no-report --out TMP``, timed from outside (whole
  process: interpreter start, imports, workers, writing results), with the memory of
  its process tree watched (:func:`benchlib.run_measured`);
* ``lib``: a child that imports ``sim`` and times ``sim.run(scenario, reps=N, seed=1,
  n_jobs=J)`` alone with ``time.perf_counter`` (``--child``).

Parallel efficiency is T1 / (2 x T2): T1 the in-library time of the replications on one
worker (fewer replications, scaled per replication), T2 on two workers. With fewer than
50 replications (``--quick``) the 50-replication figures are extrapolated: fixed costs
once, plus half a replication's time on a worker for each replication more.

Run alone from the repository root::

    .venv/bin/python benchmarks/bench_workflow.py [--quick | --smoke]

``--smoke`` runs 2 replications (1 for T1) of the scenario cut to 8 weeks, no separate
memory run, in a few seconds: a check that the script works; its figures mean nothing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchlib import BENCH, PYTHON, ROOT, TreeRun, emit, header, log, mb, run_child, run_measured

SCENARIO = ROOT / "scenarios" / "black_country_ortho_hubs.yaml"
SMOKE_HORIZON = "8 weeks"
"""``--smoke``: the scenario's horizon, warm-up (4 weeks) included."""


def hubsim_command() -> list[str]:
    """The ``hubsim`` console script next to this interpreter, else ``python -m sim``."""
    exe = Path(PYTHON).parent / "hubsim"
    return [str(exe)] if exe.exists() else [PYTHON, "-m", "sim"]


def scenario_file(folder: Path, horizon: str | None) -> Path:
    """The hubs scenario; with ``horizon``, a file in ``folder`` that extends it with that
    horizon (warm-up included)."""
    if horizon is None:
        return SCENARIO
    path = folder / "scenario.yaml"
    path.write_text(f"extends: {json.dumps(str(SCENARIO))}\nhorizon: {json.dumps(horizon)}\n")
    return path


def cli_run(reps: int, jobs: int, horizon: str | None = None) -> TreeRun:
    """``hubsim run`` of the hubs scenario into a temporary folder, memory watched."""
    out = Path(tempfile.mkdtemp(prefix="hubsim-bench-"))
    try:
        cmd = [
            *hubsim_command(),
            "run",
            str(scenario_file(out, horizon)),
            "--reps",
            str(reps),
            "--jobs",
            str(jobs),
            "--seed",
            "1",
            "--no-events",
            "--no-plots",
            "--no-report",
            "--out",
            str(out / "run"),
        ]
        run = run_measured(cmd)
        run.extra["files"] = sorted(p.name for p in (out / "run").glob("*"))
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if run.returncode != 0:
        raise RuntimeError(f"hubsim run failed ({run.returncode}):\n{run.stderr_tail}")
    return run


def lib_run(reps: int, jobs: int, horizon: str | None = None) -> tuple[dict[str, Any], float]:
    """``sim.run`` in a fresh child: (its timings, whole-process seconds)."""
    script = str(BENCH / "bench_workflow.py")
    cut = ["--horizon", horizon] if horizon else []
    return run_child([script, "--child", "--reps", str(reps), "--jobs", str(jobs), *cut])


def child(reps: int, jobs: int, horizon: str | None = None) -> dict[str, Any]:
    """Inside the child: import, load the scenario, time ``sim.run`` alone."""
    t0 = time.perf_counter()
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import sim

    t1 = time.perf_counter()
    sc = sim.load_scenario(SCENARIO, {"horizon": horizon} if horizon else None)
    t2 = time.perf_counter()
    res = sim.run(sc, reps=reps, seed=1, n_jobs=jobs)
    t3 = time.perf_counter()
    per_rep = [r.wall_seconds for r in res.reps]
    return {
        "reps": len(res.reps),
        "jobs": jobs,
        "import_s": t1 - t0,
        "load_s": t2 - t1,
        "run_s": t3 - t2,
        "rep_wall_sum": sum(per_rep),
    }


@dataclass
class WorkflowResult:
    """Everything section 4 measures."""

    reps: int
    cli: TreeRun
    """``hubsim run --reps reps --jobs 2``."""
    lib2: dict[str, Any]
    lib2_wall: float
    lib1: dict[str, Any]
    """``sim.run(..., n_jobs=1)`` on ``lib1["reps"]`` replications."""
    mem_reps: int
    mem: TreeRun
    """``hubsim run --reps mem_reps --jobs 2``, event log off: the memory figure."""
    horizon: str | None = None
    """The scenario's horizon, if cut short (``--smoke``)."""

    @property
    def per_rep_worker(self) -> float:
        """Mean seconds of one replication on a worker, with 2 workers busy."""
        return self.lib2["rep_wall_sum"] / self.lib2["reps"]

    def at(self, seconds: float, reps: int) -> float:
        """A 2-worker time measured on ``self.reps`` replications, extrapolated to ``reps``.

        Fixed costs (start-up, workers, imports) are paid once; each extra replication
        adds ``per_rep_worker / 2``. Identity when ``reps == self.reps``.
        """
        return seconds + (reps - self.reps) * self.per_rep_worker / 2

    def t1(self, reps: int) -> float:
        """One worker, in-library seconds for ``reps`` replications (scaled per replication)."""
        return self.lib1["run_s"] / self.lib1["reps"] * reps

    def efficiency(self, reps: int) -> float:
        """T1 / (2 x T2) for ``reps`` replications, in-library times."""
        return self.t1(reps) / (2 * self.at(self.lib2["run_s"], reps))


def measure_workflow(
    reps: int, baseline_reps: int, mem_reps: int | None, horizon: str | None = None
) -> WorkflowResult:
    """The CLI run, the in-library runs on 2 and 1 workers, and the big memory run.

    ``mem_reps=None`` skips the memory run: its figures are those of the first CLI run.
    ``horizon`` cuts the scenario short (``--smoke``).
    """
    log(f"  workflow: hubsim run --reps {reps} --jobs 2 (CLI)")
    cli = cli_run(reps, 2, horizon)
    log(f"  workflow: sim.run(reps={reps}, n_jobs=2)")
    lib2, lib2_wall = lib_run(reps, 2, horizon)
    log(f"  workflow: sim.run(reps={baseline_reps}, n_jobs=1)")
    lib1, _ = lib_run(baseline_reps, 1, horizon)
    if mem_reps is None:
        return WorkflowResult(reps, cli, lib2, lib2_wall, lib1, reps, cli, horizon)
    log(f"  workflow: hubsim run --reps {mem_reps} --jobs 2 --no-events (CLI, memory)")
    mem = cli_run(mem_reps, 2, horizon)
    return WorkflowResult(reps, cli, lib2, lib2_wall, lib1, mem_reps, mem, horizon)


def report(w: WorkflowResult) -> list[str]:
    """The detailed lines (the summary table is in run_all.py)."""
    per_rep = w.per_rep_worker
    single = w.lib1["run_s"] / w.lib1["reps"]
    length = f"horizon cut to {w.horizon}" if w.horizon else "2 years after warm-up"
    lines = [
        f"{SCENARIO.name}, {length}, seed 1, event log off",
        f"  hubsim run --reps {w.reps} --jobs 2 (whole process):  {w.cli.wall:6.1f} s, "
        f"peak memory {mb(w.cli.peak_tree_rss)} (sum over {w.cli.max_procs} processes), "
        f"largest process {mb(max(w.cli.maxrss_children, w.cli.peak_single_rss))}; "
        f"others' load {w.cli.others_cores:.1f} cores",
        f"  sim.run(reps={w.reps}, n_jobs=2) alone:  {w.lib2['run_s']:6.1f} s "
        f"(child process {w.lib2_wall:.1f} s, of which import sim {w.lib2['import_s']:.1f} s); "
        f"others' load {w.lib2['others_cores']:.1f} cores",
        f"  one replication (run_replication wall, mean): {per_rep:.2f} s on each of 2 workers, "
        f"{single:.2f} s on 1",
        f"  sim.run(reps={w.lib1['reps']}, n_jobs=1) alone:  {w.lib1['run_s']:6.1f} s "
        f"-> T1 = {w.t1(w.reps):.1f} s for {w.reps} reps (scaled per replication); "
        f"others' load {w.lib1['others_cores']:.1f} cores",
        f"  parallel efficiency T1 / (2 x T2) = {w.t1(w.reps):.1f} / (2 x "
        f"{w.lib2['run_s']:.1f}) = {w.efficiency(w.reps):.0%}",
    ]
    if w.mem is not w.cli:
        lines.append(
            f"  hubsim run --reps {w.mem_reps} --jobs 2 --no-events (whole process):  "
            f"{w.mem.wall:6.1f} s, peak memory {mb(w.mem.peak_tree_rss)} "
            f"(sum over {w.mem.max_procs} processes), largest process "
            f"{mb(max(w.mem.maxrss_children, w.mem.peak_single_rss))}; "
            f"others' load {w.mem.others_cores:.1f} cores"
        )
    return lines + [
        "  memory: resident set of the CLI process and all its descendants (loky workers),",
        "  summed and sampled every 0.05 s with psutil (shared pages count once per process,",
        "  so this is an upper bound); largest process = getrusage(RUSAGE_CHILDREN).ru_maxrss",
        "  in a wrapper process, or the sampled peak if higher",
        "  others' load: cores busy with other people's processes during that run",
        "  (machine-wide busy CPU time from psutil minus this run's own, from getrusage)",
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="8 replications, no separate memory run")
    size.add_argument(
        "--smoke",
        action="store_true",
        help="2 replications of 8 weeks, a few seconds: check that it runs",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--reps", type=int, default=None)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--horizon", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        emit(child(args.reps or 1, args.jobs, args.horizon))
        return
    if args.smoke:
        print("\n".join(header("hubsim workflow benchmark (--smoke)")))
        w = measure_workflow(args.reps or 2, 1, None, SMOKE_HORIZON)
        print("\n".join(report(w)))
        print("--smoke: tiny sizes, a check that the script runs; the figures mean nothing")
        return
    print("\n".join(header("hubsim workflow benchmark" + (" (--quick)" if args.quick else ""))))
    reps = args.reps or (8 if args.quick else 50)
    w = measure_workflow(reps, max(2, reps // 5), None if args.quick else 100)
    print("\n".join(report(w)))


if __name__ == "__main__":
    main()
