"""Running a sweep: the tasks with no stored part, on any joblib backend, then the summary."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ...scenario.schema import Scenario
from ..backends import parallel_map, resolve_backend
from ..output import ExtraFiles
from .grid import SweepError
from .plan import SweepPlan, plan_sweep
from .results import SweepResults, load_sweep
from .store import claim, locked, remove_temporary_files, stored_parts, write_part
from .worker import TaskFailure, run_task


def run_sweep(
    plan: SweepPlan,
    out_dir: str | os.PathLike[str],
    n_jobs: int = 1,
    backend: str | None = None,
    scheduler: str | None = None,
    overwrite: bool = False,
    progress: bool = False,
    extra: ExtraFiles | None = None,
) -> SweepResults:
    """Run the tasks of ``plan`` that have no part in ``out_dir`` yet, then summarise.

    Each finished task is stored at once; failed tasks are listed in
    ``SweepResults.failures`` (and run again by the next call). ``extra`` writes more
    files with the summary (``sim.report.save_plots``: the KPI-against-parameter plots).
    """
    started = dt.datetime.now(dt.UTC)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise SweepError(f"{out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    backend = resolve_backend(backend, scheduler)
    by_id = {p.id: p for p in plan.points}
    if any(p.scenario is None for p in plan.points):
        raise SweepError("the plan has no scenarios: make it with plan_sweep")
    with locked(out):
        claim(out, plan, overwrite)
        remove_temporary_files(out)
        stored = stored_parts(out)
        todo = [
            (p.id, p.scenario, plan.seed, rep)
            for rep in range(plan.reps)
            for p in plan.points
            if (p.id, rep) not in stored
        ]
        total = len(plan.points) * plan.reps
        bar = _progress_bar(total, total - len(todo)) if progress else None
        failures: list[TaskFailure] = []
        try:
            for res in parallel_map(run_task, todo, n_jobs, backend, scheduler):
                if isinstance(res, TaskFailure):
                    failures.append(res)
                else:
                    write_part(out, res.point_id, res.rep, res.rows)
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()
        results = load_sweep(out, plan=plan)
        results.failures = sorted(failures, key=lambda f: (f.rep, f.point_id))
        results.manifest = {
            **plan.as_dict(),
            "tasks": total,
            "tasks_run": len(todo) - len(failures),
            "tasks_stored_before": total - len(todo),
            "failures": [
                {**f.__dict__, "overrides": by_id[f.point_id].overrides} for f in failures
            ],
            "backend": backend or "loky",
            "scheduler": scheduler,
            "n_jobs": n_jobs,
            "started": started.isoformat(timespec="seconds"),
        }
        results.save(out, extra=extra)
    return results


def _progress_bar(total: int, done: int):
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=done, desc="sweep", unit="task")


def sweep(
    scenario: Scenario | str | os.PathLike[str],
    grid: Mapping[str, Sequence[Any]],
    out_dir: str | os.PathLike[str],
    reps: int = 10,
    seed: int = 1,
    n_jobs: int = 1,
    backend: str | None = None,
    scheduler: str | None = None,
    overwrite: bool = False,
    progress: bool = False,
    extra: ExtraFiles | None = None,
) -> SweepResults:
    """Plan and run a sweep of ``scenario`` (a checked ``Scenario``, as ``run`` and
    ``compare`` take, or a scenario file) into ``out_dir``, resuming what is stored there.

    ``grid`` maps dotted scenario paths to the values to try, e.g.
    ``{"sites.cannock.beds.elective": [20, 26, 30]}``; every point is checked before any runs.

    ``extra=sim.report.save_plots`` saves a plot of the KPIs against each parameter.
    """
    plan = plan_sweep(scenario, grid, reps=reps, seed=seed)
    return run_sweep(
        plan,
        out_dir,
        n_jobs,
        backend,
        scheduler,
        overwrite=overwrite,
        progress=progress,
        extra=extra,
    )
