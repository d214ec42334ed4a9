"""Booking orders: how a waiting list ranks the patients it books.

Kept apart from :mod:`.waiting_list` so that the feature modules defining orders of their
own (:mod:`.equity`) and the list that resolves a scenario's order by name do not import
each other.
"""

from __future__ import annotations

from collections.abc import Callable

from .patient import Patient

#: A sort key of a patient: smaller keys are booked first.
OrderKey = Callable[[Patient], tuple]
#: (group, lane, time) of a patient; see :class:`BookingOrder`.
Split = tuple[tuple, int, float]


class BookingOrder:
    """A booking order: ``order(p)`` is the patient's sort key ``(*group, time)``.

    ``split(p)`` gives the same key in the parts a :class:`WaitingList` stores it by:
    ``(group, lane, time)``. Patients in one lane of one group must mostly be referred
    in ``time`` order; that is what makes adding them O(1).
    """

    __slots__ = ("name", "split")

    def __init__(self, name: str, split: Callable[[Patient], Split]):
        self.name = name
        self.split = split

    def __call__(self, p: Patient) -> tuple:
        group, _lane, time = self.split(p)
        return (*group, time)

    def __repr__(self) -> str:
        return f"BookingOrder({self.name!r})"

    @classmethod
    def of(cls, order: OrderKey) -> BookingOrder:
        """``order`` itself, or any key function as one group and one lane (a plain heap)."""
        if isinstance(order, BookingOrder):
            return order
        return cls(getattr(order, "__name__", "custom"), lambda p: ((), 0, order(p)))
