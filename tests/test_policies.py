"""Collaboration policies: mutual aid, shared staff, consolidation routing, equity rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from builders import small_elective
from scipy import stats

import sim
from sim.experiment.stats import mean_ci
from sim.metrics.equity import concentration_index


def _kpis(r: sim.ReplicationResult, drop_prefix: tuple[str, ...] = ()) -> pd.DataFrame:
    df = pd.DataFrame(r.kpis, columns=["kpi", "site", "value"])
    return df[~df.kpi.str.startswith(drop_prefix)].reset_index(drop=True) if drop_prefix else df


def _kpi(r: sim.ReplicationResult, name: str, site: str = "") -> float:
    return next(v for k, s, v in r.kpis if k == name and s == site)


# -- mutual aid -------------------------------------------------------------------------------
AID = {"from_sites": ["a"], "to": ["b"], "every": "4 weeks", "waited_over": "4 weeks"}
MA_KPIS = ("mutual_aid_", "mean_extra_travel_km")


def _aid(**rule) -> sim.Scenario:
    return small_elective(**{"policies.mutual_aid": {"a_to_b": {**AID, **rule}}})


def test_mutual_aid_nobody_accepts_is_the_status_quo_exactly():
    base = sim.run_replication(small_elective(), seed=11)
    none = sim.run_replication(_aid(acceptance={"extra_km": [0], "probability": [0.0]}), seed=11)
    assert _kpi(none, "mutual_aid_offers") > 20
    assert _kpi(none, "mutual_aid_transfers") == 0
    pd.testing.assert_frame_equal(_kpis(base), _kpis(none, MA_KPIS))


def test_mutual_aid_everyone_accepts_and_every_eligible_patient_moves(monkeypatch):
    from sim.model.mutual_aid import MutualAidPolicy

    eligible_at_rounds: list[list] = []
    original = MutualAidPolicy.round

    def recording(self):
        eligible_at_rounds.append([p for p in self._eligible()])
        original(self)

    monkeypatch.setattr(MutualAidPolicy, "round", recording)
    sc = _aid(acceptance={"extra_km": [0], "probability": [1.0]}, only_to_shorter_lists=False)
    model = sim.CollaborativeModel(sc, seed=12)
    model.run()
    tally = model.mutual_aid[0].tally["a"]
    eligible = sum(len(e) for e in eligible_at_rounds)
    assert eligible > 50
    assert tally.mutual_aid_transfers == eligible == tally.mutual_aid_offers
    # every eligible patient now waits at (or was treated at) the receiving site
    for round_patients in eligible_at_rounds:
        assert all(p.site == "b" for p in round_patients)


def test_mutual_aid_capacity_per_round_is_respected():
    sc = _aid(
        acceptance={"extra_km": [0], "probability": [1.0]},
        only_to_shorter_lists=False,
        capacity_per_round=5,
    )
    r = sim.run_replication(sc, seed=13, events=True)
    moves = pd.DataFrame(
        [e for e in r.events if e[1] == "mutual_aid"],
        columns=["day", "event", "patient", "site", "detail"],
    )
    assert not moves.empty
    assert moves.groupby("day").size().max() <= 5


def test_acceptance_probability_is_honoured():
    sc = _aid(
        acceptance={"extra_km": [0], "probability": [0.6]},
        only_to_shorter_lists=False,
        waited_over="1 weeks",
    )
    offers, moves = 0.0, 0.0
    for rep in range(4):
        r = sim.run_replication(sc, seed=14, rep=rep)
        offers += _kpi(r, "mutual_aid_offers")
        moves += _kpi(r, "mutual_aid_transfers")
    share = moves / offers
    assert abs(share - 0.6) < 3 * np.sqrt(0.6 * 0.4 / offers), (share, offers)


def test_acceptance_falls_with_extra_travel():
    from sim.scenario.mutual_aid import Acceptance

    curve = Acceptance()  # domain default: 60% nearby, 50% at 193 km
    sc = _aid()
    model = sim.CollaborativeModel(sc, seed=1)
    policy = model.mutual_aid[0]
    assert policy.acceptance(0) == pytest.approx(0.6)
    assert policy.acceptance(96.5) == pytest.approx(0.55)
    assert policy.acceptance(1000) == pytest.approx(0.5)
    assert curve.probability == [0.6, 0.5]


def test_predicted_breach_widens_eligibility():
    strict = _aid(waited_over="30 weeks", acceptance={"extra_km": [0], "probability": [0.0]})
    predicted = _aid(
        waited_over="30 weeks",
        predicted_breach="6 weeks",
        acceptance={"extra_km": [0], "probability": [0.0]},
    )
    a = sim.run_replication(strict, seed=15)
    b = sim.run_replication(predicted, seed=15)
    assert _kpi(b, "mutual_aid_offers") > _kpi(a, "mutual_aid_offers")


# -- staff --------------------------------------------------------------------------------------
def _staffed(absence: float = 0.0, shared: str = "site", members: int = 1, **more) -> sim.Scenario:
    return small_elective(
        horizon="40 weeks",
        **{
            "staff": {
                "groups": {
                    "surgeons": {
                        "members": {"a": members, "b": members},
                        "sickness_absence": absence,
                        "shared": shared,
                        **more,
                    }
                },
                "needs": {"default": {"surgeons": 1}},
            }
        },
    )


def test_full_rosters_without_sickness_lose_no_session():
    base = sim.run_replication(small_elective(horizon="40 weeks"), seed=21)
    staffed = sim.run_replication(_staffed(), seed=21)
    assert _kpi(staffed, "sessions_lost_no_staff") == 0
    assert 0 < _kpi(staffed, "staff_utilisation_surgeons") <= 1
    pd.testing.assert_frame_equal(
        _kpis(base), _kpis(staffed, ("sessions_lost", "cancellations_no_staff", "staff_"))
    )


def test_lost_sessions_match_the_absence_probability():
    """One surgeon per site, one needed per list: a list is lost exactly when they are off."""
    p = 0.1
    fractions = []
    for rep in range(12):
        r = sim.run_replication(_staffed(absence=p), seed=22, rep=rep)
        lost = _kpi(r, "sessions_lost_no_staff")
        fractions.append(lost / (lost + _kpi(r, "sessions")))
    mean, _sd, low, high, _n = mean_ci(np.array(fractions))
    assert low <= p <= high, (mean, low, high)
    assert high - low < 0.05


def test_a_shared_pool_loses_fewer_sessions_than_pools_held_per_site():
    diffs = []
    for rep in range(5):
        own = sim.run_replication(_staffed(absence=0.15, members=2), seed=23, rep=rep)
        pool = sim.run_replication(
            _staffed(absence=0.15, members=2, shared="collaborative", travel="30 min"),
            seed=23,
            rep=rep,
        )
        diffs.append(_kpi(pool, "sessions_lost_no_staff") - _kpi(own, "sessions_lost_no_staff"))
    assert max(diffs) <= 0 and min(diffs) < 0


def test_sessions_outside_the_roster_are_lost():
    sc = _staffed(days=["Mon", "Tue", "Wed", "Thu"])  # site a operates Mon-Fri
    r = sim.run_replication(sc, seed=24)
    weeks = (
        40 - 8
    ) * 1  # Fridays after the warm-up at site a (b has no Friday lists... it does: Fri)
    assert _kpi(r, "sessions_lost_no_staff", "a") >= weeks - 1


# -- consolidation ------------------------------------------------------------------------------
def test_complex_cases_go_to_named_centres_and_keep_their_home_site():
    sc = small_elective(
        **{
            "procedures.hip.complexity": "complex",
            "policies.routing": [{"complexity": ["complex"], "to": ["b"]}],
        }
    )
    r = sim.run_replication(sc, seed=25, events=True)
    ops = [e for e in r.events if e[1] == "operated"]
    assert {e[3] for e in ops if e[4] == "hip" and e[0] > 0} == {"b"}
    assert {e[3] for e in ops if e[4] == "scope"} == {"a", "b"}
    assert _kpi(r, "referrals", "a") > 0  # referrals still counted at their home site


# -- equity ---------------------------------------------------------------------------------------
EQUAL_MIX = {1: 0.2, 2: 0.2, 3: 0.2, 4: 0.2, 5: 0.2}


def _equity(**changes) -> sim.Scenario:
    """Hips wait on a congested list and come mostly from quintile 1; day-case scopes, on
    their own uncongested list, come mostly from quintile 5: a gap by construction."""
    week = ["Mon", "Tue", "Wed", "Thu", "Fri"]
    return small_elective(
        horizon="80 weeks",
        warm_up="20 weeks",
        **{
            "procedures.scope.specialty": "minor",
            "sites.a.theatres": {
                "t1": {"sessions": [{"days": week[:3], "slot": "all_day", "specialty": "ortho"}]},
                "t2": {"sessions": [{"days": week[3:], "slot": "all_day", "specialty": "minor"}]},
            },
            "sites.b.theatres.t2": {
                "sessions": [{"days": ["Tue"], "slot": "all_day", "specialty": "minor"}]
            },
            "demand.referrals.a.hip": {"per_week": 11, "quintile_mix": {1: 0.6, 3: 0.2, 5: 0.2}},
            "demand.referrals.a.scope": {"per_week": 10, "quintile_mix": {1: 0.2, 3: 0.2, 5: 0.6}},
            "demand.quintile_mix": EQUAL_MIX,
            **changes,
        },
    )


def _paired(a: sim.Results, b: sim.Results, kpi: str) -> np.ndarray:
    def values(res: sim.Results) -> pd.Series:
        r = res.replications
        return r[(r.kpi == kpi) & (r.site == "")].set_index("rep")["value"]

    return (values(b) - values(a)).to_numpy()


def test_equal_demand_and_capacity_per_quintile_gives_no_gap():
    sc = small_elective(
        horizon="80 weeks", warm_up="20 weeks", **{"demand.quintile_mix": EQUAL_MIX}
    )
    res = sim.run(sc, reps=10, seed=26, n_jobs=2)
    row = res.kpi("wait_gap_q1_q5_weeks")
    assert row.ci_low <= 0 <= row.ci_high, (row.mean, row.ci_low, row.ci_high)


def test_equity_rule_narrows_the_gap_without_losing_throughput():
    base = _equity()
    rule = _equity(
        **{
            "policies.booking.order": "deprivation_weighted",
            "policies.booking.deprivation_credit": {1: "8 weeks", 2: "4 weeks"},
        }
    )
    a = sim.run(base, reps=10, seed=27, n_jobs=2)
    b = sim.run(rule, reps=10, seed=27, n_jobs=2)
    assert a.kpi("wait_gap_q1_q5_weeks").ci_low > 0  # a real gap to start from
    gap = _paired(a, b, "wait_gap_q1_q5_weeks")
    _m, _sd, low, high, _n = mean_ci(gap)
    assert high < 0, (low, high)
    ops = _paired(a, b, "operations")
    _m, _sd, low, high, _n = mean_ci(ops)
    base_ops = a.kpi("operations").mean
    assert low <= 0 <= high or abs(_m) < 0.01 * base_ops, (low, high)


def test_quintile1_long_waiters_first_rule_moves_them_up():
    rule = _equity(
        **{
            "policies.booking.order": "quintile1_long_waiters_first",
            "policies.booking.quintile1_after": "6 weeks",
        }
    )
    a = sim.run(_equity(), reps=6, seed=28, n_jobs=2)
    b = sim.run(rule, reps=6, seed=28, n_jobs=2)
    diff = _paired(a, b, "p92_wait_weeks_q1")
    _m, _sd, low, high, _n = mean_ci(diff)
    assert high < 0, (low, high)


def test_escalation_rescoring_while_waiting():
    sc = small_elective(**{"policies.escalation": [{"after": "6 weeks", "to": "P2"}]})
    model = sim.CollaborativeModel(sc, seed=29)
    model.run()
    now = model.now
    for p in model.elective.pathway.values():
        if now - p.referral_time > 6 * 7 + 1:
            assert p.priority <= 1  # P2 or more urgent
    ops = model.ledger.operations  # priority when operated on
    late = [rank for rank, wait in zip(ops.priority, ops.wait_days, strict=True) if wait > 43]
    assert len(late) > 20 and max(late) <= 1


def test_concentration_index_known_values():
    q = np.array([1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
    only_deprived = (q <= 2).astype(float)
    equal = np.ones(10)
    assert concentration_index(only_deprived, q) < -0.5
    assert concentration_index(equal, q) == pytest.approx(0.0, abs=1e-12)
    assert concentration_index(np.zeros(10), q) != concentration_index(np.zeros(10), q)  # NaN
    assert stats.spearmanr(q, only_deprived)[0] < 0


def test_predicted_wait_counts_patients_who_declined_as_still_ahead():
    """A patient who declined an earlier offer still waits in front of those behind them:
    their refusal must not shorten anyone's predicted wait."""
    sc = _aid(
        waited_over="200 weeks",
        predicted_breach="8 weeks",
        acceptance={"extra_km": [0], "probability": [0.0]},
        every="2 weeks",
    )
    model = sim.CollaborativeModel(sc, seed=16)
    model.run(until=111)  # rounds every 14 days: newly late patients since day 98
    policy = model.mutual_aid[0]
    declined = {p.pid for p in model.elective.pathway.values() if p.aid_offered}
    eligible = {p.pid for p in policy._eligible()}
    for pid in declined:
        model.elective.pathway[pid].aid_offered = False
    as_if_never_asked = {p.pid for p in policy._eligible()}
    assert declined and as_if_never_asked - declined
    assert eligible == as_if_never_asked - declined
