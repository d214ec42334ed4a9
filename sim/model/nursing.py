"""Nurse staffing of critical care units: a bed without a nurse cannot take a patient.

Each unit with ``nursing`` has a roster: ``shifts_per_day`` shifts of equal length, the
first starting at ``first_shift_starts``. At the start of each shift (one event per shift
for all the units whose shifts start then, not per patient) each rostered nurse is off sick
independently with the unit's ``sickness_absence`` probability: the nurses at work are one
binomial draw from the unit's own stream for that shift of the day, and they give the unit's
nursing capacity for the shift. Units whose nurses are shared (across a trust or the
collaborative) put their capacities into one :class:`NursePool`.

A patient takes 1/``level_3`` of a nurse at level 3 and 1/``level_2`` at level 2 (GPICS:
one nurse per level 3 patient, one per two at level 2), counted in twelfths of a nurse so
the sums are exact. A patient is admitted only if their pool has that much nursing free;
otherwise the unit is full for them and the network's policy applies (wait, transfer,
refuse; a planned patient is cancelled). A shift with fewer nurses than the patients
already in need keeps them (nobody is sent away) but admits nobody until nursing frees;
nursing freed by a discharge or a better-staffed shift goes at once to the patients
waiting in the pool's units, the one who has waited longest first.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import simpy

from ..scenario.nursing import NURSE_PARTS, Nursing
from .ledger import Ledger, Tally, TimeWeighted
from .streams import Sampler, Streams

if TYPE_CHECKING:
    from .networks import Unit


@dataclass(slots=True)
class NursingTally(Tally):
    """One critical care unit's nurses and the patients who found a bed but no nurse."""

    shifts: int = 0
    """Shifts started."""
    shifts_short: int = 0
    """Shifts with fewer nurses present than rostered (sickness)."""
    nurse_days_rostered: float = 0.0
    """Nurses rostered, integrated over time (nurse-days)."""
    nurse_days_present: float = 0.0
    """Nurses at work (rostered and not off sick), integrated over time."""
    nurse_days_needed: float = 0.0
    """Nursing the unit's patients take at their level of care, integrated over time."""
    staffed_bed_days: float = 0.0
    """Staffed beds (beds, or the patients at the unit's level mix the nurses at work can
    take, if fewer) integrated over time."""
    no_nurse: int = 0
    """Unplanned patients whose own unit had a free bed but no nurse for them."""
    refusals_no_nurse: int = 0
    """Of those, refused (lost to the network)."""
    transfers_no_nurse: int = 0
    """Of those, transferred to another unit."""
    cancellations_no_nurse: int = 0
    """Planned patients (after surgery or booked into the unit) cancelled: a bed was free
    but no nurse."""


class NursePool:
    """Nursing on shift, in twelfths of a nurse, of the units that share their nurses."""

    __slots__ = ("capacity", "used", "units")

    def __init__(self) -> None:
        self.capacity = 0
        """Twelfths of a nurse at work now, summed over the pool's units."""
        self.used = 0
        """Twelfths of a nurse the pool's patients take now."""
        self.units: list[Unit] = []


class Level:
    """A patient's level of care (3 or 2), drawn with the given share at level 3."""

    __slots__ = ("_u", "share")

    def __init__(self, share: float, u: Sampler | None):
        self.share = share
        self._u = u

    def __call__(self) -> int:
        share = self.share
        if share >= 1.0:
            return 3
        if share <= 0.0:
            return 2
        return 3 if self._u() < share else 2  # type: ignore[misc]


def level(streams: Streams, name: str, share: float | None, default: Level | None = None) -> Level:
    """Levels of care drawn from stream ``name`` with ``share`` at level 3 (no draws when all
    are at one level); ``default`` when no share is given."""
    if share is None:
        assert default is not None  # every unit states a share when units have nurses
        return default
    return Level(share, streams.uniforms(name) if 0.0 < share < 1.0 else None)


class Present:
    """Nurses at work on a shift with ``rostered`` nurses, each off sick independently with
    probability ``absence``: a binomial draw (a distribution for :meth:`Streams.sampler`)."""

    __slots__ = ("rostered", "absence")

    def __init__(self, rostered: int, absence: float):
        self.rostered = rostered
        self.absence = absence

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.binomial(self.rostered, 1.0 - self.absence, n)


