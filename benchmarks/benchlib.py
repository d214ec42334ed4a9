"""Helpers shared by the benchmark scripts: machine header, child processes, memory, table.

Nothing here is timed itself. Child processes print one JSON object on their last line
of standard output; :func:`run_child` returns it with the whole-process wall time.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
PYTHON = sys.executable


def pkg_version(name: str) -> str:
    """Installed version of ``name``, or ``"not installed"``."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, formatted."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def git_state() -> str:
    """Commit of the work tree, and the files of ``sim/`` and ``scenarios/`` changed since."""

    def git(*args: str) -> str:
        try:
            out = subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.SubprocessError):
            return ""
        return out.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = [
        line.split(maxsplit=1)[-1]
        for line in git("status", "--porcelain", "--", "sim", "scenarios").splitlines()
    ]
    if not dirty:
        return commit
    return f"{commit} + uncommitted changes in {', '.join(dirty)}"


def header(title: str) -> list[str]:
    """Lines naming the software versions, the machine and its load."""
    return [
        title,
        f"python {platform.python_version()} | numpy {pkg_version('numpy')} | "
        f"simpy {pkg_version('simpy')} | ciw {pkg_version('ciw')} | "
        f"cpus {os.cpu_count()} | {platform.machine()}",
        f"code: {git_state()}",
        f"load average at start: {load_average()}",
    ]


def log(msg: str) -> None:
    """Progress to standard error, so standard output holds only the report."""
    print(msg, file=sys.stderr, flush=True)


# -- how busy the machine was --------------------------------------------------------------
def _own_cpu() -> float:
    """CPU seconds of this process and of every descendant it has waited for."""
    import resource

    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _busy_cpu() -> float:
    """CPU seconds the whole machine has spent busy (all cores) since boot."""
    import psutil

    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


class CpuWatch:
    """How many cores other people's processes used while a block ran.

    Machine-wide busy CPU time (psutil) minus this process's and its waited-for
    descendants' CPU time (getrusage), divided by the wall time of the block.
    """

    def __init__(self) -> None:
        self.wall = 0.0
        self.others = 0.0
        """Mean number of cores busy with other processes."""

    def __enter__(self) -> CpuWatch:
        self._t0 = time.perf_counter()
        self._busy0 = _busy_cpu()
        self._own0 = _own_cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._t0
        theirs = (_busy_cpu() - self._busy0) - (_own_cpu() - self._own0)
        self.others = max(0.0, theirs) / max(self.wall, 1e-9)


# -- child processes -----------------------------------------------------------------------
def run_child(args: Sequence[str], timeout: float = 900.0) -> tuple[dict[str, Any], float]:
    """Run ``python *args`` from the repository root; (its JSON result, wall seconds).

    The wall time covers the whole process: interpreter start, imports and exit. The
    result gains ``others_cores``: cores used by other processes meanwhile (:class:`CpuWatch`).
    """
    with CpuWatch() as watch:
        proc = subprocess.run(
            [PYTHON, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
        )
    wall = watch.wall
    if proc.returncode != 0:
        raise RuntimeError(
            f"child {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
        )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["others_cores"] = watch.others
    return result, wall


def emit(result: dict[str, Any]) -> None:
    """What a child process prints last: its result as one JSON line."""
    print(json.dumps(result), flush=True)


# -- memory of a process tree --------------------------------------------------------------
@dataclass
class TreeRun:
    """A command run under :func:`run_measured`."""

    returncode: int
    wall: float
    """Seconds from start to exit of the whole command (perf_counter in this process)."""
    peak_tree_rss: int = 0
    """Largest sum of resident set sizes over the command and all its descendants, bytes."""
    peak_single_rss: int = 0
    """Largest resident set of any one of them seen while sampling, bytes."""
    max_procs: int = 0
    maxrss_children: int = 0
    """``getrusage(RUSAGE_CHILDREN).ru_maxrss`` in a wrapper: the exact peak of the largest
    waited-for descendant, bytes."""
    stderr_tail: str = ""
    samples: int = 0
    others_cores: float = 0.0
    """Cores used by other processes meanwhile (:class:`CpuWatch`)."""
    extra: dict[str, Any] = field(default_factory=dict)


_WRAPPER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.call(sys.argv[2:], stdout=subprocess.DEVNULL)\n"
    "with open(sys.argv[1], 'w') as f:\n"
    "    f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(rc)\n"
)


