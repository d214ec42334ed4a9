"""Sweeps: the grid, one stored part per task, common random numbers, and surviving kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from experiment_scenarios import SLOW, write

import sim
from sim.experiment.sweep.grid import SweepError, load_grid, make_grid, parse_set, point_id
from sim.experiment.sweep.run import sweep
from sim.experiment.sweep.store import stored_parts
from sim.report import save_plots

GRID = {"sites.site_a.beds.general": [15, 25], "demand.referrals.site_b.hip": [3, 6]}


def hubsim(*args: object, cwd: Path, **kw) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("HUBSIM_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "sim", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        **kw,
    )


def test_grid_from_set_options_and_file(tmp_path: Path) -> None:
    assert parse_set("sites.cannock.beds.elective=20, 26,30") == (
        "sites.cannock.beds.elective",
        [20, 26, 30],
    )
    assert parse_set("policies.x=6 days,0.9,true") == ("policies.x", ["6 days", 0.9, True])
    grid_file = tmp_path / "grid.yaml"
    grid_file.write_text("sites.a.beds.general: [10, 20]\nwarm_up: 2 weeks\n")
    grid = make_grid(grid_file, ["sites.b.beds.general=5,6"])
    assert grid == {
        "sites.a.beds.general": [10, 20],
        "warm_up": ["2 weeks"],
        "sites.b.beds.general": [5, 6],
    }
    with pytest.raises(SweepError, match="given twice"):
        make_grid(grid_file, ["warm_up=1 weeks"])
    with pytest.raises(SweepError, match="PATH=V1,V2"):
        parse_set("sites.a.beds.general")
    with pytest.raises(SweepError, match="repeated"):
        make_grid(None, ["a=1,1"])
    grid_file.write_text("- not a mapping\n")
    with pytest.raises(SweepError, match="maps dotted scenario paths"):
        load_grid(grid_file)
    # the point id depends on the overrides only, not on their order
    assert point_id({"a": 1, "b": 2}) == point_id({"b": 2, "a": 1}) != point_id({"a": 1, "b": 3})


def test_every_task_once_and_each_point_equals_sim_run(tmp_path: Path) -> None:
    path = write(tmp_path)
    res = sweep(path, GRID, tmp_path / "out", reps=3, seed=7, n_jobs=2, extra=save_plots)
    assert res.complete and not res.failures
    parts = stored_parts(tmp_path / "out")
    assert len(parts) == 4 * 3
    assert {rep for _pid, rep in parts} == {0, 1, 2}
    reps = res.replications
    assert not reps.duplicated(["point_id", "rep", "kpi", "site"]).any()
    assert len(res.summary) == 4 * reps[reps.site == ""].kpi.nunique()
    for overrides in res.points.drop(columns="point_id").to_dict("records"):
        alone = sim.run(sim.load_scenario(path, overrides), reps=3, seed=7)
        mine = res.point(**{k.replace(".", "__"): v for k, v in overrides.items()})
        pd.testing.assert_frame_equal(
            mine.drop(columns="point_id"), alone.replications, check_exact=True
        )
        s = res.summary_all[res.summary_all.point_id == point_id(overrides)]
        cols = ["kpi", "site", "mean", "std", "ci_low", "ci_high", "n", "unit"]
        pd.testing.assert_frame_equal(
            s[cols].reset_index(drop=True), alone.summary[cols], check_exact=True
        )
    out = tmp_path / "out"
    on_disk = pd.read_csv(out / "summary.csv")
    assert list(on_disk.columns[:3]) == ["point_id", *GRID]
    assert (out / "sweep_sites_site_a_beds_general.png").stat().st_size > 10_000
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] and manifest["tasks_run"] == 12
    # hubsim report on a sweep folder: a page of the grid points, plots and provenance
    done = hubsim("report", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = (out / "report.html").read_text()
    assert "hubsim sweep report" in page and "sites.site_a.beds.general" in page
    assert page.count('data-plot="sweep_') == 2 and "Traceback" not in done.stderr


def test_more_replications_later_runs_only_the_new_ones(tmp_path: Path) -> None:
    path = write(tmp_path)
    sweep(path, GRID, tmp_path / "out", reps=2, seed=3)
    res = sweep(path, GRID, tmp_path / "out", reps=3, seed=3)
    assert res.manifest["tasks_run"] == 4 and res.manifest["tasks_stored_before"] == 8
    assert res.complete and len(stored_parts(tmp_path / "out")) == 12


def test_a_different_sweep_in_the_same_folder_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path)
    sweep(path, GRID, tmp_path / "out", reps=2, seed=3)
    with pytest.raises(SweepError, match="holds a different sweep .*seed 3"):
        sweep(path, GRID, tmp_path / "out", reps=2, seed=4)
    with pytest.raises(SweepError, match="holds a different sweep .*grid"):
        sweep(path, {"sites.site_a.beds.general": [15]}, tmp_path / "out", reps=2, seed=3)
    res = sweep(
        path, {"sites.site_a.beds.general": [15]}, tmp_path / "out", reps=2, seed=3,
        overwrite=True,
    )  # fmt: skip
    assert len(stored_parts(tmp_path / "out")) == 2 and res.complete


def test_bad_override_is_a_planner_error_and_nothing_runs(tmp_path: Path) -> None:
    write(tmp_path)
    res = hubsim(
        "sweep", "tiny.yaml", "--set", "sites.site_a.beds.general=15,-2",
        "--set", "sites.site_b.beds.genral=3", "--reps", "2", "--out", "out", cwd=tmp_path,
    )  # fmt: skip
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    # a bad value is blamed on the --set that gave it (issue 13), not on a line of tiny.yaml
    assert "--set sites.site_a.beds.general=-2, field sites.site_a.beds.general" in res.stderr
    assert "did you mean 'general'" in res.stderr and "every grid point" in res.stderr
    assert not (tmp_path / "out").exists()


def test_resume_after_kill_9(tmp_path: Path) -> None:
    """Kill a real sweep part-way (SIGKILL to its process group), rerun it, and check that
    every task is stored once and the summary equals an uninterrupted sweep's."""
    write(tmp_path, SLOW, "slow.yaml")
    args = [
        "sweep", "slow.yaml", "--set", "sites.site_a.beds.general=50,70",
        "--set", "demand.referrals.site_b.hip=4,8", "--reps", "6", "--seed", "5",
        "--jobs", "2", "--out", "out", "--no-plots",
    ]  # fmt: skip
    total = 2 * 2 * 6
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the loky workers die with it
    )
    out = tmp_path / "out"
    deadline = time.monotonic() + 120
    try:
        while len(stored_parts(out)) < 3:
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, "no part stored within 2 minutes"
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    before = len(stored_parts(out))
    assert 3 <= before < total, before
    assert not (out / "summary.csv").exists()
    # what a writer killed mid-file leaves: a hidden temporary file, never read
    stray = out / "parts" / next(iter(stored_parts(out)))[0] / ".rep-00099.parquet.x1y2.part"
    stray.write_bytes(b"half a parquet file")

    res = hubsim(*args, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    run_now = total - before
    assert f"{run_now} task(s) run now, {before} already stored" in res.stdout
    assert not stray.exists()
    parts = stored_parts(out)
    assert len(parts) == total
    reps = pd.read_parquet(out / "replications.parquet")
    per_task = reps.groupby(["point_id", "rep"]).size()
    assert len(per_task) == total and per_task.nunique() == 1  # each task once, whole
    assert not reps.duplicated(["point_id", "rep", "kpi", "site"]).any()

    grid = {"sites.site_a.beds.general": [50, 70], "demand.referrals.site_b.hip": [4, 8]}
    clean = sweep(tmp_path / "slow.yaml", grid, tmp_path / "clean", reps=6, seed=5, n_jobs=2)
    resumed = pd.read_csv(out / "summary.csv")
    uninterrupted = pd.read_csv(tmp_path / "clean" / "summary.csv")
    pd.testing.assert_frame_equal(resumed, uninterrupted, check_exact=True)
    assert (out / "summary.csv").read_bytes() == (tmp_path / "clean" / "summary.csv").read_bytes()
    assert clean.complete
