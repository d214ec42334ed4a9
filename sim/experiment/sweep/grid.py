"""The grid of a sweep: dotted scenario paths and the values to try at each.

Written as a YAML file (``--grid``) or as ``--set PATH=V1,V2,...`` options; its points
are the cartesian product, each named by a short hash of its overrides.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

Grid = dict[str, list[Any]]


class SweepError(Exception):
    """The grid or the sweep folder cannot be used; the message says why."""


def parse_values(text: str) -> list[Any]:
    """``"20,26,30"`` -> ``[20, 26, 30]``: comma-separated YAML scalars (``6 days`` stays text)."""
    values = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            raise SweepError(f"empty value in {text!r}")
        values.append(yaml.safe_load(item))
    return values


def parse_set(spec: str) -> tuple[str, list[Any]]:
    """``"sites.cannock.beds.elective=20,26,30"`` -> (path, values)."""
    path, sep, values = spec.partition("=")
    path = path.strip()
    if not sep or not path or not values.strip():
        raise SweepError(f"--set {spec!r}: expected PATH=V1,V2,... with a dotted scenario path")
    return path, parse_values(values)


#: What a grid file holds, for the message when it holds something else.
GRID_EXAMPLE = (
    "a grid file maps dotted scenario paths to lists of values, e.g. "
    "`sites.cannock.beds.elective: [20, 26, 30]`"
)


def load_grid(path: str | os.PathLike[str]) -> Grid:
    """A grid file: a YAML mapping of dotted scenario paths to lists of values.

    Read with the scenario loader's guards (size, encoding, a regular file, safe tags,
    alias bombs); raises `SweepError` for a file that is not such a mapping.
    """
    from ...scenario.errors import ScenarioError
    from ...scenario.yamlio import parse_yaml_file

    try:
        data, _ = parse_yaml_file(str(path), "a grid file", GRID_EXAMPLE)
    except ScenarioError as exc:
        raise SweepError(str(exc)) from None
    if not isinstance(data, dict) or not data:
        raise SweepError(
            f"{path}: a grid file maps dotted scenario paths to lists of values, e.g.\n"
            "  sites.cannock.beds.elective: [20, 26, 30]"
        )
    grid: Grid = {}
    for key, values in data.items():
        if isinstance(values, dict):
            raise SweepError(f"{path}, field {key}: give a list of values, not a mapping")
        values = values if isinstance(values, list) else [values]
        if not values:
            raise SweepError(f"{path}, field {key}: the list of values is empty")
        grid[str(key)] = values
    return grid


def make_grid(grid_file: str | os.PathLike[str] | None = None, sets: Sequence[str] = ()) -> Grid:
    """The grid of a ``--grid`` file and ``--set`` options together."""
    grid: Grid = load_grid(grid_file) if grid_file else {}
    for spec in sets:
        path, values = parse_set(spec)
        if path in grid:
            raise SweepError(f"the scenario path {path} is given twice")
        grid[path] = values
    if not grid:
        raise SweepError("a sweep needs a grid: --grid GRID.yaml or --set PATH=V1,V2,...")
    for path, values in grid.items():
        if len({json.dumps(v, default=str) for v in values}) != len(values):
            raise SweepError(f"{path}: a value is repeated in {values}")
    return grid


def grid_points(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """The cartesian product of the grid, the first parameter varying slowest."""
    names = list(grid)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grid.values())]


def point_id(overrides: Mapping[str, Any]) -> str:
    """A stable short name for a set of overrides (hash of their sorted JSON)."""
    text = json.dumps(dict(overrides), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def describe_point(overrides: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in overrides.items())
