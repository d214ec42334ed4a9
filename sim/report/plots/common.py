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

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
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


def panels_for(ax: AxesArg, panels: int, figsize: tuple[float, float], ratios: list[float]):
    """The figure and the axes of a plot of ``panels`` stacked panels: new ones, or those
    given as ``ax=`` (one Axes: the first panel alone; more: as many panels as given)."""
    if ax is None:
        return axes_for(None, panels, figsize, nrows=panels, ncols=1, sharex=True,
                        gridspec_kw={"height_ratios": ratios})  # fmt: skip
    given = [ax] if isinstance(ax, Axes) else list(np.asarray(ax, dtype=object).ravel())
    return axes_for(given, min(len(given), panels))


def site_label(results: Results, site: str) -> str:
    """A site's display name from the scenario (its id when it has no name)."""
    spec = results.scenario.sites.get(site)
    return (spec.name if spec is not None and spec.name else site) or "whole collaborative"


def wrapped_title(ax, text: str, width: int = 70, pad: float = 6.0) -> None:
    """An axes title wrapped to ``width`` characters."""
    ax.set_title("\n".join(textwrap.wrap(text, width)), fontsize=11, pad=pad)


def shade_warm_up(ax, results: Results) -> None:
    """Grey out the warm-up (on a date axis), which no KPI counts."""
    sc = results.scenario
    if sc.warm_up > 0:
        start = pd.Timestamp(sc.start_date)
        end = start + pd.Timedelta(days=sc.warm_up)
        ax.axvspan(start, end, color="0.85", alpha=0.6, lw=0, label="warm-up (not counted)")


def date_axis(ax, results: Results) -> None:
    """A time axis in calendar dates, from the scenario's start date to its horizon."""
    sc = results.scenario
    start = pd.Timestamp(sc.start_date)
    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlim(start, start + pd.Timedelta(days=sc.horizon))


def band(ax, df, label: str | None, color=None, ls: str = "-") -> str:
    """Mean over replications against the date, with its 95% confidence band (t-interval
    at each time); returns the line's colour."""
    dates, mean, low, high = [], [], [], []
    for date, grp in df.groupby("date")["value"]:
        m, _sd, lo, hi, _n = mean_ci(grp.to_numpy())
        dates.append(date)
        mean.append(m)
        low.append(m if np.isnan(lo) else lo)
        high.append(m if np.isnan(hi) else hi)
    line = ax.plot(dates, mean, label=label, color=color, ls=ls)[0]
    ax.fill_between(dates, low, high, alpha=0.2, color=line.get_color(), lw=0)
    return line.get_color()


#: The waits the NHS counts long waiters by, with the line style each is drawn in.
LONG_WAITS = (("over_18_weeks", 18, "--"), ("over_52_weeks", 52, "-."), ("over_65_weeks", 65, ":"))
#: The referral-to-treatment standard: 92% of those waiting, waiting under 18 weeks.
RTT_STANDARD = 92.0


def within_18_weeks(ts: pd.DataFrame, site: str = "") -> pd.DataFrame:
    """``rep, date, value``: the share (%) of those waiting who have waited under 18 weeks,
    per replication and snapshot (none where nobody waits)."""
    t = ts[(ts.site == site) & ts.measure.isin(["waiting_list", "over_18_weeks"])]
    wide = t.pivot_table(index=["rep", "date"], columns="measure", values="value")
    if wide.empty or "over_18_weeks" not in wide:
        return pd.DataFrame(columns=["rep", "date", "value"])
    wide = wide[wide.waiting_list > 0]
    share = 100.0 * (wide.waiting_list - wide.over_18_weeks) / wide.waiting_list
    return share.rename("value").reset_index()


def rtt_standard(ax) -> None:
    """The 92% standard as a line across a share-within-18-weeks axis."""
    ax.axhline(RTT_STANDARD, color="k", lw=1, ls="--", label="standard: 92% under 18 weeks")
    ax.set_ylim(0, 100)
    ax.set_ylabel("% waiting under 18 weeks")


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
