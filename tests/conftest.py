"""Shared fixtures: the shipped scenarios, loaded once."""

from __future__ import annotations

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
