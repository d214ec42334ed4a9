"""The capacity check before a run (sim.capacity_check, hubsim validate): figures computed
by hand on a one-site scenario, the NHSRwaitinglist worked example, the growth warning."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.scenario.capacity import QueueFigures

TINY = {
    "name": "tiny",
    "horizon": "52 weeks",
    "trusts": {"T": {"name": "Trust"}},
    "sites": {
        "a": {
            "trust": "T",
            "beds": {"general": 20},
            "theatres": {
                "t1": {"sessions": [{"days": ["Mon", "Tue", "Wed", "Thu", "Fri"],
                                     "slot": "all_day", "specialty": "ortho"}]}
            },
            "emergency": {"admissions_per_day": 2, "length_of_stay": "5 days"},
        }
    },
    "procedures": {
        "hip": {
            "specialty": "ortho",
            "duration": "100 min",
            "length_of_stay": "3 days",
            "day_case_probability": 0.2,
        }
    },
    "demand": {"referrals": {"a": {"hip": 10}}},
    "initial_waiting_list": {
        "lists": {"a": {"hip": {"size": 200,
                                "wait_age": {"dist": "exponential", "mean": "10 weeks"}}}}
    },
    "policies": {"theatre_day": {"turnover": "20 min"}, "booking": {"fill_to": 0.95}},
}  # fmt: skip


def _tiny(per_week: float = 10) -> sim.Scenario:
    data = copy.deepcopy(TINY)
    data["demand"]["referrals"]["a"]["hip"] = per_week
    return sim.validate_scenario(data)


def test_figures_by_hand():
    check = sim.capacity_check(_tiny())
    (lc,) = check.lists
    # 5 all-day lists of 8 h booked to 95%: (456 + 20) min / (100 + 20) min a case
    assert lc.cases_per_week == pytest.approx(5 * 476 / 120)
    assert lc.session_hours_per_week == pytest.approx(40)
    assert lc.theatre_hours_needed == pytest.approx(10 * 2)
    assert lc.load == pytest.approx(10 / (5 * 476 / 120))
    f = lc.figures
    assert (f.demand, f.queue, f.mean_wait, f.target) == pytest.approx((10, 200, 10, 18))
    assert f.target_queue == pytest.approx(10 * 18 / 4)  # 45
    assert f.relief_capacity == pytest.approx(10 + (200 - 45) / 52)  # queue > 2 x 45
    assert f.target_capacity == pytest.approx(10 + 4 / 18)
    assert f.pressure == pytest.approx(2 * 10 / 18)
    (beds,) = check.beds
    assert beds.emergency_bed_days == pytest.approx(2 * 7 * 5)  # 70
    assert beds.elective_bed_days == pytest.approx(10 * 0.8 * 3)  # 24
    assert beds.available_bed_days == pytest.approx(20 * 7 - 70)
    assert beds.occupancy == pytest.approx(94 / 140)
    assert check.warnings == []


def test_nhsr_waitinglist_worked_example():
    """Fong et al. / NHSRwaitinglist vignette (P4 ENT): domain facts section 5."""
    f = QueueFigures(demand=30, capacity=27, queue=1200, mean_wait=63, target=52,
                     time_to_target=26)  # fmt: skip
    assert f.load == pytest.approx(1.11, abs=0.005)
    assert f.target_mean_wait == 13
    assert f.target_queue == 390
    assert f.queue / f.target_queue == pytest.approx(3.1, abs=0.05)
    assert f.relief_capacity == pytest.approx(61.2, abs=0.05)
    assert f.target_capacity == pytest.approx(30.08, abs=0.005)
    assert f.pressure == pytest.approx(2.42, abs=0.005)
    assert QueueFigures(30, 27, 700, 20, 52, 26).relief_capacity is None  # < 2 x target


def test_growth_warning_only_for_an_overloaded_list():
    capacity = 5 * 476 / 120
    over = sim.capacity_check(_tiny(per_week=25))
    assert over.lists[0].grows
    (warning,) = over.warnings
    assert "grow without bound" in warning
    assert f"load {25 / capacity:.2f}" in warning and "25.0 referrals a week" in warning
    assert not sim.capacity_check(_tiny(per_week=19)).lists[0].grows
    assert sim.capacity_check(_tiny(per_week=19)).warnings == []


def test_a_bed_starved_site_is_warned_about():
    data = copy.deepcopy(TINY)
    data["sites"]["a"]["emergency"]["admissions_per_day"] = 3.6  # 126 of 140 bed-days
    (warning,) = sim.capacity_check(sim.validate_scenario(data)).warnings
    assert "24 bed-days a week but 14 are left after emergencies (load 1.71)" in warning


def test_validate_prints_the_check(tmp_path: Path):
    data = copy.deepcopy(TINY)
    data["demand"]["referrals"]["a"]["hip"] = 25
    path = tmp_path / "over.yaml"
    path.write_text(yaml.safe_dump(data))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Capacity check" in text
    assert "19.8" in text  # cases a week the sessions book
    assert "warning" in text and "grow without bound" in text and "load 1.26" in text
