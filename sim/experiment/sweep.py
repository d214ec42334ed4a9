"""Parameter sweeps that survive a crash: a grid of scenario changes x replications.

A *grid* maps dotted scenario paths (``sites.cannock.beds.elective``) to the values to
try; its *points* are the cartesian product, each a set of overrides applied to the
scenario file with ``load_scenario(path, overrides)``. Every point is checked before
anything runs. Replication ``r`` of every point uses the sweep's seed and ``r`` (common
random numbers), so all points see the same patients, and a point's results equal
``sim.run(point_scenario, reps, seed)``.

A sweep folder holds::

    sweep.json                          the plan: scenario hash, grid, seed, reps, points
    parts/<point_id>/rep-00012.parquet  one finished (point, replication): its KPIs
    replications.parquet, points.csv, summary.csv, sweep_<parameter>.png, manifest.json

Parts are written by this process from the workers' return values (so any joblib
backend works, a dask cluster included) as soon as each task finishes, to a hidden
temporary name renamed into place: a part that exists is complete, and temporary files
are ignored when reading and removed at the next start. Running the same sweep again
after a crash or ``kill -9`` runs only the tasks with no part.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import itertools
import json
import os
import re
import shutil
import traceback
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .._version import __version__
from ..metrics import KPIS
from ..replication import run_replication
from ..scenario.errors import ScenarioError
from ..scenario.load import load_scenario, scenario_hash
from ..scenario.schema import Scenario
from .accessors import Accessor
from .backends import parallel_map, resolve_backend
from .output import ExtraFiles, atomic_write_csv, atomic_write_json, atomic_write_parquet
from .stats import mean_ci

PLAN_FILE = "sweep.json"
PARTS = "parts"
LOCK_FILE = ".sweep.lock"
OUTPUTS = ("replications.parquet", "points.csv", "summary.csv", "manifest.json")
PART_COLUMNS = ["point_id", "rep", "seed", "kpi", "site", "value"]

Grid = dict[str, list[Any]]


class SweepError(Exception):
    """The grid or the sweep folder cannot be used; the message says why."""


# -- the grid ----------------------------------------------------------------------------
def parse_values(text: str) -> list[Any]:
    """``"20,26,30"`` -> ``[20, 26, 30]``: comma-separated YAML scalars (``6 days`` stays text)."""
    values = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            raise SweepError(f"empty value in {text!r}")
        values.append(yaml.safe_load(item))
    return values


def parse_set(spec: str) -> tuple[str, list[Any]]:
    """``"sites.cannock.beds.elective=20,26,30"`` -> (path, values)."""
    path, sep, values = spec.partition("=")
    path = path.strip()
    if not sep or not path or not values.strip():
        raise SweepError(f"--set {spec!r}: expected PATH=V1,V2,... with a dotted scenario path")
    return path, parse_values(values)


def load_grid(path: str | os.PathLike[str]) -> Grid:
    """A grid file: a YAML mapping of dotted scenario paths to lists of values."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SweepError(f"{path}: cannot read the grid file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise SweepError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not data:
        raise SweepError(
            f"{path}: a grid file maps dotted scenario paths to lists of values, e.g.\n"
            "  sites.cannock.beds.elective: [20, 26, 30]"
        )
    grid: Grid = {}
    for key, values in data.items():
        if isinstance(values, dict):
            raise SweepError(f"{path}, field {key}: give a list of values, not a mapping")
        values = values if isinstance(values, list) else [values]
        if not values:
            raise SweepError(f"{path}, field {key}: the list of values is empty")
        grid[str(key)] = values
    return grid


def make_grid(grid_file: str | os.PathLike[str] | None = None, sets: Sequence[str] = ()) -> Grid:
    """The grid of a ``--grid`` file and ``--set`` options together."""
    grid: Grid = load_grid(grid_file) if grid_file else {}
    for spec in sets:
        path, values = parse_set(spec)
        if path in grid:
            raise SweepError(f"the scenario path {path} is given twice")
        grid[path] = values
    if not grid:
        raise SweepError("a sweep needs a grid: --grid GRID.yaml or --set PATH=V1,V2,...")
    for path, values in grid.items():
        if len({json.dumps(v, default=str) for v in values}) != len(values):
            raise SweepError(f"{path}: a value is repeated in {values}")
    return grid


