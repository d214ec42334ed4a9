"""Equity rules in the model: deprivation-aware booking orders and re-scoring of waiters.

- ``deprivation_weighted``: priority, then wait with a waiting-time credit by quintile.
- ``quintile1_long_waiters_first``: priority, then most-deprived-quintile patients who
  have waited ``quintile1_after``, then longest wait (the *boost* is set by re-scoring).
- ``policies.escalation``: after waiting a while a patient's priority is raised, for
  everyone or for named quintiles.

Re-scoring happens once a day, for the patients who crossed a threshold that day.
"""

from __future__ import annotations

import heapq

import simpy

from ..scenario.elective import Booking
from ..scenario.equity import Escalation
from .booking import BookingOrder, Split
from .patient import LEFT, PRIORITY_RANK, REMOVED, TREATED, WAITING, Patient


def deprivation_weighted(booking: Booking) -> BookingOrder:
    credit = {q: booking.deprivation_credit.get(q, 0.0) for q in range(6)}

    def split(p: Patient) -> Split:
        """Priority, then wait plus a waiting-time credit for deprivation (a lane per
        quintile: the credit is fixed within one)."""
        q = p.quintile
        return (p.priority, not p.rare.rebook_first), q, p.referral_time - credit[q]

    return BookingOrder("deprivation_weighted", split)


def quintile1_long_waiters_first(_booking: Booking) -> BookingOrder:
    def split(p: Patient) -> Split:
        """Priority, then quintile-1 long waiters (``p.boost``), then longest wait."""
        return (p.priority, not p.rare.rebook_first, not p.rare.boost), 0, p.referral_time

    return BookingOrder("quintile1_long_waiters_first", split)


class Rescoring:
    """Moments at which waiting patients' booking order changes, applied day by day."""

    def __init__(self, env: simpy.Environment, escalation: list[Escalation], booking: Booking):
        self.env = env
        self._escalations = [
            (e.after, PRIORITY_RANK[e.to], None if e.quintiles is None else set(e.quintiles))
            for e in escalation
        ]
        self._q1_after = (
            booking.quintile1_after if booking.order == "quintile1_long_waiters_first" else None
        )
        self._heap: list[tuple] = []

    @property
    def active(self) -> bool:
        return bool(self._escalations) or self._q1_after is not None

    def schedule(self, p: Patient) -> None:
        """Queue the moments this patient's booking order changes; apply those already past."""
        now = self.env.now
        for after, rank, quintiles in self._escalations:
            if rank < p.priority and (quintiles is None or p.quintile in quintiles):
                self._at(p, p.referral_time + after, now, ("priority", rank))
        if self._q1_after is not None and p.quintile == 1:
            self._at(p, p.referral_time + self._q1_after, now, ("boost", True))

    def _at(self, p: Patient, when: float, now: float, change: tuple) -> None:
        if when <= now:
            _apply(p, change)
        else:
            heapq.heappush(self._heap, (when, p.pid, change, p))

    def process(self):
        """SimPy process: each day, re-score patients who crossed a waiting-time threshold."""
        env = self.env
        heap = self._heap
        while True:
            yield env.timeout(1.0)
            while heap and heap[0][0] <= env.now:
                _, _, change, p = heapq.heappop(heap)
                if p.state not in (TREATED, REMOVED, LEFT):
                    _apply(p, change)


def _apply(p: Patient, change: tuple) -> None:
    what, value = change
    if what == "priority":
        if value >= p.priority:
            return
        p.priority = value
    else:
        p.boost = value
    if p.state == WAITING and p.waiting_list is not None:
        p.waiting_list.reorder(p)
