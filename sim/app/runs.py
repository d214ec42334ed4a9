"""Running a scenario for the app (in batches, so a progress bar can move), the runs a
session keeps, and comparing 2-4 of them on common random numbers."""

from __future__ import annotations

import inspect
import io
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

import sim
from sim.metrics import KPIS
from sim.text import sig

#: matplotlib's pyplot is not thread-safe, and downloads are built on another thread.
PLOT_LOCK = threading.Lock()
MAX_COMPARED = 4


def run_with_progress(
    scenario: sim.Scenario,
    reps: int,
    seed: int,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> sim.Results:
    """``sim.run`` in batches of ``workers`` replications, calling ``progress(done, reps)``
    after each; the same replications and numbers as one ``sim.run(reps=reps, seed=seed)``.

    Failed replications are kept in ``Results.failures``; if none succeeds,
    ``sim.ReplicationError`` is raised.
    """
    if reps < 1:
        raise ValueError("reps must be at least 1")
    workers = max(1, int(workers))
    done: list[Any] = []
    failures: list[Any] = []
    manifest: dict[str, Any] = {}
    if progress:
        progress(0, reps)
    for first in range(0, reps, workers):
        n = min(workers, reps - first)
        try:
            part = sim.run(scenario, reps=n, seed=seed, n_jobs=n, keep_going=True, first_rep=first)
        except sim.ReplicationError as exc:
            failures.extend(exc.failures)
        else:
            done.extend(part.reps)
            failures.extend(part.failures)
            manifest = manifest or dict(part.manifest)
            manifest["finished"] = part.manifest.get("finished")
        if progress:
            progress(first + n, reps)
    if not done:
        raise sim.ReplicationError(failures)
    done.sort(key=lambda r: r.rep)
    failures.sort(key=lambda f: f.rep)
    manifest.update(
        reps=len(done),
        replications=[r.rep for r in done],
        n_jobs=workers,
        failures=[{"rep": f.rep, "seed": f.seed, "error": f.error} for f in failures],
    )
    return sim.Results(
        scenario=scenario, seed=seed, reps=done, failures=failures, manifest=manifest
    )


def png(fig: Any) -> bytes:
    """A matplotlib figure as PNG bytes (the figure is closed)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _draw(out: dict[str, bytes], notes: list[str], title: str, make: Callable[[], Any]) -> None:
    try:
        out[title] = png(make())
    except Exception as exc:  # noqa: BLE001 - one plot that cannot be drawn must not stop the page
        notes.append(f"{title}: could not be drawn ({type(exc).__name__}: {exc})")


def result_figures(res: sim.Results) -> tuple[dict[str, bytes], list[str]]:
    """The run's plots as PNG bytes by title, and notes on any that could not be drawn."""
    out: dict[str, bytes] = {}
    notes: list[str] = []
    with PLOT_LOCK:
        _draw(out, notes, "Waiting list (mean and 95% band)", res.plot.waiting_list)
        if len(res.scenario.demand.referrals) > 1:
            _draw(out, notes, "Waiting list by site", lambda: res.plot.waiting_list(by_site=True))
        _draw(out, notes, "Waits", res.plot.wait_distribution)
        _draw(out, notes, "Cancellations", res.plot.cancellations)
        _draw(out, notes, "Utilisation", res.plot.utilisation)
        if any(s.critical_care is not None for s in res.scenario.sites.values()):
            _draw(out, notes, "Critical care", res.plot.critical_care)
    return out, notes


def comparison_figures(cmp: sim.Comparison) -> tuple[dict[str, bytes], list[str]]:
    """Forest plot, waiting lists with bands, and the tornado chart when the library has one."""
    out: dict[str, bytes] = {}
    notes: list[str] = []
    with PLOT_LOCK:
        _draw(out, notes, "Forest plot: differences against the baseline", cmp.plot.forest)
        _draw(out, notes, "Waiting lists (mean and 95% band)", cmp.plot.waiting_list)
        tornado = getattr(cmp.plot, "tornado", None)
        if tornado is not None and _needs_nothing(tornado):
            _draw(out, notes, "Tornado: sensitivity", tornado)
    return out, notes


def sensitivity_figure(
    scenario: sim.Scenario, against: sim.Scenario | None, kpi: str, reps: int, seed: int = 1
) -> tuple[bytes | None, str]:
    """Tornado of ``kpi`` (of its paired difference against ``against``, when given) over
    every assumption the scenarios declare, as PNG bytes, and a note: why there is none, or
    what was run."""
    try:
        sens = sim.sensitivity(scenario, against=against, kpis=[kpi], reps=reps, seed=seed)
    except ValueError as exc:  # no assumptions declared, or an unknown KPI: said plainly
        return None, str(exc)
    with PLOT_LOCK:
        data = png(sens.plot.tornado(kpi))
    n = len(sens.table(kpi))
    return data, f"{n} runs' worth of assumption ends, {reps} replications each, seed {seed}"


def _needs_nothing(fn: Callable[..., Any]) -> bool:
    """Whether ``fn()`` can be called as it is (a tornado may need sensitivity runs)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return all(
        p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params
    )


def sig3(x: float, signed: bool = False) -> str:
    """Three significant figures, thousands separated: 18,200, 58.6, 0.694."""
    return sig(None if x is None else float(x), 3, signed)


def _site_name(sc: sim.Scenario, sid: str) -> str:
    if not sid:
        return "Whole collaborative"
    site = sc.sites.get(sid)
    return (site.name or sid) if site else sid


def kpi_table(res: sim.Results, site: str = "", headline_only: bool = True) -> pd.DataFrame:
    """The KPIs of one site (``""``: the whole collaborative) with labels and units."""
    s = res.summary[(res.summary.site == site) & (res.summary.n > 0)]
    names = KPIS.headline(s.kpi) if headline_only else KPIS.order(s.kpi)
    rows = []
    for name in names:
        r = s[s.kpi == name].iloc[0]
        interval = "" if r.n < 2 else f"{sig3(r.ci_low)} to {sig3(r.ci_high)}"
        rows.append((KPIS.label(name), KPIS.unit(name), sig3(r["mean"]), interval))
    return pd.DataFrame(rows, columns=["KPI", "unit", "mean", "95% CI"])


def differences_table(cmp: sim.Comparison, site: str = "") -> pd.DataFrame:
    """Baseline mean and each scenario's paired difference (95% CI); * = excludes 0."""
    diffs = cmp.differences()
    net = diffs[diffs.site == site]
    names = KPIS.headline(net.kpi) + [k for k in KPIS.order(net.kpi) if k not in KPIS.headline()]
    rows = []
    for name in names:
        sel = net[net.kpi == name]
        if sel.empty or sel.diff_mean.isna().all():
            continue
        unit = KPIS.unit(name)
        unit_diff = "pp" if unit == "%" else unit
        cells = []
        for other in cmp.names[1:]:
            x = sel[sel.scenario == other]
            if x.empty:
                cells.append("–")
                continue
            x = x.iloc[0]
            star = " *" if x.excludes_zero else ""
            cells.append(
                f"{sig3(x.diff_mean, True)} ({sig3(x.diff_ci_low, True)} to "
                f"{sig3(x.diff_ci_high, True)}){star}"
            )
        rows.append((KPIS.label(name), unit_diff, sig3(sel.iloc[0].baseline_mean), *cells))
    cols = [
        "KPI",
        "unit",
        f"{cmp.names[0]} (baseline)",
        *(f"{n}: difference" for n in cmp.names[1:]),
    ]
    return pd.DataFrame(rows, columns=cols)


@dataclass
class Run:
    """One run kept in the session."""

    id: str
    results: sim.Results
    yaml_text: str
    source: str
    seconds: float
    figures: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    folder: Path | None = None

    @property
    def name(self) -> str:
        return self.results.name

    def describe(self) -> str:
        r = self.results
        return f"{self.name} — {len(r.reps)} replications, seed {r.seed}"


def paired(runs: list[Run]) -> str | None:
    """Why these runs are not paired on common random numbers, or None if they are."""
    seeds = {r.results.seed for r in runs}
    counts = {len(r.results.reps) for r in runs}
    if len(seeds) > 1:
        return (
            "these runs used different seeds, so they did not see the same patients: the "
            "differences are still estimated, but with wider intervals than a paired "
            "comparison; run them again on one seed to pair them"
        )
    if len(counts) > 1:
        return (
            "these runs have different numbers of replications: only the replications all "
            "of them share are compared"
        )
    return None


def compare_runs(runs: list[Run]) -> sim.Comparison:
    """The first run is the baseline."""
    if not 2 <= len(runs) <= MAX_COMPARED:
        raise ValueError(f"compare 2 to {MAX_COMPARED} runs")
    return sim.Comparison([r.results for r in runs])


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start
