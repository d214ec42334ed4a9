"""Writing results to a folder so that nothing half-written is ever mistaken for a result.

Every file is written to a temporary name in the same folder and renamed into place
(atomic on POSIX and Windows). ``manifest.json`` is written last and lists every file of
the run: a folder without one holds an interrupted run. Files this layer knows nothing
about (the report's plots) join a run through an ``extra`` writer called before the
manifest, or through :func:`add_files` once the folder is finished.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
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


class FolderBusy(OutputFolderError):
    """Another hubsim process is writing to the folder."""


#: The lock file of a results folder while a hubsim process writes to it.
LOCK_NAME = ".hubsim.lock"
#: Folders locked by each thread of this process, and how many times (re-entrant per thread:
#: another thread of the same process is refused like another process).
_held: dict[tuple[str, int], int] = {}


def cannot_write(out: Path, exc: OSError) -> OutputFolderError:
    """The planner's message for a folder that cannot be written (read-only, full, ...)."""
    why = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        why += "; free some space"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        why += "; choose a folder you can write to with --out"
    return OutputFolderError(f"cannot write to {out}: {why}")


#: Free space an output folder must have before anything runs. Results of a small run
#: take tens of KB; a full disk found only when saving would lose the whole run.
MIN_FREE_BYTES = 1024 * 1024


def _free_bytes(out: Path) -> int | None:
    try:
        st = os.statvfs(out)
    except (AttributeError, OSError):  # not POSIX
        return None
    return st.f_bavail * st.f_frsize


@contextlib.contextmanager
def folder_lock(
    out_dir: str | os.PathLike[str], name: str = LOCK_NAME, what: str = "hubsim"
) -> Iterator[Path]:
    """Hold the folder for this process: a second writer is refused (`FolderBusy`).

    The lock is an ``flock`` on ``out_dir/name`` (standard library ``fcntl``; the
    ``filelock`` package leaves its file behind by design), so it dies with its process,
    even a ``kill -9``, and the folder is never locked for ever. The file is removed on
    release, while still locked; a waiter that opened the removed file sees that it no
    longer is the one on disk and tries again. Creating it (with this process's id in it)
    is also the first write, so a folder that cannot be written is found here, before
    anything runs. Re-entrant within one thread. Returns the folder.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"{out} exists and is not a folder")
    key = (os.path.realpath(out), threading.get_ident())
    if key in _held:
        _held[key] += 1
        try:
            yield out
        finally:
            _held[key] -= 1
        return
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot_write(out, exc) from None
    path = out / name
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, but the write check still happens
        fcntl = None  # type: ignore[assignment]
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise cannot_write(out, exc) from None
        if fcntl is None:
            break
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise FolderBusy(
                f"another {what} (process {holder}) is writing to {out}; wait for it to "
                "finish or choose another folder"
            ) from None
        try:
            current = os.stat(path)
        except FileNotFoundError:
            current = None
        if current is not None and os.path.samestat(os.fstat(fd), current):
            break
        os.close(fd)  # the previous holder removed it as we opened it: again
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        os.fsync(fd)
        free = _free_bytes(out)
        if free is not None and free < MIN_FREE_BYTES:
            raise OSError(
                errno.ENOSPC,
                f"only {free / 1024:,.0f} KB free, and results need at least "
                f"{MIN_FREE_BYTES // (1024 * 1024)} MB",
            )
    except OSError as exc:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise cannot_write(out, exc) from None
    _held[key] = 1
    try:
        yield out
    finally:
        del _held[key]
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)


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
    if out.is_dir() and not overwrite:
        what = folder_state(out)
        if what is not None:
            raise OutputFolderError(
                f"{out} already holds files: {what}; choose another folder or pass --overwrite "
                "to replace the results"
            )
    try:
        out.mkdir(parents=True, exist_ok=True)
        if overwrite:
            remove_previous_results(out)
    except OSError as exc:
        raise cannot_write(out, exc) from None
    return out


def folder_state(out: Path) -> str | None:
    """What a folder holds, in words, or None when it is empty (lock and temporary files
    aside): finished results, a partial run kept after an interruption, or the files of
    a run that never finished (no manifest)."""
    names = sorted(
        p.name
        for p in out.iterdir()
        if p.name != LOCK_NAME and not (p.name.startswith(".") and p.name.endswith(".part"))
    )
    if not names:
        return None
    manifest = read_manifest(out)
    if manifest is not None:
        kind = "a comparison" if "comparison" in manifest else "a run"
        done = manifest.get("replications") or []
        if manifest.get("partial"):
            planned = manifest.get("reps_planned", "?")
            return (
                f"{kind} interrupted after {len(done)} of {planned} replications (kept and "
                "marked partial)"
            )
        reps, seed = manifest.get("reps", "?"), manifest.get("seed", "?")
        return f"the finished results of {kind} ({reps} replications, seed {seed})"
    shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
    if "manifest.json" in names:
        return f"files and a manifest.json hubsim cannot read ({shown})"
    if set(names) & RESULT_NAMES or any(
        (out / n / "manifest.json").is_file() or (out / n / "summary.csv").is_file()
        for n in names
        if (out / n).is_dir()
    ):
        return f"an unfinished run ({shown}; no manifest.json, so not complete results)"
    return f"files that are not hubsim results ({shown})"


def read_manifest(out: Path) -> dict[str, Any] | None:
    """The folder's manifest as a mapping, or None when it has none or it is unreadable."""
    try:
        data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


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
    (manifest last, with each file's SHA-256). The folder is locked meanwhile."""
    with folder_lock(out_dir):
        return _write_results(results, prepare_folder(out_dir, overwrite), extra)


def _write_results(results: Results, out: Path, extra: ExtraFiles | None) -> list[str]:
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
    manifest["sha256"] = checksums(out, written)
    put("manifest.json", lambda p: atomic_write_json(p, manifest))
    return written


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def checksums(out: Path, names: list[str]) -> dict[str, str]:
    """``{name: sha256}`` of files in ``out``, for the manifest."""
    return {name: sha256_file(out / name) for name in names}


def changed_files(out: Path, manifest: dict[str, Any]) -> list[str]:
    """The files a manifest lists that are missing or no longer match their SHA-256,
    each as ``name (why)``; empty when every file is as hubsim wrote it. Manifests of an
    older hubsim without checksums are taken as they are."""
    sums = manifest.get("sha256")
    if not isinstance(sums, dict):
        return []
    problems = []
    for name, expected in sums.items():
        path = out / str(name)
        if not path.is_file():
            problems.append(f"{name} (missing)")
        elif sha256_file(path) != expected:
            problems.append(f"{name} (changed since hubsim wrote it)")
    return problems


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
    if isinstance(manifest.get("sha256"), dict):
        manifest["sha256"].update(checksums(out, names))
    atomic_write_json(path, manifest)
    return names
