"""Engine benchmarks: cost of a hubsim event, and of the waiting list at 1k-100k patients.

Run from the repository root::

    .venv/bin/python benchmarks/bench_engine.py [--quick | --smoke]

``--smoke`` runs every section on tiny sizes (the scenario cut to 8 weeks) in a few
seconds, to check that the script works; its figures mean nothing.

Prints one plain-text report:

1. Engine overhead per event: the Black Country hubs scenario run to its horizon with
   ``CollaborativeModel.run()`` (events counted from SimPy's event-id counter, so the
   timed run is the ordinary, uninstrumented one), against a bare SimPy loop of K
   processes doing ``yield env.timeout(x)`` for ``REFERENCE_EVENTS`` (191,830) events,
   the count the model needed when the target was set. Both sides are timed in CPU
   seconds of this process (``time.process_time``), which other load changes little.
2. Waiting-list cost: steady-state add + pop on a ``WaitingList`` holding 1k, 10k and
   100k patients; for reference, ``simpy.PriorityResource`` request insertion at 1k and
   10k pending requests.

See ``benchmarks/README.md`` for what each figure means.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import simpy

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim.model.build import CollaborativeModel  # noqa: E402
from sim.model.patient import Patient  # noqa: E402
from sim.model.waiting_list import WaitingList, priority_then_wait  # noqa: E402
from sim.scenario.load import load_scenario  # noqa: E402
from sim.scenario.schema import Scenario  # noqa: E402

SCENARIO = ROOT / "scenarios" / "black_country_ortho_hubs.yaml"

#: Events one replication of the default scenario processed when issue 14 set the engine
#: target (2026-11): the bare loop always runs this many, so that a model needing fewer
#: events per patient gets the credit (``--smoke`` runs the model's own count).
REFERENCE_EVENTS = 191_830


@dataclass
class Settings:
    """How much work each section does (``--quick`` and ``--smoke`` use less)."""

    model_repeats: int
    bare_repeats: int
    wl_ops: int
    wl_sizes: tuple[int, ...]
    pr_puts: int
    pr_sizes: tuple[int, ...]
    horizon: str | None = None
    """Replaces the scenario's horizon (warm-up included); None keeps its own."""


FULL = Settings(7, 7, 200_000, (1_000, 10_000, 100_000), 2_000, (1_000, 10_000))
QUICK = Settings(3, 3, 50_000, (1_000, 10_000, 100_000), 500, (1_000, 10_000))
SMOKE = Settings(1, 1, 2_000, (1_000, 10_000), 100, (100, 1_000), horizon="8 weeks")


def load_default(horizon: str | None = None) -> Scenario:
    """The default scenario, its horizon replaced by ``horizon`` if given."""
    return load_scenario(SCENARIO, {"horizon": horizon} if horizon else None)


# -- 1. engine overhead -----------------------------------------------------------------
def events_processed(env: simpy.Environment) -> int:
    """Events popped so far by ``env.run(until=...)``, from SimPy's event-id counter.

    Every ``schedule()`` takes the next id; what is still queued was not processed, and
    the ``until`` marker that stopped the run is not a model event.
    """
    scheduled = next(env._eid)  # private, but the only zero-cost counter SimPy keeps
    return scheduled - len(env._queue) - 1


def count_by_stepping(scenario: Scenario) -> tuple[int, float, float]:
    """Drive a model with ``peek()``/``step()`` to its horizon, counting every event.

    Returns (events, wall seconds, mean pending events sampled every 100 events). Used
    once to check the counter-based count and to size the bare loop's K.
    """
    model = CollaborativeModel(scenario, seed=1, rep=0)
    env = model.env
    queue = env._queue
    peek, step, horizon = env.peek, env.step, model.horizon
    n = 0
    pending = 0
    samples = 0
    t0 = time.perf_counter()
    while peek() < horizon:
        step()
        n += 1
        if n % 100 == 0:
            pending += len(queue)
            samples += 1
    wall = time.perf_counter() - t0
    return n, wall, pending / max(samples, 1)


def time_model(scenario: Scenario) -> tuple[int, float, float]:
    """Build the model and run it to its horizon: (events, run seconds, build seconds)."""
    t0 = time.process_time()
    model = CollaborativeModel(scenario, seed=1, rep=0)
    t1 = time.process_time()
    model.run()
    t2 = time.process_time()
    return events_processed(model.env), t2 - t1, t1 - t0


def bare_loop(n_events: int, k: int, seed: int = 0) -> float:
    """CPU seconds for a bare SimPy loop: ``k`` processes ``yield env.timeout(exp draw)``.

    The draws are made up front (a Python list), so the timed part is SimPy alone:
    exactly ``n_events`` calls to ``env.step()`` (the first ``k`` start the processes).
    """
    env = simpy.Environment()
    draws = np.random.default_rng(seed).standard_exponential(n_events + k).tolist()
    nxt = iter(draws).__next__
    timeout = env.timeout

    def proc() -> Iterator[simpy.Event]:
        while True:
            yield timeout(nxt())

    for _ in range(k):
        env.process(proc())
    step = env.step
    t0 = time.process_time()
    for _ in range(n_events):
        step()
    return time.process_time() - t0


