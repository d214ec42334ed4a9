"""Plots of wards: bed occupancy by site, beside theatre utilisation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matplotlib.figure import Figure

from .common import AxesArg, site_bars
from .run import standard_plot

if TYPE_CHECKING:
    from ...experiment.results import Results


@standard_plot(
    "utilisation_occupancy.png",
    needs="ward_occupancy",
    caption="Theatre utilisation and bed occupancy by site.",
    place=30,
)
def utilisation(results: Results, ax: AxesArg = None) -> Figure:
    """Theatre utilisation and bed occupancy by site, with 95% confidence intervals.
    ``ax``: the axes to draw in (a new figure by default)."""
    return site_bars(
        results,
        {
            "theatre_utilisation": "theatre utilisation (operating time / session time)",
            "general_bed_occupancy": "general bed occupancy",
            "elective_bed_occupancy": "ring-fenced elective bed occupancy",
        },
        f"{results.name}: theatre utilisation and bed occupancy by site (mean, 95% CI)",
        "% (time average after the warm-up)",
        scale=100.0,
        ax=ax,
    )
