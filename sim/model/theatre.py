"""Operating theatres: weekly sessions, lists booked ahead, and what happens on the day.

On the day of a session the booked patients arrive in the morning. Each needs a ward
bed unless they are a day case; with none free the operation is cancelled on the day
(cause ``no_bed``). The list then starts, possibly late, and may have to stop early.
Before each case the team checks it can be finished in the time left (plus any allowed
overrun); if not the patient is cancelled, with cause ``overrun`` when earlier cases
took longer than planned and ``no_theatre_time`` when late starts and early finishes
ate the time. Cancelled patients return to the waiting list with their wait unchanged.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import simpy

from .later import Due
from .ledger import Cause
from .patient import BOOKED, Patient
from .waiting_list import WaitingList

if TYPE_CHECKING:
    from .elective import ElectivePathway
    from .staff import StaffRoster
    from .wards import BedPool


#: A session template's case mix: (procedure, cases) pairs; procedure None = any of the
#: specialty's procedures.
CaseMix = tuple[tuple[str | None, int], ...]


@dataclass(frozen=True, slots=True)
class SessionSlot:
    """One recurring session of one theatre."""

    site: str
    theatre: str
    specialty: str
    weekdays: frozenset[int]
    start: float
    """Start, in days after midnight."""
    length: float
    """Planned length, in days."""
    skip: frozenset[int] = field(default=frozenset(), compare=False)
    """Days of its weekdays on which it does not run (bank holidays, weeks closed for leave,
    other weeks of its cycle, before opening or after closing, ramping up)."""
    templates: tuple[tuple[float, CaseMix], ...] = ()
    """A session template's alternatives as (cumulative probability, case mix); empty:
    booked by planned minutes."""


class Lounge:
    """One session's patients under ``policies.wait_for_bed``: those admitted, ready for
    theatre (a heap by place on the list), and those still waiting for a bed."""

    __slots__ = ("ready", "waiting", "wake")

    def __init__(self) -> None:
        self.ready: list[tuple[int, Patient, BedPool | None]] = []
        self.waiting: dict[int, tuple[Patient, object]] = {}
        """Place on the list -> (patient, their wait in the lounge)."""
        self.wake: simpy.Event | None = None
        """Set while the theatre stands idle, waiting for a bed to free."""

    def wake_up(self) -> None:
        wake = self.wake
        if wake is not None and not wake.triggered:
            wake.succeed()


class Theatre:
    """One operating theatre at a site and its sessions."""

    def __init__(
        self,
        env: simpy.Environment,
        site: str,
        name: str,
        slots: list[SessionSlot],
        late_start: Callable[[], float],
        early_finish: Callable[[], float],
        turnover: float,
        overrun_allowed: float,
    ):
        self.env = env
        self.site = site
        self.name = name
        self.slots = slots
        self.late_start = late_start
        self.early_finish = early_finish
        self.turnover = turnover
        self.overrun_allowed = overrun_allowed
        self.roster: StaffRoster | None = None
        """Staff rosters deciding whether each session has its team (None: always staffed)."""
        self.choose_mix: Callable[[], float] | None = None
        """Uniform draws choosing among a session template's alternatives (own stream)."""

    def slots_on(self, weekday: int, day: int = -1) -> list[SessionSlot]:
        """The sessions of this theatre on ``day`` (a ``weekday``)."""
        return [s for s in self.slots if weekday in s.weekdays and day not in s.skip]

    def book(
        self,
        slot: SessionSlot,
        waiting_list: WaitingList,
        planning_time: Callable[[Patient], float],
        fill_to: float,
        lookahead: int,
        shortest_case: float = 0.0,
        can_book: Callable[[Patient, str, int], bool] | None = None,
        deferred: Callable[[str], None] | None = None,
    ) -> list[Patient]:
        """Fill a session from the waiting list, in booking order, by planned case times.

        Takes the next patient whose planned time fits the time left; up to ``lookahead``
        patients who do not fit keep their place on the list. Stops once not even the
        ``shortest_case`` of this specialty would fit. A patient ``can_book`` refuses (no
        post-operative bed) keeps their place too; ``deferred(site)`` is told of each one
        who would have been on the list had they had a bed (not of every one looked at).
        """
        left = slot.length * fill_to
        would_have = left
        """Time left on the list as it would be had the refused patients been booked."""
        booked: list[Patient] = []
        skipped: list[tuple] = []
        promised_cc = 0
        while len(skipped) < lookahead:
            if left + 1e-9 < shortest_case + (self.turnover if booked else 0.0):
                break
            entry = waiting_list.take()
            if entry is None:
                break
            patient = entry[3]
            need = planning_time(patient) + (self.turnover if booked else 0.0)
            fits = need <= left + 1e-9
            if fits and (can_book is None or can_book(patient, self.site, promised_cc)):
                promised_cc += patient.rare.needs_cc
                patient.state = BOOKED
                booked.append(patient)
                left -= need
                would_have -= need
            else:
                if fits and deferred is not None and need <= would_have + 1e-9:
                    deferred(self.site)
                    would_have -= need
                skipped.append(entry)
        for entry in skipped:
            waiting_list.put_back(entry)
        return booked

    def book_cases(
        self,
        slot: SessionSlot,
        waiting_list: WaitingList,
        lookahead: int,
        can_book: Callable[[Patient, str, int], bool] | None = None,
        deferred: Callable[[str], None] | None = None,
    ) -> tuple[list[Patient], int]:
        """Fill a session from its template: so many cases of each named procedure (or of
        any of the specialty's), taken in booking order; up to ``lookahead`` patients who
        are not wanted keep their place. Returns the patients booked and the template's
        places left empty. ``deferred(site)`` is told of each wanted patient ``can_book``
        refuses (no post-operative bed) while the template has places for them."""
        templates = slot.templates
        mix = templates[0][1]
        if len(templates) > 1:
            u = self.choose_mix()
            mix = next((m for cum, m in templates if u < cum), templates[-1][1])
        wanted = dict(mix)
        places = sum(wanted.values())
        anyone = wanted.pop(None, 0)
        booked: list[Patient] = []
        skipped: list[tuple] = []
        promised_cc = 0
        refused = 0
        while len(booked) < places and len(skipped) < lookahead:
            entry = waiting_list.take()
            if entry is None:
                break
            patient = entry[3]
            named = wanted.get(patient.procedure, 0) > 0
            if not (named or anyone > 0):
                skipped.append(entry)
            elif can_book is not None and not can_book(patient, self.site, promised_cc):
                if deferred is not None and len(booked) + refused < places:
                    deferred(self.site)
                    refused += 1
                skipped.append(entry)
            else:
                if named:
                    wanted[patient.procedure] -= 1
                else:
                    anyone -= 1
                promised_cc += patient.rare.needs_cc
                patient.state = BOOKED
                booked.append(patient)
        for entry in skipped:
            waiting_list.put_back(entry)
        return booked, places - len(booked)

    def staffed(
        self, day: int, slot: SessionSlot, patients: list[Patient], pathway: ElectivePathway
    ) -> float | None:
        """At the start of a session: the team's travel time if it has its team, else None
        (the session is lost and its ``patients`` cancelled)."""
        if self.roster is None:
            return 0.0
        staffed, travel = self.roster.outcome(day, self.site, self.name, slot.start)
        if staffed:
            return travel
        for p in patients:
            pathway.cancel(p, Cause.NO_STAFF, self.site)
        pathway.session_lost(self.site, slot.length)
        self.roster.session_lost(self.site)
        return None

    def run_session(
        self,
        day: int,
        slot: SessionSlot,
        patients: list[Patient],
        pathway: ElectivePathway,
    ) -> None:
        """Schedule one session on ``day`` with its booked ``patients`` (see :class:`Session`)."""
        Session(self, day, slot, patients, pathway)

    def run_session_waiting(
        self,
        day: int,
        slot: SessionSlot,
        patients: list[Patient],
        pathway: ElectivePathway,
    ):
        """SimPy process: one session whose inpatients may wait for a bed
        (``policies.wait_for_bed``).

        Patients are admitted in list order at the start; one who finds no bed waits in the
        admissions lounge. The list runs in list order among the patients who have a bed; a
        patient who gets a bed later joins them at their place on the list and is operated
        on if the session still has time, else cancelled with the usual time cause. With
        nobody ready, the theatre stands idle until a bed frees or a cut-off passes. Once
        even the shortest waiting case could no longer start, the list ends and whoever
        still waits is cancelled (no bed): the end of their list is their cut-off too.
        Idle time counts as time lost, not as an overrun.
        """
        env = self.env
        t0 = day + slot.start
        if env.now < t0:
            yield env.timeout(t0 - env.now)
        site = self.site
        planned_end = t0 + slot.length
        travel = self.staffed(day, slot, patients, pathway)
        if travel is None:
            return
        lounge = Lounge()
        for place, p in enumerate(patients):
            if pathway.patient_cancels():
                pathway.cancel(p, Cause.PATIENT, site)
                continue
            pathway.admit_or_wait(p, site, day, lounge, place)

        late = self.late_start() + travel
        early = self.early_finish()
        if late > 0:
            yield env.timeout(late)
        started = env.now
        stop_by = planned_end - early + self.overrun_allowed
        planned_so_far = 0.0
        used = 0.0
        idle = 0.0
        done = 0
        while True:
            if lounge.ready:
                _place, p, pool = heapq.heappop(lounge.ready)
                if done and self.turnover > 0:
                    yield env.timeout(self.turnover)
                plan = pathway.planning_time(p)
                now = env.now
                if now + plan > stop_by + 1e-9:
                    behind = (now - started) - planned_so_far - idle
                    cause = Cause.OVERRUN if behind > late + early else Cause.NO_THEATRE_TIME
                    pathway.cancel(p, cause, site, pool)
                    continue
                yield env.timeout(p.duration)
                used += max(0.0, min(env.now, planned_end) - max(now, t0))
                planned_so_far += plan + (self.turnover if done else 0.0)
                done += 1
                pathway.operated(p, site, pool)
                continue
            if not lounge.waiting:
                break
            shortest = min(pathway.planning_time(p) for p, _wait in lounge.waiting.values())
            latest = stop_by - shortest - (self.turnover if done else 0.0)
            now = env.now
            if now >= latest - 1e-9:
                break
            lounge.wake = env.event()
            yield lounge.wake | env.timeout(latest - now)
            lounge.wake = None
            idle += env.now - now
        pathway.stop_waiting(site, lounge)
        pathway.session_held(site, slot.length, used)


