"""Same scenario and seed give identical results, whatever the number of workers; two
scenarios on the same seed see the same patients (common random numbers)."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
from builders import small_elective

import sim


def test_identical_for_any_number_of_jobs():
    sc = small_elective()
    one = sim.run(sc, reps=4, seed=7, n_jobs=1)
    two = sim.run(sc, reps=4, seed=7, n_jobs=2)
    pd.testing.assert_frame_equal(one.summary, two.summary)
    pd.testing.assert_frame_equal(one.replications, two.replications)
    pd.testing.assert_frame_equal(one.timeseries, two.timeseries)


def test_a_replication_does_not_depend_on_the_others():
    sc = small_elective()
    batch = sim.run(sc, reps=3, seed=7)
    alone = sim.run_replication(sc, seed=7, rep=2)
    assert _same(batch.reps[2].kpis, alone.kpis)


def _same(a: list[tuple], b: list[tuple]) -> bool:
    """Row-by-row equality where NaN equals NaN (a KPI with nothing to measure)."""
    return pd.DataFrame(a).equals(pd.DataFrame(b))


def test_different_seeds_differ():
    sc = small_elective()
    a = sim.run_replication(sc, seed=1, rep=0)
    b = sim.run_replication(sc, seed=2, rep=0)
    assert not _same(a.kpis, b.kpis)


def _referrals(sc: sim.Scenario) -> pd.DataFrame:
    res = sim.run(sc, reps=1, seed=5, events=True)
    ev = res.events
    return ev[ev.event == "referred"][["day", "patient", "site"]].reset_index(drop=True)


def test_shipped_scenarios_see_the_same_referrals(status_quo, hubs):
    # The hubs scenario routes patients elsewhere, but the referrals themselves (when, from
    # where, who) are drawn from streams named by site and procedure: identical.
    short = {"horizon": "20 weeks", "warm_up": "0 weeks"}
    a = _referrals(status_quo.model_copy(update=_durations(short)))
    b = _referrals(hubs.model_copy(update=_durations(short)))
    assert len(a) > 1000
    pd.testing.assert_frame_equal(a, b)


def test_same_patients_get_the_same_attributes(status_quo, hubs):
    short = _durations({"horizon": "8 weeks", "warm_up": "0 weeks"})
    models = [
        sim.CollaborativeModel(s.model_copy(update=short), seed=3, rep=0)
        for s in (status_quo, hubs)
    ]
    for m in models:
        m.run()
    attrs = []
    for m in models:
        pats = sorted(m.elective.pathway.values(), key=lambda p: p.pid)
        attrs.append({p.pid: (p.priority, p.day_case, p.duration, p.los) for p in pats})
    common = attrs[0].keys() & attrs[1].keys()
    assert len(common) > 1000
    assert all(attrs[0][k] == attrs[1][k] for k in common)


def _durations(values: dict[str, str]) -> dict[str, float]:
    from sim.scenario.units import parse_duration

    return {k: parse_duration(v) for k, v in values.items()}


def test_streams_are_independent_of_each_other():
    from sim.model.streams import Streams

    s = Streams(seed=1, rep=0)
    a = s.generator("referrals/x/hip/arrivals").random(5)
    b = Streams(seed=1, rep=0).generator("referrals/x/hip/arrivals").random(5)
    c = s.generator("referrals/y/hip/arrivals").random(5)
    d = Streams(seed=1, rep=1).generator("referrals/x/hip/arrivals").random(5)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert not np.array_equal(a, d)


def test_replication_seeds_are_spawned_from_one_seed_sequence():
    """Replication r's seed is child r of the experiment's SeedSequence, as numpy spawns it."""
    from sim.model.streams import replication_seed

    children = np.random.SeedSequence(7).spawn(5)
    for rep, child in enumerate(children):
        mine = replication_seed(7, rep)
        assert mine.spawn_key == child.spawn_key
        assert np.array_equal(mine.generate_state(4), child.generate_state(4))


def test_the_library_defaults_to_the_command_lines_seed():
    """``sim.run`` and ``sim.run_replication`` without a seed give what ``hubsim run`` gives
    without ``--seed`` (seed 1)."""
    from sim.cli.run import run as cli_run

    cli_default = inspect.signature(cli_run).parameters["seed"].default
    assert cli_default == 1
    sc = small_elective(horizon="10 weeks", warm_up="0 days")
    res = sim.run(sc, reps=1)
    assert res.seed == cli_default
    assert _same(res.reps[0].kpis, sim.run_replication(sc, seed=cli_default).kpis)
    assert _same(sim.run_replication(sc).kpis, res.reps[0].kpis)
