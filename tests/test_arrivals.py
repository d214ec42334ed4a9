"""Arrival streams of any shape, and the distributions they can draw from (mixtures, a
truncated normal)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from builders import small_elective
from pydantic import TypeAdapter

import sim
from sim.scenario.distributions import TimeDist
from sim.scenario.errors import ScenarioError

DIST = TypeAdapter(TimeDist)


def _emergency(**arrivals) -> sim.Scenario:
    return sim.validate_scenario(
        {
            "name": "arrival shapes",
            "horizon": "70 days",
            "warm_up": "0 days",
            "trusts": {"T": {"name": "Trust"}},
            "sites": {
                "s": {
                    "trust": "T",
                    "beds": {"general": 500},
                    "emergency": {"length_of_stay": "1 hours", **arrivals},
                }
            },
        }
    )


def _arrivals(sc: sim.Scenario, seed: int = 1) -> list[float]:
    model = sim.CollaborativeModel(sc, seed=seed, log_events=True)
    model.run()
    return [e.day for e in model.ledger.events if e.event == "emergency_arrived"]


def test_fixed_gaps_arrive_evenly_from_the_start() -> None:
    times = _arrivals(_emergency(interarrival="6 hours"))
    assert times == pytest.approx([0.25 * k for k in range(1, len(times) + 1)])
    assert len(times) == 70 * 4 - 1  # the run stops before the one due at the horizon


def test_a_schedule_brings_patients_at_set_times_on_set_days() -> None:
    sc = _emergency(schedule={"times": ["8 hours", "14 hours"], "days": ["Mon", "Wed"],
                              "patients": 2})  # fmt: skip
    times = _arrivals(sc)
    start = sc.start_date  # 2025-04-01 is a Tuesday
    for t in times:
        weekday = (start.weekday() + int(t)) % 7
        assert weekday in (0, 2)
        assert round((t % 1) * 24, 6) in (8.0, 14.0)
    assert len(times) == 2 * 2 * 2 * 10  # 2 days x 2 times x 2 patients x 10 weeks


def test_gaps_from_a_truncated_normal_give_the_expected_number_of_arrivals() -> None:
    gap = {"dist": "truncated_normal", "mean": "17.91 hours", "sd": "3.16 hours"}
    counts = [len(_arrivals(_emergency(interarrival=gap), seed=s)) for s in range(5)]
    expected = 71 * 24 / 17.91
    assert all(abs(n - expected) < 6 for n in counts), counts  # sd of the count is ~1.5


def test_every_stream_takes_every_shape() -> None:
    """Referral lines and critical care streams accept gaps and schedules too."""
    sc = small_elective(
        **{
            "demand.referrals.a.hip": {"interarrival": {"dist": "exponential", "mean": "1 days"}},
            "sites.a.critical_care": {
                "beds": 4,
                "length_of_stay": "2 days",
                "admissions": {"schedule": {"times": ["10 hours"]}},
            },
        }
    )
    r = sim.run_replication(sc, seed=2, events=True)
    kpis = {(k, s): v for k, s, v in r.kpis}
    measured = sc.horizon - sc.warm_up
    assert kpis[("cc_unplanned_arrivals", "a")] == pytest.approx(measured, abs=1)
    hips = [e for e in r.events if e.event == "referred" and e.site == "a" and e.detail == "hip"]
    hips = [e for e in hips if e.day > 0]  # not the list at time zero
    assert 0.85 * sc.horizon < len(hips) < 1.15 * sc.horizon  # one a day on average


@pytest.mark.parametrize(
    "arrivals, words",
    [
        ({"admissions_per_day": 3, "interarrival": "2 hours"}, "got admissions_per_day and"),
        ({}, "none is given"),
        ({"interarrival": "2 hours", "weekday_profile": [1, 1, 1, 1, 1, 0, 0]},
         "weekday_profile shape a rate"),
        ({"schedule": {"times": ["25 hours"]}}, "time of day"),
    ],
)  # fmt: skip
def test_impossible_arrival_shapes_are_refused_plainly(arrivals: dict, words: str) -> None:
    with pytest.raises(ScenarioError, match=words):
        _emergency(**arrivals)


def test_a_mixture_has_the_mean_and_variance_of_its_parts() -> None:
    mix = DIST.validate_python(
        {"mixture": [{"p": 0.924, "dist": "lognormal", "mean": "5 days", "sd": "2 days"},
                     {"p": 0.076, "dist": "exponential", "mean": "30 days"}]}
    )  # fmt: skip
    ps, means, variances = [0.924, 0.076], [5.0, 30.0], [4.0, 900.0]
    mean = sum(p * m for p, m in zip(ps, means, strict=True))
    var = sum(p * (v + m * m) for p, m, v in zip(ps, means, variances, strict=True)) - mean**2
    assert mix.mean == pytest.approx(mean)
    x = mix.sample(np.random.default_rng(7), 400_000)
    se_mean = math.sqrt(var / x.size)
    assert abs(x.mean() - mean) < 4 * se_mean
    assert x.var() == pytest.approx(var, rel=0.05)
    with pytest.raises(ValueError, match="add up to 1"):
        half, less = ({"p": p, "dist": "fixed", "value": "1 days"} for p in (0.5, 0.4))
        DIST.validate_python({"mixture": [half, less]})


def test_a_truncated_normal_keeps_to_its_bounds_and_knows_its_mean() -> None:
    d = DIST.validate_python({"dist": "truncated_normal", "mean": "1 days", "sd": "2 days",
                              "high": "4 days"})  # fmt: skip
    x = d.sample(np.random.default_rng(3), 200_000)
    assert x.min() >= 0 and x.max() <= 4
    assert x.mean() == pytest.approx(d.mean, abs=4 * x.std() / math.sqrt(x.size))
    with pytest.raises(ValueError, match="less than 0.1%"):
        DIST.validate_python({"dist": "normal", "mean": "1 days", "sd": "1 hours", "low": "5 days"})
