"""Published models reproduced, at a reduced size (seconds): hubsim's ports of Monks et al.
2016 and of Griffiths et al. 2010 (as recreated by Monks, Harper & Heather 2025) give the
published figures within intervals.

Each row compares hubsim's mean over a few replications with the mean of the published
code's own replications (run by us, committed in ``scenarios/validation/<model>/published``);
the rows of one model form a family, so each uses a Bonferroni-corrected 95% interval of the
difference. The full-size comparison is ``python -m sim.validation <model>`` (see
docs/validation.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.validation import ROOT, griffiths2010, monks2016


def _disagreeing(table: pd.DataFrame) -> pd.DataFrame:
    """Rows whose two means differ by more than the family-wise 95% interval."""
    z = float(stats.norm.ppf(1 - 0.025 / len(table)))
    t_h = stats.t.ppf(0.975, table.reps - 1)
    se_h = (table.hubsim_high - table.hubsim_mean) / t_h
    se_s = (table.source_high - table.source_mean) / 1.96
    gap = (table.hubsim_mean - table.source_mean).abs()
    return table[gap > z * np.hypot(se_h, se_s)]


def test_monks_2016_probability_of_delay_dedicated_and_pooled():
    table = monks2016.compare(reps=8, seed=3, n_jobs=2, scenarios=("current",))
    assert len(table) == 13 + 18  # tables 2 and S1 (current) and table 3
    bad = _disagreeing(table)
    assert bad.empty, bad.to_string()
    # the published figures themselves, as rounded: within hubsim's family-wise interval
    k = len(table)
    t = stats.t.ppf(1 - 0.025 / k, table.reps - 1)
    half = t * (table.hubsim_high - table.hubsim_mean) / stats.t.ppf(0.975, table.reps - 1)
    rounding = np.where(table.table == "table3", 0.0005, 0.005)
    off = (table.published - table.hubsim_mean).abs() > half + rounding
    assert not off.any(), table[off].to_string()


def test_monks_2016_partial_pooling_formula():
    """The supplementary formula on two independent Poisson censuses: with no shared beds it
    is the tail of each; with all beds shared, both patients see the same tail."""
    rng = np.random.default_rng(1)
    a = np.bincount(rng.poisson(8, 200_000), minlength=40).astype(float)
    r = np.bincount(rng.poisson(10, 200_000), minlength=40).astype(float)
    acute, rehab = monks2016.partial_pooling(a, r, 11, 12, 0)
    assert acute == pytest.approx(a[11:].sum() / a.sum())
    assert rehab == pytest.approx(r[12:].sum() / r.sum())
    acute, rehab = monks2016.partial_pooling(a, r, 0, 0, 22)
    assert acute == pytest.approx(rehab, rel=0.05)


def test_griffiths_2010_critical_care_unit():
    table = griffiths2010.compare(reps=60, seed=5, n_jobs=2, beds=(24,))
    assert set(table.kpi) >= set(griffiths2010.KPIS)
    bad = _disagreeing(table)
    assert bad.empty, bad.to_string()


def test_every_validation_model_has_its_published_figures_and_their_source():
    for model in ("monks2016", "griffiths2010"):
        folder = ROOT / model / "published"
        readme = (folder / "README.md").read_text(encoding="utf-8")
        assert "github.com/pythonhealthdatascience" in readme
        assert "doi" in readme.lower()
        assert len(list(folder.glob("*.csv"))) >= 4
        for path in (ROOT / model).glob("*.yaml"):
            sim.load_scenario(path)
