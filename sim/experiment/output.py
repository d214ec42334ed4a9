"""Writing results to a folder so that nothing half-written is ever mistaken for a result.

Every file is written to a temporary name in the same folder and renamed into place
(atomic on POSIX and Windows). ``manifest.json`` is written last and lists every file of
the run: a folder without one holds an interrupted run. Files this layer knows nothing
about (the report's plots) join a run through an ``extra`` writer called before the
manifest, or through :func:`add_files` once the folder is finished.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..scenario.load import dump_scenario_yaml

if TYPE_CHECKING:
    from .results import Results

#: ``extra(obj, folder)``: writes more files of ``obj`` (results, a comparison, a sweep)
#: into ``folder``, each atomically, and returns their names. ``sim.report.save_plots``
#: is one.
ExtraFiles = Callable[[Any, Path], list[str]]


class OutputFolderError(Exception):
    """The output folder cannot be used (not empty, not a folder, ...)."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike[str], write: Callable[[str], None]) -> None:
    """Call ``write(tmp_path)`` and move the file to ``path`` only once it is complete."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; results are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    def write(tmp: str) -> None:
        Path(tmp).write_text(text, encoding="utf-8")

    atomic_write(path, write)


def atomic_write_json(path: str | os.PathLike[str], data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, default=str) + "\n")


def atomic_write_parquet(path: str | os.PathLike[str], df: pd.DataFrame) -> None:
    atomic_write(path, lambda tmp: df.to_parquet(tmp, index=False))


def atomic_write_csv(path: str | os.PathLike[str], df: pd.DataFrame) -> None:
    atomic_write(path, lambda tmp: df.to_csv(tmp, index=False))


#: Files hubsim writes in a results folder; ``--overwrite`` removes these (and whatever the
#: old manifest lists), never the planner's own files.
RESULT_NAMES = frozenset(
    {
        "manifest.json",
        "summary.csv",
        "replications.parquet",
        "timeseries.parquet",
        "treated.parquet",
        "events.parquet",
        "scenario.yaml",
        "comparison.csv",
        "report.html",
        "forest.png",  # hubsim compare: the comparison's own plots
        "waiting_list_compared.png",
    }
)


def prepare_folder(out_dir: str | os.PathLike[str], overwrite: bool) -> Path:
    """Create ``out_dir``, refusing one that already holds files unless ``overwrite``.

    With ``overwrite`` the previous results are removed first (see `remove_previous_results`),
    so nothing of an earlier run can be mistaken for part of the new one.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        what = (
            "the results of an earlier run"
            if (out / "manifest.json").is_file()
            else "no manifest.json: perhaps an unfinished run"
        )
        raise OutputFolderError(
            f"{out} already holds files ({what}); choose another folder or pass --overwrite "
            "to replace the results"
        )
    out.mkdir(parents=True, exist_ok=True)
    if overwrite:
        remove_previous_results(out)
    return out


def remove_previous_results(out: Path) -> None:
    """Remove an earlier run's results from ``out``, its manifest first.

    Once the manifest is gone the folder no longer claims to hold complete results,
    whatever happens next. Then the files the old manifest lists, the files hubsim always
    writes (`RESULT_NAMES`) and temporary files of interrupted writes are removed.
    """
    manifest = out / "manifest.json"
    listed: set[str] = set()
    try:
        files = json.loads(manifest.read_text(encoding="utf-8")).get("files", [])
        listed = {f for f in files if isinstance(f, str)}
    except (OSError, ValueError, AttributeError):
        pass  # no manifest, or not one of ours
    manifest.unlink(missing_ok=True)
    for path in out.iterdir():
        name = path.name
        temporary = name.startswith(".") and name.endswith(".part")
        if (name in listed or name in RESULT_NAMES or temporary) and path.is_file():
            path.unlink()


def write_results(
    results: Results, out_dir: str, overwrite: bool = False, extra: ExtraFiles | None = None
) -> list[str]:
    """Write one scenario's results, then ``extra`` files; returns the files written
    (manifest last)."""
    out = prepare_folder(out_dir, overwrite)
    written: list[str] = []

    def put(name: str, fn: Callable[[Path], None]) -> None:
        fn(out / name)
        written.append(name)

    put("summary.csv", lambda p: atomic_write_csv(p, results.summary))
    put("replications.parquet", lambda p: atomic_write_parquet(p, results.replications))
    put("timeseries.parquet", lambda p: atomic_write_parquet(p, results.timeseries))
    put("treated.parquet", lambda p: atomic_write_parquet(p, results.treated))
    if results.events is not None:
        put("events.parquet", lambda p: atomic_write_parquet(p, results.events))
    put("scenario.yaml", lambda p: atomic_write_text(p, dump_scenario_yaml(results.scenario)))
    if extra is not None:
        written.extend(extra(results, out))
    manifest = dict(results.manifest)
    manifest["files"] = list(written)
    put("manifest.json", lambda p: atomic_write_json(p, manifest))
    return written


def is_finished(out_dir: str | os.PathLike[str]) -> bool:
    """The folder holds finished results: its manifest has been written."""
    return (Path(out_dir) / "manifest.json").is_file()


def add_files(out_dir: str | os.PathLike[str], write: Callable[[Path], list[str]]) -> list[str]:
    """Add files to a finished results folder; returns their names.

    The manifest is removed first, so the folder says "unfinished" while ``write(folder)``
    writes; it is then written again, last, listing the new files too.
    """
    out = Path(out_dir)
    path = out / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OutputFolderError(f"{out} has no manifest.json: not finished results") from None
    path.unlink()
    names = write(out)
    files = list(manifest.get("files", []))
    manifest["files"] = files + [n for n in names if n not in files]
    atomic_write_json(path, manifest)
    return names
