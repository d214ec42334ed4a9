"""Staffed critical care beds: a bed without a nurse cannot take a patient.

With level 3 patients only (one nurse each), no sickness and no turnaround, a unit with
``n`` nurses and more beds is an ``n``-server loss system: its refusals are Erlang B at
``n``, not at the bed count; level 2 patients (one nurse per two) make it ``2n`` servers.
Checks against exact values require the value inside the 95% CI of the simulated mean
(a Bonferroni-corrected one for a family); comparisons between two settings are paired on
common random numbers and count only when the interval of the difference excludes zero.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from scipy import stats

import sim
from sim.analytic import erlang_b
from sim.replication import run_replication
from sim.scenario.errors import ScenarioError
from sim.scenario.load import scenario_dict

EXP = {"dist": "exponential", "mean": "2 days"}


def unit(beds: int, per_day: float, nursing: dict | None = None, share: float = 1.0) -> dict:
    """A critical care unit fed by one Poisson stream, with nurses if ``nursing``."""
    out: dict = {"beds": beds, "length_of_stay": EXP, "admissions": {"per_day": per_day}}
    if nursing is not None:
        out["nursing"] = nursing
        out["level_3_share"] = share
    return out


def scenario(units: dict[str, dict], policy: dict | None = None, horizon: str = "420 days",
             warm_up: str = "20 days", trusts: dict[str, str] | None = None) -> dict:  # fmt: skip
    """Critical care units only (``units`` by site), as scenario data."""
    trusts = trusts or {}
    return {
        "name": "staffed beds",
        "horizon": horizon,
        "warm_up": warm_up,
        "snapshot_interval": "4 weeks",
        "trusts": {t: {"name": t} for t in {"T", *trusts.values()}},
        "sites": {
            sid: {
                "trust": trusts.get(sid, "T"),
                "location": {"lat": 51.5 + 0.01 * i, "lon": -0.1},
                "critical_care": u,
            }
            for i, (sid, u) in enumerate(units.items())
        },
        "policies": {"critical_care": {"when_full": "refuse", **(policy or {})}},
    }


def per_rep(res: sim.Results, kpi: str, site: str = "") -> np.ndarray:
    r = res.replications
    return r[(r.kpi == kpi) & (r.site == site)].sort_values("rep")["value"].to_numpy()


def t95(n: int, family: int = 1) -> float:
    return float(stats.t.ppf(1 - 0.025 / family, n - 1))


def inside(x: np.ndarray, exact: float, family: int = 1) -> bool:
    half = t95(len(x), family) * x.std(ddof=1) / np.sqrt(len(x))
    return abs(x.mean() - exact) <= half


def paired_lower(a: np.ndarray, b: np.ndarray) -> bool:
    """``a`` is lower than ``b``: the 95% interval of the paired difference is below 0."""
    d = a - b
    half = t95(len(d)) * d.std(ddof=1) / np.sqrt(len(d))
    return d.mean() + half < 0


def test_a_nurse_shortage_closes_beds():
    """Nurses for 4 level 3 patients: never more than 4 in 10 beds, refused as Erlang B at
    4, and more refusals than with ample nurses on the same random numbers."""
    short = sim.validate_scenario(scenario({"a": unit(10, 2.0, {"nurses_per_shift": 4})}))
    ample = sim.validate_scenario(scenario({"a": unit(10, 2.0, {"nurses_per_shift": 10})}))
    one = run_replication(short, seed=5, rep=0)
    time_at = one.occupancy["a/critical_care"]
    assert sum(time_at[5:]) == 0 and time_at[4] > 0
    res_short = sim.run(short, reps=8, seed=5, n_jobs=1)
    res_ample = sim.run(ample, reps=8, seed=5, n_jobs=1)
    refused = per_rep(res_short, "cc_refusal_pct", "a")
    assert inside(refused, 100 * erlang_b(4, 4.0)), (refused.mean(), 100 * erlang_b(4, 4.0))
    assert paired_lower(per_rep(res_ample, "cc_refusal_pct", "a"), refused)
    # every refusal found a free bed (10 beds, at most 4 in use) but no nurse
    assert (per_rep(res_short, "cc_refusals_no_nurse", "a")
            == per_rep(res_short, "cc_refusals", "a")).all()  # fmt: skip
    assert per_rep(res_short, "cc_staffed_beds", "a").max() == pytest.approx(4.0)


def test_level_2_patients_take_half_a_nurse():
    """4 nurses, level 2 patients only: 8 staffed beds of 10, refused as Erlang B at 8."""
    sc = sim.validate_scenario(scenario({"a": unit(10, 3.0, {"nurses_per_shift": 4}, 0.0)}))
    one = run_replication(sc, seed=6, rep=0)
    time_at = one.occupancy["a/critical_care"]
    assert sum(time_at[9:]) == 0 and time_at[8] > 0
    res = sim.run(sc, reps=8, seed=6, n_jobs=1)
    refused = per_rep(res, "cc_refusal_pct", "a")
    assert inside(refused, 100 * erlang_b(8, 6.0)), (refused.mean(), 100 * erlang_b(8, 6.0))
    util = per_rep(res, "cc_nurse_utilisation", "a")
    busy = per_rep(res, "cc_beds_in_treatment", "a")
    assert util == pytest.approx(busy / 2 / 4)  # half a nurse per patient, 4 nurses


def test_staffed_beds_are_counted_at_the_units_level_mix():
    """4 nurses, half the patients at level 3 (3/4 of a nurse each on average): 5 staffed
    beds of 10; all at level 3: 4."""
    for share, staffed in ((0.5, 5.0), (1.0, 4.0), (0.0, 8.0)):
        sc = sim.validate_scenario(
            scenario({"a": unit(10, 1.0, {"nurses_per_shift": 4}, share)}, horizon="30 days")
        )
        kpis = {(k, s): v for k, s, v in run_replication(sc, seed=2).kpis}
        assert kpis[("cc_staffed_beds", "a")] == pytest.approx(staffed), share


def test_sickness_takes_nurses_and_staffed_beds_in_line_with_its_probability():
    """Each of 8 nurses off sick a shift with probability 0.25: 6 at work on average, 90%
    of shifts below establishment, 6 staffed beds (of 10) on average; more refusals than
    without sickness on the same random numbers."""
    p, n = 0.25, 8
    sick = {"nurses_per_shift": n, "sickness_absence": p}
    sc = sim.validate_scenario(scenario({"a": unit(10, 2.5, sick)}, horizon="220 days"))
    well = sim.validate_scenario(
        scenario({"a": unit(10, 2.5, {"nurses_per_shift": n})}, horizon="220 days")
    )
    res = sim.run(sc, reps=8, seed=7, n_jobs=1)
    present = per_rep(res, "cc_nurses_present", "a")
    assert inside(present, n * (1 - p), family=3), present.mean()
    short = per_rep(res, "cc_shifts_short_pct", "a")
    assert inside(short, 100 * (1 - (1 - p) ** n), family=3), short.mean()
    staffed = per_rep(res, "cc_staffed_beds", "a")
    assert inside(staffed, n * (1 - p), family=3), staffed.mean()  # beds never bind
    base = sim.run(well, reps=8, seed=7, n_jobs=1)
    assert per_rep(base, "cc_shifts_short_pct", "a").max() == 0
    assert paired_lower(per_rep(base, "cc_refusal_pct", "a"), per_rep(res, "cc_refusal_pct", "a"))


def test_sharing_nurses_across_units_lowers_refusals():
    """Two units of 10 beds with 3 nurses each: shared across the collaborative the 6 nurses
    serve both (Erlang B at 6 of the total load), kept apart each unit refuses as Erlang B
    at 3; the pool refuses fewer on the same random numbers."""
    units = {"a": unit(10, 1.25, {"nurses_per_shift": 3}), "b": unit(10, 1.25,
             {"nurses_per_shift": 3})}  # fmt: skip
    split = sim.validate_scenario(scenario(units))
    shared = sim.validate_scenario(scenario(units, {"nurses_shared": "collaborative"}))
    res_split = sim.run(split, reps=8, seed=8, n_jobs=1)
    res_shared = sim.run(shared, reps=8, seed=8, n_jobs=1)
    apart = per_rep(res_split, "cc_refusal_pct")
    pooled = per_rep(res_shared, "cc_refusal_pct")
    assert inside(apart, 100 * erlang_b(3, 2.5), family=2), apart.mean()
    assert inside(pooled, 100 * erlang_b(6, 5.0), family=2), pooled.mean()
    assert paired_lower(pooled, apart)


def test_sharing_within_a_trust_keeps_other_trusts_apart():
    units = {s: unit(10, 1.25, {"nurses_per_shift": 3}) for s in ("a", "b", "c")}
    trusts = {"a": "T", "b": "T", "c": "U"}
    by_trust = sim.validate_scenario(scenario(units, {"nurses_shared": "trust"}, trusts=trusts))
    res = sim.run(by_trust, reps=8, seed=10, n_jobs=1)
    c = per_rep(res, "cc_refusal_pct", "c")
    ab = (per_rep(res, "cc_refusals", "a") + per_rep(res, "cc_refusals", "b")) / (
        per_rep(res, "cc_unplanned_arrivals", "a") + per_rep(res, "cc_unplanned_arrivals", "b")
    )
    assert inside(c, 100 * erlang_b(3, 2.5), family=2), c.mean()
    assert inside(100 * ab, 100 * erlang_b(6, 5.0), family=2), ab.mean()


def test_ample_nurses_change_nothing_but_add_their_kpis():
    """Nurses for every bed and no sickness: the same patients admitted and refused, on the
    same seed, as without a nursing block (levels of care use their own streams)."""
    plain = sim.validate_scenario(scenario({"a": unit(6, 2.0)}, horizon="120 days"))
    nursed = sim.validate_scenario(
        scenario({"a": unit(6, 2.0, {"nurses_per_shift": 6}, 0.5)}, horizon="120 days")
    )
    a = dict(((k, s), v) for k, s, v in run_replication(plain, seed=3).kpis)
    b = dict(((k, s), v) for k, s, v in run_replication(nursed, seed=3).kpis)
    for key, value in a.items():
        assert b[key] == value or (np.isnan(value) and np.isnan(b[key])), key
    assert ("cc_staffed_beds", "a") in b and ("cc_staffed_beds", "a") not in a
    assert b[("cc_refusals_no_nurse", "")] == 0


def test_post_operative_patients_need_a_nurse_too():
    """A unit with beds but no nurses on shift cancels every operation needing it (counted
    as no nurse); its level of care comes from the procedure."""
    from builders import small_elective

    base = scenario_dict(small_elective())
    data = copy.deepcopy(base)
    data["sites"]["a"]["critical_care"] = {
        "beds": 4, "level_3_share": 1.0, "nursing": {"nurses_per_shift": 0}}  # fmt: skip
    data["sites"]["b"]["critical_care"] = {
        "beds": 4, "level_3_share": 1.0, "nursing": {"nurses_per_shift": 4}}  # fmt: skip
    for proc in data["procedures"].values():
        proc["critical_care"] = {"length_of_stay": "1 day", "level_3_share": 0.2}
    data["policies"]["critical_care"] = {"check_at_booking": False}
    data["horizon"], data["warm_up"] = "10 weeks", "1 week"
    res = run_replication(sim.validate_scenario(data), seed=1)
    kpis = {(k, s): v for k, s, v in res.kpis}
    assert kpis[("cc_admissions", "a")] == 0
    assert kpis[("cc_cancellations_no_nurse", "a")] > 0
    assert kpis[("cc_cancellations_no_nurse", "a")] == kpis[("cancellations_no_cc_bed", "a")]
    assert kpis[("cc_elective_admissions", "b")] > 0  # staffed: operations go ahead
    # the procedure's 20% at level 3 (1 nurse), 80% at level 2 (1/2): 0.6 of a nurse each
    per_patient = (kpis[("cc_nurse_utilisation", "b")] * kpis[("cc_nurses_present", "b")]
                   / kpis[("cc_beds_in_treatment", "b")])  # fmt: skip
    assert 0.5 < per_patient < 0.7, per_patient


def test_patients_waiting_for_a_nurse_are_admitted_when_a_fuller_shift_starts():
    """Day shift (08:00-20:00) 1 nurse, night 3, 6 beds, patients wait: the queue is served
    at the moment the night shift comes on, and every admission beyond 1 patient at a time
    happens at night."""
    nursing = {"nurses_per_shift": [1, 3], "first_shift_starts": "8 hours"}
    sc = sim.validate_scenario(
        scenario({"a": unit(6, 4.0, nursing)}, {"when_full": "queue"}, horizon="60 days")
    )
    res = run_replication(sc, seed=4, events=True)  # checks the books, nurses included
    admitted = [e.day for e in res.events if e.event == "cc_admitted"]
    at_night_start = [t for t in admitted if abs((t - 20 / 24) % 1) < 1e-9]
    assert len(at_night_start) >= 30  # the queue is served when the night shift comes on
    kpis = {(k, s): v for k, s, v in res.kpis}
    assert kpis[("cc_no_nurse", "a")] > 0 and kpis[("cc_unplanned_wait_hours", "a")] > 0
    assert kpis[("cc_refusals", "a")] == 0


@pytest.mark.parametrize(
    "policy",
    [{"when_full": "transfer"}, {"when_full": "transfer", "pooled": True},
     {"when_full": "transfer", "repatriate": {"team": True}, "retrieval_teams": 1,
      "transfer_time": "2 hours"}],
    ids=["transfer", "pooled", "team repatriation"],
)  # fmt: skip
def test_a_unit_without_nurses_sends_its_patients_where_there_are(policy):
    """Unit a has beds but no nurse on shift: its patients all go to b, which has nurses,
    are counted as moved for want of a nurse, and are never brought back to a."""
    units = {"a": unit(6, 1.0, {"nurses_per_shift": 0}), "b": unit(12, 1.0,
             {"nurses_per_shift": 12})}  # fmt: skip
    sc = sim.validate_scenario(scenario(units, policy, horizon="120 days"))
    res = run_replication(sc, seed=5, events=True)  # checks the books, nurses included
    kpis = {(k, s): v for k, s, v in res.kpis}
    assert kpis[("cc_admissions", "a")] == 0
    assert kpis[("cc_transfers_out", "a")] > 0
    assert kpis[("cc_transfers_no_nurse", "a")] == kpis[("cc_transfers_out", "a")]
    assert kpis[("cc_repatriations", "a")] == 0
    assert not [e for e in res.events if e.site == "a" and e.event != "cc_refused"]


@pytest.mark.parametrize(
    "policy",
    [{"when_full": "queue"}, {"when_full": "transfer", "if_none_free": "queue"},
     {"when_full": "transfer", "repatriate": {"team": True, "priority": "before_planned"},
      "retrieval_teams": 1, "transfer_time": "3 hours"},
     {"when_full": "transfer", "pooled": True, "if_none_free": "queue"}],
    ids=["queue", "transfer", "team repatriation", "pooled"],
)  # fmt: skip
@pytest.mark.parametrize("shared", ["site", "collaborative"])
def test_the_books_balance_with_sick_nurses_under_every_policy(policy, shared):
    """Sickness, shared or separate nurses, planned admissions and a level mix: every
    patient and every twelfth of a nurse is accounted for (run_replication checks)."""
    sick = {"nurses_per_shift": [4, 3], "sickness_absence": 0.2}
    units = {"a": unit(6, 1.5, sick, 0.5), "b": unit(8, 1.5, sick, 0.7)}
    units["a"]["planned_admissions"] = {"elective": {"per_day": 0.5, "length_of_stay": "2 days",
                                                     "level_3_share": 0.2}}  # fmt: skip
    units["a"]["elective_reserved"] = 1
    units["b"]["turnaround"] = "5 hours"
    sc = sim.validate_scenario(
        scenario(units, {**policy, "nurses_shared": shared}, horizon="60 days")
    )
    kpis = {(k, s): v for k, s, v in run_replication(sc, seed=11).kpis}
    assert kpis[("cc_no_nurse", "")] > 0


def test_a_comparison_with_nurse_limits_is_not_called_like_for_like():
    from builders import SCENARIOS

    from sim.scenario.capacity_summary import capacity_summary, like_for_like

    base = capacity_summary(sim.load_scenario(SCENARIOS / "nel_critical_care.yaml"))
    staffed = capacity_summary(sim.load_scenario(SCENARIOS / "nel_critical_care_staffed.yaml"))
    assert base.cc_nurses is None and staffed.cc_nurses == 2 * 15 + 2 * 9 + 2 * 6
    said = like_for_like("alone", base, "staffed", staffed)
    assert "critical care nurses a shift 60 against no limit" in said
    assert "not like for like" in said
    assert ("critical care nurses a shift", "60") in staffed.rows()


def test_the_model_description_tells_the_nurse_staffing():
    from builders import SCENARIOS

    from sim.report.stress import describe

    staffed = describe(sim.load_scenario(SCENARIOS / "nel_critical_care_staffed.yaml"), {})
    assert "Staffed critical care beds" in staffed and "one nurse per level 3 patient" in staffed
    assert "<td>2 x 12 hours from 07:30</td><td>4.5%</td><td>1:1 / 1:2</td>" in staffed
    assert "after major_surgery 30%" in staffed
    plain = describe(sim.load_scenario(SCENARIOS / "nel_critical_care.yaml"), {})
    # the KPI table lists every registered KPI; the nursing section is what must be absent
    assert "one nurse per level 3 patient" not in plain and "nurses per shift" not in plain


# -- mistakes in nursing input are explained ------------------------------------------------
SHORT = {"n.": "sites.a.critical_care.nursing.", "a.": "sites.a.critical_care.",
         "b.": "sites.b.critical_care.", "p.": "policies.critical_care."}  # fmt: skip


def _nursed(path: str = "", value: object = None) -> dict:
    """Two units, one with nurses, with ``value`` written at ``path`` (None: removed)."""
    data = scenario({"a": unit(6, 2.0, {"nurses_per_shift": 4}), "b": unit(6, 2.0)})
    data["sites"]["b"]["critical_care"]["level_3_share"] = 0.5
    if path:
        for short, full in SHORT.items():
            path = path.replace(short, full, 1) if path.startswith(short) else path
        *head, last = path.split(".")
        node = data
        for key in head:
            node = node[key]
        if value is None:
            del node[last]
        else:
            node[last] = value
    return data


WHOLE = "whole number of nurses from 0 to 10,000"


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("n.nurses_per_shfit", 4, "did you mean 'nurses_per_shift'"),
        ("n.sickness_absence", 1.5, "at most 1, got 1.5"),
        ("n.nurses_per_shift", -1, WHOLE),
        ("n.nurses_per_shift", 100_000, WHOLE),
        ("n.nurses_per_shift", True, WHOLE),
        ("n.nurses_per_shift", [4, 3, 3], "lists 3 shift"),
        ("n.shifts_per_day", 24, "at most 6"),
        ("n.first_shift_starts", "25 hours", "time of day"),
        ("n.first_shift_starts", 8, "needs a unit"),
        ("n.patients_per_nurse", {"level_3": 3}, "more level 3"),
        ("n.patients_per_nurse", {"level_2": 6}, "at most 4"),
        ("n.patients_per_nurse", {"levl_2": 2}, "did you mean 'level_2'"),
        ("b.level_3_share", None, "give this unit's level_3_share"),
        ("a.level_3_share", 2, "level_3_share: expected a number of at most 1"),
        ("a.nursing", {"sickness_absence": 0.1}, "nurses_per_shift"),
        ("a.nursng", {"nurses_per_shift": 4}, "did you mean 'nursing'"),
        ("p.nurses_shared", "region", "one of: site, trust, collaborative"),
    ],
)
def test_mistakes_in_nursing_are_explained(path, value, message):
    with pytest.raises(ScenarioError, match=message):
        sim.validate_scenario(_nursed(path, value))


def test_sharing_nurses_needs_units_with_nurses():
    data = scenario({"a": unit(6, 2.0)}, {"nurses_shared": "trust"})
    with pytest.raises(ScenarioError, match="no unit has any"):
        sim.validate_scenario(data)


def test_level_of_care_is_refused_outside_critical_care():
    data = _nursed()
    data["sites"]["a"]["units"] = {"acute_stroke": {
        "beds": 4, "admissions": {"stroke": {"per_day": 1, "length_of_stay": "5 days",
                                             "level_3_share": 0.5}}}}  # fmt: skip
    with pytest.raises(ScenarioError, match="critical care units only"):
        sim.validate_scenario(data)
