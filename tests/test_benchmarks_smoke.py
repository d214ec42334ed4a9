"""The benchmark scripts still run: what they simulate fits the scenario checks.

Benchmarks are scripts, not tests (``benchmarks/README.md``), and nothing here times
anything.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"


@pytest.fixture
def bench_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    """The benchmark scripts importable as modules (they import each other by name)."""
    monkeypatch.syspath_prepend(str(BENCH))


@pytest.mark.usefixtures("bench_modules")
@pytest.mark.parametrize("plan", ["FULL", "QUICK"])
def test_peer_segments_fit_the_horizon_cap(plan: str) -> None:
    """run_all.py's M/M/10 runs (200,000 customers: 64 years) are split into segments
    that each pass scenario validation, whose horizon is at most 50 years."""
    import bench_peer
    import run_all

    customers = getattr(run_all, plan).customers
    n, days = bench_peer.split(customers)
    assert n * days == pytest.approx(customers / bench_peer.ARRIVALS_PER_DAY)
    for kind in ("em", "cc"):
        assert bench_peer.hubsim_scenario(kind, days).horizon == pytest.approx(days)
    if customers > 50 * 365 * bench_peer.ARRIVALS_PER_DAY:
        assert n > 1
    with pytest.raises(ValueError, match="horizon cap"):
        bench_peer.split(customers * 10, segments=1)
