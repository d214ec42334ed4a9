"""Where a conclusion turns over: bisection over one parameter, on common random numbers.

:func:`threshold` finds the value of a parameter (e.g. the beds of each hub) at which a
scenario stops beating a base on a KPI (the paired difference crosses zero), or at which
the KPI crosses a level. Because a simulation gives an estimate, not a value, the answer is
a *range*: the values whose 95% interval includes zero (or the level), where the runs
cannot tell either way, beside the value where the mean crosses. Each boundary is found
by bisection over a grid of values (``step`` apart), assuming the measure moves one way
as the parameter grows.

:func:`target` is the planner's version: the smallest capacity at which a scenario meets
an NHS target by a date, e.g. 65% of the list waiting under 18 weeks, or under 1% waiting
over 52 weeks (:data:`NHS_TARGETS`), with the range of capacities the runs cannot decide.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..scenario.schema import Scenario
from .accessors import Accessor
from .sensitivity import Runs, check_measures, measure_label, with_values
from .stats import mean_ci

#: NHS targets (2025/26 planning guidance, Elective Reform Plan: by March 2026): name ->
#: (measure, "at least" or "below", level).
NHS_TARGETS: dict[str, tuple[str, str, float]] = {
    "rtt_18_weeks": ("pct_within_18_weeks", "at least", 65.0),
    "over_52_weeks": ("pct_over_52_weeks_end", "below", 1.0),
}


@dataclass
class Threshold:
    """The result of a search: every value run, where the mean crosses, and the range of
    values whose interval includes the reference (zero difference, or the level)."""

    paths: list[str]
    kpi: str
    reference: str
    """What the measure is compared with: "'<base>'" or a level such as "65"."""
    evaluations: pd.DataFrame
    """One row per value run: ``value, mean, ci_low, ci_high, n, side`` (side: -1 the
    interval is below the reference, 0 it includes it, +1 above)."""
    crossing: float | None
    """The first value (from the low end) at which the mean is on the high end's side."""
    undecided: tuple[float, float] | None
    """The values whose 95% interval includes the reference (None: there are none on the grid)."""
    low: float
    high: float
    reps: int
    seed: int
    mode: str = "threshold"
    goal: str | None = None
    """The NHS target of a target search (a key of :data:`NHS_TARGETS`)."""

    plot = Accessor("The measure at each value run: ``result.plot()``.")

    def save(self, out_dir: str, overwrite: bool = False, extra: Any = None) -> list[str]:
        """``threshold.csv`` (the values run), ``threshold.json`` (the answer), ``extra``."""
        from pathlib import Path

        from .output import atomic_write_csv, atomic_write_json, prepare_folder

        out = prepare_folder(out_dir, overwrite)
        atomic_write_csv(out / "threshold.csv", self.evaluations)
        atomic_write_json(out / "threshold.json", {
            "mode": self.mode, "goal": self.goal, "paths": self.paths, "kpi": self.kpi,
            "reference": self.reference, "crossing": self.crossing,
            "undecided": list(self.undecided) if self.undecided else None, "low": self.low,
            "high": self.high, "reps": self.reps, "seed": self.seed, "answer": self.describe(),
        })  # fmt: skip
        written = ["threshold.csv", "threshold.json"]
        if extra is not None:
            written += extra(self, Path(out))
        return written

    def describe(self) -> str:
        """The answer in one or two sentences."""
        label, unit = measure_label(self.kpi)
        what = f"{' and '.join(self.paths)}"
        if self.goal is not None:
            return self._describe_target(label, what)
        paired = self.reference.startswith("'")
        measure = (f"{label}, paired difference against {self.reference}," if paired
                   else label)  # fmt: skip
        ref = "zero" if paired else self.reference
        if self.crossing is None:
            return (
                f"Between {_n(self.low)} and {_n(self.high)} of {what}, {measure} does not "
                f"cross {ref}: no threshold in this range."
            )
        out = f"{measure} crosses {ref} at {what} = {_n(self.crossing)} (mean"
        if self.undecided is not None:
            a, b = self.undecided
            rng = _n(a) if a == b else f"{_n(a)} to {_n(b)}"
            out += f"); its 95% interval includes {ref} at {rng}, where the runs cannot tell "
            out += "either way"
        else:
            out += "); no value on the grid has an interval including it"
        return out + f" ({self.reps} replications, seed {self.seed}, common random numbers)."

    def _describe_target(self, label: str, what: str) -> str:
        _kpi, how, level = NHS_TARGETS[self.goal or ""]
        met = meets(self, self.goal or "")
        goal = f"{label.lower()} {how} {level:g}%"
        size = f"({self.reps} replications, seed {self.seed}, common random numbers)"
        if self.crossing is None:
            where = f"already at {what} = {_n(self.low)}" if met[0] else (
                f"nowhere up to {what} = {_n(self.high)}")  # fmt: skip
            return f"The target ({goal}) is met {where} {size}."
        out = f"The smallest {what} meeting the target ({goal}) is {_n(self.crossing)} (mean)"
        if self.undecided is not None:
            a, b = self.undecided
            rng = _n(a) if a == b else f"{_n(a)} to {_n(b)}"
            out += f"; the 95% interval includes {level:g}% for {rng}, where the runs cannot tell"
        return out + f" {size}."


def _n(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.3g}"


