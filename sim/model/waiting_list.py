"""The waiting list: patients waiting for one specialty at one site, in booking order.

A binary heap keyed by the booking order (by default clinical priority, then referral
time), so adding a patient and taking the next one both cost O(log n) however long the
list is. A SimPy ``PriorityResource`` would insert in O(n), which is what makes lists of
tens of thousands slow. Patients who leave the list (removed, moved elsewhere) are
marked and skipped when they reach the top ("lazy deletion"); the heap is compacted when
such stale entries outnumber the live ones.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator

from .patient import WAITING, Patient

#: A booking order maps a patient to a sort key: smaller keys are booked first.
OrderKey = Callable[[Patient], tuple]


def priority_then_wait(p: Patient) -> tuple:
    """Clinical priority first, then the longest wait (the NHS default)."""
    return (p.priority, not p.rebook_first, p.referral_time)


def longest_wait(p: Patient) -> tuple:
    """Longest wait first, whatever the priority."""
    return (0, not p.rebook_first, p.referral_time)


def booking_order(booking) -> OrderKey:
    """The sort key of a scenario's booking rule (``policies.booking``)."""
    if booking.order == "priority_then_wait":
        return priority_then_wait
    if booking.order == "longest_wait":
        return longest_wait
    if booking.order == "deprivation_weighted":
        credit = {q: booking.deprivation_credit.get(q, 0.0) for q in range(6)}

        def deprivation_weighted(p: Patient) -> tuple:
            """Priority, then wait plus a waiting-time credit for deprivation."""
            return (p.priority, not p.rebook_first, p.referral_time - credit[p.quintile])

        return deprivation_weighted
    if booking.order == "quintile1_long_waiters_first":

        def quintile1_long_waiters_first(p: Patient) -> tuple:
            """Priority, then quintile-1 long waiters (``p.boost``), then longest wait."""
            return (p.priority, not p.rebook_first, not p.boost, p.referral_time)

        return quintile1_long_waiters_first
    raise ValueError(f"unknown booking order {booking.order!r}")


class WaitingList:
    """Patients waiting at ``site`` for ``specialty``, taken in booking order."""

    __slots__ = ("site", "specialty", "order", "_heap", "_size", "_clock", "_area", "_last")

    def __init__(self, site: str, specialty: str, order: OrderKey, clock: Callable[[], float]):
        self.site = site
        self.specialty = specialty
        self.order = order
        self._heap: list[tuple] = []
        self._size = 0
        self._clock = clock
        self._area = 0.0
        self._last = 0.0

    def __len__(self) -> int:
        return self._size

    def _touch(self) -> None:
        now = self._clock()
        self._area += self._size * (now - self._last)
        self._last = now

    def add(self, patient: Patient) -> None:
        """Put a patient on the list (new referral, or back after a cancellation)."""
        self._touch()
        patient.version += 1
        patient.state = WAITING
        patient.waiting_list = self
        heapq.heappush(self._heap, (self.order(patient), patient.pid, patient.version, patient))
        self._size += 1

    def _live(self, entry: tuple) -> bool:
        p = entry[3]
        return p.state == WAITING and p.waiting_list is self and p.version == entry[2]

    def take(self) -> tuple | None:
        """Take the entry at the top of the list (``entry[3]`` is the patient), or None."""
        heap = self._heap
        while heap:
            entry = heapq.heappop(heap)
            if self._live(entry):
                self._touch()
                self._size -= 1
                entry[3].waiting_list = None
                return entry
        return None

    def put_back(self, entry: tuple) -> None:
        """Return an entry taken with :meth:`take` but not used, keeping its place."""
        self._touch()
        entry[3].waiting_list = self
        entry[3].state = WAITING
        heapq.heappush(self._heap, entry)
        self._size += 1

    def pop(self) -> Patient | None:
        """Take the next patient in booking order, or None if the list is empty."""
        entry = self.take()
        return None if entry is None else entry[3]

    def remove(self, patient: Patient) -> bool:
        """Take a patient off the list wherever they are in it; False if not on this list."""
        if patient.waiting_list is not self or patient.state != WAITING:
            return False
        self._touch()
        self._size -= 1
        patient.waiting_list = None
        if len(self._heap) > 64 and len(self._heap) > 2 * self._size:
            self._compact()
        return True

    def reorder(self, patient: Patient) -> None:
        """Re-key a waiting patient whose booking order changed (e.g. escalated priority)."""
        if self.remove(patient):
            self.add(patient)

    def _compact(self) -> None:
        self._heap = [e for e in self._heap if self._live(e)]
        heapq.heapify(self._heap)

    def patients(self) -> Iterator[Patient]:
        """Everyone on the list, in no particular order."""
        return (e[3] for e in self._heap if self._live(e))

    def mean_size(self, since: float = 0.0, area_since: float = 0.0) -> float:
        """Time-average list length from ``since`` to now (``area_since``: area at ``since``)."""
        self._touch()
        span = self._last - since
        return (self._area - area_since) / span if span > 0 else float(self._size)

    @property
    def area(self) -> float:
        """Integral of list length over time so far (patient-days)."""
        self._touch()
        return self._area
