"""Memory proportional to what is alive: a patient whose pathway has ended is freed at once
(issue 14): the removal schedule holds ids, not patients, and drops its stale entries."""

from __future__ import annotations

import gc

import pytest
from builders import small_elective

import sim
from sim.model import elective
from sim.model.patient import Patient


def _patients_alive() -> int:
    return sum(1 for o in gc.get_objects() if type(o) is Patient)


def test_treated_patients_are_freed() -> None:
    sc = small_elective(demand__removal_per_year=0.5, horizon="60 weeks")
    model = sim.CollaborativeModel(sc, seed=3, rep=0)
    model.run()
    el = model.elective
    assert el.treated_total > 1000 and el.removed_total > 20
    gc.collect()
    alive = _patients_alive()
    # The open pathways, plus inpatients still in a bed after their operation.
    in_beds = sum(b.general.busy + b.elective.busy for b in model.beds.values())
    assert len(el.pathway) <= alive <= len(el.pathway) + in_beds
    assert len(el._to_remove) <= len(el.pathway)


def test_dropping_stale_removals_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    sc = small_elective(demand__removal_per_year=0.5, horizon="40 weeks")
    keep = sim.run_replication(sc, seed=5, events=True)
    monkeypatch.setattr(elective, "REMOVALS_COMPACT_MIN", 0)
    compactions = []
    heapify = elective.heapq.heapify
    monkeypatch.setattr(elective.heapq, "heapify", lambda h: (compactions.append(1), heapify(h)))
    drop = sim.run_replication(sc, seed=5, events=True)
    assert compactions, "the schedule was never compacted"
    assert repr(drop.kpis) == repr(keep.kpis) and drop.events == keep.events  # nan != nan
    assert keep.info["removed_total"] > 0
