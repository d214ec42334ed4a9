"""hubsim against a peer: an M/M/c queue in hubsim, Ciw and plain SimPy.

c = 10 servers, arrivals 8.5 a day, mean stay 1 day (rho = 0.85), run for
``customers / 8.5`` days in each of

* ``hubsim-em``: an emergency-only hubsim site with 10 general beds, ``when_full: queue``;
* ``hubsim-cc``: a hubsim critical care unit with 10 beds, ``when_full: queue``;
* ``ciw``: ``ciw.Simulation`` of the same network, ``simulate_until_max_time``;
* ``simpy``: plain SimPy, a ``Resource(capacity=10)`` and a process per customer
  (request, timeout, release), inter-arrival and service times from ``random.Random``.

A hubsim scenario's horizon is at most 50 years (``Scenario.horizon``), and 200,000
customers take 64 years. A run is therefore split into as few equal *segments* as the cap
allows (two of 32 years for 200,000 customers; one for 20,000), each simulated from empty
on its own random streams, one after the other in the same process. Every model runs the
same segments, so all four serve the same number of customers in the same way.

Each run is its own fresh process (``--child``). Inside it ``time.perf_counter`` covers
the simulation only, from the model description (scenario dict, network, resource) to
the end of the last segment; the parent also times the whole process. Every model's mean
wait in the queue, pooled over its segments and runs, is compared with the exact Erlang C
value (:func:`sim.analytic.mmc_mean_wait`).

Run alone from the repository root::

    .venv/bin/python benchmarks/bench_peer.py [--quick | --smoke]

``--smoke`` runs 1,000 customers in two segments, once per model, in a few seconds: a
check that the script works; its figures mean nothing.

``benchmarks/run_all.py`` uses :func:`measure_peers`.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from benchlib import BENCH, ROOT, emit, header, log, run_child

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ARRIVALS_PER_DAY = 8.5
MEAN_STAY = 1.0  # days
SERVERS = 10
MODELS = ("hubsim-em", "hubsim-cc", "ciw", "simpy")
LABELS = {
    "hubsim-em": "hubsim, emergency-only site, 10 general beds, when_full: queue",
    "hubsim-cc": "hubsim, one critical care unit, 10 beds, when_full: queue",
    "ciw": "Ciw, one node, 10 servers",
    "simpy": "plain SimPy Resource(10), a process per customer",
}
# Relative standard error of the mean wait over 200,000 customers at rho = 0.85, measured
# on this system: the root mean square deviation from Erlang C of 56 independent runs
# (hubsim, both paths, and SimPy) was 5.0%, with no bias. Waits are strongly
# autocorrelated, so this is far larger than sd / sqrt(n) of independent waits.
# Those runs were single 64-year runs, before the horizon cap. Two independent segments of
# 100,000 customers pool to the same standard error: for runs much longer than the waits'
# correlation time the variance of a mean wait falls as 1 / customers. The extra start from
# empty is negligible: the queue relaxes in about 1 / (c mu (1 - sqrt(rho))^2) = 16 days,
# against 32 years per segment.
SE_AT_200K = 0.05
# The upper bound of ``Scenario.horizon`` (sim/scenario/schema.py): 50 years.
HORIZON_CAP_DAYS = 50 * 365


def split(customers: int, segments: int | None = None) -> tuple[int, float]:
    """(segments, days per segment) of a run expecting ``customers`` arrivals in all.

    ``segments=None``: as few as the 50-year horizon cap allows.
    """
    days = customers / ARRIVALS_PER_DAY
    n = segments or math.ceil(days / HORIZON_CAP_DAYS)
    if n < 1 or days / n > HORIZON_CAP_DAYS:
        raise ValueError(
            f"{customers:,} customers in {n} segment(s) need {days / n:,.0f} days each, "
            f"over the {HORIZON_CAP_DAYS:,}-day horizon cap"
        )
    return n, days / n


# -- the models (run inside a child process) ------------------------------------------------
def hubsim_scenario(kind: str, days: float) -> Any:
    """The validated hubsim ``Scenario`` of one segment: ``kind`` "em" or "cc", ``days`` long."""
    import sim

    stay = {"dist": "exponential", "mean": f"{MEAN_STAY} days"}
    common = {
        "name": f"M/M/{SERVERS} {kind}",
        "horizon": f"{days!r} days",
        "warm_up": "0 days",
        "snapshot_interval": "4 weeks",
        "trusts": {"T": {"name": "Trust"}},
    }
    if kind == "em":
        site = {
            "trust": "T",
            "beds": {"general": SERVERS},
            "emergency": {
                "admissions_per_day": ARRIVALS_PER_DAY,
                "length_of_stay": stay,
                "when_full": "queue",
            },
        }
        return sim.validate_scenario({**common, "sites": {"s": site}})
    site = {
        "trust": "T",
        "critical_care": {
            "beds": SERVERS,
            "length_of_stay": stay,
            "admissions": {"per_day": ARRIVALS_PER_DAY},
        },
    }
    return sim.validate_scenario(
        {**common, "sites": {"s": site}, "policies": {"critical_care": {"when_full": "queue"}}}
    )


def _hubsim(kind: str, days: float, segments: int, seed: int) -> dict[str, Any]:
    t_imp = time.perf_counter()
    import sim  # noqa: F401  (the import is timed apart from the simulation)
    from sim.model.build import CollaborativeModel

    t0 = time.perf_counter()
    sc = hubsim_scenario(kind, days)
    sim_s = time.perf_counter() - t0
    arrived = served = 0
    wait = 0.0
    for rep in range(segments):  # each segment on its own random streams
        t1 = time.perf_counter()
        model = CollaborativeModel(sc, seed=seed, rep=rep)
        model.run()
        sim_s += time.perf_counter() - t1
        if kind == "em":
            t = model.emergencies["s"].tally
            arrived += t.emergency_arrivals
            served += t.emergency_admissions
            wait += t.wait_days
        else:
            c = model.critical_care.tally["s"]
            arrived += c.unplanned_arrivals
            served += c.unplanned_admitted
            wait += c.unplanned_wait_days
    return {
        "import_s": t0 - t_imp,
        "sim_s": sim_s,
        "customers": arrived,
        "served": served,
        "wait_sum": wait,
    }


def _ciw(days: float, segments: int, seed: int) -> dict[str, Any]:
    t_imp = time.perf_counter()
    import ciw

    t0 = time.perf_counter()
    ciw.seed(seed)  # once: the segments follow on in the same random stream
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=ARRIVALS_PER_DAY)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / MEAN_STAY)],
        number_of_servers=[SERVERS],
    )
    sim_s = time.perf_counter() - t0
    arrived = served = 0
    waits: list[float] = []
    for _ in range(segments):
        t1 = time.perf_counter()
        q = ciw.Simulation(network)
        q.simulate_until_max_time(days)
        sim_s += time.perf_counter() - t1
        # Records are kept for customers who finished; those still in service at the end
        # started service too, but their wait is not recorded: a few out of 10^5.
        records = q.get_all_records()
        arrived += q.nodes[0].number_of_individuals
        served += len(records)
        waits += [r.waiting_time for r in records]
    return {
        "import_s": t0 - t_imp,
        "sim_s": sim_s,
        "customers": arrived,
        "served": served,
        "wait_sum": math.fsum(waits),
    }


def _simpy_segment(days: float, rng: random.Random, stats: dict[str, Any]) -> None:
    """One segment from empty: a fresh environment and resource, run for ``days``."""
    import simpy

    env = simpy.Environment()
    beds = simpy.Resource(env, capacity=SERVERS)

    def customer() -> Iterator[simpy.Event]:
        arrived = env.now
        with beds.request() as req:
            yield req
            stats["served"] += 1
            stats["wait_sum"] += env.now - arrived
            yield env.timeout(rng.expovariate(1.0 / MEAN_STAY))

    def arrivals() -> Iterator[simpy.Event]:
        while True:
            yield env.timeout(rng.expovariate(ARRIVALS_PER_DAY))
            stats["customers"] += 1
            env.process(customer())

    env.process(arrivals())
    env.run(until=days)


def _simpy(days: float, segments: int, seed: int) -> dict[str, Any]:
    t_imp = time.perf_counter()
    import simpy  # noqa: F401  (the import is timed apart from the simulation)

    t0 = time.perf_counter()
    rng = random.Random(seed)  # once: the segments follow on in the same random stream
    stats = {"customers": 0, "served": 0, "wait_sum": 0.0}
    for _ in range(segments):
        _simpy_segment(days, rng, stats)
    t1 = time.perf_counter()
    return {"import_s": t0 - t_imp, "sim_s": t1 - t0, **stats}


def child(model: str, customers: int, seed: int, segments: int | None = None) -> dict[str, Any]:
    """One run of ``model`` for ``customers / 8.5`` days in all, split into ``segments``
    (default: as few as the horizon cap allows); what the parent reads back."""
    n, days = split(customers, segments)
    if model == "hubsim-em":
        out = _hubsim("em", days, n, seed)
    elif model == "hubsim-cc":
        out = _hubsim("cc", days, n, seed)
    elif model == "ciw":
        out = _ciw(days, n, seed)
    elif model == "simpy":
        out = _simpy(days, n, seed)
    else:
        raise ValueError(f"unknown model {model!r}")
    return {"model": model, "seed": seed, "days": n * days, "segments": n, **out}


# -- the parent ---------------------------------------------------------------------------------
@dataclass
class PeerResult:
    """Every run of one model."""

    model: str
    runs: list[dict[str, Any]] = field(default_factory=list)
    walls: list[float] = field(default_factory=list)
    """Whole-process seconds of each run."""

    @property
    def rate(self) -> float:
        """Customers per second of simulation (median over runs)."""
        return statistics.median(r["customers"] / r["sim_s"] for r in self.runs)

    @property
    def sim_s(self) -> float:
        return statistics.median(r["sim_s"] for r in self.runs)

    @property
    def wall_s(self) -> float:
        return statistics.median(self.walls)

    @property
    def import_s(self) -> float:
        return statistics.median(r["import_s"] for r in self.runs)

    @property
    def customers(self) -> float:
        return statistics.median(r["customers"] for r in self.runs)

    @property
    def mean_wait(self) -> float:
        """Mean wait in the queue, days, pooled over all runs (each its own seed)."""
        return sum(r["wait_sum"] for r in self.runs) / sum(r["served"] for r in self.runs)

    @property
    def others(self) -> float:
        """Mean cores used by other processes during this model's runs."""
        return statistics.mean(r.get("others_cores", 0.0) for r in self.runs)

    @property
    def total_customers(self) -> int:
        return sum(r["customers"] for r in self.runs)


