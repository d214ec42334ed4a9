"""Comparing scenarios on common random numbers: paired differences with confidence intervals.

Every scenario is run with the same seed and replication numbers, so replication ``r``
of each sees the same referrals and emergencies. The difference of a KPI between a
scenario and the first (the baseline) is taken replication by replication, and its mean
gets a t-interval: far narrower than comparing two independent sets of runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..scenario.schema import Scenario
from .accessors import Accessor
from .backends import connected, resolve_backend
from .results import Results
from .runner import run
from .stats import mean_ci


@dataclass
class Comparison:
    """Results of several scenarios on the same seeds, and their paired differences."""

    results: list[Results]

    plot = Accessor("Plots of the comparison (matplotlib), e.g. ``cmp.plot.forest()``.")

    @property
    def baseline(self) -> Results:
        return self.results[0]

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.results]

    def differences(self, confidence: float = 0.95) -> pd.DataFrame:
        """One row per non-baseline scenario x KPI x site: ``scenario, kpi, site, diff_mean,
        diff_ci_low, diff_ci_high, excludes_zero, baseline_mean, n``."""
        base = self.baseline.replications.set_index(["kpi", "site", "rep"])["value"].sort_index()
        rows = []
        for res in self.results[1:]:
            other = res.replications.set_index(["kpi", "site", "rep"])["value"]
            diff = (other - base).dropna().rename("diff").reset_index()
            for (kpi, site), grp in diff.groupby(["kpi", "site"], sort=False):
                mean, _sd, low, high, n = mean_ci(grp["diff"].to_numpy(), confidence)
                excludes = bool(n >= 2 and (low > 0 or high < 0))
                b = base.loc[(kpi, site)]
                rows.append(
                    (
                        res.name,
                        kpi,
                        site,
                        mean,
                        low,
                        high,
                        excludes,
                        float(np.nanmean(b.to_numpy())),
                        n,
                    )
                )
        cols = [
            "scenario",
            "kpi",
            "site",
            "diff_mean",
            "diff_ci_low",
            "diff_ci_high",
            "excludes_zero",
            "baseline_mean",
            "n",
        ]
        return pd.DataFrame(rows, columns=cols)


def compare(
    scenarios: Sequence[Scenario],
    reps: int = 10,
    seed: int = 1,
    n_jobs: int = 1,
    progress: bool = False,
    backend: str | None = None,
    scheduler: str | None = None,
) -> Comparison:
    """Run every scenario on the same seed and replications; the first is the baseline.

    ``backend="dask"`` with a ``scheduler`` address runs them on a dask.distributed cluster.
    """
    if len(scenarios) < 2:
        raise ValueError("a comparison needs at least two scenarios")
    with connected(backend, scheduler):  # one connection for all the scenarios
        backend = resolve_backend(backend, scheduler)
        results = [
            run(sc, reps=reps, seed=seed, n_jobs=n_jobs, progress=progress, backend=backend)
            for sc in scenarios
        ]
    return Comparison(results)
