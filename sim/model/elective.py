"""The elective pathway: referral, waiting list, booking, operation, discharge.

Patients are referred at their home site and routed to the site that will treat them
(their own, or an elective hub). They wait on that site's list for the procedure's
specialty until booked onto a session; on the day they may be cancelled (and rejoin
the list, wait unchanged), or operated on and then stay in a bed for their length of
stay. Some leave the list untreated ("validation"), and under ``on_cancellation: leave``
a patient cancelled on the day leaves it too. Every pathway is accounted for: referred =
operated + removed + left after a cancellation + still waiting, checked at the end of
every run.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import simpy

from ..scenario.elective import Procedure
from .calendar import Arrivals, Calendar
from .critical_care import CriticalCareNetwork
from .equity import Rescoring
from .ledger import CAUSES, Cause, ConservationError, Ledger, Tally, TimeWeighted, Waiting
from .patient import ADMITTED, LEFT, REMOVED, TREATED, WAITING, Patient, PatientFactory
from .patient import BOOKED as ON_A_LIST
from .routing import Router
from .streams import Streams
from .waiting_list import BookingOrder, WaitingList
from .wards import BedPool, WardBeds

if TYPE_CHECKING:
    from .theatre import Lounge

# Event-log codes.
REFERRED = "referred"
BOOKED = "booked"
CANCELLED = "cancelled"
ADMITTED_EVENT = "admitted"
OPERATED = "operated"
DISCHARGED = "discharged"
REMOVED_EVENT = "removed"
WAITING_FOR_BED = "waiting_for_bed"
LEFT_EVENT = "left"

#: The removal schedule drops its stale entries (patients treated before their leave date)
#: once they outnumber the live ones by more than this.
REMOVALS_COMPACT_MIN = 1024

#: Snapshot measures of this feature.
WAITING_LIST = "waiting_list"
OVER_18_WEEKS = "over_18_weeks"
OVER_52_WEEKS = "over_52_weeks"
OVER_65_WEEKS = "over_65_weeks"


@dataclass(slots=True)
class ElectiveTally(Tally):
    """The elective pathway at one site: referrals and removals by home site, operations,
    cancellations and theatre time where they happened."""

    referrals: int = 0
    operations: int = 0
    removed_from_list: int = 0
    left_after_cancellation: int = 0
    """Patients who left the list after an on-the-day cancellation here (policy ``leave``)."""
    cancellations: list[int] = field(default_factory=lambda: [0] * len(CAUSES))
    """On-the-day cancellations by :class:`Cause`."""
    operations_by_procedure: list[int] = field(default_factory=list)
    """Operations by procedure (in the order of ``Ledger.procedures``)."""
    cancellations_by_procedure: list[int] = field(default_factory=list)
    """On-the-day cancellations for hospital (non-clinical) causes, by procedure."""
    sessions: int = 0
    """Sessions held."""
    session_days_planned: float = 0.0
    """Planned session time, lost sessions included."""
    session_days_used: float = 0.0
    """Operating time within sessions."""
    template_places: int = 0
    """Places offered by session templates (cases to book)."""
    template_places_unfilled: int = 0
    """Places of session templates that booking could not fill."""


@dataclass(slots=True)
class PathwayTally(Tally):
    """The whole collaborative's open pathways over time."""

    waiting_days: float = 0.0
    """Integral of the number of incomplete pathways (patient-days)."""


@dataclass(frozen=True)
class ElectiveRules:
    """What the pathway needs from the scenario, resolved when the model is built."""

    procedures: Mapping[str, Procedure]
    lists: Iterable[tuple[str, str]]
    """(site, specialty) of every waiting list: one per specialty a site operates."""
    order: BookingOrder
    rebook_first: bool
    """A patient cancelled by the hospital goes to the front of the list."""
    removal_per_year: float
    patient_cancellation: float
    leave: bool = False
    """A patient cancelled on the day leaves the list untreated (``on_cancellation: leave``)."""
    bed_wait_order: str = "list_order"
    """Order of elective patients waiting for a bed (``policies.wait_for_bed.order``)."""


