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

from ..experiment.output import changed_files
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


def read_manifest(path: Path, what: str = "results folder") -> dict[str, Any]:
    """A folder's manifest.json, checked: a JSON mapping, and every file it lists with a
    SHA-256 still as hubsim wrote it. Raises `ReportError` saying what is wrong."""
    file = path / "manifest.json"
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(
            f"{path} has no manifest.json: the run did not finish, or this is not a {what}"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"{file} cannot be read ({exc})") from None
    except ValueError as exc:
        raise ReportError(
            f"{file} is not valid JSON ({exc}); it was changed or cut short after hubsim "
            "wrote it: run again to rebuild the folder"
        ) from None
    if not isinstance(manifest, dict):
        raise ReportError(
            f"{file} holds {type(manifest).__name__} JSON, not hubsim's manifest (a mapping); "
            "run again to rebuild the folder"
        )
    changed = changed_files(path, manifest)
    if changed:
        raise ReportError(
            f"{path}: files differ from those hubsim wrote (SHA-256 in manifest.json): "
            f"{', '.join(changed)}; run again to rebuild the folder"
        )
    return manifest


#: Columns of summary.csv: text, and figures (numbers or empty).
SUMMARY_TEXT = ("kpi", "site")
SUMMARY_NUMBERS = ("mean", "ci_low", "ci_high", "n")


def read_summary(file: Path) -> pd.DataFrame:
    """summary.csv, checked: its columns there and every figure a number (or empty)."""
    try:
        summary = pd.read_csv(file, keep_default_na=False, na_values=[""], dtype=str)
    except FileNotFoundError:
        raise ReportError(f"{file.parent} has no summary.csv") from None
    except (OSError, ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ReportError(f"{file} cannot be read as CSV ({exc})") from None
    missing = [c for c in (*SUMMARY_TEXT, *SUMMARY_NUMBERS) if c not in summary.columns]
    if missing:
        raise ReportError(f"{file} lacks the column(s) {', '.join(missing)}")
    for col in summary.columns:
        if col in SUMMARY_TEXT:
            continue
        numbers = pd.to_numeric(summary[col], errors="coerce")
        bad = numbers.isna() & summary[col].notna()
        if bad.any() and col in SUMMARY_NUMBERS:
            row = int(bad.to_numpy().nonzero()[0][0])
            value = str(summary[col].iloc[row])[:40]
            raise ReportError(f"{file}, row {row + 2}, column {col}: {value!r} is not a number")
        if not bad.any():
            summary[col] = numbers
    summary["site"] = summary["site"].fillna("").astype(str)
    return summary


def read_run(folder: str | os.PathLike[str]) -> RunFolder:
    """Read a folder written by ``hubsim run`` (or one scenario's part of a comparison);
    a ReportError says what is missing, cut short or changed."""
    path = Path(folder)
    manifest = read_manifest(path)
    summary = read_summary(path / "summary.csv")
    try:
        text = (path / "scenario.yaml").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportError(f"{path} has no scenario.yaml; run again to rebuild the folder") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"{path / 'scenario.yaml'} cannot be read ({exc})") from None
    try:
        scenario = Scenario.model_validate(yaml.safe_load(text))
    except Exception:  # noqa: BLE001 - written by another version: report without it
        scenario = None
    known = [path / n for n in STANDARD_PLOTS if (path / n).is_file()]
    others = sorted(p for p in path.glob("*.png") if p not in known)
    return RunFolder(path, summary, manifest, text, scenario, known + others)


def read_comparison(folder: Path) -> tuple[pd.DataFrame, list[RunFolder]]:
    """comparison.csv and the scenarios' folders, the baseline first."""
    if (folder / "manifest.json").exists():  # written last by hubsim compare
        read_manifest(folder, "comparison folder")
    try:
        diffs = pd.read_csv(folder / "comparison.csv", keep_default_na=False, na_values=[""])
        diffs["site"] = diffs["site"].fillna("").astype(str)
    except (OSError, ValueError, KeyError, pd.errors.ParserError) as exc:
        raise ReportError(f"{folder / 'comparison.csv'} cannot be read ({exc})") from None
    runs = [read_run(p.parent) for p in sorted(folder.glob("*/manifest.json"))]
    if not runs:
        raise ReportError(f"{folder} has comparison.csv but no finished scenario folders")
    if not (folder / "manifest.json").exists() and any("sha256" in r.manifest for r in runs):
        # this hubsim writes the comparison's manifest last: without it, it did not finish
        raise ReportError(
            f"{folder} holds an unfinished comparison (no manifest.json): run the comparison "
            "again with --overwrite"
        )
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
    if (folder / "comparison.csv").is_file():  # it has a manifest.json too
        return "comparison"
    if (folder / "summary.csv").is_file() or (folder / "manifest.json").is_file():
        return "run"
    raise ReportError(
        f"{folder} holds neither the results of 'hubsim run' (summary.csv, manifest.json) "
        "nor of 'hubsim compare' (comparison.csv)"
    )