def run_measured(cmd: Sequence[str], interval: float = 0.05) -> TreeRun:
    """Run ``cmd`` and watch the memory of its whole process tree.

    A tiny wrapper process starts ``cmd`` and, once it exits, reports
    ``getrusage(RUSAGE_CHILDREN).ru_maxrss``. Meanwhile this process sums the resident set
    (psutil) of ``cmd`` and every descendant (joblib/loky workers included) every
    ``interval`` seconds; the wrapper itself is left out of the sums.
    """
    import tempfile

    import psutil

    fd, rss_file = tempfile.mkstemp(prefix="hubsim-bench-rss-")
    os.close(fd)
    watch = CpuWatch().__enter__()
    proc = subprocess.Popen(
        [PYTHON, "-c", _WRAPPER, rss_file, *cmd],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    run = TreeRun(returncode=-1, wall=0.0)
    stderr_chunks: list[str] = []
    reader = threading.Thread(target=lambda: stderr_chunks.append(proc.stderr.read()))
    reader.start()
    wrapper = psutil.Process(proc.pid)
    while proc.poll() is None:
        total = 0
        biggest = 0
        n = 0
        try:
            kids = wrapper.children(recursive=True)
        except psutil.Error:
            kids = []
        for p in kids:
            try:
                rss = p.memory_info().rss
            except psutil.Error:
                continue
            total += rss
            biggest = max(biggest, rss)
            n += 1
        run.peak_tree_rss = max(run.peak_tree_rss, total)
        run.peak_single_rss = max(run.peak_single_rss, biggest)
        run.max_procs = max(run.max_procs, n)
        run.samples += 1
        time.sleep(interval)
    reader.join()
    watch.__exit__()
    run.wall = watch.wall
    run.others_cores = watch.others
    run.returncode = proc.returncode
    run.stderr_tail = "".join(stderr_chunks)[-3000:]
    try:
        run.maxrss_children = int(Path(rss_file).read_text() or 0) * 1024  # KiB on Linux
    except (OSError, ValueError):
        run.maxrss_children = 0
    Path(rss_file).unlink(missing_ok=True)
    return run


# -- the table -----------------------------------------------------------------------------
@dataclass
class Row:
    """One line of the summary table."""

    section: str
    figure: str
    value: str
    target: str = ""
    status: str = ""
    """"PASS", "MISS", "" for information only; a trailing ``*`` marks a figure scaled
    from fewer replications (``--quick``)."""


def verdict(ok: bool, scaled: bool = False) -> str:
    """PASS or MISS, starred when measured on less work than the target asks for."""
    return ("PASS" if ok else "MISS") + ("*" if scaled else "")


def table(rows: Sequence[Row]) -> list[str]:
    """The rows as a fixed-width text table, a blank line between sections."""
    w_fig = max(len(r.figure) for r in rows)
    w_val = max(len(r.value) for r in rows)
    w_tgt = max(max(len(r.target) for r in rows), len("target"))
    head = f"{'figure':<{w_fig}}  {'measured':>{w_val}}  {'target':<{w_tgt}}  status"
    lines = [head, "-" * len(head)]
    section = None
    for r in rows:
        if r.section != section:
            if section is not None:
                lines.append("")
            lines.append(f"[{r.section}]")
            section = r.section
        line = f"{r.figure:<{w_fig}}  {r.value:>{w_val}}  {r.target:<{w_tgt}}  {r.status}"
        lines.append(line.rstrip())
    return lines


def mb(n: float) -> str:
    """Bytes as MB (10^6), for humans."""
    return f"{n / 1e6:,.0f} MB"
