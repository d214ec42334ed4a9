"""Ward beds: general beds shared with emergencies, and ring-fenced elective beds.

Emergencies come first for a general bed: one that waits in the emergency department
takes the next general bed that frees, and an elective patient arriving on the day of
surgery gets a general bed only if one is free right then. Ring-fenced elective beds
are never given to emergencies, which is what protects a hub's operating lists from
winter pressure. After each discharge a bed is out of use for its turnaround (cleaning)
time before anyone else can have it.

A site's bed counts may change on dates (a ward opening or closing). When a pool's count
falls below the beds in use, nobody is moved: the patients keep their beds, each bed that
frees closes instead of passing to the next patient, and the pool admits again once it is
below its new count. When the count rises, emergencies waiting for a bed take the new ones.
Capacity is integrated over time, so occupancy KPIs use the beds there were each day.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import simpy

from ..scenario.wards import Beds
from .calendar import Calendar
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

    __slots__ = ("name", "capacity", "_env", "occupancy", "_capacity_days", "_since", "_cut")

    def __init__(self, name: str, capacity: int, env: simpy.Environment, most: int = 0):
        if capacity < 0:
            raise ValueError(f"{name}: capacity must be >= 0, got {capacity}")
        self.name = name
        self.capacity = capacity
        self._env = env
        self.occupancy = TimeWeighted(env.now, max(capacity, most) + 1)
        """Beds occupied over time, with the time spent at each number 0..``most`` (the
        largest capacity the pool ever has)."""
        self._capacity_days = 0.0
        self._since = 0.0
        self._cut = 0
        """Beds in use when the capacity last fell below them (allowed until they free)."""

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

    def resize(self, capacity: int) -> None:
        """The pool has ``capacity`` beds from now; beds in use above it stay in use."""
        now = self._env.now
        self._capacity_days += self.capacity * (now - self._since)
        self._since = now
        self.capacity = capacity
        self._cut = self.busy if self.busy > capacity else 0

    @property
    def over(self) -> bool:
        """More beds in use than the pool now has (after its count fell)."""
        return self.occupancy.level > self.capacity

    def settle(self, tally: BedTally) -> None:
        """Copy the occupancy so far into ``tally``."""
        now = self._env.now
        tally.bed_days = self.occupancy.settle(now)
        tally.capacity_days = self._capacity_days + self.capacity * (now - self._since)
        tally.time_at = list(self.occupancy.histogram)

    def check(self) -> None:
        """Not over full (except with beds in use from before a cut) nor under empty."""
        if not 0 <= self.busy <= max(self.capacity, self._cut):
            raise ConservationError(f"{self.name}: {self.busy} beds in use of {self.capacity}")


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
        calendar: Calendar | None = None,
    ):
        self.env = env
        self.site = site
        (general, elective), changes = (beds.general, beds.elective), []
        if calendar is not None:
            (general, elective), changes = calendar.bed_counts(beds)
        most_general, most_elective = beds.most
        self.general = BedPool(f"{site}/general", general, env, most_general)
        self.elective = BedPool(f"{site}/elective", elective, env, most_elective)
        for day, g, e in changes:
            env.timeout(day - env.now).callbacks.append(lambda _e, g=g, e=e: self.resize(g, e))
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
        if (
            self.emergency_queue
            and (pool is self.general or not self.ring_fenced)
            and not pool.over
        ):
            self.emergency_queue.popleft()(pool)  # bed passes straight to the next in line
        else:
            pool.vacate()  # free, or closed if the pool has more beds in use than it now has

    # -- changes of bed count ------------------------------------------------------------
    def resize(self, general: int | None, elective: int | None) -> None:
        """New bed counts from now (None: unchanged); emergencies waiting take new beds."""
        if general is not None:
            self.general.resize(general)
        if elective is not None:
            self.elective.resize(elective)
        while self.emergency_queue:
            pool = self.admit_emergency()
            if pool is None:
                break
            self.emergency_queue.popleft()(pool)

    def check(self) -> None:
        """No pool over or under full."""
        for pool in (self.general, self.elective):
            pool.check()
