"""Splitting a difference into steps: the hubs' effect as extra beds, ring-fencing, extra
sessions and the move to another site, each with its paired interval.

Give the scenarios as a chain, each one changing one thing from the one before it
(status quo -> + the same beds shared -> + the same beds ring-fenced -> + the same extra
sessions -> hubs). All are run on the same seeds (common random numbers), so replication
``r`` of each sees the same patients. Step ``i`` is scenario ``i`` minus scenario
``i - 1``, taken replication by replication, with its t-interval; the steps of a
replication add up to its total difference (last minus first) exactly, so the means of
the steps add up to the mean total. The split depends on the order of the chain: a
step's share is what that change adds *given the changes before it*.

    dec = sim.decompose([sq, shared, ring_fenced, sessions, hubs],
                        steps=["extra beds", "ring-fencing", "extra sessions", "the move"])
    dec.table(["cancellations_no_bed"])
    dec.plot.waterfall("cancellations_no_bed")

A saved decomposition is a comparison folder (``Comparison.save``) with
``decomposition.csv`` beside ``comparison.csv``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..scenario.schema import Scenario
from .accessors import Accessor
from .compare import Comparison, compare
from .output import ExtraFiles, atomic_write_csv
from .stats import mean_ci

#: The KPIs a decomposition reports when none are named (the issue's table, and the
#: NHS standard share under 18 weeks).
DEFAULT_KPIS = (
    "cancellations_no_bed",
    "over_52_weeks_end",
    "pct_within_18_weeks",
    "emergency_bed_wait_hours",
    "wait_gap_q1_q5_weeks",
    "operations",
)

#: The columns of ``decomposition.csv``.
CSV_COLUMNS = (
    "kpi", "step", "label", "from_scenario", "to_scenario", "from_mean", "to_mean",
    "diff_mean", "diff_ci_low", "diff_ci_high", "excludes_zero", "share_of_total", "n",
)  # fmt: skip

DECOMPOSITION_CSV = "decomposition.csv"


@dataclass
class Decomposition:
    """A chain of scenarios run on the same seeds, and each link's paired difference."""

    comparison: Comparison
    steps: list[str]
    """What each link of the chain changes, one label per scenario after the first."""
    kpis: tuple[str, ...] = DEFAULT_KPIS
    """The KPIs the table, the saved files and the waterfalls report by default."""

    plot = Accessor("Plots of the decomposition, e.g. ``dec.plot.waterfall('operations')``.")

    @property
    def names(self) -> list[str]:
        return self.comparison.names

    def table(
        self, kpis: Sequence[str] | None = None, site: str = "", confidence: float = 0.95
    ) -> pd.DataFrame:
        """One row per KPI x step, then the KPI's total (``step`` = ``total``): the paired
        difference's mean and interval, whether it excludes 0, and its share of the total."""
        per_rep = [
            r.replications[r.replications.site == site].set_index(["kpi", "rep"])["value"]
            for r in self.comparison.results
        ]
        available = set(per_rep[0].index.get_level_values(0))
        wanted = [k for k in (kpis or self.kpis) if k in available]
        rows = []
        for kpi in wanted:
            series = [s.loc[kpi] for s in per_rep]
            total = (series[-1] - series[0]).dropna().to_numpy()
            t_mean = float(np.mean(total)) if total.size else float("nan")
            links = [(i + 1, self.steps[i], i, i + 1) for i in range(len(series) - 1)] + [
                ("total", "total", 0, len(series) - 1)
            ]
            for step, label, a, b in links:
                diff = (series[b] - series[a]).dropna().to_numpy()
                mean, _sd, low, high, n = mean_ci(diff, confidence)
                rows.append(
                    (
                        kpi,
                        step,
                        label,
                        self.names[a],
                        self.names[b],
                        float(np.nanmean(series[a].to_numpy())),
                        float(np.nanmean(series[b].to_numpy())),
                        mean,
                        low,
                        high,
                        bool(n >= 2 and (low > 0 or high < 0)),
                        mean / t_mean if t_mean and np.isfinite(t_mean) else float("nan"),
                        n,
                    )  # fmt: skip
                )
        return pd.DataFrame(rows, columns=list(CSV_COLUMNS))

    def save(
        self,
        out_dir: str | os.PathLike[str],
        overwrite: bool = False,
        folders: Sequence[str] | None = None,
        kpis: Sequence[str] | None = None,
        extra: ExtraFiles | None = None,
    ) -> list[str]:
        """The comparison's folder (each scenario's results, ``comparison.csv``) and
        ``decomposition.csv``; ``extra`` writes more files of each scenario and of the
        comparison, as ``Comparison.save`` does, then of the decomposition (the waterfalls:
        ``extra=sim.report.save_plots``)."""
        written = self.comparison.save(out_dir, overwrite=overwrite, folders=folders, extra=extra)
        out = Path(out_dir)
        atomic_write_csv(out / DECOMPOSITION_CSV, self.table(kpis))
        written.append(DECOMPOSITION_CSV)
        if extra is not None:
            written += extra(self, out)
        return written


def decompose(
    scenarios: Sequence[Scenario],
    steps: Sequence[str] | None = None,
    reps: int = 10,
    seed: int = 1,
    n_jobs: int = 1,
    progress: bool = False,
    backend: str | None = None,
    scheduler: str | None = None,
    kpis: Sequence[str] | None = None,
) -> Decomposition:
    """Run a chain of scenarios on the same seeds; step ``i`` is scenario ``i`` minus
    scenario ``i - 1`` (labels ``steps``, by default 'to <scenario name>'); ``kpis`` are
    the ones reported by default (:data:`DEFAULT_KPIS` if not given)."""
    if len(scenarios) < 2:
        raise ValueError("a decomposition needs a chain of at least two scenarios")
    labels = list(steps) if steps else [f"to {sc.name}" for sc in scenarios[1:]]
    if len(labels) != len(scenarios) - 1:
        raise ValueError(
            f"give one step label per scenario after the first: {len(scenarios) - 1} "
            f"labels for {len(scenarios)} scenarios, not {len(labels)}"
        )
    cmp = compare(
        scenarios, reps=reps, seed=seed, n_jobs=n_jobs, progress=progress, backend=backend,
        scheduler=scheduler,
    )  # fmt: skip
    return Decomposition(cmp, labels, tuple(kpis) if kpis else DEFAULT_KPIS)
