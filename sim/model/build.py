"""Scenario → SimPy objects: one replication of a collaborative, ready to step or run.

``CollaborativeModel(scenario, seed, rep)`` builds the sites' ward beds, theatres and
waiting lists, the referral and emergency streams, and the processes that book lists,
take patients off the list and record snapshots. A notebook can ``step()`` it a week at
a time and look inside; :func:`sim.replication.run_replication` runs it to the horizon.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator
from contextlib import contextmanager

import simpy

from ..scenario.schema import WEEKDAYS, Scenario
from . import records as rec
from .backlog import initial_patients
from .beds import WardBeds
from .calendar import Calendar
from .critical_care import CriticalCareNetwork
from .elective import ElectivePathway
from .emergency import EmergencyDemand
from .mutual_aid import MutualAidPolicy
from .patient import PatientFactory
from .staff import StaffRoster
from .streams import Streams
from .theatre import SessionSlot, Theatre

WEEK = 7.0


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector for the event loop; restore it after.

    A run builds up objects that live until its end (patients, records, time series),
    and the collector scans them again and again: about a third of the run time on
    the Black Country hubs scenario. The loop itself makes no reference cycles
    (``tests/test_engine_gc.py`` checks that ``gc.collect()`` after a run finds
    nothing), so reference counting frees everything and pausing costs no memory.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class CollaborativeModel:
    """The sites, patients and processes of one replication of a scenario."""

    def __init__(self, scenario: Scenario, seed: int = 0, rep: int = 0, log_events: bool = False):
        sc = self.scenario = scenario
        self.seed = seed
        self.rep = rep
        self.env = env = simpy.Environment()
        self.horizon = sc.horizon
        self.calendar = Calendar(sc.start_date, sc.horizon)
        self.streams = streams = Streams(seed, rep)
        self.recorder = rec.Recorder(log_events, sc.warm_up)
        pol = sc.policies
        self.beds: dict[str, WardBeds] = {
            sid: WardBeds(
                env,
                sid,
                s.beds.general,
                s.beds.elective,
                s.beds.turnaround,
                pol.ring_fence_elective_beds,
                pol.electives_use_general_beds,
            )
            for sid, s in sc.sites.items()
            if s.beds is not None
        }
        self.critical_care = (
            CriticalCareNetwork(env, sc, self.calendar, streams, self.recorder)
            if any(s.critical_care is not None for s in sc.sites.values())
            else None
        )
        backlog = initial_patients(sc, streams)
        oldest = max((entry[3] for entry in backlog), default=0.0)
        self.elective = ElectivePathway(
            env,
            sc,
            self.calendar,
            streams,
            self.beds,
            self.recorder,
            oldest_wait=oldest,
            critical_care=self.critical_care,
        )
        self.theatres = self._build_theatres()
        self.emergencies = {
            sid: EmergencyDemand(
                env,
                sid,
                s.emergency,
                self.beds[sid],
                self.calendar,
                streams,
                self.recorder,
                s.critical_care,
                self.critical_care,
            )
            for sid, s in sc.sites.items()
            if s.emergency is not None
        }
        # Patients already waiting, then the processes.
        pairs = {(s, p) for s, by in sc.initial_waiting_list.lists.items() for p in by}
        pairs |= {(s, p) for s, p, *_ in backlog}
        init_factories = {
            (s, p): PatientFactory(
                sc, streams, "initial", s, p, self._mix(s, p), self._quintile_mix(s, p)
            )
            for s, p in sorted(pairs)
        }
        self.elective.add_initial(init_factories, backlog)
        for sid, by_proc in sorted(sc.demand.referrals.items()):
            for pid, line in sorted(by_proc.items()):
                if line.per_week <= 0:
                    continue
                factory = PatientFactory(
                    sc,
                    streams,
                    "referrals",
                    sid,
                    pid,
                    self._mix(sid, pid),
                    self._quintile_mix(sid, pid),
                )
                rates = self.calendar.daily_rates(
                    line.per_week / 7.0, sc.demand.weekday_profile, sc.demand.monthly_profile
                )
                exp1 = streams.exponentials(f"referrals/{sid}/{pid}/arrivals")
                self.elective.start_referrals(factory, rates, exp1)
        for em in self.emergencies.values():
            em.start()
        if self.critical_care is not None:
            self.critical_care.start()
        env.process(self._booking())
        self.roster = (
            StaffRoster(env, sc, self.calendar, streams, self.recorder, self.sessions_on)
            if sc.staff is not None
            else None
        )
        for theatre in self.theatres:
            theatre.roster = self.roster
        self.mutual_aid = [
            MutualAidPolicy(env, name, rule, sc, self.elective, streams, self.recorder)
            for name, rule in sc.policies.mutual_aid.items()
        ]
        for scheme in self.mutual_aid:
            env.process(scheme.process(self.horizon))
        env.process(self.elective.removal_process())
        if self.elective._rescoring:
            env.process(self.elective.rescore_process())
        env.process(self._monitor())
        self.warmed_up = sc.warm_up <= 0
        self.at_warm_up: dict[str, object] = {}
        if self.warmed_up:
            self._mark_warm_up()
        else:
            env.timeout(sc.warm_up).callbacks.append(lambda _e: self._mark_warm_up())

    # -- construction --------------------------------------------------------------------
    def _mix(self, site: str, procedure: str) -> dict[str, float]:
        sc = self.scenario
        line = sc.demand.referrals.get(site, {}).get(procedure)
        entry = sc.initial_waiting_list.lists.get(site, {}).get(procedure)
        for candidate in (line, entry):
            if candidate is not None and candidate.priority_mix is not None:
                return candidate.priority_mix
        return sc.demand.priority_mix

    def _quintile_mix(self, site: str, procedure: str) -> dict[int, float] | None:
        """Deprivation mix of a referral stream: its own, its site's, or the default."""
        d = self.scenario.demand
        line = d.referrals.get(site, {}).get(procedure)
        if line is not None and line.quintile_mix is not None:
            return line.quintile_mix
        return d.quintile_mix_by_site.get(site, d.quintile_mix)

    def _build_theatres(self) -> list[Theatre]:
        sc = self.scenario
        theatres = []
        for sid, site in sc.sites.items():
            for tname, spec in site.theatres.items():
                day = spec.theatre_day or sc.policies.theatre_day
                for copy in range(spec.count):
                    name = tname if spec.count == 1 else f"{tname}#{copy + 1}"
                    slots = [
                        SessionSlot(
                            sid,
                            name,
                            plan.specialty,
                            frozenset(WEEKDAYS.index(d) for d in plan.days),
                            plan.start_offset,
                            plan.session_length,
                        )
                        for plan in spec.sessions
                    ]
                    key = f"theatre/{sid}/{name}"
                    theatres.append(
                        Theatre(
                            self.env,
                            sid,
                            name,
                            slots,
                            self.streams.sampler(f"{key}/late_start", day.late_start),
                            self.streams.sampler(f"{key}/early_finish", day.early_finish),
                            day.turnover,
                            day.overrun_allowed,
                        )
                    )
        return theatres

    def sessions_on(self, day: int) -> list[tuple[Theatre, SessionSlot]]:
        """Every session planned on ``day``, in the fixed order used for booking and staffing."""
        weekday = int(self.calendar.weekday[day])
        return [
            (theatre, slot)
            for theatre in self.theatres
            for slot in theatre.slots_on(weekday)
            if day + slot.start < self.horizon
        ]

    # -- processes -----------------------------------------------------------------------
    def _booking(self):
        """Each day, finalise the lists of the sessions ``lead_time`` ahead."""
        env = self.env
        booking = self.scenario.policies.booking
        lead = booking.lead_time
        can_book = self.elective.can_book if self.critical_care is not None else None
        for day in range(math.ceil(self.horizon)):
            t = max(0.0, day - lead)
            if t > env.now:
                yield env.timeout(t - env.now)
            for theatre, slot in self.sessions_on(day):
                patients = theatre.book(
                    slot,
                    self.elective.lists[(slot.site, slot.specialty)],
                    self.elective.planning_time,
                    booking.fill_to,
                    booking.lookahead,
                    self.elective.shortest_case[slot.specialty],
                    can_book,
                )
                if self.recorder.events is not None:
                    for p in patients:
                        self.recorder.log(
                            env.now, rec.BOOKED, p.pid, slot.site, f"{theatre.name} day {day}"
                        )
                env.process(theatre.run_session(day, slot, patients, self.elective))

    def _monitor(self):
        """Snapshots every ``snapshot_interval``: list sizes, long waiters, beds in use."""
        env = self.env
        step = self.scenario.snapshot_interval
        while env.now <= self.horizon + 1e-9:
            self._snapshot()
            yield env.timeout(step)

    def _snapshot(self) -> None:
        t = self.env.now
        out = self.recorder.timeseries
        for site, (waiting, over18, over52) in self.elective.census_counts(t).items():
            out.append((t, site, "waiting_list", waiting))
            out.append((t, site, "over_18_weeks", over18))
            out.append((t, site, "over_52_weeks", over52))
        for sid, beds in self.beds.items():
            out.append((t, sid, "general_beds_occupied", beds.general.busy))
            out.append((t, sid, "elective_beds_occupied", beds.elective.busy))
            out.append((t, sid, "emergency_queue", len(beds.emergency_queue)))
        if self.critical_care is not None:
            for sid, unit in self.critical_care.units.items():
                out.append((t, sid, "cc_beds_occupied", unit.pool.busy))
                out.append((t, sid, "cc_queue", len(unit.queue)))
            out.append((t, "", "cc_beds_occupied", self.critical_care.network.busy))

    def _mark_warm_up(self) -> None:
        self.warmed_up = True
        self.recorder.mark_warm_up(self.env.now)
        self.at_warm_up = {
            "beds": {sid: (b.general.stats(), b.elective.stats()) for sid, b in self.beds.items()},
            "cc": self._cc_pools_stats(),
            "pathway_area": self.elective.pathway_area,
        }

    def _cc_pools_stats(self) -> dict[str, tuple[float, list[float]]]:
        if self.critical_care is None:
            return {}
        pools = [u.pool for u in self.critical_care.units.values()] + [self.critical_care.network]
        return {p.name: p.stats() for p in pools}

    # -- running -------------------------------------------------------------------------
    @property
    def now(self) -> float:
        return self.env.now

    def step(self, days: float = WEEK) -> None:
        """Advance the simulation by ``days`` (not beyond the horizon)."""
        self.run(until=min(self.env.now + days, self.horizon))

    def run(self, until: float | None = None) -> None:
        """Run to ``until`` days, or to the scenario's horizon."""
        end = self.horizon if until is None else min(until, self.horizon)
        if end > self.env.now:
            with cyclic_gc_paused():
                self.env.run(until=end)

    def check_conservation(self) -> None:
        """Every patient accounted for and no bed pool over or under full; raises if not."""
        self.elective.check_conservation()
        for em in self.emergencies.values():
            em.check_conservation()
        if self.critical_care is not None:
            self.critical_care.check_conservation()
        for beds in self.beds.values():
            for pool in (beds.general, beds.elective):
                if not 0 <= pool.busy <= pool.capacity:
                    raise rec.ConservationError(
                        f"{pool.name}: {pool.busy} beds in use of {pool.capacity}"
                    )

    def state(self) -> dict[str, dict[str, float]]:
        """Current state by site, for a quick look from a notebook."""
        out: dict[str, dict[str, float]] = {}
        for (sid, spec), wl in self.elective.lists.items():
            out.setdefault(sid, {})[f"waiting_{spec}"] = len(wl)
        for sid, beds in self.beds.items():
            d = out.setdefault(sid, {})
            d["general_beds_occupied"] = beds.general.busy
            d["elective_beds_occupied"] = beds.elective.busy
            d["emergency_queue"] = len(beds.emergency_queue)
        return out
