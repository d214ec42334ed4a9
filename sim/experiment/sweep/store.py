"""A sweep's folder: its plan file, one writer at a time, and the stored parts.

A part is one finished (point, replication) (``parts/<point_id>/rep-00012.parquet``) or a
batch of them, replications 0 to 24 say (``parts/<point_id>/reps-00000-00024.parquet``),
renamed into place once complete, so a part that exists is whole.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..output import OutputFolderError, atomic_write_json, atomic_write_parquet, folder_lock
from .grid import SweepError
from .plan import SweepPlan

PLAN_FILE = "sweep.json"
PARTS = "parts"
LOCK_FILE = ".sweep.lock"
OUTPUTS = ("replications.parquet", "points.csv", "summary.csv", "manifest.json")
PART_COLUMNS = ["point_id", "rep", "seed", "kpi", "site", "value"]

_PART_NAME = re.compile(r"^rep-(\d+)\.parquet$")
_BATCH_NAME = re.compile(r"^reps-(\d+)-(\d+)\.parquet$")


def part_path(out: Path, pid: str, rep: int, last: int | None = None) -> Path:
    """The part of replication ``rep`` of a point, or of replications ``rep`` to ``last``."""
    if last is None or last == rep:
        return out / PARTS / pid / f"rep-{rep:05d}.parquet"
    return out / PARTS / pid / f"reps-{rep:05d}-{last:05d}.parquet"


def write_part(
    out: Path, pid: str, rep: int, rows: list[tuple[Any, ...]], last: int | None = None
) -> None:
    """Store one finished (point, replication), or the replications ``rep`` to ``last``
    (all finished): their ``PART_COLUMNS`` rows."""
    frame = pd.DataFrame(rows, columns=PART_COLUMNS)
    atomic_write_parquet(part_path(out, pid, rep, last), frame)


def stored_parts(out: Path) -> dict[tuple[str, int], Path]:
    """Every complete (point, replication) in a sweep folder and the part holding it
    (temporary files are never matched)."""
    found = {}
    parts = out / PARTS
    if not parts.is_dir():
        return found
    for folder in parts.iterdir():
        if not folder.is_dir():
            continue
        for f in folder.iterdir():
            m = _PART_NAME.match(f.name)
            if m:
                found[(folder.name, int(m.group(1)))] = f
                continue
            m = _BATCH_NAME.match(f.name)
            if m:
                for rep in range(int(m.group(1)), int(m.group(2)) + 1):
                    found[(folder.name, rep)] = f
    return found


def read_parts(paths: Iterable[Path]) -> list[pd.DataFrame]:
    """The rows of each part (a batch named more than once is read once)."""
    frames = []
    for path in dict.fromkeys(paths):
        try:
            frames.append(pd.read_parquet(path))
        except Exception as exc:  # a part is renamed into place only once complete
            raise SweepError(f"cannot read the stored part {path}: {exc}") from exc
    return frames


def remove_temporary_files(out: Path) -> int:
    """Delete what an interrupted writer left (``.<name>.<random>.part``); returns how many."""
    n = 0
    folders = [out, *((out / PARTS).iterdir() if (out / PARTS).is_dir() else [])]
    for folder in folders:
        if folder.is_dir():
            for f in folder.glob(".*.part"):
                f.unlink(missing_ok=True)
                n += 1
    return n


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Only one sweep writes to a folder at a time; the lock dies with its process and
    its file (``.sweep.lock``) is removed at the end (see `output.folder_lock`)."""
    try:
        with folder_lock(out, LOCK_FILE, "hubsim sweep"):
            yield
    except OutputFolderError as exc:
        raise SweepError(str(exc)) from None


def claim(out: Path, plan: SweepPlan, overwrite: bool) -> None:
    """Refuse a folder holding another sweep (unless ``overwrite``); record the plan."""
    plan_file = out / PLAN_FILE
    old = None
    if plan_file.exists():
        old = json.loads(plan_file.read_text(encoding="utf-8"))
    elif any(p.name != LOCK_FILE for p in out.iterdir()) and not overwrite:
        raise SweepError(
            f"{out} already holds files that are not a sweep; choose another folder "
            "or pass --overwrite"
        )
    if old is not None and not overwrite:
        why = _mismatch(old, plan)
        if why:
            raise SweepError(
                f"{out} holds a different sweep ({why}); rerun with the same scenario, grid "
                "and seed to continue it, choose another folder, or pass --overwrite to "
                "start again"
            )
    if overwrite:
        shutil.rmtree(out / PARTS, ignore_errors=True)
        for name in OUTPUTS:
            (out / name).unlink(missing_ok=True)
        for png in out.glob("sweep_*.png"):
            png.unlink()
    (out / "manifest.json").unlink(missing_ok=True)  # outputs are stale until the end
    atomic_write_json(plan_file, plan.as_dict())


def _mismatch(old: Mapping[str, Any], plan: SweepPlan) -> str:
    if old.get("scenario_hash") != plan.scenario_hash:
        return f"scenario {old.get('scenario')} with hash {old.get('scenario_hash')}, "
    if old.get("seed") != plan.seed:
        return f"seed {old.get('seed')}, not {plan.seed}"
    if {p["id"] for p in old.get("points", [])} != {p.id for p in plan.points}:
        return f"grid {json.dumps(old.get('grid'), default=str)}"
    return ""
