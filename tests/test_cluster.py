"""A real dask.distributed cluster (LocalCluster, 2 worker processes) gives the same results
as local worker processes (loky) for the same seed: for runs, comparisons, sweeps and the
command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from experiment_scenarios import write

import sim
from sim.experiment import backends
from sim.experiment.backends import BackendError, connected
from sim.experiment.sweep.run import sweep

distributed = pytest.importorskip("distributed")

GRID = {"sites.site_a.beds.general": [15, 25], "demand.referrals.site_b.hip": [3, 6]}


@pytest.fixture(scope="module")
def cluster() -> Iterator[distributed.LocalCluster]:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local:
        yield local


def executed_on_workers(address: str) -> int:
    """Tasks the cluster's workers have run so far."""
    with distributed.Client(address) as client:
        counts = client.run(lambda dask_worker: dask_worker.state.executed_count)
    return sum(counts.values())


def test_run_on_the_cluster_equals_loky(cluster, tmp_path: Path) -> None:
    sc = sim.load_scenario(write(tmp_path))
    before = executed_on_workers(cluster.scheduler_address)
    on_dask = sim.run(sc, reps=6, seed=11, backend="dask", scheduler=cluster.scheduler_address)
    assert executed_on_workers(cluster.scheduler_address) > before  # really ran there
    on_loky = sim.run(sc, reps=6, seed=11, n_jobs=2, backend="loky")
    pd.testing.assert_frame_equal(on_dask.summary, on_loky.summary, check_exact=True)
    pd.testing.assert_frame_equal(on_dask.replications, on_loky.replications, check_exact=True)
    pd.testing.assert_frame_equal(on_dask.timeseries, on_loky.timeseries, check_exact=True)
    assert on_dask.manifest["backend"] == "dask"


def test_compare_on_the_cluster_equals_loky(cluster, tmp_path: Path) -> None:
    path = write(tmp_path)
    scenarios = [sim.load_scenario(path), sim.load_scenario(path, {"sites.site_b.beds.general": 8})]
    on_dask = sim.compare(scenarios, reps=4, seed=2, scheduler=cluster.scheduler_address)
    on_loky = sim.compare(scenarios, reps=4, seed=2, n_jobs=2)
    pd.testing.assert_frame_equal(on_dask.differences(), on_loky.differences(), check_exact=True)


def test_sweep_on_the_cluster_equals_loky(cluster, tmp_path: Path) -> None:
    path = write(tmp_path)
    on_dask = sweep(
        path, GRID, tmp_path / "dask", reps=3, seed=4, backend="dask",
        scheduler=cluster.scheduler_address,
    )  # fmt: skip
    on_loky = sweep(path, GRID, tmp_path / "loky", reps=3, seed=4, n_jobs=2)
    assert on_dask.complete and on_loky.complete
    pd.testing.assert_frame_equal(on_dask.summary, on_loky.summary, check_exact=True)
    assert (tmp_path / "dask" / "summary.csv").read_bytes() == (
        tmp_path / "loky" / "summary.csv"
    ).read_bytes()
    assert json.loads((tmp_path / "dask" / "manifest.json").read_text())["backend"] == "dask"


def test_command_line_on_the_cluster(cluster, tmp_path: Path) -> None:
    path = write(tmp_path)
    res = subprocess.run(
        [
            sys.executable, "-m", "sim", "sweep", "tiny.yaml", "--set",
            "sites.site_a.beds.general=15,25", "--reps", "2", "--no-plots", "--out", "dask",
            "--backend", "dask", "--scheduler", cluster.scheduler_address,
        ],
        cwd=tmp_path,
        env={**os.environ, "MPLBACKEND": "Agg"},
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    grid = {"sites.site_a.beds.general": [15, 25]}
    on_loky = sweep(path, grid, tmp_path / "loky", reps=2, seed=1, n_jobs=2)
    on_dask = pd.read_csv(tmp_path / "dask" / "summary.csv")
    pd.testing.assert_frame_equal(
        on_dask, pd.read_csv(tmp_path / "loky" / "summary.csv"), check_exact=True
    )
    assert len(on_dask) == len(on_loky.summary)


def test_dask_without_a_scheduler_says_what_to_do(monkeypatch) -> None:
    with pytest.raises(BackendError, match="scheduler address"), connected("dask"):
        pass
    monkeypatch.setattr(backends, "CONNECT_TIMEOUT", "1s")
    with pytest.raises(BackendError, match="cannot reach the dask scheduler"):  # noqa: SIM117
        with connected("dask", "tcp://127.0.0.1:9"):
            pass
