"""The hubsim benchmark suite (issue 6): one command, one table, targets and PASS/MISS.

Run from the repository root::

    .venv/bin/python benchmarks/run_all.py          # about 4-5 minutes on 2 cores
    .venv/bin/python benchmarks/run_all.py --quick  # about 1 minute, less work, starred
    .venv/bin/python benchmarks/run_all.py --smoke  # seconds: tiny sizes, checks it runs
    .venv/bin/python benchmarks/run_all.py --england  # issue 14's England row, in the background
    .venv/bin/python benchmarks/run_all.py --region   # issue 14's region row, in the background

1. Engine overhead: hubsim's cost per SimPy event on the default scenario against a bare
   SimPy loop doing the same number of timeouts (``bench_engine.py``).
2. Against a peer: M/M/10 at rho = 0.85 in hubsim, Ciw and plain SimPy, each in fresh
   processes, mean wait checked against Erlang C (``bench_peer.py``).
3. Waiting-list scaling: add + pop per referral at 1k, 10k and 100k waiting
   (``bench_engine.py``).
4. Workflow: the default scenario x 50 replications on 2 workers through the CLI and
   the library; parallel efficiency; peak memory of 100 replications
   (``bench_workflow.py``).

Progress goes to standard error; the report to standard output. See
``benchmarks/README.md`` for what each figure means.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import bench_engine as eng
import bench_peer as peer
import bench_workflow as wf
from benchlib import CpuWatch, Row, header, load_average, log, mb, table, verdict

# Targets of issue 6.
ENGINE_RATIO = 1.5
PEER_VS_CIW = 2.0
PEER_VS_SIMPY = 1.5
WL_RATIO = 1.3
WORKFLOW_SECONDS = 60.0
EFFICIENCY = 0.90
MEMORY_BYTES = 2e9
OTHERS = "other processes' load meanwhile (cores of 2)"


@dataclass
class Plan:
    """How much work each section does."""

    engine: eng.Settings
    wl_ops: int
    wl_rounds: int
    customers: int
    peer_repeats: int
    reps: int
    baseline_reps: int
    mem_reps: int | None
    """None: the memory row uses the ``reps`` run (``--quick``)."""
    peer_segments: int | None = None
    """Segments per M/M/10 run; None: as few as the horizon cap allows."""
    horizon: str | None = None
    """Section 4's scenario horizon, if cut short (``--smoke``)."""


FULL = Plan(eng.FULL, 200_000, 3, 200_000, 5, 50, 10, 100)
QUICK = Plan(eng.QUICK, 60_000, 3, 20_000, 3, 8, 2, None)
# A check that the suite runs, in seconds; its figures mean nothing. Two segments per
# M/M/10 run, so the split that the full plan needs is exercised too.
SMOKE = Plan(eng.SMOKE, 2_000, 1, 1_000, 1, 2, 1, None, peer_segments=2, horizon="8 weeks")


def waiting_list(plan: Plan) -> dict[int, float]:
    """Median microseconds per referral by size; sizes interleaved over ``wl_rounds``."""
    sizes = plan.engine.wl_sizes
    per: dict[int, list[float]] = {n: [] for n in sizes}
    for _ in range(plan.wl_rounds):
        for n in sizes:
            ops = plan.wl_ops // plan.wl_rounds
            per[n].append(eng.waiting_list_cost(n, ops, reduce=statistics.median))
    return {n: statistics.median(v) for n, v in per.items()}


def missing_packages() -> list[str]:
    """Benchmark-only packages that are not installed."""
    import importlib.util

    return [m for m in ("ciw", "psutil") if importlib.util.find_spec(m) is None]


SCALE_OUT = Path("results") / "benchmarks"
"""Where ``--england`` and ``--region`` write their report (``results/`` is not committed)."""


