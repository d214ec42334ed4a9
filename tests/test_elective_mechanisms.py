"""Mechanisms of issue 11 (elective part), each with a test that fails without it: waiting
for a bed on the day, discharges by hour, session templates, leaving the list after a
cancellation, several named emergency streams, and the NHS's reporting KPIs."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
import simpy
import yaml
from builders import small_elective
from scipy import stats

import sim
from sim.analytic import erlang_b
from sim.experiment.stats import mean_ci
from sim.metrics import kpi_rows
from sim.model.elective import ElectivePathway
from sim.model.ledger import Ledger
from sim.model.patient import Patient
from sim.model.streams import Streams
from sim.model.theatre import SessionSlot, Theatre
from sim.model.waiting_list import WaitingList, priority_then_wait
from sim.model.wards import DischargeHours, WardBeds
from sim.scenario.wards import Beds, WaitForBed

WEEKDAYS5 = ["Mon", "Tue", "Wed", "Thu", "Fri"]
#: Most discharges in the afternoon, none at night (relative weights by hour).
AFTERNOON = [0] * 8 + [0.2, 0.5, 1, 2, 3, 4, 4, 3, 2, 1, 0.5, 0.3, 0.2, 0, 0, 0]


def _kpis(r: sim.ReplicationResult, site: str = "") -> dict[str, float]:
    return {k: v for k, s, v in r.kpis if s == site}


def hub_data(wait: dict | None = None, **policies) -> dict:
    """A ring-fenced hub short of beds: 16 beds for two all-day theatres of joints, with
    discharges in the afternoon, so morning admissions often find the ward full."""
    data = {
        "name": "bed-short hub",
        "horizon": "20 weeks",
        "warm_up": "3 weeks",
        "trusts": {"T": {"name": "T"}},
        "sites": {
            "h": {
                "trust": "T",
                "beds": {"elective": 16, "discharge_profile": AFTERNOON},
                "theatres": {
                    "t": {
                        "count": 2,
                        "sessions": [{"days": WEEKDAYS5, "slot": "all_day", "specialty": "ortho"}],
                    }
                },
            }
        },
        "procedures": {
            "hip": {
                "specialty": "ortho",
                "duration": {"dist": "lognormal", "mean": "90 min", "sd": "15 min"},
                "planned_duration": "100 min",
                "length_of_stay": {"dist": "lognormal", "mean": "3 days", "sd": "1.5 days"},
            },
            "knee": {
                "specialty": "ortho",
                "duration": {"dist": "lognormal", "mean": "80 min", "sd": "15 min"},
                "planned_duration": "90 min",
                "length_of_stay": {"dist": "lognormal", "mean": "2 days", "sd": "1 days"},
            },
        },
        "demand": {
            "priority_mix": {"P2": 0.3, "P4": 0.7},
            "referrals": {"h": {"hip": 25, "knee": 25}},
        },
        "initial_waiting_list": {
            "lists": {
                "h": {
                    "hip": {"size": 300, "wait_age": "10 weeks"},
                    "knee": {"size": 300, "wait_age": "10 weeks"},
                }
            }
        },
        "policies": {"theatre_day": {"turnover": "15 min"}, **policies},
    }
    if wait is not None:
        data["policies"]["wait_for_bed"] = wait
    return data


def hub(wait: dict | None = None, **policies) -> sim.Scenario:
    return sim.validate_scenario(hub_data(wait, **policies))


# -- 1. waiting for a bed on the day ------------------------------------------------------
def test_waiting_for_a_bed_raises_throughput_on_a_bed_short_hub():
    """Paired on common random numbers: the same patients, cancelled at once for want of a
    bed, or waiting until 13:00 for a bed freed that morning."""
    reps = 6
    at_once = sim.run(hub(), reps=reps, seed=3, n_jobs=2)
    waiting = sim.run(hub({"until": "13 hours"}), reps=reps, seed=3, n_jobs=2)

    def per_rep(res: sim.Results, kpi: str) -> np.ndarray:
        r = res.replications
        return r[(r.site == "") & (r.kpi == kpi)].sort_values("rep")["value"].to_numpy()

    gain = per_rep(waiting, "operations") - per_rep(at_once, "operations")
    _m, _sd, low, _high, _n = mean_ci(gain)
    assert low > 0, gain
    fewer = per_rep(at_once, "cancellations_no_bed") - per_rep(waiting, "cancellations_no_bed")
    assert mean_ci(fewer)[2] > 0
    waited = per_rep(waiting, "electives_waited_for_bed")
    got = per_rep(waiting, "electives_bed_after_wait")
    hours = per_rep(waiting, "elective_bed_wait_hours")
    assert (waited > 0).all() and (got > 0).all() and (got <= waited).all()
    assert ((hours > 0) & (hours <= 5.0 + 1e-9)).all()  # admitted 08:00, cut-off 13:00
    assert "electives_waited_for_bed" not in set(at_once.replications.kpi)


def _lounge_run(order: str, monkeypatch, seed: int = 5):
    """One run of the hub with a lounge, its event log, and each patient's priority."""
    # Lists booked by wait alone mix priorities, so list order is not priority order.
    sc = hub({"until": "14 hours", "order": order}, booking={"order": "longest_wait"})
    priority: dict[int, int] = {}
    original = ElectivePathway.refer

    def refer(self, *args, **kwargs):
        p = original(self, *args, **kwargs)
        priority[p.pid] = p.priority
        return p

    monkeypatch.setattr(ElectivePathway, "refer", refer)
    model = sim.CollaborativeModel(sc, seed=seed, log_events=True)
    model.run()
    model.check_conservation()
    return sc, model.ledger.events, priority


