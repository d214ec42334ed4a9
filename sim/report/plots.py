"""Plots a planner expects, from ``Results`` (the only module that uses matplotlib).

Each function returns a matplotlib ``Figure``; ``save_standard_plots`` writes the set
saved with every run as PNG files. ``forest`` draws the paired differences of a
``Comparison`` (``save_comparison_plots`` writes it beside ``comparison.csv``).
Importing this module registers ``results.plot``, ``comparison.plot``, ``sweep.plot``
and ``recommendation.plot`` on the experiment's classes.
"""

from __future__ import annotations

import functools
import os
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..experiment import output
from ..experiment.accessors import register_accessor
from ..experiment.compare import Comparison
from ..experiment.results import Results
from ..experiment.stats import mean_ci
from ..experiment.sweep.results import SweepResults
from ..experiment.warmup import WarmupRecommendation
from ..metrics import KPIS

#: Clinical priority codes (FSSA, RCS England 2020) as a planner reads them.
PRIORITY_LABELS = {
    "P1": "P1 (within 72 hours)",
    "P2": "P2 (within 1 month)",
    "P3": "P3 (within 3 months)",
    "P4": "P4 (over 3 months)",
}


def site_label(results: Results, site: str) -> str:
    """A site's display name from the scenario (its id when it has no name)."""
    spec = results.scenario.sites.get(site)
    return (spec.name if spec is not None and spec.name else site) or "whole collaborative"


def _title(ax, text: str, width: int = 70, pad: float = 6.0) -> None:
    ax.set_title("\n".join(textwrap.wrap(text, width)), fontsize=11, pad=pad)


def _warm_up(ax, results: Results) -> None:
    """Grey out the warm-up weeks, which no KPI counts."""
    weeks = results.scenario.warm_up / 7.0
    if weeks > 0:
        ax.axvspan(0, weeks, color="0.85", alpha=0.6, lw=0, label="warm-up (not counted)")


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
    # By home site: sites nobody is referred from (hubs) would only draw a line at 0.
    home = set(ts[ts.value > 0].site)
    sites = [s for s in results.scenario.sites if s in home] if by_site else [""]
    _warm_up(ax, results)
    for site in sites:
        _band(ax, ts[ts.site == site], site_label(results, site))
    over52 = results.timeseries
    over52 = over52[(over52.measure == "over_52_weeks") & (over52.site == "")]
    if not by_site and not over52.empty:
        _band(ax, over52, "waiting over 52 weeks", color="tab:red")
    ax.set_xlabel(f"weeks since {results.scenario.start_date:%d %b %Y}")
    ax.set_ylabel("patients waiting")
    _title(
        ax,
        f"{results.name}: waiting list (mean and 95% CI over {len(results.reps)} replications)",
    )
    ax.set_ylim(bottom=0)
    ax.set_xlim(left=0)
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def wait_distribution(results: Results) -> Figure:
    """Waits of patients operated on, stacked by priority, with the 18- and 52-week marks."""
    tr = results.treated
    fig, ax = plt.subplots(figsize=(8, 4.5))
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
    _title(ax, f"{results.name}: waits of patients treated, by clinical priority", pad=14)
    ax.set_xlim(0, top if not tr.empty else None)
    if not tr.empty:
        ax.legend(fontsize=8, loc="center right")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


_PRIORITY_COLOURS = {"P1": "tab:red", "P2": "tab:orange", "P3": "tab:olive", "P4": "tab:blue"}


