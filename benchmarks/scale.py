"""Scale benchmark: k-fold collaboratives and deep backlogs, one replication each.

Run from the repository root::

    .venv/bin/python benchmarks/scale.py            # trusts 4, 16, 64, 256 (k-fold)
    .venv/bin/python benchmarks/scale.py --region   # 25 trusts, 1 M waiting, ~5.6 M referrals
    .venv/bin/python benchmarks/scale.py --england  # 130 trusts, 7.5 M waiting, ~42 M referrals
    .venv/bin/python benchmarks/scale.py --smoke    # tiny sizes, checks that it runs
    .venv/bin/python benchmarks/scale.py --region --write region.yaml  # for hubsim run

Each row runs in a fresh process (``--child``) and reports referrals, SimPy events, run
seconds (CPU), seconds per 1,000 referrals and the process's peak resident memory. The
England row takes tens of minutes: run it in the background
(``nohup ... --england > england.txt &``); it is never part of ``run_all.py``.

The generator (:func:`collaborative`) copies the Black Country status quo
(``scenarios/black_country_ortho.yaml``): ``trusts`` trusts, each one acute site copied
from the four template sites in turn. ``capacity`` multiplies each site's referrals,
theatres and ward beds (a bigger trust's elective work); its trauma admissions stay those
of the template (10-11 a day), as in the k-fold copies: the rows measure the elective
pathway at scale. ``backlog`` multiplies the starting waiting list. The event log is off.
"""

from __future__ import annotations

import argparse
import copy
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TEMPLATE = ROOT / "scenarios" / "black_country_ortho.yaml"
#: Referrals a week of one template trust (the five procedures).
TRUST_REFERRALS_PER_WEEK = 8 + 9 + 12 + 14 + 1.5
#: Patients waiting at the start at one template trust.
TRUST_BACKLOG = 200 + 230 + 280 + 320 + 35


def collaborative(
    trusts: int, capacity: float = 1.0, backlog: float = 1.0, weeks: int | None = None
) -> dict[str, Any]:
    """Scenario data: ``trusts`` copies of a Black Country trust, each ``capacity`` times as
    big (referrals, theatres, beds, emergencies) and with ``backlog`` times its waiting list."""
    from sim.scenario.yamlio import load_yaml_document

    base = load_yaml_document(TEMPLATE).data
    templates = sorted(base["sites"])
    sites: dict[str, Any] = {}
    out_trusts: dict[str, Any] = {}
    referrals: dict[str, Any] = {}
    lists: dict[str, Any] = {}
    quintiles: dict[str, Any] = {}
    for i in range(trusts):
        src = templates[i % len(templates)]
        sid, tid = f"site{i:03d}", f"T{i:03d}"
        out_trusts[tid] = {"name": f"Trust {i}"}
        site = copy.deepcopy(base["sites"][src])
        site["trust"] = tid
        site["name"] = f"Site {i}"
        if capacity != 1.0:
            site["beds"]["general"] = max(1, round(site["beds"]["general"] * capacity))
            for theatre in site["theatres"].values():
                theatre["count"] = max(1, round(theatre.get("count", 1) * capacity))
        sites[sid] = site
        referrals[sid] = {
            p: rate * capacity for p, rate in base["demand"]["referrals"][src].items()
        }
        lists[sid] = {
            p: {**entry, "size": round(entry["size"] * backlog)}
            for p, entry in base["initial_waiting_list"]["lists"][src].items()
        }
        quintiles[sid] = base["demand"]["quintile_mix_by_site"][src]
    data = copy.deepcopy(base)
    data["name"] = f"{trusts} trusts x{capacity:g} capacity, x{backlog:g} backlog"
    data["trusts"] = out_trusts
    data["sites"] = sites
    data["demand"]["referrals"] = referrals
    data["demand"]["quintile_mix_by_site"] = quintiles
    data["initial_waiting_list"]["lists"] = lists
    # the template's assumption ranges and calibration reasons name its own sites
    data.pop("assumptions", None)
    data.pop("calibration", None)
    if weeks is not None:
        data["horizon"] = f"{weeks} weeks"
    return data


