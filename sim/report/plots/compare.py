"""Plots of a comparison: the paired differences as a forest plot, the waiting lists together."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ...experiment.accessors import register_accessor
from ...experiment.compare import Comparison
from ...metrics import KPIS
from ...text import sig
from .common import (
    LONG_WAITS,
    AxesArg,
    axes_for,
    band,
    date_axis,
    panels_for,
    rtt_standard,
    save_figure,
    shade_warm_up,
    within_18_weeks,
    wrapped_title,
)


def _differences(comparison: Comparison | pd.DataFrame) -> pd.DataFrame:
    """Paired differences as a frame with ``baseline_mean`` and ``excludes_zero``."""
    df = comparison if isinstance(comparison, pd.DataFrame) else comparison.differences()
    df = df.copy()
    df["site"] = df["site"].fillna("").astype(str)
    if "excludes_zero" not in df:
        df["excludes_zero"] = (df.diff_ci_low > 0) | (df.diff_ci_high < 0)
    if "baseline_mean" not in df:
        df["baseline_mean"] = np.nan
    return df


def _fmt(x: float) -> str:
    """A signed figure to three significant figures."""
    return sig(float(x), 3, signed=True)


def _shown(kpi: str, x: float) -> str:
    """A baseline value with its unit as the report shows it (fractions in %)."""
    text = sig(float(x) * KPIS.scale(kpi), 3)
    unit = KPIS.shown_unit(kpi)
    return f"{text}%" if unit == "%" else f"{text} {unit}"


def forest(
    comparison: Comparison | pd.DataFrame,
    kpis: Sequence[str] | None = None,
    site: str = "",
    relative: bool = True,
    baseline: str | None = None,
    ax: AxesArg = None,
) -> Figure:
    """Forest plot of paired differences against the baseline, with 95% intervals.

    ``comparison`` is a :class:`~sim.Comparison` or its ``differences()`` frame (as read
    back from ``comparison.csv`` plus ``baseline_mean``). With ``relative=True`` every
    KPI is drawn on one axis as a percentage of its baseline mean, and the difference in
    the KPI's own unit is written beside it; otherwise each KPI gets its own panel.
    Filled markers: the interval excludes 0 (a difference the replications can resolve).
    ``kpis``: which KPIs (default: the headline ones measured); ``site``: one site's
    differences (default: the whole collaborative). ``ax``: the axes to draw in, one, or
    one per KPI with ``relative=False`` (a new figure by default).
    """

    df = _differences(comparison)
    if baseline is None and not isinstance(comparison, pd.DataFrame):
        baseline = comparison.baseline.name
    df = df[df.site == site]
    measured = set(df[np.isfinite(df.diff_mean)].kpi)
    headline = KPIS.headline(measured)
    wanted = list(kpis) if kpis is not None else headline
    if relative:
        ok = np.isfinite(df.baseline_mean) & (df.baseline_mean.abs() > 1e-12)
        dropped = [k for k in wanted if k not in set(df[ok].kpi)]
        wanted = [k for k in wanted if k not in dropped]
    else:
        dropped = []
    scenarios = list(dict.fromkeys(df.scenario))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    where = f" at {site}" if site else ""
    head = f"Paired differences against '{baseline}'" if baseline else "Paired differences"
    head += f"{where} (mean and 95% CI, common random numbers)"
    own = ax is None
    if relative:
        height = 1.3 + 0.42 * len(wanted) * max(1, len(scenarios))
        fig, axes = axes_for(ax, 1, figsize=(10, height))
    else:
        ncols = 2
        nrows = max(1, -(-len(wanted) // ncols))
        if own:
            fig, axes = axes_for(None, figsize=(10, 1.4 + 1.3 * nrows), nrows=nrows, ncols=ncols)
        else:
            fig, axes = axes_for(ax, len(wanted))
    step = 0.7 / max(1, len(scenarios))
    for i, kpi in enumerate(wanted):
        unit = KPIS.difference_unit(kpi)
        k = KPIS.scale(kpi)
        ax = axes[0] if relative else axes[i]
        for j, name in enumerate(scenarios):
            row = df[(df.kpi == kpi) & (df.scenario == name)]
            if row.empty:
                continue
            r = row.iloc[0]
            scale = 100.0 / abs(r.baseline_mean) if relative else k
            y = (i if relative else 0) + (j - (len(scenarios) - 1) / 2) * step
            mean, low, high = r.diff_mean * scale, r.diff_ci_low * scale, r.diff_ci_high * scale
            colour = colours[j % len(colours)]
            ax.plot([low, high], [y, y], color=colour, lw=2, solid_capstyle="butt")
            ax.plot(
                mean,
                y,
                "o",
                ms=7,
                color=colour,
                markerfacecolor=colour if r.excludes_zero else "white",
                markeredgewidth=1.5,
                label=name if i == 0 else None,
            )
            if relative:
                ax.annotate(
                    f"{_fmt(r.diff_mean * k)} ({_fmt(r.diff_ci_low * k)} to "
                    f"{_fmt(r.diff_ci_high * k)}) {unit}",
                    (1.01, y),
                    xycoords=("axes fraction", "data"),
                    va="center",
                    fontsize=8,
                    color=colour,
                )
        if not relative:
            ax.axvline(0, color="k", lw=0.8)
            ax.set_yticks([])
            ax.set_ylim(-0.6, 0.6)
            ax.set_title(KPIS.label(kpi), fontsize=9, loc="left")
            ax.set_xlabel(f"difference ({unit})", fontsize=8)
            ax.tick_params(labelsize=8)
            ax.grid(axis="x", alpha=0.3)
    if relative:
        ax = axes[0]
        ax.axvline(0, color="k", lw=0.8)
        labels = [
            "\n".join(textwrap.wrap(KPIS.label(k), 34)) + f"\n(baseline {_shown(k, b)})"
            if k in KPIS
            else k
            for k in wanted
            for b in [df[df.kpi == k].baseline_mean.iloc[0]]
        ]
        ax.set_yticks(range(len(wanted)), labels, fontsize=8)
        ax.set_ylim(len(wanted) - 0.5, -0.5)
        ax.set_xlabel("difference, % of the baseline mean")
        ax.annotate(
            "difference (95% CI) in the KPI's unit",
            (1.01, 1.0),
            xycoords="axes fraction",
            xytext=(0, 4),
            textcoords="offset points",
            fontsize=8,
            style="italic",
        )
        ax.grid(axis="x", alpha=0.3)
        lim = max(1.0, *(abs(x) for line in ax.get_lines() for x in line.get_xdata()))
        ax.set_xlim(-lim * 1.08, lim * 1.08)
    else:
        for ax in axes[len(wanted) :]:
            ax.set_visible(False)
    note = f"; not shown (baseline 0): {', '.join(dropped)}" if dropped else ""
    if not own:
        if names := axes[0].get_legend_handles_labels()[1]:
            axes[0].legend(fontsize=8)
        if relative:
            axes[0].set_title("\n".join(textwrap.wrap(head + note, 80)), fontsize=10)
        return fig
    handles, names = axes[0].get_legend_handles_labels()
    if handles:
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], ls="", marker="o", color="0.3", markerfacecolor="white"))
        names.append("open marker: the interval includes 0")
        fig.legend(handles, names, loc="lower center", ncol=min(3, len(names)), fontsize=8)
    fig.suptitle("\n".join(textwrap.wrap(head + note, 110)), fontsize=11)
    fig.tight_layout(rect=(0, 0.05 if handles else 0, 0.76 if relative else 1, 0.97))
    return fig


def waiting_lists(comparison: Comparison, ax: AxesArg = None) -> Figure:
    """The whole collaborative's waiting list of every scenario against the date (mean and
    95% band): all waiting; those waiting over 18, 52 and 65 weeks; and the share waiting
    under 18 weeks against the 92% standard. ``ax``: the axes to draw in (a new figure by
    default; one Axes: all waiting alone; two or three: as many of the panels)."""
    own = ax is None
    fig, axes = panels_for(ax, 3, (8, 8.5), [3, 3, 2])
    base = comparison.baseline
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for a in axes:
        shade_warm_up(a, base)
    for i, res in enumerate(comparison.results):
        colour = colours[i % len(colours)]
        net = res.timeseries[res.timeseries.site == ""]
        band(axes[0], net[net.measure == "waiting_list"], res.name, color=colour)
        if len(axes) > 1:
            for measure, _weeks, ls in LONG_WAITS:
                rows = net[net.measure == measure]
                if not rows.empty:
                    band(axes[1], rows, None, color=colour, ls=ls)
        if len(axes) > 2:
            band(axes[2], within_18_weeks(res.timeseries), None, color=colour)
    top = axes[0]
    wrapped_title(
        top, f"Waiting list, whole collaborative (mean and 95% CI, {len(base.reps)} reps)"
    )
    top.set_ylabel("patients waiting")
    top.set_ylim(bottom=0)
    top.legend(fontsize=8, loc="best")
    if len(axes) > 1:
        handles = [Line2D([], [], color="0.3", ls=ls) for _m, _w, ls in LONG_WAITS]
        axes[1].legend(handles, [f"over {w} weeks" for _m, w, _ls in LONG_WAITS], fontsize=8)
        axes[1].set_ylabel("patients waiting over")
        axes[1].set_ylim(bottom=0)
    if len(axes) > 2:
        rtt_standard(axes[2])
        axes[2].legend(fontsize=8, loc="lower left")
    for a in axes:
        date_axis(a, base)
        a.grid(alpha=0.3)
    if own:
        fig.tight_layout()
    return fig


@register_accessor(Comparison, "plot")
class ComparisonPlots:
    """``comparison.plot.<name>()``: ``forest()`` and ``waiting_list()``."""

    def __init__(self, comparison: Comparison):
        self._c = comparison

    def forest(
        self,
        kpis: Sequence[str] | None = None,
        site: str = "",
        relative: bool = True,
        ax: AxesArg = None,
    ) -> Figure:
        """Paired differences against the baseline with 95% intervals, as a % of the
        baseline (``relative=False``: one panel per KPI in its own unit); filled markers:
        the interval excludes 0. ``kpis`` (default: the headline KPIs), ``site`` (default:
        the whole collaborative); ``ax``: the axes to draw in (a new figure by default)."""
        return forest(self._c, kpis=kpis, site=site, relative=relative, ax=ax)

    def waiting_list(self, ax: AxesArg = None) -> Figure:
        """Each scenario's waiting list, whole collaborative (mean and 95% band); ``ax``:
        the axes to draw in (a new figure by default)."""
        return waiting_lists(self._c, ax=ax)


COMPARISON_PLOTS = {"forest.png": forest, "waiting_list_compared.png": waiting_lists}

#: The captions of the comparison's plots in the report.
CAPTIONS = {
    "forest.png": "Paired differences against the baseline (filled: the 95% interval excludes 0).",
    "waiting_list_compared.png": "Waiting list of each scenario, whole collaborative: all "
    "waiting; those waiting over 18, 52 and 65 weeks; the share waiting under 18 weeks "
    "against the 92% standard (mean and 95% band; grey: warm-up).",
}


def save_comparison_plots(comparison: Comparison, out: Path) -> list[str]:
    """Write the forest plot and the waiting lists compared; returns the file names."""
    names = []
    for name, fn in COMPARISON_PLOTS.items():
        save_figure(fn(comparison), Path(out) / name)
        names.append(name)
    return names