def _site_bars(
    results: Results,
    kpis: dict[str, str],
    title: str,
    xlabel: str,
    scale: float | dict[str, float] = 1.0,
) -> Figure:
    """Horizontal bars per site (one per KPI, labelled by ``kpis``), with 95% intervals.

    Sites where a KPI does not apply (no ring-fenced beds, say) get no bar.
    """
    s = results.summary
    sites = list(results.scenario.sites)
    labels = [textwrap.fill(site_label(results, x), 28) for x in sites]
    height = 0.8 / len(kpis)
    fig, ax = plt.subplots(figsize=(8.5, 1.6 + 0.18 * len(sites) * (len(kpis) + 1)))
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
    _title(ax, title)
    ax.grid(axis="x", alpha=0.3)
    fig.legend(fontsize=8, loc="lower center", ncol=2)
    rows = -(-len(kpis) // 2)
    fig.tight_layout(rect=(0, (0.15 + 0.2 * rows) / fig.get_figheight(), 1, 1))
    return fig


def utilisation(results: Results) -> Figure:
    """Theatre utilisation and bed occupancy by site, with 95% confidence intervals."""
    return _site_bars(
        results,
        {
            "theatre_utilisation": "theatre utilisation (operating time / session time)",
            "general_bed_occupancy": "general bed occupancy",
            "elective_bed_occupancy": "ring-fenced elective bed occupancy",
        },
        f"{results.name}: theatre utilisation and bed occupancy by site (mean, 95% CI)",
        "% (time average after the warm-up)",
        scale=100.0,
    )


def cancellations(results: Results) -> Figure:
    """On-the-day cancellations by cause and site."""
    return _site_bars(
        results,
        {
            "cancellations_no_bed": "no ward bed",
            "cancellations_no_theatre_time": "no theatre time (late start, early finish)",
            "cancellations_overrun": "earlier cases overran",
            "cancellations_patient": "patient (unfit, did not attend)",
        },
        f"{results.name}: on-the-day cancellations by cause and site (mean, 95% CI)",
        "operations cancelled over the measured period, per replication",
    )


def critical_care(results: Results) -> Figure:
    """Critical care by site: occupancy, refusals and transfers out, with 95% intervals."""
    return _site_bars(
        results,
        {
            "cc_occupancy": "bed occupancy",
            "cc_refusal_pct": "unplanned patients refused",
            "cc_transfer_pct": "unplanned patients transferred out",
        },
        f"{results.name}: critical care by site (mean, 95% CI)",
        "% (after the warm-up)",
        scale={"cc_occupancy": 100.0},
    )


def cc_occupancy_distribution(results: Results, pools: list[str] | None = None) -> Figure:
    """Share of time at each number of occupied critical care beds: each unit's and the
    network's (mean over replications, with 95% intervals)."""
    occ = results.occupancy
    occ = occ[occ.pool.str.endswith("/critical_care")]
    if pools is None:
        present = set(occ.pool.unique())
        units = [f"{s}/critical_care" for s in results.scenario.sites]
        units = [u for u in units if u in present]
        pools = units[:1] + ["network/critical_care"]
    fig, axes = plt.subplots(1, len(pools), figsize=(5 * len(pools), 4), squeeze=False)
    for ax, pool in zip(axes[0], pools, strict=True):
        sel = occ[occ.pool == pool]
        rows = []
        for k, grp in sel.groupby("occupied"):
            m, _sd, lo, hi, _n = mean_ci(grp["fraction"].to_numpy())
            rows.append((k, m, m - (lo if lo == lo else m), (hi if hi == hi else m) - m))
        k, m, lo, hi = (np.array(v) for v in zip(*rows, strict=True)) if rows else ([],) * 4
        ax.bar(k, m, yerr=np.vstack([lo, hi]) if len(k) else None, capsize=1.5,
               color="tab:purple", alpha=0.8)
        name = "whole network" if pool.startswith("network/") else site_label(
            results, pool.split("/")[0])
        ax.set_title(f"{name}", fontsize=10)
        ax.set_xlabel("occupied critical care beds")
        ax.set_ylabel("share of time")
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(f"{results.name}: critical care occupancy distribution", fontsize=11)
    fig.tight_layout()
    return fig


@register_accessor(Results, "plot")
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

    def critical_care(self) -> Figure:
        return critical_care(self._r)

    def cc_occupancy_distribution(self, pools: list[str] | None = None) -> Figure:
        return cc_occupancy_distribution(self._r, pools)


STANDARD_PLOTS = {
    "waiting_list.png": waiting_list,
    "wait_distribution.png": wait_distribution,
    "utilisation_occupancy.png": utilisation,
    "cancellations.png": cancellations,
    "critical_care.png": critical_care,
    "critical_care_occupancy.png": cc_occupancy_distribution,
}

#: The KPI a results set must have for each standard plot to mean something.
_PLOT_NEEDS = {
    "waiting_list.png": "operations",
    "wait_distribution.png": "operations",
    "utilisation_occupancy.png": "ward_occupancy",
    "cancellations.png": "operations",
    "critical_care.png": "cc_occupancy",
    "critical_care_occupancy.png": "cc_occupancy",
}


def standard_plots_for(results: Results) -> dict:
    """The standard plots that apply to these results (no theatre plots without theatres)."""
    kpis = set(results.summary.kpi)
    return {n: f for n, f in STANDARD_PLOTS.items() if _PLOT_NEEDS.get(n, "") in kpis}


def save_figure(fig: Figure, path: Path) -> None:
    """Save a figure as PNG atomically and close it."""
    output.atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)


def save_standard_plots(results: Results, out: Path) -> list[str]:
    names = []
    for name, fn in standard_plots_for(results).items():
        save_figure(fn(results), out / name)
        names.append(name)
    return names


# -- comparisons ---------------------------------------------------------------------------


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
    if not np.isfinite(x):
        return "–"
    if abs(x) >= 100:
        return f"{x:+,.0f}"
    if abs(x) >= 1:
        return f"{x:+.1f}"
    return f"{x:+.3f}"