def grid_points(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """The cartesian product of the grid, the first parameter varying slowest."""
    names = list(grid)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grid.values())]


def point_id(overrides: Mapping[str, Any]) -> str:
    """A stable short name for a set of overrides (hash of their sorted JSON)."""
    text = json.dumps(dict(overrides), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def describe_point(overrides: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in overrides.items())


# -- the plan ----------------------------------------------------------------------------
@dataclass(frozen=True)
class SweepPoint:
    """One grid point: its overrides and, when planned here, its checked scenario."""

    id: str
    overrides: dict[str, Any]
    scenario: Scenario | None = field(default=None, compare=False, repr=False)


@dataclass
class SweepPlan:
    """Everything that decides a sweep's results: scenario, grid, seed, replications."""

    scenario_path: str
    scenario_hash: str
    grid: Grid
    seed: int
    reps: int
    points: list[SweepPoint]

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario_path,
            "scenario_hash": self.scenario_hash,
            "grid": self.grid,
            "seed": self.seed,
            "reps": self.reps,
            "points": [{"id": p.id, "overrides": p.overrides} for p in self.points],
            "hubsim_version": __version__,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SweepPlan:
        points = [SweepPoint(p["id"], dict(p["overrides"])) for p in data["points"]]
        keys = ("scenario", "scenario_hash", "grid", "seed", "reps")
        return cls(*(data[k] for k in keys), points=points)


def plan_sweep(
    scenario_path: str | os.PathLike[str],
    grid: Mapping[str, Sequence[Any]],
    reps: int = 10,
    seed: int = 1,
) -> SweepPlan:
    """Check the scenario at every grid point; raise ``ScenarioError`` naming each bad point."""
    if reps < 1:
        raise SweepError("a sweep needs at least 1 replication")
    base = load_scenario(scenario_path)
    points: list[SweepPoint] = []
    problems: dict[str, list[str]] = {}  # each distinct problem -> the points that have it
    combos = grid_points(grid)
    for overrides in combos:
        try:
            sc = load_scenario(scenario_path, overrides)
        except ScenarioError as exc:
            for problem in exc.problems:
                problems.setdefault(problem, []).append(describe_point(overrides))
            continue
        points.append(SweepPoint(point_id(overrides), overrides, sc))
    if problems:
        everywhere = "every grid point"
        paragraphs = [
            f"{problem}\n(at {everywhere if len(where) == len(combos) else '; '.join(where)})"
            for problem, where in problems.items()
        ]
        raise ScenarioError(
            "the grid makes scenarios that cannot run; nothing was run.\n\n"
            + "\n\n".join(paragraphs),
            file=str(scenario_path),
            problems=paragraphs,
        )
    grid = {k: list(v) for k, v in grid.items()}
    return SweepPlan(str(scenario_path), scenario_hash(base), grid, seed, reps, points)


# -- the folder --------------------------------------------------------------------------
def part_path(out: Path, pid: str, rep: int) -> Path:
    return out / PARTS / pid / f"rep-{rep:05d}.parquet"


_PART_NAME = re.compile(r"^rep-(\d+)\.parquet$")


def stored_parts(out: Path) -> dict[tuple[str, int], Path]:
    """Every complete part in a sweep folder (temporary files are never matched)."""
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
    return found


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
def _locked(out: Path) -> Iterator[None]:
    """Only one sweep writes to a folder at a time (the lock dies with its process)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    with open(out / LOCK_FILE, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SweepError(f"another hubsim sweep is writing to {out}; wait for it") from None
        yield


def _prepare(out: Path, plan: SweepPlan, overwrite: bool) -> None:
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


# -- running -----------------------------------------------------------------------------
@dataclass(frozen=True)
class TaskFailure:
    """A (point, replication) that raised: enough to reproduce it alone."""

    point_id: str
    rep: int
    seed: int
    error: str
    traceback: str

    def describe(self, overrides: Mapping[str, Any] | None = None) -> str:
        where = f"grid point {describe_point(overrides)}" if overrides else self.point_id
        return f"{where}, replication {self.rep} (seed {self.seed}) failed: {self.error}"


def _sweep_task(pid: str, scenario: Scenario, seed: int, rep: int) -> pd.DataFrame | TaskFailure:
    """Run one (point, replication) in a worker; return its KPI rows, small and picklable."""
    try:
        result = run_replication(scenario, seed=seed, rep=rep)
    except Exception as exc:  # reported with its point and seed, never swallowed
        return TaskFailure(pid, rep, seed, f"{type(exc).__name__}: {exc}", traceback.format_exc())
    rows = [(pid, rep, seed, k, s, v) for k, s, v in result.kpis]
    return pd.DataFrame(rows, columns=PART_COLUMNS)


def run_sweep(
    plan: SweepPlan,
    out_dir: str | os.PathLike[str],
    n_jobs: int = 1,
    backend: str | None = None,
    scheduler: str | None = None,
    overwrite: bool = False,
    progress: bool = False,
    extra: ExtraFiles | None = None,
) -> SweepResults:
    """Run the tasks of ``plan`` that have no part in ``out_dir`` yet, then summarise.

    Each finished task is stored at once; failed tasks are listed in
    ``SweepResults.failures`` (and run again by the next call). ``extra`` writes more
    files with the summary (``sim.report.save_plots``: the KPI-against-parameter plots).
    """
    started = dt.datetime.now(dt.UTC)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise SweepError(f"{out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    backend = resolve_backend(backend, scheduler)
    by_id = {p.id: p for p in plan.points}
    if any(p.scenario is None for p in plan.points):
        raise SweepError("the plan has no scenarios: make it with plan_sweep")
    with _locked(out):
        _prepare(out, plan, overwrite)
        remove_temporary_files(out)
        stored = stored_parts(out)
        todo = [
            (p.id, p.scenario, plan.seed, rep)
            for rep in range(plan.reps)
            for p in plan.points
            if (p.id, rep) not in stored
        ]
        total = len(plan.points) * plan.reps
        bar = _progress_bar(total, total - len(todo)) if progress else None
        failures: list[TaskFailure] = []
        try:
            for res in parallel_map(_sweep_task, todo, n_jobs, backend, scheduler):
                if isinstance(res, TaskFailure):
                    failures.append(res)
                else:
                    pid, rep = res["point_id"].iat[0], int(res["rep"].iat[0])
                    atomic_write_parquet(part_path(out, pid, rep), res)
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()
        results = load_sweep(out, plan=plan)
        results.failures = sorted(failures, key=lambda f: (f.rep, f.point_id))
        results.manifest = {
            **plan.as_dict(),
            "tasks": total,
            "tasks_run": len(todo) - len(failures),
            "tasks_stored_before": total - len(todo),
            "failures": [
                {**f.__dict__, "overrides": by_id[f.point_id].overrides} for f in failures
            ],
            "backend": backend or "loky",
            "scheduler": scheduler,
            "n_jobs": n_jobs,
            "started": started.isoformat(timespec="seconds"),
        }
        results.save(out, extra=extra)
    return results


def _progress_bar(total: int, done: int):
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=done, desc="sweep", unit="task")


# -- results -----------------------------------------------------------------------------
@dataclass
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
    frames = _read_parts(stored[k] for k in keys)
    reps = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PART_COLUMNS)
    return SweepResults(plan=plan, replications=reps)


def _read_parts(paths: Iterable[Path]) -> list[pd.DataFrame]:
    frames = []
    for path in paths:
        try:
            frames.append(pd.read_parquet(path))
        except Exception as exc:  # a part is renamed into place only once complete
            raise SweepError(f"cannot read the stored part {path}: {exc}") from exc
    return frames


def sweep(
    scenario_path: str | os.PathLike[str],
    grid: Mapping[str, Sequence[Any]],
    out_dir: str | os.PathLike[str],
    reps: int = 10,
    seed: int = 1,
    n_jobs: int = 1,
    backend: str | None = None,
    scheduler: str | None = None,
    overwrite: bool = False,
    progress: bool = False,
    extra: ExtraFiles | None = None,
) -> SweepResults:
    """Plan and run a sweep into ``out_dir`` (resuming what is stored there).

    ``extra=sim.report.save_plots`` saves a plot of the KPIs against each parameter."""
    plan = plan_sweep(scenario_path, grid, reps=reps, seed=seed)
    return run_sweep(
        plan,
        out_dir,
        n_jobs,
        backend,
        scheduler,
        overwrite=overwrite,
        progress=progress,
        extra=extra,
    )