def region_sizes(trusts: int, waiting: float, referrals: float) -> tuple[float, float]:
    """(capacity, backlog) multipliers for ``trusts`` trusts with ``waiting`` patients at the
    start and about ``referrals`` referrals over the 108-week horizon."""
    capacity = referrals / (trusts * TRUST_REFERRALS_PER_WEEK * 108)
    backlog = waiting / (trusts * TRUST_BACKLOG)
    return capacity, backlog


def child(trusts: int, capacity: float, backlog: float, weeks: int | None) -> dict[str, float]:
    """Build and run one replication; figures as a dict (printed as JSON by ``--child``)."""
    import gc

    from sim.model.build import CollaborativeModel, cyclic_gc_paused
    from sim.scenario.load import validate_scenario

    t0 = time.process_time()
    scenario = validate_scenario(collaborative(trusts, capacity, backlog, weeks))
    t1 = time.process_time()
    model = CollaborativeModel(scenario, seed=1, rep=0)
    waiting0 = len(model.elective.pathway)
    gc.freeze()  # as sim.run_replication does
    t2 = time.process_time()
    print(f"    built in {t2 - t1:.1f} s CPU, {waiting0:,} waiting", file=sys.stderr, flush=True)
    pending: list[int] = []
    # The collector stays paused from the first step to the last, as in sim.run_replication's
    # single run: each step re-enabling it would make it scan the patients referred since
    # the build (8% of England's run under py-spy), which no replication pays.
    with cyclic_gc_paused():
        while model.now < model.horizon:  # in 4-week steps, with progress on standard error
            model.step(28.0)
            pending.append(len(model.env._queue))  # SimPy's event heap (private)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"    day {model.now:5.0f}: {time.process_time() - t2:7.1f} s CPU, "
                f"{model.elective.referred_total - waiting0:,} referrals, "
                f"{len(model.elective.pathway):,} waiting, max RSS {rss:,.0f} MB",
                file=sys.stderr,
                flush=True,
            )
    t3 = time.process_time()
    model.check_conservation()
    model.close()
    t4 = time.process_time()
    el = model.elective
    row = {
        "trusts": trusts,
        "waiting_at_start": waiting0,
        "referrals": el.referred_total - waiting0,
        "events": next(model.env._eid),  # SimPy's event-id counter (private)
        "validate_s": t1 - t0,
        "build_s": t2 - t1,
        "run_s": t3 - t2,
        "close_s": t4 - t3,
        "still_waiting": len(el.pathway),
        "pending": sum(pending) / len(pending),
    }
    t5 = time.process_time()
    model.release()
    gc.unfreeze()
    del model, el
    gc.collect()
    row["free_s"] = time.process_time() - t5
    row["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


def run_row(trusts: int, capacity: float, backlog: float, weeks: int | None) -> dict[str, float]:
    """One row in a fresh process; wall time of the whole process added."""
    cmd = [sys.executable, __file__, "--child", str(trusts), str(capacity), str(backlog)]
    if weeks is not None:
        cmd += ["--weeks", str(weeks)]
    start = time.perf_counter()
    out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True, cwd=ROOT)
    row = json.loads(out.stdout.strip().splitlines()[-1])
    row["process_s"] = time.perf_counter() - start
    return row


def bare_us_per_event(k: int, events: int = 200_000, repeats: int = 5) -> float:
    """CPU microseconds per event of a bare SimPy loop with ``k`` pending timeouts (the
    engine benchmark's loop), median of ``repeats``."""
    import statistics

    from bench_engine import bare_loop

    return statistics.median(bare_loop(events, k) for _ in range(repeats)) / events * 1e6