def _grid(low: float, high: float, step: float) -> list[float]:
    if not high > low:
        raise ValueError(f"the search range needs low < high, not {low} to {high}")
    if not step > 0:
        raise ValueError("the step must be above zero")
    n = int(math.floor((high - low) / step + 1e-9))
    values = [low + i * step for i in range(n + 1)]
    if values[-1] < high - 1e-9:
        values.append(high)
    integer = all(float(v).is_integer() for v in (low, high, step))
    return [int(round(v)) for v in values] if integer else values


def _first(n: int, pred: Callable[[int], bool]) -> int:
    """The first index in 0..n-1 where ``pred`` (false then true) holds; n if none."""
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi) // 2
        if pred(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def search(
    scenario: Scenario,
    paths: Sequence[str],
    low: float,
    high: float,
    kpi: str,
    against: Scenario | None = None,
    level: float = 0.0,
    step: float = 1,
    reps: int = 10,
    seed: int = 1,
    n_jobs: int = 1,
    progress: bool = False,
    mode: str = "threshold",
    overrides: dict[str, Any] | None = None,
) -> Threshold:
    """Bisection for where ``kpi`` of ``scenario`` (minus ``against``'s, if given) crosses
    ``level`` as ``paths`` (all set to the same value) go from ``low`` to ``high``."""
    kpi = check_measures([kpi])[0]
    paths = list(paths)
    values = _grid(low, high, step)
    runs = Runs(reps, seed, n_jobs, progress)
    if against is not None and overrides:
        against = with_values(against, overrides)
    cache: dict[int, tuple[float, float, float, int, int]] = {}

    def at(i: int) -> tuple[float, float, float, int, int]:
        if i not in cache:
            v = values[i]
            sc = with_values(scenario, {**(overrides or {}), **{p: v for p in paths}},
                             f"{' and '.join(paths)} = {v}")  # fmt: skip
            x = runs.values(sc, kpi)
            if against is not None:
                x = x - runs.values(against, kpi)
            mean, _sd, lo, hi, n = mean_ci(x - level)
            side = -1 if hi < 0 else (1 if lo > 0 else 0)
            cache[i] = (mean + level, lo + level, hi + level, n, side)
        return cache[i]

    last = len(values) - 1
    first_mean, last_mean = at(0)[0] - level, at(last)[0] - level
    crossing = undecided = None
    if np.sign(first_mean) != np.sign(last_mean):
        end_sign = np.sign(last_mean)
        i = _first(len(values), lambda j: np.sign(at(j)[0] - level) == end_sign)
        crossing = values[i]
        s_low, s_high = at(0)[4], at(last)[4]
        a = 0 if s_low == 0 else _first(len(values), lambda j: at(j)[4] != s_low)
        b = last if s_high == 0 else _first(len(values), lambda j: at(j)[4] == s_high) - 1
        if a <= b:
            undecided = (values[a], values[b])
    rows = [(values[i], *cache[i]) for i in sorted(cache)]
    evals = pd.DataFrame(rows, columns=["value", "mean", "ci_low", "ci_high", "n", "side"])
    reference = f"'{against.name}'" if against is not None else f"{level:g}"
    return Threshold(paths, kpi, reference, evals, crossing, undecided, values[0], values[-1],
                     reps, seed, mode)  # fmt: skip


def threshold(
    scenario: Scenario,
    paths: Sequence[str],
    low: float,
    high: float,
    kpi: str,
    against: Scenario | None = None,
    level: float = 0.0,
    **kw: Any,
) -> Threshold:
    """The value of ``paths`` at which ``scenario`` stops beating ``against`` on ``kpi`` (the
    paired difference crosses zero), or, with no ``against``, at which ``kpi`` crosses
    ``level``; with the range of values whose 95% interval includes it."""
    return search(scenario, paths, low, high, kpi, against, level, mode="threshold", **kw)


def target(
    scenario: Scenario,
    paths: Sequence[str],
    low: float,
    high: float,
    goal: str = "rtt_18_weeks",
    by: dt.date | None = None,
    **kw: Any,
) -> Threshold:
    """The smallest value of ``paths`` (a capacity: beds, theatres) in ``low``..``high`` at
    which ``scenario`` meets the NHS target ``goal`` (:data:`NHS_TARGETS`) by the date
    ``by`` (the run ends that day; default: at its horizon). ``crossing`` is that value
    (None: the target is met across the range, or nowhere in it); ``undecided`` the
    capacities whose 95% interval includes the target level."""
    if goal not in NHS_TARGETS:
        raise ValueError(f"unknown target {goal!r}; choose from {', '.join(NHS_TARGETS)}")
    kpi, _how, level = NHS_TARGETS[goal]
    overrides: dict[str, Any] = {}
    if by is not None:
        days = (by - scenario.start_date).days
        if days <= scenario.warm_up:
            raise ValueError(
                f"{by.isoformat()} is not after the warm-up (the run starts "
                f"{scenario.start_date.isoformat()})"
            )
        overrides["horizon"] = f"{days} days"
    result = search(scenario, paths, low, high, kpi, level=level, mode="target",
                    overrides=overrides, **kw)  # fmt: skip
    result.goal = goal
    return result


def meets(result: Threshold, goal: str) -> list[bool]:
    """Whether the mean meets ``goal`` at each value run (for the report)."""
    _kpi, how, level = NHS_TARGETS[goal]
    m = result.evaluations["mean"].to_numpy()
    return list(m >= level) if how == "at least" else list(m < level)