class ElectivePathway:
    """Waiting lists, routing, booking and the fate of every elective patient."""

    def __init__(
        self,
        env: simpy.Environment,
        rules: ElectiveRules,
        router: Router,
        rescoring: Rescoring,
        calendar: Calendar,
        streams: Streams,
        beds: Mapping[str, WardBeds],
        ledger: Ledger,
        oldest_wait: float = 0.0,
        critical_care: CriticalCareNetwork | None = None,
    ):
        self.env = env
        self.ledger = ledger
        self.beds = beds
        self.critical_care = critical_care
        self.router = router
        self.rescoring = rescoring if rescoring.active else None
        self.tally = ledger.tallies(ElectiveTally)
        self._log = ledger.events is not None
        """Whether the patient-level event log is kept (calls to it are skipped if not)."""
        self._site = ledger.index
        clock = lambda: env.now  # noqa: E731
        self.lists: dict[tuple[str, str], WaitingList] = {
            key: WaitingList(key[0], key[1], rules.order, clock) for key in rules.lists
        }
        self._booked: dict[int, Patient] = {}
        """Patients taken off their list for a session and not yet operated on or cancelled."""
        self.pathway = OpenPathways(self)
        """Everyone referred and not yet treated or removed (incomplete pathways)."""
        self._open_count = 0
        self._open = TimeWeighted(env.now)
        self._pathway_tally = ledger.tallies(PathwayTally, keys=("",))[0]
        ledger.on_settle(self._settle)
        self.referred_total = 0
        self.treated_total = 0
        self.removed_total = 0
        self.left_total = 0
        """Patients who left the list after an on-the-day cancellation."""
        self._next_pid = 0
        self._planning = {pid: p.planning_time for pid, p in rules.procedures.items()}
        ledger.procedures = tuple(rules.procedures)
        self._proc_index = {pid: i for i, pid in enumerate(ledger.procedures)}
        for tally in self.tally:
            tally.operations_by_procedure = [0] * len(ledger.procedures)
            tally.cancellations_by_procedure = [0] * len(ledger.procedures)
        self._specialty = {pid: p.specialty for pid, p in rules.procedures.items()}
        self.shortest_case: dict[str, float] = {}
        """Shortest planned case time of each specialty (booking stops below it)."""
        for p in rules.procedures.values():
            t = self.shortest_case.get(p.specialty, p.planning_time)
            self.shortest_case[p.specialty] = min(t, p.planning_time)
        self._rebook_first = rules.rebook_first
        self._after_cancel = self._leave_list if rules.leave else self._back_to_list
        expected = {
            pid: p.length_of_stay.mean
            + (0.0 if (d := p.delayed_discharge) is None else d.probability * d.extra.mean)
            for pid, p in rules.procedures.items()
        }
        self._lounge_key = {
            "list_order": lambda _p: (),
            "shortest_stay": lambda p: (expected[p.procedure],),
            "priority": lambda p: (p.priority,),
        }[rules.bed_wait_order]
        """A waiting patient's place among electives waiting for a bed (then list order)."""
        self._recent_ops: dict[tuple[str, str], deque[float]] = {key: deque() for key in self.lists}
        self._keep_recent_ops = False
        """Times of operations are kept only when a policy asks for them (mutual aid)."""
        self._patient_cancel_p = rules.patient_cancellation
        self._u_patient_cancel = streams.uniforms("on_the_day/patient_cancellation")
        rate = rules.removal_per_year
        self._removal_rate = (
            -math.log1p(-rate) / 365.0 if 0 < rate < 1 else (math.inf if rate >= 1 else 0.0)
        )
        self._u_removal = streams.exponentials("waiting_list/removal")
        self._removal_end = calendar.days
        """Leave dates after this are drawn (the stream stays the same) but never scheduled."""
        self._removals: list[tuple[float, int]] = []
        """(leave date, patient id) of patients who will leave the list within the run."""
        self._to_remove: dict[int, Patient] = {}
        """Patients with a leave date in ``_removals`` whose pathway is still open: the
        schedule holds ids, so a patient treated first is freed at once (their stale
        entry is skipped, and dropped when stale entries outnumber the live ones)."""
        # Waiting patients by home site and day of referral, for cheap long-wait counts.
        self._offset = int(math.ceil(oldest_wait)) + 2
        size = self._offset + calendar.days + 2
        self._census = [array("q", bytes(8 * size)) for _ in ledger.sites]
        """Waiting patients by home site and referral day: typed arrays, cheap to count into
        one by one and read by numpy without a copy at each snapshot."""

    # -- helpers -----------------------------------------------------------------------
    def planning_time(self, p: Patient) -> float:
        return self._planning[p.procedure]

    def patient_cancels(self) -> bool:
        return self._patient_cancel_p > 0 and self._u_patient_cancel() < self._patient_cancel_p

    def list_for(self, p: Patient) -> WaitingList:
        return self.lists[(p.site, self._specialty[p.procedure])]

    def specialty_of(self, p: Patient) -> str:
        return self._specialty[p.procedure]

    def list_length(self, site: str, specialty: str) -> int:
        return len(self.lists[(site, specialty)])

    def move(self, p: Patient, site: str) -> None:
        """Move a waiting patient to another site's list (mutual aid); their wait is kept."""
        p.waiting_list.remove(p)
        p.site = site
        self.list_for(p).add(p)

    def keep_recent_operations(self) -> None:
        """Record the time of each operation from now on, for :meth:`recent_operations`."""
        self._keep_recent_ops = True

    def recent_operations(self, site: str, specialty: str, since: float) -> int:
        """Operations on the (site, specialty) list since ``since`` (recorded since
        :meth:`keep_recent_operations`)."""
        done = self._recent_ops.get((site, specialty))
        if done is None:
            return 0
        while done and done[0] < since:
            done.popleft()
        return len(done)

    def _settle(self, now: float) -> None:
        self._pathway_tally.waiting_days = self._open.settle(now)

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
        p.site = self.router.site_for(p.home, p.procedure)
        if self.rescoring is not None:
            self.rescoring.schedule(p)
        self._open.add(self.env.now, 1)
        self._open_count += 1
        home = self._site[p.home]
        self._census[home][math.floor(referral_time) + self._offset] += 1
        self.referred_total += 1
        if count:
            self.tally[home].referrals += 1
        if self._log:
            self.ledger.log(self.env.now, REFERRED, p.pid, p.home, p.procedure)
        self.list_for(p).add(p)
        if self._removal_rate > 0:
            leave = self.env.now + self._u_removal() / self._removal_rate
            if leave <= self._removal_end:
                heapq.heappush(self._removals, (leave, p.pid))
                self._to_remove[p.pid] = p
        return p

    def _leave_pathway(self, p: Patient) -> None:
        self._open.add(self.env.now, -1)
        self._open_count -= 1
        if self._to_remove:
            self._to_remove.pop(p.pid, None)
        self._census[self._site[p.home]][math.floor(p.referral_time) + self._offset] -= 1

    def snapshot(self, ledger: Ledger, t: float) -> None:
        """Waiting, over 18, 52 and 65 weeks by home site (to the nearest day) and for the
        whole collaborative (site ``""``)."""
        cuts = [max(0, int(math.floor(t - 7.0 * w)) + self._offset + 1) for w in (18, 52, 65)]
        totals = [0, 0, 0, 0]
        for sid, counts in zip(ledger.sites, self._census, strict=True):
            upto = np.frombuffer(counts, dtype=np.int64).cumsum()
            row = (int(upto[-1]), *(int(upto[cut - 1]) if cut else 0 for cut in cuts))
            self._sample(ledger, t, sid, row)
            totals = [a + b for a, b in zip(totals, row, strict=True)]
        self._sample(ledger, t, "", totals)

    @staticmethod
    def _sample(ledger: Ledger, t: float, site: str, row) -> None:
        ledger.sample(t, site, WAITING_LIST, row[0])
        ledger.sample(t, site, OVER_18_WEEKS, row[1])
        ledger.sample(t, site, OVER_52_WEEKS, row[2])
        ledger.sample(t, site, OVER_65_WEEKS, row[3])

    def can_book(self, p: Patient, site: str, promised_cc: int) -> bool:
        """Whether a patient may go on a list being finalised now: a patient needing a
        post-operative critical care bed only if the unit has one free (beyond the
        ``promised_cc`` already given to this list)."""
        return not p.rare.needs_cc or self.critical_care.can_book(site, promised_cc)

    def admit(self, p: Patient, site: str) -> tuple[bool, BedPool | None]:
        """Admission on the morning of surgery: a ward bed (unless a day case) and, if
        needed, a critical care bed. Without them the operation is cancelled."""
        pool = None
        if not p.day_case:
            beds = self.beds.get(site)
            pool = beds.admit_elective() if beds is not None else None
            if pool is None:
                self.cancel(p, Cause.NO_BED, site)
                return False, None
        if self._critical_care_bed(p, site, pool):
            self.admitted(p, site)
            return True, pool
        return False, None

    def _critical_care_bed(self, p: Patient, site: str, pool: BedPool | None) -> bool:
        """A planned critical care bed if the patient needs one; without it the operation
        is cancelled (and the ward bed given back)."""
        if p.rare.needs_cc:
            p.cc_bed = self.critical_care.admit_planned(site, p.pid, p.procedure)
            if p.cc_bed is None:
                self.cancel(p, Cause.NO_CC_BED, site, pool)
                return False
        return True

    def admit_or_wait(self, p: Patient, site: str, day: int, lounge: Lounge, place: int) -> None:
        """Admission under ``policies.wait_for_bed``: like :meth:`admit`, but an inpatient
        who finds no bed waits for one until the cut-off. A patient with their beds joins
        ``lounge.ready`` at their ``place`` on the list; one waiting joins ``lounge.waiting``."""
        pool = None
        if not p.day_case:
            beds = self.beds.get(site)
            pool = beds.admit_elective() if beds is not None else None
            if pool is None:
                wait = (
                    None
                    if beds is None
                    else beds.wait_elective(
                        self._lounge_key(p),
                        day,
                        partial(self._bed_found, p, site, lounge, place),
                        partial(self._bed_cutoff, p, site, lounge, place),
                    )
                )
                if wait is None:
                    self.cancel(p, Cause.NO_BED, site)
                else:
                    lounge.waiting[place] = (p, wait)
                    self.ledger.log(self.env.now, WAITING_FOR_BED, p.pid, site)
                return
        if self._critical_care_bed(p, site, pool):
            self.admitted(p, site)
            heapq.heappush(lounge.ready, (place, p, pool))

    def _bed_found(self, p: Patient, site: str, lounge: Lounge, place: int, pool: BedPool) -> None:
        del lounge.waiting[place]
        if self._critical_care_bed(p, site, pool):
            self.admitted(p, site)
            heapq.heappush(lounge.ready, (place, p, pool))
        lounge.wake_up()

    def _bed_cutoff(self, p: Patient, site: str, lounge: Lounge, place: int) -> None:
        del lounge.waiting[place]
        self.cancel(p, Cause.NO_BED, site)
        lounge.wake_up()

    def stop_waiting(self, site: str, lounge: Lounge) -> None:
        """The list has ended: whoever still waits for a bed is cancelled (no bed)."""
        beds = self.beds[site]
        for p, wait in lounge.waiting.values():
            beds.withdraw(wait)
            self.cancel(p, Cause.NO_BED, site)
        lounge.waiting.clear()

    def booked(self, patients: Iterable[Patient]) -> None:
        """Patients taken off their list onto a session (until operated on or cancelled)."""
        for p in patients:
            self._booked[p.pid] = p

    def cancel(self, p: Patient, cause: Cause, site: str, pool: BedPool | None = None) -> None:
        """Cancelled on the day: give back any bed and rejoin the list, wait unchanged."""
        del self._booked[p.pid]
        if pool is not None:
            self.beds[site].release_unused(pool)
        if p.rare.cc_bed is not None:
            self.critical_care.release_planned(p.cc_bed)
            p.cc_bed = None
        tally = self.tally[self._site[site]]
        tally.cancellations[cause] += 1
        if cause is not Cause.PATIENT:
            tally.cancellations_by_procedure[self._proc_index[p.procedure]] += 1
        p.cancellations += 1
        if self._log:
            self.ledger.log(self.env.now, CANCELLED, p.pid, site, cause.label)
        self._after_cancel(p, cause, site)

    def _back_to_list(self, p: Patient, cause: Cause, _site: str) -> None:
        p.rebook_first = self._rebook_first and cause is not Cause.PATIENT
        self.list_for(p).add(p)

    def _leave_list(self, p: Patient, _cause: Cause, site: str) -> None:
        """``on_cancellation: leave``: the pathway ends untreated; the slot is lost."""
        p.state = LEFT
        self._leave_pathway(p)
        self.left_total += 1
        self.tally[self._site[site]].left_after_cancellation += 1
        self.ledger.log(self.env.now, LEFT_EVENT, p.pid, site)

    def admitted(self, p: Patient, site: str) -> None:
        p.state = ADMITTED
        if self._log:
            self.ledger.log(self.env.now, ADMITTED_EVENT, p.pid, site)

    def operated(self, p: Patient, site: str, pool: BedPool | None) -> None:
        """Treated: the pathway ends; an inpatient stays in bed for their length of stay."""
        now = self.env.now
        p.state = TREATED
        del self._booked[p.pid]
        self._leave_pathway(p)
        self.treated_total += 1
        where = self._site[site]
        tally = self.tally[where]
        tally.operations += 1
        tally.operations_by_procedure[self._proc_index[p.procedure]] += 1
        if self._keep_recent_ops:
            self._recent_ops[(site, self._specialty[p.procedure])].append(now)
        ledger = self.ledger
        if now >= ledger.warm_up:
            ledger.operations.add(
                self._site[p.home], where, p.priority, now - p.referral_time, now, p.quintile
            )
        if self._log:
            ledger.log(now, OPERATED, p.pid, site, p.procedure)
        if p.rare.cc_bed is not None:
            self.critical_care.discharge_planned_after(p.cc_bed, p.cc_los)
            p.cc_bed = None
        if pool is not None:
            beds = self.beds[site]
            if not self._log:
                beds.leave_after(beds.stay(p.los), pool)
            else:
                pid = p.pid
                beds.leave_after(
                    beds.stay(p.los), pool, lambda t: ledger.log(t, DISCHARGED, pid, site)
                )

    def session_held(self, site: str, planned: float, used: float) -> None:
        tally = self.tally[self._site[site]]
        tally.sessions += 1
        tally.session_days_planned += planned
        tally.session_days_used += used

    def template_booked(self, site: str, booked: int, unfilled: int) -> None:
        """A session template was booked: ``booked`` patients, ``unfilled`` places empty."""
        tally = self.tally[self._site[site]]
        tally.template_places += booked + unfilled
        tally.template_places_unfilled += unfilled

    def session_lost(self, site: str, planned: float) -> None:
        """A session that could not run (its planned time still counts)."""
        self.tally[self._site[site]].session_days_planned += planned

    # -- processes -----------------------------------------------------------------------
    def start_referrals(self, factory: PatientFactory, times: Iterator[float]) -> None:
        """Start the stream of new referrals for one site and procedure."""
        Arrivals(self.env, times, partial(self.refer, factory))

    @property
    def removes_patients(self) -> bool:
        """Whether patients leave the list without treatment (validation), so that
        :meth:`removal_process` has anything to do."""
        return self._removal_rate > 0

    def removal_process(self):
        """SimPy process: each day, take off the list patients who left it (validation).

        A removal that falls due while the patient is booked onto a list (or admitted)
        waits: it is checked again each day, and takes effect if the operation is
        cancelled and they rejoin the list; it lapses if they are treated."""
        env = self.env
        heap = self._removals
        scheduled = self._to_remove
        while True:
            yield env.timeout(1.0)
            now = env.now
            if len(heap) > 2 * len(scheduled) + REMOVALS_COMPACT_MIN:
                # Stale entries (treated first) outnumber live ones: drop them. The pop
                # order is that of the (leave date, id) keys, whatever the heap's layout.
                heap[:] = [e for e in heap if e[1] in scheduled]
                heapq.heapify(heap)
            while heap and heap[0][0] <= now:
                pid = heapq.heappop(heap)[1]
                p = scheduled.get(pid)
                if p is None:
                    continue  # treated (or gone) before their leave date
                if p.state == ON_A_LIST or p.state == ADMITTED:
                    heapq.heappush(heap, (now + 1.0, pid))
                    continue
                del scheduled[pid]
                if p.state == WAITING and p.waiting_list is not None:
                    p.waiting_list.remove(p)
                    p.state = REMOVED
                    self._leave_pathway(p)
                    self.removed_total += 1
                    self.tally[self._site[p.home]].removed_from_list += 1
                    self.ledger.log(now, REMOVED_EVENT, p.pid, p.home)

    @property
    def pathway_area(self) -> float:
        """Integral over time of the number of incomplete pathways (patient-days)."""
        return self._open.settle(self.env.now)

    def add_initial(
        self,
        factories: Mapping[tuple[str, str], PatientFactory],
        entries: Iterable[tuple[str, str, int | None, float, int | None]],
    ) -> None:
        """Patients already waiting at time 0.

        ``entries`` are (site, procedure, priority rank or None, days waited, quintile or None);
        None means drawn like a new referral.
        """
        for site, procedure, priority, waited, quintile in entries:
            self.refer(factories[(site, procedure)], -waited, priority, False, quintile)
        for wl in self.lists.values():
            wl.settle()

    def close(self, ledger: Ledger) -> None:
        """Hand metrics everyone still waiting; note deprivation data when there is any."""
        now = self.env.now
        people = self.pathway.values()
        n = len(people)
        ledger.waiting = Waiting(
            np.fromiter((self._site[p.home] for p in people), np.int16, n),
            np.fromiter((now - p.referral_time for p in people), float, n),
            np.fromiter((p.quintile for p in people), np.int8, n),
            np.fromiter((self._proc_index[p.procedure] for p in people), np.int16, n),
        )
        if ledger.waiting.quintile.any() or any(ledger.operations.quintile):
            ledger.features.add("equity")

    def release(self) -> None:
        """End of the run, after :meth:`close`: let go of every patient (lists emptied; the
        counts stay as they were)."""
        for wl in self.lists.values():
            wl.release()
        self._booked.clear()
        self._to_remove.clear()
        self._removals.clear()

    def check_conservation(self) -> None:
        """Referred = treated + removed + left after a cancellation + still waiting, and every
        waiter is on a list or booked."""
        ended = self.treated_total + self.removed_total + self.left_total
        if self.referred_total != ended + len(self.pathway):
            raise ConservationError(
                f"elective pathways do not add up: referred {self.referred_total} != treated "
                f"{self.treated_total} + removed {self.removed_total} + left "
                f"{self.left_total} + waiting {len(self.pathway)}"
            )
        on_lists = sum(len(wl) for wl in self.lists.values())
        if on_lists + len(self._booked) != len(self.pathway):
            raise ConservationError(
                f"{on_lists} patients on waiting lists and {len(self._booked)} booked, but "
                f"{len(self.pathway)} pathways open"
            )


class OpenPathways:
    """Everyone referred and not yet treated, removed or gone (incomplete pathways): those
    on a waiting list and those booked onto a session. A view, not a store: the lists and
    the booked hold the patients, so an ended pathway is freed at once."""

    __slots__ = ("_pathway",)

    def __init__(self, pathway: ElectivePathway):
        self._pathway = pathway

    def __len__(self) -> int:
        return self._pathway._open_count

    def __contains__(self, pid: object) -> bool:
        return any(p.pid == pid for p in self.values())

    def __getitem__(self, pid: int) -> Patient:
        """The patient with this id (a search: for notebooks and tests)."""
        found = next((p for p in self.values() if p.pid == pid), None)
        if found is None:
            raise KeyError(pid)
        return found

    def values(self) -> list[Patient]:
        """The patients, in order of referral (patient id)."""
        el = self._pathway
        people = [p for wl in el.lists.values() for p in wl.patients()]
        people.extend(el._booked.values())
        people.sort(key=_pid)
        return people


def _pid(p: Patient) -> int:
    return p.pid
