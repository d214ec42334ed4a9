"""The mechanisms that decide the answer: beds, ring-fencing, cancellations, booking order,
and the books of every replication (conservation, Little's law)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from builders import small_elective

import sim
from sim.experiment.stats import mean_ci
from sim.model.ledger import ConservationError


def _kpi(result: sim.ReplicationResult, name: str, site: str = "") -> float:
    return next(v for k, s, v in result.kpis if k == name and s == site)


# -- bookkeeping -----------------------------------------------------------------------------
def test_pathway_area_equals_the_sum_of_individual_waits():
    """Little's law as an identity: the area under the list equals the time each patient spent."""
    sc = small_elective(warm_up="0 weeks", horizon="30 weeks")
    model = sim.CollaborativeModel(sc, seed=4, rep=0, log_events=True)
    model.run()
    entered, total = {}, 0.0
    for t, event, pid, _site, _detail in model.ledger.events:
        if event == "referred":
            entered[pid] = t
        elif event in ("operated", "removed"):
            total += t - entered.pop(pid)
    total += sum(model.now - t for t in entered.values())
    assert len(entered) == len(model.elective.pathway)
    assert model.elective.pathway_area == pytest.approx(total, rel=1e-9)


def test_littles_law_in_steady_state():
    """Time-average list L = referral rate x mean time waiting W, within the 95% CI."""
    sc = small_elective(
        horizon="400 weeks",
        warm_up="100 weeks",
        demand__removal_per_year=0.0,
        demand__patient_cancellation_probability=0.0,
    )
    res = sim.run(sc, reps=10, seed=21, n_jobs=2)
    reps = res.replications
    net = reps[reps.site == ""].pivot(index="rep", columns="kpi", values="value")
    span = 300 * 7.0
    lam = net["referrals"] / span
    waits = res.treated.groupby("rep")["wait_days"].mean()
    ratio = (net["mean_waiting_list"] / (lam * waits)).to_numpy()
    _mean, _sd, low, high, _n = mean_ci(ratio)
    assert low <= 1.0 <= high, (low, high)
    assert high - low < 0.1


def test_a_broken_book_is_caught_and_reported_with_its_seed(monkeypatch):
    from sim.model.elective import ElectivePathway

    original = ElectivePathway.operated

    def lose_a_patient(self, p, site, pool):
        original(self, p, site, pool)
        self.treated_total -= 1  # simulate a bookkeeping bug

    monkeypatch.setattr(ElectivePathway, "operated", lose_a_patient)
    sc = small_elective(horizon="10 weeks", warm_up="0 weeks")
    with pytest.raises(ConservationError):
        sim.run_replication(sc, seed=1)
    with pytest.raises(sim.ReplicationError) as err:
        sim.run(sc, reps=2, seed=9)
    assert {f.rep for f in err.value.failures} == {0, 1}
    assert all(f.seed == 9 and "ConservationError" in f.error for f in err.value.failures)
    assert "seed 9" in str(err.value)


# -- beds ---------------------------------------------------------------------------------
def _crowded(ring_fenced: bool) -> sim.Scenario:
    """Emergencies (load 30 Erlangs) swamp 20 general beds; 6 elective beds exist."""
    return small_elective(
        horizon="20 weeks",
        warm_up="2 weeks",
        **{
            "sites.a.beds": {"general": 20, "elective": 6},
            "sites.a.emergency.admissions_per_day": 5,
            "policies.ring_fence_elective_beds": ring_fenced,
        },
    )


def test_ring_fenced_beds_are_never_given_to_emergencies():
    res = sim.run(_crowded(True), reps=1, seed=2, events=True).events
    emergency_beds = res[res.event == "emergency_admitted"]["detail"]
    assert (emergency_beds == "a/general").all()
    assert len(emergency_beds) > 100


def test_without_ring_fence_emergencies_take_elective_beds():
    fenced = sim.run_replication(_crowded(True), seed=2, events=True)
    open_ = sim.run_replication(_crowded(False), seed=2, events=True)
    details = [e[4] for e in open_.events if e[1] == "emergency_admitted"]
    assert "a/elective" in details
    assert _kpi(open_, "cancellations_no_bed", "a") > _kpi(fenced, "cancellations_no_bed", "a")


