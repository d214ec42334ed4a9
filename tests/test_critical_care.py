"""Critical care units and networks against exact results, and their mechanisms.

Single-value checks require the exact value inside the 95% CI of the simulated mean; a
family of checks (one per unit, or one per occupancy level) uses Bonferroni-corrected
intervals so the family as a whole keeps a 5% false-alarm rate. Seeds are fixed per test.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import critical_care_network, small_elective
from scipy import stats

import sim
from sim.analytic import erlang_b, erlang_c, mmc_mean_wait, truncated_poisson

REPS = 20
EXP = {"dist": "exponential", "mean": "4 days"}
LOGNORMAL = {"dist": "lognormal", "mean": "4 days", "sd": "6 days"}
UNITS = {"a": (8, 1.5), "b": (12, 2.2), "c": (20, 4.0)}  # beds, unplanned admissions a day


def _family_t(k: int, n: int = REPS) -> float:
    return float(stats.t.ppf(1 - 0.025 / k, n - 1))


def _per_rep(res: sim.Results, kpi: str, site: str = "") -> np.ndarray:
    r = res.replications
    return r[(r.kpi == kpi) & (r.site == site)].sort_values("rep")["value"].to_numpy()


@pytest.mark.parametrize("los", [EXP, LOGNORMAL], ids=["exponential", "lognormal"])
def test_isolated_loss_units_refuse_as_erlang_b(los):
    sc = critical_care_network(UNITS, los, {"when_full": "refuse"})
    res = sim.run(sc, reps=REPS, seed=31, n_jobs=2)
    t = _family_t(len(UNITS))
    for site, (beds, rate) in UNITS.items():
        x = _per_rep(res, "cc_refusal_pct", site)
        half = t * x.std(ddof=1) / np.sqrt(len(x))
        exact = erlang_b(beds, rate * 4.0) * 100
        assert abs(x.mean() - exact) <= half, (site, x.mean(), exact, half)
        assert half < 0.15 * exact


@pytest.mark.parametrize("los", [EXP, LOGNORMAL], ids=["exponential", "lognormal"])
def test_instant_transfer_to_any_free_bed_refuses_as_erlang_b_of_the_network(los):
    sc = critical_care_network(UNITS, los, {"when_full": "transfer", "pooled": True})
    res = sim.run(
        sc,
        reps=REPS,
        seed=32,
        n_jobs=2,
    )
    beds = sum(b for b, _ in UNITS.values())
    load = sum(r for _, r in UNITS.values()) * 4.0
    row = res.kpi("cc_refusal_pct")
    exact = erlang_b(beds, load) * 100
    assert row.ci_low <= exact <= row.ci_high, (row.mean, exact)
    assert (row.ci_high - row.ci_low) / 2 < 0.25 * exact
    # pooling refuses far fewer than the units alone would
    alone = sum(erlang_b(b, r * 4.0) * r for b, r in UNITS.values()) / sum(
        r for _, r in UNITS.values()
    )
    assert row.ci_high < 0.5 * alone * 100


def test_queueing_unit_waits_as_erlang_c():
    sc = critical_care_network({"a": (10, 2.0)}, EXP, {"when_full": "queue"}, horizon="5100 days")
    res = sim.run(sc, reps=REPS, seed=33, n_jobs=2)
    row = res.kpi("cc_unplanned_wait_hours")
    exact = mmc_mean_wait(2.0, 4.0, 10) * 24
    assert row.ci_low <= exact <= row.ci_high, (row.mean, exact)
    assert (row.ci_high - row.ci_low) / 2 < 0.15 * exact
    assert erlang_c(10, 8.0) > 0.3  # a queue that matters


def _occupancy_matches(res: sim.Results, pool: str, beds: int, load: float) -> None:
    occ = res.occupancy
    exact = truncated_poisson(beds, load)
    t = _family_t(len(exact))
    for k, p in enumerate(exact):
        x = occ[(occ.pool == pool) & (occ.occupied == k)]["fraction"].to_numpy()
        half = t * x.std(ddof=1) / np.sqrt(len(x))
        assert abs(x.mean() - p) <= half + 1e-4, (pool, k, x.mean(), p, half)


def test_occupancy_of_an_isolated_loss_unit_is_truncated_poisson():
    sc = critical_care_network({"a": (8, 1.5)}, EXP, {"when_full": "refuse"}, horizon="5100 days")
    res = sim.run(sc, reps=REPS, seed=34, n_jobs=2)
    _occupancy_matches(res, "a/critical_care", 8, 6.0)


def test_occupancy_of_the_pooled_network_is_truncated_poisson():
    units = {"a": (6, 1.0), "b": (8, 1.5)}
    sc = critical_care_network(
        units, EXP, {"when_full": "transfer", "pooled": True}, horizon="5100 days"
    )
    res = sim.run(sc, reps=REPS, seed=35, n_jobs=2)
    _occupancy_matches(res, "network/critical_care", 14, 10.0)


# -- mechanisms -----------------------------------------------------------------------------
def _kpi(r: sim.ReplicationResult, name: str, site: str = "") -> float:
    return next(v for k, s, v in r.kpis if k == name and s == site)


def test_overflow_goes_to_the_hub_first_and_comes_home():
    units = {"hub": (30, 3.0), "a": (6, 1.5), "b": (6, 1.5)}
    policy = {
        "when_full": "transfer",
        "transfer_to": "hub",
        "hub": "hub",
        "transfer_time": "1 hours",
    }
    r = sim.run_replication(
        critical_care_network(units, EXP, policy, horizon="400 days"), seed=3, events=True
    )
    moves = [e for e in r.events if e[1] == "cc_transferred"]
    assert len(moves) > 50
    from_small = [e for e in moves if e[4] in ("a", "b")]
    assert sum(e[3] == "hub" for e in from_small) > 0.9 * len(from_small)
    assert _kpi(r, "cc_repatriations", "a") + _kpi(r, "cc_repatriations", "b") > 20
    assert _kpi(r, "cc_transfer_hours") == pytest.approx(1.0)


def test_without_repatriation_nobody_comes_home():
    units = {"a": (6, 1.5), "b": (6, 1.0)}
    policy = {"when_full": "transfer", "repatriate": False}
    r = sim.run_replication(critical_care_network(units, EXP, policy, horizon="300 days"), seed=3)
    assert _kpi(r, "cc_transfers_out") > 10
    assert _kpi(r, "cc_repatriations") == 0


def test_scarce_retrieval_teams_add_waiting_to_transfers():
    units = {"a": (6, 2.0), "b": (40, 2.0)}
    base = {"when_full": "transfer", "transfer_time": "6 hours", "repatriate": False}
    many = critical_care_network(units, EXP, base, horizon="300 days")
    one = critical_care_network(units, EXP, {**base, "retrieval_teams": 1}, horizon="300 days")
    a = sim.run_replication(many, seed=4)
    b = sim.run_replication(one, seed=4)
    assert _kpi(a, "cc_transfer_hours") == pytest.approx(6.0)
    assert _kpi(b, "cc_transfer_hours") > 6.5


def test_reserved_beds_are_never_used_by_unplanned_patients(monkeypatch):
    from sim.model.critical_care import CriticalCareNetwork

    original = CriticalCareNetwork._hold
    seen = []

    def checked(self, unit, patient):
        original(self, unit, patient)
        seen.append(unit.unplanned_busy)
        assert unit.unplanned_busy <= unit.beds - unit.reserved

    monkeypatch.setattr(CriticalCareNetwork, "_hold", checked)
    sc = _surgical_cc(beds=6, reserved=2, unplanned_per_day=3.0)
    sim.run_replication(sc, seed=5)
    assert max(seen) == 4


def _surgical_cc(beds: int, reserved: int, unplanned_per_day: float, **extra) -> sim.Scenario:
    return small_elective(
        horizon="30 weeks",
        warm_up="4 weeks",
        **{
            "sites.a.critical_care": {
                "beds": beds,
                "elective_reserved": reserved,
                "length_of_stay": {"dist": "exponential", "mean": "3 days"},
                "admissions": {"per_day": unplanned_per_day},
            },
            "procedures.hip.critical_care": {
                "probability": 1.0,
                "length_of_stay": {"dist": "exponential", "mean": "2 days"},
            },
            "demand.referrals.b": {"scope": 6},
            **extra,
        },
    )


def test_surgery_needing_critical_care_is_cancelled_without_a_bed():
    busy = _surgical_cc(beds=6, reserved=0, unplanned_per_day=1.2)
    calm = _surgical_cc(beds=20, reserved=2, unplanned_per_day=0.5)
    r_busy = sim.run_replication(busy, seed=6, events=True)
    r_calm = sim.run_replication(calm, seed=6)
    assert _kpi(r_busy, "cancellations_no_cc_bed", "a") > 5
    assert _kpi(r_busy, "cc_booking_deferrals", "a") > 5
    assert _kpi(r_calm, "cancellations_no_cc_bed", "a") == 0
    assert _kpi(r_busy, "operations", "a") < _kpi(r_calm, "operations", "a")
    causes = {e[4] for e in r_busy.events if e[1] == "cancelled"}
    assert "no_cc_bed" in causes


def test_emergencies_and_deteriorating_ward_patients_need_critical_care():
    sc = small_elective(
        horizon="40 weeks",
        **{
            "sites.a.critical_care": {
                "beds": 10,
                "length_of_stay": {"dist": "exponential", "mean": "3 days"},
                "from_emergency_probability": 0.05,
                "deterioration_probability": 0.04,
            },
        },
    )
    model = sim.CollaborativeModel(sc, seed=7)
    model.run()
    model.check_conservation()
    em = model.emergencies["a"]
    direct = em.to_critical_care
    # no direct stream: every other unplanned critical care patient deteriorated on a ward
    worse = model.critical_care.tally["a"].unplanned_arrivals - direct
    # binomial share within 4 standard errors
    n = em.tally.emergency_arrivals
    assert abs(direct / n - 0.05) < 4 * np.sqrt(0.05 * 0.95 / n)
    admitted = em.tally.emergency_admissions
    assert abs(worse / admitted - 0.04) < 4 * np.sqrt(0.04 * 0.96 / admitted) + 0.01
    assert worse > 0


def test_conservation_failure_in_critical_care_is_caught(monkeypatch):
    from sim.model.critical_care import CriticalCareNetwork
    from sim.model.ledger import ConservationError

    original = CriticalCareNetwork._refuse_patient

    def lose(self, unit, patient):
        original(self, unit, patient)
        self.tally[patient.home].refusals -= 1  # a bookkeeping bug

    monkeypatch.setattr(CriticalCareNetwork, "_refuse_patient", lose)
    sc = critical_care_network(
        {"a": (3, 2.0)}, EXP, {"when_full": "refuse"}, horizon="60 days", warm_up="0 days"
    )
    with pytest.raises(ConservationError):
        sim.run_replication(sc, seed=1)


def test_shipped_nel_scenarios_show_the_pooling_benefit():
    base = sim.load_scenario("scenarios/nel_critical_care.yaml")
    hub = sim.load_scenario("scenarios/nel_critical_care_hub.yaml")
    cmp = sim.compare([base, hub], reps=4, seed=1, n_jobs=2)
    d = cmp.differences().set_index(["kpi", "site"])
    assert d.loc[("cc_refusals", ""), "diff_ci_high"] < 0
    assert d.loc[("cc_transfers_out", ""), "diff_ci_low"] > 0


def test_a_post_operative_bed_held_but_unused_is_free_again_at_once():
    """An operation cancelled after its critical care bed was held gives the bed back at
    once: nobody used it, so it needs no cleaning (turnaround)."""
    sc = _surgical_cc(beds=4, reserved=0, unplanned_per_day=0.1,
                      **{"sites.a.critical_care.turnaround": "5 hours"})  # fmt: skip
    model = sim.CollaborativeModel(sc, seed=8)
    model.run(until=3.3)
    cc = model.critical_care
    unit = cc.units["a"]
    before = unit.pool.busy
    bed = cc.admit_planned("a")
    assert unit.pool.busy == before + 1
    cc.release_planned(bed)
    assert unit.pool.busy == before  # no turnaround for an unused bed
    assert cc.network.busy == before
    model.run(until=3.5)
    model.check_conservation()


def test_emergency_patients_step_down_to_a_ward_bed_after_critical_care():
    """An emergency patient admitted straight to critical care moves to a general ward bed
    when the critical care stay ends, for the ward stay drawn on arrival."""
    sc = small_elective(
        horizon="16 weeks",
        warm_up="0 days",
        **{
            "sites.a.critical_care": {
                "beds": 40,
                "length_of_stay": {"dist": "exponential", "mean": "2 days"},
                "from_emergency_probability": 1.0,
            },
        },
    )
    model = sim.CollaborativeModel(sc, seed=9, log_events=True)
    model.run()
    model.check_conservation()
    em = model.emergencies["a"]
    cc = model.critical_care.units["a"]
    assert em.tally.emergency_admissions == 0  # nobody goes to a ward bed first
    assert em.to_critical_care == em.tally.emergency_arrivals > 300
    # everyone whose critical care stay ended is in (or waiting for, or done with) a ward bed
    assert em.stepped_down + em.step_down_waiting == em.to_critical_care - len(cc.patients)
    steps = [e for e in model.ledger.events if e[1] == "emergency_stepped_down"]
    assert len(steps) == em.stepped_down > 300
    # their ward stays fill general beds: about 5 a day for a mean of 6 days
    in_beds = model.beds["a"].general.busy
    assert in_beds >= 20