def exact_wait() -> float:
    """Erlang C mean wait in the queue, days."""
    from sim.analytic import mmc_mean_wait

    return mmc_mean_wait(ARRIVALS_PER_DAY, MEAN_STAY, SERVERS)


def tolerance(total_customers: int) -> float:
    """Three standard errors of the pooled mean wait, relative (see ``SE_AT_200K``)."""
    return 3 * SE_AT_200K * math.sqrt(200_000 / max(total_customers, 1))


def measure_peers(
    customers: int, repeats: int, segments: int | None = None
) -> dict[str, PeerResult]:
    """``repeats`` fresh-process runs of every model, seeds 1..repeats, in rotating order.

    Each round runs every model once, the order rotating between rounds, so a burst of
    load on a shared machine falls on all of them alike. Each run is split into
    ``segments`` (default: as few as the horizon cap allows, see :func:`split`).
    """
    n, _ = split(customers, segments)
    out = {m: PeerResult(m) for m in MODELS}
    script = str(BENCH / "bench_peer.py")
    for r in range(repeats):
        order = MODELS[r % len(MODELS) :] + MODELS[: r % len(MODELS)]
        for m in order:
            log(f"  peer: {m}, {customers:,} customers in {n} segment(s), seed {r + 1}")
            res, wall = run_child(
                [script, "--child", m, "--customers", str(customers), "--seed", str(r + 1)]
                + ["--segments", str(n)]
            )
            out[m].runs.append(res)
            out[m].walls.append(wall)
    return out


