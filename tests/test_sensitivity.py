"""Assumptions as part of the scenario: the assumptions block and its path errors, one-way
sensitivity with a tornado ordered by swing, threshold search by bisection against Erlang B,
and the target search for an NHS standard."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from builders import emergency_only, small_elective
from typer.testing import CliRunner

import sim
from sim.analytic import erlang_b
from sim.cli import app
from sim.scenario.assumptions import assumption_overrides
from sim.scenario.load import scenario_dict

LOSS = {"dist": "exponential", "mean": "4 days"}


def loss_unit(horizon: str = "700 days", **assumptions: dict) -> sim.Scenario:
    """An M/M/c loss unit (2 admissions a day, 4-day stays: 8 Erlangs) with assumptions."""
    sc = emergency_only(10, 2.0, LOSS, "divert", horizon=horizon, warm_up="50 days")
    data = scenario_dict(sc)
    data["assumptions"] = assumptions
    return sim.validate_scenario(data)


# -- the assumptions block ----------------------------------------------------------------
def write(tmp_path: Path, assumptions: dict) -> Path:
    data = scenario_dict(loss_unit())
    data["assumptions"] = assumptions
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("assumptions", "message"),
    [
        ({"sites.s.beds.genral": {"low": 8, "high": 12, "why": "x"}},
         "sites.s.beds has no 'genral'; did you mean 'general'?"),
        ({"beds": {"paths": ["sites.t.beds.general"], "low": 8, "high": 12, "why": "x"}},
         "the scenario.sites has no 't'"),
        ({"sites.s.trust": {"low": 1, "high": 2, "why": "x"}}, "not a number or a duration"),
        ({"sites.s.beds.general": {"low": 12, "high": 20, "why": "x"}},
         "sites.s.beds.general, 10, is outside its range 12 to 20"),
        ({"sites.s.beds.general": {"low": 12, "high": 8, "why": "x"}}, "must be below high"),
        ({"sites.s.beds.general.x": {"low": 8, "high": 12, "why": "x"}}, "is a single value"),
        ({"sites.s.beds.general": {"low": 8, "high": 12}}, "why"),
    ],
    ids=["misspelt", "unknown-site", "not-a-number", "outside", "reversed", "too-deep", "no-why"],
)  # fmt: skip
def test_assumption_paths_are_checked_with_did_you_mean(
    tmp_path: Path, assumptions: dict, message: str
) -> None:
    path = write(tmp_path, assumptions)
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(path)
    text = str(err.value).replace("\n", " ")
    assert message.replace("the scenario.", "") in text, text
    assert "s.yaml, line" in text and "assumptions" in text


def test_relative_and_duration_assumptions_give_the_values_to_set() -> None:
    sc = loss_unit(
        load={"paths": ["sites.s.emergency.admissions_per_day"], "relative": True,
              "low": 0.5, "high": 1.5, "why": "x"},
        turnaround={"paths": ["sites.s.beds.turnaround"], "low": "0 min", "high": "2 hours",
                    "why": "x"},
    )  # fmt: skip
    assert assumption_overrides(sc, "load", "low") == {"sites.s.emergency.admissions_per_day": 1.0}
    assert assumption_overrides(sc, "turnaround", "high") == {"sites.s.beds.turnaround": "2 hours"}


def test_shipped_black_country_assumptions_include_the_hub_beds() -> None:
    from builders import SCENARIOS

    hubs = sim.load_scenario(SCENARIOS / "black_country_ortho_hubs.yaml")
    assert hubs.assumptions["hub_beds"].low == 20 and hubs.assumptions["hub_beds"].high == 40
    assert "ward_beds" in hubs.assumptions  # inherited from the status quo


# -- one-way sensitivity ---------------------------------------------------------------------
#: Known effects on the share diverted at 8 Erlangs: beds 8 -> 14 moves it from 23.6% to
#: 1.7% (Erlang B), arrivals +-5% by about 2 points, a 1-minute turnaround by almost nothing.
KNOWN = {
    "beds": {"paths": ["sites.s.beds.general"], "low": 8, "high": 14, "why": "x"},
    "arrivals": {"paths": ["sites.s.emergency.admissions_per_day"], "relative": True,
                 "low": 0.95, "high": 1.05, "why": "x"},
    "turnaround": {"paths": ["sites.s.beds.turnaround"], "low": "0 min", "high": "1 min",
                   "why": "x"},
}  # fmt: skip


def test_tornado_orders_assumptions_by_their_known_effect() -> None:
    sc = loss_unit("400 days", **{k: KNOWN[k] for k in ("turnaround", "arrivals", "beds")})
    sens = sim.sensitivity(sc, kpis=["emergency_diverted_pct"], reps=2, seed=7)
    assert sens.order("emergency_diverted_pct") == ["beds", "arrivals", "turnaround"]
    t = sens.table("emergency_diverted_pct").set_index(["assumption", "end"])
    assert t.loc[("beds", "low"), "effect"] > 0 > t.loc[("beds", "high"), "effect"]
    assert t.loc[("arrivals", "high"), "effect"] > 0 > t.loc[("arrivals", "low"), "effect"]
    assert t.loc[("beds", "low"), "effect_ci_low"] > 0  # resolved on common random numbers
    fig = sens.plot.tornado("emergency_diverted_pct")
    labels = [x.get_text() for x in fig.axes[0].get_yticklabels()]
    assert labels[-1] == "beds"  # widest bar on top


def test_sensitivity_of_a_difference_moves_shared_assumptions_in_both() -> None:
    sc = loss_unit(beds=KNOWN["beds"])
    same = sim.sensitivity(sc, against=sc, kpis=["emergency_diverted_pct"], reps=2, seed=7)
    assert (same.rows.effect == 0).all() and (same.rows["mean"] == 0).all()
    base = loss_unit()  # declares nothing: only the scenario moves
    diff = sim.sensitivity(sc, against=base, kpis=["emergency_diverted_pct"], reps=2, seed=7)
    t = diff.table().set_index("end")
    assert t.loc["low", "mean"] > 0 > t.loc["high", "mean"]


# -- threshold and target search -------------------------------------------------------------
def test_bisection_finds_the_erlang_b_threshold() -> None:
    # fewest beds at which fewer than 10% of 8 Erlangs are turned away: Erlang B says 11
    exact = next(c for c in range(1, 30) if erlang_b(c, 8.0) < 0.10)
    sc = loss_unit(horizon="1100 days")
    res = sim.threshold(sc, ["sites.s.beds.general"], 4, 24, "emergency_diverted_pct",
                        level=10.0, reps=3, seed=5)  # fmt: skip
    assert res.crossing == exact == 11
    assert len(res.evaluations) <= 8  # bisection, not a scan of all 21 values
    if res.undecided is not None:
        assert exact - 1 <= res.undecided[0] <= res.undecided[1] <= exact
    assert "crosses 10 at sites.s.beds.general = 11" in res.describe()


def test_threshold_against_a_base_is_where_the_paired_difference_crosses_zero() -> None:
    # base: 10 beds at 8 Erlangs (12.2% turned away); the scenario has 2.5 a day (10 Erlangs):
    # Erlang B says it turns away fewer than the base from 13 beds (B(13, 10) = 10.9%)
    exact = next(c for c in range(1, 40) if erlang_b(c, 10.0) < erlang_b(10, 8.0))
    base = loss_unit(horizon="1100 days")
    sc = sim.validate_scenario({**scenario_dict(base), "sites": {"s": {
        **scenario_dict(base)["sites"]["s"],
        "emergency": {**scenario_dict(base)["sites"]["s"]["emergency"], "admissions_per_day": 2.5},
    }}})  # fmt: skip
    res = sim.threshold(sc, ["sites.s.beds.general"], 8, 20, "emergency_diverted_pct",
                        against=base, reps=3, seed=5)  # fmt: skip
    assert abs(res.crossing - exact) <= 1, (res.crossing, exact, res.evaluations)


def test_target_search_gives_the_smallest_capacity_meeting_the_standard() -> None:
    sc = small_elective(horizon="30 weeks", warm_up="2 weeks", demand__referrals__a__hip=24,
                        initial_waiting_list__lists__a__hip__size=400,
                        sites__a__theatres__t1__count=3)  # fmt: skip
    res = sim.target(sc, ["sites.a.beds.elective"], 0, 40, "rtt_18_weeks", step=5, reps=2,
                     seed=2)  # fmt: skip
    ev = res.evaluations.set_index("value")["mean"]
    assert res.crossing is not None and res.crossing > 0
    assert ev[res.crossing] >= 65 and ev[max(v for v in ev.index if v < res.crossing)] < 65
    assert "smallest sites.a.beds.elective meeting the target" in res.describe()
    with pytest.raises(ValueError, match="unknown target"):
        sim.target(sc, ["sites.a.beds.elective"], 0, 40, "rtt_99")


# -- the commands -----------------------------------------------------------------------------
def test_cli_sensitivity_and_threshold_write_tables_and_reports(tmp_path: Path) -> None:
    data = scenario_dict(loss_unit(horizon="400 days"))
    data["assumptions"] = copy.deepcopy({k: KNOWN[k] for k in ("beds", "arrivals")})
    f = tmp_path / "loss.yaml"
    f.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out = tmp_path / "sens"
    result = CliRunner().invoke(app, ["sensitivity", str(f), "--kpi", "emergency_diverted_pct",
                                      "--reps", "2", "--out", str(out), "--no-plots"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.index("beds") < result.output.index("arrivals")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'data-plot="tornado_emergency_diverted_pct.png"' in html
    out = tmp_path / "thr"
    result = CliRunner().invoke(app, ["threshold", str(f), "--path", "sites.s.beds.general",
                                      "--low", "6", "--high", "16", "--kpi",
                                      "emergency_diverted_pct", "--level", "10", "--reps", "2",
                                      "--out", str(out), "--no-plots"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "crosses 10 at sites.s.beds.general" in result.output.replace("\n", " ")
    assert "hubsim threshold" in (out / "report.html").read_text(encoding="utf-8")
    bad = CliRunner().invoke(app, ["threshold", str(f), "--path", "sites.s.beds.genral",
                                   "--low", "6", "--high", "16", "--kpi",
                                   "emergency_diverted_pct", "--reps", "2",
                                   "--out", str(tmp_path / "bad")])  # fmt: skip
    assert bad.exit_code == 2 and "genral" in bad.output
