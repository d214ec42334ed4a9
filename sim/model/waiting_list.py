"""The waiting list: patients waiting for one specialty at one site, in booking order.

A booking order sorts patients by a key ``(*group, time)``, ties broken by patient id.
The *group* is a handful of values (clinical priority, whether the patient is being
rebooked after a cancellation, an equity boost); within a group patients are booked by
*time*: their referral time, less any waiting-time credit. The list keeps each group
apart and, inside a group, one *lane* per value of whatever shifts the time (one lane
per deprivation quintile for ``deprivation_weighted``, a single lane otherwise).

New referrals join a lane in time order, so a lane keeps them in deques appended at the
tail and taken from the head: O(1) however long the list is. Patients who come back out of
order (cancelled on the day, moved under mutual aid, re-scored, an unsorted initial
backlog) go into a small heap beside the deque. Taking the next patient looks at the
groups in order and takes the smallest head among the first non-empty group's lanes.
The result is exactly the order of one heap keyed by ``(*group, time, pid)``.

Patients who leave the list (removed, moved elsewhere, re-keyed) are marked and skipped
when they reach a head ("lazy deletion"); the lanes are compacted when such stale
entries outnumber the live ones.
"""

from __future__ import annotations

import heapq
from bisect import insort
from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from .booking import BookingOrder, OrderKey
from .ledger import TimeWeighted
from .patient import WAITING, Patient

if TYPE_CHECKING:
    from ..scenario.elective import Booking

MERGE_MIN = 32
"""A lane's out-of-order heap is sorted into its deque once it holds this many entries
and at least as many as the deque (see :meth:`_Lane.push`)."""


priority_then_wait = BookingOrder(
    "priority_then_wait", lambda p: ((p.priority, not p.rare.rebook_first), 0, p.referral_time)
)
"""Clinical priority first, then the longest wait (the NHS default)."""

longest_wait = BookingOrder(
    "longest_wait", lambda p: ((0, not p.rare.rebook_first), 0, p.referral_time)
)
"""Longest wait first, whatever the priority."""


def booking_order(booking: Booking) -> BookingOrder:
    """The booking order of a scenario's booking rule (``policies.booking``), resolved once."""
    from .equity import deprivation_weighted, quintile1_long_waiters_first

    orders: dict[str, Callable[[Booking], BookingOrder]] = {
        "priority_then_wait": lambda _b: priority_then_wait,
        "longest_wait": lambda _b: longest_wait,
        "deprivation_weighted": deprivation_weighted,
        "quintile1_long_waiters_first": quintile1_long_waiters_first,
    }
    if booking.order not in orders:
        raise ValueError(f"unknown booking order {booking.order!r}")
    return orders[booking.order](booking)


# An entry is (time, pid, version, patient): entries compare by time, then pid (the version
# only tells a patient's current entry from stale ones). An entry does not name its lane,
# so lanes hold no reference cycles and a cleared list frees its patients at once.
Entry = tuple


