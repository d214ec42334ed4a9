"""The warm-up plot: a measure over time, its batch means, the MSER statistic and the cut."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ...experiment.accessors import register_accessor
from ...experiment.warmup import WarmupRecommendation
from .common import AxesArg, axes_for


def warmup_plot(rec: WarmupRecommendation, ax: AxesArg = None) -> Figure:
    """The measure over time, its batch means, the MSER statistic and the chosen warm-up.
    ``ax``: two axes, the series above the statistic (a new figure by default)."""
    res = rec.result
    weeks = rec.days / 7.0
    own = ax is None
    fig, (top, bottom) = axes_for(ax, 2, figsize=(8, 6.5), nrows=2, ncols=1, sharex=True)
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
    if own:
        fig.tight_layout()
    return fig


@register_accessor(WarmupRecommendation, "plot")
class WarmupPlot:
    """``recommendation.plot()``: the series, batch means, MSER statistic and cut."""

    def __init__(self, recommendation: WarmupRecommendation):
        self._r = recommendation

    def __call__(self, ax: AxesArg = None) -> Figure:
        """The series, its batch means, the MSER statistic and the cut; ``ax``: two axes
        (a new figure by default)."""
        return warmup_plot(self._r, ax=ax)
