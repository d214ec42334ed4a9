"""Drawing helpers shared by every kind of plot: site names, titles, the warm-up, bands, bars.

Each plot is a matplotlib ``Figure``; :func:`save_figure` writes one as a PNG, atomically.
Every plot takes ``ax=``: the axes to draw in (one ``Axes``, or as many as the plot has
panels), as seaborn and pandas plots do; it then returns the figure they belong to and
leaves that figure's layout, legend and title to the caller.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ...experiment import output
from ...experiment.stats import mean_ci

if TYPE_CHECKING:
    from ...experiment.results import Results


#: What ``ax=`` accepts: one Axes, or a sequence (or array) of them, one per panel.
AxesArg = Axes | Sequence[Axes] | np.ndarray | None


def axes_for(
    ax: AxesArg, panels: int = 1, figsize: tuple[float, float] = (8, 4.5), **grid: Any
) -> tuple[Figure, list[Axes]]:
    """The figure and one axes per panel to draw in: new ones (``plt.subplots(**grid)``,
    one row by default), or those the caller gave as ``ax=``."""
    if ax is None:
        nrows, ncols = grid.pop("nrows", 1), grid.pop("ncols", panels)
        fig, made = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False, **grid)
        return fig, list(made.flat)
    given = [ax] if isinstance(ax, Axes) else list(np.asarray(ax, dtype=object).ravel())
    if len(given) < panels or not all(isinstance(a, Axes) for a in given):
        wanted = "an Axes" if panels == 1 else f"{panels} Axes (e.g. plt.subplots(1, {panels})[1])"
        raise ValueError(f"this plot has {panels} panel(s): give ax= {wanted}, not {ax!r:.80}")
    return given[0].figure, given[:panels]


def site_label(results: Results, site: str) -> str:
    """A site's display name from the scenario (its id when it has no name)."""
    spec = results.scenario.sites.get(site)
    return (spec.name if spec is not None and spec.name else site) or "whole collaborative"


def wrapped_title(ax, text: str, width: int = 70, pad: float = 6.0) -> None:
    """An axes title wrapped to ``width`` characters."""
    ax.set_title("\n".join(textwrap.wrap(text, width)), fontsize=11, pad=pad)


def shade_warm_up(ax, results: Results) -> None:
    """Grey out the warm-up weeks, which no KPI counts."""
    weeks = results.scenario.warm_up / 7.0
    if weeks > 0:
        ax.axvspan(0, weeks, color="0.85", alpha=0.6, lw=0, label="warm-up (not counted)")


def band(ax, df, label: str, color=None) -> None:
    """Mean over replications with its 95% confidence band (t-interval at each time)."""
    weeks, mean, low, high = [], [], [], []
    for week, grp in df.groupby("week")["value"]:
        m, _sd, lo, hi, _n = mean_ci(grp.to_numpy())
        weeks.append(week)
        mean.append(m)
        low.append(m if np.isnan(lo) else lo)
        high.append(m if np.isnan(hi) else hi)
    line = ax.plot(weeks, mean, label=label, color=color)[0]
    ax.fill_between(weeks, low, high, alpha=0.25, color=line.get_color())


def site_bars(
    results: Results,
    kpis: dict[str, str],
    title: str,
    xlabel: str,
    scale: float | dict[str, float] = 1.0,
    ax: AxesArg = None,
) -> Figure:
    """Horizontal bars per site (one per KPI, labelled by ``kpis``), with 95% intervals.

    Sites where a KPI does not apply (no ring-fenced beds, say) get no bar. ``ax``: the
    axes to draw in (a new figure by default).
    """
    s = results.summary
    sites = list(results.scenario.sites)
    labels = [textwrap.fill(site_label(results, x), 28) for x in sites]
    height = 0.8 / len(kpis)
    own = ax is None
    fig, (ax,) = axes_for(ax, figsize=(8.5, 1.6 + 0.18 * len(sites) * (len(kpis) + 1)))
    y = np.arange(len(sites))
    for i, (kpi, label) in enumerate(kpis.items()):
        rows = s[s.kpi == kpi].set_index("site").reindex(sites)
        k = scale.get(kpi, 1.0) if isinstance(scale, dict) else scale
        mean = rows["mean"].to_numpy(dtype=float) * k
        low = rows["ci_low"].to_numpy(dtype=float) * k
        high = rows["ci_high"].to_numpy(dtype=float) * k
        err = np.vstack([np.clip(mean - low, 0, None), np.clip(high - mean, 0, None)])
        ax.barh(
            y + (i - (len(kpis) - 1) / 2) * height,
            mean,
            height,
            xerr=np.nan_to_num(err),
            capsize=2,
            error_kw={"lw": 0.8},
            label=label,
        )
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()  # sites in scenario order, top to bottom
    ax.set_xlabel(xlabel)
    ax.set_xlim(left=0)
    wrapped_title(ax, title)
    ax.grid(axis="x", alpha=0.3)
    if not own:
        ax.legend(fontsize=8)
        return fig
    fig.legend(fontsize=8, loc="lower center", ncol=2)
    rows = -(-len(kpis) // 2)
    fig.tight_layout(rect=(0, (0.15 + 0.2 * rows) / fig.get_figheight(), 1, 1))
    return fig


def save_figure(fig: Figure, path: Path) -> None:
    """Save a figure as PNG atomically and close it."""
    # output.atomic_write looked up at each call: tests count the files written through it
    output.atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)
