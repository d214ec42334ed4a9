"""Small scenarios built in code, shared by the tests."""

from __future__ import annotations

import copy
from pathlib import Path

import sim

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def emergency_only(
    beds: int,
    per_day: float,
    los: dict | str,
    when_full: str,
    horizon: str = "2100 days",
    warm_up: str = "100 days",
) -> sim.Scenario:
    """One site, no surgery: Poisson emergency admissions into ``beds`` beds."""
    return sim.validate_scenario(
        {
            "name": f"emergency-only {beds} beds {when_full}",
            "horizon": horizon,
            "warm_up": warm_up,
            "snapshot_interval": "4 weeks",
            "trusts": {"T": {"name": "Trust"}},
            "sites": {
                "s": {
                    "trust": "T",
                    "beds": {"general": beds},
                    "emergency": {
                        "admissions_per_day": per_day,
                        "length_of_stay": los,
                        "when_full": when_full,
                    },
                }
            },
        }
    )


SMALL_ELECTIVE = {
    "name": "small elective",
    "horizon": "60 weeks",
    "warm_up": "8 weeks",
    "trusts": {"A": {"name": "Trust A"}, "B": {"name": "Trust B"}},
    "sites": {
        "a": {
            "trust": "A",
            "location": {"lat": 52.5, "lon": -2.0},
            "beds": {"general": 40, "turnaround": "2 hours"},
            "theatres": {
                "t1": {
                    "sessions": [
                        {
                            "days": ["Mon", "Tue", "Wed", "Thu", "Fri"],
                            "slot": "all_day",
                            "specialty": "ortho",
                        }
                    ]
                }
            },
            "emergency": {
                "admissions_per_day": 5,
                "length_of_stay": {"dist": "exponential", "mean": "6 days"},
            },
        },
        "b": {
            "trust": "B",
            "location": {"lat": 52.6, "lon": -2.1},
            "beds": {"general": 30},
            "theatres": {
                "t1": {
                    "sessions": [
                        {"days": ["Mon", "Wed", "Fri"], "slot": "all_day", "specialty": "ortho"}
                    ]
                }
            },
        },
    },
    "procedures": {
        "hip": {
            "specialty": "ortho",
            "duration": {"dist": "lognormal", "mean": "100 min", "sd": "20 min"},
            "length_of_stay": {"dist": "lognormal", "mean": "3 days", "sd": "2 days"},
        },
        "scope": {
            "specialty": "ortho",
            "duration": {"dist": "lognormal", "mean": "45 min", "sd": "10 min"},
            "length_of_stay": "1 days",
            "day_case_probability": 0.9,
        },
    },
    "demand": {
        "priority_mix": {"P2": 0.2, "P3": 0.3, "P4": 0.5},
        "referrals": {"a": {"hip": 8, "scope": 10}, "b": {"hip": 5, "scope": 6}},
        "removal_per_year": 0.1,
        "patient_cancellation_probability": 0.02,
    },
    "initial_waiting_list": {
        "lists": {
            "a": {"hip": {"size": 150, "wait_age": {"dist": "exponential", "mean": "15 weeks"}}}
        }
    },
    "policies": {
        "theatre_day": {
            "late_start": {"dist": "exponential", "mean": "20 min"},
            "turnover": "15 min",
        }
    },
}


def small_elective(**changes) -> sim.Scenario:
    """A two-site elective scenario, quick to run; ``changes`` are dotted-path overrides."""
    from sim.scenario.load import apply_overrides

    data = copy.deepcopy(SMALL_ELECTIVE)
    if changes:
        data = apply_overrides(data, {k.replace("__", "."): v for k, v in changes.items()})
    return sim.validate_scenario(data)


def critical_care_network(
    units: dict[str, tuple[int, float]],
    los: dict | str,
    policy: dict,
    horizon: str = "2100 days",
    warm_up: str = "100 days",
) -> sim.Scenario:
    """Critical care units only: ``units`` maps site -> (beds, unplanned admissions a day)."""
    sites = {
        sid: {
            "trust": "T",
            "location": {"lat": 51.5 + 0.01 * i, "lon": -0.1 + 0.01 * i},
            "critical_care": {"beds": beds, "length_of_stay": los, "admissions": {"per_day": rate}},
        }
        for i, (sid, (beds, rate)) in enumerate(units.items())
    }
    return sim.validate_scenario(
        {
            "name": "critical care network",
            "horizon": horizon,
            "warm_up": warm_up,
            "snapshot_interval": "4 weeks",
            "trusts": {"T": {"name": "Trust"}},
            "sites": sites,
            "policies": {"critical_care": policy},
        }
    )
