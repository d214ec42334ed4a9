"""A critical care unit in plain SimPy, written as a modeller would: the twin of
``scenarios/validation/griffiths2010/ccu_24_beds.yaml`` (Griffiths et al. 2010).

Five unplanned admission sources (exponential gaps, lognormal stays) queue first come
first served for a bed; planned elective admissions (normal gaps) are cancelled when no
bed is free; a bed is cleaned for 5 hours after each discharge. Time in hours; one year
measured after a 30-day warm-up.

    python benchmarks/peers/ccu_simpy.py --beds 20 22 24 26 28 30 --reps 100 [--jobs 2]

Prints, for each bed count, the mean over replications of the unit's occupancy, the mean
unplanned wait for a bed (hours) and the planned admissions cancelled; ``--out FILE``
writes one row per replication as CSV.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from multiprocessing import Pool

import numpy as np
import simpy

WARM_UP = 720.0
RUN_LENGTH = 9360.0
CLEANING = 5.0
# source: (mean gap h, mean stay h, sd stay h)
UNPLANNED = {
    "a_and_e": (22.72, 128.79, 267.51),
    "ward": (26.0, 177.89, 276.54),
    "emergency_surgery": (37.0, 140.15, 218.02),
    "other_hospital": (47.2, 212.86, 457.67),
    "xray": (575.0, 87.53, 108.67),
}
ELECTIVE_GAP = (17.91, 3.16)
ELECTIVE_STAY = 57.34


def lognormal(rng: np.random.Generator, mean: float, sd: float) -> float:
    sigma2 = math.log(1 + (sd / mean) ** 2)
    return rng.lognormal(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))


class CriticalCareUnit:
    def __init__(self, env: simpy.Environment, beds: int, rng: np.random.Generator):
        self.env = env
        self.rng = rng
        self.beds = simpy.Resource(env, capacity=beds)
        self.capacity = beds
        self.waits: list[float] = []
        self.cancelled = 0
        self.busy_area = 0.0
        self.last_change = WARM_UP
        self.busy = 0

    def count_beds(self, change: int) -> None:
        """Time-weighted beds in use (cleaning included), from the warm-up on."""
        now = self.env.now
        if now > WARM_UP:
            self.busy_area += self.busy * (now - max(self.last_change, WARM_UP))
        self.last_change = now
        self.busy += change

    def unplanned_arrivals(self, gap: float, mean: float, sd: float):
        while True:
            yield self.env.timeout(self.rng.exponential(gap))
            self.env.process(self.unplanned_patient(lognormal(self.rng, mean, sd)))

    def unplanned_patient(self, stay: float):
        arrived = self.env.now
        with self.beds.request() as bed:
            yield bed
            self.count_beds(+1)
            if arrived >= WARM_UP:
                self.waits.append(self.env.now - arrived)
            yield self.env.timeout(stay + CLEANING)
            self.count_beds(-1)

    def elective_arrivals(self):
        while True:
            yield self.env.timeout(max(0.0, self.rng.normal(*ELECTIVE_GAP)))
            if self.beds.count < self.capacity:
                self.env.process(self.elective_patient(self.rng.exponential(ELECTIVE_STAY)))
            elif self.env.now >= WARM_UP:
                self.cancelled += 1

    def elective_patient(self, stay: float):
        with self.beds.request() as bed:
            yield bed
            self.count_beds(+1)
            yield self.env.timeout(stay + CLEANING)
            self.count_beds(-1)


def replication(beds: int, rep: int, seed: int = 1) -> tuple[int, int, float, float, int]:
    """(beds, rep, occupancy, mean unplanned wait h, planned cancelled) of one replication."""
    rng = np.random.default_rng([seed, beds, rep])
    env = simpy.Environment()
    unit = CriticalCareUnit(env, beds, rng)
    for gap, mean, sd in UNPLANNED.values():
        env.process(unit.unplanned_arrivals(gap, mean, sd))
    env.process(unit.elective_arrivals())
    env.run(until=RUN_LENGTH)
    unit.count_beds(0)
    occupancy = unit.busy_area / (beds * (RUN_LENGTH - WARM_UP))
    wait = sum(unit.waits) / len(unit.waits) if unit.waits else 0.0
    return beds, rep, occupancy, wait, unit.cancelled


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Critical care unit in plain SimPy: a sweep")
    ap.add_argument("--beds", type=int, nargs="+", default=[20, 22, 24, 26, 28, 30])
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--out", default=None, help="CSV file: one row per replication")
    args = ap.parse_args(argv)
    tasks = [(b, r, args.seed) for b in args.beds for r in range(args.reps)]
    if args.jobs > 1:
        with Pool(args.jobs) as pool:
            rows = pool.starmap(replication, tasks, chunksize=max(1, len(tasks) // (4 * args.jobs)))
    else:
        rows = [replication(*t) for t in tasks]
    if args.out:
        with open(args.out, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["beds", "rep", "occupancy", "unplanned_wait_hours", "planned_cancelled"])
            w.writerows(rows)
    print(f"{'beds':>5} {'occupancy':>10} {'wait h':>8} {'cancelled':>10}")
    for b in args.beds:
        mine = [r for r in rows if r[0] == b]
        n = len(mine)
        print(
            f"{b:>5} {sum(r[2] for r in mine) / n:>10.3f} {sum(r[3] for r in mine) / n:>8.2f} "
            f"{sum(r[4] for r in mine) / n:>10.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