def test_no_free_bed_cancels_inpatients_but_not_day_cases():
    sc = small_elective(
        horizon="12 weeks",
        warm_up="2 weeks",
        **{
            "sites.a.beds": {"general": 3},
            "sites.a.emergency.admissions_per_day": 20,
            "sites.a.emergency.when_full": "divert",
            "procedures.scope.day_case_probability": 1.0,
        },
    )
    r = sim.run_replication(sc, seed=3, events=True)
    procedure = {e[2]: e[4] for e in r.events if e[1] == "referred"}
    no_bed = [e for e in r.events if e[1] == "cancelled" and e[4] == "no_bed"]
    ops = [e for e in r.events if e[1] == "operated" and e[3] == "a"]
    hips = sum(1 for e in ops if e[4] == "hip")
    scopes = sum(1 for e in ops if e[4] == "scope")
    assert len(no_bed) > 10 * max(hips, 1)  # hips nearly always find the beds full ...
    assert all(procedure[e[2]] == "hip" for e in no_bed)  # ... day cases never need one
    # With only day cases on the list, the full wards stop nothing.
    only_scopes = small_elective(
        horizon="12 weeks",
        warm_up="2 weeks",
        **{
            "sites.a.beds": {"general": 3},
            "sites.a.emergency.admissions_per_day": 20,
            "sites.a.emergency.when_full": "divert",
            "procedures.scope.day_case_probability": 1.0,
            "demand.referrals.a": {"scope": 10},
            "initial_waiting_list.lists": {},
        },
    )
    r = sim.run_replication(only_scopes, seed=3)
    assert _kpi(r, "cancellations_no_bed", "a") == 0
    assert _kpi(r, "operations", "a") > 50 + scopes


def test_more_emergency_pressure_means_more_cancellations_for_want_of_a_bed():
    calm = small_elective(**{"sites.a.emergency.admissions_per_day": 3})
    busy = small_elective(**{"sites.a.emergency.admissions_per_day": 5.5})
    diffs = []
    for rep in range(4):
        a = sim.run_replication(calm, seed=8, rep=rep)
        b = sim.run_replication(busy, seed=8, rep=rep)
        diffs.append(_kpi(b, "cancellations_no_bed", "a") - _kpi(a, "cancellations_no_bed", "a"))
    assert min(diffs) > 0


def test_hubs_cut_cancellations_for_want_of_a_bed(status_quo, hubs):
    """The Black Country plan's mechanism: ring-fenced hub beds, fewer no-bed cancellations."""
    a = sim.run(status_quo, reps=6, seed=1, n_jobs=2).replications
    b = sim.run(hubs, reps=6, seed=1, n_jobs=2).replications

    def paired(kpi: str) -> np.ndarray:
        x = a[(a.kpi == kpi) & (a.site == "")].set_index("rep")["value"]
        y = b[(b.kpi == kpi) & (b.site == "")].set_index("rep")["value"]
        return (y - x).to_numpy()

    _m, _sd, low, high, _n = mean_ci(paired("cancellations_no_bed"))
    assert high < 0, (low, high)
    # trauma waits less for a bed once electives leave the acute T&O wards
    _m, _sd, low, high, _n = mean_ci(paired("emergency_bed_wait_hours"))
    assert high < 0, (low, high)


# -- theatre day ------------------------------------------------------------------------------
def test_late_starts_cause_no_theatre_time_cancellations():
    on_time = sim.run_replication(small_elective(), seed=5)
    late = sim.run_replication(
        small_elective(**{"policies.theatre_day.late_start": "3 hours"}), seed=5
    )
    assert (
        _kpi(late, "cancellations_no_theatre_time")
        > _kpi(on_time, "cancellations_no_theatre_time") + 50
    )
    assert _kpi(late, "operations") < _kpi(on_time, "operations")


