"""The waiting list at time zero: from sizes and wait ages, or from a CSV snapshot."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

import sim

SCENARIO = """
name: backlog from csv
horizon: 4 weeks
trusts: {A: {name: Trust A}}
sites:
  a:
    trust: A
    beds: {general: 20}
    theatres:
      t1: {sessions: [{days: [Mon, Wed], slot: all_day, specialty: ortho}]}
procedures:
  hip: {specialty: ortho, duration: 100 min, length_of_stay: 3 days}
  scope: {specialty: ortho, duration: 40 min, length_of_stay: 1 days, day_case_probability: 1}
initial_waiting_list:
  csv: backlog.csv
"""


def _write(tmp_path, csv_text: str):
    (tmp_path / "sc.yaml").write_text(textwrap.dedent(SCENARIO))
    (tmp_path / "backlog.csv").write_text(textwrap.dedent(csv_text).lstrip())
    return tmp_path / "sc.yaml"


def test_csv_backlog_patients_start_with_their_waits(tmp_path):
    rows = ["site,procedure,priority,waited_weeks"]
    rows += [f"a,hip,P4,{w}" for w in (10, 20, 60)] + [f"a,scope,P3,{w}" for w in (1, 2)]
    sc = sim.load_scenario(_write(tmp_path, "\n".join(rows) + "\n"))
    model = sim.CollaborativeModel(sc, seed=1)
    waits = sorted(p.wait(0.0) / 7 for p in model.elective.pathway.values())
    assert waits == pytest.approx([1, 2, 10, 20, 60])
    prio = sorted(p.priority for p in model.elective.pathway.values())
    assert prio == [2, 2, 3, 3, 3]
    assert sim.scenario_hash(sc)  # the CSV's bytes are part of the fingerprint


def test_csv_rows_naming_unknown_procedures_are_rejected(tmp_path):
    path = _write(tmp_path, "site,procedure,priority,waited_weeks\na,knee,P4,3\n")
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(path)
    assert "knee" in str(err.value) and "csv" in str(err.value)


def test_csv_bad_priority_names_the_csv_line(tmp_path):
    path = _write(tmp_path, "site,procedure,priority,waited_weeks\na,hip,P4,3\na,hip,urgent,2\n")
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(path)
    assert err.value.line == 3 and "P1, P2, P3, P4" in str(err.value)


def test_generated_backlog_follows_its_wait_age_distribution():
    from builders import small_elective

    sc = small_elective(
        **{
            "initial_waiting_list.lists.a.hip": {
                "size": 4000,
                "wait_age": {"dist": "uniform", "low": "0 weeks", "high": "40 weeks"},
            }
        }
    )
    model = sim.CollaborativeModel(sc, seed=2)
    ages = np.array([p.wait(0.0) / 7 for p in model.elective.pathway.values()])
    assert ages.size == 4000
    assert ages.min() >= 0 and ages.max() <= 40
    assert ages.mean() == pytest.approx(20, abs=0.6)  # 3 standard errors of the mean


def test_the_csv_rows_travel_in_the_scenario_not_the_file(tmp_path):
    """A worker on another machine (a dask worker) gets the rows with the scenario."""
    import pickle

    rows = ["site,procedure,priority,waited_weeks,quintile", "a,hip,P4,30,1", "a,hip,P2,5,"]
    sc = sim.load_scenario(_write(tmp_path, "\n".join(rows) + "\n"))
    before = sim.run_replication(sc, seed=3)
    fingerprint = sim.scenario_hash(sc)
    (tmp_path / "backlog.csv").unlink()
    remote = pickle.loads(pickle.dumps(sc))
    assert [tuple(r) for r in remote.initial_waiting_list.rows] == [
        ("a", "hip", "P4", 30.0, 1),
        ("a", "hip", "P2", 5.0, None),
    ]
    assert repr(sim.run_replication(remote, seed=3).kpis) == repr(before.kpis)
    assert sim.scenario_hash(remote) == fingerprint
