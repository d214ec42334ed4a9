"""Reading back a results folder: what ``hubsim run`` and ``hubsim compare`` leave.

A report is built from these files (``summary.csv``, ``manifest.json``, ``scenario.yaml``,
the PNG plots, ``comparison.csv``), never from memory, so ``hubsim report`` on an old
folder gives the same report as the one written at the end of a run.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..scenario.schema import Scenario
from .plots import STANDARD_PLOTS

#: The plan a sweep folder holds (a sweep's report is told from a run's by it).
SWEEP_PLAN = "sweep.json"


class ReportError(Exception):
    """The folder does not hold finished results (no manifest, no summary, ...)."""


@dataclass
class RunFolder:
    """What one scenario's results folder holds."""

    path: Path
    summary: pd.DataFrame
    manifest: dict[str, Any]
    scenario_yaml: str
    scenario: Scenario | None
    plots: list[Path] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.manifest.get("scenario_name") or self.path.name)

    def site_name(self, sid: str) -> str:
        if self.scenario is not None and sid in self.scenario.sites:
            return self.scenario.sites[sid].name or sid
        return sid

    def network(self) -> pd.DataFrame:
        """The whole collaborative's KPIs that were measured, indexed by KPI."""
        s = self.summary
        return s[(s.site == "") & (s.n > 0)].set_index("kpi")


def read_run(folder: str | os.PathLike[str]) -> RunFolder:
    """Read a folder written by ``hubsim run`` (or one scenario's part of a comparison)."""
    path = Path(folder)
    if not (path / "manifest.json").is_file():
        raise ReportError(
            f"{path} has no manifest.json: the run did not finish, or this is not a results folder"
        )
    if not (path / "summary.csv").is_file():
        raise ReportError(f"{path} has no summary.csv")
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    summary = pd.read_csv(path / "summary.csv", keep_default_na=False, na_values=[""])
    summary["site"] = summary["site"].fillna("").astype(str)
    text = (path / "scenario.yaml").read_text(encoding="utf-8")
    try:
        scenario = Scenario.model_validate(yaml.safe_load(text))
    except Exception:  # noqa: BLE001 - written by another version: report without it
        scenario = None
    known = [path / n for n in STANDARD_PLOTS if (path / n).is_file()]
    others = sorted(p for p in path.glob("*.png") if p not in known)
    return RunFolder(path, summary, manifest, text, scenario, known + others)


def read_comparison(folder: Path) -> tuple[pd.DataFrame, list[RunFolder]]:
    """comparison.csv and the scenarios' folders, the baseline first."""
    diffs = pd.read_csv(folder / "comparison.csv", keep_default_na=False, na_values=[""])
    diffs["site"] = diffs["site"].fillna("").astype(str)
    runs = [read_run(p.parent) for p in sorted(folder.glob("*/manifest.json"))]
    if not runs:
        raise ReportError(f"{folder} has comparison.csv but no finished scenario folders")
    others = list(dict.fromkeys(diffs.scenario))
    base = [r for r in runs if r.name not in others]
    if len(base) != 1:
        raise ReportError(f"cannot tell which scenario in {folder} is the baseline")
    order = {name: i for i, name in enumerate(others)}
    rest = sorted((r for r in runs if r.name in order), key=lambda r: order[r.name])
    b = base[0].summary.set_index(["kpi", "site"])["mean"]
    keys = zip(diffs.kpi, diffs.site, strict=True)
    diffs["baseline_mean"] = [b.get(key, float("nan")) for key in keys]
    diffs["excludes_zero"] = (diffs.diff_ci_low > 0) | (diffs.diff_ci_high < 0)
    return diffs, [base[0], *rest]


def kind_of(folder: Path) -> str:
    """``run``, ``comparison``, ``sweep``, ``sensitivity`` or ``threshold`` (a threshold or
    target search); a ReportError for anything else."""
    if not folder.is_dir():
        raise ReportError(f"{folder} is not a folder")
    if (folder / SWEEP_PLAN).is_file():
        return "sweep"
    if (folder / "sensitivity.json").is_file():
        return "sensitivity"
    if (folder / "threshold.json").is_file():
        return "threshold"
    if (folder / "summary.csv").is_file() or (folder / "manifest.json").is_file():
        return "run"
    if (folder / "comparison.csv").is_file():
        return "comparison"
    raise ReportError(
        f"{folder} holds neither the results of 'hubsim run' (summary.csv, manifest.json) "
        "nor of 'hubsim compare' (comparison.csv)"
    )
