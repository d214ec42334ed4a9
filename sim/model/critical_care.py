"""Critical care: units of level 2/3 beds, and the network that shares them.

Unplanned patients (direct admissions, emergency admissions who need critical care, ward
patients who deteriorate) want a bed at their own site's unit. When it is full the
network's policy decides: they wait there (``queue``), are refused (``refuse``, lost to
the network), or are transferred to a unit with a free bed (``transfer``: the nearest,
or the designated hub first), which takes a sampled time and may need one of a limited
number of retrieval teams. The bed at the receiving unit is held from the moment of the
decision. A transferred patient is brought back (repatriated) when a bed frees at home.
``pooled`` is the limit in which every unit is one pool and transfers are instant.

Planned patients (elective surgery needing a post-operative bed) may also use the beds
a unit reserves for them; unplanned patients never do.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

import simpy

from ..scenario.critical_care import CriticalCarePolicy, CriticalCareUnit
from .calendar import Arrivals, Calendar, pattern_times
from .geography import Geography
from .ledger import ConservationError, Ledger, Tally
from .streams import Streams
from .wards import BedPool, BedTally

#: Snapshot measures of this feature.
OCCUPIED = "cc_beds_occupied"
QUEUE = "cc_queue"
NETWORK = "network/critical_care"
"""Name of the whole network's bed pool."""


@dataclass(slots=True)
class CriticalCareTally(Tally):
    """Critical care at one site: its unit's activity and its own patients' fate."""

    cc_admissions: int = 0
    """Admissions to this unit (transfers counted where they arrive)."""
    cc_elective_admissions: int = 0
    cc_repatriations: int = 0
    """Patients of this site brought back to its unit."""
    cc_unplanned_arrivals: int = 0
    """This site's unplanned patients needing a bed."""
    cc_unplanned_admitted: int = 0
    cc_unplanned_wait_days: float = 0.0
    cc_refusals: int = 0
    cc_transfers_out: int = 0
    cc_transfer_days: float = 0.0
    """Decision to arrival, summed over this site's transfers."""
    cc_booking_deferrals: int = 0
    """Patients left off a list being finalised here for want of a post-operative bed."""
    beds: BedTally = field(default_factory=BedTally)


@dataclass(slots=True)
class NetworkTally(Tally):
    """All the units' beds as one pool (its occupancy distribution)."""

    beds: BedTally = field(default_factory=BedTally)


class CCPatient:
    """A patient in (or on the way to) critical care."""

    __slots__ = ("cid", "home", "unit", "arrived", "planned", "stay", "discharged")

    def __init__(self, cid: int, home: str, planned: bool, arrived: float, stay: float = 0.0):
        self.cid = cid
        self.home = home
        self.unit: Unit | None = None
        """The unit holding this patient's bed."""
        self.arrived = arrived
        self.planned = planned
        self.stay = stay
        """Days in critical care (unplanned patients; drawn on arrival)."""
        self.discharged = False


class Unit:
    """One critical care unit: its beds, reserved elective beds and local queue."""

    def __init__(self, env: simpy.Environment, site: str, spec: CriticalCareUnit, tally):
        self.env = env
        self.site = site
        self.pool = BedPool(f"{site}/critical_care", spec.beds, env)
        self.reserved = spec.elective_reserved
        self.turnaround = spec.turnaround
        self.tally: CriticalCareTally = tally
        self.unplanned_busy = 0
        """Beds held by unplanned patients (at most beds - reserved)."""
        self.queue: deque[CCPatient] = deque()
        """Unplanned patients of this site waiting here for a bed."""
        self.away: deque[CCPatient] = deque()
        """This site's patients in other units, oldest transfer first (for repatriation)."""
        self.entries = 0
        self.exits = 0
        self.patients: set[int] = set()

    @property
    def beds(self) -> int:
        return self.pool.capacity

    def free_for_unplanned(self) -> bool:
        return (
            self.pool.busy < self.pool.capacity and self.unplanned_busy < self.beds - self.reserved
        )

    def free_for_planned(self, already_promised: int = 0) -> bool:
        return self.pool.busy + already_promised < self.pool.capacity


