"""Many replications of a scenario, in parallel with joblib, reproducibly.

Replication ``r`` of an experiment seeded ``seed`` draws every random number from
``SeedSequence(seed, spawn_key=(r, stream))`` (see :mod:`sim.model.streams`), so its
result is the same whichever worker runs it, and the whole set is bit-identical for
any ``n_jobs`` or joblib backend. A replication that raises is reported with its index
and seed; the others are kept only if asked.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from collections.abc import Callable, Iterable
from typing import Any

from .._version import __version__
from ..replication import ReplicationFailure, ReplicationResult, run_safely
from ..scenario.load import scenario_dict, scenario_hash
from ..scenario.schema import Scenario
from ..text import shown
from .backends import parallel_map
from .results import ReplicationError, Results, RunInterrupted


def run_tasks(
    tasks: Iterable[tuple[Scenario, int, int, bool]],
    n_jobs: int = 1,
    backend: str | None = None,
    progress: Callable[[int], None] | None = None,
    scheduler: str | None = None,
) -> list[ReplicationResult | ReplicationFailure]:
    """Run (scenario, seed, rep, events) tasks with joblib; results in completion order.

    ``backend="dask"`` runs them on a dask.distributed cluster (``scheduler`` address, or a
    ``distributed.Client`` already created); see :mod:`sim.experiment.backends`. Ctrl-C
    raises `RunInterrupted` with the results gathered so far as ``partial``.
    """
    out = []
    try:
        for result in parallel_map(
            run_safely, tasks, n_jobs=n_jobs, backend=backend, scheduler=scheduler
        ):
            out.append(result)
            if progress:
                progress(1)
    except KeyboardInterrupt:
        raise RunInterrupted(out) from None
    return out


def run(
    scenario: Scenario,
    reps: int = 10,
    seed: int = 1,
    n_jobs: int = 1,
    events: bool = False,
    progress: bool = False,
    keep_going: bool = False,
    backend: str | None = None,
    first_rep: int = 0,
    scheduler: str | None = None,
) -> Results:
    """Run ``reps`` replications of ``scenario`` and gather them into :class:`Results`.

    ``n_jobs`` workers (joblib; -1 = all cores); ``events=True`` keeps the patient-level
    log; ``keep_going=True`` returns the successful replications when some fail (listed
    in ``Results.failures``) instead of raising ``ReplicationError``; ``backend="dask"``
    with a ``scheduler`` address runs them on a dask.distributed cluster.
    """
    if reps < 1:
        raise ValueError("reps must be at least 1")
    started = dt.datetime.now(dt.UTC)
    tasks = [(scenario, seed, r, events) for r in range(first_rep, first_rep + reps)]
    bar = _progress_bar(reps, scenario.name) if progress else None
    interrupted = False
    try:
        raw = run_tasks(
            tasks,
            n_jobs=n_jobs,
            backend=backend,
            progress=bar.update if bar is not None else None,
            scheduler=scheduler,
        )
    except RunInterrupted as exc:  # keep what had finished, marked partial
        raw, interrupted = exc.partial, True
    finally:
        if bar is not None:
            bar.close()
    done = sorted((r for r in raw if isinstance(r, ReplicationResult)), key=lambda r: r.rep)
    failed = sorted((r for r in raw if isinstance(r, ReplicationFailure)), key=lambda r: r.rep)
    results = Results(scenario=scenario, seed=seed, reps=done, failures=failed)
    results.manifest = manifest(
        scenario,
        seed,
        [r.rep for r in done],
        n_jobs,
        started,
        failures=failed,
        events=events,
        backend=backend or "loky",
    )
    if interrupted:
        results.manifest.update(partial=True, reps_planned=reps)
        raise RunInterrupted(results if done else None)
    if failed and (not keep_going or not done):
        raise ReplicationError(failed, partial=results if done else None)
    return results


def manifest(
    scenario: Scenario, seed: int, reps: list[int], n_jobs: int, started: dt.datetime, **extra: Any
) -> dict[str, Any]:
    """Provenance of a run: what was run, with what, when."""
    import numpy
    import simpy

    failures = extra.pop("failures", [])
    return {
        "scenario_name": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "seed": seed,
        "reps": len(reps),
        "replications": reps,
        "n_jobs": n_jobs,
        "hubsim_version": __version__,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "simpy": simpy.__version__,
        "host_cpus": os.cpu_count(),
        "started": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "failures": [{"rep": f.rep, "seed": f.seed, "error": f.error} for f in failures],
        **extra,
        "scenario": scenario_dict(scenario),
    }


def _progress_bar(total: int, name: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=shown(name, 40, quote=False), unit="rep", leave=False)
