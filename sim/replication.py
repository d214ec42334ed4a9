"""One replication: a scenario and a seed in, plain records and KPIs out."""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field

import numpy as np

from .metrics import replication_kpis
from .model.build import CollaborativeModel
from .scenario.schema import Scenario

#: One operation in :attr:`ReplicationResult.treated`.
TREATED = np.dtype(
    [("home", "i2"), ("site", "i2"), ("priority", "i1"), ("wait_days", "f8"), ("day", "f8"),
     ("quintile", "i1")]
)  # fmt: skip


def compact_treated(rows: list[tuple], sites: tuple[str, ...]) -> np.ndarray:
    """(home, site, priority, wait, day, quintile) tuples as a :data:`TREATED` array."""
    index = {s: i for i, s in enumerate(sites)}
    out = np.empty(len(rows), dtype=TREATED)
    if rows:
        home, site, priority, wait, day, quintile = zip(*rows, strict=True)
        out["home"] = [index[h] for h in home]
        out["site"] = [index[s] for s in site]
        out["priority"] = priority
        out["wait_days"] = wait
        out["day"] = day
        out["quintile"] = quintile
    return out


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
    timeseries: list[tuple[float, str, str, float]]
    treated: np.ndarray
    sites: tuple[str, ...]
    occupancy: dict[str, list[float]]
    events: list[tuple] | None = None
    wall_seconds: float = 0.0
    info: dict[str, float] = field(default_factory=dict)


def run_replication(
    scenario: Scenario, seed: int = 0, rep: int = 0, events: bool = False
) -> ReplicationResult:
    """Run replication ``rep`` of ``scenario`` under experiment seed ``seed`` to its horizon.

    The books are checked at the end (every referral treated, removed or still waiting;
    every emergency admitted, diverted or still waiting): a ``ConservationError`` means a
    model bug.
    """
    started = time.perf_counter()
    model = CollaborativeModel(scenario, seed=seed, rep=rep, log_events=events)
    model.run()
    model.check_conservation()
    kpis = replication_kpis(model)
    occupancy = {}
    at_warm_up = model.at_warm_up.get("beds", {})
    for sid, beds in model.beds.items():
        for i, pool in enumerate((beds.general, beds.elective)):
            if pool.capacity:
                before = at_warm_up[sid][i][1] if sid in at_warm_up else [0.0] * (pool.capacity + 1)
                occupancy[pool.name] = [a - b for a, b in zip(pool.stats()[1], before, strict=True)]
    if model.critical_care is not None:
        warm = model.at_warm_up.get("cc", {})
        cc = model.critical_care
        for pool in [u.pool for u in cc.units.values()] + [cc.network]:
            times = pool.stats()[1]
            before = warm.get(pool.name, (0.0, [0.0] * len(times)))[1]
            occupancy[pool.name] = [a - b for a, b in zip(times, before, strict=True)]
    sites = tuple(scenario.sites)
    return ReplicationResult(
        rep=rep,
        seed=seed,
        kpis=kpis,
        timeseries=model.recorder.timeseries,
        treated=compact_treated(model.recorder.treated, sites),
        sites=sites,
        occupancy=occupancy,
        events=model.recorder.events,
        wall_seconds=time.perf_counter() - started,
        info={
            "referred_total": model.elective.referred_total,
            "treated_total": model.elective.treated_total,
            "removed_total": model.elective.removed_total,
            "still_waiting": len(model.elective.pathway),
        },
    )


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
