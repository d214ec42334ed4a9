"""Calendar days, time-varying arrival rates, and the days theatres and wards work.

The clock counts days from the scenario's ``start_date`` at midnight. Arrivals whose
rate varies by weekday and month are a non-homogeneous Poisson process with a rate
that is constant within each day; it is generated exactly by spending unit-mean
exponential draws against the cumulative rate. Streams may instead give the gaps between
arrivals as a distribution, or set times of day (:func:`pattern_times`). :class:`Arrivals`
feeds the times to the simulation, one event per arrival.

The :class:`Calendar` is what components ask about dates: which days are bank holidays,
which days each theatre's session plan runs (weeks closed for leave, fortnightly cycles,
opening, closing and ramping up), the bed counts of a site over time, and how elective
referral rates change on bank holidays and grow from year to year. All of it is worked
out once when the model is built; nothing is scheduled per session.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import simpy

from ..scenario.calendar import BANK_HOLIDAY_REGIONS, monday_of
from ..scenario.calendar import Calendar as CalendarSpec
from ..scenario.types import WEEKDAYS
from .later import Due
from .ledger import Ledger, Tally

if TYPE_CHECKING:
    from ..scenario.arrivals import ArrivalPattern
    from ..scenario.calendar import IndustrialAction, Opening, TheatreWeeks
    from ..scenario.elective import SessionPlan
    from ..scenario.wards import Beds
    from .streams import Streams
    from .theatre import SessionSlot, Theatre

#: Days in a year, for growth per year.
YEAR = 365.25

#: A dated change of a site's beds: (day, general beds or None, elective beds or None).
BedChangeAt = tuple[int, int | None, int | None]


def bank_holidays(region: str, years: range) -> list[dt.date]:
    """The bank holidays of a region (``england_and_wales`` ...) in ``years``, from the
    maintained ``holidays`` library (substitute days and one-off holidays included)."""
    import holidays

    return sorted(holidays.country_holidays("GB", subdiv=BANK_HOLIDAY_REGIONS[region], years=years))


def closed_mondays(weeks: TheatreWeeks, years: range) -> set[dt.date]:
    """Mondays of the theatre weeks closed for leave in ``years``: the weeks named, or for
    ``working_weeks`` N the 52 - N weeks of each year by the rule (the week holding 25
    December, the week holding 1 January, then weeks from the first Monday of August)."""
    if weeks.closed_weeks:
        return {monday_of(d) for d in weeks.closed_weeks}
    if weeks.working_weeks is None:
        return set()
    out: set[dt.date] = set()
    for year in years:
        first_aug = dt.date(year, 8, 1)
        august = first_aug + dt.timedelta(days=(7 - first_aug.weekday()) % 7)
        order = [monday_of(dt.date(year, 12, 25)), monday_of(dt.date(year, 1, 1))]
        order += [august + dt.timedelta(weeks=i) for i in range(52)]
        out.update(order[: 52 - weeks.working_weeks])
    return out


class Calendar:
    """Weekday, month and bank holidays of each simulated day, and the days theatres work."""

    def __init__(
        self,
        start_date: dt.date,
        horizon_days: float,
        spec: CalendarSpec | None = None,
        growth_per_year: float = 0.0,
    ):
        self.start_date = start_date
        self.days = math.ceil(horizon_days) + 1
        dates = [start_date + dt.timedelta(days=d) for d in range(self.days)]
        self.weekday = np.array([x.weekday() for x in dates], dtype=np.int64)
        self.month = np.array([x.month for x in dates], dtype=np.int64)
        self.spec = spec = spec if spec is not None else CalendarSpec()
        self._years = range(start_date.year - 1, dates[-1].year + 2)
        self.bank_holiday = np.zeros(self.days, dtype=bool)
        """Whether each day is a bank holiday of the calendar's region."""
        if spec.bank_holidays is not None:
            self.bank_holiday[
                [d for d in (self.day_of(x) for x in bank_holidays(spec.bank_holidays, self._years))
                 if 0 <= d < self.days]
            ] = True  # fmt: skip
        self.growth_per_year = growth_per_year
        self.growth = (
            (1.0 + growth_per_year) ** (np.arange(self.days) / YEAR) if growth_per_year else None
        )
        """Referral rate multiplier of each day (None: no growth)."""
        # Week number of each day, counted in Mondays from the epoch, for cycles and closures.
        first = start_date.toordinal()
        self._monday = np.arange(first, first + self.days) - self.weekday

    def date(self, day: float) -> dt.date:
        return self.start_date + dt.timedelta(days=int(day))

    def day_of(self, date: dt.date) -> int:
        """The day number of a date (negative before the start)."""
        return (date - self.start_date).days

    # -- theatres ------------------------------------------------------------------------
    def closed_for_leave(self, weeks: TheatreWeeks) -> np.ndarray:
        """Days in theatre weeks closed for leave."""
        mondays = np.array(
            sorted(d.toordinal() for d in closed_mondays(weeks, self._years)), dtype=np.int64
        )
        return np.isin(self._monday, mondays)

    def _between(self, opens: dt.date | None, closes: dt.date | None) -> np.ndarray:
        day = np.arange(self.days)
        lo = -math.inf if opens is None else self.day_of(opens)
        hi = math.inf if closes is None else self.day_of(closes)
        return (day >= lo) & (day < hi)

    def plan_days(
        self, plan: SessionPlan, theatre: Opening | None = None, closed: np.ndarray | None = None
    ) -> np.ndarray:
        """Whether ``plan`` has a session on each day: its weekdays, weeks of its cycle and
        dates, the theatre's dates, and not on ``closed`` days (leave, bank holidays)."""
        runs = np.isin(self.weekday, [WEEKDAYS.index(d) for d in plan.days])
        if plan.cycle_weeks > 1:
            week0 = monday_of(plan.cycle_start or self.start_date).toordinal()
            week = (self._monday - week0) // 7 % plan.cycle_weeks + 1
            runs &= np.isin(week, plan.weeks)
        if plan.opens is not None or plan.closes is not None:
            runs &= self._between(plan.opens, plan.closes)
        if theatre is not None and (theatre.opens is not None or theatre.closes is not None):
            runs &= self._between(theatre.opens, theatre.closes)
        if closed is not None:
            runs &= ~closed
        return runs

    def theatre_closed(self, weeks: TheatreWeeks, bank_holidays: bool = True) -> np.ndarray | None:
        """Days a theatre does not work: weeks closed for leave (its own, or the calendar's)
        and, unless it runs on them, bank holidays. None when there are none."""
        closed = self.closed_for_leave(weeks if weeks.given else self.spec)
        if bank_holidays:
            closed |= self.bank_holiday
        return closed if closed.any() else None

    def ramp_up(
        self,
        theatre: Opening,
        sessions: list[tuple[int, float, int]],
        copy: int = 0,
        copies: int = 1,
    ) -> set[tuple[int, int]]:
        """The (day, plan) sessions a ramping-up theatre does not run.

        ``sessions`` are the theatre's (day, start, plan) in time order. Within each step
        the k-th session runs when ``floor((k + 1) share) > floor(k share)`` (counted across
        the ``copies`` identical theatres in turn), so exactly ``share`` of them run, evenly.
        """
        if not theatre.ramp_up:
            return set()
        begin = 0 if theatre.opens is None else self.day_of(theatre.opens)
        skipped: set[tuple[int, int]] = set()
        for step in theatre.ramp_up:
            end = begin + 7 * step.weeks
            k = 0
            for day, _start, plan in sessions:
                if begin <= day < end:
                    i = k * copies + copy
                    if math.floor((i + 1) * step.share) == math.floor(i * step.share):
                        skipped.add((day, plan))
                    k += 1
            begin = end
        return skipped

    # -- wards ---------------------------------------------------------------------------
    def bed_counts(self, beds: Beds) -> tuple[tuple[int, int], list[BedChangeAt]]:
        """A site's (general, elective) beds at the start, and its later changes as (day,
        general or None, elective or None): changes dated on or before the start apply from it."""
        general, elective = beds.general, beds.elective
        later: list[BedChangeAt] = []
        for c in beds.changes:
            day = self.day_of(c.date)
            if day <= 0:
                general = general if c.general is None else c.general
                elective = elective if c.elective is None else c.elective
            elif day < self.days:
                later.append((day, c.general, c.elective))
        return (general, elective), later

    # -- arrivals ------------------------------------------------------------------------
    def daily_rates(
        self,
        per_day: float,
        weekday_profile: Sequence[float] | None = None,
        monthly_profile: Sequence[float] | None = None,
        referrals: bool = False,
    ) -> np.ndarray:
        """Rate for each day, with mean-preserving weekday and monthly shapes; for elective
        ``referrals``, also the calendar's bank holiday rule and the demand's growth."""
        rates = np.full(self.days, float(per_day))
        w = None
        if weekday_profile is not None:
            w = np.asarray(weekday_profile, dtype=float)
            w = w * 7 / w.sum()
            rates *= w[self.weekday]
        if referrals and self.bank_holiday.any():
            on = self.bank_holiday & (self.weekday < 5)
            rule = self.spec.referrals_on_bank_holidays
            if rule == "weekend":
                rates[on] = per_day * (1.0 if w is None else (w[5] + w[6]) / 2)
            else:
                rates[on] *= float(rule)
        if monthly_profile is not None:
            m = np.asarray(monthly_profile, dtype=float)
            rates *= (m * 12 / m.sum())[self.month - 1]
        if referrals and self.growth is not None:
            rates *= self.growth
        return rates


