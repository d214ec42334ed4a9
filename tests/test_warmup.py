"""MSER-5 (White 1997) on series with a known transient, on stationary series, and on a
scenario whose wards start empty."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from experiment_scenarios import write

import sim
from sim.experiment.warmup import measure_series, mser, recommend_warmup


def test_mser5_by_hand_on_a_small_series() -> None:
    # 4 batches of 5: means 10, 2, 2, 2 -> dropping the first batch leaves no spread
    x = np.array([10.0] * 5 + [1, 3, 2, 2, 2] * 3)
    res = mser(x)
    np.testing.assert_allclose(res.batch_means, [10, 2, 2, 2])
    z = res.batch_means
    expected = [((z[d:] - z[d:].mean()) ** 2).sum() / (4 - d) ** 2 for d in range(3)]
    np.testing.assert_allclose(res.statistic, expected)
    assert res.batches_dropped == 1 and res.truncation == 5


@pytest.mark.parametrize("seed", range(5))
def test_exponential_transient_is_cut(seed: int) -> None:
    """Level 100 reached from 20 with time constant 50: the bias is below the noise after
    about 4 time constants (80 e^-4 = 1.5 against noise sd 5)."""
    rng = np.random.default_rng(seed)
    t = np.arange(1000)
    x = 100 - 80 * np.exp(-t / 50) + rng.normal(0, 5, t.size)
    res = mser(x)
    assert 100 <= res.truncation <= 300, res.truncation
    assert not res.at_boundary
    kept = x[res.truncation :]
    assert abs(kept.mean() - 100) < 1.0  # the kept part is (nearly) unbiased
    assert abs(x.mean() - 100) > 3.0  # while the whole series is not


def test_stationary_series_needs_no_warm_up() -> None:
    cuts = [mser(np.random.default_rng(s).normal(50, 5, 1000)).truncation for s in range(20)]
    assert np.median(cuts) == 0
    assert max(cuts) <= 150  # never more than 15% of the run


def test_too_short_or_gappy_series_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 20 observations"):
        mser(np.ones(19))
    with pytest.raises(ValueError, match="missing"):
        mser(np.r_[np.ones(30), np.nan])


def test_recommendation_on_a_scenario_whose_beds_start_empty(tmp_path: Path) -> None:
    sc = sim.load_scenario(write(tmp_path), {"horizon": "60 weeks", "snapshot_interval": "1 day"})
    rec = recommend_warmup(sc, "general_beds_occupied", reps=3, seed=1)
    assert rec.days[0] == 0 and set(np.diff(rec.days)) == {1.0} and rec.days.size >= 60 * 7
    assert rec.replications.shape == (3, rec.days.size)
    assert rec.replications[:, 0].sum() == 0  # empty wards at the start
    assert 0 < rec.warm_up_days <= 8 * 7  # beds fill within days, not months
    assert "warm-up of" in rec.describe()
    at_a = recommend_warmup(sc, "general_beds_occupied", site="site_a", reps=3, seed=1)
    np.testing.assert_array_less(at_a.replications, rec.replications + 1e-9)  # a site <= all
    with pytest.raises(ValueError, match="unknown site"):
        recommend_warmup(sc, site="nowhere")
    with pytest.raises(ValueError, match="unknown measure"):
        recommend_warmup(sc, measure="queue_length")


def test_network_beds_are_the_sum_over_sites() -> None:
    ts = pd.DataFrame(
        {
            "rep": [0, 0, 0, 0],
            "day": [0.0, 0.0, 7.0, 7.0],
            "site": ["a", "b", "a", "b"],
            "measure": ["general_beds_occupied"] * 4,
            "value": [1.0, 2.0, 3.0, 4.0],
        }
    )
    assert measure_series(ts, "general_beds_occupied")["value"].tolist() == [3.0, 7.0]


def test_command_prints_the_warm_up_and_saves_the_plot(tmp_path: Path) -> None:
    write(tmp_path)
    res = subprocess.run(
        [
            sys.executable, "-m", "sim", "warmup", "tiny.yaml", "--reps", "2",
            "--interval", "1 day", "--site", "site_a", "--plot", "warm.png",
        ],
        cwd=tmp_path,
        env={**os.environ, "MPLBACKEND": "Agg"},
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "MSER-5 on general_beds_occupied (site_a)" in res.stdout
    assert "weeks" in res.stdout and "days" in res.stdout
    assert (tmp_path / "warm.png").stat().st_size > 10_000
