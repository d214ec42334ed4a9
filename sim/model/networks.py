"""Units of beds of one type across a collaborative, and the network policy that links them.

Generic over bed type: critical care, acute stroke, rehabilitation, children's mental
health ... Each unit has a number of beds, or none (``beds: unlimited``, a unit nobody ever
waits for, whose census gives the chance of delay at a given number of beds). Unplanned
patients come from named admission streams (each with its own stay), from another bed
type along their pathway, or (critical care) from the emergency department, wards and
theatres; planned patients are booked straight into a unit, or come after surgery.

An unplanned patient wants a bed at their own unit. When it is full the network's policy
decides: they wait there (``queue``), are refused (``refuse``, lost to the network), or are
transferred to a unit with a free bed (``transfer``: the nearest, the hub first, or only
units outside the collaborative), which takes a sampled time and may need one of a limited
number of retrieval teams; the bed at the receiving unit is held from the decision. A
transferred patient may be brought back (repatriated) when a bed frees at home, instantly or
by a team, before or after the beds kept for planned patients. ``pooled`` makes all the
units one pool of beds and one reserve: a patient takes any free bed at once, and
``when_full`` applies when the whole pool is full.

A patient's next destination is drawn when they arrive at a unit (their stay may depend on
it); when the stay ends the bed is cleaned for its turnaround and the patient moves on, at
that instant, to the next bed type or leaves.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Protocol

import simpy

from ..scenario.networks import (
    HOME,
    AdmissionSource,
    NetworkPolicy,
    PlannedSource,
)
from ..scenario.networks import (
    Unit as UnitSpec,
)
from .calendar import Arrivals, Calendar, pattern_times
from .geography import Geography
from .later import Due
from .ledger import ConservationError, Ledger, Tally, TimeWeighted
from .nursing import Level, NursePool, UnitNurses
from .streams import Sampler, Streams
from .wards import BedPool, BedTally


# -- tallies ------------------------------------------------------------------------------------
@dataclass(slots=True)
class UnitTally(Tally):
    """One unit's activity, and what happened to the patients whose own unit it is."""

    admissions: int = 0
    """Admissions to this unit (transfers in, planned and post-operative included)."""
    elective_admissions: int = 0
    """Post-operative admissions after surgery on a theatre list."""
    planned_arrivals: int = 0
    """Planned patients booked straight into this unit who arrived."""
    planned_admissions: int = 0
    planned_cancellations: int = 0
    """Planned patients cancelled on arrival: no free bed."""
    repatriations: int = 0
    """Patients of this unit brought back to it."""
    unplanned_arrivals: int = 0
    """Unplanned patients whose own unit this is."""
    unplanned_admitted: int = 0
    unplanned_wait_days: float = 0.0
    """Waits for a bed at their own unit, counted at admission."""
    refusals: int = 0
    transfers_out: int = 0
    transfer_days: float = 0.0
    """Decision to arrival, summed over the transfers out."""
    out_of_area: int = 0
    """Own patients admitted to a unit outside the collaborative."""
    distance_km: float = 0.0
    """Road km from home to the unit that admitted them, summed over own unplanned patients
    admitted (where both places are known)."""
    distance_known: int = 0
    booking_deferrals: int = 0
    """Patients left off a list being finalised for want of a post-operative bed."""
    discharges: int = 0
    """Stays that ended in this unit."""
    stay_days_discharged: float = 0.0
    """Whole stays of the patients whose stay ended here (the published definition of
    occupancy in Griffiths et al. 2010 and its recreation)."""
    unplanned_discharged: int = 0
    wait_days_discharged: float = 0.0
    """Waits of the unplanned patients whose stay ended here, counted at discharge."""
    treating_days: float = 0.0
    """Patient-days in the unit's beds, turnaround excluded."""
    inpatient_km_days: float = 0.0
    """Road km from home of the patients in the unit's beds, integrated over time (kept
    where every place has a location, for bed types other than critical care)."""
    beds: BedTally = field(default_factory=BedTally)
    """Beds in use over time, turnaround included, and time at each number."""
    census: list[int] = field(default_factory=list)
    """Censuses taken at each number of occupied beds (0, 1, 2 ...)."""


@dataclass(slots=True)
class NetworkTally(Tally):
    """All the units of one bed type as one pool: its occupancy distribution and census."""

    beds: BedTally = field(default_factory=BedTally)
    census: list[int] = field(default_factory=list)


@dataclass(slots=True)
class SourceTally(Tally):
    """The patients of one admission source of one unit."""

    arrivals: int = 0
    admissions: int = 0
    refusals: int = 0
    """Unplanned patients refused."""
    cancellations: int = 0
    """Planned patients cancelled for want of a bed."""
    transfers_out: int = 0
    wait_days: float = 0.0
    """Waits of the unplanned patients admitted, counted at admission."""
    unplanned_admitted: int = 0


@dataclass(slots=True)
class CensusPoolTally(Tally):
    """Several bed types counted together at each census (what-if pooling)."""

    census: list[int] = field(default_factory=list)


