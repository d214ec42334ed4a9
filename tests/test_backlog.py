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


# -- a CSV that is not what it should be (issue 15): the file and the line, always ----------------


def _refuse(tmp_path, raw: bytes):
    (tmp_path / "sc.yaml").write_text(textwrap.dedent(SCENARIO))
    (tmp_path / "backlog.csv").write_bytes(raw)
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(tmp_path / "sc.yaml")
    assert err.value.file == str(tmp_path / "backlog.csv"), str(err.value)
    return err.value


HEADER = b"site,procedure,priority,waited_weeks\n"


@pytest.mark.parametrize(
    ("raw", "line", "words"),
    [
        (HEADER + b"a,hip,P4,inf\n", 2, "a number of weeks from 0 to 5,200, got 'inf'"),
        (HEADER + b"a,hip,P4,-inf\n", 2, "from 0 to 5,200"),
        (HEADER + b"a,hip,P4,nan\n", 2, "from 0 to 5,200"),
        (HEADER + b"a,hip,P4,1e308\n", 2, "got '1e308'"),
        (HEADER + b"a,hip,P4,3\na,hip,P4,\"" + b"x" * 200_000 + b"\"\n", 3, "longer than 131,072"),
        (HEADER + b"a,hip,P4,3\na,hip,P4,\"3\n", 3, "cannot be read as CSV"),
        (HEADER + b"a,hip,P4,3\na,h\xe9p,P4,3\n", 3, "byte 0xe9 at offset 51 is not UTF-8"),
        (HEADER + b"a,hip,P4,3\x00\n", 2, "is a NUL byte"),
        (HEADER + b"a,hip,P4,3,9" + b"9" * 5000 + b"\n", 2, None),  # extra columns: ignored
        (b"site,procedure,priority,waited_weeks,quintile\na,hip,P4,3," + b"9" * 5000 + b"\n", 2,
         "a whole number from 1 to 5, got '99999"),
    ],
)  # fmt: skip
def test_bad_csv_rows_name_the_file_and_line(tmp_path, raw, line, words):
    if words is None:  # accepted
        (tmp_path / "sc.yaml").write_text(textwrap.dedent(SCENARIO))
        (tmp_path / "backlog.csv").write_bytes(raw)
        assert len(sim.load_scenario(tmp_path / "sc.yaml").initial_waiting_list.rows) == 1
        return
    err = _refuse(tmp_path, raw)
    assert err.line == line and words in str(err), str(err)
    assert len(str(err)) < 500  # nothing echoed in full


def test_a_file_that_is_not_a_csv_is_not_echoed(tmp_path):
    err = _refuse(tmp_path, b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/bin/sh\n")
    assert err.line == 1 and "names none of them (is this the right file?)" in str(err)
    assert "root:" not in str(err)


def test_a_utf32_csv_says_save_as_utf8(tmp_path):
    err = _refuse(tmp_path, (HEADER + b"a,hip,P4,3\n").decode().encode("utf-32"))
    assert "saved as UTF-32" in str(err) and "save it as UTF-8" in str(err)


def test_a_csv_with_too_many_patients_is_refused(tmp_path, monkeypatch):
    from sim.scenario import backlog_csv

    monkeypatch.setattr(backlog_csv, "MAX_ROWS", 3)
    err = _refuse(tmp_path, HEADER + b"a,hip,P4,3\n" * 4)
    assert err.line == 5 and "more than 3 patients" in str(err)


def test_csv_line_numbers_count_lines_not_rows(tmp_path):
    raw = HEADER + b'a,hip,P4,3\n"a",hip,P4,"2"\n\na,hip,P9,1\n'
    err = _refuse(tmp_path, raw)
    assert err.line == 5 and "'P9'" in str(err)
