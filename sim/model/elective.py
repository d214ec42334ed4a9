"""The elective pathway: referral, waiting list, booking, operation, discharge.

Patients are referred at their home site and routed to the site that will treat them
(their own, or an elective hub). They wait on that site's list for the procedure's
specialty until booked onto a session; on the day they may be cancelled (and rejoin
the list, wait unchanged), or operated on and then stay in a bed for their length of
stay. Some leave the list untreated ("validation"). Every pathway is accounted for:
referred = operated + removed + still waiting, checked at the end of every run.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from functools import partial

import numpy as np
import simpy

from ..scenario.schema import Scenario
from . import records as rec
from .beds import BedPool, WardBeds
from .calendar import Arrivals, Calendar
from .critical_care import CriticalCareNetwork
from .patient import ADMITTED, PRIORITY_RANK, REMOVED, TREATED, WAITING, Patient, PatientFactory
from .records import ConservationError
from .streams import Sampler, Streams
from .travel import distance_km
from .waiting_list import WaitingList, booking_order


class ElectivePathway:
    """Waiting lists, routing, booking and the fate of every elective patient."""

    def __init__(
        self,
        env: simpy.Environment,
        sc: Scenario,
        calendar: Calendar,
        streams: Streams,
        beds: dict[str, WardBeds],
        recorder: rec.Recorder,
        oldest_wait: float = 0.0,
        critical_care: CriticalCareNetwork | None = None,
    ):
        self.env = env
        self.sc = sc
        self.calendar = calendar
        self.recorder = recorder
        self.beds = beds
        self.critical_care = critical_care
        order = booking_order(sc.policies.booking)
        clock = lambda: env.now  # noqa: E731
        self.lists: dict[tuple[str, str], WaitingList] = {
            (sid, spec): WaitingList(sid, spec, order, clock)
            for sid, site in sc.sites.items()
            for spec in sorted(site.specialties())
        }
        self.pathway: dict[int, Patient] = {}
        """Everyone referred and not yet treated or removed (incomplete pathways)."""
        self.referred_total = 0
        self.treated_total = 0
        self.removed_total = 0
        self._next_pid = 0
        self._planning = {pid: p.planning_time for pid, p in sc.procedures.items()}
        self._specialty = {pid: p.specialty for pid, p in sc.procedures.items()}
        self.shortest_case: dict[str, float] = {}
        """Shortest planned case time of each specialty (booking stops below it)."""
        for p in sc.procedures.values():
            t = self.shortest_case.get(p.specialty, p.planning_time)
            self.shortest_case[p.specialty] = min(t, p.planning_time)
        self._rebook_first = sc.policies.on_cancellation == "rebook_first"
        booking = sc.policies.booking
        self._escalations = [
            (e.after, PRIORITY_RANK[e.to], None if e.quintiles is None else set(e.quintiles))
            for e in sc.policies.escalation
        ]
        self._q1_after = (
            booking.quintile1_after if booking.order == "quintile1_long_waiters_first" else None
        )
        self._rescoring = bool(self._escalations) or self._q1_after is not None
        self._rescores: list[tuple] = []
        self._recent_ops: dict[tuple[str, str], deque[float]] = {key: deque() for key in self.lists}
        self._patient_cancel_p = sc.demand.patient_cancellation_probability
        self._u_patient_cancel = streams.uniforms("on_the_day/patient_cancellation")
        rate = sc.demand.removal_per_year
        self._removal_rate = (
            -math.log1p(-rate) / 365.0 if 0 < rate < 1 else (math.inf if rate >= 1 else 0.0)
        )
        self._u_removal = streams.exponentials("waiting_list/removal")
        self._removals: list[tuple[float, int, Patient]] = []
        self._routes: dict[tuple[str, str], tuple[list[str], str]] = {}
        self._streams = streams
        self._pathway_area = 0.0
        self._pathway_last = 0.0
        # Waiting patients by home site and day of referral, for cheap long-wait counts.
        self._offset = int(math.ceil(oldest_wait)) + 2
        size = self._offset + calendar.days + 2
        self._census = {sid: np.zeros(size, dtype=np.int64) for sid in sc.sites}

    # -- helpers -----------------------------------------------------------------------
    def planning_time(self, p: Patient) -> float:
        return self._planning[p.procedure]

    def patient_cancels(self) -> bool:
        return self._patient_cancel_p > 0 and self._u_patient_cancel() < self._patient_cancel_p

    def list_for(self, p: Patient) -> WaitingList:
        return self.lists[(p.site, self._specialty[p.procedure])]

    def specialty_of(self, p: Patient) -> str:
        return self._specialty[p.procedure]

    def move(self, p: Patient, site: str) -> None:
        """Move a waiting patient to another site's list (mutual aid); their wait is kept."""
        p.waiting_list.remove(p)
        p.site = site
        self.list_for(p).add(p)

    def recent_operations(self, site: str, specialty: str, since: float) -> int:
        """Operations on the (site, specialty) list since ``since``."""
        done = self._recent_ops.get((site, specialty))
        if done is None:
            return 0
        while done and done[0] < since:
            done.popleft()
        return len(done)

    def _route(self, p: Patient) -> str:
        key = (p.home, p.procedure)
        route = self._routes.get(key)
        if route is None:
            targets, choose = self.sc.treating_sites(p.home, p.procedure)
            if choose == "nearest" and len(targets) > 1:
                home = self.sc.sites[p.home].location
                targets = sorted(
                    targets, key=lambda s: distance_km(home, self.sc.sites[s].location)
                )[:1]
            route = self._routes[key] = (targets, choose)
        targets, _ = route
        if len(targets) == 1:
            return targets[0]
        spec = self._specialty[p.procedure]
        return min(targets, key=lambda s: len(self.lists[(s, spec)]))

    def _touch_pathway(self) -> None:
        now = self.env.now
        self._pathway_area += len(self.pathway) * (now - self._pathway_last)
        self._pathway_last = now

    # -- joining and leaving -------------------------------------------------------------
    def refer(
        self,
        factory: PatientFactory,
        referral_time: float,
        priority: int | None = None,
        count: bool = True,
        quintile: int | None = None,
    ) -> Patient:
        """A new pathway: make the patient, route them, and put them on a list."""
        p = factory.make(self._next_pid, referral_time, priority, quintile)
        self._next_pid += 1
        p.site = self._route(p)
        if self._rescoring:
            self._schedule_rescores(p)
        self._touch_pathway()
        self.pathway[p.pid] = p
        self._census[p.home][int(math.floor(referral_time)) + self._offset] += 1
        self.referred_total += 1
        if count:
            self.recorder.count[("referrals", p.home)] += 1
        self.recorder.log(self.env.now, rec.REFERRED, p.pid, p.home, p.procedure)
        self.list_for(p).add(p)
        if self._removal_rate > 0:
            leave = self.env.now + self._u_removal() / self._removal_rate
            heapq.heappush(self._removals, (leave, p.pid, p))
        return p

    def _leave_pathway(self, p: Patient) -> None:
        self._touch_pathway()
        del self.pathway[p.pid]
        self._census[p.home][int(math.floor(p.referral_time)) + self._offset] -= 1

    def census_counts(self, now: float) -> dict[str, tuple[int, int, int]]:
        """(waiting, over 18 weeks, over 52 weeks) by home site, to the nearest day; '' = all."""
        out = {}
        cut18 = max(0, int(math.floor(now - 126.0)) + self._offset + 1)
        cut52 = max(0, int(math.floor(now - 364.0)) + self._offset + 1)
        totals = [0, 0, 0]
        for sid, counts in self._census.items():
            row = (int(counts.sum()), int(counts[:cut18].sum()), int(counts[:cut52].sum()))
            out[sid] = row
            totals = [a + b for a, b in zip(totals, row, strict=True)]
        out[""] = tuple(totals)
        return out

    def can_book(self, p: Patient, site: str, promised_cc: int) -> bool:
        """Whether a patient may go on a list being finalised now: a patient needing a
        post-operative critical care bed only if the unit has one free (beyond the
        ``promised_cc`` already given to this list)."""
        if not p.needs_cc:
            return True
        unit = self.critical_care.units[site]
        if unit.free_for_planned(promised_cc):
            return True
        self.recorder.count[("cc_booking_deferrals", site)] += 1
        return False

    def admit(self, p: Patient, site: str) -> tuple[bool, BedPool | None]:
        """Admission on the morning of surgery: a ward bed (unless a day case) and, if
        needed, a critical care bed. Without them the operation is cancelled."""
        pool = None
        if not p.day_case:
            beds = self.beds.get(site)
            pool = beds.admit_elective() if beds is not None else None
            if pool is None:
                self.cancel(p, "no_bed", site)
                return False, None
        if p.needs_cc:
            p.cc_bed = self.critical_care.admit_planned(site)
            if p.cc_bed is None:
                self.cancel(p, "no_critical_care_bed", site, pool)
                return False, None
        self.admitted(p, site)
        return True, pool

    def cancel(self, p: Patient, cause: str, site: str, pool: BedPool | None = None) -> None:
        """Cancelled on the day: give back any bed and rejoin the list, wait unchanged."""
        if pool is not None:
            self.beds[site].release_unused(pool)
        if p.cc_bed is not None:
            self.critical_care.release_planned(p.cc_bed)
            p.cc_bed = None
        count = self.recorder.count
        count[(f"cancellations_{cause}", site)] += 1
        if cause != "patient":
            count[("cancellations_on_the_day", site)] += 1
        p.cancellations += 1
        p.rebook_first = self._rebook_first and cause != "patient"
        self.recorder.log(self.env.now, rec.CANCELLED, p.pid, site, cause)
        self.list_for(p).add(p)

    def admitted(self, p: Patient, site: str) -> None:
        p.state = ADMITTED
        self.recorder.log(self.env.now, rec.ADMITTED, p.pid, site)

    def operated(self, p: Patient, site: str, pool: BedPool | None) -> None:
        """Treated: the pathway ends; an inpatient stays in bed for their length of stay."""
        now = self.env.now
        p.state = TREATED
        self._leave_pathway(p)
        self.treated_total += 1
        self.recorder.count[("operations", site)] += 1
        self._recent_ops[(site, self._specialty[p.procedure])].append(now)
        if now >= self.recorder.warm_up:
            self.recorder.treated.append(
                (p.home, site, p.priority, now - p.referral_time, now, p.quintile)
            )
        self.recorder.log(now, rec.OPERATED, p.pid, site, p.procedure)
        if p.cc_bed is not None:
            self.critical_care.discharge_planned_after(p.cc_bed, p.cc_los)
            p.cc_bed = None
        if pool is not None:
            self.recorder.count[("elective_bed_days", site)] += p.los
            beds = self.beds[site]
            done = self.env.timeout(p.los)
            done.callbacks.append(lambda _e: self._discharge(p, site, beds, pool))

    def _discharge(self, p: Patient, site: str, beds: WardBeds, pool: BedPool) -> None:
        self.recorder.log(self.env.now, rec.DISCHARGED, p.pid, site)
        beds.discharge(pool)

    def session_lost(self, site: str, planned: float) -> None:
        """A session that could not run for want of staff (its planned time still counts)."""
        count = self.recorder.count
        count[("sessions_lost_no_staff", site)] += 1
        count[("session_days_planned", site)] += planned

    def session_done(self, site: str, planned: float, used: float) -> None:
        count = self.recorder.count
        count[("sessions", site)] += 1
        count[("session_days_planned", site)] += planned
        count[("session_days_used", site)] += used

    # -- processes -----------------------------------------------------------------------
    def start_referrals(self, factory: PatientFactory, rates: np.ndarray, exp1: Sampler) -> None:
        """Start the stream of new referrals for one site and procedure."""
        Arrivals(self.env, rates, exp1, partial(self.refer, factory))

    # -- re-scoring while waiting (escalation, equity rules) ------------------------------------
    def _schedule_rescores(self, p: Patient) -> None:
        """Queue the moments this patient's booking order changes; apply those already past."""
        now = self.env.now
        for after, rank, quintiles in self._escalations:
            if rank < p.priority and (quintiles is None or p.quintile in quintiles):
                self._rescore_at(p, p.referral_time + after, now, ("priority", rank))
        if self._q1_after is not None and p.quintile == 1:
            self._rescore_at(p, p.referral_time + self._q1_after, now, ("boost", True))

    def _rescore_at(self, p: Patient, when: float, now: float, change: tuple) -> None:
        if when <= now:
            self._apply(p, change)
        else:
            heapq.heappush(self._rescores, (when, p.pid, change, p))

    def _apply(self, p: Patient, change: tuple) -> None:
        what, value = change
        if what == "priority":
            if value >= p.priority:
                return
            p.priority = value
        else:
            p.boost = value
        self.recorder.count[("rescored", p.home)] += 1
        if p.state == WAITING and p.waiting_list is not None:
            p.waiting_list.reorder(p)

    def rescore_process(self):
        """SimPy process: each day, re-score patients who crossed a waiting-time threshold."""
        env = self.env
        heap = self._rescores
        while True:
            yield env.timeout(1.0)
            while heap and heap[0][0] <= env.now:
                _, _, change, p = heapq.heappop(heap)
                if p.state not in (TREATED, REMOVED):
                    self._apply(p, change)

    def removal_process(self):
        """SimPy process: each day, take off the list patients who left it (validation)."""
        env = self.env
        heap = self._removals
        while True:
            yield env.timeout(1.0)
            now = env.now
            while heap and heap[0][0] <= now:
                _, _, p = heapq.heappop(heap)
                if p.state == WAITING and p.waiting_list is not None:
                    p.waiting_list.remove(p)
                    p.state = REMOVED
                    self._leave_pathway(p)
                    self.removed_total += 1
                    self.recorder.count[("removed_from_list", p.home)] += 1
                    self.recorder.log(now, rec.REMOVED, p.pid, p.home)

    @property
    def pathway_area(self) -> float:
        """Integral over time of the number of incomplete pathways (patient-days)."""
        self._touch_pathway()
        return self._pathway_area

    def add_initial(
        self,
        factories: dict[tuple[str, str], PatientFactory],
        entries: list[tuple[str, str, int | None, float, int | None]],
    ) -> None:
        """Patients already waiting at time 0.

        ``entries`` are (site, procedure, priority rank or None, days waited, quintile or None);
        None means drawn like a new referral.
        """
        for site, procedure, priority, waited, quintile in entries:
            self.refer(factories[(site, procedure)], -waited, priority, False, quintile)

    def check_conservation(self) -> None:
        """Referred = treated + removed + still waiting, and every waiter is on a list or booked."""
        if self.referred_total != self.treated_total + self.removed_total + len(self.pathway):
            raise ConservationError(
                f"elective pathways do not add up: referred {self.referred_total} != treated "
                f"{self.treated_total} + removed {self.removed_total} + waiting {len(self.pathway)}"
            )
        on_lists = sum(len(wl) for wl in self.lists.values())
        if on_lists > len(self.pathway):
            raise ConservationError(
                f"{on_lists} patients on waiting lists but only {len(self.pathway)} pathways open"
            )