def forest(
    comparison: Comparison | pd.DataFrame,
    kpis: Sequence[str] | None = None,
    site: str = "",
    relative: bool = True,
    baseline: str | None = None,
) -> Figure:
    """Forest plot of paired differences against the baseline, with 95% intervals.

    ``comparison`` is a :class:`~sim.Comparison` or its ``differences()`` frame (as read
    back from ``comparison.csv`` plus ``baseline_mean``). With ``relative=True`` every
    KPI is drawn on one axis as a percentage of its baseline mean, and the difference in
    the KPI's own unit is written beside it; otherwise each KPI gets its own panel.
    Filled markers: the interval excludes 0 (a difference the replications can resolve).
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
    if relative:
        fig, ax = plt.subplots(figsize=(10, 1.3 + 0.42 * len(wanted) * max(1, len(scenarios))))
        axes = [ax]
    else:
        ncols = 2
        nrows = max(1, -(-len(wanted) // ncols))
        fig, grid = plt.subplots(nrows, ncols, figsize=(10, 1.4 + 1.3 * nrows))
        axes = list(np.atleast_1d(grid).ravel())
    step = 0.7 / max(1, len(scenarios))
    for i, kpi in enumerate(wanted):
        unit = KPIS.unit(kpi)
        ax = axes[0] if relative else axes[i]
        for j, name in enumerate(scenarios):
            row = df[(df.kpi == kpi) & (df.scenario == name)]
            if row.empty:
                continue
            r = row.iloc[0]
            scale = 100.0 / abs(r.baseline_mean) if relative else 1.0
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
                    f"{_fmt(r.diff_mean)} ({_fmt(r.diff_ci_low)} to {_fmt(r.diff_ci_high)}) "
                    f"{unit}",
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
            ax.set_title(kpi.replace("_", " "), fontsize=9, loc="left")
            ax.set_xlabel(f"difference ({unit})", fontsize=8)
            ax.tick_params(labelsize=8)
            ax.grid(axis="x", alpha=0.3)
    if relative:
        ax = axes[0]
        ax.axvline(0, color="k", lw=0.8)
        labels = [
            f"{k.replace('_', ' ')}\n(baseline {_fmt(b).lstrip('+')} {KPIS.unit(k)})"
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
    handles, names = axes[0].get_legend_handles_labels()
    if handles:
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], ls="", marker="o", color="0.3", markerfacecolor="white"))
        names.append("open marker: the interval includes 0")
        fig.legend(handles, names, loc="lower center", ncol=min(3, len(names)), fontsize=8)
    note = f"; not shown (baseline 0): {', '.join(dropped)}" if dropped else ""
    fig.suptitle("\n".join(textwrap.wrap(head + note, 110)), fontsize=11)
    fig.tight_layout(rect=(0, 0.05 if handles else 0, 0.76 if relative else 1, 0.97))
    return fig


def waiting_lists(comparison: Comparison) -> Figure:
    """The whole collaborative's waiting list of every scenario on one axis (mean, 95% band)."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    _warm_up(ax, comparison.baseline)
    for res in comparison.results:
        ts = res.timeseries
        _band(ax, ts[(ts.measure == "waiting_list") & (ts.site == "")], res.name)
    base = comparison.baseline
    ax.set_xlabel(f"weeks since {base.scenario.start_date:%d %b %Y}")
    ax.set_ylabel("patients waiting")
    _title(ax, f"Waiting list, whole collaborative (mean and 95% CI, {len(base.reps)} reps)")
    ax.set_ylim(bottom=0)
    ax.set_xlim(left=0)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


@register_accessor(Comparison, "plot")
class ComparisonPlots:
    """``comparison.plot.<name>()``: ``forest()`` and ``waiting_list()``."""

    def __init__(self, comparison: Comparison):
        self._c = comparison

    def forest(
        self, kpis: Sequence[str] | None = None, site: str = "", relative: bool = True
    ) -> Figure:
        return forest(self._c, kpis=kpis, site=site, relative=relative)

    def waiting_list(self) -> Figure:
        return waiting_lists(self._c)


COMPARISON_PLOTS = {"forest.png": forest, "waiting_list_compared.png": waiting_lists}


def save_comparison_plots(comparison: Comparison, out: Path) -> list[str]:
    """Write the forest plot and the waiting lists compared; returns the file names."""
    names = []
    for name, fn in COMPARISON_PLOTS.items():
        save_figure(fn(comparison), Path(out) / name)
        names.append(name)
    return names


# -- sweeps and warm-up ------------------------------------------------------------------
_SWEEP_COLUMNS = {"point_id", "kpi", "site", "mean", "std", "ci_low", "ci_high", "n", "unit"}