# -- 2. waiting list ----------------------------------------------------------------------
def make_patients(
    rng: np.random.Generator, n: int, first_pid: int, times: np.ndarray
) -> list[Patient]:
    """``n`` patients with random priority 0..3 and the given referral times."""
    prio = rng.integers(0, 4, n).tolist()
    return [
        Patient(first_pid + i, "site", "proc", prio[i], t, False, 0.1, 1.0)
        for i, t in enumerate(times.tolist())
    ]


def waiting_list_cost(
    n: int,
    ops: int,
    chunks: int = 5,
    seed: int = 0,
    reduce: Callable[[list[float]], float] = min,
) -> float:
    """Microseconds per referral (add one new patient + ``pop()`` the next) at ``n`` waiting.

    After 10,000 untimed warm-up referrals, ``ops`` referrals are timed in ``chunks``
    equal chunks; ``reduce`` of the chunks is returned, by default the best (the list
    stays at ``n`` throughout).
    """
    rng = np.random.default_rng(seed)
    now = [0.0]
    wl = WaitingList("site", "spec", priority_then_wait, lambda: now[0])
    for p in make_patients(rng, n, 0, rng.uniform(-730.0, 0.0, n)):
        wl.add(p)
    warm = min(ops, 10_000)
    dt = 0.01
    new = make_patients(rng, warm + ops, n, dt * np.arange(1, warm + ops + 1))
    add, pop = wl.add, wl.pop
    for p in new[:warm]:
        now[0] = p.referral_time
        add(p)
        pop()
    per_op: list[float] = []
    size = ops // chunks
    for c in range(chunks):
        timed = new[warm + c * size : warm + (c + 1) * size]
        t0 = time.perf_counter()
        for p in timed:
            now[0] = p.referral_time
            add(p)
            pop()
        per_op.append((time.perf_counter() - t0) / size * 1e6)
    if len(wl) != n:
        raise RuntimeError(f"waiting list drifted from {n} to {len(wl)}")
    return reduce(per_op)