class UnitNurses:
    """One unit's roster: who is at work this shift, and the nursing its patients take."""

    __slots__ = (
        "beds", "tally", "pool", "_present", "_rostered", "present", "rostered", "needed",
        "staffed", "_per_nurse",
    )  # fmt: skip

    def __init__(
        self,
        env: simpy.Environment,
        spec: Nursing,
        beds: float,
        level_3_share: float,
        tally: NursingTally,
        pool: NursePool,
        present: list[Sampler | None],
    ):
        self.beds = beds
        self.tally = tally
        self.pool = pool
        self._present = present
        """Nurses at work, drawn for each shift of the day (None: all rostered are)."""
        self._rostered = [spec.establishment(i) for i in range(spec.shifts_per_day)]
        mean_need = level_3_share * spec.need(3) + (1 - level_3_share) * spec.need(2)
        self._per_nurse = NURSE_PARTS / mean_need
        """Patients a nurse takes on average at the unit's level mix."""
        now = env.now
        self.present = TimeWeighted(now)
        self.rostered = TimeWeighted(now)
        self.needed = TimeWeighted(now)
        """Twelfths of a nurse taken by the unit's patients."""
        self.staffed = TimeWeighted(now)

    def shift(self, shift: int, now: float) -> int:
        """Shift ``shift`` of the day starts now: who is at work. Returns the change in
        nurses at work."""
        n = self._rostered[shift]
        draw = self._present[shift]
        present = n if draw is None else int(draw())
        tally = self.tally
        tally.shifts += 1
        if present < n:
            tally.shifts_short += 1
        self.rostered.add(now, n - self.rostered.level)
        change = present - self.present.level
        self.present.add(now, change)
        staffed = min(self.beds, math.floor(present * self._per_nurse + 1e-9))
        self.staffed.add(now, staffed - self.staffed.level)
        self.pool.capacity += change * NURSE_PARTS
        return change

    def settle(self, now: float) -> None:
        t = self.tally
        t.nurse_days_rostered = self.rostered.settle(now)
        t.nurse_days_present = self.present.settle(now)
        t.nurse_days_needed = self.needed.settle(now) / NURSE_PARTS
        t.staffed_bed_days = self.staffed.settle(now)


class ShiftClock:
    """The shift changes of the units whose shifts start at the same times: one event per
    shift for all of them."""

    __slots__ = ("env", "rosters", "_per_day", "_first", "_length", "_k", "_on_more")

    def __init__(
        self,
        env: simpy.Environment,
        per_day: int,
        first: float,
        on_more: Callable[[NursePool], None],
    ):
        self.env = env
        self.rosters: list[UnitNurses] = []
        self._per_day = per_day
        self._first = first
        self._length = 1.0 / per_day
        self._on_more = on_more
        # The shift under way now: shift boundaries are first + k x length.
        self._k = math.floor((env.now - first) / self._length + 1e-9)

    def start(self) -> None:
        """Staff the shift under way now and schedule the next ones."""
        self._tick(None)

    def _tick(self, _event: simpy.Event | None) -> None:
        now = self.env.now
        shift = self._k % self._per_day
        more: list[NursePool] = []
        for roster in self.rosters:
            if roster.shift(shift, now) > 0 and roster.pool not in more:
                more.append(roster.pool)
        self._k += 1
        nxt = self._first + self._k * self._length
        self.env.timeout(max(nxt - now, 0.0)).callbacks.append(self._tick)
        for pool in more:
            self._on_more(pool)


def _present_draws(streams: Streams, name: str, spec: Nursing) -> list[Sampler | None]:
    """Nurses at work on each shift of the day, each shift from its own stream (None: no
    sickness, or nobody rostered)."""
    p = spec.sickness_absence
    out: list[Sampler | None] = []
    for shift in range(spec.shifts_per_day):
        n = spec.establishment(shift)
        out.append(streams.sampler(f"{name}/{shift}", Present(n, p)) if p > 0 and n else None)
    return out


def staff_units(
    env: simpy.Environment,
    units: dict[str, Unit],
    specs: dict[str, tuple[Nursing, float]],
    pool_of: Callable[[str], str],
    streams: Streams,
    ledger: Ledger,
    prefix: str,
    on_more: Callable[[NursePool], None],
) -> list[ShiftClock]:
    """Give each unit with nurses its roster, and the units sharing nurses one pool
    (``pool_of(site)`` names a unit's pool); ``specs`` gives each unit's nursing and the
    share of its patients at level 3. Returns the shift clocks, not yet started."""
    sites = list(specs)
    tallies = dict(zip(sites, ledger.tallies(NursingTally, keys=sites), strict=True))
    pools: dict[str, NursePool] = {}
    clocks: dict[tuple[int, float], ShiftClock] = {}
    rosters = []
    for sid, (spec, share) in specs.items():
        unit = units[sid]
        pool = pools.setdefault(pool_of(sid), NursePool())
        pool.units.append(unit)
        draws = _present_draws(streams, f"{prefix}/{sid}/nurses/present", spec)
        roster = UnitNurses(env, spec, unit.capacity, share, tallies[sid], pool, draws)
        key = (spec.shifts_per_day, spec.first_shift_starts)
        if key not in clocks:
            clocks[key] = ShiftClock(env, *key, on_more)
        clocks[key].rosters.append(roster)
        unit.nurses = pool
        unit.roster = roster
        unit.need = (0, 0, spec.need(2), spec.need(3))
        rosters.append(roster)
    ledger.on_settle(lambda now: [r.settle(now) for r in rosters])
    return list(clocks.values())
