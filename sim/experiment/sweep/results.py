"""A sweep's stored replications, with a mean and 95% interval per grid point."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ...metrics import KPIS
from .. import display
from ..accessors import Accessor
from ..output import ExtraFiles, atomic_write_csv, atomic_write_json, atomic_write_parquet
from ..stats import mean_ci
from .grid import SweepError, point_id
from .plan import SweepPlan
from .store import PART_COLUMNS, PARTS, PLAN_FILE, read_parts, stored_parts
from .worker import TaskFailure


@dataclass(repr=False)
class SweepResults:
    """The stored replications of a sweep, with a summary per grid point."""

    plan: SweepPlan
    replications: pd.DataFrame
    """One row per point x replication x KPI x site: ``point_id, rep, seed, kpi, site, value``."""
    failures: list[TaskFailure] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    plot = Accessor(
        "``sw.plot(parameter=None, kpis=None)``: KPIs against one parameter (the first by "
        "default), with 95% CI error bars (matplotlib)."
    )

    def __repr__(self) -> str:
        return display.sweep_repr(self)

    def _repr_html_(self) -> str:
        """Jupyter's view: a compact table of the headline KPIs."""
        return display.sweep_html(self)

    @property
    def parameters(self) -> list[str]:
        return list(self.plan.grid)

    @functools.cached_property
    def points(self) -> pd.DataFrame:
        """One row per grid point: ``point_id`` and a column per parameter."""
        rows = [{"point_id": p.id, **p.overrides} for p in self.plan.points]
        return pd.DataFrame(rows, columns=["point_id", *self.parameters])

    @functools.cached_property
    def summary_all(self) -> pd.DataFrame:
        """Mean and 95% CI per point x KPI x site, with the point's parameter values."""
        rows = []
        for pid, grp in self.replications.groupby("point_id", sort=False):
            for (kpi, site), g in grp.groupby(["kpi", "site"], sort=False):
                mean, sd, low, high, n = mean_ci(g["value"].to_numpy())
                rows.append((pid, kpi, site, mean, sd, low, high, n, KPIS.unit(kpi)))
        cols = ["point_id", "kpi", "site", "mean", "std", "ci_low", "ci_high", "n", "unit"]
        frame = pd.DataFrame(rows, columns=cols)
        return self.points.merge(frame, on="point_id", how="inner", sort=False)

    @property
    def summary(self) -> pd.DataFrame:
        """The whole collaborative's KPIs (site ``""``), one row per point x KPI."""
        s = self.summary_all
        return s[s.site == ""].reset_index(drop=True)

    @property
    def complete(self) -> bool:
        """Every (point, replication) of the plan is stored."""
        n = self.replications.groupby("point_id")["rep"].nunique()
        return len(n) == len(self.plan.points) and bool((n == self.plan.reps).all())

    def point(self, **overrides: Any) -> pd.DataFrame:
        """The replications of one point, given by its overrides (``__`` for ``.``)."""
        wanted = point_id({k.replace("__", "."): v for k, v in overrides.items()})
        return self.replications[self.replications.point_id == wanted].reset_index(drop=True)

    def save(self, out_dir: str | os.PathLike[str], extra: ExtraFiles | None = None) -> list[str]:
        """Write the combined replications, points, summary, ``extra`` files and the
        manifest (last)."""
        out = Path(out_dir)
        written = []
        atomic_write_parquet(out / "replications.parquet", self.replications)
        atomic_write_csv(out / "points.csv", self.points)
        atomic_write_csv(out / "summary.csv", self.summary)
        written += ["replications.parquet", "points.csv", "summary.csv"]
        if extra is not None:
            written += extra(self, out)
        manifest = {
            **self.manifest,
            "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "complete": self.complete,
            "files": [*written, PARTS + "/"],
        }
        atomic_write_json(out / "manifest.json", manifest)
        return [*written, "manifest.json"]


def load_sweep(out_dir: str | os.PathLike[str], plan: SweepPlan | None = None) -> SweepResults:
    """The results stored in a sweep folder (complete or not), e.g. to study in a notebook."""
    out = Path(out_dir)
    if plan is None:
        try:
            plan = SweepPlan.from_dict(json.loads((out / PLAN_FILE).read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise SweepError(f"{out} is not a sweep folder (no {PLAN_FILE})") from None
    stored = stored_parts(out)
    order = {p.id: i for i, p in enumerate(plan.points)}
    keys = sorted(
        (k for k in stored if k[0] in order and k[1] < plan.reps), key=lambda k: (order[k[0]], k[1])
    )
    frames = read_parts(stored[k] for k in keys)
    reps = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PART_COLUMNS)
    if frames:  # a batch may hold replications the plan no longer asks for
        reps = reps[reps.rep < plan.reps].reset_index(drop=True)
    return SweepResults(plan=plan, replications=reps)
