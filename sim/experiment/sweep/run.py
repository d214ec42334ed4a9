"""Running a sweep: the tasks with no stored part, on any joblib backend, then the summary."""

from __future__ import annotations

import datetime as dt
import math
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
from .worker import TaskFailure, TaskResult, run_tasks


def run_sweep(
    plan: SweepPlan,
    out_dir: str | os.PathLike[str],
    n_jobs: int = 1,
    backend: str | None = None,
    scheduler: str | None = None,
    overwrite: bool = False,
    progress: bool = False,
    extra: ExtraFiles | None = None,
    fork: bool = False,
) -> SweepResults:
    """Run the tasks of ``plan`` that have no part in ``out_dir`` yet, then summarise.

    Replications run in batches (one worker call and one stored part per batch of up to
    ``MAX_BATCH`` replications of a point). ``fork``: local workers are forks of this
    process (see :func:`~sim.experiment.backends.parallel_map`; the command line's choice).

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
        missing = {
            p.id: [r for r in range(plan.reps) if (p.id, r) not in stored] for p in plan.points
        }
        n_todo = sum(len(reps) for reps in missing.values())
        size = batch_size(n_todo, n_jobs, backend)
        todo = [
            (p.id, p.scenario, plan.seed, missing[p.id][i : i + size])
            for p in plan.points
            for i in range(0, len(missing[p.id]), size)
        ]
        total = len(plan.points) * plan.reps
        bar = _progress_bar(total, total - n_todo) if progress else None
        failures: list[TaskFailure] = []
        try:
            batches = parallel_map(run_tasks, todo, n_jobs, backend, scheduler, fork=fork)
            for batch in batches:
                done = [r for r in batch if not isinstance(r, TaskFailure)]
                failures += [r for r in batch if isinstance(r, TaskFailure)]
                if len(done) == len(batch) and _consecutive(done):
                    rows = [row for r in done for row in r.rows]
                    write_part(out, done[0].point_id, done[0].rep, rows, last=done[-1].rep)
                else:
                    for res in done:
                        write_part(out, res.point_id, res.rep, res.rows)
                if bar is not None:
                    bar.update(len(batch))
        finally:
            if bar is not None:
                bar.close()
        results = load_sweep(out, plan=plan)
        results.failures = sorted(failures, key=lambda f: (f.rep, f.point_id))
        results.manifest = {
            **plan.as_dict(),
            "tasks": total,
            "tasks_run": n_todo - len(failures),
            "tasks_stored_before": total - n_todo,
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


#: The most replications of one point run as one batch (one worker call, one part file):
#: what a crash can lose per worker.
MAX_BATCH = 25


def batch_size(tasks: int, n_jobs: int, backend: str | None) -> int:
    """Replications per batch: about four batches per worker, so the workers stay busy to
    the end, and at most ``MAX_BATCH`` (run here, one after another: ``MAX_BATCH``)."""
    if n_jobs == 1 and backend is None:
        return MAX_BATCH
    workers = n_jobs if n_jobs > 0 and backend != "dask" else (os.cpu_count() or 1)
    return max(1, min(MAX_BATCH, math.ceil(tasks / (4 * workers))))


def _consecutive(done: list[TaskResult]) -> bool:
    return all(b.rep == a.rep + 1 for a, b in zip(done, done[1:], strict=False))


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
