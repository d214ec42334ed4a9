"""Calendars that change: bank holidays, weeks closed for leave, fortnightly lists, theatres
opening and ramping up, wards changing size, demand growth and industrial action."""

from __future__ import annotations

import copy
import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from builders import SMALL_ELECTIVE, small_elective

import sim
from sim.experiment.stats import mean_ci
from sim.metrics import kpi_rows
from sim.model.calendar import Calendar, closed_mondays, pattern_times
from sim.model.elective import ElectiveTally
from sim.model.streams import Streams
from sim.model.wards import WardTally
from sim.scenario.arrivals import ArrivalPattern
from sim.scenario.calendar import Calendar as CalendarSpec
from sim.scenario.errors import ScenarioError

GOOD_FRIDAY, EASTER_MONDAY = dt.date(2025, 4, 18), dt.date(2025, 4, 21)


def sessions_by_date(sc: sim.Scenario, site: str | None = None) -> dict[dt.date, int]:
    """The sessions each day of the run (before anything is booked)."""
    m = sim.CollaborativeModel(sc, seed=1)
    days = math.ceil(sc.horizon)
    return {
        m.calendar.date(d): sum(1 for _t, s in m.sessions_on(d) if site in (None, s.site))
        for d in range(days)
    }


def held(sc: sim.Scenario, seed: int = 1) -> dict[str, ElectiveTally]:
    m = sim.CollaborativeModel(sc, seed=seed)
    m.run()
    ledger = m.close()
    return ledger.measured_of(ElectiveTally)


# -- bank holidays ---------------------------------------------------------------------------
def test_a_bank_holiday_has_no_sessions():
    base = small_elective(horizon="8 weeks", warm_up="0 weeks", start_date="2025-04-01")
    hols = small_elective(
        horizon="8 weeks", warm_up="0 weeks", start_date="2025-04-01",
        calendar={"bank_holidays": "england_and_wales"},
    )  # fmt: skip
    before, after = sessions_by_date(base), sessions_by_date(hols)
    assert before[GOOD_FRIDAY] == 2 and before[EASTER_MONDAY] == 2
    assert after[GOOD_FRIDAY] == after[EASTER_MONDAY] == 0
    # The early May and spring bank holidays (Mondays) too, and nothing else changes.
    changed = {d for d in before if before[d] != after[d]}
    assert changed == {GOOD_FRIDAY, EASTER_MONDAY, dt.date(2025, 5, 5), dt.date(2025, 5, 26)}
    # The run holds exactly the sessions planned.
    total = sum(t.sessions for t in held(hols).values())
    assert total == sum(after.values()) == sum(before.values()) - 8


def test_a_theatre_may_run_on_bank_holidays():
    sc = small_elective(
        horizon="4 weeks", start_date="2025-04-14", warm_up="0 weeks",
        calendar={"bank_holidays": "england_and_wales"},
        **{"sites.a.theatres.t1.runs_on_bank_holidays": True},
    )  # fmt: skip
    days = sessions_by_date(sc, "a")
    assert days[GOOD_FRIDAY] == days[EASTER_MONDAY] == 1
    assert sessions_by_date(sc, "b")[GOOD_FRIDAY] == 0


def test_bank_holidays_come_from_the_holidays_library():
    """One-off bank holidays are there (the coronation, 8 May 2023), and Scotland differs."""
    cal = Calendar(dt.date(2023, 1, 1), 730, CalendarSpec(bank_holidays="england_and_wales"))
    on = {cal.date(d) for d in np.flatnonzero(cal.bank_holiday)}
    assert dt.date(2023, 5, 8) in on and dt.date(2024, 8, 26) in on
    assert dt.date(2023, 1, 2) in on  # New Year's Day (substitute day)
    scot = Calendar(dt.date(2023, 1, 1), 730, CalendarSpec(bank_holidays="scotland"))
    assert dt.date(2023, 8, 7) in {scot.date(d) for d in np.flatnonzero(scot.bank_holiday)}
    assert dt.date(2023, 8, 7) not in on


