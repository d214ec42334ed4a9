"""Validation benchmark: very large valid scenario files check in seconds, in linear time.

Run from the repository root::

    .venv/bin/python benchmarks/bench_validation.py            # the sizes of issue 15
    .venv/bin/python benchmarks/bench_validation.py --smoke    # tiny sizes, checks that it runs

1. **10,000 sites**: ``hubsim validate`` on a file of 10,000 sites (one theatre session and
   one referral stream each), as a whole child process: CPU seconds (user + system, from
   ``getrusage``) and peak RSS. Before issue 15 this took 22 s. Target: under 8 s, 500 MB.
2. **A 700,000-value empirical distribution** (just under the 5 MB file limit): the same.
   Before: 55 s and 0.9 GB. Target: under 10 s, 600 MB.
3. **Linear growth**: loading, hashing and the capacity check of 1,000 and of 4,000 sites
   in this process (CPU time); four times the sites should take about four times the time.
   Target: a ratio under 7 (a quadratic step would give 16).

Each figure is the median of ``--repeats`` runs (5 by default). These are the speed goals
of issue 15; ``tests/test_validation_speed.py`` checks the same files for what they print,
their memory and a count of the work done, and never times anything.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.benchlib import Row, header, log, table, verdict  # noqa: E402

BASE = ROOT / "tests" / "bad_scenarios" / "parts" / "valid_base.yaml"


def many_sites(n: int) -> str:
    """A valid scenario of ``n`` sites, each with one theatre session and one referral stream."""
    lines = ["name: many sites", "horizon: 8 weeks", "trusts:", "  T: {name: t}", "sites:"]
    for i in range(n):
        lines += [
            f"  s{i}:",
            "    trust: T",
            "    location: {lat: 52.5, lon: -2.0}",
            "    beds: {general: 10}",
            "    theatres:",
            "      th1:",
            "        sessions:",
            "          - {days: [Mon], slot: AM, specialty: ortho}",
        ]
    lines += ["procedures:", "  hip:", "    specialty: ortho", "    duration: 90 min"]
    lines += ["    length_of_stay: 2 days", "demand:", "  referrals:"]
    lines += [f"    s{i}: {{hip: 1}}" for i in range(n)]
    return "\n".join(lines) + "\n"


def long_empirical(n: int) -> str:
    """The shipped test base with a hip duration drawn from ``n`` listed values."""
    per_row = min(n, 10_000)
    rows = [
        ", ".join(f"{(i + j) % 9 + 1} min" for j in range(per_row)) for i in range(0, n, per_row)
    ]
    values = ",\n".join(rows)
    return (
        f"extends: {BASE}\nname: long empirical\nprocedures:\n  hip:\n    duration:\n"
        f"      dist: empirical\n      mean: null\n      sd: null\n      values: [\n{values}]\n"
    )


_WRAPPER = (
    "import resource, subprocess, sys\n"
    "r = subprocess.run([sys.executable, '-m', 'sim', 'validate', sys.argv[1]],"
    " capture_output=True, text=True)\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "scale = 1024 * 1024 if sys.platform == 'darwin' else 1024\n"
    "print(u.ru_utime + u.ru_stime, u.ru_maxrss / scale, r.returncode)\n"
    "print(r.stdout + r.stderr)\n"
)


def validate_in_child(path: Path) -> tuple[float, float, str]:
    """``hubsim validate PATH`` in a child: (CPU seconds, peak RSS in MB, its output).

    Raises if validation fails: every file here is valid.
    """
    import os

    env = {k: v for k, v in os.environ.items() if k != "HUBSIM_DEBUG"}
    res = subprocess.run(
        [sys.executable, "-c", _WRAPPER, str(path)],
        capture_output=True, text=True, timeout=600, env=env, check=True,
    )  # fmt: skip
    head, _, output = res.stdout.partition("\n")
    cpu, peak, code = head.split()
    if code != "0":
        raise RuntimeError(f"hubsim validate {path} exited {code}:\n{output}")
    return float(cpu), float(peak), output


def check_sites(path: Path) -> None:
    """What ``hubsim validate`` does in process: load, hash, capacity check."""
    import sim
    from sim.scenario.capacity import capacity_check

    sc = sim.load_scenario(path)
    sim.scenario_hash(sc)
    capacity_check(sc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--smoke", action="store_true", help="tiny sizes: checks that it runs")
    ap.add_argument("--repeats", type=int, default=5, help="runs per figure (median)")
    args = ap.parse_args()
    sites, values, small, repeats = 10_000, 700_000, 1_000, args.repeats
    if args.smoke:
        sites, values, small, repeats = 200, 20_000, 50, 1
    started = time.perf_counter()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="hubsim-bench-validate-") as tmp:
        files = {
            "sites": (Path(tmp) / "sites.yaml", many_sites(sites)),
            "values": (Path(tmp) / "empirical.yaml", long_empirical(values)),
        }
        for path, text in files.values():
            path.write_text(text, encoding="utf-8")
        targets = {"sites": (8.0, 500.0), "values": (10.0, 600.0)}
        names = {
            "sites": f"1. hubsim validate, {sites:,} sites",
            "values": f"2. hubsim validate, a {values:,}-value empirical distribution",
        }
        for key, (path, _) in files.items():
            cpus, peaks = [], []
            for i in range(repeats):
                log(f"{key}: run {i + 1} of {repeats}")
                cpu, peak, _ = validate_in_child(path)
                cpus.append(cpu)
                peaks.append(peak)
            cpu_target, mb_target = targets[key]
            cpu, peak = statistics.median(cpus), max(peaks)
            rows += [
                Row(names[key], "CPU seconds, median", f"{cpu:.2f} s", f"< {cpu_target:g} s",
                    verdict(cpu < cpu_target, args.smoke)),
                Row(names[key], "CPU seconds, range", f"{min(cpus):.2f}-{max(cpus):.2f} s"),
                Row(names[key], "peak RSS, largest", f"{peak:,.0f} MB", f"< {mb_target:g} MB",
                    verdict(peak < mb_target, args.smoke)),
            ]  # fmt: skip
        growth = {}
        for n in (small, 4 * small):
            path = Path(tmp) / f"sites{n}.yaml"
            path.write_text(many_sites(n), encoding="utf-8")
            check_sites(path)  # imports and first-use caches outside the timing
            seconds = []
            for _ in range(repeats):
                t = time.process_time()
                check_sites(path)
                seconds.append(time.process_time() - t)
            growth[n] = statistics.median(seconds)
        ratio = growth[4 * small] / growth[small]
        section = f"3. load + hash + capacity check, {small:,} and {4 * small:,} sites"
        rows += [
            Row(section, f"CPU seconds at {small:,} sites", f"{growth[small]:.3f} s"),
            Row(section, f"CPU seconds at {4 * small:,} sites", f"{growth[4 * small]:.3f} s"),
            Row(section, "ratio (linear: 4; quadratic: 16)", f"{ratio:.2f}", "< 7",
                verdict(ratio < 7, args.smoke)),
        ]  # fmt: skip
    lines = header("hubsim validation benchmark" + (" (--smoke)" if args.smoke else ""))
    lines += table(rows)
    if args.smoke:
        lines.append("* --smoke: tiny sizes, the verdicts say nothing")
    lines.append(f"total benchmark time {time.perf_counter() - started:.0f} s")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
