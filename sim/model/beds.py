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

import simpy


class BedPool:
    """A number of identical beds, with their occupancy over time.

    A bed counts as occupied from admission until it is ready again after turnaround.
    """

    __slots__ = ("name", "capacity", "busy", "_env", "_area", "_last", "time_at")

    def __init__(self, name: str, capacity: int, env: simpy.Environment):
        if capacity < 0:
            raise ValueError(f"{name}: capacity must be >= 0, got {capacity}")
        self.name = name
        self.capacity = capacity
        self.busy = 0
        self._env = env
        self._area = 0.0
        self._last = env.now
        self.time_at = [0.0] * (capacity + 1)
        """Total time spent with exactly k beds occupied, for k = 0..capacity."""

    @property
    def free(self) -> int:
        return self.capacity - self.busy

    def _touch(self) -> None:
        now = self._env.now
        dt = now - self._last
        if dt:
            self._area += self.busy * dt
            self.time_at[self.busy] += dt
            self._last = now

    def occupy(self) -> None:
        self._touch()
        self.busy += 1

    def vacate(self) -> None:
        self._touch()
        self.busy -= 1

    def stats(self) -> tuple[float, list[float]]:
        """(occupied bed-days so far, time at each occupancy) up to now."""
        self._touch()
        return self._area, list(self.time_at)


EmergencyCallback = Callable[[BedPool], None]


class WardBeds:
    """The ward beds of one site and who may use which."""

    def __init__(
        self,
        env: simpy.Environment,
        site: str,
        general: int,
        elective: int,
        turnaround: float,
        ring_fenced: bool,
        electives_use_general: bool,
    ):
        self.env = env
        self.site = site
        self.general = BedPool(f"{site}/general", general, env)
        self.elective = BedPool(f"{site}/elective", elective, env)
        self.turnaround = turnaround
        self.ring_fenced = ring_fenced
        self.electives_use_general = electives_use_general
        self.emergency_queue: deque[EmergencyCallback] = deque()
        """Emergency patients waiting for a bed, first come first served."""

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
