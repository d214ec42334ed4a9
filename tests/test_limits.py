"""Values so large they can only be typos are refused before anything runs.

Every number a planner writes has a lower and an upper bound (checked over the whole JSON
Schema, so a new field cannot forget one), durations are finite and at most 1,000 years,
and the products that decide a run's size -- patients, snapshots, mutual-aid rounds, staff
member-days, theatre sessions -- are checked against stated limits, with the figure and
a value that would fit in the message (issue 15).
"""

from __future__ import annotations

from typing import Any

import pytest
from builders import SMALL_ELECTIVE

import sim
from sim.scenario import run_size
from sim.scenario.json_schema import scenario_json_schema
from sim.scenario.load import apply_overrides


def refuse(changes: dict[str, Any]) -> str:
    data = apply_overrides(SMALL_ELECTIVE, changes)
    with pytest.raises(sim.ScenarioError) as err:
        sim.validate_scenario(data)
    return str(err.value)


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        ("horizon", "100 years", "50 years"),
        ("sites.a.emergency.admissions_per_day", 1.0e30, "at most 10000"),
        ("demand.referrals.a.hip", {"per_week": 1.0e9}, "at most 100000"),
        ("sites.a.beds.turnaround", "1001 years", "longer than 1,000 years"),
        ("sites.a.beds.turnaround", "9" * 400 + " min", "longer than 1,000 years"),
        ("demand.weekday_profile", [1e308] * 7, "at most 1000000000"),
        ("policies.critical_care.retrieval_teams", 10**9, "at most 1000"),
    ],
)
def test_absurd_values_are_refused(path: str, value: object, words: str) -> None:
    assert words in refuse({path: value})


WEEK = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
STAFF = {"groups": {"surgeons": {"members": {"a": 4, "b": 3}}}, "needs": {"default": {}}}


@pytest.mark.parametrize(
    ("changes", "place", "words"),
    [
        (
            {"snapshot_interval": "0.0001 min"},
            "field snapshot_interval",
            ["6,048,000,001 snapshots", "at most 100,000", "at least 6.05 min"],
        ),
        (
            {"policies.mutual_aid.m": {"to": ["a"], "every": "0.00001 min"}},
            "field policies.mutual_aid.m.every",
            ["60,480,000,000 rounds", "at most 100,000 rounds", "at least 6.05 min"],
        ),
        (
            {"sites.a.emergency": {
                "interarrival": {"dist": "exponential", "mean": "0.001 min"},
                "length_of_stay": "1 days",
            }},
            "field sites.a.emergency",
            ["604,800,000 patients", "at most 100,000,000 patients"],
        ),
        (
            {"demand.growth_per_year": 1.0, "horizon": "50 years", "warm_up": "0 days",
             "snapshot_interval": "4 weeks", "demand.referrals.a.hip": 100},
            "field demand.referrals.a.hip",
            ["patients into one replication", "at most 100,000,000 patients"],
        ),
        (
            {"staff": {**STAFF, "groups": {"surgeons": {"members": {"a": 10_000, "b": 10_000}}}},
             "horizon": "520 weeks"},
            "field staff.groups.surgeons.members",
            ["20,000 staff members rostered for 3,641 days", "72,820,000 member-days",
             "at most 50,000,000 member-days"],
        ),
        (
            {**{f"sites.a.theatres.{t}": {"count": 100, "sessions": [
                {"days": list(WEEK), "slot": slot, "specialty": "ortho"}
                for slot in ("AM", "PM", "evening")
            ]} for t in ("t1", "t2")}, "horizon": "50 years", "warm_up": "0 days",
             "snapshot_interval": "4 weeks"},
            "field sites.a.theatres.t1",
            ["sessions in one replication", "at most 10,000,000 sessions"],
        ),
    ],
)  # fmt: skip
def test_a_run_too_large_to_hold_is_refused_with_its_figure(
    changes: dict[str, Any], place: str, words: list[str]
) -> None:
    message = refuse(changes)
    assert place in message, message
    for w in words:
        assert w in message, message


def test_the_limits_leave_room_for_real_scenarios() -> None:
    """The largest shipped scenario uses a small share of each limit."""
    sc = sim.load_scenario("scenarios/black_country_ortho_hubs.yaml")
    assert run_size.run_size_problems(sc) == []
    arrivals = sum(line.mean_per_day for by in sc.demand.referrals.values() for line in by.values())
    assert arrivals * sc.horizon < run_size.MAX_PATIENTS / 100
    assert sc.horizon / sc.snapshot_interval < run_size.MAX_SNAPSHOTS / 100


def _numbers(node: Any, path: str = "") -> list[tuple[str, dict]]:
    """Every number a file may hold, with where it is in the JSON Schema."""
    out = []
    if isinstance(node, dict):
        if node.get("type") in ("integer", "number") and "enum" not in node:
            out.append((path, node))
        for key, child in node.items():
            if key not in ("contains", "default", "examples"):
                out.extend(_numbers(child, f"{path}/{key}"))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            out.extend(_numbers(child, f"{path}/{i}"))
    return out


def test_every_number_a_planner_writes_has_both_bounds() -> None:
    """A count, rate or weight without an upper bound lets a typo hang a run (issue 15)."""
    numbers = _numbers(scenario_json_schema())
    assert len(numbers) > 50
    lower, upper = {"minimum", "exclusiveMinimum"}, {"maximum", "exclusiveMaximum"}
    unbounded = [path for path, node in numbers if not (lower & set(node) and upper & set(node))]
    assert unbounded == []
