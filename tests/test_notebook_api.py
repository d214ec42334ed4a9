"""What a researcher meets in Jupyter: a checked scenario that cannot be changed unchecked,
short reprs and HTML summary tables, plots drawn into their own axes, sweeps of a scenario."""

from __future__ import annotations

import copy
import pickle

import pytest
from builders import small_elective

import sim
from sim import ScenarioError


@pytest.fixture(scope="module")
def sc() -> sim.Scenario:
    return small_elective()


# -- a checked scenario cannot be changed without the checks -----------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda sc: sc.sites["a"].theatres.__setitem__("t1", None),
        lambda sc: sc.sites.pop("b"),
        lambda sc: sc.demand.referrals["a"].update(hip=1000),
        lambda sc: sc.sites["a"].theatres["t1"].sessions.append(None),
        lambda sc: sc.demand.priority_mix.clear(),
        lambda sc: sc.sites["a"].model_copy(update={"trust": "nobody"}),
        lambda sc: setattr(sc, "horizon", 1.0),
    ],
    ids=["set item", "pop", "update", "append", "clear", "model_copy of a part", "setattr"],
)
def test_a_checked_scenario_refuses_changes_in_place(sc: sim.Scenario, change) -> None:
    before = sim.scenario_hash(sc)
    with pytest.raises((TypeError, ValueError), match="frozen|with_values"):
        change(sc)
    assert sim.scenario_hash(sc) == before


def test_a_refused_change_says_how_to_make_one(sc: sim.Scenario) -> None:
    with pytest.raises(TypeError, match=r"with_values\(\{'sites\.SITE\.beds\.elective': 30\}\)"):
        sc.sites["a"].theatres["t1"] = None  # type: ignore[index]


def test_with_values_makes_a_checked_copy(sc: sim.Scenario) -> None:
    more = sc.with_values({"sites.a.beds.general": 55, "horizon": "30 weeks"})
    assert more.sites["a"].beds.general == 55 and more.horizon == 210.0
    assert sc.sites["a"].beds.general == 40 and sc.horizon == 420.0  # unchanged
    with pytest.raises(TypeError):
        more.sites["a"].theatres.clear()  # the copy is as frozen as the original


def test_with_values_gives_the_messages_a_file_gets(sc: sim.Scenario) -> None:
    with pytest.raises(ScenarioError) as err:
        sc.with_values({"sites.a.beds.general": -3, "demand.removal_per_year": "often"})
    assert err.value.problems[0] == (
        "field sites.a.beds.general: expected a number of at least 0, got -3."
    )
    assert "demand.removal_per_year" in str(err.value)
    # The checks across the scenario run too.
    with pytest.raises(ScenarioError, match=r"field sites\.a\.trust: unknown trust 'Q'"):
        sc.with_values({"sites.a.trust": "Q"})


def test_model_copy_with_update_is_checked(sc: sim.Scenario) -> None:
    assert sc.model_copy(update={"horizon": 100.0}).horizon == 100.0
    with pytest.raises(ScenarioError, match="field horizon"):
        sc.model_copy(update={"horizon": -1.0})


def test_a_checked_scenario_survives_pickle_and_deepcopy(sc: sim.Scenario) -> None:
    for again in (pickle.loads(pickle.dumps(sc)), copy.deepcopy(sc)):
        assert again == sc and sim.scenario_hash(again) == sim.scenario_hash(sc)
        with pytest.raises(TypeError):
            again.sites["a"].theatres["t1"] = None  # type: ignore[index]


# -- reprs: one line, and a compact table in Jupyter -------------------------------------


@pytest.fixture(scope="module")
def short(sc: sim.Scenario) -> sim.Scenario:
    return sc.with_values({"horizon": "8 weeks", "warm_up": "1 week"})


@pytest.fixture(scope="module")
def cmp(short: sim.Scenario) -> sim.Comparison:
    more = short.with_values(
        {"name": "more theatres", "sites.a.theatres.t1.count": 3, "sites.a.beds.general": 80}
    )
    return sim.compare([short, more], reps=2, seed=1)


def test_scenario_repr_is_one_line_and_html_lists_the_sites(sc: sim.Scenario) -> None:
    assert repr(sc) == (
        "<Scenario 'small elective': 2 trusts, 2 sites, 2 procedures; 60 weeks, warm-up 8 weeks>"
    )
    page = sc._repr_html_()
    assert page.count("<tr>") == 1 + len(sc.sites) and "Trust A" in page
    # a's referrals a week (8 + 10) and general beds (40), as a planner reads them
    assert '<td style="text-align:right">18.0</td>' in page and ">40<" in page


