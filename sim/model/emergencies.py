"""Emergency admissions: the pressure on general beds that cancels elective operations.

Admissions arrive as a Poisson process whose rate follows the weekday and month
profile of the scenario (or with gaps from a distribution, or at set times), in one
stream or in several named streams (A&E, GP referrals ...), each with its own arrivals
and stay. Each needs a general bed for its length of stay (plus any delayed discharge).
With none free the patient either waits in the emergency department for the next
general bed (``queue``; an M/G/c queue, Erlang C when stays are exponential) or is
taken to another hospital (``divert``; an Erlang loss system). Some need critical care
on arrival, and step down to a general bed for their ward stay when it ends (waiting in
the emergency queue if none is free); some ward patients deteriorate part-way through their
stay and move to critical care (see :class:`CriticalCareReferral`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

import simpy

from ..scenario.emergencies import Emergency, EmergencyStream
from .calendar import Arrivals, Calendar, pattern_times
from .ledger import ConservationError, Ledger, Tally
from .streams import Streams
from .wards import BedPool, WardBeds

# Event-log codes.
ARRIVED = "emergency_arrived"
ADMITTED = "emergency_admitted"
DIVERTED = "emergency_diverted"
STEPPED_DOWN = "emergency_stepped_down"
"""Moved to a ward bed after critical care."""


@dataclass(slots=True)
class EmergencyTally(Tally):
    """Emergency admissions at one site."""

    emergency_arrivals: int = 0
    """Emergency patients arriving (those going straight to critical care included)."""
    emergency_admissions: int = 0
    emergency_diverted: int = 0
    wait_days: float = 0.0
    """Total wait for a bed of those admitted."""
    waited: int = 0
    """Admissions that waited for a bed at all."""


@dataclass(slots=True)
class EmergencySourceTally(Tally):
    """Emergency admissions of one named stream at one site (key ``site/stream``)."""

    emergency_arrivals: int = 0
    emergency_admissions: int = 0
    emergency_diverted: int = 0
    wait_days: float = 0.0
    waited: int = 0


def source_tallies(
    ledger: Ledger, sites: Mapping[str, Emergency]
) -> dict[str, EmergencySourceTally]:
    """One tally per named emergency stream of every site, keyed ``site/stream`` (none for
    sites with a single stream)."""
    keys = [f"{sid}/{name}" for sid, em in sites.items() for name in em.streams or ()]
    return dict(zip(keys, ledger.tallies(EmergencySourceTally, keys), strict=True)) if keys else {}


@dataclass(frozen=True)
class CriticalCareReferral:
    """How a site's emergency patients reach critical care: the share needing it on
    arrival, the share of ward patients who deteriorate, and where to send them."""

    on_arrival: float
    deterioration: float
    admit: Callable[[str, StepDown | None], None]
    """``admit(site, then)``: an unplanned critical care patient from ``site``'s emergency
    department, who moves on as ``then`` says when the critical care stay ends."""
    deteriorated: Callable[[str], None]
    """``deteriorated(site)``: an unplanned critical care patient from ``site``'s wards."""


class StepDown:
    """An emergency patient in critical care who steps down to a ward bed at their site when
    the critical care stay ends, for the ward stay drawn on arrival."""

    __slots__ = ("demand", "los")

    def __init__(self, demand: EmergencyDemand, los: float):
        self.demand = demand
        self.los = los

    def moved_in(self, _previous: object, _from_site: str) -> None:
        self.demand.step_down(self.los)


class _Stream:
    """One stream of a site's emergency admissions: its random streams and, for a named
    stream, its own tally."""

    __slots__ = ("spec", "key", "los", "delay_p", "u_delay", "delay", "u_cc", "u_det",
                 "u_det_at", "tally")  # fmt: skip

    def __init__(
        self,
        spec: Emergency | EmergencyStream,
        key: str,
        streams: Streams,
        tally: EmergencySourceTally | None,
    ):
        self.spec = spec
        self.key = key
        self.los = streams.sampler(f"{key}/los", spec.length_of_stay)
        delay = spec.delayed_discharge
        self.delay_p = 0.0 if delay is None else delay.probability
        self.u_delay = streams.uniforms(f"{key}/delay")
        self.delay = None if delay is None else streams.sampler(f"{key}/delay_extra", delay.extra)
        self.u_cc = streams.uniforms(f"{key}/critical_care")
        self.u_det = streams.uniforms(f"{key}/deterioration")
        self.u_det_at = streams.uniforms(f"{key}/deterioration_time")
        self.tally = tally

    def stay(self) -> float:
        los = self.los()
        if self.delay is not None:
            extra = self.delay()
            if self.u_delay() < self.delay_p:
                los += extra
        return los