@pytest.mark.parametrize("order", ["list_order", "shortest_stay", "priority"])
def test_a_freed_bed_goes_to_the_first_waiting_patient_in_the_stated_order(order, monkeypatch):
    sc, events, priority = _lounge_run(order, monkeypatch)
    procedure = {e.patient: e.detail for e in events if e.event == "referred"}
    stay = {k: p.length_of_stay.mean for k, p in sc.procedures.items()}
    booked_at: dict[int, tuple[float, int]] = {}
    waiting: dict[int, tuple] = {}  # pid -> key among waiting electives
    seq = 0
    checked = 0
    for e in events:
        if e.event == "booked":
            seq += 1
            booked_at[e.patient] = seq  # lists are booked, and admitted, in list order
        elif e.event == "waiting_for_bed":
            head = {"list_order": (), "shortest_stay": (stay[procedure[e.patient]],),
                    "priority": (priority[e.patient],)}[order]  # fmt: skip
            waiting[e.patient] = (*head, e.day, booked_at[e.patient])
        elif e.event == "admitted" and e.patient in waiting:
            mine = waiting.pop(e.patient)
            assert all(mine <= other for other in waiting.values()), (e, mine, waiting)
            checked += 1
        elif e.event == "cancelled" and e.patient in waiting:
            assert e.detail == "no_bed"
            del waiting[e.patient]
    assert checked > 30  # enough beds were handed out in the lounge to mean something


def _ward(freed_beds: str, env: simpy.Environment) -> WardBeds:
    ledger = Ledger(["s"], 0.0)
    policy = WaitForBed(until="20 hours", freed_beds=freed_beds)
    beds = Beds(general=1)
    return WardBeds(env, "s", beds, True, True, ledger, wait_for_bed=policy, streams=Streams(1, 0))


@pytest.mark.parametrize(
    ("freed_beds", "elective_since", "winner"),
    [
        ("emergencies_first", 0.1, "emergency"),
        ("electives_first", 0.3, "elective"),
        ("first_come_first_served", 0.1, "elective"),
        ("first_come_first_served", 0.3, "emergency"),
    ],
)
def test_who_takes_a_freed_bed_follows_the_freed_beds_rule(freed_beds, elective_since, winner):
    env = simpy.Environment()
    ward = _ward(freed_beds, env)
    pool = ward.admit_emergency()  # the only bed is taken
    got: list[str] = []

    def emergency():
        yield env.timeout(0.2)
        ward.wait_for_bed(lambda _pool: got.append("emergency"))

    def elective():
        yield env.timeout(elective_since)
        ward.wait_elective((), 0, lambda _pool: got.append("elective"), lambda: None)

    def discharge():
        yield env.timeout(0.5)
        ward.discharge(pool)

    for proc in (emergency(), elective(), discharge()):
        env.process(proc)
    env.run(until=1.0)
    assert got == [winner]


def test_a_waiting_patient_is_cancelled_at_the_cut_off_and_the_wait_is_counted():
    env = simpy.Environment()
    ward = _ward("emergencies_first", env)
    ward.admit_emergency()
    cut: list[float] = []
    env.timeout(8 / 24).callbacks.append(
        lambda _e: ward.wait_elective((), 0, lambda _p: None, lambda: cut.append(env.now))
    )
    env.run(until=1.0)
    assert cut == [pytest.approx(20 / 24)]  # the cut-off: 20:00 on the day of surgery
    assert ward.tally.electives_waited_for_bed == 1
    assert ward.tally.electives_bed_after_wait == 0
    assert ward.tally.elective_bed_wait_days == pytest.approx(12 / 24)
    assert ward.lounge_waiting == 0


