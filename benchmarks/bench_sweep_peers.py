"""Sweeps against plain SimPy: ``hubsim sweep`` and a hand-written SimPy script, each timed
as a whole process over the same sweep, in turns.

Run from the repository root::

    .venv/bin/python benchmarks/bench_sweep_peers.py            # 100 reps x 6 values, 5 pairs
    .venv/bin/python benchmarks/bench_sweep_peers.py --smoke    # tiny sizes, checks that it runs

Models (plain SimPy twins in ``benchmarks/peers/``, hubsim scenarios beside them):

* ``ccu``: a critical care unit with five unplanned admission sources queueing for a bed
  and planned admissions cancelled when none is free (Griffiths et al. 2010):
  ``benchmarks/peers/ccu_simpy.py`` against
  ``scenarios/validation/griffiths2010/ccu_24_beds.yaml``, beds 20 to 30.
* ``hub``: an elective hub with two theatres' all-day lists booked from a waiting list,
  ring-fenced beds and a bed wait on the day (``policies.wait_for_bed``: a patient with no
  bed at 08:00 waits until noon, then is cancelled, no bed): ``benchmarks/peers/hub_simpy.py``
  against ``benchmarks/peers/hub_twin.yaml``, ring-fenced beds 16 to 26.

Each side runs ``--reps`` replications of each of the 6 parameter values with ``--jobs``
workers (the plain script with ``multiprocessing.Pool``, hubsim with ``hubsim sweep
--jobs``, no plots). The two commands take turns ``--pairs`` times; each run's wall time
and CPU time (user + system of the process and every child it waited for) are measured,
and the ratio hubsim / plain is taken pair by pair (medians quoted). Target: hubsim <= 1.0x.

Then the two sides' results are compared, value by value: the difference of the means over
replications with its 95% interval (Welch); they agree when every interval holds 0.
"""

from __future__ import annotations

import argparse
import csv
import math
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

MODELS = {
    "ccu": {
        "plain": ROOT / "benchmarks" / "peers" / "ccu_simpy.py",
        "scenario": ROOT / "scenarios" / "validation" / "griffiths2010" / "ccu_24_beds.yaml",
        "parameter": "sites.ccu.critical_care.beds",
        "plain_flag": "--beds",
        "values": [20, 22, 24, 26, 28, 30],
        "smoke_values": [22, 26],
        # (plain CSV column, hubsim KPI, site)
        "compare": [
            ("occupancy", "cc_occupancy", "ccu"),
            ("unplanned_wait_hours", "cc_unplanned_wait_hours", "ccu"),
            ("planned_cancelled", "cc_planned_cancellations", "ccu"),
        ],
    },
    "hub": {
        "plain": ROOT / "benchmarks" / "peers" / "hub_simpy.py",
        "scenario": ROOT / "benchmarks" / "peers" / "hub_twin.yaml",
        "parameter": "sites.hub.beds.elective",
        "plain_flag": "--beds",
        "values": [16, 18, 20, 22, 24, 26],
        "smoke_values": [18, 24],
        "compare": [
            ("operations", "operations", "hub"),
            ("no_bed_cancellations", "cancellations_no_bed", "hub"),
            ("occupancy", "elective_bed_occupancy", "hub"),
        ],
    },
}


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall s, CPU s of the process and its children) of one run; fails if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def commands(model: dict, values: list[int], reps: int, jobs: int, tmp: Path) -> tuple[list, list]:
    plain = [PY, str(model["plain"]), model["plain_flag"], *map(str, values),
             "--reps", str(reps), "--jobs", str(jobs), "--out", str(tmp / "plain.csv")]  # fmt: skip
    hub = [PY, "-m", "sim", "sweep", str(model["scenario"]),
           "--set", f"{model['parameter']}={','.join(map(str, values))}",
           "--reps", str(reps), "--jobs", str(jobs), "--no-plots", "--overwrite",
           "--out", str(tmp / "hubsim")]  # fmt: skip
    return plain, hub


