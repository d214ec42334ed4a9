"""One replication: a scenario and a seed in, plain records and KPIs out."""

from __future__ import annotations

import gc
import time
import traceback
from dataclasses import dataclass, field

import numpy as np

from .metrics import kpi_rows
from .model.build import CollaborativeModel
from .model.critical_care import NETWORK, CriticalCareTally
from .model.ledger import OPERATION, Event, Ledger, Sample
from .model.networks import CensusPoolTally, NetworkTally, UnitTally
from .model.wards import WardTally
from .scenario.schema import Scenario

#: One operation in :attr:`ReplicationResult.treated`.
TREATED = OPERATION

@dataclass
class ReplicationResult:
    """What one replication returns: small, picklable, no DataFrames.

    ``kpis`` are (kpi, site, value) rows; ``timeseries`` (time in days, site, measure,
    value); ``treated`` one record per operation (home site and treating site as indexes
    into ``sites``, priority rank, wait in days, time, deprivation quintile or 0) in a
    compact numpy array, since a replication can hold tens of thousands;
    ``occupancy`` maps each bed pool to the time spent at each number of occupied beds;
    ``events`` is the patient-level log when it was asked for.
    """

    rep: int
    seed: int
    kpis: list[tuple[str, str, float]]
    timeseries: list[Sample]
    treated: np.ndarray
    sites: tuple[str, ...]
    occupancy: dict[str, list[float]]
    events: list[Event] | None = None
    wall_seconds: float = 0.0
    info: dict[str, float] = field(default_factory=dict)


def run_replication(
    scenario: Scenario, seed: int = 1, rep: int = 0, events: bool = False
) -> ReplicationResult:
    """Run replication ``rep`` of ``scenario`` under experiment seed ``seed`` to its horizon.

    The books are checked at the end (every referral treated, removed or still waiting;
    every emergency admitted, diverted or still waiting): a ``ConservationError`` means a
    model bug.
    """
    started = time.perf_counter()
    model = CollaborativeModel(scenario, seed=seed, rep=rep, log_events=events)
    # The model's objects (a deep backlog: millions) live to the end of the run and make no
    # garbage cycles: frozen, no collection after the run scans them; release() then frees
    # the patients by reference counting.
    gc.freeze()
    try:
        model.run()
        model.check_conservation()
        ledger = model.close()
        result = _result(model, ledger, rep, seed, started)
    finally:
        model.release()
        gc.unfreeze()
    return result


def _result(
    model: CollaborativeModel, ledger: Ledger, rep: int, seed: int, started: float
) -> ReplicationResult:
    return ReplicationResult(
        rep=rep,
        seed=seed,
        kpis=kpi_rows(ledger),
        timeseries=ledger.timeseries,
        treated=ledger.operations.to_array(),
        sites=ledger.sites,
        occupancy=occupancy(ledger),
        events=ledger.events,
        wall_seconds=time.perf_counter() - started,
        info={
            "referred_total": model.elective.referred_total,
            "treated_total": model.elective.treated_total,
            "removed_total": model.elective.removed_total,
            "left_total": model.elective.left_total,
            "still_waiting": len(model.elective.pathway),
        },
    )


def occupancy(ledger: Ledger) -> dict[str, list[float]]:
    """Time (after the warm-up) at each number of occupied beds, by bed pool."""
    out: dict[str, list[float]] = {}
    for sid, ward in ledger.measured_of(WardTally).items():
        for kind, pool in (("general", ward.general), ("elective", ward.elective)):
            if len(pool.time_at) > 1:
                out[f"{sid}/{kind}"] = pool.time_at
    if "critical_care" in ledger.features:
        for sid, cc in ledger.measured_of(CriticalCareTally).items():
            if len(cc.beds.time_at) > 1:
                out[f"{sid}/critical_care"] = cc.beds.time_at
        out[NETWORK] = ledger.measured_of(NetworkTally)["critical_care"].beds.time_at
    for key, unit in ledger.measured_of(UnitTally).items():
        out[key] = unit.beds.time_at
    for bt, net in ledger.measured_of(NetworkTally).items():
        if bt != "critical_care":
            out[f"network/{bt}"] = net.beds.time_at
    out.update(census(ledger))
    return out


def census(ledger: Ledger) -> dict[str, list[float]]:
    """Censuses (after the warm-up) at each number of occupied beds, by unit (``census:<site>/
    <bed type>``), bed type (``census:network/<bed type>``) and census pool
    (``census:<pool>``); only where a census was taken."""
    out: dict[str, list[float]] = {}
    for kind, prefix in ((CriticalCareTally, "{}/critical_care"), (UnitTally, "{}"),
                         (NetworkTally, "network/{}"), (CensusPoolTally, "{}")):  # fmt: skip
        for key, tally in ledger.measured_of(kind).items():
            if sum(tally.census):
                out["census:" + prefix.format(key)] = [float(c) for c in tally.census]
    return out


@dataclass(frozen=True)
class ReplicationFailure:
    """A replication that raised: enough to reproduce it alone."""

    rep: int
    seed: int
    error: str
    traceback: str

    def describe(self) -> str:
        return (
            f"replication {self.rep} (experiment seed {self.seed}, replication seed spawn key "
            f"({self.rep},)) failed: {self.error}"
        )


def run_safely(
    scenario: Scenario, seed: int, rep: int, events: bool = False
) -> ReplicationResult | ReplicationFailure:
    """``run_replication`` for a worker: a failure comes back with its seed, never lost.

    Lives here, not with the experiment code, so a worker process imports only the model.
    """
    try:
        return run_replication(scenario, seed=seed, rep=rep, events=events)
    except Exception as exc:  # reported with its seed, never swallowed
        return ReplicationFailure(rep, seed, f"{type(exc).__name__}: {exc}", traceback.format_exc())