def test_results_repr_is_short_and_html_shows_the_headline_kpis(cmp: sim.Comparison) -> None:
    res = cmp.baseline
    assert repr(res).startswith("<Results 'small elective': 2 replications (seed 1), ")
    assert len(repr(res)) < 120 and str(res) == repr(res)
    page = res._repr_html_()
    assert len(page) < 5_000
    row = res.kpi("operations")
    assert f"<td>Operations</td><td style=\"text-align:right\">{sim_text_sig(row['mean'])}" in page
    assert "95% interval" in page


def test_comparison_repr_and_html_mark_differences(cmp: sim.Comparison) -> None:
    assert repr(cmp) == (
        "<Comparison of 'more theatres' against 'small elective': 2 paired replications>"
    )
    page = cmp._repr_html_()
    diffs = cmp.differences().query("site == ''").set_index("kpi")
    assert diffs.loc["operations"].excludes_zero  # more theatres and beds at a operate on more
    for kpi in sim.KPIS.headline(diffs.index)[:8]:
        d = diffs.loc[kpi]
        ci = f"{sim_text_sig(d.diff_ci_low, True)} to {sim_text_sig(d.diff_ci_high, True)}"
        mark = " *" if d.excludes_zero else ""
        assert f"{sim_text_sig(d.diff_mean, signed=True)} ({ci}){mark}</td>" in page, kpi
    assert "<td>Operations</td>" in page and len(page) < 6_000


def sim_text_sig(x: float, signed: bool = False) -> str:
    from sim.text import sig

    return sig(float(x), signed=signed)


def test_sweep_takes_a_scenario_and_shows_a_table(short: sim.Scenario, tmp_path) -> None:
    sw = sim.sweep(short, {"sites.b.theatres.t1.count": [1, 2]}, tmp_path / "sw", reps=2)
    assert sw.complete and sw.plan.scenario_path == "<scenario 'small elective'>"
    assert repr(sw) == (
        "<SweepResults of \"<scenario 'small elective'>\": 2 points x 2 replications over "
        "sites.b.theatres.t1.count>"
    )
    page = sw._repr_html_()
    assert page.count("<tr>") == 3 and "sites.b.theatres.t1.count" in page
    with pytest.raises(ScenarioError, match="sites.b.theatres.t1.count"):
        sim.sweep(short, {"sites.b.theatres.t1.count": [0]}, tmp_path / "bad", reps=1)


def test_a_sweep_of_a_scenario_matches_the_sweep_of_its_file(short, tmp_path) -> None:
    from sim.experiment.sweep.plan import plan_sweep

    path = tmp_path / "short.yaml"
    import yaml

    path.write_text(yaml.safe_dump(short.model_dump(mode="json", by_alias=True)))
    grid = {"sites.b.beds.general": [20, 30]}
    a, b = plan_sweep(short, grid, reps=1), plan_sweep(path, grid, reps=1)
    assert a.scenario_hash == b.scenario_hash
    assert [p.scenario for p in a.points] == [p.scenario for p in b.points]


# -- plots draw into the axes they are given ---------------------------------------------


def test_every_plot_takes_ax_and_has_a_docstring(cmp: sim.Comparison) -> None:
    import inspect

    import matplotlib.pyplot as plt

    res = cmp.baseline
    for name in dir(res.plot):
        if name.startswith("_"):
            continue
        method = getattr(res.plot, name)
        assert "ax" in inspect.signature(method).parameters, name
        assert method.__doc__ and "ax" in method.__doc__, name
    for method in (cmp.plot.forest, cmp.plot.waiting_list):
        assert "ax" in inspect.signature(method).parameters and method.__doc__

    fig, (left, right) = plt.subplots(1, 2)
    assert res.plot.waiting_list(ax=left) is fig and left.lines
    assert cmp.plot.forest(ax=right) is fig and right.lines
    assert len(fig.axes) == 2  # drawn into the caller's axes, no new ones
    with pytest.raises(ValueError, match="2 Axes"):
        cmp.plot.forest(relative=False, kpis=["operations", "waiting_list_end"], ax=left)
    fig2, pair = plt.subplots(1, 2)
    cmp.plot.forest(relative=False, kpis=["operations", "waiting_list_end"], ax=pair)
    assert all(a.lines for a in pair)
    plt.close("all")