def start_in_background(row: str, smoke: bool) -> None:
    """Start ``scale.py --england`` (or ``--region``) as a process of its own that outlives
    this one and a closed terminal, its report and progress going to files; say where."""
    SCALE_OUT.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out, err = SCALE_OUT / f"{row}-{stamp}.txt", SCALE_OUT / f"{row}-{stamp}.err"
    scale = Path(__file__).resolve().parent / "scale.py"
    args = [sys.executable, str(scale), "--smoke" if smoke else f"--{row}"]
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            args, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL, start_new_session=True
        )
    what = "a smoke-sized stand-in for " if smoke else ""
    print(f"started {what}the {row} row in the background: process {proc.pid}")
    print(f"  report:   {out}")
    print(f"  progress: {err}  (tail -f it; one line every 28 simulated days)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="less work, about 1 minute")
    size.add_argument(
        "--smoke", action="store_true", help="tiny sizes, seconds: check that the suite runs"
    )
    scale = parser.add_mutually_exclusive_group()
    scale.add_argument(
        "--england", action="store_true",
        help="instead of the suite, start issue 14's England row (130 trusts, 7.5 M waiting; "
        "about 40 minutes and 5 GB) in the background and return",
    )  # fmt: skip
    scale.add_argument(
        "--region", action="store_true",
        help="instead of the suite, start issue 14's region row (25 trusts, 1 M waiting; "
        "about 4 minutes) in the background and return",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.england or args.region:
        start_in_background("england" if args.england else "region", args.smoke)
        return
    if missing := missing_packages():
        raise SystemExit(
            f"benchmarks need {', '.join(missing)}: .venv/bin/pip install -e '.[bench]'"
        )
    plan = SMOKE if args.smoke else QUICK if args.quick else FULL
    mode = "--smoke" if args.smoke else "--quick" if args.quick else ""
    quick = args.quick or args.smoke  # section 4 is measured on fewer replications
    smoke = args.smoke  # every status is starred: tiny sizes settle nothing
    started = time.perf_counter()
    lines = header("hubsim benchmark suite" + (f" ({mode})" if mode else ""))
    rows: list[Row] = []
    notes: list[str] = []

    # 1. engine overhead
    log("1. engine overhead")
    with CpuWatch() as busy1:
        e = eng.measure_engine(plan.engine)
    cut = f", horizon cut to {plan.engine.horizon}" if plan.engine.horizon else ""
    s1 = f"1. engine overhead (black_country_ortho_hubs.yaml, 1 replication{cut})"
    rows += [
        Row(s1, "hubsim us per SimPy event", f"{e.us_per_event:.2f}"),
        Row(s1, f"bare SimPy us per timeout (K={e.k} processes)", f"{e.bare_us_per_event:.2f}"),
        Row(
            s1,
            "ratio hubsim / bare SimPy",
            f"{e.ratio_median:.2f}x",
            f"<= {ENGINE_RATIO}x",
            verdict(e.ratio_median <= ENGINE_RATIO, smoke),
        ),
        Row(s1, OTHERS, f"{busy1.others:.1f}"),
    ]
    notes.append(
        f"1. {e.events:,} events to the horizon (the bare loops run {e.bare_events:,}, the "
        "count when issue 14 set the target); CPU seconds, medians of "
        f"{len(e.model_walls)} model runs "
        f"({statistics.median(e.model_walls):.3f} s) and {len(e.bare_walls)} bare loops "
        f"({statistics.median(e.bare_walls):.3f} s), taken in turns; best-vs-best ratio "
        f"{e.ratio_best:.2f}x; model build {statistics.median(e.builds) * 1e3:.0f} ms, not "
        "timed."
    )

    # 2. against a peer
    log("2. M/M/10 against Ciw and SimPy")
    with CpuWatch() as busy2:
        p = peer.measure_peers(plan.customers, plan.peer_repeats, plan.peer_segments)
    best = peer.leaner(p)
    h, c, s = p[best], p["ciw"], p["simpy"]
    s2 = f"2. M/M/10 rho 0.85, {plan.customers:,} customers, fresh processes"
    rows += [Row(s2, f"{m} customers/s", f"{p[m].rate:,.0f}") for m in peer.MODELS]
    rows += [
        Row(
            s2,
            f"{best} / Ciw customers/s",
            f"{h.rate / c.rate:.2f}x",
            f">= {PEER_VS_CIW}x",
            verdict(h.rate / c.rate >= PEER_VS_CIW, smoke),
        ),
        Row(
            s2,
            f"{best} / plain SimPy time per customer",
            f"{s.rate / h.rate:.2f}x",
            f"<= {PEER_VS_SIMPY}x",
            verdict(s.rate / h.rate <= PEER_VS_SIMPY, smoke),
        ),
        Row(
            s2,
            f"whole process s: {best} / Ciw / SimPy",
            f"{h.wall_s:.1f} / {c.wall_s:.1f} / {s.wall_s:.1f}",
        ),
        Row(s2, OTHERS, f"{busy2.others:.1f}"),
    ]
    exact = peer.exact_wait()
    for m in peer.MODELS:
        tol = peer.tolerance(p[m].total_customers)
        dev = p[m].mean_wait / exact - 1
        rows.append(
            Row(
                s2,
                f"{m} mean wait vs Erlang C",
                f"{dev:+.1%}",
                f"+/-{tol:.1%}",
                verdict(abs(dev) <= tol, smoke),
            )
        )
    segments = h.runs[0]["segments"]
    split = (
        ""
        if segments == 1
        else f" Each run is {segments} segments from empty, one after the other (a "
        "scenario's horizon is at most 50 years)."
    )
    notes.append(
        f"2. {best} is the leaner hubsim path and is the one held to the targets. "
        f"Erlang C mean wait {exact * 24:.3f} h; each model's mean wait pooled over its "
        f"{plan.peer_repeats} runs (seeds 1-{plan.peer_repeats}); tolerance = 3 standard "
        "errors. customers/s = arrivals / simulation seconds (perf_counter inside the "
        f"child), median over runs.{split}"
    )
    notes += ["   " + line for line in peer.report(p, plan.customers)[2:]]

    # 3. waiting list
    log("3. waiting-list scaling")
    with CpuWatch() as busy3:
        wl = waiting_list(plan)
    lo, hi = min(wl), max(wl)
    s3 = "3. waiting list, add + pop per referral, steady state"
    rows += [Row(s3, f"us per referral at {n:,} waiting", f"{wl[n]:.2f}") for n in sorted(wl)]
    rows.append(
        Row(
            s3,
            f"ratio {hi // 1000}k / {lo // 1000}k",
            f"{wl[hi] / wl[lo]:.2f}x",
            f"<= {WL_RATIO}x",
            verdict(wl[hi] / wl[lo] <= WL_RATIO, smoke),
        )
    )
    rows.append(Row(s3, OTHERS, f"{busy3.others:.1f}"))
    notes.append(
        f"3. {plan.wl_ops:,} timed referrals per size in {plan.wl_rounds} rounds over the "
        "sizes in turn; each round the median of 5 chunks; the figure is the median of rounds."
    )

    # 4. workflow
    log("4. workflow")
    with CpuWatch() as busy4:
        w = wf.measure_workflow(plan.reps, plan.baseline_reps, plan.mem_reps, plan.horizon)
    mem_reps = w.mem_reps
    length = f"{plan.horizon} in all" if plan.horizon else "2 years"
    s4 = f"4. workflow: default scenario, {length} x {plan.reps} replications, 2 workers"
    cli_50 = w.at(w.cli.wall, 50)
    lib_50 = w.at(w.lib2["run_s"], 50)
    eff = w.efficiency(50)
    rows += [
        Row(
            s4,
            "hubsim run --jobs 2, 50 reps, whole process" + (" (extrapolated)" if quick else ""),
            f"{cli_50:.1f} s",
            f"< {WORKFLOW_SECONDS:.0f} s",
            verdict(cli_50 < WORKFLOW_SECONDS, quick),
        ),
        Row(
            s4,
            "sim.run(n_jobs=2), 50 reps, in library" + (" (extrapolated)" if quick else ""),
            f"{lib_50:.1f} s",
            f"< {WORKFLOW_SECONDS:.0f} s",
            verdict(lib_50 < WORKFLOW_SECONDS, quick),
        ),
        Row(
            s4,
            f"parallel efficiency T1/(2 T2), T1 from {w.lib1['reps']} reps",
            f"{eff:.0%}",
            f">= {EFFICIENCY:.0%}",
            verdict(eff >= EFFICIENCY, quick),
        ),
        Row(s4, f"peak memory, {plan.reps} reps, parent + workers", mb(w.cli.peak_tree_rss)),
        Row(
            s4,
            f"peak memory, {mem_reps} reps, event log off, parent + workers",
            mb(w.mem.peak_tree_rss),
            "< 2 GB at 100 reps",
            verdict(w.mem.peak_tree_rss < MEMORY_BYTES, quick),
        ),
        Row(s4, OTHERS, f"{busy4.others:.1f}"),
    ]
    notes += ["4. " + wf.report(w)[0]] + ["   " + line.strip() for line in wf.report(w)[1:]]

    lines += ["", *table(rows), ""]
    if smoke:
        lines.append(
            "* --smoke: tiny sizes and a scenario cut short, a check that the suite runs; "
            "no figure or status here means anything. Run without --smoke to measure."
        )
    elif quick:
        lines.append(
            f"* --quick: measured on {plan.reps} replications and extrapolated to 50 (fixed "
            "costs once, then half a replication's worker time per extra replication), or "
            "on a smaller run; run without --quick for the real figure."
        )
    lines += ["Notes:", *notes, ""]
    lines.append(f"load average at end: {load_average()}")
    lines.append(f"total benchmark time {time.perf_counter() - started:.0f} s")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