def priority_resource_cost(n: int, puts: int, seed: int = 0) -> float:
    """Microseconds per ``PriorityResource.request()`` with about ``n`` requests queued.

    The resource's one unit is held throughout, so every request queues. Puts are timed
    in batches of ``n // 10`` (the queue grows from n to 1.1 n), then cancelled, untimed,
    to bring the queue back to n.
    """
    env = simpy.Environment()
    res = simpy.PriorityResource(env, capacity=1)
    res.request()  # holds the resource
    rng = random.Random(seed)
    for _ in range(n):
        res.request(priority=rng.randrange(4))
    batch = max(1, n // 10)
    total = 0.0
    done = 0
    request = res.request
    while done < puts:
        size = min(batch, puts - done)
        prios = [rng.randrange(4) for _ in range(size)]
        t0 = time.perf_counter()
        reqs = [request(priority=p) for p in prios]
        total += time.perf_counter() - t0
        done += size
        for r in reqs:
            r.cancel()
    return total / puts * 1e6


# -- measurements, usable from run_all.py -------------------------------------------------
@dataclass
class EngineResult:
    """Section 1: hubsim's model runs against the bare SimPy loop, same number of events."""

    events: int
    bare_events: int
    """Events of each bare loop (:data:`REFERENCE_EVENTS`, or ``events`` with ``--smoke``)."""
    pending: float
    """Mean size of SimPy's event heap in the counting run."""
    k: int
    """Processes in the bare loop (``pending`` rounded)."""
    step_wall: float
    model_walls: list[float]
    builds: list[float]
    bare_walls: list[float]

    @property
    def us_per_event(self) -> float:
        """hubsim, median of the timed runs."""
        return statistics.median(self.model_walls) / self.events * 1e6

    @property
    def bare_us_per_event(self) -> float:
        """Bare SimPy, median of the timed loops."""
        return statistics.median(self.bare_walls) / self.bare_events * 1e6

    @property
    def ratio_median(self) -> float:
        return statistics.median(self.model_walls) / statistics.median(self.bare_walls)

    @property
    def ratio_best(self) -> float:
        return min(self.model_walls) / min(self.bare_walls)


def measure_engine(settings: Settings) -> EngineResult:
    """Count the default scenario's events, then time model runs and bare loops in turns."""
    scenario = load_default(settings.horizon)
    n_step, step_wall, pending = count_by_stepping(scenario)
    k = max(1, round(pending))
    n_bare = n_step if settings.horizon else REFERENCE_EVENTS
    # Model runs and bare loops alternate, so a burst of load on a shared machine hits
    # both sides of the ratio alike.
    walls: list[float] = []
    builds: list[float] = []
    bare: list[float] = []
    for i in range(max(settings.model_repeats, settings.bare_repeats)):
        if i < settings.model_repeats:
            events, wall, build_s = time_model(scenario)
            if events != n_step:
                raise RuntimeError(f"peek/step counted {n_step} events, id counter {events}")
            walls.append(wall)
            builds.append(build_s)
        if i < settings.bare_repeats:
            bare.append(bare_loop(n_bare, k))
    return EngineResult(n_step, n_bare, pending, k, step_wall, walls, builds, bare)


def measure_waiting_list(settings: Settings) -> dict[int, float]:
    """Section 2: WaitingList microseconds per referral (add + pop) by list size."""
    return {n: waiting_list_cost(n, settings.wl_ops) for n in settings.wl_sizes}


def measure_priority_resource(settings: Settings) -> dict[int, float]:
    """For reference: ``PriorityResource`` microseconds per put by queue length."""
    return {n: priority_resource_cost(n, settings.pr_puts) for n in settings.pr_sizes}


# -- report -------------------------------------------------------------------------------
def _k(n: int) -> str:
    """A list size for a label: 10000 -> "10k", 100 -> "100"."""
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else f"{n:,}"


def run(settings: Settings, out: Callable[[str], None] = print, mode: str = "") -> None:
    """Run every section and print the report; ``mode`` ("--quick", ...) goes in the title."""
    started = time.perf_counter()
    out("hubsim engine benchmark" + (f" ({mode})" if mode else ""))
    out(
        f"python {platform.python_version()} | numpy {np.__version__} | "
        f"simpy {simpy.__version__} | cpus {os.cpu_count()} | {platform.machine()}"
    )
    out("load average at start: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    out("")

    eng = measure_engine(settings)
    events, n_step, step_wall, k = eng.events, eng.events, eng.step_wall, eng.k
    walls, bare = eng.model_walls, eng.bare_walls
    build = statistics.median(eng.builds)
    h_best, h_med = min(walls), statistics.median(walls)
    b_best, b_med = min(bare), statistics.median(bare)
    us = 1e6 / events
    horizon = f"horizon cut to {settings.horizon}" if settings.horizon else "horizon to end"
    out(f"1. Engine overhead per event ({SCENARIO.name}, seed=1 rep=0, {horizon})")
    out(f"   events processed: {events:,}  (SimPy event-id counter after model.run();")
    out(f"   checked against a peek()/step() loop that counted {n_step:,}: same)")
    out(f"   mean pending events (heap size, sampled every 100 events): {eng.pending:.0f}")
    out(f"   model build (not timed below): {build * 1e3:.0f} ms (median)")
    out("")
    out(f"   {'CPU seconds':<34}{'best s':>9}{'median s':>10}{'us/event':>10}")
    out(
        f"   {'hubsim model.run()':<34}{h_best:>9.3f}{h_med:>10.3f}{h_best * us:>10.2f}"
        f"   ({settings.model_repeats} runs)"
    )
    out(
        f"   {'hubsim peek/step counting loop':<34}{step_wall:>9.3f}{'':>10}{step_wall * us:>10.2f}"
        "   (1 run, first)"
    )
    out(
        f"   {f'bare SimPy, K={k} timeout procs':<34}{b_best:>9.3f}{b_med:>10.3f}"
        f"{b_best * 1e6 / eng.bare_events:>10.2f}   ({settings.bare_repeats} runs, "
        f"{eng.bare_events:,} events)"
    )
    out(f"   ratio hubsim / bare: {h_best / b_best:.1f}x best, {h_med / b_med:.1f}x median")
    out("")

    out(
        "2. Waiting list, steady state: add one referral + pop() the next "
        f"({settings.wl_ops:,} ops per size)"
    )
    wl = measure_waiting_list(settings)
    pr = measure_priority_resource(settings)
    out(f"   {'waiting':>9}{'WaitingList us/referral*':>27}{'PriorityResource us/put':>26}")
    for n in sorted(set(wl) | set(pr)):
        a = f"{wl[n]:.2f}" if n in wl else "-"
        b = f"{pr[n]:.1f}" if n in pr else "skipped"
        out(f"   {n:>9,}{a:>27}{b:>26}")
    lo, hi = min(settings.wl_sizes), max(settings.wl_sizes)
    out("   * best of 5 equal chunks of the timed referrals")
    out(f"   WaitingList ratio {_k(hi)} / {_k(lo)}: {wl[hi] / wl[lo]:.2f}x")
    plo, phi = min(settings.pr_sizes), max(settings.pr_sizes)
    out(f"   PriorityResource ratio {_k(phi)} / {_k(plo)}: {pr[phi] / pr[plo]:.1f}x")
    out(
        f"   (PriorityResource: {settings.pr_puts:,} puts per size, queue n..1.1n; "
        "100k skipped, it re-sorts the whole queue on every put)"
    )
    out("")
    if mode == "--smoke":
        out("--smoke: tiny sizes, a check that the script runs; the figures mean nothing")
    out(f"total benchmark time {time.perf_counter() - started:.1f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="fewer repeats and operations")
    size.add_argument(
        "--smoke", action="store_true", help="tiny sizes, a few seconds: check that it runs"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        run(SMOKE, mode="--smoke")
    else:
        run(QUICK if args.quick else FULL, mode="--quick" if args.quick else "")


if __name__ == "__main__":
    main()