def test_referrals_on_bank_holidays_take_the_weekend_rate_or_a_factor():
    profile = [1, 1, 1, 1, 1, 0.5, 0.3]
    norm = 7 / sum(profile)
    day = (GOOD_FRIDAY - dt.date(2025, 4, 1)).days
    rates = {}
    for rule in ("weekend", 0.25):
        spec = CalendarSpec(bank_holidays="england_and_wales", referrals_on_bank_holidays=rule)
        cal = Calendar(dt.date(2025, 4, 1), 60, spec)
        rates[rule] = cal.daily_rates(2.0, profile, referrals=True)
        # Emergency and other streams are not referrals: unchanged.
        assert cal.daily_rates(2.0, profile)[day] == pytest.approx(2.0 * norm)
    assert rates["weekend"][day] == pytest.approx(2.0 * norm * 0.4)
    assert rates[0.25][day] == pytest.approx(2.0 * norm * 0.25)
    assert rates["weekend"][day - 1] == pytest.approx(2.0 * norm)
    # With the default Monday-to-Friday profile nobody is referred on a bank holiday.
    sc = small_elective(
        horizon="8 weeks", warm_up="0 weeks", start_date="2025-04-01",
        calendar={"bank_holidays": "england_and_wales"},
    )  # fmt: skip
    r = sim.run_replication(sc, seed=2, events=True)
    referred = {math.floor(e[0]) for e in r.events if e[1] == "referred" and e[0] > 0}
    assert referred and not referred & {day, day + 3, day + 17}


# -- theatre weeks closed for leave ----------------------------------------------------------
def test_48_working_weeks_give_48_of_52_weeks_of_sessions():
    """Three years from a Monday (156 weeks): 12 weeks closed, the Christmas fortnights and
    the first two weeks of each August; 144/156 = 48/52 of the sessions run."""
    common = {"horizon": "156 weeks", "warm_up": "0 weeks", "start_date": "2025-01-06"}
    full = sum(sessions_by_date(small_elective(**common)).values())
    sc = small_elective(**common, calendar={"working_weeks": 48})
    days = sessions_by_date(sc)
    assert sum(days.values()) * 52 == full * 48
    closed = sorted({monday for monday in days if monday.weekday() == 0 and days[monday] == 0})
    assert [d.isoformat() for d in closed[:4]] == [
        "2025-08-04", "2025-08-11", "2025-12-22", "2025-12-29",
    ]  # fmt: skip
    assert all(days[d + dt.timedelta(days=k)] == 0 for d in closed for k in range(5))


def test_closed_weeks_by_name_and_a_theatre_of_its_own():
    sc = small_elective(
        horizon="6 weeks", start_date="2025-03-03", warm_up="0 weeks",
        calendar={"closed_weeks": ["2025-03-12"]},
        **{"sites.b.theatres.t1.working_weeks": 52},
    )  # fmt: skip
    a, b = sessions_by_date(sc, "a"), sessions_by_date(sc, "b")
    week = [dt.date(2025, 3, 10) + dt.timedelta(days=k) for k in range(7)]
    assert sum(a[d] for d in week) == 0 and sum(b[d] for d in week) == 3
    assert sum(a.values()) == 5 * 5


def test_working_weeks_rule():
    from sim.scenario.calendar import TheatreWeeks

    fifty = closed_mondays(TheatreWeeks(working_weeks=50), range(2026, 2027))
    assert fifty == {dt.date(2025, 12, 29), dt.date(2026, 12, 21)}
    assert closed_mondays(TheatreWeeks(working_weeks=52), range(2026, 2027)) == set()


# -- fortnightly sessions --------------------------------------------------------------------
def test_fortnightly_sessions_run_every_other_week():
    plan = {"days": ["Mon", "Wed"], "slot": "AM", "specialty": "ortho", "cycle_weeks": 2}
    other = {**plan, "slot": "PM", "weeks": [2]}
    sc = small_elective(
        horizon="8 weeks", start_date="2025-04-02", warm_up="0 weeks",
        **{"sites.b.theatres.t1.sessions": [plan, other]},
    )  # fmt: skip
    m = sim.CollaborativeModel(sc, seed=1)
    weeks = {}
    for d in range(56):
        for _t, slot in m.sessions_on(d):
            if slot.site == "b":
                week = (m.calendar.date(d) - dt.date(2025, 3, 31)).days // 7
                weeks.setdefault(week, []).append((m.calendar.weekday[d], slot.start))
    # Week 1 (the week of start_date, from its Wednesday) has plan 1; then they alternate.
    am, pm = 8 / 24, 13 / 24
    assert weeks[0] == [(2, am)]
    for w in range(1, 8):
        assert weeks[w] == [(0, am), (2, am)] if w % 2 == 0 else [(0, pm), (2, pm)]
    assert weeks[8] == [(0, am)]