# -- beds ------------------------------------------------------------------------------------------
class UnlimitedPool(BedPool):
    """Beds without a limit: nobody waits, and the occupancy histogram grows as needed."""

    __slots__ = ()

    def __init__(self, name: str, env: simpy.Environment):
        self.name = name
        self.capacity = math.inf
        self._env = env
        self.occupancy = TimeWeighted(env.now, 2)

    def occupy(self) -> None:
        occ = self.occupancy
        occ.add(self._env.now, 1)
        if occ.level >= len(occ.histogram):
            occ.histogram.append(0.0)

    def settle(self, tally: BedTally) -> None:
        now = self._env.now
        tally.bed_days = self.occupancy.settle(now)
        tally.capacity_days = 0.0
        tally.time_at = list(self.occupancy.histogram)


def count_census(hist: list[int], k: int) -> None:
    """One census at ``k`` occupied beds."""
    if k >= len(hist):
        hist.extend([0] * (k + 1 - len(hist)))
    hist[k] += 1


# -- things due later ---------------------------------------------------------------------------
class StayEnds(Due):
    """A patient's stay in a unit ends (see :mod:`.later`: one small object, no Timeout)."""

    __slots__ = ("network", "patient")

    def __init__(self, network: BedNetwork, patient: BedPatient):
        self.network = network
        self.patient = patient

    def end(self, _event: object = None) -> None:
        self.network._discharge(self.patient)


_STAY_ENDS = (StayEnds.end,)


class BedTurnedRound(Due):
    """A bed a patient has left is clean and ready again."""

    __slots__ = ("network", "unit")

    def __init__(self, network: BedNetwork, unit: Unit):
        self.network = network
        self.unit = unit

    def ready(self, _event: object = None) -> None:
        self.network._ready(self.unit)


_TURNED_ROUND = (BedTurnedRound.ready,)


# -- patients --------------------------------------------------------------------------------------
class BedPatient:
    """A patient in (or on the way to) a unit of one bed type."""

    __slots__ = (
        "cid", "home", "own", "unit", "arrived", "planned", "stay", "discharged", "ptype",
        "next", "dest", "source", "waited", "moving", "in_transit", "due", "km", "level",
        "short",
    )  # fmt: skip

    def __init__(
        self,
        cid: int,
        home: str,
        own: Unit | None,
        planned: bool,
        arrived: float,
        stay: float = 0.0,
    ):
        self.cid = cid
        self.home = home
        """Site the patient lives nearest to (for distance from home)."""
        self.own = own
        """The unit this patient asked for first (their own unit in this network)."""
        self.unit: Unit | None = None
        """The unit holding this patient's bed."""
        self.arrived = arrived
        self.planned = planned
        self.stay = stay
        """Days in the unit (drawn on arrival)."""
        self.discharged = False
        self.ptype: str | None = None
        self.next: BedNetwork | NextStay | None = None
        """The bed type the patient moves to when the stay ends (None: leaves)."""
        self.dest = HOME
        self.source: SourceTally | None = None
        self.waited = 0.0
        self.moving: Unit | None = None
        """The unit a repatriation is taking them to."""
        self.in_transit = False
        self.due = False
        """The stay ended while on the move: discharge on arrival."""
        self.km = 0.0
        """Road km from home to the unit the patient is in."""
        self.level = 0
        """Level of care (3 or 2) where units have nurses; 0 otherwise."""
        self.short = False
        """Their own unit had a free bed but no nurse for them."""


class NextStay(Protocol):
    """Where a patient goes when their stay in a unit ends, other than another bed type of
    a network (e.g. an emergency patient's ward bed after critical care)."""

    def moved_in(self, previous: BedPatient, from_site: str) -> None: ...


class Route:
    """Where one patient type goes from a unit, and the stay that goes with it, drawn on
    arrival."""

    __slots__ = ("_u", "_cum", "branches")

    def __init__(self, u: Sampler | None, weights: list[float], branches: list[tuple]):
        self._u = u
        total = sum(weights)
        self._cum = list(accumulate(w / total for w in weights))
        self._cum[-1] = 1.0
        self.branches = branches
        """(next network or None, destination name, stay sampler or None) per destination."""

    def draw(self) -> tuple:
        if self._u is None:
            return self.branches[0]
        return self.branches[bisect_right(self._cum, self._u())]


class Source:
    """One admission stream of a unit, resolved: who its patients are and how long they stay."""

    __slots__ = ("network", "unit", "tally", "stay", "route", "home", "ptype", "name", "level")

    def __init__(self, network: BedNetwork, unit: Unit, name: str, home: str):
        self.network = network
        self.unit = unit
        self.name = name
        self.home = home
        self.tally: SourceTally | None = None
        self.stay: Sampler | None = None
        self.route: Route | None = None
        self.ptype: str | None = None
        self.level: Level | None = None
        """The level of care of its patients, where units have nurses."""

    def arrive(self, _t: float) -> None:
        """An unplanned patient of this stream needs a bed now."""
        net = self.network
        unit = self.unit
        nxt, dest, stay = (None, HOME, None) if self.route is None else self.route.draw()
        if self.stay is not None:
            stay = self.stay
        patient = BedPatient(next(net.ids), self.home, unit, False, net.env.now, stay())
        patient.ptype = self.ptype
        patient.next = nxt
        patient.dest = dest
        patient.source = self.tally
        if self.level is not None:
            patient.level = self.level()
        net.arrive(patient)

    def arrive_planned(self, _t: float) -> None:
        """A planned patient of this stream arrives for their bed."""
        self.network.planned_arrival(self)


