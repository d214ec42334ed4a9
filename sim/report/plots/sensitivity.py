"""The tornado chart of a one-way sensitivity analysis, and the curve of a threshold search."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ...experiment.accessors import register_accessor
from ...experiment.sensitivity import Sensitivity, measure_label
from ...experiment.threshold import Threshold
from .common import save_figure, wrapped_title


def _fmt(x: float) -> str:
    if not np.isfinite(x):
        return "–"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def tornado(
    sensitivity: Sensitivity | pd.DataFrame, kpi: str, against: str | None = None
) -> Figure:
    """Tornado of ``kpi``: one bar per assumption from its low end's result to its high
    end's, around the central result, the widest swing on top; whiskers are each end's
    paired 95% interval. ``sensitivity`` is a :class:`Sensitivity` or its table."""
    if isinstance(sensitivity, Sensitivity):
        against = sensitivity.against
        df = sensitivity.table(kpi)
    else:
        df = sensitivity[sensitivity.kpi == kpi]
    if df.empty:
        raise ValueError(f"the sensitivity analysis has no KPI {kpi!r}")
    central = float(df.central.iloc[0])
    swing = df.groupby("assumption", sort=False).effect.agg(lambda e: e.max() - e.min())
    order = list(swing.sort_values(ascending=True, kind="stable").index)  # widest drawn last
    fig, ax = plt.subplots(figsize=(9, 1.4 + 0.55 * len(order)))
    for y, key in enumerate(order):
        rows = df[df.assumption == key].set_index("end")
        for end, colour in (("low", "#41b6e6"), ("high", "#005eb8")):
            if end not in rows.index:
                continue
            r = rows.loc[end]
            ax.barh(y, r.effect, left=central, color=colour, height=0.6,
                    label=f"{end} end" if y == len(order) - 1 else None)  # fmt: skip
            lo, hi = central + r.effect_ci_low, central + r.effect_ci_high
            if np.isfinite(lo) and np.isfinite(hi):
                ax.plot([lo, hi], [y, y], color="k", lw=1)
            ax.text(central + r.effect, y + 0.32, _level(r.level), fontsize=7, ha="center",
                    va="bottom", color="0.3")  # fmt: skip
    labels = [str(df[df.assumption == k].label.iloc[0]) for k in order]
    ax.set_yticks(range(len(order)), labels, fontsize=8)
    ax.axvline(central, color="0.3", lw=1)
    label, unit = measure_label(kpi)
    what = f"difference against '{against}'" if against else "value"
    ax.set_xlabel("\n".join(textwrap.wrap(f"{label} ({unit}): {what}", 80)))
    if against:
        ax.axvline(0, color="#d5281b", lw=0.8, ls="--")
    n = int(df.n.iloc[0])
    wrapped_title(ax, f"{label}: one-way sensitivity to each assumption (central "
                      f"{_fmt(central)}; each end's paired 95% interval; {n} replications, "
                      "common random numbers)", width=75)  # fmt: skip
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def threshold_plot(result: Threshold) -> Figure:
    """The measure at each value the search ran, with its 95% interval; the reference
    (zero difference or the level) dashed and the undecided range shaded."""
    ev = result.evaluations.sort_values("value")
    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.errorbar(ev.value, ev["mean"], yerr=[ev["mean"] - ev.ci_low, ev.ci_high - ev["mean"]],
                fmt="o-", capsize=3, color="#005eb8")  # fmt: skip
    level = 0.0 if result.reference.startswith("'") else float(result.reference)
    ax.axhline(level, color="#d5281b", ls="--", lw=1)
    if result.undecided is not None:
        a, b = result.undecided
        ax.axvspan(a - 0.5, b + 0.5, color="0.85", alpha=0.7, lw=0,
                   label="interval includes the reference")  # fmt: skip
        ax.legend(fontsize=8)
    label, unit = measure_label(result.kpi)
    diff = f" minus {result.reference}" if result.reference.startswith("'") else ""
    ax.set_ylabel(f"{label}{diff} ({unit})")
    ax.set_xlabel(" and ".join(result.paths))
    wrapped_title(ax, result.describe(), width=95)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


@register_accessor(Sensitivity, "plot")
class SensitivityPlots:
    """``sensitivity.plot.tornado(kpi)``."""

    def __init__(self, sensitivity: Sensitivity):
        self._s = sensitivity

    def tornado(self, kpi: str) -> Figure:
        return tornado(self._s, kpi)


@register_accessor(Threshold, "plot")
class ThresholdPlots:
    """``threshold.plot()``: the measure at each value run."""

    def __init__(self, result: Threshold):
        self._t = result

    def __call__(self) -> Figure:
        return threshold_plot(self._t)


def tornado_file(kpi: str) -> str:
    return f"tornado_{kpi}.png"


def save_sensitivity_plots(sensitivity: Sensitivity, out: Path) -> list[str]:
    """A tornado for each KPI; returns the file names."""
    names = []
    for kpi in sensitivity.kpis:
        save_figure(tornado(sensitivity, kpi), Path(out) / tornado_file(kpi))
        names.append(tornado_file(kpi))
    return names


def _level(x: object) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)