@dataclass(slots=True)
class CalendarTally(Tally):
    """Theatre sessions lost to one-off shocks of the calendar, at one site."""

    sessions_lost_industrial_action: int = 0


#: One session on one day: (day, site, theatre, start).
SessionKey = tuple[int, str, str, float]


class IndustrialActionLosses:
    """The sessions lost to days of industrial action, drawn once when the model is built.

    Each session planned on a day of action, at an affected site and specialty, is lost with
    the action's ``share_of_sessions`` (random stream ``calendar/industrial_action``). Lost
    sessions are not booked; each is counted at its start time.
    """

    def __init__(
        self,
        actions: Sequence[IndustrialAction],
        calendar: Calendar,
        planned_on: Callable[[int], list[tuple[Theatre, SessionSlot]]],
        streams: Streams,
        ledger: Ledger,
    ):
        self.lost: set[SessionKey] = set()
        """The sessions lost, as (day, site, theatre, start)."""
        u = streams.uniforms("calendar/industrial_action")
        times: dict[str, list[float]] = {}
        for action in actions:
            sites = None if action.sites is None else set(action.sites)
            specialties = None if action.specialties is None else set(action.specialties)
            for date in action.dates:
                day = calendar.day_of(date)
                if not 0 <= day < calendar.days:
                    continue
                for theatre, slot in planned_on(day):
                    if (sites is not None and slot.site not in sites) or (
                        specialties is not None and slot.specialty not in specialties
                    ):
                        continue
                    key = (day, slot.site, theatre.name, slot.start)
                    if key not in self.lost and u() < action.share_of_sessions:
                        self.lost.add(key)
                        times.setdefault(slot.site, []).append(day + slot.start)
        self._times = [sorted(times.get(sid, [])) for sid in ledger.sites]
        self._tally = ledger.tallies(CalendarTally)
        ledger.on_settle(self._settle)

    def _settle(self, now: float) -> None:
        for tally, times in zip(self._tally, self._times, strict=True):
            tally.sessions_lost_industrial_action = bisect.bisect_left(times, now)


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