# -- units -----------------------------------------------------------------------------------------
class Unit:
    """One unit: its beds, beds kept for planned patients, and local queue."""

    def __init__(
        self,
        env: simpy.Environment,
        site: str,
        bed_type: str,
        spec: UnitSpec,
        tally: UnitTally,
    ):
        self.env = env
        self.site = site
        self.bed_type = bed_type
        name = f"{site}/{bed_type}"
        self.pool = BedPool(name, spec.beds, env) if spec.limited else UnlimitedPool(name, env)
        self.capacity = self.pool.capacity
        self.reserved = spec.elective_reserved
        self.unplanned_cap = self.capacity - self.reserved
        self.turnaround = spec.turnaround
        self.out_of_area = spec.out_of_area
        self.tally = tally
        self.unplanned_busy = 0
        """Beds held by unplanned patients (at most beds - reserved)."""
        self.queue: deque[BedPatient] = deque()
        """Unplanned patients of this unit waiting here for a bed."""
        self.away: deque[BedPatient] = deque()
        """This unit's patients in other units, oldest transfer first (for repatriation)."""
        self.treating = TimeWeighted(env.now)
        """Patients in the unit's beds (turnaround excluded)."""
        self.km = TimeWeighted(env.now)
        """Road km from home of the patients in the unit's beds, summed."""
        self.entries = 0
        self.exits = 0
        self.patients: set[int] = set()
        self.routes: dict[str | None, Route] = {}
        """Pathway by patient type."""
        self.stay: Sampler | None = None
        """The unit's own length of stay."""
        self.nurses: NursePool | None = None
        """The nurses this unit's patients draw on (None: beds are always staffed)."""
        self.roster: UnitNurses | None = None
        self.need: tuple[int, ...] = (0, 0, 0, 0)
        """Twelfths of a nurse a patient takes here, by level of care."""
        self.level: Level | None = None
        """Level of care of patients with none of their own, where units have nurses."""

    @property
    def beds(self) -> int | float:
        return self.capacity

    def bed_for_unplanned(self) -> bool:
        """A bed an unplanned patient may use is free (whether or not it has a nurse)."""
        return self.pool.busy < self.capacity and self.unplanned_busy < self.unplanned_cap

    def staffed(self, level: int) -> bool:
        """A nurse can take a patient at ``level`` here now."""
        n = self.nurses
        return n is None or n.used + self.need[level] <= n.capacity

    def free_for_unplanned(self, level: int = 0) -> bool:
        n = self.nurses
        return (
            self.pool.busy < self.capacity
            and self.unplanned_busy < self.unplanned_cap
            and (n is None or n.used + self.need[level] <= n.capacity)
        )

    def free_for_planned(self, already_promised: int = 0) -> bool:
        return self.pool.busy + already_promised < self.capacity


