"""Scenario → SimPy objects: one replication of a collaborative, ready to step or run.

``CollaborativeModel(scenario, seed, rep)`` builds each feature's components from its own
part of the scenario (ward beds, critical care units, the elective pathway with its
theatres and waiting lists, emergency demand, mutual aid, staff rosters), the processes
that book lists and record snapshots, and the :class:`~sim.model.ledger.Ledger` they all
write to. A notebook can ``step()`` it a week at a time and look inside;
:func:`sim.replication.run_replication` runs it to the horizon.
"""

from __future__ import annotations

import gc
import itertools
import math
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import simpy

from ..scenario.elective import SessionPlan
from ..scenario.networks import CRITICAL_CARE, network_policy, units_of
from ..scenario.schema import Scenario
from ..scenario.types import WEEKDAYS
from .backlog import initial_patients
from .calendar import Calendar, IndustrialActionLosses, pattern_times
from .critical_care import DETERIORATION, FROM_EMERGENCY, CriticalCareNetwork
from .elective import BOOKED, ElectivePathway, ElectiveRules
from .emergencies import CriticalCareReferral, EmergencyDemand, source_tallies
from .equity import Rescoring
from .geography import Geography
from .ledger import Ledger
from .mutual_aid import MutualAidPolicy
from .networks import BedNetwork, CensusPoolTally, NetworkTally, UnitTally, count_census
from .patient import PatientFactory
from .routing import Router
from .staff import StaffRoster
from .streams import Streams
from .theatre import CaseMix, SessionSlot, Theatre
from .waiting_list import booking_order
from .wards import WardBeds

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


def _templates(plan: SessionPlan) -> tuple[tuple[float, CaseMix], ...]:
    """A session template as (cumulative probability, case mix) alternatives."""
    out, cum = [], 0.0
    for p, cases in plan.case_mixes():
        cum += p
        mix = tuple(cases.items()) if isinstance(cases, dict) else ((None, cases),)
        out.append((cum, mix))
    return tuple(out)


