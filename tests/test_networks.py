"""Units of any bed type and the networks that share them: named admission streams, planned
admissions, true pooling, repatriation, units without a bed limit, pathways between bed
types, distance from home, the daily census and the probability of delay.

Exact checks require the exact value inside the 95% CI of the simulated mean; a family of
checks uses Bonferroni-corrected intervals so the family keeps a 5% false-alarm rate. Seeds
are fixed per test.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from builders import critical_care_network, small_elective
from scipy import stats

import sim
from sim.analytic import erlang_b
from sim.scenario.errors import ScenarioError

REPS = 16
EXP = {"dist": "exponential", "mean": "4 days"}


def _t(k: int = 1, n: int = REPS) -> float:
    return float(stats.t.ppf(1 - 0.025 / k, n - 1))


def _per_rep(res: sim.Results, kpi: str, site: str = "") -> np.ndarray:
    r = res.replications
    return r[(r.kpi == kpi) & (r.site == site)].sort_values("rep")["value"].to_numpy()


def _kpi(r: sim.ReplicationResult, name: str, site: str = "") -> float:
    return next(v for k, s, v in r.kpis if k == name and s == site)


def _inside(x: np.ndarray, exact: float, k: int = 1, slack: float = 0.0) -> None:
    half = _t(k, len(x)) * x.std(ddof=1) / np.sqrt(len(x))
    assert abs(x.mean() - exact) <= half + slack, (x.mean(), exact, half)


def _scenario(sites: dict, policies: dict | None = None, horizon: str = "1500 days",
              warm_up: str = "60 days", **extra) -> sim.Scenario:  # fmt: skip
    return sim.validate_scenario(
        {
            "name": "network test",
            "horizon": horizon,
            "warm_up": warm_up,
            "snapshot_interval": "8 weeks",
            "trusts": {"T": {"name": "Trust"}},
            "sites": sites,
            "policies": policies or {},
            **extra,
        }
    )


# -- several named streams ------------------------------------------------------------------------
SOURCES = {
    "a_and_e": {"per_day": 1.0, "length_of_stay": EXP},
    "ward": {"interarrival": {"dist": "exponential", "mean": "2 days"},
             "length_of_stay": {"dist": "lognormal", "mean": "2 days", "sd": "3 days"}},
    "theatres": {"per_day": 0.8, "length_of_stay": "3 days"},
}  # fmt: skip
TOTAL_LOAD = 1.0 * 4 + 0.5 * 2 + 0.8 * 3


def test_each_of_several_poisson_sources_is_refused_as_erlang_b_of_the_total_load():
    """Arrivals see time averages (PASTA), so every Poisson source into one loss unit is
    refused with the unit's blocking probability, Erlang B at the total offered load,
    whatever its own stay."""
    sc = _scenario(
        {"a": {"trust": "T", "critical_care": {"beds": 10, "admissions": SOURCES}}},
        {"critical_care": {"when_full": "refuse"}},
    )
    res = sim.run(sc, reps=REPS, seed=41, n_jobs=2)
    exact = erlang_b(10, TOTAL_LOAD) * 100
    assert 3 < exact < 15
    for source in SOURCES:
        x = _per_rep(res, f"cc_refusal_pct_{source}")
        _inside(x, exact, k=len(SOURCES))
        arrivals = _per_rep(res, f"cc_arrivals_{source}")
        assert (arrivals > 0).all()
    # the sources add up to the unit
    total = sum(_per_rep(res, f"cc_refusals_{s}") for s in SOURCES)
    assert (total == _per_rep(res, "cc_refusals")).all()


def test_sources_keep_their_own_stays():
    r = sim.run_replication(
        _scenario(
            {"a": {"trust": "T", "critical_care": {"beds": 60, "admissions": SOURCES}}},
            horizon="800 days",
        ),
        seed=2,
        events=True,
    )
    admitted = {e[2]: e[0] for e in r.events if e[1] == "cc_admitted"}
    stays = [e[0] - admitted[e[2]] for e in r.events if e[1] == "cc_discharged"]
    assert 0.999 * 3.0 < np.median(stays) < 3.001  # the fixed stays of theatre patients
    assert {_kpi(r, f"cc_unplanned_wait_hours_{s}") for s in SOURCES} == {0.0}


# -- planned admissions booked into the unit -----------------------------------------------------
def test_planned_admissions_are_cancelled_when_no_bed_and_a_bed_being_cleaned_is_busy():
    """A planned Poisson stream into a loss unit is cancelled with Erlang B at the load of
    stay plus cleaning: a bed being cleaned is not free."""
    unit = {
        "beds": 6,
        "turnaround": "12 hours",
        "planned_admissions": {"elective": {"per_day": 1.2, "length_of_stay": "3 days"}},
    }
    sc = _scenario({"a": {"trust": "T", "critical_care": unit}})
    res = sim.run(sc, reps=REPS, seed=42, n_jobs=2)
    cancelled = _per_rep(res, "cc_planned_cancellations")
    arrived = cancelled + _per_rep(res, "cc_planned_admissions")
    share = cancelled / arrived
    exact = erlang_b(6, 1.2 * 3.5)
    _inside(share, exact)
    half = _t() * share.std(ddof=1) / np.sqrt(REPS)
    assert abs(share.mean() - erlang_b(6, 1.2 * 3.0)) > half  # cleaning matters
    assert (_per_rep(res, "cc_cancellations_elective") == cancelled).all()


def test_planned_admissions_sit_beside_post_operative_ones():
    sc = small_elective(
        horizon="30 weeks",
        warm_up="4 weeks",
        **{
            "sites.a.critical_care": {
                "beds": 8,
                "length_of_stay": {"dist": "exponential", "mean": "3 days"},
                "planned_admissions": {"cardiac": {"per_day": 0.5, "length_of_stay": "2 days"}},
            },
            "procedures.hip.critical_care": {"probability": 1.0, "length_of_stay": "2 days"},
            "demand.referrals.b": {"scope": 6},
        },
    )
    r = sim.run_replication(sc, seed=3, events=True)
    assert _kpi(r, "cc_planned_admissions", "a") > 30
    assert _kpi(r, "cc_elective_admissions", "a") > 10
    assert _kpi(r, "cc_admissions_post_operative", "a") == _kpi(r, "cc_elective_admissions", "a")
    kinds = {e[1] for e in r.events}
    assert {"cc_planned_admitted", "cc_discharged"} <= kinds


# -- the check when a list is finalised -----------------------------------------------------------
class _List:
    """A waiting list of ``n`` patients who all need a post-operative bed."""

    def __init__(self, n: int):
        from sim.model.patient import Patient

        self.entries = []
        for i in range(n):
            p = Patient(i, "a", "hip", 2, 0.0, False, 3 / 24, 5.0)
            p.needs_cc = True
            self.entries.append((0, 0, i, p))
        self.back: list = []

    def take(self):
        return self.entries.pop(0) if self.entries else None

    def put_back(self, entry) -> None:
        self.back.append(entry)


def test_booking_deferrals_count_the_patients_who_would_have_been_on_the_list():
    """A full unit leaves off the list the patients who would have filled it (two 3-hour
    cases on an 8-hour list), not every patient looked at (up to ``lookahead``)."""
    import simpy

    from sim.model.theatre import SessionSlot, Theatre

    theatre = Theatre(simpy.Environment(), "a", "t1", [], lambda: 0.0, lambda: 0.0, 0.0, 0.0)
    slot = SessionSlot("a", "t1", "ortho", frozenset(range(7)), 8 / 24, 8 / 24)
    deferred = []
    booked = theatre.book(
        slot, _List(30), lambda p: p.duration, 1.0, 20, 3 / 24,
        lambda p, site, promised: False, deferred.append,
    )  # fmt: skip
    assert booked == []
    assert deferred == ["a", "a"]


def test_a_session_template_counts_the_patients_it_had_places_for():
    """Two places on a template, a full unit: two deferrals, not one per patient looked at."""
    import simpy

    from sim.model.theatre import SessionSlot, Theatre

    theatre = Theatre(simpy.Environment(), "a", "t1", [], lambda: 0.0, lambda: 0.0, 0.0, 0.0)
    slot = SessionSlot(
        "a", "t1", "ortho", frozenset(range(7)), 8 / 24, 8 / 24, templates=((1.0, (("hip", 2),)),)
    )
    deferred = []
    booked, unfilled = theatre.book_cases(
        slot, _List(30), 20, lambda p, site, promised: False, deferred.append
    )
    assert (booked, unfilled) == ([], 2)
    assert deferred == ["a", "a"]


def _surgical_cc(check: bool) -> sim.Scenario:
    return small_elective(
        horizon="30 weeks",
        warm_up="4 weeks",
        **{
            "sites.a.critical_care": {
                "beds": 6,
                "length_of_stay": {"dist": "exponential", "mean": "3 days"},
                "admissions": {"per_day": 1.2},
            },
            "procedures.hip.critical_care": {"probability": 1.0, "length_of_stay": "2 days"},
            "policies.critical_care": {"check_at_booking": check},
            "demand.referrals.b": {"scope": 6},
        },
    )


def test_the_check_at_booking_can_be_left_to_the_day():
    checked = sim.run_replication(_surgical_cc(True), seed=6)
    on_the_day = sim.run_replication(_surgical_cc(False), seed=6)
    assert _kpi(checked, "cc_booking_deferrals", "a") > 5
    assert _kpi(on_the_day, "cc_booking_deferrals", "a") == 0
    assert _kpi(on_the_day, "cancellations_no_cc_bed", "a") > _kpi(
        checked, "cancellations_no_cc_bed", "a"
    )


# -- true pooling ---------------------------------------------------------------------------------
UNITS = {"a": (8, 1.5), "b": (12, 2.2), "c": (20, 4.0)}


def test_a_pool_that_refuses_refuses_as_erlang_b_of_all_its_beds():
    """``pooled: true`` with ``when_full: refuse`` is one loss system of all the beds (it
    used to leave each unit on its own)."""
    sc = critical_care_network(UNITS, EXP, {"when_full": "refuse", "pooled": True})
    res = sim.run(sc, reps=REPS, seed=43, n_jobs=2)
    beds = sum(b for b, _ in UNITS.values())
    load = sum(r for _, r in UNITS.values()) * 4.0
    _inside(_per_rep(res, "cc_refusal_pct"), erlang_b(beds, load) * 100)
    assert (
        _per_rep(res, "cc_transfer_hours")[~np.isnan(_per_rep(res, "cc_transfer_hours"))].max(
            initial=0.0
        )
        == 0.0
    )


def _trunk_reservation(beds: int, reserved: int, lam_u: float, lam_p: float, mu: float):
    """Blocking of unplanned and planned patients in one pool of ``beds`` where unplanned
    patients may hold at most ``beds - reserved`` (exponential stays, rate ``mu``): the
    stationary distribution of the (unplanned, planned) Markov chain."""
    states = [(u, p) for u in range(beds - reserved + 1) for p in range(beds - u + 1)]
    index = {s: i for i, s in enumerate(states)}
    q = np.zeros((len(states), len(states)))
    for (u, p), i in index.items():
        moves = []
        if u < beds - reserved and u + p < beds:
            moves.append(((u + 1, p), lam_u))
        if u + p < beds:
            moves.append(((u, p + 1), lam_p))
        if u:
            moves.append(((u - 1, p), u * mu))
        if p:
            moves.append(((u, p - 1), p * mu))
        for s, rate in moves:
            q[i, index[s]] += rate
            q[i, i] -= rate
    a = np.vstack([q.T, np.ones(len(states))])
    pi = np.linalg.lstsq(a, np.r_[np.zeros(len(states)), 1.0], rcond=None)[0]
    blocked_u = sum(pi[i] for (u, p), i in index.items()
                    if u >= beds - reserved or u + p >= beds)  # fmt: skip
    blocked_p = sum(pi[i] for (u, p), i in index.items() if u + p >= beds)
    return blocked_u, blocked_p


def test_a_pool_has_one_reserve_for_planned_patients_and_lends_them_any_bed():
    """Two units pooled, each keeping a bed for planned patients, behave as one pool of 12
    beds with 2 kept: planned patients at one unit may take a bed at the other."""
    los = {"dist": "exponential", "mean": "2 days"}
    planned = {"list": {"per_day": 1.0, "length_of_stay": los}}
    sites = {
        "a": {"trust": "T", "location": {"lat": 51.5, "lon": -0.1}, "critical_care": {
            "beds": 5, "elective_reserved": 1, "length_of_stay": los,
            "admissions": {"emergency": {"per_day": 1.6}}, "planned_admissions": planned}},
        "b": {"trust": "T", "location": {"lat": 51.6, "lon": -0.1}, "critical_care": {
            "beds": 7, "elective_reserved": 1, "length_of_stay": los,
            "admissions": {"emergency": {"per_day": 2.2}}}},
    }  # fmt: skip
    res = sim.run(
        _scenario(sites, {"critical_care": {"when_full": "refuse", "pooled": True}}),
        reps=REPS,
        seed=44,
        n_jobs=2,
    )
    blocked_u, blocked_p = _trunk_reservation(12, 2, 3.8, 1.0, 0.5)
    _inside(_per_rep(res, "cc_refusal_pct"), blocked_u * 100, k=2)
    cancelled = _per_rep(res, "cc_planned_cancellations")
    share = cancelled / (cancelled + _per_rep(res, "cc_planned_admissions"))
    _inside(share, blocked_p, k=2)


def test_pooled_refuses_transfer_settings_it_cannot_honour():
    with pytest.raises(ScenarioError, match="pooled: true .* transfer_time"):
        critical_care_network(
            UNITS, EXP, {"when_full": "transfer", "pooled": True, "transfer_time": "2 hours"}
        )
    with pytest.raises(ScenarioError, match="repatriate"):
        critical_care_network(UNITS, EXP, {"pooled": True, "repatriate": {"team": True}})
    for repatriate in (True, False):  # accepted: a pool never repatriates
        sc = critical_care_network(UNITS, EXP, {"pooled": True, "repatriate": repatriate})
        assert sc.policies.critical_care.repatriation is None


def test_a_pool_that_queues_waits_at_the_pool():
    """One queue for the whole pool: a patient takes the next bed freed anywhere."""
    from sim.analytic import mmc_mean_wait

    units = {"a": (5, 1.0), "b": (5, 1.0)}
    sc = critical_care_network(
        units, EXP, {"when_full": "queue", "pooled": True}, horizon="3000 days"
    )
    res = sim.run(sc, reps=REPS, seed=45, n_jobs=2)
    _inside(_per_rep(res, "cc_unplanned_wait_hours"), mmc_mean_wait(2.0, 4.0, 10) * 24)


# -- repatriation as a policy ---------------------------------------------------------------------
def test_repatriation_by_retrieval_team_keeps_the_teams_busy():
    units = {"a": (6, 2.0), "b": (40, 2.0)}
    base = {"when_full": "transfer", "transfer_time": "6 hours", "retrieval_teams": 1}
    instant = critical_care_network(units, EXP, base, horizon="400 days")
    by_team = critical_care_network(
        units, EXP, {**base, "repatriate": {"team": True}}, horizon="400 days"
    )
    a = sim.run_replication(instant, seed=7)
    b = sim.run_replication(by_team, seed=7, events=True)
    assert _kpi(b, "cc_repatriations", "a") > 20
    assert _kpi(a, "cc_repatriations", "a") > 20
    assert _kpi(b, "cc_transfer_hours") > _kpi(a, "cc_transfer_hours") + 0.5  # the team is out
    assert any(e[1] == "cc_repatriated" and e[4] == "team" for e in b.events)


def test_repatriation_before_planned_patients_takes_their_beds():
    los = {"dist": "exponential", "mean": "3 days"}
    sites = {
        "a": {"trust": "T", "location": {"lat": 51.5, "lon": -0.1}, "critical_care": {
            "beds": 8, "elective_reserved": 2, "length_of_stay": los,
            "admissions": {"emergency": {"per_day": 2.0}},
            "planned_admissions": {"list": {"per_day": 0.6, "length_of_stay": "2 days"}}}},
        "b": {"trust": "T", "location": {"lat": 51.6, "lon": -0.1}, "critical_care": {
            "beds": 30, "length_of_stay": los, "admissions": {"emergency": {"per_day": 2.0}}}},
    }  # fmt: skip
    runs = {}
    for priority in ("after_planned", "before_planned"):
        policy = {"when_full": "transfer", "repatriate": {"priority": priority}}
        runs[priority] = sim.run(_scenario(sites, {"critical_care": policy}, horizon="600 days"),
                                 reps=6, seed=46, n_jobs=2)  # fmt: skip
    after, before = runs["after_planned"], runs["before_planned"]
    assert (
        _per_rep(before, "cc_repatriations", "a").sum()
        > _per_rep(after, "cc_repatriations", "a").sum()
    )
    assert (
        _per_rep(before, "cc_planned_cancellations", "a").sum()
        > _per_rep(after, "cc_planned_cancellations", "a").sum()
    )


def test_repatriate_true_and_false_still_mean_what_they_did():
    on = critical_care_network(UNITS, EXP, {"when_full": "transfer", "repatriate": True})
    off = critical_care_network(UNITS, EXP, {"when_full": "transfer", "repatriate": False})
    assert on.policies.critical_care.repatriation is not None
    assert off.policies.critical_care.repatriation is None


# -- units without a bed limit, pathways and the census -------------------------------------------
def _stroke(horizon: str = "1100 days") -> sim.Scenario:
    return sim.validate_scenario(_stroke_data(horizon))


def _stroke_data(horizon: str = "1100 days") -> dict:
    """Acute unit fed by two types, 30% of strokes going on to rehabilitation (with their own
    stay), rehabilitation also taking direct admissions; both without a bed limit."""
    ln = lambda m, s: {"dist": "lognormal", "mean": f"{m} days", "sd": f"{s} days"}  # noqa: E731
    units = {
        "acute": {
            "beds": "unlimited",
            "admissions": {
                "stroke": {"per_day": 1.0, "patient_type": "stroke"},
                "tia": {"per_day": 0.5, "patient_type": "tia"},
            },
            "pathways": {
                "stroke": {"next": {"rehab": {"p": 0.3, "length_of_stay": ln(8, 8)},
                                    "home": {"p": 0.7, "length_of_stay": ln(5, 6)}}},
                "tia": {"length_of_stay": ln(2, 2)},
            },
        },
        "rehab": {
            "beds": "unlimited",
            "admissions": {"stroke": {"per_day": 0.1, "patient_type": "stroke"}},
            "pathways": {"stroke": {"length_of_stay": ln(20, 15)}},
        },
    }  # fmt: skip
    return {
        "name": "stroke network test",
        "horizon": horizon,
        "warm_up": "100 days",
        "snapshot_interval": "8 weeks",
        "trusts": {"T": {"name": "Trust"}},
        "sites": {"s": {"trust": "T", "units": units}},
        "census": {"probability_of_delay": {"acute": [6, 8, 10], "rehab": [10, 12]},
                   "pools": {"both": {"bed_types": ["acute", "rehab"],
                                      "probability_of_delay": [16, 20]}}},
    }  # fmt: skip


ACUTE_LOAD = 1.0 * (0.3 * 8 + 0.7 * 5) + 0.5 * 2
REHAB_LOAD = (0.1 + 0.3 * 1.0) * 20


def test_pathways_and_unlimited_units_give_poisson_censuses_and_erlang_delays():
    """Units without a bed limit fed by Poisson streams (and by the thinned output of
    another such unit) have Poisson occupancy with mean arrival rate x mean stay, the stay
    depending on the next destination; P(N = n) / P(N <= n) is then Erlang B."""
    res = sim.run(_stroke(), reps=REPS, seed=47, n_jobs=2)
    checks = [
        ("unit_census_mean_acute", ACUTE_LOAD),
        ("unit_census_mean_rehab", REHAB_LOAD),
        *((f"p_delay_acute_{n}", erlang_b(n, ACUTE_LOAD)) for n in (6, 8, 10)),
        *((f"p_delay_rehab_{n}", erlang_b(n, REHAB_LOAD)) for n in (10, 12)),
    ]
    for kpi, exact in checks:
        _inside(_per_rep(res, kpi), exact, k=len(checks) + 2)
        _inside(_per_rep(res, kpi, "s"), exact, k=len(checks) + 2)
    # the pool of both is checked against the exact Poisson sum only loosely: the two
    # censuses are dependent (rehabilitation is fed by the acute unit)
    pooled = _per_rep(res, "p_delay_both_16")
    assert abs(pooled.mean() - erlang_b(16, ACUTE_LOAD + REHAB_LOAD)) < 0.03
    direct, from_acute = 0.1, 0.3 * 1.0
    share = _per_rep(res, "unit_arrivals_rehab") / _per_rep(res, "unit_arrivals_acute")
    assert abs(share.mean() - (direct + from_acute) / 1.5) < 0.02


def test_the_census_is_taken_once_a_day_after_the_warm_up():
    r = sim.run_replication(_stroke(horizon="400 days"), seed=1)
    census = r.occupancy["census:s/acute"]
    assert sum(census) == 300
    assert r.occupancy["census:network/acute"] == census
    assert sum(r.occupancy["census:both"]) == 300


def test_a_pathway_moves_patients_on_when_their_stay_ends():
    r = sim.run_replication(_stroke(horizon="400 days"), seed=2, events=True)
    discharged = {e[2]: (e[0], e[4]) for e in r.events if e[1] == "acute_discharged"}
    to_rehab = {cid for cid, (_, dest) in discharged.items() if dest == "rehab"}
    assert 0.2 < len(to_rehab) / len(discharged) < 0.4
    admitted_rehab = {e[2]: e[0] for e in r.events if e[1] == "rehab_admitted"}
    for cid in to_rehab:
        if cid in admitted_rehab:
            assert admitted_rehab[cid] == discharged[cid][0]  # at that same instant


# -- distance from home and out-of-area units -----------------------------------------------------
def _camhs(policy: dict) -> sim.Scenario:
    los = {"dist": "exponential", "mean": "40 days"}
    unit = lambda beds, rate: {"beds": beds, "length_of_stay": los,  # noqa: E731
                               "admissions": {"local": {"per_day": rate}}}  # fmt: skip
    sites = {
        "north": {"trust": "T", "location": {"lat": 51.50, "lon": -0.10},
                  "units": {"camhs": unit(10, 0.25)}},
        "south": {"trust": "T", "location": {"lat": 51.40, "lon": -0.10},
                  "units": {"camhs": unit(12, 0.15)}},
        "far": {"trust": "T", "location": {"lat": 52.40, "lon": -1.50},
                "units": {"camhs": {"beds": "unlimited", "out_of_area": True,
                                    "length_of_stay": los}}},
    }  # fmt: skip
    return _scenario(sites, {"networks": {"camhs": policy}}, horizon="1200 days",
                     warm_up="200 days")  # fmt: skip


def test_central_bed_management_cuts_out_of_area_use_and_distance_from_home():
    alone = {"when_full": "transfer", "transfer_to": "out_of_area", "repatriate": False}
    central = {"when_full": "transfer", "repatriate": True}
    a = sim.run(_camhs(alone), reps=6, seed=48, n_jobs=2)
    c = sim.run(_camhs(central), reps=6, seed=48, n_jobs=2)
    assert _per_rep(a, "unit_admissions_camhs", "far").sum() > 0
    # alone, a full unit sends its patients out of area, never to the other trust's unit
    assert (_per_rep(a, "unit_transfers_out_camhs") == _per_rep(a, "unit_out_of_area_camhs")).all()
    assert (
        _per_rep(c, "unit_out_of_area_camhs").sum()
        < 0.5 * _per_rep(a, "unit_out_of_area_camhs").sum()
    )
    assert (
        _per_rep(c, "unit_distance_km_camhs").mean() < _per_rep(a, "unit_distance_km_camhs").mean()
    )
    assert _per_rep(c, "unit_repatriations_camhs").sum() > 0


def test_distance_from_home_is_the_road_distance_to_the_unit_that_admitted():
    r = sim.run_replication(_camhs({"when_full": "transfer", "repatriate": False}), seed=5)
    sc = _camhs({})
    from sim.model.geography import distance_km

    loc = {s: sc.sites[s].location for s in sc.sites}
    n_out = _kpi(r, "unit_out_of_area_camhs", "north")
    n_moved = _kpi(r, "unit_transfers_out_camhs", "north")
    n_all = _kpi(r, "unit_arrivals_camhs", "north")
    # north's patients: at home (0 km), at south, or out of area
    km = (
        (n_moved - n_out) * distance_km(loc["north"], loc["south"])
        + n_out * distance_km(loc["north"], loc["far"])
    ) / n_all
    assert _kpi(r, "unit_distance_km_camhs", "north") == pytest.approx(km)


# -- the format ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sites.s.units.acute.pathways.stroke.next": {"rehabb": 0.3, "home": 0.7}},
         "did you mean the bed type 'rehab'"),
        ({"census": {"probability_of_delay": {"icu": [3]}}}, "unknown bed type 'icu'"),
        ({"sites.s.units.rehab.pathways": {}}, "arrive here by their pathway but have no stay"),
        ({"sites.s.units.acute.beds": 0}, "beds"),
        ({"sites.s.units.critical_care": {"beds": 3, "length_of_stay": "1 day"}},
         "critical care unit is written `critical_care:`"),
        ({"policies.networks.strok": {"when_full": "refuse"}}, "unknown bed type 'strok'"),
        ({"sites.s.units.acute.pathways.stroke.next.rehab": {"p": 0.3, "length_of_stay": "0 min"}},
         "round a loop of units for ever"),
    ],
)  # fmt: skip
def test_mistakes_in_networks_are_explained(change, message):
    data = copy.deepcopy(_stroke_data())
    for dotted, value in change.items():
        node = data
        *parents, last = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    with pytest.raises(ScenarioError, match=message):
        sim.validate_scenario(data)


def test_critical_care_keeps_its_own_source_names():
    with pytest.raises(ScenarioError, match="kept for the admission sources"):
        _scenario({"a": {"trust": "T", "critical_care": {
            "beds": 3, "admissions": {"post_operative": {"per_day": 1, "length_of_stay": "1 day"}}}}})  # fmt: skip  # noqa: E501


def test_a_scenario_with_networks_reads_back_as_it_was_written(tmp_path):
    """What a run saves beside its results (the resolved scenario) reads back the same."""
    from sim.scenario.load import dump_scenario_yaml, scenario_hash

    for sc in (
        _stroke(),
        _camhs({"when_full": "transfer", "repatriate": {"team": True}}),
        critical_care_network(UNITS, EXP, {"pooled": True, "when_full": "refuse"}),
        _scenario({"a": {"trust": "T", "critical_care": {"beds": 10, "admissions": SOURCES}}}),
    ):
        path = tmp_path / "saved.yaml"
        path.write_text(dump_scenario_yaml(sc))
        again = sim.load_scenario(path)
        assert scenario_hash(again) == scenario_hash(sc)
        assert again.policies.critical_care.repatriation == sc.policies.critical_care.repatriation


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("sites.s.units.acute.beds", "unlimeted", "did you mean 'unlimited'"),
        ("sites.s.units.acute.pathways.tia.next", {"rehab": "x"}, "give a destination a weight"),
    ],
)
def test_typos_in_a_unit_get_one_plain_message(path, value, message):
    data = copy.deepcopy(_stroke_data())
    node = data
    *parents, last = path.split(".")
    for part in parents:
        node = node[part]
    node[last] = value
    with pytest.raises(ScenarioError, match=message) as err:
        sim.validate_scenario(data)
    assert str(err.value).count("\n\n") <= 1  # one paragraph, not one per union member


def test_repatriate_must_be_true_false_or_a_policy():
    with pytest.raises(ScenarioError, match="repatriate is true, false"):
        critical_care_network(UNITS, EXP, {"when_full": "transfer", "repatriate": "maybe"})