def time_changed(times: Iterator[float], speed: np.ndarray) -> Iterator[float]:
    """Map times on an operational clock to the simulation clock, where the operational
    clock runs ``speed[day]`` times as fast on each day (a time change by the cumulative
    rate): a renewal process keeps its gap distribution and its count grows with ``speed``."""
    speed = [float(x) for x in speed]
    n = len(speed)
    day, passed = 0, 0.0  # operational time at the start of ``day``
    for s in times:
        while day < n and passed + speed[day] <= s:
            passed += speed[day]
            day += 1
        if day >= n:
            return
        yield day + (s - passed) / speed[day]


def operational_time(t: float, speed: np.ndarray) -> float:
    """The operational clock's reading at simulation time ``t`` (see :func:`time_changed`)."""
    day = min(int(t), len(speed))
    return float(speed[:day].sum()) + (t - day) * (float(speed[day]) if day < len(speed) else 0.0)


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
    referrals: bool = False,
) -> Iterator[float]:
    """The arrival times of one stream of a scenario, drawn from its own random streams:
    ``<key>/arrivals`` for a rate, ``<key>/interarrival`` for gaps. Elective ``referrals``
    follow the calendar's bank holiday rule (rates only) and the demand's growth (rates,
    and gaps by a time change; set times are refused when the scenario is read)."""
    if pattern.interarrival is not None:
        gap = streams.sampler(f"{key}/interarrival", pattern.interarrival)
        speed = calendar.growth if referrals else None
        if speed is not None:
            ops = renewal_times(gap, float(speed.sum()), operational_time(start, speed))
            return time_changed(ops, speed)
        return renewal_times(gap, calendar.days, start)
    if pattern.schedule is not None:
        s = pattern.schedule
        days = {WEEKDAYS.index(d) for d in s.days}
        return scheduled_times(calendar.weekday, s.times, days, s.patients, start)
    rates = calendar.daily_rates(
        rate_per_day,
        pattern.weekday_profile or weekday_profile,
        pattern.monthly_profile or monthly_profile,
        referrals,
    )
    return arrival_times(rates, streams.exponentials(f"{key}/arrivals"), start)


class Arrivals(Due):
    """Calls ``arrive(t)`` at each arrival time ``t`` of ``times`` (any iterator of
    increasing times: :func:`arrival_times`, :func:`renewal_times`, :func:`scheduled_times`).

    The stream is its own event, due again at each arrival: what a SimPy process looping
    over ``yield env.timeout(...)`` would do, at the same times and in the same order,
    without a generator to resume or a timeout to make for every arrival.
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
            self.due(env, t - env.now, _FIRE)

    def _fire(self, _event: object = None) -> None:
        self._arrive(self._next)
        self._schedule()


_FIRE = (Arrivals._fire,)