# -- the network -----------------------------------------------------------------------------------
class BedNetwork:
    """The units of one bed type and the policy that links them."""

    def __init__(
        self,
        env: simpy.Environment,
        bed_type: str,
        units: Mapping[str, UnitSpec],
        policy: NetworkPolicy,
        geography: Geography,
        calendar: Calendar,
        streams: Streams,
        ledger: Ledger,
        tallies: Mapping[str, UnitTally],
        network_tally: NetworkTally,
        *,
        prefix: str,
        events: str,
        ids: Iterator[int] | None = None,
        source_tallies: Mapping[str, SourceTally] | None = None,
    ):
        self.env = env
        self.bed_type = bed_type
        self.ledger = ledger
        self.policy = policy
        self.specs = dict(units)
        self.tally = dict(tallies)
        """Tallies by site (every site for critical care; the unit sites otherwise)."""
        self.units: dict[str, Unit] = {
            sid: Unit(env, sid, bed_type, spec, self.tally[sid]) for sid, spec in units.items()
        }
        limited = all(s.limited for s in units.values())
        name = f"network/{bed_type}"
        self.network = (
            BedPool(name, sum(u.pool.capacity for u in self.units.values()), env)
            if limited
            else UnlimitedPool(name, env)
        )
        self._network_tally = network_tally
        ledger.on_settle(self._settle)
        self._prefix = prefix
        self._geo = geography
        self._source_tallies = dict(source_tallies or {})
        self.ids = ids if ids is not None else itertools.count(1)
        self._ev = {k: f"{events}_{k}" for k in (
            "admitted", "transferred", "repatriated", "refused", "discharged", "cancelled",
            "planned_admitted",
        )}  # fmt: skip
        self._measures = (f"{bed_type}_beds_occupied", f"{bed_type}_queue")
        self._transfer_time = streams.sampler(f"{prefix}/transfer_time", policy.transfer_time)
        self._repatriation_time = streams.sampler(
            f"{prefix}/repatriation_time", policy.transfer_time
        )
        teams = policy.retrieval_teams
        self.teams = simpy.Resource(env, teams) if teams else None
        self._order = {sid: self._preference(sid) for sid in self.units}
        self.pooled = policy.pooled
        self.unplanned_busy = 0
        """Beds held by unplanned patients in the whole network."""
        self.unplanned_cap = self.network.capacity - sum(u.reserved for u in self.units.values())
        self.queue: deque[BedPatient] = deque()
        """With ``pooled``: unplanned patients waiting for any bed of the pool."""
        self.nursing = False
        """Some unit has nurses: every patient has a level of care."""
        if self.pooled:
            self._place = self._place_in_pool
            self._ready = self._ready_pooled
            full = {"queue": self._queue_pool, "refuse": self._refuse_patient}
            self._when_full = full[policy.if_none_free if policy.when_full == "transfer"
                                   else policy.when_full]  # fmt: skip
            self._planned_bed = self._pool_bed
        else:
            self._place = self._place_at_own
            self._when_full = {
                "queue": self._queue,
                "refuse": self._refuse_patient,
                "transfer": self._transfer_or_else,
            }[policy.when_full]
            self._planned_bed = self._own_bed
        self._none_free = self._queue if policy.if_none_free == "queue" else self._refuse_patient
        repat = policy.repatriation
        self.repatriation = repat
        self._repatriate_free: Callable[[Unit], bool] | None = None
        if repat is not None:
            self._repatriate_free = (
                Unit.free_for_unplanned
                if repat.priority == "after_planned"
                else Unit.free_for_planned
            )
        self._streams = streams
        self._calendar = calendar
        self.in_transit = 0
        """Unplanned patients on their way to a unit that will admit them."""
        self.repatriating = 0
        """Patients on their way home by a retrieval team (admitted already)."""
        self.sources: list[Source] = []
        self.planned_sources: list[Source] = []
        self._entry: dict[str, Unit] = {}
        """The unit a patient arriving from another bed type at a site goes to."""
        self.km: dict[tuple[str, str], float] = {}
        self._track_km = bed_type != "critical_care" and all(
            geography.location[s] is not None for s in geography.sites
        )
        """Keep the distance from home of the patients in beds over time (needs every
        place's location)."""
        for sid, spec in units.items():
            unit = self.units[sid]
            if spec.length_of_stay is not None:
                unit.stay = streams.sampler(f"{prefix}/{sid}/los", spec.length_of_stay)
            for name, src in spec.sources.items():
                self.sources.append(self._source(unit, name, src))
            for name, src in spec.planned_admissions.items():
                s = Source(self, unit, name, sid)
                s.stay = streams.sampler(f"{prefix}/{sid}/{name}/los", src.length_of_stay)
                s.tally = self._source_tallies.get(f"{sid}/{name}")
                self.planned_sources.append(s)

    # -- set-up ------------------------------------------------------------------------------
    def _source(self, unit: Unit, name: str, spec: AdmissionSource) -> Source:
        sid = unit.site
        src = Source(self, unit, name, spec.home or sid)
        src.ptype = spec.patient_type
        src.tally = self._source_tallies.get(f"{sid}/{name}")
        if spec.length_of_stay is not None:
            src.stay = self._streams.sampler(
                f"{self._prefix}/{sid}/{name}/los", spec.length_of_stay
            )
        return src

    def link(self, networks: Mapping[str, BedNetwork]) -> None:
        """Resolve pathways: each patient type's next bed types (``networks`` by bed type)."""
        streams = self._streams
        for sid, spec in self.specs.items():
            unit = self.units[sid]
            for ptype, path in spec.pathways.items():
                key = f"{self._prefix}/{sid}/pathway/{ptype}"
                default = (
                    streams.sampler(f"{key}/los", path.length_of_stay)
                    if path.length_of_stay is not None
                    else unit.stay
                )
                branches = []
                for dest, branch in path.next.items():
                    stay = (
                        streams.sampler(f"{key}/{dest}/los", branch.length_of_stay)
                        if branch.length_of_stay is not None
                        else default
                    )
                    branches.append((networks.get(dest), dest, stay))
                weights = [b.p for b in path.next.values()]
                u = streams.uniforms(f"{key}/next") if len(branches) > 1 else None
                unit.routes[ptype] = Route(u, weights, branches)
        for src in self.sources:
            route = src.unit.routes.get(src.ptype)
            if route is not None:
                src.route = route
            elif src.stay is None:
                src.stay = src.unit.stay
        for sid in self._geo.sites:
            self._entry[sid] = self._entry_unit(sid)

    def _entry_unit(self, from_site: str) -> Unit:
        """The unit of this bed type a patient leaving ``from_site`` moves to: the one at
        that site, else the nearest in the collaborative by road, else the first."""
        if from_site in self.units:
            return self.units[from_site]
        order = list(self.units)
        return self.units[
            min(
                order,
                key=lambda s: (
                    self.units[s].out_of_area,
                    self._geo.km(from_site, s),
                    order.index(s),
                ),
            )  # fmt: skip
        ]

    def _preference(self, home: str) -> list[Unit]:
        """Units to try for a patient from ``home`` whose own unit is full, best first.
        Units outside the collaborative come last (or alone, for ``out_of_area``)."""
        others = [s for s in self.units if s != home]
        policy = self.policy
        geo = self._geo

        def key(s: str) -> tuple:
            return (self.units[s].out_of_area, geo.km(home, s), s)

        if policy.transfer_to == "out_of_area" and not policy.pooled:
            others = [s for s in others if self.units[s].out_of_area]
        if policy.pooled or policy.transfer_to != "hub" or policy.hub is None:
            return [self.units[s] for s in sorted(others, key=key)]
        hub = policy.hub
        rest = sorted((s for s in others if s != hub), key=key)
        return [self.units[s] for s in ([hub] if hub in others else []) + rest]

    def start(self) -> None:
        """Start the admission streams."""
        for src in self.sources:
            spec = self.specs[src.unit.site].sources[src.name]
            self._start(spec, src.unit.site, src.name, src.arrive)
        for src in self.planned_sources:
            spec = self.specs[src.unit.site].planned_admissions[src.name]
            self._start(spec, src.unit.site, src.name, src.arrive_planned)

    def _start(self, spec: AdmissionSource | PlannedSource, site: str, name: str, arrive) -> None:
        times = pattern_times(
            spec, spec.per_day, self._calendar, self._streams, f"{self._prefix}/{site}/{name}",
            self.env.now,
        )  # fmt: skip
        Arrivals(self.env, times, arrive)

    def _settle(self, now: float) -> None:
        for unit in self.units.values():
            unit.pool.settle(unit.tally.beds)
            unit.tally.treating_days = unit.treating.settle(now)
            if self._track_km:
                unit.tally.inpatient_km_days = unit.km.settle(now)
        self.network.settle(self._network_tally.beds)

    def snapshot(self, ledger: Ledger, t: float) -> None:
        occupied, queue = self._measures
        for sid, unit in self.units.items():
            ledger.sample(t, sid, occupied, unit.pool.busy)
            ledger.sample(t, sid, queue, len(unit.queue))
        ledger.sample(t, "", occupied, self.network.busy)
        if self.pooled:
            ledger.sample(t, "", queue, len(self.queue))

    def census(self) -> None:
        """Count the patients in each unit and in the whole network now."""
        for unit in self.units.values():
            count_census(unit.tally.census, unit.pool.busy)
        count_census(self._network_tally.census, self.network.busy)

    def distance(self, home: str, unit: Unit) -> float:
        """Road km from ``home`` to ``unit`` (0 at the same site; inf if unknown)."""
        key = (home, unit.site)
        d = self.km.get(key)
        if d is None:
            d = self.km[key] = 0.0 if home == unit.site else self._geo.km(home, unit.site)
        return d

    # -- bookkeeping of beds -------------------------------------------------------------------
    def _hold(self, unit: Unit, patient: BedPatient) -> None:
        """Take a bed at ``unit`` for ``patient`` (who may still be on the way)."""
        unit.pool.occupy()
        self.network.occupy()
        if not patient.planned:
            unit.unplanned_busy += 1
            self.unplanned_busy += 1
        patient.unit = unit
        if unit.nurses is not None:
            self._take_nurse(unit, patient)

    def _enter(self, unit: Unit, patient: BedPatient) -> None:
        unit.entries += 1
        unit.patients.add(patient.cid)
        now = self.env.now
        unit.treating.add(now, 1)
        if self._track_km:
            patient.km = km = self.distance(patient.home, unit)
            unit.km.add(now, km)

    def _occupy(self, unit: Unit, patient: BedPatient) -> None:
        self._hold(unit, patient)
        self._enter(unit, patient)

    def _leave(self, unit: Unit, patient: BedPatient, used: bool = True) -> None:
        """The patient leaves ``unit``; its bed is ready again after turnaround (at once if
        it was held but never ``used``)."""
        unit.exits += 1
        unit.patients.discard(patient.cid)
        unit.treating.add(self.env.now, -1)
        if self._track_km:
            unit.km.add(self.env.now, -patient.km)
        if not patient.planned:
            unit.unplanned_busy -= 1
            self.unplanned_busy -= 1
        if unit.nurses is not None:
            self._give_nurse(unit, patient)
        if used and unit.turnaround > 0:
            BedTurnedRound(self, unit).due(self.env, unit.turnaround, _TURNED_ROUND)
        else:
            self._ready(unit)

    def _ready_own(self, unit: Unit) -> None:
        """A bed is clean: give it to a waiting local patient, or bring one of ours home."""
        unit.pool.vacate()
        self.network.vacate()
        if unit.queue and unit.free_for_unplanned(unit.queue[0].level):
            patient = unit.queue.popleft()
            self._admit(unit, patient, waited=self.env.now - patient.arrived)
        elif unit.away and self._repatriate_free is not None and self._repatriate_free(unit):
            self._repatriate(unit)

    _ready = _ready_own

    def _ready_pooled(self, unit: Unit) -> None:
        """A bed of the pool is clean: give it to the patient who has waited longest."""
        unit.pool.vacate()
        self.network.vacate()
        if (
            self.queue
            and self.unplanned_busy < self.unplanned_cap
            and unit.staffed(self.queue[0].level)
        ):
            patient = self.queue.popleft()
            self._admit(unit, patient, waited=self.env.now - patient.arrived)

    def _pool_bed(self, own: Unit, level: int = 0) -> Unit | None:
        """A free (staffed) bed anywhere in the pool: at the patient's own unit if it has
        one, else at the nearest unit that has."""
        if own.pool.busy < own.capacity and own.staffed(level):
            return own
        if self.network.busy >= self.network.capacity:
            return None
        return next(
            (u for u in self._order[own.site] if u.pool.busy < u.capacity and u.staffed(level)),
            None,
        )

    @staticmethod
    def _own_bed(own: Unit, level: int = 0) -> Unit | None:
        return own if own.pool.busy < own.capacity and own.staffed(level) else None

    # -- nurses --------------------------------------------------------------------------------
    def _take_nurse(self, unit: Unit, patient: BedPatient) -> None:
        pool = unit.nurses
        if pool is not None:
            n = unit.need[patient.level]
            pool.used += n
            unit.roster.needed.add(self.env.now, n)  # type: ignore[union-attr]

    def _give_nurse(self, unit: Unit, patient: BedPatient) -> None:
        pool = unit.nurses
        if pool is not None:
            n = unit.need[patient.level]
            pool.used -= n
            unit.roster.needed.add(self.env.now, -n)  # type: ignore[union-attr]
            self.nurses_freed(pool)

    def nurses_freed(self, pool: NursePool) -> None:
        """Nursing freed in ``pool`` (a discharge, or more nurses on a new shift): admit
        the patients waiting in its units that now have a staffed bed, longest wait first."""
        now = self.env.now
        if self.pooled:
            while self.queue and self.unplanned_busy < self.unplanned_cap:
                head = self.queue[0]
                target = self._pool_bed(head.own, head.level)
                if target is None:
                    return
                self.queue.popleft()
                self._admit(target, head, waited=now - head.arrived)
            return
        while True:
            best: Unit | None = None
            for u in pool.units:
                if (
                    u.queue
                    and (best is None or u.queue[0].arrived < best.queue[0].arrived)
                    and u.free_for_unplanned(u.queue[0].level)
                ):
                    best = u
            if best is None:
                return
            patient = best.queue.popleft()
            self._admit(best, patient, waited=now - patient.arrived)

    def _short_of_nurses(self, patient: BedPatient, bed_free: bool) -> None:
        """The patient found a free bed at their own unit (pool) but no nurse."""
        roster = patient.own.roster
        if bed_free and roster is not None:
            patient.short = True
            roster.tally.no_nurse += 1

    # -- unplanned patients ----------------------------------------------------------------------
    def unplanned(self, home: str, los: float | None = None, then: NextStay | None = None) -> None:
        """An unplanned patient at ``home`` needs a bed now (stay: the unit's); ``then``:
        where they go when the stay ends (None: they leave)."""
        unit = self.units[home]
        stay = unit.stay() if los is None else los
        patient = BedPatient(next(self.ids), home, unit, False, self.env.now, stay)
        patient.next = then
        self.arrive(patient)

    def referral(self, source: str) -> Callable[[str, NextStay | None], None]:
        """``admit(site, then)`` for unplanned patients from ``source`` (e.g. the emergency
        department), counted under that source where sources are reported; ``then`` is
        where the patient goes after the stay (None: they leave)."""
        if not self._source_tallies:
            return lambda home, then=None: self.unplanned(home, then=then)

        def admit(home: str, then: NextStay | None = None) -> None:
            unit = self.units[home]
            patient = BedPatient(next(self.ids), home, unit, False, self.env.now, unit.stay())
            patient.source = self._source_tallies.get(f"{home}/{source}")
            patient.next = then
            self.arrive(patient)

        return admit

    def arrive(self, patient: BedPatient) -> None:
        """An unplanned patient needs a bed at their own unit now."""
        patient.own.tally.unplanned_arrivals += 1
        if patient.source is not None:
            patient.source.arrivals += 1
        if self.nursing and not patient.level:
            patient.level = patient.own.level()  # type: ignore[misc]
        self._place(patient)

    def _place_at_own(self, patient: BedPatient) -> None:
        unit = patient.own
        if unit.free_for_unplanned(patient.level):
            self._admit(unit, patient, 0.0)
        else:
            if unit.nurses is not None:
                self._short_of_nurses(patient, unit.bed_for_unplanned())
            self._when_full(unit, patient)

    def _place_in_pool(self, patient: BedPatient) -> None:
        unit = patient.own
        room = self.unplanned_busy < self.unplanned_cap
        target = self._pool_bed(unit, patient.level) if room else None
        if target is not None:
            if self.nursing and target is not unit and unit.pool.busy < unit.capacity:
                self._short_of_nurses(patient, True)  # a bed at home, but no nurse
            self._admit(target, patient, 0.0)
        else:
            if self.nursing:
                self._short_of_nurses(patient, room and self.network.busy < self.network.capacity)
            self._when_full(unit, patient)

    def moved_in(self, previous: BedPatient, from_site: str) -> None:
        """A patient whose stay in another bed type ended moves to this one now."""
        unit = self._entry[from_site]
        route = unit.routes.get(previous.ptype)
        nxt, dest, stay = (None, HOME, unit.stay) if route is None else route.draw()
        patient = BedPatient(previous.cid, previous.home, unit, False, self.env.now, stay())
        patient.ptype = previous.ptype
        patient.next = nxt
        patient.dest = dest
        self.arrive(patient)

    def _queue(self, unit: Unit, patient: BedPatient) -> None:
        """Wait at the patient's own unit for its next bed."""
        unit.queue.append(patient)

    def _queue_pool(self, _unit: Unit, patient: BedPatient) -> None:
        """Wait for the next bed of the pool."""
        self.queue.append(patient)

    def _transfer_or_else(self, unit: Unit, patient: BedPatient) -> None:
        """Transfer to the first unit in order of preference with a free bed."""
        level = patient.level
        target = next((u for u in self._order[unit.site] if u.free_for_unplanned(level)), None)
        if target is not None:
            self.env.process(self._transfer(patient, target))
        else:
            self._none_free(unit, patient)

    def _refuse_patient(self, _unit: Unit, patient: BedPatient) -> None:
        patient.own.tally.refusals += 1
        if patient.source is not None:
            patient.source.refusals += 1
        if patient.short:
            patient.own.roster.tally.refusals_no_nurse += 1  # type: ignore[union-attr]
        self.ledger.log(self.env.now, self._ev["refused"], -patient.cid, patient.home)

    def _arrived(self, unit: Unit, patient: BedPatient) -> None:
        """Counts of an unplanned patient now in ``unit``'s bed, by their own unit."""
        own = patient.own
        tally = own.tally
        if unit is not own and self.pooled:  # placed in another unit's bed of the pool
            tally.transfers_out += 1
            if patient.source is not None:
                patient.source.transfers_out += 1
            if patient.short:
                own.roster.tally.transfers_no_nurse += 1  # type: ignore[union-attr]
        if unit.out_of_area:
            tally.out_of_area += 1
        d = self.distance(patient.home, unit)
        if d < math.inf:
            tally.distance_km += d
            tally.distance_known += 1

    def _admit(self, unit: Unit, patient: BedPatient, waited: float) -> None:
        self._occupy(unit, patient)
        unit.tally.admissions += 1
        own = patient.own.tally
        own.unplanned_admitted += 1
        own.unplanned_wait_days += waited
        patient.waited = waited
        src = patient.source
        if src is not None:
            src.admissions += 1
            src.unplanned_admitted += 1
            src.wait_days += waited
        self._arrived(unit, patient)
        self.ledger.log(self.env.now, self._ev["admitted"], -patient.cid, unit.site, patient.home)
        StayEnds(self, patient).due(self.env, patient.stay, _STAY_ENDS)

    def _transfer(self, patient: BedPatient, target: Unit):
        """Move an unplanned patient to ``target``; its bed is held from the decision."""
        env = self.env
        decided = env.now
        self._hold(target, patient)
        self.in_transit += 1
        home = patient.own.tally
        home.transfers_out += 1
        src = patient.source
        if src is not None:
            src.transfers_out += 1
        if patient.short:
            patient.own.roster.tally.transfers_no_nurse += 1  # type: ignore[union-attr]
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
        target.tally.admissions += 1
        home.unplanned_admitted += 1
        home.transfer_days += env.now - decided
        if src is not None:
            src.admissions += 1
            src.unplanned_admitted += 1
        self._arrived(target, patient)
        self.ledger.log(env.now, self._ev["transferred"], -patient.cid, target.site, patient.home)
        patient.own.away.append(patient)
        StayEnds(self, patient).due(env, patient.stay, _STAY_ENDS)

    def _repatriate(self, home: Unit) -> None:
        while home.away:
            patient = home.away.popleft()
            if patient.discharged or patient.unit is home or patient.moving is not None:
                continue
            if not home.staffed(patient.level):
                home.away.appendleft(patient)
                return
            if self.repatriation.team:
                self.env.process(self._repatriate_by_team(patient, home))
                return
            away = patient.unit
            if self.nursing:  # home's nurse first: the one freed away may go to another
                # patient at once (critical care keeps no distance from home over time)
                self._occupy(home, patient)
                self._leave(away, patient)
            else:
                self._leave(away, patient)
                self._occupy(home, patient)
            home.tally.repatriations += 1
            self.ledger.log(self.env.now, self._ev["repatriated"], -patient.cid, home.site,
                            away.site)  # fmt: skip
            return

    def _repatriate_by_team(self, patient: BedPatient, home: Unit):
        """Bring a patient home with a retrieval team: the home bed is held from the decision,
        the patient leaves the other unit when the team is ready and arrives after the
        journey."""
        env = self.env
        home.pool.occupy()
        self.network.occupy()
        home.unplanned_busy += 1
        self.unplanned_busy += 1
        self._take_nurse(home, patient)
        patient.moving = home
        if self.teams is not None:
            with self.teams.request() as team:
                yield team
                if not self._set_off(patient, home):
                    return
                yield env.timeout(self._repatriation_time())
        else:
            if not self._set_off(patient, home):
                return
            travel = self._repatriation_time()
            if travel > 0:
                yield env.timeout(travel)
        self.repatriating -= 1
        patient.in_transit = False
        patient.moving = None
        patient.unit = home
        self._enter(home, patient)
        home.tally.repatriations += 1
        self.ledger.log(env.now, self._ev["repatriated"], -patient.cid, home.site, "team")
        if patient.due:
            self._discharge(patient)

    def _set_off(self, patient: BedPatient, home: Unit) -> bool:
        """The team is ready: the patient leaves their bed (False: their stay already ended,
        and the bed held at home is given back)."""
        if patient.discharged:
            patient.moving = None
            home.unplanned_busy -= 1
            self.unplanned_busy -= 1
            self._give_nurse(home, patient)
            self._ready(home)
            return False
        away = patient.unit
        patient.in_transit = True
        self.repatriating += 1
        self._leave(away, patient)
        return True

    def _discharge(self, patient: BedPatient) -> None:
        """The stay ends: the patient leaves the unit and moves on along their pathway."""
        if patient.in_transit:
            patient.due = True
            return
        patient.discharged = True
        unit = patient.unit
        tally = unit.tally
        tally.discharges += 1
        tally.stay_days_discharged += patient.stay
        if not patient.planned:
            tally.unplanned_discharged += 1
            tally.wait_days_discharged += patient.waited
        self.ledger.log(self.env.now, self._ev["discharged"], -patient.cid, unit.site,
                        patient.dest)  # fmt: skip
        self._leave(unit, patient)
        if patient.next is not None:
            patient.next.moved_in(patient, unit.site)

    # -- planned patients ------------------------------------------------------------------------
    def planned_arrival(self, src: Source) -> None:
        """A planned patient booked straight into a unit arrives: a bed now, or cancelled."""
        unit = src.unit
        unit.tally.planned_arrivals += 1
        tally = src.tally
        if tally is not None:
            tally.arrivals += 1
        stay = src.stay()
        cid = next(self.ids)
        level = src.level() if src.level is not None else 0
        target = self._planned_bed(unit, level)
        if target is None:
            if self.nursing:
                self._planned_short(unit)
            unit.tally.planned_cancellations += 1
            if tally is not None:
                tally.cancellations += 1
            self.ledger.log(self.env.now, self._ev["cancelled"], -cid, unit.site, src.name)
            return
        patient = BedPatient(cid, unit.site, unit, True, self.env.now, stay)
        patient.level = level
        self._occupy(target, patient)
        target.tally.admissions += 1
        unit.tally.planned_admissions += 1
        if tally is not None:
            tally.admissions += 1
        self.ledger.log(self.env.now, self._ev["planned_admitted"], -cid, target.site, src.name)
        StayEnds(self, patient).due(self.env, stay, _STAY_ENDS)

    def can_book(self, site: str, already_promised: int) -> bool:
        """Whether a list being finalised at ``site`` may take one more patient needing a
        post-operative bed (beyond the ``already_promised`` ones)."""
        if self.pooled:
            return self.network.busy + already_promised < self.network.capacity
        return self.units[site].free_for_planned(already_promised)

    def booking_deferred(self, site: str) -> None:
        """A patient who would have been on a list at ``site`` was left off: no bed."""
        self.tally[site].booking_deferrals += 1

    def _planned_short(self, own: Unit) -> None:
        """A planned patient of ``own`` is cancelled: count it if a bed was free but no
        nurse."""
        roster = own.roster
        if roster is None:
            return
        if self.pooled:
            bed = self.network.busy < self.network.capacity
        else:
            bed = own.pool.busy < own.capacity
        if bed:
            roster.tally.cancellations_no_nurse += 1

    def post_op_level(self, site: str, procedure: str) -> int:
        """Level of care of a patient after surgery (0 where units have no nurses)."""
        return 0

    def admit_planned(
        self, site: str, pid: int = 0, procedure: str | None = None
    ) -> BedPatient | None:
        """A bed for an elective patient at ``site`` after surgery now, or None."""
        own = self.units[site]
        level = self.post_op_level(site, procedure) if self.nursing else 0  # type: ignore[arg-type]
        unit = self._planned_bed(own, level)
        src = self._source_tallies.get(f"{site}/post_operative")
        if src is not None:
            src.arrivals += 1
        if unit is None:
            if self.nursing:
                self._planned_short(own)
            if src is not None:
                src.cancellations += 1
            return None
        patient = BedPatient(next(self.ids), site, own, True, self.env.now)
        patient.level = level
        self._occupy(unit, patient)
        unit.tally.admissions += 1
        unit.tally.elective_admissions += 1
        if src is not None:
            src.admissions += 1
        if self.ledger.events is not None:
            self.ledger.log(self.env.now, self._ev["planned_admitted"], pid, unit.site,
                            "post_operative")  # fmt: skip
        return patient

    def discharge_planned_after(self, patient: BedPatient, stay: float) -> None:
        patient.stay = stay
        StayEnds(self, patient).due(self.env, stay, _STAY_ENDS)

    def release_planned(self, patient: BedPatient) -> None:
        """The operation was cancelled: the bed was held but not used, so it is free again
        at once (no turnaround)."""
        patient.discharged = True
        self._leave(patient.unit, patient, used=False)

    # -- checks ----------------------------------------------------------------------------------
    def check_conservation(self) -> None:
        """Unplanned arrivals = admitted + refused + waiting + in transit; each unit's entries =
        exits + patients in it; no unit over or under full."""
        tallies = [self.tally[s] for s in self.units]
        arrivals = sum(t.unplanned_arrivals for t in tallies)
        admitted = sum(t.unplanned_admitted for t in tallies)
        refused = sum(t.refusals for t in tallies)
        waiting = sum(len(u.queue) for u in self.units.values()) + len(self.queue)
        if arrivals != admitted + refused + waiting + self.in_transit:
            raise ConservationError(
                f"{self.bed_type} patients do not add up: arrived {arrivals} != admitted "
                f"{admitted} + refused {refused} + waiting {waiting} + in transit "
                f"{self.in_transit}"
            )
        for unit in self.units.values():
            if unit.entries != unit.exits + len(unit.patients):
                raise ConservationError(
                    f"{unit.site} {self.bed_type}: entries {unit.entries} != exits {unit.exits} "
                    f"+ in unit {len(unit.patients)}"
                )
            if not 0 <= unit.pool.busy <= unit.pool.capacity:
                raise ConservationError(f"{unit.pool.name}: {unit.pool.busy} of {unit.beds} beds")
        pools = {id(u.nurses): u.nurses for u in self.units.values() if u.nurses is not None}
        for pool in pools.values():
            taken = sum(u.roster.needed.level for u in pool.units)  # type: ignore[union-attr]
            if pool.used != taken or pool.used < 0:
                raise ConservationError(
                    f"{self.bed_type} nurses: the pool has {pool.used} twelfths of a nurse in "
                    f"use but its units' patients take {taken}"
                )