class _Lane:
    """Entries of one lane in (time, pid) order: those that arrive in order as three
    parallel deques (times, patients, versions), late arrivals as a heap of entries.

    The deques hold 24 bytes an entry, where a deque of entry tuples would hold 80 (the
    tuple and its slot): on a list of millions they are most of what a waiting patient
    costs beyond the patient. The time is usually the patient's own referral time object.
    """

    __slots__ = ("times", "patients", "versions", "late")

    def __init__(self) -> None:
        self.times: deque[float] = deque()
        self.patients: deque[Patient] = deque()
        self.versions: deque[int] = deque()
        self.late: list[Entry] = []

    def __len__(self) -> int:
        return len(self.times) + len(self.late)

    def push(self, entry: Entry) -> None:
        """Add an entry: at either end of the deques if it sorts there, else to the heap.

        A heap that has grown as long as the deques (an unsorted backlog) is sorted into
        them in one go, so later takes are O(1) again; sorting costs no more per entry
        than the heap pushes and pops it replaces, and it runs in C.
        """
        time, pid, version, patient = entry
        times = self.times
        if times:
            last = times[-1]
            if time > last or (
                time == last and (pid, version) >= (self.patients[-1].pid, self.versions[-1])
            ):
                pass  # at the tail, as new referrals are
            else:
                first = times[0]
                if time < first or (
                    time == first and (pid, version) <= (self.patients[0].pid, self.versions[0])
                ):
                    times.appendleft(time)
                    self.patients.appendleft(patient)
                    self.versions.appendleft(version)
                    return
                late = self.late
                heapq.heappush(late, entry)
                if len(late) >= MERGE_MIN and len(late) >= len(times):
                    self.settle()
                return
        times.append(time)
        self.patients.append(patient)
        self.versions.append(version)

    def _refill(self, entries: list[Entry]) -> None:
        """The deques from ``entries``, sorted."""
        self.times = deque(e[0] for e in entries)
        self.patients = deque(e[3] for e in entries)
        self.versions = deque(e[2] for e in entries)

    def _drop_first(self) -> None:
        self.times.popleft()
        self.patients.popleft()
        self.versions.popleft()

    def head(self, owner: WaitingList) -> Entry | None:
        """The smallest live entry (stale ones in front of it are dropped), or None."""
        patients, versions, late = self.patients, self.versions, self.late
        while patients and not _current(patients[0], versions[0], owner):
            self._drop_first()
        while late and not _live(late[0], owner):
            heapq.heappop(late)
        if patients:
            p = patients[0]
            first = (self.times[0], p.pid, versions[0], p)
            return late[0] if late and late[0] < first else first
        return late[0] if late else None

    def pop_head(self, entry: Entry) -> None:
        """Remove ``entry``, just returned by :meth:`head`."""
        late = self.late
        if late and late[0] is entry:
            heapq.heappop(late)
        else:
            self._drop_first()

    def entries_in_order(self) -> Iterator[Entry]:
        """The deques' entries, in order."""
        lanes = zip(self.times, self.patients, self.versions, strict=True)
        return ((t, p.pid, v, p) for t, p, v in lanes)

    def entries(self) -> Iterator[Entry]:
        yield from self.entries_in_order()
        yield from self.late

    def settle(self) -> None:
        """Sort the heap into the deques (after an unsorted backlog)."""
        if self.late:
            late = self.late
            late.extend(self.entries_in_order())
            late.sort()
            self._refill(late)
            self.late = []

    def compact(self, owner: WaitingList) -> None:
        """Drop stale entries (the deques stay sorted; the heap is rebuilt)."""
        self._refill([e for e in self.entries_in_order() if _live(e, owner)])
        self.late = [e for e in self.late if _live(e, owner)]
        heapq.heapify(self.late)

    def clear(self) -> None:
        self.times.clear()
        self.patients.clear()
        self.versions.clear()
        self.late.clear()


def _current(p: Patient, version: int, owner: WaitingList) -> bool:
    """Whether ``version`` is the patient's current place on ``owner`` (not stale)."""
    return p.state == WAITING and p.waiting_list is owner and p.version == version


def _live(entry: Entry, owner: WaitingList) -> bool:
    """Whether ``entry`` is its patient's current place on ``owner`` (not stale)."""
    return _current(entry[3], entry[2], owner)


class _Group:
    """The lanes of one group of the booking order (e.g. priority P2, not a rebooking)."""

    __slots__ = ("key", "lanes")

    def __init__(self, key: tuple):
        self.key = key
        self.lanes: list[_Lane] = []

    def __lt__(self, other: _Group) -> bool:
        return self.key < other.key