def leaner(results: dict[str, PeerResult]) -> str:
    """The hubsim path with the higher median customers per second."""
    return max(("hubsim-em", "hubsim-cc"), key=lambda m: results[m].rate)


def report(results: dict[str, PeerResult], customers: int) -> list[str]:
    """The detailed per-model lines (the summary table is in run_all.py)."""
    exact = exact_wait()
    first = next(iter(results.values())).runs
    n = len(first)
    segments = first[0]["segments"]
    days = customers / ARRIVALS_PER_DAY
    how = (
        f"{days:,.0f} days from empty"
        if segments == 1
        else f"{segments} segments of {days / segments:,.0f} days, each from empty"
    )
    lines = [
        f"M/M/{SERVERS}, arrivals {ARRIVALS_PER_DAY}/day, mean stay {MEAN_STAY} day "
        f"(rho = {ARRIVALS_PER_DAY * MEAN_STAY / SERVERS:.2f}), {customers:,} customers "
        f"expected per run ({how}), {n} fresh processes per model, medians",
        f"exact Erlang C mean wait in queue: {exact * 24:.3f} hours",
        f"  {'model':<10}{'cust/s':>10}{'sim s':>8}{'process s':>11}{'import s':>10}"
        f"{'mean wait h':>13}{'vs Erlang C':>13}{'others':>8}",
    ]
    for m, r in results.items():
        tol = tolerance(r.total_customers)
        dev = r.mean_wait / exact - 1
        lines.append(
            f"  {m:<10}{r.rate:>10,.0f}{r.sim_s:>8.2f}{r.wall_s:>11.2f}{r.import_s:>10.2f}"
            f"{r.mean_wait * 24:>13.3f}{dev:>+12.1%}{'' if abs(dev) <= tol else '!':1}"
            f"{r.others:>8.1f}"
        )
    tol = tolerance(next(iter(results.values())).total_customers)
    lines.append(
        f"  mean wait pooled over the {n} runs; tolerance +/-{tol:.1%} "
        "(3 standard errors of the pooled mean); others = mean cores busy with other "
        "people's processes during the runs"
    )
    for m in MODELS:
        lines.append(f"  {m}: {LABELS[m]}")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="20,000 customers, 3 runs")
    size.add_argument(
        "--smoke",
        action="store_true",
        help="1,000 customers in 2 segments, 1 run, a few seconds: check that it runs",
    )
    parser.add_argument("--child", choices=MODELS, help=argparse.SUPPRESS)
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument(
        "--segments",
        type=int,
        default=None,
        help="split each run into this many segments from empty (default: as few as the "
        "50-year horizon cap allows)",
    )
    args = parser.parse_args(argv)
    customers = args.customers or (1_000 if args.smoke else 20_000 if args.quick else 200_000)
    if args.child:
        emit(child(args.child, customers, args.seed, args.segments))
        return
    repeats = args.repeats or (1 if args.smoke else 3 if args.quick else 5)
    segments = args.segments or (2 if args.smoke else None)
    mode = " (--smoke)" if args.smoke else " (--quick)" if args.quick else ""
    print("\n".join(header("hubsim vs Ciw vs SimPy: M/M/10 at rho = 0.85" + mode)))
    print("\n".join(report(measure_peers(customers, repeats, segments), customers)))
    if args.smoke:
        print("--smoke: tiny sizes, a check that the script runs; the figures mean nothing")


if __name__ == "__main__":
    main()
