"""Plots of critical care: occupancy, refusals and transfers by unit; occupancy distribution."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from ...experiment.stats import mean_ci
from .common import AxesArg, axes_for, site_bars, site_label
from .run import standard_plot

if TYPE_CHECKING:
    from ...experiment.results import Results


@standard_plot(
    "critical_care.png",
    needs="cc_occupancy",
    caption="Critical care by unit.",
    place=50,
)
def critical_care(results: Results, ax: AxesArg = None) -> Figure:
    """Critical care by site: occupancy, refusals and transfers out, with 95% intervals.
    ``ax``: the axes to draw in (a new figure by default)."""
    return site_bars(
        results,
        {
            "cc_occupancy": "bed occupancy",
            "cc_refusal_pct": "unplanned patients refused",
            "cc_transfer_pct": "unplanned patients transferred out",
        },
        f"{results.name}: critical care by site (mean, 95% CI)",
        "% (after the warm-up)",
        scale={"cc_occupancy": 100.0},
        ax=ax,
    )


@standard_plot(
    "critical_care_occupancy.png",
    needs="cc_occupancy",
    caption="Critical care occupancy: share of time at each number of occupied beds, by unit "
    "and for the network.",
    place=60,
)
def cc_occupancy_distribution(
    results: Results, pools: list[str] | None = None, ax: AxesArg = None
) -> Figure:
    """Share of time at each number of occupied critical care beds: each unit's and the
    network's (mean over replications, with 95% intervals), one panel per pool.

    ``pools``: e.g. ``["royal_london/critical_care", "network/critical_care"]`` (default:
    the first unit and the network). ``ax``: one axes per pool (a new figure by default).
    """
    occ = results.occupancy
    occ = occ[occ.pool.str.endswith("/critical_care")]
    if pools is None:
        present = set(occ.pool.unique())
        units = [f"{s}/critical_care" for s in results.scenario.sites]
        units = [u for u in units if u in present]
        pools = units[:1] + ["network/critical_care"]
    own = ax is None
    fig, axes = axes_for(ax, len(pools), figsize=(5 * len(pools), 4))
    for panel, pool in zip(axes, pools, strict=True):
        sel = occ[occ.pool == pool]
        rows = []
        for k, grp in sel.groupby("occupied"):
            m, _sd, lo, hi, _n = mean_ci(grp["fraction"].to_numpy())
            rows.append((k, m, m - (lo if lo == lo else m), (hi if hi == hi else m) - m))
        k, m, lo, hi = (np.array(v) for v in zip(*rows, strict=True)) if rows else ([],) * 4
        panel.bar(
            k,
            m,
            yerr=np.vstack([lo, hi]) if len(k) else None,
            capsize=1.5,
            color="tab:purple",
            alpha=0.8,
        )
        name = (
            "whole network"
            if pool.startswith("network/")
            else site_label(results, pool.split("/")[0])
        )
        panel.set_title(f"{name}", fontsize=10)
        panel.set_xlabel("occupied critical care beds")
        panel.set_ylabel("share of time")
        panel.grid(axis="y", alpha=0.3)
    if own:
        fig.suptitle(f"{results.name}: critical care occupancy distribution", fontsize=11)
        fig.tight_layout()
    return fig
