"""An elective hub in plain SimPy, written as a modeller would: the twin of
``benchmarks/peers/hub_twin.yaml``.

Hip-replacement referrals (Poisson, 45 a week) join a waiting list, first come first
served. The day before each list, two theatres' all-day lists (08:00-16:00, weekdays) are
booked by planned case time (100 minutes: four cases). On the day every booked patient
asks for a ring-fenced bed at 08:00; one who finds none waits until noon, then is
cancelled (no bed) and rejoins the list with their wait unchanged. Each theatre operates,
in list order, on the patients who have a bed, starting a case only if its planned time
still fits before 16:00 (else cancelled for time); with nobody ready it stands idle until
a bed frees or it is too late for anyone. Patients stay in bed for their length of stay
after the operation. Time in days; one year measured after a 4-week warm-up.

    python benchmarks/peers/hub_simpy.py --beds 16 18 20 22 24 26 --reps 100 [--jobs 2]

Prints, for each bed count, the mean over replications of operations, no-bed
cancellations and bed occupancy; ``--out FILE`` writes one row per replication as CSV.
"""

from __future__ import annotations

import argparse
import csv
import heapq
import math
import sys
from multiprocessing import Pool

import numpy as np
import simpy

MINUTE = 1 / 1440
WARM_UP = 28.0
RUN_LENGTH = 56 * 7.0
REFERRALS_PER_DAY = 45 / 7
THEATRES = 2
SESSION_START, SESSION_LENGTH = 8 / 24, 8 / 24
CUT_OFF = 12 / 24
LEAD_TIME = 1.0
DURATION = (90 * MINUTE, 15 * MINUTE)  # lognormal mean, sd
PLANNED = 100 * MINUTE
STAY = (3.0, 1.5)  # lognormal mean, sd (days)


def lognormal(rng: np.random.Generator, mean: float, sd: float) -> float:
    sigma2 = math.log(1 + (sd / mean) ** 2)
    return rng.lognormal(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))


class Hub:
    def __init__(self, env: simpy.Environment, beds: int, rng: np.random.Generator):
        self.env = env
        self.rng = rng
        self.beds = simpy.Resource(env, capacity=beds)
        self.capacity = beds
        self.waiting_list: list[tuple[float, int]] = []  # (referral time, patient id)
        self.referred = 0
        self.operations = 0
        self.no_bed = 0
        self.busy_area = 0.0
        self.last_change = WARM_UP
        self.busy = 0

    def count_beds(self, change: int) -> None:
        """Time-weighted beds in use, from the warm-up on."""
        now = self.env.now
        if now > WARM_UP:
            self.busy_area += self.busy * (now - max(self.last_change, WARM_UP))
        self.last_change = now
        self.busy += change

    def referrals(self):
        while True:
            yield self.env.timeout(self.rng.exponential(1 / REFERRALS_PER_DAY))
            heapq.heappush(self.waiting_list, (self.env.now, self.referred))
            self.referred += 1

    def booking(self):
        """The day before each weekday, book each theatre's list: four 100-minute cases."""
        day = 0
        while True:
            t = max(0.0, day - LEAD_TIME)
            if t > self.env.now:
                yield self.env.timeout(t - self.env.now)
            if day % 7 < 5:  # day 0 is a Monday
                for _ in range(THEATRES):
                    cases = int(SESSION_LENGTH // PLANNED + 1e-9)
                    take = min(cases, len(self.waiting_list))
                    patients = [heapq.heappop(self.waiting_list) for _ in range(take)]
                    self.env.process(self.session(day, patients))
            day += 1

    def cancel(self, patient: tuple[float, int], no_bed: bool) -> None:
        heapq.heappush(self.waiting_list, patient)  # back on the list, wait unchanged
        if no_bed and self.env.now >= WARM_UP:
            self.no_bed += 1

    def wait_for_bed(self, patient, bed, place: int, ready: simpy.PriorityStore, session: dict):
        """A booked patient who found no bed at 08:00 waits in the lounge until the cut-off."""
        yield bed | self.env.timeout(session["day"] + CUT_OFF - self.env.now)
        session["waiting"] -= 1
        if bed.triggered and not session["over"]:
            self.count_beds(+1)
            ready.put(simpy.PriorityItem(place, (patient, bed)))
        else:
            if bed.triggered:
                self.beds.release(bed)  # the list has ended: the bed passes on
            else:
                bed.cancel()
            self.cancel(patient, no_bed=True)
        if session["idle"] is not None and not session["idle"].triggered:
            session["idle"].succeed()  # wake the theatre

    def session(self, day: int, patients: list):
        """One theatre list: admissions at 08:00, then cases in list order among those
        with a bed, each started only if its planned time fits before the end."""
        env = self.env
        start = day + SESSION_START
        end = start + SESSION_LENGTH
        yield env.timeout(start - env.now)
        ready = simpy.PriorityStore(env)
        session = {"day": day, "waiting": 0, "over": False, "idle": None}
        for place, patient in enumerate(patients):
            bed = self.beds.request()
            if bed.triggered:  # a bed free now
                self.count_beds(+1)
                ready.put(simpy.PriorityItem(place, (patient, bed)))
            else:
                session["waiting"] += 1
                env.process(self.wait_for_bed(patient, bed, place, ready, session))
        while True:
            if ready.items:
                patient, bed = (yield ready.get()).item
                if env.now + PLANNED > end + 1e-9:
                    self.count_beds(-1)
                    self.beds.release(bed)
                    self.cancel(patient, no_bed=False)
                    continue
                yield env.timeout(lognormal(self.rng, *DURATION))
                if env.now >= WARM_UP:
                    self.operations += 1
                env.process(self.stay(bed))
                continue
            if session["waiting"] == 0:
                break
            latest = end - PLANNED
            if env.now >= latest - 1e-9:
                break
            session["idle"] = env.event()
            yield session["idle"] | env.timeout(latest - env.now)
            session["idle"] = None
        session["over"] = True  # whoever still waits for a bed is cancelled

    def stay(self, bed):
        yield self.env.timeout(lognormal(self.rng, *STAY))
        self.count_beds(-1)
        self.beds.release(bed)


def replication(beds: int, rep: int, seed: int = 1) -> tuple[int, int, int, int, float]:
    """(beds, rep, operations, no-bed cancellations, bed occupancy) of one replication."""
    rng = np.random.default_rng([seed, beds, rep])
    env = simpy.Environment()
    hub = Hub(env, beds, rng)
    env.process(hub.referrals())
    env.process(hub.booking())
    env.run(until=RUN_LENGTH)
    hub.count_beds(0)
    occupancy = hub.busy_area / (beds * (RUN_LENGTH - WARM_UP))
    return beds, rep, hub.operations, hub.no_bed, occupancy


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Elective hub in plain SimPy: a sweep")
    ap.add_argument("--beds", type=int, nargs="+", default=[16, 18, 20, 22, 24, 26])
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
            w.writerow(["beds", "rep", "operations", "no_bed_cancellations", "occupancy"])
            w.writerows(rows)
    print(f"{'beds':>5} {'operations':>10} {'no bed':>8} {'occupancy':>10}")
    for b in args.beds:
        mine = [r for r in rows if r[0] == b]
        n = len(mine)
        print(
            f"{b:>5} {sum(r[2] for r in mine) / n:>10.1f} {sum(r[3] for r in mine) / n:>8.1f} "
            f"{sum(r[4] for r in mine) / n:>10.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