class EmergencyDemand:
    """Emergency admissions to one site."""

    def __init__(
        self,
        env: simpy.Environment,
        site: str,
        spec: Emergency,
        beds: WardBeds,
        calendar: Calendar,
        streams: Streams,
        ledger: Ledger,
        critical_care: CriticalCareReferral | None = None,
        sources: Mapping[str, EmergencySourceTally] | None = None,
    ):
        self.env = env
        self.site = site
        self.beds = beds
        self.ledger = ledger
        self.tally = ledger.tallies(EmergencyTally)[ledger.index[site]]
        self._log = ledger.events is not None
        self._no_bed = self._divert if spec.when_full == "divert" else self._queue
        key = f"emergency/{site}"
        self._calendar = calendar
        self._random = streams
        if spec.streams is None:
            self._streams = [_Stream(spec, key, streams, None)]
        else:
            sources = sources or {}
            self._streams = [
                _Stream(s, f"{key}/{name}", streams, sources.get(f"{site}/{name}"))
                for name, s in spec.streams.items()
            ]
        self._to_cc = critical_care
        self._cc_p = 0.0 if critical_care is None else critical_care.on_arrival
        self._det_p = 0.0 if critical_care is None else critical_care.deterioration
        self.to_critical_care = 0
        """Arrivals sent straight to critical care (for the books)."""
        self.stepped_down = 0
        """Of those, patients moved to a ward bed after critical care."""
        self.step_down_waiting = 0
        """... and those waiting for a ward bed now (in the emergency queue)."""
        self.discharged = 0
        self._next_id = 0

    def start(self) -> None:
        """Start the streams of emergency admissions."""
        for stream in self._streams:
            spec = stream.spec
            times = pattern_times(
                spec, spec.admissions_per_day, self._calendar, self._random, stream.key,
                self.env.now,
            )  # fmt: skip
            Arrivals(self.env, times, partial(self._arrived, stream))

    def _arrived(self, stream: _Stream, _t: float) -> None:
        self.arrive(stream)

    def arrive(self, stream: _Stream | None = None) -> None:
        """An emergency patient of ``stream`` (the site's first, by default) arrives."""
        if stream is None:
            stream = self._streams[0]
        now = self.env.now
        self._next_id -= 1
        eid = self._next_id  # emergency patients get negative ids in the event log
        self.tally.emergency_arrivals += 1
        if stream.tally is not None:
            stream.tally.emergency_arrivals += 1
        if self._log:
            self.ledger.log(now, ARRIVED, eid, self.site)
        los = ward_stay = stream.stay()
        # A stream is drawn only if some value of it could matter: with a probability of
        # 0 none can (and each stream serves one purpose, so no other draw shifts).
        needs_cc = self._cc_p > 0 and stream.u_cc() < self._cc_p
        if self._det_p > 0:
            if stream.u_det() < self._det_p:  # deteriorates part-way through the ward stay
                los = -los * stream.u_det_at()  # negative: leaves the ward for critical care
            else:
                stream.u_det_at()
        if needs_cc:
            self.to_critical_care += 1
            self._to_cc.admit(self.site, StepDown(self, ward_stay))
            return
        pool = self.beds.admit_emergency()
        if pool is not None:
            self._admit(eid, pool, los, 0.0, stream)
        else:
            self._no_bed(eid, los, now, stream)

    def _queue(self, eid: int, los: float, since: float, stream: _Stream) -> None:
        """``when_full: queue``: wait in the emergency department for the next bed."""
        self.beds.wait_for_bed(
            lambda pool: self._admit(eid, pool, los, self.env.now - since, stream)
        )

    def _divert(self, eid: int, _los: float, now: float, stream: _Stream) -> None:
        """``when_full: divert``: taken to another hospital."""
        self.tally.emergency_diverted += 1
        if stream.tally is not None:
            stream.tally.emergency_diverted += 1
        self.ledger.log(now, DIVERTED, eid, self.site)

    def _admit(self, eid: int, pool: BedPool, los: float, waited: float, stream: _Stream) -> None:
        tally = self.tally
        tally.emergency_admissions += 1
        tally.wait_days += waited
        if waited > 0:
            tally.waited += 1
        source = stream.tally
        if source is not None:
            source.emergency_admissions += 1
            source.wait_days += waited
            source.waited += waited > 0
        if self._log:
            self.ledger.log(self.env.now, ADMITTED, eid, self.site, pool.name)
        if los < 0:  # deteriorates: leaves the ward for critical care
            self.env.timeout(-los).callbacks.append(lambda _e: self._discharge(pool, True))
        else:
            self.beds.leave_after(self.beds.stay(los), pool, self._discharged)

    def step_down(self, los: float) -> None:
        """A patient of this site leaves critical care for a ward bed (general first, as an
        emergency); with none free they wait for the next one, in the emergency queue."""
        pool = self.beds.admit_emergency()
        if pool is not None:
            self._stepped_down(los, pool)
            return
        self.step_down_waiting += 1

        def bed(pool: BedPool) -> None:
            self.step_down_waiting -= 1
            self._stepped_down(los, pool)

        self.beds.wait_for_bed(bed)

    def _stepped_down(self, los: float, pool: BedPool) -> None:
        self.stepped_down += 1
        self._next_id -= 1
        self.ledger.log(self.env.now, STEPPED_DOWN, self._next_id, self.site, pool.name)
        self.beds.leave_after(self.beds.stay(los), pool, self._discharged)

    def _discharged(self, _t: float) -> None:
        self.discharged += 1

    def _discharge(self, pool: BedPool, to_critical_care: bool = False) -> None:
        self.discharged += 1
        self.beds.discharge(pool)
        if to_critical_care:
            self._to_cc.deteriorated(self.site)

    def check_conservation(self) -> None:
        t = self.tally
        waiting = len(self.beds.emergency_queue) - self.step_down_waiting
        in_bed = t.emergency_admissions + self.stepped_down - self.discharged
        ends = (t.emergency_admissions, t.emergency_diverted, waiting, self.to_critical_care)
        if t.emergency_arrivals != sum(ends) or in_bed < 0:
            raise ConservationError(
                f"emergency patients at {self.site} do not add up: arrived "
                f"{t.emergency_arrivals} != admitted {ends[0]} + diverted {ends[1]} + waiting "
                f"{ends[2]} + straight to critical care {ends[3]}"
            )