def test_discharges_follow_the_hourly_profile_on_the_day_the_stay_ends():
    u = Streams(2, 0).uniforms("test")
    hours = DischargeHours(AFTERNOON, u)
    rng = np.random.default_rng(7)
    admitted = rng.uniform(0, 100, 4000)
    los = rng.uniform(1, 6, 4000)
    left = np.array([a + hours.stay(a, s) for a, s in zip(admitted, los, strict=True)])
    assert (np.floor(left) == np.floor(admitted + los)).all()  # the stay sets the day
    counts = np.bincount(((left % 1) * 24).astype(int), minlength=24)
    expected = np.asarray(AFTERNOON) / sum(AFTERNOON) * len(left)
    assert (counts[expected == 0] == 0).all()
    keep = expected > 0
    assert stats.chisquare(counts[keep], expected[keep]).pvalue > 0.001
    # Never before admission: a short stay admitted at 15:00 leaves later that day ...
    same_day = [hours.stay(10 + 15 / 24, 0.1) for _ in range(500)]
    assert min(same_day) >= 0
    assert max(same_day) <= 9 / 24  # ... by midnight (nobody leaves after 21:00)
    # ... and one admitted after the last discharge hour leaves the next day.
    late = [10 + 22 / 24 + hours.stay(10 + 22 / 24, 0.05) for _ in range(200)]
    assert all(11 + 8 / 24 <= t < 11 + 21 / 24 for t in late)


def test_without_a_discharge_profile_stays_are_unchanged():
    env = simpy.Environment()
    ward = WardBeds(env, "s", Beds(general=3), True, True, Ledger(["s"], 0.0))
    assert ward.stay(2.345) == 2.345


def test_a_run_with_the_lounge_makes_no_cyclic_garbage(tmp_path: Path):
    path = tmp_path / "hub.yaml"
    data = hub_data({"max_wait": {"dist": "uniform", "low": "1 hours", "high": "6 hours"}})
    path.write_text(yaml.safe_dump(data))
    check = (
        "import gc, sys\nimport sim\nfrom sim.model.build import CollaborativeModel\n"
        "model = CollaborativeModel(sim.load_scenario(sys.argv[1]), seed=1, rep=0)\n"
        "model.step(30.0)\ngc.collect()\ngc.disable()\nmodel.run()\nprint(gc.collect())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", check, str(path)], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["0"]


# -- 2. session templates -----------------------------------------------------------------
def _patient(pid: int, procedure: str, referred: float) -> Patient:
    return Patient(pid, "h", procedure, 3, referred, False, 0.05, 1.0)


def test_a_template_books_its_procedures_in_list_order_within_the_lookahead():
    wl = WaitingList("h", "ortho", priority_then_wait, lambda: 0.0)
    kinds = ["scope", "scope", "hip", "scope", "hip", "knee", "hip"]
    for pid, kind in enumerate(kinds):
        wl.add(_patient(pid, kind, float(pid)))
    env = simpy.Environment()
    theatre = Theatre(env, "h", "t", [], lambda: 0.0, lambda: 0.0, 0.0, 0.0)
    mix = ((1.0, (("hip", 2),)),)
    slot = SessionSlot("h", "t", "ortho", frozenset({0}), 8 / 24, 4 / 24, templates=mix)
    booked, unfilled = theatre.book_cases(slot, wl, lookahead=4)
    # Passes over two scopes for hip 2, then one more for hip 4: the first two hips.
    assert [p.pid for p in booked] == [2, 4] and unfilled == 0
    assert [wl.pop().pid for _ in range(len(wl))] == [0, 1, 3, 5, 6]  # places kept
    for pid, kind in enumerate(kinds):
        wl.add(_patient(10 + pid, kind, float(pid)))
    booked, unfilled = theatre.book_cases(slot, wl, lookahead=3)
    assert [p.pid for p in booked] == [12] and unfilled == 1  # 3 passed over in all: stop
    assert len(wl) == 6


def _booked_per_session(events) -> dict[str, Counter]:
    procedure = {e.patient: e.detail for e in events if e.event == "referred"}
    out: dict[str, Counter] = defaultdict(Counter)
    for e in events:
        if e.event == "booked" and e.site == "a":
            out[e.detail][procedure[e.patient]] += 1
    return out


