"""Calendar days and time-varying arrival rates.

The clock counts days from the scenario's ``start_date`` at midnight. Arrivals whose
rate varies by weekday and month are a non-homogeneous Poisson process with a rate
that is constant within each day; it is generated exactly by spending unit-mean
exponential draws against the cumulative rate. Streams may instead give the gaps between
arrivals as a distribution, or set times of day (:func:`pattern_times`). :class:`Arrivals`
feeds the times to the simulation, one event per arrival.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np
import simpy

from ..scenario.types import WEEKDAYS

if TYPE_CHECKING:
    from ..scenario.arrivals import ArrivalPattern
    from .streams import Streams


class Calendar:
    """Weekday and month of each simulated day."""

    def __init__(self, start_date: dt.date, horizon_days: float):
        self.start_date = start_date
        self.days = math.ceil(horizon_days) + 1
        dates = [start_date + dt.timedelta(days=d) for d in range(self.days)]
        self.weekday = np.array([x.weekday() for x in dates], dtype=np.int64)
        self.month = np.array([x.month for x in dates], dtype=np.int64)

    def date(self, day: float) -> dt.date:
        return self.start_date + dt.timedelta(days=int(day))

    def daily_rates(
        self,
        per_day: float,
        weekday_profile: Sequence[float] | None = None,
        monthly_profile: Sequence[float] | None = None,
    ) -> np.ndarray:
        """Rate for each day, with mean-preserving weekday and monthly shapes."""
        rates = np.full(self.days, float(per_day))
        if weekday_profile is not None:
            w = np.asarray(weekday_profile, dtype=float)
            rates *= (w * 7 / w.sum())[self.weekday]
        if monthly_profile is not None:
            m = np.asarray(monthly_profile, dtype=float)
            rates *= (m * 12 / m.sum())[self.month - 1]
        return rates


def arrival_times(
    rates: np.ndarray, exp1: Callable[[], float], start: float = 0.0
) -> Iterator[float]:
    """Arrival times of a Poisson process whose rate is ``rates[day]`` within each day."""
    rates = [float(r) for r in rates]  # plain floats are much faster in this loop
    t = start
    day = int(t)
    n = len(rates)
    while True:
        e = exp1()
        while True:
            if day >= n:
                return
            r = rates[day]
            left = day + 1 - t
            if r * left > e:
                t += e / r
                break
            e -= r * left
            day += 1
            t = float(day)
        yield t


def renewal_times(gap: Callable[[], float], end: float, start: float = 0.0) -> Iterator[float]:
    """Arrival times whose gaps are independent draws of ``gap()`` (a renewal process),
    from ``start`` until ``end``."""
    t = start
    while True:
        t += gap()
        if t >= end:
            return
        yield t


def scheduled_times(
    weekday: np.ndarray, times: Sequence[float], days: set[int], patients: int, start: float = 0.0
) -> Iterator[float]:
    """Arrivals at the given times of day on the given weekdays (``patients`` at each)."""
    for day, wd in enumerate(weekday.tolist()):
        if wd in days:
            for t in times:
                if day + t >= start:
                    yield from [day + t] * patients


def pattern_times(
    pattern: ArrivalPattern,
    rate_per_day: float | None,
    calendar: Calendar,
    streams: Streams,
    key: str,
    start: float = 0.0,
    weekday_profile: Sequence[float] | None = None,
    monthly_profile: Sequence[float] | None = None,
) -> Iterator[float]:
    """The arrival times of one stream of a scenario, drawn from its own random streams:
    ``<key>/arrivals`` for a rate, ``<key>/interarrival`` for gaps."""
    if pattern.interarrival is not None:
        gap = streams.sampler(f"{key}/interarrival", pattern.interarrival)
        return renewal_times(gap, calendar.days, start)
    if pattern.schedule is not None:
        s = pattern.schedule
        days = {WEEKDAYS.index(d) for d in s.days}
        return scheduled_times(calendar.weekday, s.times, days, s.patients, start)
    rates = calendar.daily_rates(
        rate_per_day,
        pattern.weekday_profile or weekday_profile,
        pattern.monthly_profile or monthly_profile,
    )
    return arrival_times(rates, streams.exponentials(f"{key}/arrivals"), start)


class Arrivals:
    """Calls ``arrive(t)`` at each arrival time ``t`` of ``times`` (any iterator of
    increasing times: :func:`arrival_times`, :func:`renewal_times`, :func:`scheduled_times`).

    Each arrival schedules the next one as a timeout with a callback. This is what a
    SimPy process looping over ``yield env.timeout(...)`` would do, in the same order,
    without resuming a generator for every arrival (which costs more than a callback).
    """

    __slots__ = ("_env", "_times", "_arrive", "_next")

    def __init__(
        self, env: simpy.Environment, times: Iterator[float], arrive: Callable[[float], None]
    ):
        self._env = env
        self._times = times
        self._arrive = arrive
        self._next = 0.0
        """Time of the arrival scheduled next."""
        self._schedule()

    def _schedule(self) -> None:
        t = next(self._times, None)
        if t is not None:
            self._next = t
            env = self._env
            env.timeout(t - env.now).callbacks.append(self._fire)

    def _fire(self, _event: simpy.Event) -> None:
        self._arrive(self._next)
        self._schedule()
