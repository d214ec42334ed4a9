"""Memory benchmark: bytes per waiting patient, and memory against patients already treated.

Run from the repository root::

    .venv/bin/python benchmarks/bench_memory.py            # 1 million waiting
    .venv/bin/python benchmarks/bench_memory.py --smoke    # tiny sizes, checks that it runs

1. **Bytes per waiting patient**: the model of a 4-trust collaborative
   (``benchmarks/scale.py``'s generator) built with a starting list of ``n`` patients and
   with one of ``n / 100``; the difference of Python memory held after the build
   (``tracemalloc``, current size, after ``gc.collect()``) divided by the difference of
   waiting patients. Each build runs in a fresh process.
2. **Memory against patients treated**: the Black Country status quo (4 trusts) run for two
   years, with ``tracemalloc``'s current size sampled every 8 weeks beside the number
   waiting and the number treated. The bytes left behind per patient already treated are
   the change in memory from the first sample to the last, less the change in the number
   waiting times the bytes per waiting patient of part 1, over the patients treated
   meanwhile: the operation records the KPIs need (22 bytes each), the weekly time
   series, and nothing else should remain.
3. **After the run**: CPU seconds to free the model of part 1 (``release()``, as
   ``sim.run_replication`` does, then ``del`` and ``gc.collect()``).
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def built(waiting: int) -> dict[str, float]:
    """Python memory after building a 4-trust model with ``waiting`` patients on its lists."""
    from benchmarks.scale import TRUST_BACKLOG, collaborative
    from sim.model.build import CollaborativeModel
    from sim.scenario.load import validate_scenario

    scenario = validate_scenario(collaborative(4, 1.0, waiting / (4 * TRUST_BACKLOG), weeks=8))
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    model = CollaborativeModel(scenario, seed=1, rep=0)
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    n = len(model.elective.pathway)
    t = time.process_time()
    model.release()  # as sim.run_replication does after a run
    del model
    gc.collect()
    return {"waiting": n, "bytes": held, "free_s": time.process_time() - t}


def over_time(weeks: int, every: int) -> list[tuple[float, int, int, int]]:
    """(day, waiting, treated, bytes) every ``every`` weeks of the status quo."""
    from sim.model.build import CollaborativeModel
    from sim.scenario.load import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / "black_country_ortho.yaml")
    tracemalloc.start()
    model = CollaborativeModel(scenario, seed=1, rep=0)
    rows = []
    for _ in range(weeks // every):
        model.step(7.0 * every)
        gc.collect()
        el = model.elective
        rows.append(
            (model.now, len(el.pathway), el.treated_total, tracemalloc.get_traced_memory()[0])
        )
    tracemalloc.stop()
    return rows


def per_treated(rows: list[tuple[float, int, int, int]], per_waiting: float) -> float:
    """Bytes left behind per patient treated from the first row to the last, once the
    change in the number waiting is paid at ``per_waiting`` bytes each."""
    (_, w0, t0, m0), (_, w1, t1, m1) = rows[0], rows[-1]
    return (m1 - m0 - per_waiting * (w1 - w0)) / (t1 - t0)


def child(waiting: int) -> dict[str, float]:
    return built(waiting)


def in_child(waiting: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(waiting)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--smoke", action="store_true", help="tiny sizes: checks that it runs")
    ap.add_argument("--waiting", type=int, default=1_000_000)
    ap.add_argument("--child", type=int, default=None)
    args = ap.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.child)))
        return 0
    n = 5_000 if args.smoke else args.waiting
    weeks, every = (12, 4) if args.smoke else (104, 8)
    print("hubsim memory benchmark")
    if args.smoke:
        print("SMOKE: tiny sizes, figures mean nothing")
    small, big = in_child(n // 100), in_child(n)
    per = (big["bytes"] - small["bytes"]) / (big["waiting"] - small["waiting"])
    print("\n[1. bytes per waiting patient (tracemalloc, after the build)]")
    print(f"  {small['waiting']:>10,} waiting: {small['bytes'] / 1e6:8.1f} MB")
    print(f"  {big['waiting']:>10,} waiting: {big['bytes'] / 1e6:8.1f} MB")
    print(f"  bytes per waiting patient: {per:.0f}  (target <= 300)")
    print(f"  freeing the model of {big['waiting']:,} waiting: {big['free_s']:.2f} s CPU")
    rows = over_time(weeks, every)
    print("\n[2. memory against patients treated (status quo, 4 trusts, tracemalloc)]")
    print(f"  {'day':>6} {'waiting':>8} {'treated':>8} {'MB':>7}")
    for day, w, t, m in rows:
        print(f"  {day:6.0f} {w:8,} {t:8,} {m / 1e6:7.2f}")
    print(
        f"  bytes left per patient treated: {per_treated(rows, per):.0f} "
        "(memory change less the change in waiting x bytes per waiting, over treated)"
    )
    print("  target: flat in treated (the 22-byte operation record per operation, for the KPIs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