def test_fortnightly_cycle_from_a_stated_week():
    plan = {"days": ["Fri"], "slot": "all_day", "specialty": "ortho", "cycle_weeks": 2,
            "weeks": [1], "cycle_start": "2025-04-07"}  # fmt: skip
    sc = small_elective(
        horizon="4 weeks", start_date="2025-04-01", warm_up="0 weeks",
        **{"sites.b.theatres.t1.sessions": [plan]},
    )  # fmt: skip
    days = sessions_by_date(sc, "b")
    assert [d for d, n in days.items() if n] == [dt.date(2025, 4, 11), dt.date(2025, 4, 25)]


def test_plan_days_agree_with_the_session_plan():
    """The model's day masks and the scenario's own rule give the same days."""
    from sim.scenario.elective import SessionPlan

    cal = Calendar(dt.date(2025, 4, 3), 200)
    for plan in (
        SessionPlan(days=["Tue", "Sat"], specialty="x", cycle_weeks=3, weeks=[1, 3]),
        SessionPlan(days=["Mon"], specialty="x", cycle_weeks=2, weeks=[2],
                    cycle_start="2024-01-01", opens="2025-05-01", closes="2025-09-01"),
    ):  # fmt: skip
        mask = cal.plan_days(plan)
        assert [bool(x) for x in mask] == [
            plan.runs_on(cal.date(d), cal.start_date) for d in range(cal.days)
        ]


# -- theatres opening and ramping up ---------------------------------------------------------
def test_a_theatre_opens_on_its_date_and_ramps_up():
    """Two theatres opening on 2 June: none before, half of their sessions in the first 4
    weeks (alternating between the two), all of them afterwards."""
    sc = small_elective(
        horizon="16 weeks", start_date="2025-04-07", warm_up="0 weeks",
        **{"sites.b.theatres.t1.count": 2, "sites.b.theatres.t1.opens": "2025-06-02",
           "sites.b.theatres.t1.ramp_up": {"weeks": 4, "share": 0.5}},
    )  # fmt: skip
    days = sessions_by_date(sc, "b")
    opens = dt.date(2025, 6, 2)
    ramp_end = opens + dt.timedelta(weeks=4)
    assert sum(n for d, n in days.items() if d < opens) == 0
    assert sum(n for d, n in days.items() if opens <= d < ramp_end) == 4 * 3 * 2 // 2
    assert all(n == 2 for d, n in days.items() if d >= ramp_end and d.weekday() in (0, 2, 4))
    assert sessions_by_date(sc, "a")[opens - dt.timedelta(days=7)] == 1
    total = sum(t.sessions for k, t in held(sc).items() if k == "b")
    assert total == sum(days.values())


def test_a_session_plan_closes_on_its_date():
    sc = small_elective(
        horizon="6 weeks", start_date="2025-04-07", warm_up="0 weeks",
        **{"sites.b.theatres.t1.sessions.0.closes": "2025-04-21"},
    )  # fmt: skip
    days = sessions_by_date(sc, "b")
    assert sum(n for d, n in days.items() if d >= dt.date(2025, 4, 21)) == 0
    assert sum(days.values()) == 6


# -- wards changing size ---------------------------------------------------------------------
def test_a_ward_closing_lowers_capacity_from_its_date():
    """40 general beds at site a until day 70, 12 from then: capacity integrates to
    40 x 70 + 12 x (T - 70); patients in beds stay (the ward runs over its new count for a
    while, admitting nobody), and occupancy is measured against the beds there were."""
    horizon = 140
    sc = small_elective(
        horizon=f"{horizon} days", start_date="2025-04-01", warm_up="0 weeks",
        **{"sites.a.beds.changes": [{"date": "2025-06-10", "general": 12}],
           "sites.a.emergency.admissions_per_day": 6},
    )  # fmt: skip
    m = sim.CollaborativeModel(sc, seed=3)
    m.run(until=70)
    pool = m.beds["a"].general
    assert pool.capacity == 40 and pool.busy > 12
    m.run(until=70.01)
    assert pool.capacity == 12 and pool.busy > 12  # nobody thrown out
    assert m.beds["a"].admit_emergency() is None
    m.run()
    m.check_conservation()
    assert pool.busy <= 12
    ledger = m.close()
    tally = ledger.measured_of(WardTally)["a"].general
    assert tally.capacity_days == pytest.approx(40 * 70 + 12 * (horizon - 70))
    occ = next(v for k, s, v in kpi_rows(ledger) if k == "general_bed_occupancy" and s == "a")
    assert occ == pytest.approx(tally.bed_days / tally.capacity_days)
    assert sum(tally.time_at) == pytest.approx(horizon)


