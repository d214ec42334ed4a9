"""Critical care: the network of critical care units.

A :class:`~.networks.BedNetwork` of bed type ``critical_care`` (see :mod:`.networks` for how
units, transfers, repatriation and pooling work), with what only critical care has:
unplanned patients from the site's emergency department and deteriorating ward patients,
one unnamed stream of direct admissions per unit, and planned post-operative patients
from theatre lists, who may also use the beds a unit reserves for them. Its counters are
kept per site (:class:`CriticalCareTally`) and, where a unit names its admission streams,
per source (:class:`~.networks.SourceTally`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial

import simpy

from ..scenario.critical_care import RESERVED_SOURCES, CriticalCarePolicy, CriticalCareUnit
from ..scenario.networks import CRITICAL_CARE
from .calendar import Arrivals, Calendar, pattern_times
from .geography import Geography
from .ledger import Ledger
from .networks import BedNetwork, BedPatient, NetworkTally, SourceTally, Unit, UnitTally
from .nursing import Level, ShiftClock, level, staff_units
from .streams import Streams

#: Snapshot measures of this feature.
OCCUPIED = "cc_beds_occupied"
QUEUE = "cc_queue"
NETWORK = "network/critical_care"
"""Name of the whole network's bed pool."""

#: Admission sources that are not streams of the unit, as reported per source.
FROM_EMERGENCY = "from_emergency"
DETERIORATION = "deterioration"
POST_OPERATIVE = "post_operative"
DIRECT = "direct"
assert (FROM_EMERGENCY, DETERIORATION, POST_OPERATIVE, DIRECT) == RESERVED_SOURCES

CCPatient = BedPatient

__all__ = [
    "NETWORK",
    "OCCUPIED",
    "QUEUE",
    "CCPatient",
    "CriticalCareNetwork",
    "CriticalCareTally",
    "NetworkTally",
    "Unit",
]


@dataclass(slots=True)
class CriticalCareTally(UnitTally):
    """Critical care at one site: its unit's activity and its own patients' fate."""


def source_kinds(units: Mapping[str, CriticalCareUnit], post_op: bool) -> dict[str, dict[str, str]]:
    """The admission sources reported for each unit, ``{site: {source: "planned" |
    "unplanned"}}``: empty unless some unit names its streams (or has planned ones)."""
    if not any(u.sources or u.planned_admissions for u in units.values()):
        return {}
    out: dict[str, dict[str, str]] = {}
    for sid, u in units.items():
        kinds = {name: "unplanned" for name in u.sources}
        if u.stream is not None:
            kinds[DIRECT] = "unplanned"
        if u.from_emergency_probability > 0:
            kinds[FROM_EMERGENCY] = "unplanned"
        if u.deterioration_probability > 0:
            kinds[DETERIORATION] = "unplanned"
        kinds.update({name: "planned" for name in u.planned_admissions})
        if post_op:
            kinds[POST_OPERATIVE] = "planned"
        out[sid] = kinds
    return out


