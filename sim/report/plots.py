"""Plots a planner expects, from ``Results`` (the only module that uses matplotlib).

Each function returns a matplotlib ``Figure``; ``save_standard_plots`` writes the set
saved with every run as PNG files.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..experiment.stats import mean_ci

if TYPE_CHECKING:
    from ..experiment.results import Results


def _band(ax, df, label: str, color=None) -> None:
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


def waiting_list(results: Results, by_site: bool = False) -> Figure:
    """Patients waiting over time (mean and 95% band over replications)."""
    ts = results.timeseries
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ts = ts[ts.measure == "waiting_list"]
    sites = sorted(s for s in ts.site.unique() if s) if by_site else [""]
    for site in sites:
        _band(ax, ts[ts.site == site], site or "whole collaborative")
    over52 = results.timeseries
    over52 = over52[(over52.measure == "over_52_weeks") & (over52.site == "")]
    if not by_site and not over52.empty:
        _band(ax, over52, "waiting over 52 weeks", color="tab:red")
    ax.set_xlabel("week")
    ax.set_ylabel("patients waiting")
    ax.set_title(
        f"{results.name}: waiting list\n(mean and 95% CI over {len(results.reps)} replications)"
    )
    ax.set_ylim(bottom=0)
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def wait_distribution(results: Results) -> Figure:
    """Waits of patients operated on, by priority, with the 18- and 52-week marks."""
    tr = results.treated
    fig, ax = plt.subplots(figsize=(8, 4.5))
    if not tr.empty:
        top = max(60.0, float(np.ceil(tr.wait_weeks.quantile(0.995))))
        bins = np.linspace(0, top, 61)
        for prio, grp in tr.groupby("priority", observed=True):
            ax.hist(
                grp.wait_weeks,
                bins=bins,
                alpha=0.6,
                label=str(prio),
                weights=np.full(len(grp), 1 / max(len(results.reps), 1)),
            )
    for mark in (18, 52):
        ax.axvline(mark, color="k", ls="--", lw=1)
        ax.text(mark, ax.get_ylim()[1] * 0.95, f" {mark} wk", va="top")
    ax.set_xlabel("weeks waited before the operation")
    ax.set_ylabel("operations per replication")
    ax.set_title(f"{results.name}: waits of patients treated, by priority")
    ax.legend()
    fig.tight_layout()
    return fig


def _site_bars(results: Results, kpis: list[str], title: str, ylabel: str) -> Figure:
    s = results.summary
    fig, ax = plt.subplots(figsize=(8, 4.5))
    sites = [x for x in results.scenario.sites]
    width = 0.8 / len(kpis)
    x = np.arange(len(sites))
    for i, kpi in enumerate(kpis):
        rows = s[s.kpi == kpi].set_index("site").reindex(sites)
        mean = rows["mean"].to_numpy(dtype=float)
        err = np.vstack(
            [
                mean - rows["ci_low"].to_numpy(dtype=float),
                rows["ci_high"].to_numpy(dtype=float) - mean,
            ]
        )
        ax.bar(
            x + i * width,
            mean,
            width,
            yerr=np.nan_to_num(err),
            capsize=3,
            label=kpi.replace("_", " "),
        )
    ax.set_xticks(x + width * (len(kpis) - 1) / 2, sites, rotation=20, ha="right")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def utilisation(results: Results) -> Figure:
    """Theatre utilisation and bed occupancy by site, with 95% confidence intervals."""
    return _site_bars(
        results,
        ["theatre_utilisation", "general_bed_occupancy", "elective_bed_occupancy"],
        f"{results.name}: theatre utilisation and bed occupancy by site",
        "fraction",
    )


def cancellations(results: Results) -> Figure:
    """On-the-day cancellations by cause and site."""
    return _site_bars(
        results,
        [
            "cancellations_no_bed",
            "cancellations_no_theatre_time",
            "cancellations_overrun",
            "cancellations_patient",
        ],
        f"{results.name}: on-the-day cancellations by cause",
        "operations cancelled",
    )


class ResultPlots:
    """``results.plot.<name>()`` for each standard plot."""

    def __init__(self, results: Results):
        self._r = results

    def waiting_list(self, by_site: bool = False) -> Figure:
        return waiting_list(self._r, by_site)

    def wait_distribution(self) -> Figure:
        return wait_distribution(self._r)

    def utilisation(self) -> Figure:
        return utilisation(self._r)

    def cancellations(self) -> Figure:
        return cancellations(self._r)


STANDARD_PLOTS = {
    "waiting_list.png": waiting_list,
    "wait_distribution.png": wait_distribution,
    "utilisation_occupancy.png": utilisation,
    "cancellations.png": cancellations,
}


def save_figure(fig: Figure, path: Path) -> None:
    """Save a figure as PNG atomically and close it."""
    from ..experiment.output import atomic_write

    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)


def save_standard_plots(results: Results, out: Path) -> list[str]:
    names = []
    for name, fn in STANDARD_PLOTS.items():
        save_figure(fn(results), out / name)
        names.append(name)
    return names