def test_a_ward_opening_gives_its_beds_to_emergencies_waiting():
    sc = small_elective(
        horizon="20 weeks", start_date="2025-04-01", warm_up="0 weeks",
        **{"sites.a.beds.general": 5, "sites.a.emergency.admissions_per_day": 4,
           "sites.a.beds.changes": [{"date": "2025-05-01", "general": 60}]},
    )  # fmt: skip
    m = sim.CollaborativeModel(sc, seed=3)
    m.run(until=29.99)
    beds = m.beds["a"]
    waiting = len(beds.emergency_queue)
    assert beds.general.busy == 5 and waiting > 55
    m.run(until=30.001)
    assert beds.general.busy == 60
    assert len(beds.emergency_queue) == waiting - 55
    m.run()
    m.check_conservation()


def test_bed_changes_before_the_start_apply_from_it():
    sc = small_elective(
        start_date="2025-04-01",
        **{"sites.a.beds.changes": [{"date": "2025-01-01", "general": 7, "elective": 3}]},
    )
    m = sim.CollaborativeModel(sc, seed=1)
    assert (m.beds["a"].general.capacity, m.beds["a"].elective.capacity) == (7, 3)


# -- demand growth ---------------------------------------------------------------------------
def _counts(pattern: ArrivalPattern, rate: float | None, growth: float, reps: int = 30):
    cal = Calendar(dt.date(2025, 1, 6), 2 * 364, growth_per_year=growth)
    out = []
    for rep in range(reps):
        t = np.fromiter(
            pattern_times(pattern, rate, cal, Streams(7, rep), "referrals/x/y", referrals=True),
            float,
        )
        out.append((np.sum(t < 364), np.sum((t >= 364) & (t < 728))))
    return np.array(out, dtype=float)


@pytest.mark.parametrize(
    "given",
    [{"per_day": 20.0}, {"interarrival": {"dist": "gamma", "mean": "1.2 hours", "sd": "1 hour"}}],
    ids=["rate", "interarrival"],
)
def test_growth_raises_referrals_by_the_stated_factor(given):
    """Year 2 over year 1 is 1 + growth (within the 95% CI), for a rate and for gaps."""
    from sim.scenario.emergencies import Emergency

    growth = 0.25
    spec = Emergency.model_validate({"length_of_stay": "1 days", **{
        ("admissions_per_day" if k == "per_day" else k): v for k, v in given.items()}})
    rate = given.get("per_day")
    counts = _counts(spec, rate, growth)
    _m, _sd, low, high, _n = mean_ci(counts[:, 1] / counts[:, 0])
    assert low <= 1 + growth <= high, (low, high)
    assert high - low < 0.05
    flat = _counts(spec, rate, 0.0, reps=10)
    assert abs(flat[:, 1].mean() / flat[:, 0].mean() - 1) < 0.03


def test_growth_in_a_model_run():
    """The model's referral streams grow: 50% a year over a year gives 1/ln(1.5) x 0.5 more."""
    sc = small_elective(horizon="52 weeks", warm_up="0 weeks")
    grown = small_elective(horizon="52 weeks", warm_up="0 weeks", demand__growth_per_year=0.5)
    ratio = [
        sum(t.referrals for t in held(grown, seed).values())
        / sum(t.referrals for t in held(sc, seed).values())
        for seed in range(4)
    ]
    # The mean of 1.5 ** (t / 365.25) over the 364 days.
    expected = (1.5 ** (364 / 365.25) - 1) / math.log(1.5) * 365.25 / 364
    assert abs(np.mean(ratio) - expected) < 0.05, (ratio, expected)


