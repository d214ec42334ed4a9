"""Memory proportional to what is alive: a patient whose pathway has ended is freed at once
(issue 14): the removal schedule holds ids, not patients, and drops its stale entries."""

from __future__ import annotations

import gc

import pytest
from builders import small_elective

import sim
from sim.model import elective
from sim.model.patient import NOTHING_RARE, Patient


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


def test_a_waiting_patient_costs_under_300_bytes() -> None:
    """Python memory held per waiting patient after the build (tracemalloc), over the
    difference of two starting lists: ``benchmarks/bench_memory.py`` at a twentieth of
    its size (274 bytes there over 1 million; 20 slots and a tuple per entry were 377)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.bench_memory import built

    few, many = built(500), built(50_000)
    assert many["waiting"] > 40_000
    per_patient = (many["bytes"] - few["bytes"]) / (many["waiting"] - few["waiting"])
    assert per_patient < 300, f"{per_patient:.0f} bytes per patient"


def test_what_happens_to_few_patients_is_kept_apart() -> None:
    first = Patient(1, "h", "hip", 2, 0.0, False, 0.1, 1.0)
    second = Patient(2, "h", "hip", 2, 0.0, False, 0.1, 1.0)
    assert first.rare is NOTHING_RARE and first.cancellations == 0 and first.cc_bed is None
    first.cancellations += 1
    first.rebook_first = True
    assert first.rare is not NOTHING_RARE and (first.cancellations, first.rebook_first) == (1, True)
    assert second.rare is NOTHING_RARE and (second.cancellations, second.rebook_first) == (0, False)
    assert (NOTHING_RARE.cancellations, NOTHING_RARE.rebook_first) == (0, False)  # not written
    assert Patient.cc_los == 0.0  # the class gives the defaults
