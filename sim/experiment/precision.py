"""How many replications: add them until the confidence intervals are narrow enough.

The confidence-interval width method (Robinson 2014, *Simulation: The Practice of Model
Development and Use*, ch. 9; Hoad, Robinson & Davies 2010): run a few replications,
then keep adding a batch at a time until, for every named KPI of the whole collaborative,
the half-width of the 95% interval of the mean is at most ``rel_half_width`` of the mean
(5% by default), or until a cap. Replications keep their numbers, so a result with ``n``
replications is exactly ``sim.run(scenario, reps=n, seed)``.

For a comparison the same rule applies either to each scenario's own KPIs (``on="each"``)
or to the paired differences against the baseline (``on="differences"``), whose
half-width is then measured against the baseline's mean: a difference near zero has no
relative precision of its own.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..metrics import KPIS
from ..scenario.schema import Scenario
from ..text import shown
from .backends import connected, resolve_backend
from .compare import Comparison
from .results import Results
from .runner import manifest, run
from .stats import half_width

#: The KPIs whose intervals are narrowed by default (declared in the KPI registry).
DEFAULT_KPIS: tuple[str, ...] = tuple(KPIS.precision_targets())


@dataclass
class Precision:
    """What the stopping rule saw: the replications chosen and the half-widths achieved."""

    kpis: list[str]
    target: float
    """Largest relative half-width accepted (0.05 = 5% of the mean)."""
    on: str
    reps: int
    reached: bool
    """False when the cap was hit first."""
    half_widths: dict[str, float]
    """Half-width of each KPI's 95% interval (the KPI's unit); per scenario in a comparison."""
    relative: dict[str, float]
    """``half_widths`` divided by the absolute mean (of the baseline, for differences)."""
    history: list[tuple[int, float]] = field(default_factory=list)
    """(replications, worst relative half-width) after each batch."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        how = "target reached" if self.reached else "cap reached before the target"
        worst = max(self.relative.values(), default=float("nan"))
        return (
            f"{self.reps} replications chosen ({how}): largest relative 95% half-width "
            f"{_pct(worst)} against a target of {_pct(self.target)}, over {len(self.kpis)} "
            f"KPI(s) ({self.on})"
        )


def _pct(x: float) -> str:
    return "–" if x != x else ("inf" if math.isinf(x) else f"{100 * x:.2f}%")


def check_kpis(kpis: Sequence[str]) -> list[str]:
    """The KPI names, or ``ValueError`` naming an unknown one."""
    unknown = [k for k in kpis if k not in KPIS]
    if unknown or not kpis:
        raise ValueError(
            f"unknown KPI(s) {', '.join(unknown) or '(none given)'}; choose from "
            + ", ".join(KPIS.names())
        )
    return list(kpis)


def relative_half_widths(
    replications: pd.DataFrame, kpis: Sequence[str], site: str = "", confidence: float = 0.95
) -> tuple[dict[str, float], dict[str, float]]:
    """(half-width, half-width / |mean|) of each KPI's interval, from a replications frame."""
    absolute, relative = {}, {}
    sel = replications[replications.site == site]
    for kpi in kpis:
        values = sel.loc[sel.kpi == kpi, "value"].to_numpy(dtype=float)
        absolute[kpi], relative[kpi] = _ratio(values, values, confidence)
    return absolute, relative


def _ratio(values: np.ndarray, scale: np.ndarray, confidence: float) -> tuple[float, float]:
    half = half_width(values, confidence)
    finite = scale[np.isfinite(scale)]
    level = abs(float(finite.mean())) if finite.size else float("nan")
    if not np.isfinite(half):
        return half, math.inf
    if level == 0:
        return half, 0.0 if half == 0 else math.inf
    return half, half / level


def _progress_bar(name: str):
    from tqdm.auto import tqdm

    return tqdm(desc=f"{shown(name, 40, quote=False)} (reps auto)", unit="rep", leave=False)


def _advance(bar, n: int, worst: float, target: float) -> None:
    """Count a batch and show the widest interval against the target."""
    if bar is not None:
        bar.update(n)
        bar.set_postfix_str(f"widest ±{_pct(worst)} of the mean, target {_pct(target)}")


def _default_batch(n_jobs: int) -> int:
    return max(2, n_jobs if n_jobs > 0 else (os.cpu_count() or 2))