def welch(a: list[float], b: list[float]) -> tuple[float, float, float]:
    """Difference of means a - b and its 95% interval (Welch, normal quantile for n >= 30)."""
    from sim.experiment.stats import t_quantile

    ma, mb = statistics.fmean(a), statistics.fmean(b)
    va, vb = statistics.variance(a) / len(a), statistics.variance(b) / len(b)
    se = math.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)) if se > 0 else 1
    half = t_quantile(0.975, max(1, int(dof))) * se
    return ma - mb, ma - mb - half, ma - mb + half


def agreement(model: dict, values: list[int], tmp: Path) -> list[str]:
    import pandas as pd

    with open(tmp / "plain.csv", newline="") as fh:
        plain = list(csv.DictReader(fh))
    hub = pd.read_parquet(tmp / "hubsim" / "replications.parquet")
    points = pd.read_csv(tmp / "hubsim" / "points.csv")
    lines, agree = [], True
    for col, kpi, site in model["compare"]:
        for v in values:
            a = [float(r[col]) for r in plain if int(r[model["plain_flag"][2:]]) == v]
            pid = points.loc[points[model["parameter"]] == v, "point_id"].iloc[0]
            sel = hub[(hub.point_id == pid) & (hub.kpi == kpi) & (hub.site == site)]
            b = sel.value.astype(float).tolist()
            d, lo, hi = welch(b, a)
            ok = lo <= 0 <= hi
            agree &= ok
            lines.append(
                f"  {kpi:<28} {v:>4}  hubsim {statistics.fmean(b):>9.3f}  plain "
                f"{statistics.fmean(a):>9.3f}  difference {d:>+8.3f} ({lo:+.3f} to {hi:+.3f})"
                f"  {'agree' if ok else 'DIFFER'}"
            )
    lines.append(f"  all intervals hold 0: {'yes' if agree else 'NO'}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--smoke", action="store_true", help="tiny sizes: checks that it runs")
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    args = ap.parse_args(argv)
    reps, pairs = (2, 1) if args.smoke else (args.reps, args.pairs)
    print("hubsim sweep vs plain SimPy script, whole processes, in turns")
    if args.smoke:
        print("SMOKE: tiny sizes, figures mean nothing")
    for name in args.models:
        model = MODELS[name]
        values = model["smoke_values"] if args.smoke else model["values"]
        tmp = Path(tempfile.mkdtemp(prefix=f"hubsim-peer-{name}-"))
        try:
            plain, hub = commands(model, values, reps, args.jobs, tmp)
            rows = []
            for i in range(pairs):
                print(f"  {name}: pair {i + 1} of {pairs} ...", file=sys.stderr)
                p, h = timed(plain), timed(hub)
                rows.append((p, h))
            print(f"\n[{name}: {len(values)} values x {reps} replications, {args.jobs} jobs]")
            print(f"  plain: {' '.join(plain[1:])}")
            print(f"  hubsim: {' '.join(hub[1:])}")
            print(f"  {'':>8} {'plain wall':>10} {'hubsim wall':>11} {'plain cpu':>9} "
                  f"{'hubsim cpu':>10} {'wall ratio':>10} {'cpu ratio':>9}")  # fmt: skip
            for i, ((pw, pc), (hw, hc)) in enumerate(rows):
                print(f"  pair {i + 1:>3} {pw:>10.2f} {hw:>11.2f} {pc:>9.2f} {hc:>10.2f} "
                      f"{hw / pw:>9.2f}x {hc / pc:>8.2f}x")  # fmt: skip
            wall = statistics.median(h[0] / p[0] for p, h in rows)
            cpu = statistics.median(h[1] / p[1] for p, h in rows)
            print(f"  median ratio hubsim / plain: wall {wall:.2f}x, CPU {cpu:.2f}x "
                  "(target <= 1.0x)")  # fmt: skip
            print("\n  agreement (difference of means, hubsim - plain, 95% interval):")
            for line in agreement(model, values, tmp):
                print(line)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
