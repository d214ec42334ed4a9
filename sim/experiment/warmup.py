"""How long to warm up: MSER-5 on a time series of the model (White 1997).

A run that starts with empty wards, or from a backlog laid down by hand, spends its first
weeks filling beds and settling lists; KPIs counted then describe the start, not the
system. MSER-5 looks at one measure over time (beds occupied, patients waiting), averaged
over a few replications, and chooses how much of the start to drop:

1. group the observations in batches of 5 and take each batch's mean ``Z_1 .. Z_k``;
2. for each candidate truncation of ``d`` batches, in the first half of the series,
   ``MSER(d) = sum_{j>d} (Z_j - mean(Z_{d+1..k}))^2 / (k - d)^2``: the squared standard
   error of the mean of what is kept;
3. keep the ``d`` with the smallest statistic: dropping more would leave too little data,
   dropping less would keep the transient's bias.

A minimum at the end of the first half means the series has not settled: run longer.

White, K. P. (1997). An effective truncation heuristic for bias reduction in simulation
output. *Simulation* 69(6), 323-334. White, Cobb & Spratt (2000), WSC, for MSER-5.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..scenario.schema import Scenario
from .accessors import Accessor

if TYPE_CHECKING:
    import pandas as pd

MEASURES = (
    "waiting_list",
    "over_18_weeks",
    "over_52_weeks",
    "general_beds_occupied",
    "elective_beds_occupied",
    "emergency_queue",
)


@dataclass(frozen=True)
class Mser:
    """MSER on one series: batch means, the statistic per candidate truncation, the choice."""

    series: np.ndarray
    batch_size: int
    batch_means: np.ndarray
    statistic: np.ndarray
    """``MSER(d)`` for ``d = 0 .. k // 2`` batches dropped."""
    batches_dropped: int

    @property
    def truncation(self) -> int:
        """Observations to drop from the start."""
        return self.batches_dropped * self.batch_size

    @property
    def at_boundary(self) -> bool:
        """The minimum is at the end of the first half: the series may not have settled."""
        return self.batches_dropped == len(self.statistic) - 1 and self.batches_dropped > 0


def mser(series: np.ndarray, batch_size: int = 5) -> Mser:
    """MSER with batch means of ``batch_size`` (5 for MSER-5) on a series in time order.

    Observations past the last whole batch are left out, as in White (1997).
    """
    x = np.asarray(series, dtype=float)
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if not np.isfinite(x).all():
        raise ValueError("the series has missing values")
    k = x.size // batch_size
    if k < 4:
        raise ValueError(
            f"MSER needs at least {4 * batch_size} observations (4 batches), got {x.size}"
        )
    z = x[: k * batch_size].reshape(k, batch_size).mean(axis=1)
    stat = np.empty(k // 2 + 1)
    for d in range(stat.size):
        tail = z[d:]
        stat[d] = float(((tail - tail.mean()) ** 2).sum()) / (k - d) ** 2
    return Mser(x, batch_size, z, stat, int(np.argmin(stat)))


@dataclass(frozen=True)
class WarmupRecommendation:
    """MSER-5 on a measure of a scenario, averaged over replications, in days."""

    scenario_name: str
    measure: str
    site: str
    reps: int
    days: np.ndarray
    """Snapshot times, in days from the start."""
    replications: np.ndarray
    """The measure per replication (rows) and snapshot (columns)."""
    result: Mser
    declared_warm_up_days: float

    plot = Accessor(
        "``rec.plot()``: the series, its batch means, the MSER statistic and the cut (matplotlib)."
    )

    @property
    def warm_up_days(self) -> float:
        """The recommended warm-up: the time of the first snapshot kept."""
        return float(self.days[self.result.truncation] - self.days[0])

    @property
    def warm_up_weeks(self) -> float:
        return self.warm_up_days / 7.0

    def describe(self) -> str:
        where = self.site or "whole collaborative"
        step = float(np.median(np.diff(self.days))) if self.days.size > 1 else float("nan")
        text = (
            f"MSER-{self.result.batch_size} on {self.measure} ({where}), mean of {self.reps} "
            f"replications, {self.days.size} snapshots every {step:g} days: drop the first "
            f"{self.result.truncation} snapshots, a warm-up of {self.warm_up_weeks:.3g} weeks "
            f"({self.warm_up_days:.3g} days); the scenario declares "
            f"{self.declared_warm_up_days / 7:g} weeks."
        )
        if self.result.at_boundary:
            text += (
                " The minimum is at the end of the first half of the run: the measure may "
                "not settle at all; lengthen the horizon and check again."
            )
        return text


def measure_series(timeseries: pd.DataFrame, measure: str, site: str = "") -> pd.DataFrame:
    """One measure per replication and snapshot (columns ``rep, day, value``).

    ``site=""`` is the whole collaborative: the network row where the model records one
    (waiting lists), else the sum over sites (beds occupied).
    """
    ts = timeseries[timeseries.measure == measure]
    if ts.empty:
        raise ValueError(f"no time series {measure!r}; choose one of {', '.join(MEASURES)}")
    if site:
        sel = ts[ts.site == site]
        if sel.empty:
            sites = sorted(s for s in ts.site.unique() if s)
            raise ValueError(f"no site {site!r} in {measure}; sites: {', '.join(sites)}")
    elif (ts.site == "").any():
        sel = ts[ts.site == ""]
    else:
        sel = ts.groupby(["rep", "day"], as_index=False)["value"].sum()
    return sel[["rep", "day", "value"]].sort_values(["rep", "day"]).reset_index(drop=True)


def recommend_warmup(
    scenario: Scenario,
    measure: str = "general_beds_occupied",
    site: str = "",
    reps: int = 5,
    seed: int = 1,
    n_jobs: int = 1,
    batch_size: int = 5,
    backend: str | None = None,
    scheduler: str | None = None,
) -> WarmupRecommendation:
    """Run ``reps`` replications and apply MSER-``batch_size`` to their mean ``measure``.

    The snapshots are every ``scenario.snapshot_interval``; a shorter interval gives a
    finer answer.
    """
    from .runner import run

    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; choose one of {', '.join(MEASURES)}")
    if site and site not in scenario.sites:
        raise ValueError(f"unknown site {site!r}; sites: {', '.join(scenario.sites)}")
    res = run(scenario, reps=reps, seed=seed, n_jobs=n_jobs, backend=backend, scheduler=scheduler)
    series = measure_series(res.timeseries, measure, site)
    wide = series.pivot(index="rep", columns="day", values="value").sort_index(axis=1)
    wide = wide.dropna(axis=1)  # snapshots every replication reached
    days = wide.columns.to_numpy(dtype=float)
    values = wide.to_numpy(dtype=float)
    result = mser(values.mean(axis=0), batch_size)
    return WarmupRecommendation(
        scenario.name, measure, site, reps, days, values, result, float(scenario.warm_up)
    )
