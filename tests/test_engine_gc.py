"""The event loop runs with the cyclic garbage collector paused: safe only because a run
makes no reference cycles. These tests keep it that way."""

from __future__ import annotations

import gc

import pytest
from builders import SCENARIOS

import sim
from sim.model.build import CollaborativeModel


@pytest.mark.parametrize(
    "name",
    ["black_country_ortho_hubs_staff.yaml", "nel_critical_care_hub.yaml", "nel_mutual_aid.yaml"],
)
def test_a_run_makes_no_cyclic_garbage(name: str) -> None:
    model = CollaborativeModel(sim.load_scenario(SCENARIOS / name), seed=1, rep=0)
    model.step(60.0)  # the warm-up and the first weeks
    gc.collect()
    model.run()
    assert gc.collect() == 0, "the event loop made reference cycles: memory would grow"


def test_collector_state_is_restored(hubs: sim.Scenario) -> None:
    model = CollaborativeModel(hubs, seed=1, rep=0)
    assert gc.isenabled()
    model.step(7.0)
    assert gc.isenabled()
    gc.disable()
    try:
        model.step(7.0)
        assert not gc.isenabled()
    finally:
        gc.enable()
