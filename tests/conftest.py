"""Shared fixtures: the shipped scenarios, loaded once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from builders import SCENARIOS

import sim


@pytest.fixture(scope="session")
def status_quo() -> sim.Scenario:
    return sim.load_scenario(SCENARIOS / "black_country_ortho.yaml")


@pytest.fixture(scope="session")
def hubs() -> sim.Scenario:
    return sim.load_scenario(SCENARIOS / "black_country_ortho_hubs.yaml")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="Write the shipped scenarios' golden summaries instead of checking them.",
    )


@pytest.fixture(scope="session")
def demo_comparison(status_quo: sim.Scenario, hubs: sim.Scenario) -> sim.Comparison:
    """The demo comparison (``python3 tasks.py demo``) at reduced size: 16 weeks, 3
    replications, seed 1. Shared by the report, DOCX, PDF and spreadsheet tests."""
    short = {"horizon": "16 weeks"}
    a = sim.load_scenario(SCENARIOS / "black_country_ortho.yaml", short)
    b = sim.load_scenario(SCENARIOS / "black_country_ortho_hubs.yaml", short)
    return sim.compare([a, b], reps=3, seed=1)


@pytest.fixture(scope="session")
def demo_folder(demo_comparison: sim.Comparison, tmp_path_factory: pytest.TempPathFactory):
    """The reduced demo comparison saved as ``hubsim compare`` saves it, with the
    comparison's plots (each scenario's own plots, shown on screen only, are left out to
    keep the tests cheap)."""
    from sim.report import save_plots

    def comparison_plots(obj: object, folder: Path) -> list[str]:
        return save_plots(obj, folder) if isinstance(obj, sim.Comparison) else []

    folder = tmp_path_factory.mktemp("demo") / "cmp"
    demo_comparison.save(folder, extra=comparison_plots)
    return folder


# `hubsim run` and friends default to one worker process per available core. The tests'
# tiny runs are faster in one process, and the fault tests inject faults into that
# process; tests of the default itself remove this (tests/test_cli_input.py).
os.environ.setdefault("HUBSIM_JOBS", "1")


@pytest.fixture(scope="session")
def chromium() -> str:
    """Headless Chromium (Debian's package; never a downloaded browser): skipped where it
    is missing, except under CI=true, where a missing browser fails the test."""
    from sim.report.pdf import find_chromium

    exe = find_chromium()
    if exe is None:
        reason = "headless Chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true requires the browser checks")
        pytest.skip(reason)
    return exe