def test_a_session_template_fixes_each_list_by_count_not_minutes():
    sc = small_elective(
        horizon="16 weeks",
        warm_up="0 weeks",
        **{
            "sites.a.theatres": {
                "t1": {"sessions": [{"days": WEEKDAYS5, "slot": "AM", "specialty": "ortho",
                                     "cases": {"hip": 2, "scope": 1}}]},
                "t2": {"sessions": [{"days": WEEKDAYS5, "slot": "PM", "specialty": "ortho",
                                     "cases": 3}]},
            },
            "initial_waiting_list.lists.a.scope": {"size": 150, "wait_age": "15 weeks"},
            "policies.booking.lookahead": 1000,  # look past the other procedure's patients
        },
    )  # fmt: skip
    r = sim.run_replication(sc, seed=2, events=True)
    sessions = _booked_per_session(r.events)
    am = [c for session, c in sessions.items() if session.startswith("t1 ")]
    pm = [c for session, c in sessions.items() if session.startswith("t2 ")]
    assert len(am) > 70 and len(pm) > 70
    # 2 hips (2 x 100 min) and a scope in each morning; 3 cases of any kind in the
    # afternoon, even 3 hips (300 planned minutes) that booking by minutes would refuse.
    assert all(c == Counter(hip=2, scope=1) for c in am)
    assert all(sum(c.values()) == 3 for c in pm)
    assert any(c["hip"] == 3 for c in pm)
    k = _kpis(r)
    assert k["template_places_unfilled"] == 0 and k["template_fill_pct"] == 100.0


def test_template_alternatives_are_drawn_per_session_with_their_probabilities():
    sc = small_elective(
        horizon="60 weeks",
        warm_up="0 weeks",
        **{
            "sites.a.theatres.t1.sessions": [
                {"days": WEEKDAYS5, "slot": "all_day", "specialty": "ortho",
                 "cases": [{"p": 0.3, "cases": {"hip": 1}}, {"p": 0.7, "cases": {"scope": 4}}]},
            ],
            "initial_waiting_list.lists.a.scope": {"size": 600, "wait_age": "15 weeks"},
            "initial_waiting_list.lists.a.hip.size": 600,
            "policies.booking.lookahead": 1000,
        },
    )  # fmt: skip
    r = sim.run_replication(sc, seed=4, events=True)
    sessions = list(_booked_per_session(r.events).values())
    hips = sum(1 for c in sessions if c == Counter(hip=1))
    scopes = sum(1 for c in sessions if c == Counter(scope=4))
    assert hips + scopes == len(sessions) > 250
    assert stats.binomtest(hips, len(sessions), 0.3).pvalue > 0.001


# -- 3. leaving the list after a cancellation ---------------------------------------------
def test_on_cancellation_leave_ends_the_pathway_and_the_books_balance():
    sc = small_elective(
        horizon="30 weeks", warm_up="0 weeks", **{"policies.on_cancellation": "leave"}
    )
    r = sim.run_replication(sc, seed=6, events=True)
    cancelled = [e.patient for e in r.events if e.event == "cancelled"]
    left = [e.patient for e in r.events if e.event == "left"]
    assert len(cancelled) > 20 and sorted(left) == sorted(cancelled)
    cancelled_at = {e.patient: e.day for e in r.events if e.event == "cancelled"}
    again = [
        e for e in r.events if e.event == "booked" and e.day > cancelled_at.get(e.patient, 1e9)
    ]
    assert not again  # never rebooked
    k = _kpis(r)
    assert k["left_after_cancellation"] == k["lost_slots"] == len(cancelled)
    i = r.info
    assert i["referred_total"] == (
        i["treated_total"] + i["removed_total"] + i["left_total"] + i["still_waiting"]
    )
    back = sim.run_replication(small_elective(horizon="30 weeks", warm_up="0 weeks"), seed=6)
    assert "left_after_cancellation" not in _kpis(back)
    assert back.info["left_total"] == 0


