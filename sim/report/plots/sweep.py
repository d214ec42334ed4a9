"""Plots of a sweep: KPIs against each swept parameter, with their 95% intervals."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ...experiment.accessors import register_accessor
from ...experiment.sweep.results import SweepResults
from ...metrics import KPIS
from .common import AxesArg, axes_for, save_figure

_SWEEP_COLUMNS = {"point_id", "kpi", "site", "mean", "std", "ci_low", "ci_high", "n", "unit"}


def _numeric(values: list) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def sweep_plot(
    summary: pd.DataFrame,
    parameter: str,
    kpis: list[str] | tuple[str, ...],
    ax: AxesArg = None,
) -> Figure:
    """KPIs against one swept parameter: mean and 95% CI error bars at each grid point.

    ``summary`` is a sweep's summary (one row per point x KPI, a column per parameter);
    each combination of the other parameters gets its own line. ``ax``: one axes per KPI
    (a new figure by default).
    """
    others = [c for c in summary.columns if c not in _SWEEP_COLUMNS and c != parameter]
    values = list(dict.fromkeys(summary[parameter]))
    numeric = _numeric(values)
    position = {v: (v if numeric else i) for i, v in enumerate(values)}
    ncols = min(2, len(kpis))
    nrows = -(-len(kpis) // ncols)
    own = ax is None
    if own:
        fig, panels = axes_for(None, figsize=(6.2 * ncols, 3.8 * nrows), nrows=nrows, ncols=ncols)
    else:
        fig, panels = axes_for(ax, len(kpis))
    axes = np.array(panels, dtype=object)
    span = (max(values) - min(values)) if numeric and len(values) > 1 else len(values)
    for ax, kpi in zip(axes.flat, kpis, strict=False):
        rows = summary[summary.kpi == kpi]
        groups = list(rows.groupby(others, sort=False)) if others else [((), rows)]
        for i, (key, grp) in enumerate(groups):
            key = key if isinstance(key, tuple) else (key,)
            label = ", ".join(f"{o}={k}" for o, k in zip(others, key, strict=True))
            grp = grp.assign(_x=grp[parameter].map(position)).sort_values("_x")
            shift = (i - (len(groups) - 1) / 2) * 0.012 * span
            mean = grp["mean"].to_numpy(dtype=float)
            err = np.vstack([mean - grp["ci_low"].to_numpy(float), grp["ci_high"] - mean])
            ax.errorbar(
                grp["_x"].to_numpy(float) + shift,
                mean,
                yerr=np.nan_to_num(np.abs(err)),
                marker="o",
                capsize=3,
                label=label or None,
            )
        unit = rows["unit"].iloc[0] if len(rows) and "unit" in rows else ""
        ax.set_title(kpi.replace("_", " ") + (f" ({unit})" if unit else ""), fontsize=10)
        ax.set_xlabel(parameter)
        if not numeric:
            ax.set_xticks(range(len(values)), [str(v) for v in values])
        ax.grid(alpha=0.3)
        if len(groups) > 1 and ax is axes.flat[0]:
            ax.legend(fontsize=7)
    if not own:
        return fig
    for ax in list(axes.flat)[len(kpis) :]:
        ax.set_visible(False)
    n = int(summary["n"].max()) if len(summary) else 0
    fig.suptitle(f"KPIs against {parameter} (mean and 95% CI over {n} replications)")
    fig.tight_layout()
    return fig


@register_accessor(SweepResults, "plot")
class SweepPlots:
    """``sweep.plot(parameter=None, kpis=None)``: KPIs against one parameter."""

    def __init__(self, sweep: SweepResults):
        self._s = sweep

    def __call__(
        self,
        parameter: str | None = None,
        kpis: Sequence[str] | None = None,
        ax: AxesArg = None,
    ) -> Figure:
        """KPIs against one parameter (the first by default), with 95% CI error bars; by
        default the key KPIs of the registry (those ``--reps auto`` narrows). ``ax``: one
        axes per KPI (a new figure by default)."""
        if kpis is None:
            kpis = sweep_kpis(self._s)
        parameter = parameter or self._s.parameters[0]
        return sweep_plot(self._s.summary, parameter, list(kpis), ax=ax)


def sweep_kpis(sweep: SweepResults) -> list[str]:
    """The KPIs a sweep plot shows by default: the registry's precision targets."""
    return [k for k in KPIS.precision_targets() if k in set(sweep.summary.kpi)]


def sweep_plot_name(parameter: str) -> str:
    """``sweep_<parameter>.png``, the parameter's dotted path made a file name."""
    return "sweep_" + re.sub(r"[^A-Za-z0-9]+", "_", parameter).strip("_") + ".png"


def save_sweep_plots(sweep: SweepResults, out: Path) -> list[str]:
    """One plot per parameter (headline KPIs against it); returns the file names."""
    if sweep.summary.empty:
        return []
    kpis = sweep_kpis(sweep)
    names = []
    for param in sweep.parameters:
        name = sweep_plot_name(param)
        save_figure(sweep.plot(param, kpis), Path(out) / name)
        names.append(name)
    return names