class Session(Due):
    """One session on its day, run as a chain of events with no process of its own.

    The list is worked out as it goes, exactly as a theatre team does it: at the start the
    booked patients are admitted (or cancelled), the list starts (possibly late) and each
    case is checked against the time left. Time passes only in waits (the late start, a
    turnover, a case), and nothing outside the session can change its course, so
    consecutive waits are one event: the session takes an event at its start, one at the
    end of each case, and one at any cancellation or end that does not fall on either.
    The clock reads exactly what a step-by-step process would read at each of them.
    """

    __slots__ = ("theatre", "slot", "pathway", "day", "t0", "patients", "ready", "late",
                 "early", "started", "stop_by", "planned_so_far", "used", "done", "next",
                 "case_start")  # fmt: skip

    def __init__(
        self,
        theatre: Theatre,
        day: int,
        slot: SessionSlot,
        patients: list[Patient],
        pathway: ElectivePathway,
    ):
        self.theatre = theatre
        self.slot = slot
        self.pathway = pathway
        self.patients = patients
        self.day = day
        env = theatre.env
        self.t0 = t0 = day + slot.start
        if env.now < t0:
            self.due(env, t0 - env.now, _START)
        else:
            # As a process started now would: after the events being processed now.
            start = env.event()
            start.callbacks.append(self._start)
            start._ok = True
            start._value = None
            env.schedule(start, simpy.core.URGENT)

    def _start(self, _event: object = None) -> None:
        theatre, pathway, slot = self.theatre, self.pathway, self.slot
        site = theatre.site
        day = self.day
        patients = self.patients
        self.patients = None
        travel = theatre.staffed(day, slot, patients, pathway)
        if travel is None:
            return
        ready: list[tuple[Patient, BedPool | None]] = []
        for p in patients:
            if pathway.patient_cancels():
                pathway.cancel(p, Cause.PATIENT, site)
                continue
            admitted, pool = pathway.admit(p, site)
            if admitted:
                ready.append((p, pool))
        self.ready = ready
        self.late = late = theatre.late_start() + travel
        self.early = early = theatre.early_finish()
        now = theatre.env.now
        self.started = now + late if late > 0 else now
        self.stop_by = self.t0 + slot.length - early + theatre.overrun_allowed
        self.planned_so_far = 0.0
        self.used = 0.0
        self.done = 0
        self.next = 0
        self._advance(self.started)

    def _advance(self, t: float) -> None:
        """From time ``t`` (now, or the end of the late start), take the next case: cancel
        it if it cannot finish in time, else wait for its end; at the end of the list, the
        session is held."""
        theatre, pathway = self.theatre, self.pathway
        env = theatre.env
        ready = self.ready
        turnover = theatre.turnover
        while self.next < len(ready):
            p, pool = ready[self.next]
            if self.done and turnover > 0:
                t = t + turnover
            plan = pathway.planning_time(p)
            if t + plan > self.stop_by + 1e-9:
                if t != env.now:
                    self.due(env, t - env.now, _CANCEL_NEXT)
                    return
                self._cancel(p, pool, t)
                continue
            self.case_start = t
            self.due(env, t + p.duration - env.now if t != env.now else p.duration, _CASE_DONE)
            return
        if t != env.now:
            self.due(env, t - env.now, _HELD)
            return
        self._held(None)

    def _cancel(self, p: Patient, pool: BedPool | None, now: float) -> None:
        behind = (now - self.started) - self.planned_so_far
        cause = Cause.OVERRUN if behind > self.late + self.early else Cause.NO_THEATRE_TIME
        self.next += 1
        self.pathway.cancel(p, cause, self.theatre.site, pool)

    def _cancel_next(self, _event: object = None) -> None:
        p, pool = self.ready[self.next]
        now = self.theatre.env.now
        self._cancel(p, pool, now)
        self._advance(now)

    def _case_done(self, _event: object = None) -> None:
        theatre = self.theatre
        now = theatre.env.now
        p, pool = self.ready[self.next]
        self.next += 1
        planned_end = self.t0 + self.slot.length
        self.used += max(0.0, min(now, planned_end) - max(self.case_start, self.t0))
        self.planned_so_far += self.pathway.planning_time(p) + (
            theatre.turnover if self.done else 0.0
        )
        self.done += 1
        self.pathway.operated(p, theatre.site, pool)
        self._advance(now)

    def _held(self, _event: object = None) -> None:
        self.ready = None
        self.pathway.session_held(self.theatre.site, self.slot.length, self.used)


_START = (Session._start,)
_CASE_DONE = (Session._case_done,)
_CANCEL_NEXT = (Session._cancel_next,)
_HELD = (Session._held,)
