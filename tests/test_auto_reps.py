"""Choosing the number of replications by the width of the confidence intervals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from experiment_scenarios import write

import sim
from sim.experiment.precision import (
    compare_until_precise,
    relative_half_widths,
    run_until_precise,
)
from sim.experiment.stats import half_width

KPIS = ["operations", "mean_waiting_list"]


@pytest.fixture
def tiny(tmp_path: Path) -> sim.Scenario:
    return sim.load_scenario(write(tmp_path))


def test_a_loose_target_stops_at_the_first_batch(tiny: sim.Scenario) -> None:
    res = run_until_precise(tiny, KPIS, rel_half_width=0.5, min_reps=4, max_reps=40, batch=3)
    p = res.manifest["precision"]
    assert len(res.reps) == p["reps"] == 4 and p["reached"]
    assert all(v <= 0.5 for v in p["relative"].values())
    assert p["history"] == [(4, max(p["relative"].values()))]


def test_an_impossible_target_hits_the_cap(tiny: sim.Scenario) -> None:
    res = run_until_precise(tiny, KPIS, rel_half_width=1e-6, min_reps=3, max_reps=8, batch=2)
    p = res.manifest["precision"]
    assert len(res.reps) == 8 and not p["reached"]
    assert [n for n, _ in p["history"]] == [3, 5, 7, 8]  # batches of 2, capped
    # the same replications as asking for 8 at once (replication numbers are kept)
    plain = sim.run(tiny, reps=8, seed=1)
    pd.testing.assert_frame_equal(res.summary, plain.summary, check_exact=True)


def test_a_moderate_target_adds_batches_until_met(tiny: sim.Scenario) -> None:
    res = run_until_precise(tiny, ["operations"], rel_half_width=0.06, min_reps=3, batch=2)
    p = res.manifest["precision"]
    assert p["reached"] and p["reps"] > 3
    values = res.replications.query("kpi == 'operations' and site == ''")["value"].to_numpy()
    assert half_width(values) / abs(values.mean()) <= 0.06
    assert half_width(values[:-2]) / abs(values[:-2].mean()) > 0.06  # one batch fewer: not met


def test_relative_half_width_of_a_constant_kpi_is_zero(tiny: sim.Scenario) -> None:
    res = sim.run(tiny, reps=3, seed=1)
    _abs, rel = relative_half_widths(res.replications, ["sessions"])
    assert rel == {"sessions": 0.0}
    with pytest.raises(ValueError, match="unknown KPI"):
        run_until_precise(tiny, ["operatons"])


def test_comparison_by_paired_differences(tmp_path: Path) -> None:
    path = write(tmp_path)
    a = sim.load_scenario(path)
    b = sim.load_scenario(path, {"sites.site_b.beds.general": 8, "name": "fewer beds"})
    cmp = compare_until_precise([a, b], ["operations"], rel_half_width=0.5, on="differences")
    p = cmp.baseline.manifest["precision"]
    assert p["on"] == "differences" and p["reached"] and p["reps"] == 5
    assert list(p["relative"]) == ["fewer beds: operations"]
    assert [len(r.reps) for r in cmp.results] == [5, 5]
    plain = sim.compare([a, b], reps=5, seed=1)
    pd.testing.assert_frame_equal(cmp.differences(), plain.differences(), check_exact=True)


def test_command_line_reports_the_choice(tmp_path: Path) -> None:
    write(tmp_path)
    res = subprocess.run(
        [
            sys.executable, "-m", "sim", "run", "tiny.yaml", "--reps", "auto",
            "--target-kpis", "operations", "--precision", "0.3", "--min-reps", "3",
            "--out", "out", "--no-plots",
        ],
        cwd=tmp_path,
        env={**os.environ, "MPLBACKEND": "Agg"},
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "3 replications chosen (target reached)" in res.stdout
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["reps"] == 3 and manifest["precision"]["reached"]
    assert set(manifest["precision"]["half_widths"]) == {"operations"}