def _numeric(values: list) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def sweep_plot(summary: pd.DataFrame, parameter: str, kpis: list[str] | tuple[str, ...]) -> Figure:
    """KPIs against one swept parameter: mean and 95% CI error bars at each grid point.

    ``summary`` is a sweep's summary (one row per point x KPI, a column per parameter);
    each combination of the other parameters gets its own line.
    """
    others = [c for c in summary.columns if c not in _SWEEP_COLUMNS and c != parameter]
    values = list(dict.fromkeys(summary[parameter]))
    numeric = _numeric(values)
    position = {v: (v if numeric else i) for i, v in enumerate(values)}
    ncols = min(2, len(kpis))
    nrows = -(-len(kpis) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.2 * ncols, 3.8 * nrows), squeeze=False)
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
    for ax in list(axes.flat)[len(kpis) :]:
        ax.set_visible(False)
    n = int(summary["n"].max()) if len(summary) else 0
    fig.suptitle(f"KPIs against {parameter} (mean and 95% CI over {n} replications)")
    fig.tight_layout()
    return fig


def warmup_plot(rec) -> Figure:
    """The measure over time, its batch means, the MSER statistic and the chosen warm-up.

    ``rec`` is a ``sim.experiment.warmup.WarmupRecommendation``.
    """
    res = rec.result
    weeks = rec.days / 7.0
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6.5), sharex=True)
    for row in rec.replications:
        top.plot(weeks, row, color="0.75", lw=0.7)
    top.plot(weeks, res.series, color="tab:blue", lw=1.2, label=f"mean of {rec.reps} replications")
    b = res.batch_size
    centres = weeks[: res.batch_means.size * b].reshape(-1, b).mean(axis=1)
    top.plot(centres, res.batch_means, "o-", ms=3, color="tab:orange", label=f"batch means of {b}")
    cut = rec.warm_up_weeks
    for ax in (top, bottom):
        ax.axvline(cut, color="tab:red", ls="--", lw=1.2)
        if rec.declared_warm_up_days:
            ax.axvline(rec.declared_warm_up_days / 7, color="k", ls=":", lw=1)
        ax.grid(alpha=0.3)
    top.plot([], [], color="tab:red", ls="--", label=f"MSER-{b} warm-up: {cut:.3g} weeks")
    if rec.declared_warm_up_days:
        top.plot([], [], "k:", label=f"declared: {rec.declared_warm_up_days / 7:g} weeks")
    top.set_ylabel(rec.measure.replace("_", " "))
    top.legend(fontsize=8)
    top.set_title(
        f"{rec.scenario_name}\nwarm-up by MSER-{b} on {rec.measure} "
        f"({rec.site or 'whole collaborative'})",
        fontsize=10,
    )
    dropped = weeks[np.arange(res.statistic.size) * b]
    bottom.plot(dropped, res.statistic, "o-", ms=3, color="tab:purple")
    bottom.plot([cut], [res.statistic[res.batches_dropped]], "o", color="tab:red", ms=7)
    bottom.set_ylabel(f"MSER-{b} statistic")
    bottom.set_xlabel("week (warm-up = weeks dropped from the start)")
    fig.tight_layout()
    return fig


@register_accessor(SweepResults, "plot")
class SweepPlots:
    """``sweep.plot(parameter=None, kpis=None)``: KPIs against one parameter."""

    def __init__(self, sweep: SweepResults):
        self._s = sweep

    def __call__(self, parameter: str | None = None, kpis: Sequence[str] | None = None) -> Figure:
        """KPIs against one parameter (the first by default), with 95% CI error bars; by
        default the key KPIs of the registry (those ``--reps auto`` narrows)."""
        if kpis is None:
            kpis = sweep_kpis(self._s)
        return sweep_plot(self._s.summary, parameter or self._s.parameters[0], list(kpis))


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


@register_accessor(WarmupRecommendation, "plot")
class WarmupPlot:
    """``recommendation.plot()``: the series, batch means, MSER statistic and cut."""

    def __init__(self, recommendation: WarmupRecommendation):
        self._r = recommendation

    def __call__(self) -> Figure:
        return warmup_plot(self._r)


@functools.singledispatch
def _write_plots(results: object, out: Path) -> list[str]:
    raise TypeError(f"no plots are saved for {type(results).__name__}")


_write_plots.register(Results, save_standard_plots)
_write_plots.register(Comparison, save_comparison_plots)
_write_plots.register(SweepResults, save_sweep_plots)


def save_plots(
    results: Results | Comparison | SweepResults, folder: str | os.PathLike[str]
) -> list[str]:
    """Save the PNG plots of a run, comparison or sweep into its folder; returns the names.

    Pass it as ``extra`` to ``save`` (``res.save(folder, extra=save_plots)``) so the
    manifest lists the plots; on a folder already finished, the manifest is written again
    after them.
    """
    out = Path(folder)
    if output.is_finished(out):
        return output.add_files(out, lambda f: _write_plots(results, f))
    return _write_plots(results, out)
