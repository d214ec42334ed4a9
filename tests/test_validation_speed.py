"""Validation is near-linear and fast, even for very large valid files (issue 15).

Before: 10,000 sites took 22 s to validate, and a 700,000-value empirical distribution 55 s
and 0.9 GB. Each is run here as ``hubsim validate`` in a child process, whose CPU time and
peak memory are measured; a smaller pair of files checks that the time grows linearly.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import sim

BASE = Path(__file__).resolve().parent / "bad_scenarios" / "parts" / "valid_base.yaml"


def many_sites(n: int) -> str:
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
    rows = [", ".join(f"{(i + j) % 9 + 1} min" for j in range(10_000)) for i in range(0, n, 10_000)]
    values = ",\n".join(rows)
    return (
        f"extends: {BASE}\nname: long empirical\nprocedures:\n  hip:\n    duration:\n"
        f"      dist: empirical\n      mean: null\n      sd: null\n      values: [\n{values}]\n"
    )


def validate_in_child(path: Path) -> tuple[float, float, str]:
    """``hubsim validate PATH`` in a child: (CPU seconds, peak RSS in MB, output)."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run([sys.executable, '-m', 'sim', 'validate', sys.argv[1]],"
        " capture_output=True, text=True)\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "scale = 1024 * 1024 if sys.platform == 'darwin' else 1024\n"
        "print(u.ru_utime + u.ru_stime, u.ru_maxrss / scale, r.returncode)\n"
        "print(r.stdout + r.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "HUBSIM_DEBUG"}
    res = subprocess.run(
        [sys.executable, "-c", wrapper, str(path)],
        capture_output=True, text=True, timeout=300, env=env, check=True,
    )  # fmt: skip
    head, _, output = res.stdout.partition("\n")
    cpu, peak, code = head.split()
    assert code == "0", output
    return float(cpu), float(peak), output


def test_ten_thousand_sites_validate_in_seconds(tmp_path: Path) -> None:
    path = tmp_path / "sites.yaml"
    path.write_text(many_sites(10_000), encoding="utf-8")
    cpu, peak, output = validate_in_child(path)
    assert "10000 sites" in output
    # the capacity check prints the heaviest 40 rows, not a table of 10,000 sites
    assert "the 40 of 10,000 rows with the highest load" in output
    assert cpu < 8, f"{cpu:.1f} s CPU (was 22 s)"
    assert peak < 500, f"{peak:.0f} MB"


def test_a_700000_value_distribution_validates_in_seconds_and_bounded_memory(
    tmp_path: Path,
) -> None:
    path = tmp_path / "empirical.yaml"
    path.write_text(long_empirical(700_000), encoding="utf-8")
    assert path.stat().st_size < 5 * 1024 * 1024  # within the file size limit
    cpu, peak, output = validate_in_child(path)
    assert output.startswith("ok ")
    assert cpu < 10, f"{cpu:.1f} s CPU (was 55 s)"
    assert peak < 600, f"{peak:.0f} MB (was 0.9 GB)"


def test_validation_time_grows_linearly(tmp_path: Path) -> None:
    seconds = {}
    for n in (1_000, 4_000):
        path = tmp_path / f"sites{n}.yaml"
        path.write_text(many_sites(n), encoding="utf-8")
        started = time.process_time()
        sc = sim.load_scenario(path)
        sim.scenario_hash(sc)
        seconds[n] = time.process_time() - started
    # Four times the sites: about four times the time (a quadratic step would give 16).
    assert seconds[4_000] < 7 * seconds[1_000], seconds