# -- industrial action -----------------------------------------------------------------------
def test_industrial_action_loses_the_sessions_of_its_days():
    strike = ["2025-04-08", "2025-04-09", "2025-04-10"]
    base = small_elective(horizon="4 weeks", start_date="2025-04-07", warm_up="0 weeks")
    sc = small_elective(
        horizon="4 weeks", start_date="2025-04-07", warm_up="0 weeks",
        calendar={"industrial_action": [{"dates": strike, "sites": ["a"]}]},
    )  # fmt: skip
    days = sessions_by_date(sc, "a")
    assert [days[dt.date.fromisoformat(d)] for d in strike] == [0, 0, 0]
    assert sessions_by_date(sc, "b") == sessions_by_date(base, "b")
    r = sim.run_replication(sc, seed=1)
    kpis = {(k, s): v for k, s, v in r.kpis}
    assert kpis[("sessions_lost_industrial_action", "a")] == 3
    assert kpis[("sessions_lost_industrial_action", "b")] == 0
    assert kpis[("sessions_lost_industrial_action", "")] == 3
    assert kpis[("sessions", "a")] == 20 - 3
    r1 = sim.run_replication(sc, seed=1, events=True)
    struck = {(dt.date.fromisoformat(d) - sc.start_date).days for d in strike}
    assert not [e for e in r1.events if math.floor(e[0]) in struck and e[1] == "cancelled"
                and e[3] == "a"]  # not booked, so nobody is cancelled  # fmt: skip
    r0 = sim.run_replication(base, seed=1)
    assert ("sessions_lost_industrial_action", "") not in {(k, s) for k, s, _v in r0.kpis}


def test_a_share_of_sessions_lost_to_industrial_action():
    """Each affected session is lost with the share: the count is binomial."""
    dates = [
        (dt.date(2025, 4, 7) + dt.timedelta(days=d)).isoformat()
        for d in range(0, 140)
        if d % 7 < 5
    ]
    sc = small_elective(
        horizon="20 weeks", start_date="2025-04-07", warm_up="0 weeks",
        calendar={"industrial_action": [
            {"dates": dates, "share_of_sessions": 0.4, "specialties": ["ortho"]}]},
    )  # fmt: skip
    m = sim.CollaborativeModel(sc, seed=5)
    n = 100 + 60  # sessions planned on those days at a and b
    lost = len(m.industrial_action.lost)
    assert abs(lost - 0.4 * n) < 3 * math.sqrt(n * 0.4 * 0.6)
    total = sum(len(m.sessions_on(d)) for d in range(140))
    assert total == n - lost


# -- checks on the scenario ------------------------------------------------------------------
def _reject(tmp_path: Path, **changes) -> ScenarioError:
    from sim.scenario.load import apply_overrides

    data = apply_overrides(copy.deepcopy(SMALL_ELECTIVE), changes)
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(path)
    assert "Traceback" not in info.value.message
    return info.value


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"calendar": {"bank_holidays": "england"}}, "calendar.bank_holidays",
         "england_and_wales"),
        ({"calendar": {"working_weeks": 48, "closed_weeks": ["2025-08-04"]}}, "calendar",
         "not both"),
        ({"calendar": {"working_weeks": 30}}, "calendar.working_weeks", "44"),
        ({"calendar": {"closed_weeks": ["2205-08-04"]}}, "calendar.closed_weeks[0]", "typo"),
        ({"calendar": {"industrial_action": [{"dates": ["2025-06-01"], "sites": ["c"]}]}},
         "calendar.industrial_action[0].sites[0]", "site"),
        ({"calendar": {"industrial_action": [{"dates": ["2025-06-01"], "share_of_sessions": 0}]}},
         "calendar.industrial_action[0].share_of_sessions", "0"),
        ({"sites.a.theatres.t1.sessions.0.weeks": [3], "sites.a.theatres.t1.sessions.0.cycle_weeks":
          2}, "sites.a.theatres.t1.sessions[0]", "cycle of 2"),
        ({"sites.a.theatres.t1.opens": "2025-06-01", "sites.a.theatres.t1.closes": "2025-05-01"},
         "sites.a.theatres.t1", "after opens"),
        ({"sites.a.theatres.t1.ramp_up": {"weeks": 4, "share": 1.5}},
         "sites.a.theatres.t1.ramp_up.share", "1"),
        ({"sites.a.beds.changes": [{"date": "2025-06-01"}]}, "sites.a.beds.changes[0]",
         "general or elective"),
        ({"sites.a.beds.changes": [{"date": "2025-06-01", "general": 3},
                                   {"date": "2025-06-01", "general": 4}]},
         "sites.a.beds.changes", "twice"),
        ({"demand.growth_per_year": 3}, "demand.growth_per_year", "1"),
        ({"demand.growth_per_year": 0.03,
          "demand.referrals.a.hip": {"schedule": {"times": ["9 hours"]}}},
         "demand.referrals.a.hip.schedule", "growth_per_year"),
    ],
    ids=["region", "weeks both ways", "too few weeks", "year typo", "strike site",
         "zero share", "week outside cycle", "closes before opens", "ramp share",
         "empty bed change", "bed change twice", "absurd growth", "growth with schedule"],
)  # fmt: skip
def test_calendar_mistakes_are_explained(tmp_path, changes, field, words):
    err = _reject(tmp_path, **changes)
    assert any(f"field {field}" in p and words in p for p in err.problems), err.message