class CollaborativeModel:
    """The sites, patients and processes of one replication of a scenario."""

    def __init__(self, scenario: Scenario, seed: int = 1, rep: int = 0, log_events: bool = False):
        # Building makes no garbage cycles, but a deep backlog is millions of objects that
        # the collector would otherwise scan again and again (half the build time).
        with cyclic_gc_paused():
            self._build(scenario, seed, rep, log_events)

    def _build(self, scenario: Scenario, seed: int, rep: int, log_events: bool) -> None:
        sc = self.scenario = scenario
        self.seed = seed
        self.rep = rep
        self.env = env = simpy.Environment()
        self.horizon = sc.horizon
        self.calendar = calendar = Calendar(
            sc.start_date, sc.horizon, sc.calendar, sc.demand.growth_per_year
        )
        self.streams = streams = Streams(seed, rep)
        self.ledger = ledger = Ledger(list(sc.sites), sc.warm_up, log_events)
        geography = Geography.of(sc.sites)
        pol = sc.policies
        self.beds: dict[str, WardBeds] = {
            sid: WardBeds(
                env,
                sid,
                s.beds,
                pol.ring_fence_elective_beds,
                pol.electives_use_general_beds,
                ledger,
                calendar,
                pol.wait_for_bed,
                streams,
            )
            for sid, s in sc.sites.items()
            if s.beds is not None
        }
        self.networks = self._build_networks(geography)
        """The units of each bed type (critical care included), by bed type."""
        cc = self.networks.get(CRITICAL_CARE)
        self.critical_care: CriticalCareNetwork | None = cc  # type: ignore[assignment]
        backlog = initial_patients(sc.initial_waiting_list, streams)
        oldest = max((entry[3] for entry in backlog), default=0.0)
        rules = ElectiveRules(
            procedures=sc.procedures,
            lists=[(sid, spec) for sid, site in sc.sites.items()
                   for spec in sorted(site.specialties())],
            order=booking_order(pol.booking),
            rebook_first=pol.on_cancellation == "rebook_first",
            leave=pol.on_cancellation == "leave",
            bed_wait_order=pol.wait_for_bed.order if pol.wait_for_bed else "list_order",
            removal_per_year=sc.demand.removal_per_year,
            patient_cancellation=sc.demand.patient_cancellation_probability,
        )  # fmt: skip
        self.elective = ElectivePathway(
            env,
            rules,
            Router(sc, geography, self._list_length),
            Rescoring(env, pol.escalation, pol.booking),
            calendar,
            streams,
            self.beds,
            ledger,
            oldest_wait=oldest,
            critical_care=self.critical_care,
        )
        self.theatres = self._build_theatres()
        self.industrial_action = (
            IndustrialActionLosses(
                sc.calendar.industrial_action, calendar, self._planned_on, streams, ledger
            )
            if sc.calendar.industrial_action
            else None
        )
        sources = source_tallies(
            ledger, {sid: s.emergency for sid, s in sc.sites.items() if s.emergency is not None}
        )
        self.emergencies = {
            sid: EmergencyDemand(
                env, sid, s.emergency, self.beds[sid], calendar, streams, ledger,
                self._cc_referral(sid), sources,
            )
            for sid, s in sc.sites.items()
            if s.emergency is not None
        }  # fmt: skip
        # Patients already waiting, then the processes.
        pairs = {(s, p) for s, by in sc.initial_waiting_list.lists.items() for p in by}
        pairs |= {(s, p) for s, p, *_ in backlog}
        init_factories = {(s, p): self._factory("initial", s, p) for s, p in sorted(pairs)}
        self.elective.add_initial(init_factories, backlog)
        for sid, by_proc in sorted(sc.demand.referrals.items()):
            for pid, line in sorted(by_proc.items()):
                if line.per_week is not None and line.per_week <= 0:
                    continue
                factory = self._factory("referrals", sid, pid)
                rate = None if line.per_week is None else line.per_week / 7.0
                times = pattern_times(
                    line, rate, calendar, streams, f"referrals/{sid}/{pid}", 0.0,
                    sc.demand.weekday_profile, sc.demand.monthly_profile, referrals=True,
                )  # fmt: skip
                self.elective.start_referrals(factory, times)
        for em in self.emergencies.values():
            em.start()
        for net in self.networks.values():
            net.start()
        if sc.census is not None:
            self._start_census()
        if self.theatres:  # without theatres the daily booking round has nothing to book
            env.process(self._booking())
        specialties = {p.specialty for p in sc.procedures.values()}
        self.roster = (
            StaffRoster(
                env, sc.staff, specialties, geography, calendar, streams, ledger, self.sessions_on
            )
            if sc.staff is not None
            else None
        )
        for theatre in self.theatres:
            theatre.roster = self.roster
        self.mutual_aid = [
            MutualAidPolicy(env, name, rule, geography, specialties, self.elective, streams, ledger)
            for name, rule in pol.mutual_aid.items()
        ]
        for scheme in self.mutual_aid:
            env.process(scheme.process(self.horizon))
        if self.elective.removes_patients:
            env.process(self.elective.removal_process())
        if self.elective.rescoring is not None:
            env.process(self.elective.rescoring.process())
        env.process(self._monitor())
        self._declare_features()
        self.warmed_up = sc.warm_up <= 0
        if self.warmed_up:
            ledger.mark_warm_up(env.now)
        else:
            env.timeout(sc.warm_up).callbacks.append(self._mark_warm_up)
        if self.beds:
            # After the warm-up mark, so a midnight that coincides with it is counted.
            env.timeout(1.0).callbacks.append(self._midnight)

    # -- construction --------------------------------------------------------------------
    def _list_length(self, site: str, specialty: str) -> int:
        return self.elective.list_length(site, specialty)

    def _factory(self, prefix: str, site: str, procedure: str) -> PatientFactory:
        """Draws the patients of one referral stream (or of the list at time 0)."""
        sc = self.scenario
        d = sc.demand
        line = d.referrals.get(site, {}).get(procedure)
        entry = sc.initial_waiting_list.lists.get(site, {}).get(procedure)
        priority_mix = next(
            (c.priority_mix for c in (line, entry) if c is not None and c.priority_mix is not None),
            d.priority_mix,
        )
        if line is not None and line.quintile_mix is not None:
            quintile_mix = line.quintile_mix
        else:
            quintile_mix = d.quintile_mix_by_site.get(site, d.quintile_mix)
        return PatientFactory(
            procedure, sc.procedures[procedure], self.streams, prefix, site, priority_mix,
            quintile_mix,
        )  # fmt: skip

    def _build_networks(self, geography: Geography) -> dict[str, BedNetwork]:
        """One network per bed type with units; their tallies made once, in one table each."""
        sc = self.scenario
        units = units_of(sc)
        if not units:
            return {}
        env, ledger = self.env, self.ledger
        ids = itertools.count(1)
        totals = dict(zip(units, ledger.tallies(NetworkTally, keys=list(units)), strict=True))
        keys = [f"{sid}/{bt}" for bt, by in units.items() if bt != CRITICAL_CARE for sid in by]
        tallies = dict(zip(keys, ledger.tallies(UnitTally, keys=keys), strict=True))
        ledger.extra["out_of_area"] = {
            f"{sid}/{bt}" for bt, by in units.items() for sid, u in by.items() if u.out_of_area
        }
        out: dict[str, BedNetwork] = {}
        for bt, by_site in units.items():
            common = (geography, self.calendar, self.streams, ledger)
            if bt == CRITICAL_CARE:
                post_op = any(p.critical_care is not None for p in sc.procedures.values())
                shares = {k: p.critical_care.level_3_share for k, p in sc.procedures.items()
                          if p.critical_care is not None}  # fmt: skip
                out[bt] = CriticalCareNetwork(
                    env,
                    by_site,
                    sc.policies.critical_care,
                    *common,
                    totals[bt],
                    ids,
                    post_op,
                    shares,
                )  # type: ignore[arg-type]
                continue
            out[bt] = BedNetwork(
                env, bt, by_site, network_policy(sc, bt), *common,
                {sid: tallies[f"{sid}/{bt}"] for sid in by_site}, totals[bt],
                prefix=f"units/{bt}", events=bt, ids=ids,
            )  # fmt: skip
        for net in out.values():
            net.link(out)
        return out

    def _start_census(self) -> None:
        """Each day at the census time, count the patients in the units the census covers."""
        census = self.scenario.census
        covered = set(census.probability_of_delay)
        for pool in census.pools.values():
            covered.update(pool.bed_types)
        nets = [net for bt, net in self.networks.items() if bt in covered]
        pools = [
            ([self.networks[bt].network for bt in pool.bed_types], tally)
            for pool, tally in zip(
                census.pools.values(),
                self.ledger.tallies(CensusPoolTally, keys=list(census.pools)),
                strict=True,
            )
        ]
        self.ledger.extra["census"] = (
            dict(census.probability_of_delay),
            {name: pool.probability_of_delay for name, pool in census.pools.items()},
        )
        env = self.env
        step = 1.0

        def take(_event: simpy.Event) -> None:
            for net in nets:
                net.census()
            for members, tally in pools:
                count_census(tally.census, sum(m.busy for m in members))
            env.timeout(step).callbacks.append(take)

        env.timeout(census.time_of_day).callbacks.append(take)

    def _cc_referral(self, site: str) -> CriticalCareReferral | None:
        unit = self.scenario.sites[site].critical_care
        if unit is None or self.critical_care is None:
            return None
        return CriticalCareReferral(
            unit.from_emergency_probability, unit.deterioration_probability,
            self.critical_care.referral(FROM_EMERGENCY),
            self.critical_care.referral(DETERIORATION),
        )  # fmt: skip

    def _build_theatres(self) -> list[Theatre]:
        sc = self.scenario
        calendar = self.calendar
        theatres = []
        for sid, site in sc.sites.items():
            for tname, spec in site.theatres.items():
                day = spec.theatre_day or sc.policies.theatre_day
                closed = calendar.theatre_closed(spec, not spec.runs_on_bank_holidays)
                runs = [calendar.plan_days(plan, spec, closed) for plan in spec.sessions]
                sessions = (
                    sorted(
                        (int(d), plan.start_offset, j)
                        for j, (plan, mask) in enumerate(zip(spec.sessions, runs, strict=True))
                        for d in np.flatnonzero(mask)
                    )
                    if spec.ramp_up
                    else []
                )
                for copy in range(spec.count):
                    name = tname if spec.count == 1 else f"{tname}#{copy + 1}"
                    ramp = calendar.ramp_up(spec, sessions, copy, spec.count)
                    slots = [
                        SessionSlot(
                            sid,
                            name,
                            plan.specialty,
                            frozenset(WEEKDAYS.index(d) for d in plan.days),
                            plan.start_offset,
                            plan.session_length,
                            self._skipped(plan, runs[j], {d for d, k in ramp if k == j}),
                            _templates(plan),
                        )
                        for j, plan in enumerate(spec.sessions)
                    ]
                    key = f"theatre/{sid}/{name}"
                    theatre = Theatre(
                        self.env,
                        sid,
                        name,
                        slots,
                        self.streams.sampler(f"{key}/late_start", day.late_start),
                        self.streams.sampler(f"{key}/early_finish", day.early_finish),
                        day.turnover,
                        day.overrun_allowed,
                    )
                    if any(len(slot.templates) > 1 for slot in slots):
                        theatre.choose_mix = self.streams.uniforms(f"{key}/case_mix")
                    theatres.append(theatre)
        return theatres

    def _skipped(self, plan: SessionPlan, runs: np.ndarray, ramp: set[int]) -> frozenset[int]:
        """Days of a plan's weekdays on which it does not run (see :class:`SessionSlot`)."""
        weekdays = np.isin(self.calendar.weekday, [WEEKDAYS.index(d) for d in plan.days])
        return frozenset(np.flatnonzero(weekdays & ~runs).tolist()) | ramp

    def _declare_features(self) -> None:
        """Tell the ledger which features this scenario has (metrics reports theirs)."""
        present = {
            "elective": any(s.theatres for s in self.scenario.sites.values()),
            "wards": bool(self.beds),
            "emergencies": bool(self.emergencies),
            "critical_care": self.critical_care is not None,
            "nursing": self.critical_care is not None and self.critical_care.nursing,
            "networks": any(bt != CRITICAL_CARE for bt in self.networks),
            "mutual_aid": bool(self.mutual_aid),
            "staff": self.roster is not None,
            "calendar": self.industrial_action is not None,
            "cancellation_leave": self.scenario.policies.on_cancellation == "leave",
            "bed_wait": bool(self.beds) and self.scenario.policies.wait_for_bed is not None,
            "session_templates": any(
                plan.cases is not None
                for s in self.scenario.sites.values()
                for t in s.theatres.values()
                for plan in t.sessions
            ),
        }
        self.ledger.features.update(name for name, here in present.items() if here)

    def sessions_on(self, day: int) -> list[tuple[Theatre, SessionSlot]]:
        """Every session to run on ``day``, in the fixed order used for booking and staffing
        (without those lost to industrial action)."""
        planned = self._planned_on(day)
        if self.industrial_action is None:
            return planned
        lost = self.industrial_action.lost
        return [(t, s) for t, s in planned if (day, s.site, t.name, s.start) not in lost]

    def _planned_on(self, day: int) -> list[tuple[Theatre, SessionSlot]]:
        """Every session planned on ``day`` by the theatres' calendars."""
        weekday = int(self.calendar.weekday[day])
        return [
            (theatre, slot)
            for theatre in self.theatres
            for slot in theatre.slots_on(weekday, day)
            if day + slot.start < self.horizon
        ]

    # -- processes -----------------------------------------------------------------------
    def _booking(self):
        """Each day, finalise the lists of the sessions ``lead_time`` ahead."""
        env = self.env
        booking = self.scenario.policies.booking
        lead = booking.lead_time
        cc = self.critical_care
        checked = cc is not None and self.scenario.policies.critical_care.check_at_booking
        can_book = self.elective.can_book if checked else None
        deferred = cc.booking_deferred if checked else None
        wait = self.scenario.policies.wait_for_bed is not None
        log = self.ledger.events is not None
        for day in range(math.ceil(self.horizon)):
            t = max(0.0, day - lead)
            if t > env.now:
                yield env.timeout(t - env.now)
            for theatre, slot in self.sessions_on(day):
                waiting_list = self.elective.lists[(slot.site, slot.specialty)]
                if slot.templates:
                    patients, unfilled = theatre.book_cases(
                        slot, waiting_list, booking.lookahead, can_book, deferred
                    )
                    self.elective.template_booked(slot.site, len(patients), unfilled)
                else:
                    patients = theatre.book(
                        slot,
                        waiting_list,
                        self.elective.planning_time,
                        booking.fill_to,
                        booking.lookahead,
                        self.elective.shortest_case[slot.specialty],
                        can_book,
                        deferred,
                    )
                self.elective.booked(patients)
                if log:
                    for p in patients:
                        self.ledger.log(
                            env.now, BOOKED, p.pid, slot.site, f"{theatre.name} day {day}"
                        )
                if wait:
                    env.process(theatre.run_session_waiting(day, slot, patients, self.elective))
                else:
                    theatre.run_session(day, slot, patients, self.elective)

    def _monitor(self):
        """Snapshots every ``snapshot_interval`` before the horizon (:meth:`run` takes the
        horizon's own): list sizes, long waiters, beds in use."""
        env = self.env
        step = self.scenario.snapshot_interval
        while env.now < self.horizon - 1e-9:
            self._snapshot()
            yield env.timeout(step)

    def _snapshot(self) -> None:
        t = self.env.now
        ledger = self.ledger
        self.elective.snapshot(ledger, t)
        for beds in self.beds.values():
            beds.snapshot(ledger, t)
        for net in self.networks.values():
            net.snapshot(ledger, t)

    def _midnight(self, _event: simpy.Event) -> None:
        """Each midnight: the beds occupied, for the KH03 occupancy."""
        for beds in self.beds.values():
            beds.midnight()
        self.env.timeout(1.0).callbacks.append(self._midnight)

    def _mark_warm_up(self, _event: simpy.Event) -> None:
        self.warmed_up = True
        self.ledger.mark_warm_up(self.env.now)

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
            if end >= self.horizon:
                # SimPy stops before the events due at ``until``: the horizon's snapshot
                # is taken here, once, whether or not it falls on the snapshot grid.
                self._snapshot()

    def check_conservation(self) -> None:
        """Every patient accounted for and no bed pool over or under full; raises if not."""
        self.elective.check_conservation()
        for em in self.emergencies.values():
            em.check_conservation()
        for net in self.networks.values():
            net.check_conservation()
        for beds in self.beds.values():
            beds.check()

    def close(self) -> Ledger:
        """End the run's books: the ledger, measured from the warm-up to now, for metrics."""
        self.elective.close(self.ledger)
        self.ledger.close(self.env.now)
        return self.ledger

    def release(self) -> None:
        """After :meth:`close`: let go of the patients still waiting, so that a large model
        is freed at once by reference counting (no sweep of the garbage collector)."""
        self.elective.release()

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
