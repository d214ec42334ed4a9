"""Comparing scenarios on common random numbers: paired differences with confidence intervals.

Every scenario is run with the same seed and replication numbers, so replication ``r``
of each sees the same referrals and emergencies. The difference of a KPI between a
scenario and the first (the baseline) is taken replication by replication, and its mean
gets a t-interval: far narrower than comparing two independent sets of runs.

A saved comparison is a folder with one results folder per scenario and
``comparison.csv``, the paired differences (what ``hubsim report`` reads back).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..scenario.schema import Scenario
from . import display
from .accessors import Accessor
from .backends import connected, resolve_backend
from .export import comparison_tables, write_xlsx
from .output import (
    ExtraFiles,
    atomic_write_csv,
    atomic_write_json,
    checksums,
    folder_lock,
    prepare_folder,
)
from .results import Results
from .runner import run
from .stats import mean_ci


@dataclass(repr=False)
class Comparison:
    """Results of several scenarios on the same seeds, and their paired differences."""

    results: list[Results]

    plot = Accessor("Plots of the comparison (matplotlib), e.g. ``cmp.plot.forest()``.")

    def __repr__(self) -> str:
        return display.comparison_repr(self)

    def _repr_html_(self) -> str:
        """Jupyter's view: a compact table of the headline KPIs."""
        return display.comparison_html(self)

    #: The columns of ``comparison.csv``.
    CSV_COLUMNS = ("scenario", "kpi", "site", "diff_mean", "diff_ci_low", "diff_ci_high")

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

    def save(
        self,
        out_dir: str | os.PathLike[str],
        overwrite: bool = False,
        folders: Sequence[str] | None = None,
        extra: ExtraFiles | None = None,
    ) -> list[str]:
        """Write each scenario's results to its own sub-folder, then ``comparison.csv``;
        returns the files written, relative to ``out_dir``.

        ``folders`` names the sub-folders, one per scenario, the baseline first (by default
        the scenario names, made safe for a file system). ``extra(obj, folder)`` writes
        more files: each scenario's before its manifest, then the comparison's after
        ``comparison.csv`` (``sim.report.save_plots`` writes the plots).
        """
        names = list(folders) if folders is not None else [_folder(r.name) for r in self.results]
        if len(names) != len(self.results) or len(set(names)) != len(names):
            raise ValueError(f"give one distinct folder name per scenario, not {names}")
        with folder_lock(out_dir):
            return self._save(prepare_folder(out_dir, overwrite), names, extra)

    def _save(self, out: Path, names: list[str], extra: ExtraFiles | None) -> list[str]:
        written = []
        for name, res in zip(names, self.results, strict=True):
            files = res.save(str(out / name), overwrite=True, extra=extra)
            written += [f"{name}/{f}" for f in files]
        atomic_write_csv(out / "comparison.csv", self.differences()[list(self.CSV_COLUMNS)])
        own = ["comparison.csv"]
        if extra is not None:
            own += extra(self, out)
        base = self.baseline.manifest
        manifest = {
            "comparison": list(self.names),
            "folders": names,
            "seed": base.get("seed"),
            "reps": base.get("reps"),
            "replications": base.get("replications"),
            **{k: base[k] for k in ("partial", "reps_planned") if k in base},
            "files": own,
            "sha256": checksums(out, own),
        }
        atomic_write_json(out / "manifest.json", manifest)  # last: the comparison is complete
        return [*written, *own, "manifest.json"]

    def to_excel(self, path: str | os.PathLike[str]) -> Path:
        """Write the comparison as an XLSX workbook: the paired differences with their 95%
        intervals ("Differences"), then every scenario's KPIs ("KPIs"), human labels and
        shares in % (differences in pp). Returns the path written."""
        return write_xlsx(comparison_tables(self), path)


def _folder(name: str) -> str:
    """A scenario name as a folder name: letters, digits, ``.``, ``-`` and ``_``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "scenario"


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
