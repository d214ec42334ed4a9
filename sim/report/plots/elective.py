"""Plots of the elective pathway: the waiting list, waits of those treated, cancellations."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from .common import (
    LONG_WAITS,
    AxesArg,
    axes_for,
    band,
    date_axis,
    panels_for,
    rtt_standard,
    shade_warm_up,
    site_bars,
    site_label,
    within_18_weeks,
    wrapped_title,
)
from .run import standard_plot

if TYPE_CHECKING:
    from ...experiment.results import Results

#: Clinical priority codes (FSSA, RCS England 2020) as a planner reads them.
PRIORITY_LABELS = {
    "P1": "P1 (within 72 hours)",
    "P2": "P2 (within 1 month)",
    "P3": "P3 (within 3 months)",
    "P4": "P4 (over 3 months)",
}
#: Colours of the lines of those waiting over 18, 52 and 65 weeks.
LONG_WAIT_COLOURS = ("tab:orange", "tab:red", "darkred")
_PRIORITY_COLOURS = {"P1": "tab:red", "P2": "tab:orange", "P3": "tab:olive", "P4": "tab:blue"}


@standard_plot(
    "waiting_list.png",
    needs="operations",
    caption="Patients waiting over time, whole collaborative, with those waiting over 18, "
    "52 and 65 weeks, and below it the share waiting under 18 weeks against the 92% "
    "standard (mean and 95% band over replications; grey: warm-up).",
    place=10,
)
def waiting_list(results: Results, by_site: bool = False, ax: AxesArg = None) -> Figure:
    """Patients waiting over time against the date (mean and 95% band over replications):
    the whole list with those waiting over 18, 52 and 65 weeks, and under it the share
    waiting under 18 weeks against the 92% standard; ``by_site``: one line per home site
    instead. ``ax``: the axes to draw in (a new figure by default; one Axes: the list
    alone; two: the list and the share)."""
    ts = results.timeseries
    own = ax is None
    title = f"{results.name}: waiting list (mean and 95% CI over {len(results.reps)} replications)"
    if by_site:
        fig, axes = axes_for(ax)
        ax = axes[0]
        waiting = ts[ts.measure == "waiting_list"]
        # By home site: sites nobody is referred from (hubs) would only draw a line at 0.
        home = set(waiting[waiting.value > 0].site)
        shade_warm_up(ax, results)
        for site in (s for s in results.scenario.sites if s in home):
            band(ax, waiting[waiting.site == site], site_label(results, site))
    else:
        fig, axes = panels_for(ax, 2, (8, 6.5), [2, 1])
        ax = axes[0]
        shade_warm_up(ax, results)
        net = ts[ts.site == ""]
        band(ax, net[net.measure == "waiting_list"], "all waiting", color="tab:blue")
        for (measure, weeks, ls), colour in zip(LONG_WAITS, LONG_WAIT_COLOURS, strict=True):
            rows = net[net.measure == measure]
            if not rows.empty:
                band(ax, rows, f"waiting over {weeks} weeks", color=colour, ls=ls)
        if len(axes) > 1:
            share = axes[1]
            shade_warm_up(share, results)
            band(share, within_18_weeks(ts), "under 18 weeks", color="tab:green")
            rtt_standard(share)
            share.legend(fontsize=8, loc="lower left")
            share.grid(alpha=0.3)
    for a in axes:
        date_axis(a, results)
    ax.set_ylabel("patients waiting")
    wrapped_title(ax, title)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)
    if own:
        fig.tight_layout()
    return fig


@standard_plot(
    "wait_distribution.png",
    needs="operations",
    caption="Waits of patients operated on, by clinical priority, with the 18- and 52-week "
    "marks and the cumulative share treated.",
    place=20,
)
def wait_distribution(results: Results, ax: AxesArg = None) -> Figure:
    """Waits of patients operated on, stacked by priority, with the 18- and 52-week marks
    and the cumulative share treated. ``ax``: the axes to draw in (a new figure by default)."""
    tr = results.treated
    own = ax is None
    fig, (ax,) = axes_for(ax)
    if not tr.empty:
        top = max(60.0, float(np.ceil(tr.wait_weeks.quantile(0.995))))
        bins = np.arange(0, top + 1, 1.0)  # one bar per week waited
        groups = [(str(p), g) for p, g in tr.groupby("priority", observed=True) if len(g)]
        per_rep = 1 / max(len(results.reps), 1)
        ax.hist(
            [g.wait_weeks for _, g in groups],
            bins=bins,
            stacked=True,
            weights=[np.full(len(g), per_rep) for _, g in groups],
            label=[PRIORITY_LABELS.get(p, p) for p, _ in groups],
            color=[_PRIORITY_COLOURS.get(p, "0.5") for p, _ in groups],
            edgecolor="white",
            linewidth=0.3,
        )
        cum = ax.twinx()
        waits = np.sort(tr.wait_weeks.to_numpy())
        cum.plot(waits, np.arange(1, waits.size + 1) / waits.size * 100, color="k", lw=1.2)
        cum.set_ylim(0, 102)
        cum.set_ylabel("cumulative % treated (black line)", fontsize=9)
        within = float((tr.wait_weeks < 18).mean() * 100)
        ax.text(
            0.99,
            0.80,
            f"{within:.0f}% treated within 18 weeks\n{(tr.wait_weeks > 52).mean() * 100:.1f}% "
            "after more than 52 weeks",
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=8,
            bbox={"facecolor": "white", "edgecolor": "0.7", "boxstyle": "round"},
        )
    for mark in (18, 52):
        ax.axvline(mark, color="k", ls="--", lw=1)
        ax.annotate(
            f"{mark} weeks",
            (mark, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_xlabel("weeks waited before the operation (referral to treatment)")
    ax.set_ylabel("operations per replication, per week of wait")
    wrapped_title(ax, f"{results.name}: waits of patients treated, by clinical priority", pad=14)
    ax.set_xlim(0, top if not tr.empty else None)
    if not tr.empty:
        ax.legend(fontsize=8, loc="center right")
    ax.grid(axis="y", alpha=0.3)
    if own:
        fig.tight_layout()
    return fig


@standard_plot(
    "cancellations.png",
    needs="operations",
    caption="On-the-day cancellations by cause and site.",
    place=40,
)
def cancellations(results: Results, ax: AxesArg = None) -> Figure:
    """On-the-day cancellations by cause and site (mean, 95% interval). ``ax``: the axes to
    draw in (a new figure by default)."""
    return site_bars(
        results,
        {
            "cancellations_no_bed": "no ward bed",
            "cancellations_no_theatre_time": "no theatre time (late start, early finish)",
            "cancellations_overrun": "earlier cases overran",
            "cancellations_patient": "patient (unfit, did not attend)",
        },
        f"{results.name}: on-the-day cancellations by cause and site (mean, 95% CI)",
        "operations cancelled over the measured period, per replication",
        ax=ax,
    )
