"""Paired comparisons on common random numbers (CRN), checked on the shipped hub scenarios.

- A scenario compared with itself differs by exactly 0 in every KPI: both runs draw the
  same numbers, replication by replication.
- Under CRN the status quo and the hubs see the same referrals and emergencies, so the
  interval of a difference is narrower than when the hubs run on another seed, for the
  KPIs driven by that shared demand (the waiting list, long waits, emergency waits).
  It is *not* narrower for every KPI: the hubs ring-fence their beds, so their
  operations and no-bed cancellations stop responding to trauma pressure while the
  status quo's still do; for those the two scenarios' replications are uncorrelated or
  even negatively correlated, and CRN buys nothing. The test prints every ratio.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from builders import small_elective

import sim
from sim.experiment.compare import Comparison
from sim.experiment.output import OutputFolderError

REPS = 6
SEED = 1
OTHER_SEED = 1001  # the "independent" run of the hubs

#: KPIs whose paired interval must be narrower under CRN than with independent seeds.
CRN_NARROWER = (
    "waiting_list_end",
    "mean_waiting_list",
    "p92_wait_weeks",
    "emergency_bed_wait_hours",
)
#: Reported only: the hubs decouple these from the shared trauma demand (see above).
REPORTED = ("operations", "cancellations_no_bed", "cancellations_on_the_day", "over_52_weeks_end")


def widths(diffs: pd.DataFrame) -> pd.Series:
    """Width of the 95% interval of each whole-collaborative KPI's difference."""
    net = diffs[diffs.site == ""].set_index("kpi")
    return net.diff_ci_high - net.diff_ci_low


def test_comparing_a_scenario_with_itself_gives_exactly_zero(hubs: sim.Scenario) -> None:
    cmp = sim.compare([hubs, hubs], reps=2, seed=7, n_jobs=2)
    d = cmp.differences()
    measured = d[d.n > 0]
    assert len(measured) > 100, "too few KPI rows were compared"
    assert {k for k in measured.kpi if k in sim.KPIS} >= {"operations", "cancellations_no_bed"}
    for col in ("diff_mean", "diff_ci_low", "diff_ci_high"):
        bad = measured[measured[col] != 0.0]
        assert bad.empty, f"{col} is not exactly 0 for:\n{bad}"
    assert not measured.excludes_zero.any()


@pytest.fixture(scope="module")
def crn_and_independent(
    status_quo: sim.Scenario, hubs: sim.Scenario
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Paired differences hubs - status quo: on the same seed, and with the hubs on another."""
    crn = sim.compare([status_quo, hubs], reps=REPS, seed=SEED, n_jobs=2)
    other = sim.run(hubs, reps=REPS, seed=OTHER_SEED, n_jobs=2)
    independent = Comparison([crn.baseline, other])
    return crn.differences(), independent.differences()


def test_crn_narrows_the_interval_of_demand_driven_differences(
    crn_and_independent: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    crn, independent = crn_and_independent
    w_crn, w_ind = widths(crn), widths(independent)
    ratio = w_crn / w_ind
    print(f"\n95% CI width of (hubs - status quo), {REPS} replications, CRN / independent seeds:")
    for kpi in (*CRN_NARROWER, *REPORTED, "referrals", "emergency_arrivals"):
        print(f"  {kpi:28s} {w_crn[kpi]:10.3f} / {w_ind[kpi]:10.3f} = {ratio[kpi]:.3f}")
    for kpi in CRN_NARROWER:
        assert ratio[kpi] < 1.0, f"{kpi}: CRN interval is not narrower (ratio {ratio[kpi]:.3f})"
    # The shared streams at work: identical referrals and emergency arrivals, so their
    # differences are exactly 0 under CRN and not with another seed.
    for kpi in ("referrals", "emergency_arrivals"):
        assert w_crn[kpi] == 0.0 < w_ind[kpi], kpi
    assert np.isfinite(ratio[list(REPORTED)]).all()


def test_save_writes_each_scenario_then_the_differences(tmp_path: Path) -> None:
    """``Comparison.save`` lays a folder out as ``hubsim compare`` does (no plots asked)."""
    short = {"horizon": "12 weeks", "warm_up": "2 weeks"}
    base = small_elective(name="status quo", **short)
    more = small_elective(name="more beds: <a>", sites__a__beds__elective=10, **short)
    cmp = sim.compare([base, more], reps=2, seed=3)
    files = cmp.save(tmp_path / "cmp")
    assert files[-2:] == ["comparison.csv", "manifest.json"]  # the comparison's manifest last
    assert {f.split("/")[0] for f in files[:-2]} == {"status_quo", "more_beds_a"}
    top = json.loads((tmp_path / "cmp" / "manifest.json").read_text())
    assert top["comparison"] == ["status quo", "more beds: <a>"]
    assert top["folders"] == ["status_quo", "more_beds_a"]
    assert set(top["sha256"]) == {"comparison.csv"}
    for folder in ("status_quo", "more_beds_a"):
        manifest = json.loads((tmp_path / "cmp" / folder / "manifest.json").read_text())
        assert files.index(f"{folder}/manifest.json") > files.index(f"{folder}/summary.csv")
        assert set(manifest["files"]) == {p.name for p in (tmp_path / "cmp" / folder).iterdir()
                                          if p.name != "manifest.json"}  # fmt: skip
    saved = pd.read_csv(tmp_path / "cmp" / "comparison.csv", keep_default_na=False)
    assert tuple(saved.columns) == Comparison.CSV_COLUMNS
    assert set(saved.scenario) == {"more beds: <a>"}
    assert not list((tmp_path / "cmp").rglob("*.png"))
    with pytest.raises(OutputFolderError, match="already holds files"):
        cmp.save(tmp_path / "cmp")
    with pytest.raises(ValueError, match="distinct folder"):
        cmp.save(tmp_path / "other", folders=["same", "same"])
