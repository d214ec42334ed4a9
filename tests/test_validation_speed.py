"""Very large valid files validate in bounded memory and linear work (issue 15).

Before issue 15, 10,000 sites took 22 s to validate, and a 700,000-value empirical
distribution 55 s and 0.9 GB. Those speed goals are figures of
``benchmarks/bench_validation.py``, never timed here: these tests run the benchmark's files
through ``hubsim validate`` in a child process and check what it prints and its peak memory,
and count the Python work (trace events) of loading twice and four times as many sites,
which is deterministic, so a step that grows with the square of the sites fails here on
any machine.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def bench_validation():  # noqa: ANN201 - the benchmark script, imported as a module
    sys.path.insert(0, str(BENCH))
    try:
        import bench_validation

        yield bench_validation
    finally:
        sys.path.remove(str(BENCH))


def test_two_thousand_sites_validate_with_a_short_table(bench_validation, tmp_path: Path) -> None:
    path = tmp_path / "sites.yaml"
    path.write_text(bench_validation.many_sites(2_000), encoding="utf-8")
    _, peak, output = bench_validation.validate_in_child(path)
    assert "2000 sites" in output
    # the capacity check prints the heaviest 40 rows, not a table of 2,000 sites
    assert "the 40 of 2,000 rows with the highest load" in output
    assert peak < 300, f"{peak:.0f} MB"


def test_a_700000_value_distribution_validates_in_bounded_memory(
    bench_validation, tmp_path: Path
) -> None:
    path = tmp_path / "empirical.yaml"
    path.write_text(bench_validation.long_empirical(700_000), encoding="utf-8")
    assert path.stat().st_size < 5 * 1024 * 1024  # within the file size limit
    _, peak, output = bench_validation.validate_in_child(path)
    assert output.startswith("ok ")
    assert peak < 600, f"{peak:.0f} MB (was 0.9 GB)"


def trace_events(fn: Callable[[], object]) -> int:
    """Python calls, lines and returns executed by ``fn()``: work, counted, not timed."""
    count = 0

    def tracer(frame: object, event: str, arg: object) -> Callable:
        nonlocal count
        count += 1
        return tracer

    sys.settrace(tracer)
    try:
        fn()
    finally:
        sys.settrace(None)
    return count


def test_validation_work_grows_linearly(bench_validation, tmp_path: Path) -> None:
    events = {}
    for n in (100, 400):
        path = tmp_path / f"sites{n}.yaml"
        path.write_text(bench_validation.many_sites(n), encoding="utf-8")
        bench_validation.check_sites(path)  # first use: imports and caches
        events[n] = trace_events(lambda path=path: bench_validation.check_sites(path))
    # Four times the sites: four times the work (3.97 measured); a quadratic step gives 16.
    assert 3.5 < events[400] / events[100] < 4.5, events
