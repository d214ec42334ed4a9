"""One-way sensitivity to every declared assumption, on common random numbers.

Each assumption of the scenario's ``assumptions:`` block is moved to its low end, then its
high end, the others staying as written; every run uses the same seed, so replication
``r`` of each sees the same patients and the effect of an assumption is a paired
difference with a narrow interval. With ``against`` (a base scenario) the measure is the
*paired difference* between the two scenarios, which is what a board decides on: an
assumption both declare (by the same key) is moved in both at once, one only the
scenario declares (the hubs' beds) in it alone.

    sens = sim.sensitivity(hubs, against=status_quo, kpis=["cancellations_no_bed"])
    sens.table()                         # effect of each end of each assumption
    sens.plot.tornado("cancellations_no_bed")
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..scenario.assumptions import assumption_overrides
from ..scenario.errors import ScenarioError
from ..scenario.load import apply_overrides, scenario_dict, scenario_hash, validate_scenario
from ..scenario.schema import Scenario
from .accessors import Accessor
from .output import ExtraFiles, atomic_write_csv, atomic_write_json, prepare_folder
from .runner import run
from .stats import mean_ci

DEFAULT_KPIS = ("cancellations_no_bed", "over_52_weeks_end", "pct_within_18_weeks", "operations")

#: Measures derived from two KPIs of the same replication: name -> (numerator,
#: denominator, unit, label); the value is 100 x numerator / denominator.
DERIVED = {
    "pct_over_52_weeks_end": (
        "over_52_weeks_end", "waiting_list_end", "%", "Share of the list waiting over 52 weeks",
    ),
}  # fmt: skip

SENSITIVITY_CSV = "sensitivity.csv"


def with_values(sc: Scenario, overrides: dict[str, Any], what: str = "") -> Scenario:
    """``sc`` with dotted paths set to new values, checked again like a scenario file.

    The result is a what-if, not a declaration: its ``assumptions`` block is left out, so
    a value may go beyond a declared range (a threshold search over hub beds from 10)."""
    data = apply_overrides(scenario_dict(sc), overrides)
    data.pop("assumptions", None)
    try:
        return validate_scenario(data)
    except ScenarioError as exc:
        raise ScenarioError(
            f"{what or ', '.join(f'{k}={v}' for k, v in overrides.items())} makes the scenario "
            f"'{sc.name}' invalid:\n{exc.message}"
        ) from None


class Runs:
    """Replications of scenarios on one seed, each scenario run once (cached by its hash);
    ``values(sc, kpi)`` gives one value per replication, in replication order."""

    def __init__(
        self, reps: int, seed: int, n_jobs: int = 1, progress: bool = False, **kw: Any
    ) -> None:
        self.reps, self.seed, self.n_jobs, self.progress, self.kw = reps, seed, n_jobs, progress, kw
        self._frames: dict[str, pd.DataFrame] = {}
        self.count = 0

    def frame(self, sc: Scenario) -> pd.DataFrame:
        key = scenario_hash(sc)
        if key not in self._frames:
            res = run(sc, reps=self.reps, seed=self.seed, n_jobs=self.n_jobs,
                      progress=self.progress, **self.kw)  # fmt: skip
            reps = res.replications
            self._frames[key] = reps[reps.site == ""].pivot(index="rep", columns="kpi",
                                                            values="value")  # fmt: skip
            self.count += 1
        return self._frames[key]

    def values(self, sc: Scenario, kpi: str) -> np.ndarray:
        f = self.frame(sc)
        if kpi in DERIVED:
            num, den = DERIVED[kpi][:2]
            with np.errstate(divide="ignore", invalid="ignore"):
                return (100.0 * f[num] / f[den]).to_numpy(dtype=float)
        if kpi not in f:
            raise KeyError(f"the scenario '{sc.name}' does not report the KPI {kpi!r}")
        return f[kpi].to_numpy(dtype=float)


def check_measures(kpis: Sequence[str]) -> list[str]:
    """KPI names (or derived measures), or ``ValueError`` naming an unknown one."""
    from ..metrics import KPIS

    unknown = [k for k in kpis if k not in KPIS and k not in DERIVED]
    if unknown or not kpis:
        raise ValueError(
            f"unknown KPI(s) {', '.join(unknown) or '(none given)'}; choose from "
            + ", ".join([*KPIS.names(), *DERIVED])
        )
    return list(kpis)


def measure_label(kpi: str) -> tuple[str, str]:
    """(label, unit) of a KPI or derived measure."""
    from ..metrics import KPIS

    if kpi in DERIVED:
        return DERIVED[kpi][3], DERIVED[kpi][2]
    return KPIS.label(kpi), KPIS.unit(kpi)


@dataclass
class Sensitivity:
    """One-way sensitivity of KPIs (or of a paired difference) to each assumption."""

    scenario: str
    against: str | None
    kpis: list[str]
    reps: int
    seed: int
    rows: pd.DataFrame
    """One row per assumption x end x KPI: ``assumption, label, end, values, kpi, central,
    mean, ci_low, ci_high, effect, effect_ci_low, effect_ci_high, n``."""
    info: dict[str, Any] = field(default_factory=dict)

    plot = Accessor("The tornado chart, e.g. ``sens.plot.tornado('operations')``.")

    def table(self, kpi: str | None = None) -> pd.DataFrame:
        return self.rows if kpi is None else self.rows[self.rows.kpi == kpi]

    def order(self, kpi: str) -> list[str]:
        """Assumptions by the swing of ``kpi`` between their ends, largest first."""
        t = self.table(kpi)
        swing = t.groupby("assumption", sort=False).effect.agg(lambda e: e.max() - e.min())
        return list(swing.sort_values(ascending=False, kind="stable").index)

    @property
    def measure(self) -> str:
        return f"difference against '{self.against}'" if self.against else "value"

    def save(
        self, out_dir: str | os.PathLike[str], overwrite: bool = False,
        extra: ExtraFiles | None = None,
    ) -> list[str]:  # fmt: skip
        """``sensitivity.csv`` and ``sensitivity.json`` (what was run), then ``extra``."""
        out = prepare_folder(out_dir, overwrite)
        atomic_write_csv(out / SENSITIVITY_CSV, self.rows)
        atomic_write_json(out / "sensitivity.json", {
            "scenario": self.scenario, "against": self.against, "kpis": self.kpis,
            "reps": self.reps, "seed": self.seed, **self.info,
        })  # fmt: skip
        written = [SENSITIVITY_CSV, "sensitivity.json"]
        if extra is not None:
            written += extra(self, Path(out))
        return written


def sensitivity(
    scenario: Scenario,
    against: Scenario | None = None,
    kpis: Sequence[str] | None = None,
    reps: int = 10,
    seed: int = 1,
    n_jobs: int = 1,
    progress: bool = False,
    assumptions: Sequence[str] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Sensitivity:
    """Move each declared assumption (of ``scenario`` and of ``against``) to its low and
    its high end in turn, on common random numbers, and measure the effect on ``kpis`` (or
    on their paired difference against ``against``)."""
    kpis = check_measures(list(kpis or DEFAULT_KPIS))
    keys = list(dict.fromkeys([*scenario.assumptions, *(against.assumptions if against else {})]))
    if assumptions is not None:
        missing = [a for a in assumptions if a not in keys]
        if missing:
            raise ValueError(f"no assumption {', '.join(missing)}; declared: {', '.join(keys)}")
        keys = list(assumptions)
    if not keys:
        raise ValueError(
            f"'{scenario.name}' declares no assumptions: add an assumptions: block of dotted "
            "paths with low, high and why"
        )
    runs = Runs(reps, seed, n_jobs, progress)

    def metric(sc: Scenario, base: Scenario | None, kpi: str) -> np.ndarray:
        v = runs.values(sc, kpi)
        return v - runs.values(base, kpi) if base is not None else v

    central = {k: metric(scenario, against, k) for k in kpis}
    rows = []
    for key in keys:
        for end in ("low", "high"):
            if on_step:
                on_step(f"{key} at its {end} end")
            moved, told = [], []
            for sc in (scenario, against):
                if sc is None:
                    moved.append(None)
                    continue
                if key in sc.assumptions:
                    ov = assumption_overrides(sc, key, end)
                    moved.append(with_values(sc, ov, f"the assumption {key} at its {end} end"))
                    told.append(", ".join(f"{p}={v}" for p, v in ov.items()))
                else:
                    moved.append(sc)
            decl = scenario.assumptions.get(key) or against.assumptions[key]  # type: ignore[union-attr]
            for kpi in kpis:
                value = metric(moved[0], moved[1], kpi)  # type: ignore[arg-type]
                mean, _sd, low, high, n = mean_ci(value)
                eff, _sd, elow, ehigh, _n = mean_ci(value - central[kpi])
                rows.append((key, decl.label or key, end, decl.low if end == "low" else decl.high,
                             "; ".join(dict.fromkeys(told)), kpi, float(np.nanmean(central[kpi])),
                             mean, low, high, eff, elow, ehigh, n))  # fmt: skip
    cols = ["assumption", "label", "end", "level", "values", "kpi", "central", "mean", "ci_low",
            "ci_high", "effect", "effect_ci_low", "effect_ci_high", "n"]  # fmt: skip
    return Sensitivity(
        scenario.name, against.name if against else None, kpis, reps, seed,
        pd.DataFrame(rows, columns=cols), {"scenarios_run": runs.count},
    )  # fmt: skip