class CriticalCareNetwork:
    """All critical care units of a scenario and the policy that links them."""

    def __init__(
        self,
        env: simpy.Environment,
        units: Mapping[str, CriticalCareUnit],
        policy: CriticalCarePolicy,
        geography: Geography,
        calendar: Calendar,
        streams: Streams,
        ledger: Ledger,
    ):
        self.env = env
        self.ledger = ledger
        self.policy = policy
        self.specs = dict(units)
        tallies = ledger.tallies(CriticalCareTally)
        self.tally = {sid: tallies[ledger.index[sid]] for sid in ledger.sites}
        self.units: dict[str, Unit] = {
            sid: Unit(env, sid, spec, self.tally[sid]) for sid, spec in units.items()
        }
        self.network = BedPool(NETWORK, sum(u.beds for u in self.units.values()), env)
        self._network_tally = ledger.tallies(NetworkTally, keys=("",))[0]
        ledger.on_settle(self._settle)
        self._los = {
            sid: streams.sampler(f"critical_care/{sid}/los", spec.length_of_stay)
            for sid, spec in units.items()
        }
        self._transfer_time = streams.sampler("critical_care/transfer_time", policy.transfer_time)
        teams = policy.retrieval_teams
        self.teams = simpy.Resource(env, teams) if teams else None
        self._order = {sid: self._preference(sid, geography) for sid in self.units}
        self._when_full: Callable[[Unit, CCPatient], None] = {
            "queue": self._queue,
            "refuse": self._refuse_patient,
            "transfer": self._transfer_or_else,
        }[policy.when_full]
        self._none_free = self._queue if policy.if_none_free == "queue" else self._refuse_patient
        self._streams = streams
        self._calendar = calendar
        self._next_id = 0
        self.in_transit = 0

    # -- set-up ------------------------------------------------------------------------
    def _preference(self, home: str, geography: Geography) -> list[str]:
        """Units to try for a patient from ``home`` whose own unit is full, best first."""
        others = [s for s in self.units if s != home]
        policy = self.policy
        if policy.pooled or policy.transfer_to == "nearest" or policy.hub is None:
            return sorted(others, key=lambda s: (geography.km(home, s), s))
        hub = policy.hub
        rest = sorted((s for s in others if s != hub), key=lambda s: (geography.km(home, s), s))
        return ([hub] if hub in others else []) + rest

    def start(self) -> None:
        """Start the direct admission streams."""
        for sid, spec in self.specs.items():
            stream = spec.admissions
            if stream is not None:
                times = pattern_times(
                    stream, stream.per_day, self._calendar, self._streams,
                    f"critical_care/{sid}", self.env.now,
                )  # fmt: skip
                Arrivals(self.env, times, partial(self._direct_admission, sid))

    def _direct_admission(self, site: str, _t: float) -> None:
        self.unplanned(site)

    def _settle(self, _now: float) -> None:
        for unit in self.units.values():
            unit.pool.settle(unit.tally.beds)
        self.network.settle(self._network_tally.beds)

    def snapshot(self, ledger: Ledger, t: float) -> None:
        for sid, unit in self.units.items():
            ledger.sample(t, sid, OCCUPIED, unit.pool.busy)
            ledger.sample(t, sid, QUEUE, len(unit.queue))
        ledger.sample(t, "", OCCUPIED, self.network.busy)

    # -- bookkeeping of beds -----------------------------------------------------------------
    def _hold(self, unit: Unit, patient: CCPatient) -> None:
        """Take a bed at ``unit`` for ``patient`` (who may still be on the way)."""
        unit.pool.occupy()
        self.network.occupy()
        if not patient.planned:
            unit.unplanned_busy += 1
        patient.unit = unit

    def _enter(self, unit: Unit, patient: CCPatient) -> None:
        unit.entries += 1
        unit.patients.add(patient.cid)

    def _occupy(self, unit: Unit, patient: CCPatient) -> None:
        self._hold(unit, patient)
        self._enter(unit, patient)

    def _leave(self, unit: Unit, patient: CCPatient) -> None:
        """The patient leaves ``unit``; its bed is ready again after turnaround."""
        unit.exits += 1
        unit.patients.discard(patient.cid)
        if not patient.planned:
            unit.unplanned_busy -= 1
        if unit.turnaround > 0:
            self.env.timeout(unit.turnaround).callbacks.append(lambda _e: self._ready(unit))
        else:
            self._ready(unit)

    def _ready(self, unit: Unit) -> None:
        """A bed is clean: give it to a waiting local patient, or bring one of ours home."""
        unit.pool.vacate()
        self.network.vacate()
        if unit.queue and unit.free_for_unplanned():
            patient = unit.queue.popleft()
            self._admit(unit, patient, waited=self.env.now - patient.arrived)
        elif self.policy.repatriate and unit.away and unit.free_for_unplanned():
            self._repatriate(unit)

    # -- unplanned patients --------------------------------------------------------------------
    def unplanned(self, home: str, los: float | None = None) -> None:
        """An unplanned patient at ``home`` needs a critical care bed now."""
        now = self.env.now
        self._next_id += 1
        stay = self._los[home]() if los is None else los
        patient = CCPatient(self._next_id, home, planned=False, arrived=now, stay=stay)
        self.tally[home].cc_unplanned_arrivals += 1
        unit = self.units[home]
        if unit.free_for_unplanned():
            self._admit(unit, patient, 0.0)
        else:
            self._when_full(unit, patient)

    def _queue(self, unit: Unit, patient: CCPatient) -> None:
        """Wait at the patient's own unit for its next bed."""
        unit.queue.append(patient)

    def _transfer_or_else(self, unit: Unit, patient: CCPatient) -> None:
        """Transfer to the first unit in order of preference with a free bed."""
        target = next(
            (self.units[s] for s in self._order[unit.site] if self.units[s].free_for_unplanned()),
            None,
        )
        if target is not None:
            self.env.process(self._transfer(patient, target))
        else:
            self._none_free(unit, patient)

    def _refuse_patient(self, _unit: Unit, patient: CCPatient) -> None:
        self.tally[patient.home].cc_refusals += 1
        self.ledger.log(self.env.now, "cc_refused", -patient.cid, patient.home)

    def _admit(self, unit: Unit, patient: CCPatient, waited: float) -> None:
        self._occupy(unit, patient)
        unit.tally.cc_admissions += 1
        home = self.tally[patient.home]
        home.cc_unplanned_admitted += 1
        home.cc_unplanned_wait_days += waited
        self.ledger.log(self.env.now, "cc_admitted", -patient.cid, unit.site, patient.home)
        self.env.timeout(patient.stay).callbacks.append(lambda _e: self._discharge(patient))

    def _transfer(self, patient: CCPatient, target: Unit):
        """Move an unplanned patient to ``target``; its bed is held from the decision."""
        env = self.env
        decided = env.now
        self._hold(target, patient)
        self.in_transit += 1
        home = self.tally[patient.home]
        home.cc_transfers_out += 1
        if self.teams is not None:
            with self.teams.request() as team:
                yield team
                yield env.timeout(self._transfer_time())
        else:
            travel = self._transfer_time()
            if travel > 0:
                yield env.timeout(travel)
        self.in_transit -= 1
        self._enter(target, patient)
        target.tally.cc_admissions += 1
        home.cc_unplanned_admitted += 1
        home.cc_transfer_days += env.now - decided
        self.ledger.log(env.now, "cc_transferred", -patient.cid, target.site, patient.home)
        self.units[patient.home].away.append(patient)
        env.timeout(patient.stay).callbacks.append(lambda _e: self._discharge(patient))

    def _repatriate(self, home: Unit) -> None:
        while home.away:
            patient = home.away.popleft()
            if patient.discharged or patient.unit is home:
                continue
            away = patient.unit
            self._leave(away, patient)
            self._occupy(home, patient)
            home.tally.cc_repatriations += 1
            self.ledger.log(self.env.now, "cc_repatriated", -patient.cid, home.site, away.site)
            return

    def _discharge(self, patient: CCPatient) -> None:
        patient.discharged = True
        self._leave(patient.unit, patient)

    # -- planned (post-operative) patients ------------------------------------------------------
    def can_book(self, site: str, already_promised: int) -> bool:
        """Whether a list being finalised at ``site`` may take one more patient needing a
        post-operative bed (beyond the ``already_promised`` ones); counts a deferral if not."""
        if self.units[site].free_for_planned(already_promised):
            return True
        self.tally[site].cc_booking_deferrals += 1
        return False

    def admit_planned(self, site: str) -> CCPatient | None:
        """A bed for an elective patient at ``site`` now, or None."""
        unit = self.units[site]
        if not unit.free_for_planned():
            return None
        self._next_id += 1
        patient = CCPatient(self._next_id, site, planned=True, arrived=self.env.now)
        self._occupy(unit, patient)
        unit.tally.cc_admissions += 1
        unit.tally.cc_elective_admissions += 1
        return patient

    def discharge_planned_after(self, patient: CCPatient, stay: float) -> None:
        self.env.timeout(stay).callbacks.append(lambda _e: self._discharge(patient))

    def release_planned(self, patient: CCPatient) -> None:
        """The operation was cancelled: the bed was held but not used."""
        patient.discharged = True
        self._leave(patient.unit, patient)

    # -- checks ----------------------------------------------------------------------------------
    def check_conservation(self) -> None:
        """Unplanned arrivals = admitted + refused + waiting + in transit; each unit's entries =
        exits + patients in it; no unit over or under full."""
        tallies = self.tally.values()
        arrivals = sum(t.cc_unplanned_arrivals for t in tallies)
        admitted = sum(t.cc_unplanned_admitted for t in tallies)
        refused = sum(t.cc_refusals for t in tallies)
        waiting = sum(len(u.queue) for u in self.units.values())
        if arrivals != admitted + refused + waiting + self.in_transit:
            raise ConservationError(
                f"critical care patients do not add up: arrived {arrivals} != admitted "
                f"{admitted} + refused {refused} + waiting {waiting} + in transit "
                f"{self.in_transit}"
            )
        for unit in self.units.values():
            if unit.entries != unit.exits + len(unit.patients):
                raise ConservationError(
                    f"{unit.site} critical care: entries {unit.entries} != exits {unit.exits} "
                    f"+ in unit {len(unit.patients)}"
                )
            if not 0 <= unit.pool.busy <= unit.pool.capacity:
                raise ConservationError(f"{unit.pool.name}: {unit.pool.busy} of {unit.beds} beds")
