"""hubsim: discrete-event simulation of NHS provider collaboratives.

Pipeline: scenario (validated data) -> model (SimPy objects) -> metrics (KPIs from a
ledger) -> replication (KPIs and records of one run) -> experiment (replications,
comparisons, sweeps) -> report (plots, HTML) -> this facade -> validation and app (clients
of the facade: published models reproduced, the browser app) -> cli (the hubsim command).

    import sim
    sc = sim.load_scenario("scenarios/black_country_ortho_hubs.yaml")
    one = sim.run_replication(sc, seed=1)          # one.kpis, one.timeseries
    res = sim.run(sc, reps=20, seed=1, n_jobs=2)   # res.summary, res.timeseries
    res.plot.waiting_list()

Names are imported on first use, so a replication worker that needs only the model does
not pay for pandas, scipy and matplotlib. This module is the facade above every layer:
the first experiment name used also imports :mod:`sim.report`, which registers the plots
of results (``res.plot``), comparisons, sweeps and warm-up recommendations.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

#: Public name -> module that defines it.
_EXPORTS: dict[str, str] = {
    # scenario
    "Scenario": "sim.scenario.schema",
    "ScenarioError": "sim.scenario.errors",
    "load_scenario": "sim.scenario.load",
    "validate_scenario": "sim.scenario.load",
    "scenario_hash": "sim.scenario.load",
    "capacity_check": "sim.scenario.capacity",
    # model and one replication
    "CollaborativeModel": "sim.model.build",
    "run_replication": "sim.replication",
    "ReplicationResult": "sim.replication",
    "ReplicationFailure": "sim.replication",
    # experiments
    "run": "sim.experiment.runner",
    "compare": "sim.experiment.compare",
    "decompose": "sim.experiment.decompose",
    "Decomposition": "sim.experiment.decompose",
    "sensitivity": "sim.experiment.sensitivity",
    "Sensitivity": "sim.experiment.sensitivity",
    "threshold": "sim.experiment.threshold",
    "target": "sim.experiment.threshold",
    "Threshold": "sim.experiment.threshold",
    "Comparison": "sim.experiment.compare",
    "Results": "sim.experiment.results",
    "ReplicationError": "sim.experiment.results",
    "sweep": "sim.experiment.sweep.run",
    "load_sweep": "sim.experiment.sweep.results",
    "SweepResults": "sim.experiment.sweep.results",
    "run_until_precise": "sim.experiment.precision",
    "compare_until_precise": "sim.experiment.precision",
    "recommend_warmup": "sim.experiment.warmup",
    # KPIs
    "KPIS": "sim.metrics",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name == "report":  # sim.report.save_plots without importing it first
        return importlib.import_module("sim.report")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    if module.startswith("sim.experiment."):
        from . import report  # noqa: F401  (registers the .plot accessors)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # for editors and type checkers
    from .experiment.compare import Comparison, compare  # noqa: F401
    from .experiment.decompose import Decomposition, decompose  # noqa: F401
    from .experiment.precision import compare_until_precise, run_until_precise  # noqa: F401
    from .experiment.results import ReplicationError, Results  # noqa: F401
    from .experiment.runner import run  # noqa: F401
    from .experiment.sensitivity import Sensitivity, sensitivity  # noqa: F401
    from .experiment.sweep.results import SweepResults, load_sweep  # noqa: F401
    from .experiment.sweep.run import sweep  # noqa: F401
    from .experiment.threshold import Threshold, target, threshold  # noqa: F401
    from .experiment.warmup import recommend_warmup  # noqa: F401
    from .metrics import KPIS  # noqa: F401
    from .model.build import CollaborativeModel  # noqa: F401
    from .replication import ReplicationFailure, ReplicationResult, run_replication  # noqa: F401
    from .scenario.capacity import capacity_check  # noqa: F401
    from .scenario.errors import ScenarioError  # noqa: F401
    from .scenario.load import load_scenario, scenario_hash, validate_scenario  # noqa: F401
    from .scenario.schema import Scenario  # noqa: F401
