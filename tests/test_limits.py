"""Values so large they can only be typos are refused before anything runs."""

from __future__ import annotations

import pytest
from builders import SMALL_ELECTIVE

import sim
from sim.scenario.load import apply_overrides


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        ("horizon", "100 years", "50 years"),
        ("sites.a.emergency.admissions_per_day", 1.0e30, "at most 10000"),
        ("demand.referrals.a.hip", {"per_week": 1.0e9}, "at most 100000"),
    ],
)
def test_absurd_values_are_refused(path: str, value: object, words: str) -> None:
    data = apply_overrides(SMALL_ELECTIVE, {path: value})
    with pytest.raises(sim.ScenarioError) as err:
        sim.validate_scenario(data)
    assert words in str(err.value)