def test_cases_longer_than_planned_cause_overrun_cancellations():
    slow = small_elective(
        **{"procedures.hip.duration": {"dist": "lognormal", "mean": "150 min", "sd": "30 min"}}
    )
    r = sim.run_replication(slow, seed=5)
    assert _kpi(r, "cancellations_overrun") > 50


def test_cancelled_patients_keep_their_original_wait():
    sc = _crowded(True)
    model = sim.CollaborativeModel(sc, seed=6, rep=0, log_events=True)
    model.run()
    referred, cancelled, operated = {}, set(), {}
    for t, event, pid, _s, _d in model.ledger.events:
        if event == "referred":
            referred[pid] = t
        elif event == "cancelled":
            cancelled.add(pid)
        elif event == "operated":
            operated[pid] = t
    ops = model.ledger.operations
    waits = {round(t, 9): w for t, w in zip(ops.day, ops.wait_days, strict=True)}
    checked = 0
    for pid in cancelled & operated.keys():
        if referred[pid] > 0:  # referred during the run (backlog patients entered at time 0)
            assert waits[round(operated[pid], 9)] == pytest.approx(operated[pid] - referred[pid])
            checked += 1
    assert checked > 10


# -- booking ----------------------------------------------------------------------------------
def test_urgent_patients_are_treated_sooner():
    res = sim.run(small_elective(), reps=2, seed=3)
    med = res.treated.groupby("priority", observed=True)["wait_weeks"].median()
    assert med["P2"] < med["P3"] < med["P4"]


def test_referrals_arrive_on_working_days_only():
    r = sim.run_replication(small_elective(horizon="10 weeks"), seed=2, events=True)
    start = small_elective().start_date
    import datetime as dt

    days = {
        (start + dt.timedelta(days=math.floor(e[0]))).weekday()
        for e in r.events
        if e[1] == "referred" and e[0] > 0
    }
    assert days <= {0, 1, 2, 3, 4}


def test_no_removals_without_a_removal_rate():
    r = sim.run_replication(small_elective(demand__removal_per_year=0.0), seed=2)
    assert _kpi(r, "removed_from_list") == 0
    r = sim.run_replication(small_elective(demand__removal_per_year=0.3), seed=2)
    assert _kpi(r, "removed_from_list") > 0


@pytest.mark.parametrize("horizon", ["14 weeks", "100 days"])
def test_the_time_series_ends_at_the_horizon(horizon):
    """The last snapshot is the horizon itself (on the weekly grid or not), taken once."""
    sc = small_elective(horizon=horizon, warm_up="0 days")
    model = sim.CollaborativeModel(sc, seed=3)
    model.run(until=50)
    model.run()
    model.run()  # running again at the horizon adds nothing
    times = sorted({t for t, site, measure, _v in model.ledger.timeseries if site == ""})
    assert times[-1] == pytest.approx(sc.horizon)
    assert times[:2] == [0.0, 7.0]
    assert len(times) == len(set(times)) == math.ceil(sc.horizon / 7) + 1


def test_a_removal_due_while_booked_takes_effect_when_back_on_the_list():
    """A patient whose removal (validation) falls due while booked is not lost to it: if
    the operation is cancelled and they rejoin the list, they leave it then."""
    import heapq

    from sim.model.patient import BOOKED, REMOVED, WAITING

    model = sim.CollaborativeModel(small_elective(demand__removal_per_year=0.01), seed=4)
    model.run(until=20.5)
    waiting_list = model.elective.lists[("a", "ortho")]
    p = max(waiting_list.patients(), key=lambda q: (q.priority, q.referral_time))  # last
    waiting_list.remove(p)
    p.state = BOOKED  # booked onto a list ...
    model.elective._to_remove[p.pid] = p  # ... when removal falls due
    heapq.heappush(model.elective._removals, (model.now, p.pid))
    model.run(until=22.5)
    assert p.state == BOOKED  # a booked patient is not taken off
    waiting_list.add(p)  # cancelled on the day: back on the list, far from its top
    model.run(until=24.5)
    assert p.state == REMOVED and p.waiting_list is None
    assert p.pid not in model.elective.pathway
    assert all(q.state == WAITING for q in waiting_list.patients())
    model.check_conservation()
