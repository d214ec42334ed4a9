"""One task of a sweep, run in a worker process: a (point, replication) to KPI rows.

Kept apart, with light imports (no pandas), so a worker loads the model and little else;
the process that submitted the sweep stores what comes back.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...replication import run_replication
from ...scenario.schema import Scenario
from .grid import describe_point


@dataclass(frozen=True)
class TaskFailure:
    """A (point, replication) that raised: enough to reproduce it alone."""

    point_id: str
    rep: int
    seed: int
    error: str
    traceback: str

    def describe(self, overrides: Mapping[str, Any] | None = None) -> str:
        where = f"grid point {describe_point(overrides)}" if overrides else self.point_id
        return f"{where}, replication {self.rep} (seed {self.seed}) failed: {self.error}"


@dataclass(frozen=True)
class TaskResult:
    """A finished (point, replication): its KPIs as ``store.PART_COLUMNS`` rows."""

    point_id: str
    rep: int
    rows: list[tuple[str, int, int, str, str, float]]


def run_tasks(
    pid: str, scenario: Scenario, seed: int, reps: list[int]
) -> list[TaskResult | TaskFailure]:
    """Run replications ``reps`` of one point, one after another (a batch: one round trip
    to the worker and one part file for them all)."""
    return [run_task(pid, scenario, seed, rep) for rep in reps]


def run_task(pid: str, scenario: Scenario, seed: int, rep: int) -> TaskResult | TaskFailure:
    """Run one (point, replication); return its KPI rows, small and picklable."""
    try:
        result = run_replication(scenario, seed=seed, rep=rep)
    except Exception as exc:  # reported with its point and seed, never swallowed
        return TaskFailure(pid, rep, seed, f"{type(exc).__name__}: {exc}", traceback.format_exc())
    return TaskResult(pid, rep, [(pid, rep, seed, k, s, v) for k, s, v in result.kpis])
