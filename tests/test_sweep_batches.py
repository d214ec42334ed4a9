"""Sweeps in batches (issue 14): a batch of replications is one worker call and one stored
part; the results are those of one task at a time, on forked workers too."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from experiment_scenarios import write

from sim.experiment.stats import t_quantile
from sim.experiment.sweep.run import batch_size, sweep
from sim.experiment.sweep.store import stored_parts

GRID = {"sites.site_a.beds.general": [15, 25]}


def test_t_quantile_is_scipy_stats_t_ppf() -> None:
    from scipy import stats

    for p in (0.5, 0.9, 0.975, 0.995):
        for dof in (1, 2, 3, 9, 29, 99, 1000):
            assert t_quantile(p, dof) == float(stats.t.ppf(p, dof))


def test_batch_size() -> None:
    assert batch_size(600, 2, None) == 25  # capped
    assert batch_size(24, 2, None) == 3  # about four batches per worker
    assert batch_size(1, 4, None) == 1
    assert batch_size(6, 1, None) == 25  # run here: one part per point


def test_batches_are_one_part_each_and_give_the_same_results(tmp_path: Path) -> None:
    path = write(tmp_path)
    one = sweep(path, GRID, tmp_path / "one", reps=3, seed=2)
    forked = sweep(path, GRID, tmp_path / "forked", reps=5, seed=2, n_jobs=2)
    files = {p.name for p in stored_parts(tmp_path / "one").values()}
    assert files == {"reps-00000-00002.parquet"}  # one batch per point, serial
    assert len(stored_parts(tmp_path / "forked")) == 2 * 5
    a = one.replications.sort_values(["point_id", "rep", "kpi", "site"]).reset_index(drop=True)
    b = forked.replications[forked.replications.rep < 3]
    b = b.sort_values(["point_id", "rep", "kpi", "site"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_forked_workers_give_the_same_results(tmp_path: Path) -> None:
    from sim.experiment.sweep.plan import plan_sweep
    from sim.experiment.sweep.run import run_sweep

    path = write(tmp_path)
    plan = plan_sweep(path, GRID, reps=4, seed=2)
    loky = run_sweep(plan, tmp_path / "loky", n_jobs=2)
    fork = run_sweep(plan, tmp_path / "fork", n_jobs=2, fork=True)
    pd.testing.assert_frame_equal(loky.summary, fork.summary, check_exact=True)
    # more replications later: the batch covers only the new ones
    more = run_sweep(plan_sweep(path, GRID, reps=6, seed=2), tmp_path / "fork", fork=True)
    assert more.manifest["tasks_run"] == 4 and more.complete
    names = {p.name for p in stored_parts(tmp_path / "fork").values()}
    assert "reps-00004-00005.parquet" in names


@pytest.mark.parametrize("reps", [2])
def test_fewer_replications_later_reads_only_those(tmp_path: Path, reps: int) -> None:
    path = write(tmp_path)
    sweep(path, GRID, tmp_path / "out", reps=4, seed=2)
    again = sweep(path, GRID, tmp_path / "out", reps=reps, seed=2)
    assert set(again.replications.rep) == set(range(reps))
