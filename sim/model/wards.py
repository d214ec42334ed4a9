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

Under ``policies.wait_for_bed`` an elective inpatient who finds no bed waits in the
admissions lounge until a cut-off and takes the first suitable bed freed (a ring-fenced
bed, or a general one if electives may use them), in the policy's order among waiting
electives; who gets a bed both an emergency and an elective patient wait for is the
policy's ``freed_beds`` rule. A site's ``discharge_profile`` sets the hour patients
leave (the length of stay sets the day).
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate

import simpy

from ..scenario.wards import Beds, WaitForBed
from .calendar import Calendar
from .later import Due
from .ledger import ConservationError, Ledger, Tally, TimeWeighted
from .streams import Streams

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
    midnight_occupied: int = 0
    """Beds occupied by a patient at each midnight, summed over midnights (KH03)."""
    midnight_available: int = 0
    """Beds available at each midnight, summed over midnights."""
    electives_waited_for_bed: int = 0
    """Elective inpatients who found no bed on the day and waited for one (lounge)."""
    electives_bed_after_wait: int = 0
    """... of whom got a bed before their cut-off."""
    elective_bed_wait_days: float = 0.0
    """Their total wait, until a bed or the cut-off."""


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


class BedWait(Due):
    """An elective patient waiting in the admissions lounge for a bed; due at their
    cut-off (see :mod:`.later`: the wait is its own event, no Timeout or closure)."""

    __slots__ = ("since", "on_bed", "on_cutoff", "beds")

    def __init__(
        self,
        since: float,
        on_bed: Callable[[BedPool], None],
        on_cutoff: Callable[[], None],
        beds: WardBeds,
    ):
        self.since = since
        self.on_bed: Callable[[BedPool], None] | None = on_bed
        """Called with the bed when one is theirs (None once the wait is over)."""
        self.on_cutoff: Callable[[], None] | None = on_cutoff
        """Called at the cut-off if they are still waiting."""
        self.beds = beds

    @property
    def live(self) -> bool:
        return self.on_bed is not None

    def cutoff(self, _event: object = None) -> None:
        self.beds._cutoff_reached(self)


_CUTOFF = (BedWait.cutoff,)


class DischargeHours:
    """The time of day patients leave, drawn from an hourly profile (24 weights)."""

    __slots__ = ("_cum", "_weight", "_u")

    def __init__(self, profile: list[float], u: Callable[[], float]):
        total = sum(profile)
        self._weight = [w / total for w in profile]
        self._cum = [0.0, *accumulate(self._weight)]
        self._cum[-1] = 1.0
        self._u = u

    def _cdf(self, x: float) -> float:
        h = min(int(x * 24), 23)
        return self._cum[h] + (x * 24 - h) * self._weight[h]

    def stay(self, now: float, los: float) -> float:
        """Time from ``now`` to the discharge of a stay of ``los``: on the day the stay
        ends, at an hour drawn from the profile, never before ``now``."""
        day = math.floor(now + los)
        low = self._cdf(now - day) if day <= now else 0.0
        if low >= 1.0 - 1e-12:  # nobody leaves later on this day: the next day
            day, low = day + 1, 0.0
        target = low + self._u() * (1.0 - low)
        h = min(bisect_right(self._cum, target) - 1, 23)
        x = (h + (target - self._cum[h]) / self._weight[h]) / 24 if self._weight[h] else h / 24
        return max(day + x - now, 0.0)


class BedReady(Due):
    """A bed whose patient leaves at ``leave``, due when it is ready again after its
    turnaround (see :meth:`WardBeds.leave_after`)."""

    __slots__ = ("beds", "pool", "leave", "discharged")

    def __init__(
        self,
        beds: WardBeds,
        pool: BedPool,
        leave: float,
        discharged: Callable[[float], None] | None,
    ):
        self.beds = beds
        self.pool = pool
        self.leave = leave
        self.discharged = discharged

    def ready(self, _event: object = None) -> None:
        beds = self.beds
        if beds.turnaround > 0:
            beds._turned_round += 1
        if self.discharged is not None:
            self.discharged(self.leave)
        beds._ready(self.pool)