class WaitingList:
    """Patients waiting at ``site`` for ``specialty``, taken in booking order."""

    __slots__ = (
        "site",
        "specialty",
        "order",
        "_split",
        "_groups",
        "_lanes",
        "_clock",
        "_length",
    )

    def __init__(self, site: str, specialty: str, order: OrderKey, clock: Callable[[], float]):
        self.site = site
        self.specialty = specialty
        self.order = BookingOrder.of(order)
        """The booking order: ``order(p)`` is a patient's sort key."""
        self._split = self.order.split
        self._groups: list[_Group] = []
        """Groups in booking order (created as patients of each first arrive)."""
        self._lanes: dict[tuple[tuple, int], _Lane] = {}
        """Every lane, by (group, lane id)."""
        self._clock = clock
        self._length = TimeWeighted(0.0)
        """The list's length over time."""

    def __len__(self) -> int:
        return self._length.level

    def _grow(self, change: int) -> None:
        self._length.add(self._clock(), change)

    def _new_lane(self, group_key: tuple, lane_id: int) -> _Lane:
        group = next((g for g in self._groups if g.key == group_key), None)
        if group is None:
            group = _Group(group_key)
            insort(self._groups, group)
        lane = self._lanes[(group_key, lane_id)] = _Lane()
        group.lanes.append(lane)
        return lane

    def add(self, patient: Patient) -> None:
        """Put a patient on the list (new referral, or back after a cancellation)."""
        self._grow(1)
        patient.version += 1
        patient.state = WAITING
        patient.waiting_list = self
        group_key, lane_id, time = self._split(patient)
        lane = self._lanes.get((group_key, lane_id))
        if lane is None:
            lane = self._new_lane(group_key, lane_id)
        lane.push((time, patient.pid, patient.version, patient))

    def take(self) -> Entry | None:
        """Take the entry at the top of the list (``entry[3]`` is the patient), or None."""
        for group in self._groups:
            best = best_lane = None
            for lane in group.lanes:
                head = lane.head(self)
                if head is not None and (best is None or head < best):
                    best, best_lane = head, lane
            if best is not None:
                best_lane.pop_head(best)
                self._grow(-1)
                best[3].waiting_list = None
                return best
        return None

    def put_back(self, entry: Entry) -> None:
        """Return an entry taken with :meth:`take` but not used, keeping its place."""
        self._grow(1)
        patient = entry[3]
        patient.waiting_list = self
        patient.state = WAITING
        group_key, lane_id, _time = self._split(patient)
        self._lanes[(group_key, lane_id)].push(entry)

    def pop(self) -> Patient | None:
        """Take the next patient in booking order, or None if the list is empty."""
        entry = self.take()
        return None if entry is None else entry[3]

    def remove(self, patient: Patient) -> bool:
        """Take a patient off the list wherever they are in it; False if not on this list."""
        if patient.waiting_list is not self or patient.state != WAITING:
            return False
        self._grow(-1)
        patient.waiting_list = None
        stored = sum(len(lane) for group in self._groups for lane in group.lanes)
        if stored > 64 and stored > 2 * len(self):
            self._compact()
        return True

    def reorder(self, patient: Patient) -> None:
        """Re-key a waiting patient whose booking order changed (e.g. escalated priority)."""
        if self.remove(patient):
            self.add(patient)

    def release(self) -> None:
        """Empty the list at the end of a run, so that its patients are freed at once by
        reference counting rather than by a sweep of the cyclic garbage collector (each
        patient names its list). Its length over time is kept."""
        for group in self._groups:
            for lane in group.lanes:
                lane.clear()

    def settle(self) -> None:
        """Sort the late arrivals into order, once an unsorted backlog is all on the list:
        an entry in order costs 24 bytes, one in the heap 80. The booking order is
        unchanged."""
        for lane in self._lanes.values():
            lane.settle()

    def _compact(self) -> None:
        for group in self._groups:
            for lane in group.lanes:
                lane.compact(self)

    def patients(self) -> Iterator[Patient]:
        """Everyone on the list, in no particular order."""
        return (
            e[3]
            for group in self._groups
            for lane in group.lanes
            for e in lane.entries()
            if _live(e, self)
        )

    def mean_size(self, since: float = 0.0, area_since: float = 0.0) -> float:
        """Time-average list length from ``since`` to now (``area_since``: area at ``since``)."""
        area = self.area
        span = self._length.last - since
        return (area - area_since) / span if span > 0 else float(len(self))

    @property
    def area(self) -> float:
        """Integral of list length over time so far (patient-days)."""
        return self._length.settle(self._clock())
