"""The waterfall of a decomposition: from the first scenario to the last, one bar a step,
each with its paired 95% interval."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ...experiment.accessors import register_accessor
from ...experiment.decompose import Decomposition
from ...metrics import KPIS
from .common import save_figure, wrapped_title


def _fmt(x: float, sign: bool = True) -> str:
    if not np.isfinite(x):
        return "–"
    s = "+" if sign else ""
    if abs(x) >= 100:
        return f"{x:{s},.0f}"
    if abs(x) >= 1:
        return f"{x:{s}.2f}"
    return f"{x:{s}.3f}"


def waterfall(decomposition: Decomposition | pd.DataFrame, kpi: str) -> Figure:
    """Waterfall of ``kpi``: the first scenario's mean, each step's paired difference as a
    floating bar with its 95% interval (hatched: the interval includes 0), the last
    scenario's mean. ``decomposition`` is a :class:`Decomposition` or its table (as read
    back from ``decomposition.csv``)."""
    df = decomposition if isinstance(decomposition, pd.DataFrame) else decomposition.table([kpi])
    df = df[df.kpi == kpi]
    if df.empty:
        raise ValueError(f"the decomposition has no KPI {kpi!r}")
    steps = df[df.step.astype(str) != "total"]
    total = df[df.step.astype(str) == "total"].iloc[0]
    start = float(steps.iloc[0].from_mean)
    labels = ["\n".join(textwrap.wrap(str(steps.iloc[0].from_scenario), 16))]
    fig, ax = plt.subplots(figsize=(2.0 + 1.5 * (len(steps) + 2), 4.8))
    ax.bar(0, start, color="0.55", width=0.6)
    ax.text(0, start, _fmt(start, False), ha="center", va="bottom", fontsize=9)
    level = start
    for i, (_, r) in enumerate(steps.iterrows(), start=1):
        d = float(r.diff_mean)
        better = getattr(KPIS.find(kpi), "better", None)
        colour = (
            "#005eb8"
            if better is None
            else ("#007f3b" if (d > 0) == (better == "higher") else "#d5281b")
        )
        ax.bar(i, d, bottom=level, color=colour, width=0.6,
               hatch=None if r.excludes_zero else "//", alpha=0.85, edgecolor="white")  # fmt: skip
        low, high = level + float(r.diff_ci_low), level + float(r.diff_ci_high)
        if np.isfinite(low) and np.isfinite(high):
            ax.errorbar(i, level + d, yerr=[[level + d - low], [high - level - d]], color="k",
                        capsize=4, lw=1)  # fmt: skip
        ax.plot([i - 1.3, i + 0.3], [level, level], color="0.4", lw=0.7, ls=":")
        ax.text(i + 0.33, level + d, _fmt(d), ha="left", va="center", fontsize=9)
        labels.append("\n".join(textwrap.wrap(str(r.label), 16)))
        level += d
    end = float(total.to_mean)
    n = len(steps) + 1
    ax.bar(n, end, color="0.35", width=0.6)
    low, high = start + float(total.diff_ci_low), start + float(total.diff_ci_high)
    if np.isfinite(low) and np.isfinite(high):
        ax.errorbar(n, end, yerr=[[end - low], [high - end]], color="k", capsize=4, lw=1)
    ax.text(n, end, f"{_fmt(end, False)}\n(total {_fmt(float(total.diff_mean))})", ha="center",
            va="bottom", fontsize=9)  # fmt: skip
    labels.append("\n".join(textwrap.wrap(str(total.to_scenario), 16)))
    ax.set_xticks(range(n + 1), labels, fontsize=8)
    ylabel = f"{KPIS.label(kpi)} ({KPIS.unit(kpi)})"
    levels = [start, end, *(start + np.cumsum(steps.diff_mean.astype(float)))]
    lows = [start + float(x) for x in [*steps.diff_ci_low, total.diff_ci_low] if np.isfinite(x)]
    top, bottom = max(levels), min(levels + lows)
    spread = max(top - bottom, 1e-9)
    if bottom > 0 and spread < 0.5 * top:  # the steps would be slivers on an axis from 0
        ax.set_ylim(bottom - 0.6 * spread, top + 0.35 * spread)
        ylabel += ", axis not from 0"
    ax.set_ylabel(ylabel)
    reps = int(total.n)
    wrapped_title(
        ax,
        f"{KPIS.label(kpi)}: the difference split into steps, in this order (paired 95% "
        f"intervals, {reps} replications on common random numbers; hatched: interval "
        "includes 0)",
        width=90,
    )
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


@register_accessor(Decomposition, "plot")
class DecompositionPlots:
    """``decomposition.plot.waterfall(kpi)``."""

    def __init__(self, decomposition: Decomposition):
        self._d = decomposition

    def waterfall(self, kpi: str) -> Figure:
        return waterfall(self._d, kpi)


def waterfall_file(kpi: str) -> str:
    return f"waterfall_{kpi}.png"


def save_decomposition_plots(decomposition: Decomposition, out: Path) -> list[str]:
    """A waterfall for each KPI of the decomposition's table; returns the file names."""
    table = decomposition.table()
    names = []
    for kpi in dict.fromkeys(table.kpi):
        save_figure(waterfall(table, kpi), Path(out) / waterfall_file(kpi))
        names.append(waterfall_file(kpi))
    return names