_READY = (BedReady.ready,)


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
        wait_for_bed: WaitForBed | None = None,
        streams: Streams | None = None,
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
        self.emergency_queue: deque[tuple[float, EmergencyCallback]] = deque()
        """Emergency patients waiting for a bed (since when, and who), first come first served."""
        self.cleaning = 0
        """Beds empty but not yet ready again after a :meth:`discharge` (turnaround)."""
        self._leaving: list[float] = []
        """Times of the discharges :meth:`leave_after` has scheduled and no midnight has
        passed yet (a heap): with ``_left`` and ``_turned_round`` they tell how many of its
        beds are being cleaned at a midnight."""
        self._left = 0
        self._turned_round = 0
        self.tally = ledger.tallies(WardTally)[ledger.index[site]]
        ledger.on_settle(self._settle)
        self.hours: DischargeHours | None = None
        """When in the day patients leave (None: when their stay ends)."""
        if beds.discharge_profile is not None:
            u = streams.uniforms(f"beds/{site}/discharge_hour")
            self.hours = DischargeHours(beds.discharge_profile, u)
        self.lounge: list[tuple] = []
        """Elective patients waiting for a bed: a heap of (order key..., since, seq, wait)."""
        self.lounge_waiting = 0
        self._seq = 0
        if wait_for_bed is not None:
            self._ready = self._ready_with_lounge  # type: ignore[method-assign]
            self._electives_win = {
                "emergencies_first": lambda _since, _wait: False,
                "electives_first": lambda _since, _wait: True,
                "first_come_first_served": lambda since, wait: wait.since < since,
            }[wait_for_bed.freed_beds]
            if wait_for_bed.until is not None:
                until = wait_for_bed.until
                self._cutoff = lambda _now, day: day + until
            else:
                draw = streams.sampler(f"wait_for_bed/{site}/max_wait", wait_for_bed.max_wait)
                self._cutoff = lambda now, _day: now + draw()

    def _settle(self, _now: float) -> None:
        self.general.settle(self.tally.general)
        self.elective.settle(self.tally.elective)

    def midnight(self) -> None:
        """Count the beds a patient occupies at midnight, as the KH03 return does (beds
        being cleaned are empty)."""
        leaving = self._leaving
        if leaving:
            now = self.env.now
            while leaving and leaving[0] <= now:
                heapq.heappop(leaving)
                self._left += 1
        cleaning = self.cleaning + self._left - self._turned_round
        tally = self.tally
        tally.midnight_occupied += self.general.busy + self.elective.busy - cleaning
        tally.midnight_available += self.general.capacity + self.elective.capacity

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
        self.emergency_queue.append((self.env.now, on_bed))

    def stay(self, los: float) -> float:
        """Time until a patient admitted now with a stay of ``los`` leaves (the discharge
        profile sets the hour, if the site has one)."""
        return los if self.hours is None else self.hours.stay(self.env.now, los)

    # -- the admissions lounge (policies.wait_for_bed) ---------------------------------
    def wait_elective(
        self,
        key: tuple,
        day: int,
        on_bed: Callable[[BedPool], None],
        on_cutoff: Callable[[], None],
    ) -> BedWait | None:
        """An elective patient with no bed on the day of surgery ``day`` waits for one;
        ``key`` orders them among waiting electives. None if the cut-off has passed."""
        now = self.env.now
        deadline = self._cutoff(now, day)
        if deadline <= now:
            return None
        wait = BedWait(now, on_bed, on_cutoff, self)
        self._seq += 1
        heapq.heappush(self.lounge, (*key, now, self._seq, wait))
        self.lounge_waiting += 1
        self.tally.electives_waited_for_bed += 1
        wait.due(self.env, deadline - now, _CUTOFF)
        return wait

    def _end_wait(self, wait: BedWait, bedded: bool) -> None:
        wait.on_bed = wait.on_cutoff = None
        self.lounge_waiting -= 1
        tally = self.tally
        tally.elective_bed_wait_days += self.env.now - wait.since
        tally.electives_bed_after_wait += bedded

    def _cutoff_reached(self, wait: BedWait) -> None:
        on_cutoff = wait.on_cutoff
        if on_cutoff is not None:
            self._end_wait(wait, False)
            on_cutoff()

    def withdraw(self, wait: BedWait) -> None:
        """A waiting patient stops waiting (their list has ended)."""
        if wait.live:
            self._end_wait(wait, False)

    def _lounge_head(self) -> BedWait | None:
        lounge = self.lounge
        while lounge and not lounge[0][-1].live:
            heapq.heappop(lounge)
        return lounge[0][-1] if lounge else None

    # -- discharges ----------------------------------------------------------------
    def leave_after(
        self, stay: float, pool: BedPool, discharged: Callable[[float], None] | None = None
    ) -> None:
        """A patient in a bed of ``pool`` leaves in ``stay`` days and the bed is ready again
        after its turnaround; ``discharged(time of leaving)`` is called when it is.

        One event, at the end of the turnaround: nothing happens at the discharge itself but
        the bed going to cleaning, which only the midnight count sees (it reads the
        discharges passed from ``_leaving``)."""
        env = self.env
        turnaround = self.turnaround
        leave = env.now + stay
        if turnaround > 0:
            heapq.heappush(self._leaving, leave)
            BedReady(self, pool, leave, discharged).due(env, leave + turnaround - env.now, _READY)
        else:
            BedReady(self, pool, leave, discharged).due(env, stay, _READY)

    def discharge(self, pool: BedPool) -> None:
        """A patient leaves; the bed is ready again after turnaround."""
        if self.turnaround > 0:
            self.cleaning += 1
            self.env.timeout(self.turnaround).callbacks.append(lambda _e: self._cleaned(pool))
        else:
            self._ready(pool)

    def _cleaned(self, pool: BedPool) -> None:
        self.cleaning -= 1
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
            self.emergency_queue.popleft()[1](pool)  # bed passes straight to the next in line
        else:
            pool.vacate()  # free, or closed if the pool has more beds in use than it now has

    def _ready_with_lounge(self, pool: BedPool) -> None:
        """A bed is ready: to a waiting emergency or a waiting elective patient (as the
        ``freed_beds`` rule says when both could use it), else it stays free (or closes,
        if the pool has more beds in use than it now has)."""
        if pool.over:
            pool.vacate()
            return
        queue = self.emergency_queue
        emergency = queue[0] if queue and (pool is self.general or not self.ring_fenced) else None
        elective = (
            self._lounge_head()
            if self.lounge_waiting and (pool is self.elective or self.electives_use_general)
            else None
        )
        if elective is not None and (
            emergency is None or self._electives_win(emergency[0], elective)
        ):
            on_bed = elective.on_bed
            self._end_wait(elective, True)
            on_bed(pool)
        elif emergency is not None:
            queue.popleft()[1](pool)
        else:
            pool.vacate()  # free, or closed if the pool has more beds in use than it now has

    # -- changes of bed count ------------------------------------------------------------
    def resize(self, general: int | None, elective: int | None) -> None:
        """New bed counts from now (None: unchanged); patients waiting take new beds."""
        if general is not None:
            self.general.resize(general)
        if elective is not None:
            self.elective.resize(elective)
        if self.lounge_waiting:
            self._new_beds_with_lounge()
        while self.emergency_queue:
            pool = self.admit_emergency()
            if pool is None:
                break
            self.emergency_queue.popleft()[1](pool)

    def _new_beds_with_lounge(self) -> None:
        """New beds go to waiting patients as freed ones do (the ``freed_beds`` rule)."""
        while True:
            pool = next(
                (
                    p
                    for p in (self.general, self.elective)
                    if p.busy < p.capacity and self._someone_waits_for(p)
                ),
                None,
            )
            if pool is None:
                return
            pool.occupy()
            self._ready(pool)

    def _someone_waits_for(self, pool: BedPool) -> bool:
        emergency = bool(self.emergency_queue) and (pool is self.general or not self.ring_fenced)
        elective = self._lounge_head() is not None and (
            pool is self.elective or self.electives_use_general
        )
        return emergency or elective

    def check(self) -> None:
        """No pool over or under full; nobody waiting in the lounge is lost."""
        for pool in (self.general, self.elective):
            pool.check()
        live = sum(1 for entry in self.lounge if entry[-1].live)
        if live != self.lounge_waiting:
            raise ConservationError(
                f"{self.site}: {self.lounge_waiting} electives waiting for a bed, {live} found"
            )
