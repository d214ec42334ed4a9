"""Capacity beside the KPIs: beds by type, theatre sessions and hours a week, staff, and the
sentence saying whether a comparison is like for like."""

from __future__ import annotations

import copy

from builders import SCENARIOS, SMALL_ELECTIVE

import sim
from sim.scenario.capacity_summary import capacity_summary, like_for_like


def test_black_country_status_quo_and_hubs_capacity() -> None:
    sq = capacity_summary(sim.load_scenario(SCENARIOS / "black_country_ortho.yaml"))
    hubs = capacity_summary(sim.load_scenario(SCENARIOS / "black_country_ortho_hubs.yaml"))
    # 4 acute sites x 94 T&O beds; the hubs add 2 x 30 ring-fenced beds.
    assert (sq.general_beds, sq.elective_beds) == (376, 0)
    assert (hubs.general_beds, hubs.elective_beds) == (376, 60)
    # 4 sites x 2 theatres x 5 all-day lists = 40 lists, 320 h = 80 four-hour sessions;
    # 2 hubs x (18 all-day + 5 morning) + 4 Wednesday lists = 50 lists, 360 h.
    assert (sq.lists_per_week, sq.theatre_hours_per_week, sq.sessions_per_week) == (40, 320, 80)
    assert (hubs.lists_per_week, hubs.theatre_hours_per_week) == (50, 360)
    assert hubs.hours_by_specialty == {"arthroplasty": 176, "ortho_minor": 184}
    assert len(sq.theatre_days) == 5 and hubs.theatre_days[-1] == "Sat"
    note = like_for_like("sq", sq, "hubs", hubs)
    assert "60 more ward beds, all ring-fenced" in note
    assert "10 more theatre sessions a week" in note
    assert "not like for like" in note


def test_same_capacity_is_like_for_like_and_staff_counts() -> None:
    sc = sim.load_scenario(SCENARIOS / "black_country_ortho_hubs_staff.yaml")
    cap = capacity_summary(sc)
    assert cap.staff and all(n > 0 for n in cap.staff.values())
    assert "is like for like" in like_for_like("a", cap, "b", cap)
    one_site = capacity_summary(sc, site="cannock")
    assert one_site.elective_beds == 30 and one_site.general_beds == 0


def test_cycles_and_theatre_counts_scale_the_sessions() -> None:
    data = copy.deepcopy(SMALL_ELECTIVE)
    base = capacity_summary(sim.validate_scenario(data))
    theatre = data["sites"]["a"]["theatres"]["t1"]
    theatre["count"] = 2
    theatre["sessions"][0].update(cycle_weeks=2, weeks=[1])  # every other week, two theatres
    assert capacity_summary(sim.validate_scenario(data)).theatre_hours_per_week == (
        base.theatre_hours_per_week
    )