def print_rows(rows: list[dict[str, float]]) -> None:
    head = (
        f"{'trusts':>6} {'waiting t0':>11} {'referrals':>11} {'events':>11} {'build s':>8} "
        f"{'run s':>8} {'s/1k ref':>9} {'free s':>7} {'process s':>9} {'max RSS MB':>10} "
        f"{'heap':>6} {'bare us/ev':>10}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        per = r["run_s"] / max(r["referrals"], 1) * 1000
        print(
            f"{r['trusts']:>6} {r['waiting_at_start']:>11,} {r['referrals']:>11,} "
            f"{r['events']:>11,} {r['build_s']:>8.2f} {r['run_s']:>8.2f} {per:>9.4f} "
            f"{r['free_s']:>7.2f} {r['process_s']:>9.1f} {r['max_rss_mb']:>10,.0f} "
            f"{r['pending']:>6,.0f} {r['bare_us']:>10.2f}"
        )
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        per = [r["run_s"] / max(r["referrals"], 1) for r in (a, b)]
        rise, bare_rise = per[1] / per[0], b["bare_us"] / a["bare_us"]
        print(
            f"cost per referral x{rise:.2f} from {a['trusts']} to {b['trusts']} trusts; a bare "
            f"SimPy loop at the same heap sizes x{bare_rise:.2f}: "
            + ("PASS" if rise <= bare_rise else f"MISS by x{rise / bare_rise:.2f}")
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--smoke", action="store_true", help="tiny sizes: checks that it runs")
    ap.add_argument("--region", action="store_true", help="25 trusts, 1 M waiting (minutes)")
    ap.add_argument("--england", action="store_true", help="130 trusts, 7.5 M (tens of minutes)")
    ap.add_argument("--trusts", type=int, nargs="*", default=[4, 16, 64, 256])
    ap.add_argument("--child", type=float, nargs=3, metavar=("TRUSTS", "CAPACITY", "BACKLOG"))
    ap.add_argument("--weeks", type=int, default=None, help="horizon in weeks (default 108)")
    ap.add_argument(
        "--write", default=None, metavar="FILE",
        help="write the --region (or --england) scenario as YAML for hubsim run, and stop",
    )  # fmt: skip
    args = ap.parse_args(argv)
    if args.write:
        import yaml

        trusts, waiting, referrals = (130, 7.5e6, 42e6) if args.england else (25, 1e6, 5.6e6)
        data = collaborative(trusts, *region_sizes(trusts, waiting, referrals), args.weeks)
        Path(args.write).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        print(f"wrote {args.write}: {data['name']}")
        return 0
    if args.child:
        trusts, capacity, backlog = args.child
        print(json.dumps(child(int(trusts), capacity, backlog, args.weeks)))
        return 0
    print("hubsim scale benchmark: k-fold Black Country status quo, 1 replication, event log off")
    if args.smoke:
        print("SMOKE: tiny sizes, figures mean nothing")
        plan = [(4, 1.0, 1.0, 8), (8, 1.0, 2.0, 8)]
    elif args.region or args.england:
        plan = []
        if args.region:
            plan.append((25, *region_sizes(25, 1e6, 5.6e6), args.weeks))
        if args.england:
            plan.append((130, *region_sizes(130, 7.5e6, 42e6), args.weeks))
    else:
        plan = [(k, 1.0, 1.0, args.weeks) for k in args.trusts]
    rows = []
    for trusts, capacity, backlog, weeks in plan:
        print(
            f"  running {trusts} trusts, capacity x{capacity:.2f}, backlog x{backlog:.2f} ...",
            file=sys.stderr,
        )
        rows.append(run_row(trusts, capacity, backlog, weeks))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    for r in rows:  # in this process, after the children: same heap size, nothing else
        r["bare_us"] = bare_us_per_event(
            max(1, round(r["pending"])), 20_000 if args.smoke else 200_000
        )
    print_rows(rows)
    print(
        "run s and build s: CPU seconds in the child; free s: freeing the model after the run; "
        "max RSS: the child's peak resident memory; heap: SimPy's pending events, mean of "
        "4-weekly samples; bare us/ev: CPU per event of a bare SimPy loop with that many "
        "pending timeouts (bench_engine.py's loop, median of 5 x 200,000 events)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
