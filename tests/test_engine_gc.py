"""The event loop runs with the cyclic garbage collector paused: safe only because a run
makes no reference cycles. These tests keep it that way."""

from __future__ import annotations

import gc
import subprocess
import sys

from builders import SCENARIOS

import sim
from sim.model.build import CollaborativeModel

#: Counts the cyclic garbage a run leaves, in a fresh interpreter: background threads of
#: earlier tests (dask, loky) would make garbage of their own in this one.
CHECK = """
import gc, sys
import sim
from sim.model.build import CollaborativeModel
for path in sys.argv[1:]:
    model = CollaborativeModel(sim.load_scenario(path), seed=1, rep=0)
    model.step(60.0)  # the warm-up and the first weeks
    gc.collect()
    gc.disable()  # else re-enabling it after the run collects before we can count
    model.run()
    print(gc.collect())
    gc.enable()
"""


def test_a_run_makes_no_cyclic_garbage() -> None:
    names = ["black_country_ortho_hubs_staff.yaml", "nel_critical_care_hub.yaml",
             "nel_mutual_aid.yaml"]  # fmt: skip
    paths = [str(SCENARIOS / n) for n in names]
    out = subprocess.run(
        [sys.executable, "-c", CHECK, *paths], capture_output=True, text=True, check=True
    )
    found = dict(zip(names, map(int, out.stdout.split()), strict=True))
    assert found == dict.fromkeys(names, 0), "the event loop made reference cycles"


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