def run_until_precise(
    scenario: Scenario,
    kpis: Sequence[str] = DEFAULT_KPIS,
    rel_half_width: float = 0.05,
    min_reps: int = 5,
    max_reps: int = 100,
    batch: int | None = None,
    seed: int = 1,
    n_jobs: int = 1,
    backend: str | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    events: bool = False,
) -> Results:
    """Run replications in batches until every KPI's relative 95% half-width is at most
    ``rel_half_width`` (network level), or ``max_reps`` are done.

    The choice is in ``results.manifest["precision"]`` (see :class:`Precision`).
    """
    kpis = check_kpis(kpis)
    if not 2 <= min_reps <= max_reps:
        raise ValueError("need 2 <= min_reps <= max_reps")
    batch = batch or _default_batch(n_jobs)
    started = dt.datetime.now(dt.UTC)
    reps: list = []
    history: list[tuple[int, float]] = []
    bar = _progress_bar(scenario.name) if progress else None
    with connected(backend, scheduler):
        backend = resolve_backend(backend, scheduler)
        while True:
            n = min_reps if not reps else min(batch, max_reps - len(reps))
            more = run(
                scenario, n, seed, n_jobs, events=events, backend=backend, first_rep=len(reps)
            )
            reps.extend(more.reps)
            res = Results(scenario=scenario, seed=seed, reps=reps)
            absolute, relative = relative_half_widths(res.replications, kpis)
            worst = max(relative.values())
            history.append((len(reps), worst))
            _advance(bar, n, worst, rel_half_width)
            if worst <= rel_half_width or len(reps) >= max_reps:
                break
    if bar is not None:
        bar.close()
    precision = Precision(
        kpis=kpis,
        target=rel_half_width,
        on="each",
        reps=len(reps),
        reached=worst <= rel_half_width,
        half_widths=absolute,
        relative=relative,
        history=history,
    )
    res.manifest = manifest(
        scenario,
        seed,
        [r.rep for r in reps],
        n_jobs,
        started,
        events=events,
        backend=backend or "loky",
        precision=precision.as_dict(),
    )
    return res


def compare_until_precise(
    scenarios: Sequence[Scenario],
    kpis: Sequence[str] = DEFAULT_KPIS,
    rel_half_width: float = 0.05,
    on: Literal["each", "differences"] = "each",
    min_reps: int = 5,
    max_reps: int = 100,
    batch: int | None = None,
    seed: int = 1,
    n_jobs: int = 1,
    backend: str | None = None,
    scheduler: str | None = None,
    progress: bool = False,
) -> Comparison:
    """``sim.compare`` with replications added until precise enough.

    ``on="each"``: every scenario's own KPI intervals must meet the target;
    ``on="differences"``: the paired differences' intervals, measured against the
    baseline's mean. The choice is in each result's ``manifest["precision"]``.
    """
    kpis = check_kpis(kpis)
    if len(scenarios) < 2:
        raise ValueError("a comparison needs at least two scenarios")
    if on not in ("each", "differences"):
        raise ValueError("on must be 'each' or 'differences'")
    if not 2 <= min_reps <= max_reps:
        raise ValueError("need 2 <= min_reps <= max_reps")
    batch = batch or _default_batch(n_jobs)
    started = dt.datetime.now(dt.UTC)
    reps: list[list] = [[] for _ in scenarios]
    history: list[tuple[int, float]] = []
    bar = _progress_bar(f"{len(scenarios)} scenarios") if progress else None
    with connected(backend, scheduler):
        backend = resolve_backend(backend, scheduler)
        while True:
            done = len(reps[0])
            n = min_reps if not done else min(batch, max_reps - done)
            for i, sc in enumerate(scenarios):
                more = run(sc, n, seed, n_jobs, backend=backend, first_rep=done)
                reps[i].extend(more.reps)
            cmp = Comparison([Results(sc, seed, r) for sc, r in zip(scenarios, reps, strict=True)])
            absolute, relative = _comparison_widths(cmp, kpis, on)
            worst = max(relative.values())
            history.append((len(reps[0]), worst))
            _advance(bar, n, worst, rel_half_width)
            if worst <= rel_half_width or len(reps[0]) >= max_reps:
                break
    if bar is not None:
        bar.close()
    precision = Precision(
        kpis=kpis,
        target=rel_half_width,
        on=on,
        reps=len(reps[0]),
        reached=worst <= rel_half_width,
        half_widths=absolute,
        relative=relative,
        history=history,
    )
    for res in cmp.results:
        res.manifest = manifest(
            res.scenario,
            seed,
            [r.rep for r in res.reps],
            n_jobs,
            started,
            backend=backend or "loky",
            precision=precision.as_dict(),
        )
    return cmp


def _comparison_widths(
    cmp: Comparison, kpis: list[str], on: str
) -> tuple[dict[str, float], dict[str, float]]:
    """Per scenario (``each``) or per non-baseline difference: keys ``scenario: kpi``."""
    absolute, relative = {}, {}
    names = cmp.names
    base = cmp.baseline.replications
    base = base[base.site == ""].set_index(["kpi", "rep"])["value"]
    for i, res in enumerate(cmp.results):
        if on == "differences" and i == 0:
            continue
        frame = res.replications
        if on == "each":
            a, r = relative_half_widths(frame, kpis)
        else:
            other = frame[frame.site == ""].set_index(["kpi", "rep"])["value"]
            a, r = {}, {}
            for kpi in kpis:
                diff = (other.loc[kpi] - base.loc[kpi]).to_numpy(dtype=float)
                a[kpi], r[kpi] = _ratio(diff, base.loc[kpi].to_numpy(dtype=float), 0.95)
        label = res.name if names.count(res.name) == 1 else f"{res.name} ({i + 1})"
        for kpi in kpis:
            absolute[f"{label}: {kpi}"] = a[kpi]
            relative[f"{label}: {kpi}"] = r[kpi]
    return absolute, relative