# -- 4. several named emergency streams ---------------------------------------------------
def test_each_emergency_stream_is_refused_with_erlang_b_at_the_total_load():
    """Two Poisson sources (A&E and GP, different stays) into one loss ward: by PASTA each
    source sees the whole ward, so each is diverted with Erlang B at the total load."""
    sc = sim.validate_scenario(
        {
            "name": "two streams",
            "horizon": "1100 days",
            "warm_up": "100 days",
            "trusts": {"T": {"name": "T"}},
            "sites": {
                "s": {
                    "trust": "T",
                    "beds": {"general": 10},
                    "emergency": {
                        "when_full": "divert",
                        "streams": {
                            "ae": {"admissions_per_day": 1.5,
                                   "length_of_stay": {"dist": "exponential", "mean": "4 days"}},
                            "gp": {"admissions_per_day": 0.5,
                                   "length_of_stay": {"dist": "lognormal", "mean": "4 days",
                                                      "sd": "6 days"}},
                        },
                    },
                }
            },
        }
    )  # fmt: skip
    res = sim.run(sc, reps=20, seed=5, n_jobs=2)
    reps = res.replications
    net = reps[reps.site == ""].pivot(index="rep", columns="kpi", values="value")
    exact = erlang_b(10, 8.0)
    for source in ("ae", "gp"):
        share = net[f"emergency_diverted_{source}"] / net[f"emergency_arrivals_{source}"]
        _m, _sd, low, high, _n = mean_ci(share.to_numpy())
        assert low <= exact <= high, (source, low, high)
        assert high - low < 0.05
    assert exact > 2 * erlang_b(10, 6.0)  # a source alone would see far fewer refusals
    for kpi in ("arrivals", "admissions", "diverted"):
        parts = net[f"emergency_{kpi}_ae"] + net[f"emergency_{kpi}_gp"]
        assert (parts == net[f"emergency_{kpi}"]).all()


def test_a_single_emergency_stream_reports_no_sources():
    r = sim.run_replication(small_elective(horizon="10 weeks"), seed=1)
    assert not [k for k, _s, _v in r.kpis if k.startswith("emergency_arrivals_")]


# -- 5. KPIs the NHS reports -------------------------------------------------------------
def test_midnight_occupancy_counts_beds_at_midnight_not_the_time_average():
    """One patient a day at 22:00 staying 4 hours in 5 beds: at midnight 1 bed of 5 is
    occupied (KH03: 20%), while over the day beds are in use 4/24/5 of the time."""
    sc = sim.validate_scenario(
        {
            "name": "night",
            "horizon": "50 days",
            "warm_up": "5 days",
            "trusts": {"T": {"name": "T"}},
            "sites": {
                "s": {
                    "trust": "T",
                    "beds": {"general": 5},
                    "emergency": {
                        "schedule": {"times": ["22 hours"]},
                        "length_of_stay": "4 hours",
                    },
                }
            },
        }
    )
    k = _kpis(sim.run_replication(sc, seed=1))
    assert k["bed_occupancy_midnight"] == pytest.approx(0.2)
    assert k["ward_occupancy"] == pytest.approx(4 / 24 / 5)


def test_long_wait_lost_slot_and_per_procedure_kpis_add_up():
    old = {"dist": "uniform", "low": "20 weeks", "high": "110 weeks"}
    sc = small_elective(
        horizon="30 weeks", **{"initial_waiting_list.lists.a.hip": {"size": 800, "wait_age": old}}
    )
    model = sim.CollaborativeModel(sc, seed=8, log_events=True)
    model.run()
    ledger = model.close()
    rows = kpi_rows(ledger)
    for site in ("a", "b", ""):
        k = {name: v for name, s, v in rows if s == site}
        weeks = np.array(
            [(model.now - p.referral_time) / 7 for p in model.elective.pathway.values()
             if site in ("", p.home)]
        )  # fmt: skip
        for n in (52, 65, 78, 104):
            assert k[f"over_{n}_weeks_end"] == (weeks > n).sum()
        assert k["over_104_weeks_end"] <= k["over_78_weeks_end"] <= k["over_65_weeks_end"]
        procs = list(sc.procedures)
        for family, total in (("operations_of", "operations"),
                              ("cancellations_on_the_day_of", "cancellations_on_the_day"),
                              ("waiting_list_end_of", "waiting_list_end")):  # fmt: skip
            assert sum(k[f"{family}_{p}"] for p in procs) == k[total], (site, family)
        causes = [c for c in k if c.startswith("cancellations_") and "_of_" not in c]
        causes.remove("cancellations_on_the_day")
        assert k["lost_slots"] == sum(k[c] for c in causes)
    assert k["over_65_weeks_end"] > 0
    measured = [e for e in ledger.events if e.event == "cancelled" and e.day >= sc.warm_up]
    assert k["lost_slots"] == len(measured)
