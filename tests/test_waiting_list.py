"""Unit tests of ``WaitingList``, method by method, and of the booking orders."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from sim.model.patient import BOOKED, WAITING, Patient
from sim.model.waiting_list import (
    BookingOrder,
    WaitingList,
    booking_order,
    longest_wait,
    priority_then_wait,
)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def patient(pid: int, priority: int = 3, referred: float = 0.0, quintile: int = 0) -> Patient:
    p = Patient(pid, "home", "hip", priority, referred, False, 0.1, 1.0)
    p.quintile = quintile
    return p


def new_list(order=priority_then_wait, clock: Clock | None = None) -> WaitingList:
    return WaitingList("site", "ortho", order, clock or Clock())


def pids(wl: WaitingList) -> list[int]:
    out = []
    while (p := wl.pop()) is not None:
        out.append(p.pid)
    return out


def order_of(name: str, **kw) -> BookingOrder:
    return booking_order(SimpleNamespace(order=name, deprivation_credit=kw.get("credit", {})))


# -- add / pop / len --------------------------------------------------------------------
def test_empty_list_pops_none() -> None:
    wl = new_list()
    assert len(wl) == 0
    assert wl.pop() is None
    assert wl.take() is None


def test_priority_then_longest_wait_then_pid() -> None:
    wl = new_list()
    for p in [patient(0, 3, 5.0), patient(1, 1, 9.0), patient(2, 3, 1.0), patient(3, 1, 2.0),
              patient(4, 3, 1.0), patient(5, 0, 50.0)]:  # fmt: skip
        wl.add(p)
    assert len(wl) == 6
    assert pids(wl) == [5, 3, 1, 2, 4, 0]
    assert len(wl) == 0


def test_add_marks_patient_waiting_on_this_list() -> None:
    wl, p = new_list(), patient(0)
    p.state = BOOKED
    wl.add(p)
    assert p.state == WAITING and p.waiting_list is wl and p.version == 1
    assert wl.pop() is p and p.waiting_list is None


def test_rebooking_goes_first_within_its_priority() -> None:
    wl = new_list()
    old, returning, urgent = patient(0, 3, -100.0), patient(1, 3, 10.0), patient(2, 2, 20.0)
    returning.rebook_first = True
    for p in (old, returning, urgent):
        wl.add(p)
    assert pids(wl) == [2, 1, 0]


def test_out_of_order_returns_keep_their_place() -> None:
    """A cancelled patient comes back with their original referral time."""
    wl = new_list()
    for i in range(10):
        wl.add(patient(i, 3, float(i)))
    first, second = wl.pop(), wl.pop()
    wl.add(patient(10, 3, 100.0))
    wl.add(second)  # back after a cancellation
    wl.add(first)
    assert pids(wl) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]


def test_unsorted_backlog_is_booked_in_order_and_sorted_into_the_lanes() -> None:
    rng = random.Random(3)
    wl = new_list()
    backlog = [patient(i, rng.randrange(4), -rng.uniform(0, 700)) for i in range(5_000)]
    for p in backlog:
        wl.add(p)
    for i in range(5_000, 5_100):  # then new referrals, in time order
        wl.add(patient(i, rng.randrange(4), float(i)))
    lanes = wl._lanes.values()
    assert sum(len(lane) for lane in lanes) == 5_100
    # The heap beside each deque was sorted into it as it grew: at most as long as the deque.
    assert all(len(lane.late) <= len(lane.times) for lane in lanes)
    everyone = backlog + [p for p in wl.patients() if p.pid >= 5_000]
    want = [p.pid for p in sorted(everyone, key=lambda p: (p.priority, p.referral_time, p.pid))]
    assert pids(wl) == want


# -- take / put_back -------------------------------------------------------------------------
def test_take_returns_entry_and_put_back_keeps_place() -> None:
    wl = new_list()
    for i in range(5):
        wl.add(patient(i, 3, float(i)))
    a, b = wl.take(), wl.take()
    assert (a[3].pid, b[3].pid) == (0, 1)
    assert len(wl) == 3 and a[3].waiting_list is None
    wl.add(patient(5, 3, -1.0))  # a new patient who sorts before both
    wl.put_back(b)
    wl.put_back(a)
    assert len(wl) == 6
    assert a[3].state == WAITING and a[3].waiting_list is wl
    assert pids(wl) == [5, 0, 1, 2, 3, 4]


def test_booked_patient_is_not_on_the_list_any_more() -> None:
    wl = new_list()
    wl.add(patient(0))
    entry = wl.take()
    entry[3].state = BOOKED
    assert len(wl) == 0 and wl.pop() is None
    assert list(wl.patients()) == []


# -- remove / reorder ----------------------------------------------------------------------
def test_remove() -> None:
    wl, other = new_list(), new_list()
    ps = [patient(i, 3, float(i)) for i in range(4)]
    for p in ps:
        wl.add(p)
    assert wl.remove(ps[1]) is True
    assert ps[1].waiting_list is None
    assert wl.remove(ps[1]) is False  # no longer on it
    assert other.remove(ps[2]) is False  # on another list
    assert len(wl) == 3
    assert pids(wl) == [0, 2, 3]


def test_many_removals_compact_the_lanes() -> None:
    wl = new_list()
    ps = [patient(i, i % 4, float(i)) for i in range(1_000)]
    for p in ps:
        wl.add(p)
    for p in ps[::3] + ps[1::3]:
        wl.remove(p)
    stored = sum(len(lane) for lane in wl._lanes.values())
    assert len(wl) == len(ps[2::3]) and stored <= 2 * len(wl) + 1
    assert pids(wl) == [p.pid for p in sorted(ps[2::3], key=lambda p: (p.priority, p.pid))]


def test_reorder_after_escalation() -> None:
    wl = new_list()
    ps = [patient(i, 3, float(i)) for i in range(4)]
    for p in ps:
        wl.add(p)
    ps[3].priority = 1
    wl.reorder(ps[3])
    assert len(wl) == 4
    assert pids(wl) == [3, 0, 1, 2]


def test_reorder_of_a_patient_not_waiting_here_does_nothing() -> None:
    wl, p = new_list(), patient(0)
    wl.reorder(p)
    assert len(wl) == 0 and p.waiting_list is None


# -- patients / area / mean_size -----------------------------------------------------------
def test_patients_lists_everyone_waiting_once() -> None:
    wl = new_list()
    ps = [patient(i, i % 4, -float(i)) for i in range(50)]
    for p in ps:
        wl.add(p)
    wl.remove(ps[7])
    ps[8].priority = 0
    wl.reorder(ps[8])
    wl.pop()
    got = sorted(p.pid for p in wl.patients())
    assert len(got) == len(wl) == 48
    assert 7 not in got and 8 in got


def test_area_and_mean_size() -> None:
    clock = Clock()
    wl = new_list(clock=clock)
    wl.add(patient(0))
    clock.now = 2.0
    wl.add(patient(1))
    clock.now = 5.0
    wl.pop()
    clock.now = 6.0
    assert wl.area == pytest.approx(1 * 2 + 2 * 3 + 1 * 1)
    assert wl.mean_size() == pytest.approx(9 / 6)
    assert wl.mean_size(since=2.0, area_since=2.0) == pytest.approx(7 / 4)
    assert new_list().mean_size() == 0.0


# -- booking orders --------------------------------------------------------------------------
def test_longest_wait_ignores_priority() -> None:
    wl = new_list(longest_wait)
    for p in [patient(0, 0, 5.0), patient(1, 3, 1.0), patient(2, 2, 3.0)]:
        wl.add(p)
    assert pids(wl) == [1, 2, 0]


def test_deprivation_weighted_credits_wait_by_quintile() -> None:
    order = order_of("deprivation_weighted", credit={1: 10.0, 2: 5.0})
    wl = new_list(order)
    ps = [patient(0, 3, 0.0, quintile=5), patient(1, 3, 8.0, quintile=1),
          patient(2, 3, 4.0, quintile=2), patient(3, 3, 9.5, quintile=1),
          patient(4, 2, 50.0, quintile=5)]  # fmt: skip
    for p in ps:
        wl.add(p)
    assert order(ps[1]) == (3, True, -2.0)
    # Keys: 0 -> 0.0, 1 -> -2.0, 2 -> -1.0, 3 -> -0.5; priority 2 first.
    assert pids(wl) == [4, 1, 2, 3, 0]


def test_quintile1_boost_goes_first_within_priority() -> None:
    order = order_of("quintile1_long_waiters_first")
    wl = new_list(order)
    ps = [patient(0, 3, 0.0), patient(1, 3, 5.0, quintile=1), patient(2, 3, 1.0)]
    for p in ps:
        wl.add(p)
    ps[1].boost = True
    wl.reorder(ps[1])
    assert order(ps[1]) == (3, True, False, 5.0)
    assert pids(wl) == [1, 0, 2]


def test_booking_order_by_name() -> None:
    assert order_of("priority_then_wait") is priority_then_wait
    assert order_of("longest_wait") is longest_wait
    assert order_of("deprivation_weighted").name == "deprivation_weighted"
    with pytest.raises(ValueError, match="unknown booking order"):
        order_of("alphabetical")


def test_any_key_function_works_as_an_order() -> None:
    def by_procedure_time(p: Patient) -> tuple:
        return (-p.referral_time,)

    wl = new_list(by_procedure_time)
    for p in [patient(0, 3, 1.0), patient(1, 3, 3.0), patient(2, 3, 2.0)]:
        wl.add(p)
    assert wl.order(patient(9, 3, 4.0)) == ((-4.0,),)
    assert pids(wl) == [1, 2, 0]