class CriticalCareNetwork(BedNetwork):
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
        network_tally: NetworkTally | None = None,
        ids: Iterator[int] | None = None,
        post_op: bool = False,
        post_op_shares: Mapping[str, float | None] | None = None,
    ):
        tallies = ledger.tallies(CriticalCareTally)
        by_site = {sid: tallies[ledger.index[sid]] for sid in ledger.sites}
        kinds = source_kinds(units, post_op)
        keys = [f"{sid}/{name}" for sid, k in kinds.items() for name in k]
        sources = (
            dict(zip(keys, ledger.tallies(SourceTally, keys=keys), strict=True)) if keys else {}
        )
        if kinds:
            ledger.extra["cc_sources"] = {n: kind for k in kinds.values() for n, kind in k.items()}
        if network_tally is None:
            network_tally = ledger.tallies(NetworkTally, keys=(CRITICAL_CARE,))[0]
        super().__init__(
            env, CRITICAL_CARE, units, policy, geography, calendar, streams, ledger, by_site,
            network_tally, prefix="critical_care", events="cc", ids=ids, source_tallies=sources,
        )  # fmt: skip
        self._direct = {sid: sources.get(f"{sid}/{DIRECT}") for sid in units}
        self._direct_level: dict[str, Level] = {}
        self._post_op_level: dict[tuple[str, str], Level] = {}
        self._post_op_share = dict(post_op_shares or {})
        self.clocks: list[ShiftClock] = []
        if any(u.nursing is not None for u in units.values()):
            self._staff(units, policy, geography, streams, ledger)

    def _staff(
        self,
        units: Mapping[str, CriticalCareUnit],
        policy: CriticalCarePolicy,
        geography: Geography,
        streams: Streams,
        ledger: Ledger,
    ) -> None:
        """Nurses: each patient's level of care, each unit's roster and shared pools."""
        self.nursing = True
        prefix = "critical_care"
        for sid, spec in units.items():
            unit = self.units[sid]
            unit.level = level(streams, f"{prefix}/{sid}/level", spec.level_3_share)
            if spec.stream is not None:
                self._direct_level[sid] = level(
                    streams, f"{prefix}/{sid}/{DIRECT}/level", spec.stream.level_3_share, unit.level
                )
        for src in self.sources:
            share = self.specs[src.unit.site].sources[src.name].level_3_share
            name = f"{prefix}/{src.unit.site}/{src.name}/level"
            src.level = level(streams, name, share, src.unit.level)
        for src in self.planned_sources:
            share = self.specs[src.unit.site].planned_admissions[src.name].level_3_share
            name = f"{prefix}/{src.unit.site}/planned/{src.name}/level"
            src.level = level(streams, name, share, src.unit.level)
        shared = policy.nurses_shared

        def pool_of(sid: str) -> str:
            if shared == "site" or units[sid].out_of_area:
                return f"site {sid}"
            return f"trust {geography.trust[sid]}" if shared == "trust" else "collaborative"

        specs = {
            sid: (u.nursing, u.level_3_share or 0.0)
            for sid, u in units.items()
            if u.nursing is not None
        }
        self.clocks = staff_units(
            self.env, self.units, specs, pool_of, streams, ledger, prefix, self.nurses_freed
        )

    def post_op_level(self, site: str, procedure: str) -> int:
        """Level of care of a patient after ``procedure`` at ``site``: the procedure's
        share at level 3, else the unit's."""
        key = (site, procedure)
        draw = self._post_op_level.get(key)
        if draw is None:
            name = f"critical_care/{site}/{POST_OPERATIVE}/{procedure}/level"
            share = self._post_op_share.get(procedure)
            draw = self._post_op_level[key] = level(
                self._streams, name, share, self.units[site].level
            )
        return draw()

    def start(self) -> None:
        """Start the direct admission streams."""
        for sid, spec in self.specs.items():
            stream = spec.stream
            if stream is not None:
                times = pattern_times(
                    stream, stream.per_day, self._calendar, self._streams,
                    f"critical_care/{sid}", self.env.now,
                )  # fmt: skip
                Arrivals(self.env, times, partial(self._direct_admission, sid))
        for clock in self.clocks:
            clock.start()
        super().start()

    def _direct_admission(self, site: str, _t: float) -> None:
        source = self._direct[site]
        unit = self.units[site]
        patient = BedPatient(next(self.ids), site, unit, False, self.env.now, unit.stay())
        patient.source = source
        if self.nursing:
            patient.level = self._direct_level[site]()
        self.arrive(patient)

    def snapshot(self, ledger: Ledger, t: float) -> None:
        for sid, unit in self.units.items():
            ledger.sample(t, sid, OCCUPIED, unit.pool.busy)
            ledger.sample(t, sid, QUEUE, len(unit.queue))
        ledger.sample(t, "", OCCUPIED, self.network.busy)
        if self.pooled:
            ledger.sample(t, "", QUEUE, len(self.queue))