def test_alternating_fortnightly_lists_do_not_clash_but_the_same_weeks_do(tmp_path):
    plan = {"days": ["Mon"], "slot": "all_day", "specialty": "ortho", "cycle_weeks": 2}
    ok = small_elective(**{"sites.b.theatres.t1.sessions": [plan, {**plan, "weeks": [2]}]})
    assert len(ok.sites["b"].theatres["t1"].sessions) == 2
    err = _reject(tmp_path, **{"sites.b.theatres.t1.sessions": [plan, {**plan, "cycle_weeks": 4}]})
    assert any("overlap on 2025-" in p for p in err.problems), err.message


def test_nothing_changes_without_a_calendar():
    """No calendar: no bank holidays, no closed weeks, no skipped days, the goldens stand."""
    sc = small_elective()
    m = sim.CollaborativeModel(sc, seed=1)
    assert not m.calendar.bank_holiday.any() and m.calendar.growth is None
    assert all(not s.skip for t in m.theatres for s in t.slots)
    assert m.industrial_action is None


def test_the_model_description_states_the_calendar():
    from sim.report.describe.calendar import sentences as calendar_sentences
    from sim.report.stress import other_settings

    plain = small_elective()
    assert calendar_sentences(plain) == []
    assert not [k for k, _v in other_settings(plain) if k.startswith("calendar")]
    sc = small_elective(
        calendar={"bank_holidays": "england_and_wales", "working_weeks": 48,
                  "industrial_action": [{"dates": ["2025-06-10"], "share_of_sessions": 0.5}]},
        demand__growth_per_year=0.03,
        **{"sites.b.theatres.t1.opens": "2025-06-02",
           "sites.b.theatres.t1.ramp_up": {"weeks": 4, "share": 0.5},
           "sites.a.beds.changes": [{"date": "2025-09-01", "general": 20}]},
    )  # fmt: skip
    text = " ".join(calendar_sentences(sc))
    for words in ("Bank holidays of England and Wales", "weekend rate", "48 weeks a year",
                  "opens on 2025-06-02", "50% of the sessions for 4 weeks",
                  "2025-09-01: 20 general", "Industrial action on 2025-06-10",
                  "grow by 3.0% a year"):  # fmt: skip
        assert words in text, words


def test_the_json_schema_takes_the_calendar_as_the_loader_does():
    import jsonschema

    from sim.scenario.json_schema import scenario_json_schema

    data = copy.deepcopy(SMALL_ELECTIVE)
    data["calendar"] = {"bank_holidays": "none", "working_weeks": 48,
                        "industrial_action": [{"dates": ["2025-06-10"]}]}  # fmt: skip
    data["demand"]["growth_per_year"] = 0.03
    data["sites"]["a"]["beds"]["changes"] = [{"date": "2026-01-01", "general": 20}]
    data["sites"]["b"]["theatres"]["t1"].update(
        opens="2025-06-01", ramp_up={"weeks": 4, "share": 0.5}, runs_on_bank_holidays=True
    )
    data["sites"]["b"]["theatres"]["t1"]["sessions"][0].update(cycle_weeks=2, weeks=1)
    validator = jsonschema.Draft202012Validator(scenario_json_schema())
    assert [e.message for e in validator.iter_errors(data)] == []
    sc = sim.validate_scenario(data)
    assert sc.calendar.bank_holidays is None and sc.sites["b"].theatres["t1"].ramp_up[0].weeks == 4
    data["calendar"]["working_weeks"] = 40
    assert list(validator.iter_errors(data))
