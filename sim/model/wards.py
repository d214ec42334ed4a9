"""Ward beds: general beds shared with emergencies, and ring-fenced elective beds.

Emergencies come first for a general bed: one that waits in the emergency department
takes the next general bed that frees, and an elective patient arriving on the day of
surgery gets a general bed only if one is free right then. Ring-fenced elective beds
are never given to emergencies, which is what protects a hub's operating lists from
winter pressure. After each discharge a bed is out of use for its turnaround (cleaning)
time before anyone else can have it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import simpy

from ..scenario.wards import Beds
from .ledger import ConservationError, Ledger, Tally, TimeWeighted

#: Snapshot measures of this feature.
GENERAL_OCCUPIED = "general_beds_occupied"
ELECTIVE_OCCUPIED = "elective_beds_occupied"
EMERGENCY_QUEUE = "emergency_queue"


@dataclass(slots=True)
class BedTally(Tally):
    """Bed use of one pool at one site (or unit): occupied and available bed-days, and
    the time spent at each number of occupied beds."""

    bed_days: float = 0.0
    capacity_days: float = 0.0
    time_at: list[float] = field(default_factory=list)


@dataclass(slots=True)
class WardTally(Tally):
    """The ward beds of one site."""

    general: BedTally = field(default_factory=BedTally)
    elective: BedTally = field(default_factory=BedTally)


class BedPool:
    """A number of identical beds, with their occupancy over time.

    A bed counts as occupied from admission until it is ready again after turnaround.
    """

    __slots__ = ("name", "capacity", "_env", "occupancy")

    def __init__(self, name: str, capacity: int, env: simpy.Environment):
        if capacity < 0:
            raise ValueError(f"{name}: capacity must be >= 0, got {capacity}")
        self.name = name
        self.capacity = capacity
        self._env = env
        self.occupancy = TimeWeighted(env.now, capacity + 1)
        """Beds occupied over time, with the time spent at each number 0..capacity."""

    @property
    def busy(self) -> int:
        return self.occupancy.level

    @property
    def free(self) -> int:
        return self.capacity - self.occupancy.level

    def occupy(self) -> None:
        self.occupancy.add(self._env.now, 1)

    def vacate(self) -> None:
        self.occupancy.add(self._env.now, -1)

    def settle(self, tally: BedTally) -> None:
        """Copy the occupancy so far into ``tally``."""
        now = self._env.now
        tally.bed_days = self.occupancy.settle(now)
        tally.capacity_days = self.capacity * now
        tally.time_at = list(self.occupancy.histogram)


EmergencyCallback = Callable[[BedPool], None]


class WardBeds:
    """The ward beds of one site and who may use which."""

    def __init__(
        self,
        env: simpy.Environment,
        site: str,
        beds: Beds,
        ring_fenced: bool,
        electives_use_general: bool,
        ledger: Ledger,
    ):
        self.env = env
        self.site = site
        self.general = BedPool(f"{site}/general", beds.general, env)
        self.elective = BedPool(f"{site}/elective", beds.elective, env)
        self.turnaround = beds.turnaround
        self.ring_fenced = ring_fenced
        self.electives_use_general = electives_use_general
        self.emergency_queue: deque[EmergencyCallback] = deque()
        """Emergency patients waiting for a bed, first come first served."""
        self.tally = ledger.tallies(WardTally)[ledger.index[site]]
        ledger.on_settle(self._settle)

    def _settle(self, _now: float) -> None:
        self.general.settle(self.tally.general)
        self.elective.settle(self.tally.elective)

    def snapshot(self, ledger: Ledger, t: float) -> None:
        ledger.sample(t, self.site, GENERAL_OCCUPIED, self.general.busy)
        ledger.sample(t, self.site, ELECTIVE_OCCUPIED, self.elective.busy)
        ledger.sample(t, self.site, EMERGENCY_QUEUE, len(self.emergency_queue))

    # -- admissions ----------------------------------------------------------------
    def admit_elective(self) -> BedPool | None:
        """A bed for an elective patient now, or None (the operation is cancelled)."""
        if self.elective.busy < self.elective.capacity:
            self.elective.occupy()
            return self.elective
        if self.electives_use_general and self.general.busy < self.general.capacity:
            self.general.occupy()
            return self.general
        return None

    def admit_emergency(self) -> BedPool | None:
        """A bed for an emergency patient now, or None."""
        if self.general.busy < self.general.capacity:
            self.general.occupy()
            return self.general
        if not self.ring_fenced and self.elective.busy < self.elective.capacity:
            self.elective.occupy()
            return self.elective
        return None

    def wait_for_bed(self, on_bed: EmergencyCallback) -> None:
        """Queue an emergency patient; ``on_bed(pool)`` is called when a bed is theirs."""
        self.emergency_queue.append(on_bed)

    # -- discharges ----------------------------------------------------------------
    def discharge(self, pool: BedPool) -> None:
        """A patient leaves; the bed is ready again after turnaround."""
        if self.turnaround > 0:
            self.env.timeout(self.turnaround).callbacks.append(lambda _e: self._ready(pool))
        else:
            self._ready(pool)

    def release_unused(self, pool: BedPool) -> None:
        """Give back a bed that was held but not used (the operation was cancelled)."""
        self._ready(pool)

    def _ready(self, pool: BedPool) -> None:
        if self.emergency_queue and (pool is self.general or not self.ring_fenced):
            self.emergency_queue.popleft()(pool)  # bed passes straight to the next in line
        else:
            pool.vacate()

    def check(self) -> None:
        """No pool over or under full."""
        for pool in (self.general, self.elective):
            if not 0 <= pool.busy <= pool.capacity:
                raise ConservationError(f"{pool.name}: {pool.busy} beds in use of {pool.capacity}")
