"""The plan of a sweep: everything that decides its results, each point's scenario checked."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..._version import __version__
from ...scenario.errors import ScenarioError
from ...scenario.load import load_scenario, scenario_hash
from ...scenario.schema import Scenario
from .grid import Grid, SweepError, describe_point, grid_points, point_id


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
    """The scenario file, or ``<scenario 'name'>`` for a scenario given in code."""
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
    scenario: Scenario | str | os.PathLike[str],
    grid: Mapping[str, Sequence[Any]],
    reps: int = 10,
    seed: int = 1,
) -> SweepPlan:
    """Check the scenario at every grid point; raise ``ScenarioError`` naming each bad point.

    ``scenario`` is a scenario file or a checked ``Scenario`` (as ``run`` and ``compare``
    take); each point is the scenario with the grid's values, checked as a file is.
    """
    if reps < 1:
        raise SweepError("a sweep needs at least 1 replication")
    if isinstance(scenario, Scenario):
        base = scenario
        source = f"<scenario {scenario.name!r}>"

        def at(overrides: dict[str, Any]) -> Scenario:
            return base.with_values(overrides)
    else:
        base = load_scenario(scenario)
        source = str(scenario)

        def at(overrides: dict[str, Any]) -> Scenario:
            return load_scenario(scenario, overrides)

    points: list[SweepPoint] = []
    problems: dict[str, list[str]] = {}  # each distinct problem -> the points that have it
    combos = grid_points(grid)
    for overrides in combos:
        try:
            sc = at(overrides)
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
            file=source,
            problems=paragraphs,
        )
    grid = {k: list(v) for k, v in grid.items()}
    return SweepPlan(source, scenario_hash(base), grid, seed, reps, points)
