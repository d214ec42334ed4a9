"""The bed model against exact queueing results (Erlang B, Erlang C, truncated Poisson).

Each test runs independent replications on its own fixed seed and checks that the exact
value lies inside the 95% confidence interval of the simulated mean, and that the interval
is narrow enough for the comparison to mean something. A correct model misses a 95%
interval on about one seed in twenty; the seeds are fixed (one per test, chosen before
the first run) so the suite is deterministic. Larger runs (40 replications x 10,000 days,
three seeds) put Erlang B and C inside the interval every time, with no visible bias.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import emergency_only
from scipy import stats

import sim
from sim.analytic import erlang_b, erlang_c, mmc_mean_wait, truncated_poisson

REPS = 20


def _ci(results: sim.Results, kpi: str) -> tuple[float, float, float]:
    row = results.kpi(kpi)
    return row["mean"], row["ci_low"], row["ci_high"]


def test_queue_for_beds_matches_erlang_c():
    # M/M/10: 2 admissions a day, mean stay 4 days -> 8 Erlangs, 80% occupancy.
    sc = emergency_only(
        10, 2.0, {"dist": "exponential", "mean": "4 days"}, "queue", horizon="5100 days"
    )
    res = sim.run(sc, reps=REPS, seed=11, n_jobs=2)
    exact_hours = mmc_mean_wait(2.0, 4.0, 10) * 24
    mean, low, high = _ci(res, "emergency_bed_wait_hours")
    assert low <= exact_hours <= high, (exact_hours, mean, low, high)
    assert (high - low) / 2 < 0.15 * exact_hours  # a meaningful test, not a wide net
    p_wait, p_low, p_high = _ci(res, "emergency_waited_pct")
    assert p_low <= erlang_c(10, 8.0) * 100 <= p_high


@pytest.mark.parametrize(
    "los",
    [
        {"dist": "exponential", "mean": "4 days"},
        # Erlang B is insensitive to the stay distribution: a lognormal with CV 1.5 ...
        {"dist": "lognormal", "mean": "4 days", "sd": "6 days"},
        # ... and a nearly fixed one give the same blocking.
        {"dist": "uniform", "low": "3 days", "high": "5 days"},
    ],
    ids=["exponential", "lognormal", "uniform"],
)
def test_divert_when_full_matches_erlang_b(los):
    sc = emergency_only(10, 2.0, los, "divert")
    res = sim.run(sc, reps=REPS, seed=12, n_jobs=2)  # same arrivals for every stay distribution
    exact_pct = erlang_b(10, 8.0) * 100
    mean, low, high = _ci(res, "emergency_diverted_pct")
    assert low <= exact_pct <= high, (exact_pct, mean, low, high)
    assert (high - low) / 2 < 0.15 * exact_pct


def test_occupancy_of_a_loss_unit_is_truncated_poisson():
    sc = emergency_only(
        8, 1.5, {"dist": "exponential", "mean": "4 days"}, "divert", horizon="5100 days"
    )
    res = sim.run(sc, reps=REPS, seed=13, n_jobs=2)
    occ = res.occupancy
    exact = truncated_poisson(8, 6.0)
    # Nine probabilities checked at once: Bonferroni-corrected intervals keep the chance of
    # a false alarm at 5% for the whole distribution.
    t = stats.t.ppf(1 - 0.025 / len(exact), REPS - 1)
    for k, p in enumerate(exact):
        per_rep = occ[occ.occupied == k]["fraction"].to_numpy()
        m, sd = per_rep.mean(), per_rep.std(ddof=1)
        half = t * sd / np.sqrt(len(per_rep))
        assert abs(m - p) <= half, (k, m, p, half)
        assert half < 0.1 * p + 0.002


def test_erlang_formulas_against_published_values():
    # Domain facts: two 10-bed units at 8 Erlangs each block 12.2%; pooled 20 beds at 16 -> 6.4%.
    assert erlang_b(10, 8.0) == pytest.approx(0.1217, abs=5e-4)
    assert erlang_b(20, 16.0) == pytest.approx(0.0640, abs=5e-4)
    # M/M/1 mean wait rho/(mu - lambda): lambda 0.5, mu 1 -> 1.0
    assert mmc_mean_wait(0.5, 1.0, 1) == pytest.approx(1.0)


def test_waiting_list_rules_of_thumb_match_the_published_worked_example():
    """NHSRwaitinglist / Fong et al. 2022 worked example (P4 ENT), from the domain facts:
    demand 30/wk, capacity 27/wk, queue 1,200, target 52 wk, mean wait 63 wk."""
    from sim.analytic import (
        relief_capacity,
        target_mean_wait,
        target_queue_size,
        waiting_list_load,
        waiting_list_pressure,
    )

    assert waiting_list_load(30, 27) == pytest.approx(1.11, abs=0.005)
    assert target_mean_wait(52) == pytest.approx(13.0)
    assert target_queue_size(30, 52) == pytest.approx(390.0)
    assert 1200 / target_queue_size(30, 52) == pytest.approx(3.1, abs=0.05)
    assert relief_capacity(30, 1200, 390, 26) == pytest.approx(61.2, abs=0.05)
    assert waiting_list_pressure(63, 52) == pytest.approx(2.42, abs=0.005)
