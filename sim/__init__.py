"""hubsim: discrete-event simulation of NHS provider collaboratives.

Pipeline: scenario (validated data) -> model (SimPy objects) -> replication (records and
counters) -> metrics (KPIs) -> experiment (replications, comparison) -> report (plots).

    import sim
    sc = sim.load_scenario("scenarios/black_country_ortho_hubs.yaml")
    one = sim.run_replication(sc, seed=1)          # one.kpis, one.timeseries
    res = sim.run(sc, reps=20, seed=1, n_jobs=2)   # res.summary, res.timeseries
    res.plot.waiting_list()
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hubsim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"

from .experiment.compare import Comparison, compare
from .experiment.replications import run
from .experiment.reps import compare_until_precise, run_until_precise
from .experiment.results import ReplicationError, ReplicationFailure, Results
from .experiment.sweep import SweepResults, load_sweep, sweep
from .experiment.warmup import recommend_warmup
from .metrics import KPI_INFO, KPI_NAMES
from .model.build import CollaborativeModel
from .run import ReplicationResult, run_replication
from .scenario.errors import ScenarioError
from .scenario.load import load_scenario, scenario_hash, validate_scenario
from .scenario.schema import Scenario

__all__ = [
    "__version__",
    # scenario
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "validate_scenario",
    "scenario_hash",
    # model and one replication
    "CollaborativeModel",
    "run_replication",
    "ReplicationResult",
    # experiments
    "run",
    "compare",
    "Comparison",
    "Results",
    "sweep",
    "load_sweep",
    "SweepResults",
    "run_until_precise",
    "compare_until_precise",
    "recommend_warmup",
    "ReplicationError",
    "ReplicationFailure",
    "KPI_INFO",
    "KPI_NAMES",
]
