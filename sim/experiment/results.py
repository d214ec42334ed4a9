"""Results of many replications: tidy pandas frames, a KPI summary with intervals, saving.

``Results`` holds the per-replication records and builds each frame once, on first use:

- ``summary``: one row per KPI and site: ``kpi, site, mean, std, ci_low, ci_high, n``
  (``site`` is blank for the whole collaborative);
- ``replications``: one row per replication x KPI x site;
- ``timeseries``: weekly snapshots (waiting list, long waiters, beds in use) per replication;
- ``treated``: every operation's wait, for wait distributions;
- ``events``: the patient-level log, when the run asked for it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..metrics import KPIS
from ..replication import ReplicationFailure, ReplicationResult
from ..scenario.schema import PRIORITIES, Scenario
from . import display
from .accessors import Accessor
from .export import result_tables, write_xlsx
from .output import ExtraFiles, write_results
from .stats import mean_ci


class ReplicationError(RuntimeError):
    """One or more replications failed; ``failures`` says which, with their seeds."""

    def __init__(self, failures: Sequence[ReplicationFailure], partial: Results | None = None):
        self.failures = list(failures)
        self.partial = partial
        lines = [f.describe() for f in self.failures]
        super().__init__(f"{len(self.failures)} replication(s) failed:\n" + "\n".join(lines))


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during a run. ``partial`` holds the replications that had finished, with
    ``manifest["partial"] = True`` and the replications planned (None if none had)."""

    def __init__(self, partial: Any = None) -> None:
        super().__init__()
        self.partial = partial


@dataclass(repr=False)
class Results:
    """Replications of one scenario, with frames built on demand."""

    scenario: Scenario
    seed: int
    reps: list[ReplicationResult]
    failures: list[ReplicationFailure] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    plot = Accessor("Plots of these results (matplotlib), e.g. ``res.plot.waiting_list()``.")

    def __repr__(self) -> str:
        return display.results_repr(self)

    def _repr_html_(self) -> str:
        """Jupyter's view: a compact table of the headline KPIs."""
        return display.results_html(self)

    @property
    def name(self) -> str:
        return self.scenario.name

    @functools.cached_property
    def replications(self) -> pd.DataFrame:
        rows = [(r.rep, r.seed, k, s, v) for r in self.reps for k, s, v in r.kpis]
        return pd.DataFrame(rows, columns=["rep", "seed", "kpi", "site", "value"])

    @functools.cached_property
    def summary(self) -> pd.DataFrame:
        out = []
        reps = self.replications
        for (kpi, site), grp in reps.groupby(["kpi", "site"], sort=False):
            mean, sd, low, high, n = mean_ci(grp["value"].to_numpy())
            out.append((kpi, site, mean, sd, low, high, n, KPIS.unit(kpi)))
        cols = ["kpi", "site", "mean", "std", "ci_low", "ci_high", "n", "unit"]
        return pd.DataFrame(out, columns=cols)

    def kpi(self, name: str, site: str = "") -> pd.Series:
        """The summary row of one KPI (``site=""`` for the whole collaborative)."""
        s = self.summary
        row = s[(s.kpi == name) & (s.site == site)]
        if row.empty:
            raise KeyError(f"no KPI {name!r} for site {site!r}")
        return row.iloc[0]

    @functools.cached_property
    def timeseries(self) -> pd.DataFrame:
        rows = [(r.rep, t, s, m, v) for r in self.reps for t, s, m, v in r.timeseries]
        df = pd.DataFrame(rows, columns=["rep", "day", "site", "measure", "value"])
        df["week"] = df["day"] / 7.0
        start = pd.Timestamp(self.scenario.start_date)
        df["date"] = start + pd.to_timedelta(df["day"], unit="D")
        return df

    @functools.cached_property
    def treated(self) -> pd.DataFrame:
        sites = list(self.scenario.sites)
        parts = [pd.DataFrame(r.treated).assign(rep=r.rep) for r in self.reps]
        cols = ["rep", "home", "site", "priority", "wait_days", "day", "quintile"]
        df = pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)
        df.insert(1, "home_site", pd.Categorical.from_codes(df.pop("home").astype(int), sites))
        df["site"] = pd.Categorical.from_codes(df["site"].astype(int), sites)
        df["priority"] = pd.Categorical.from_codes(df["priority"].astype(int), PRIORITIES)
        df["wait_weeks"] = df["wait_days"] / 7.0
        return df

    @functools.cached_property
    def events(self) -> pd.DataFrame | None:
        if any(r.events is None for r in self.reps):
            return None
        rows = [(r.rep, *e) for r in self.reps for e in r.events]
        return pd.DataFrame(rows, columns=["rep", "day", "event", "patient", "site", "detail"])

    @functools.cached_property
    def occupancy(self) -> pd.DataFrame:
        """Share of time at each number of occupied beds, per bed pool (all replications)."""
        rows = []
        for r in self.reps:
            for pool, times in r.occupancy.items():
                total = sum(times) or 1.0
                rows.extend((r.rep, pool, k, t / total) for k, t in enumerate(times))
        return pd.DataFrame(rows, columns=["rep", "pool", "occupied", "fraction"])

    def table(self, site: str = "") -> pd.DataFrame:
        """The summary of one site (or the whole collaborative) indexed by KPI."""
        s = self.summary
        return s[s.site == site].set_index("kpi")[["mean", "ci_low", "ci_high", "n", "unit"]]

    def save(
        self, out_dir: str, overwrite: bool = False, extra: ExtraFiles | None = None
    ) -> list[str]:
        """Write summary, replications, time series, scenario and manifest to ``out_dir``.

        ``extra(self, folder)`` writes more files before the manifest, which lists them
        too: ``res.save(folder, extra=sim.report.save_plots)`` adds the plots.
        """
        return write_results(self, out_dir, overwrite=overwrite, extra=extra)

    def to_excel(self, path: str | os.PathLike[str]) -> Path:
        """Write the results as an XLSX workbook, one sheet per table with human labels:
        KPIs (means and 95% intervals, whole collaborative then by site), Replications,
        Time series, Run and Scenario. Returns the path written."""
        return write_xlsx(result_tables(self), path)

    def wall_seconds(self) -> np.ndarray:
        return np.array([r.wall_seconds for r in self.reps])
