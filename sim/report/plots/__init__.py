"""Plots a planner expects (the only matplotlib user), one module per kind of output.

- :mod:`.common`: drawing helpers and :func:`save_figure`;
- :mod:`.run`: one run's standard plots, declared by the feature modules
  (:mod:`.elective`, :mod:`.wards`, :mod:`.critical_care`), and ``results.plot``;
- :mod:`.compare`: the forest plot of paired differences, ``comparison.plot``;
- :mod:`.decompose`: the waterfall of a decomposition, ``decomposition.plot``;
- :mod:`.sensitivity`: the tornado of a sensitivity analysis and a threshold search's curve;
- :mod:`.sweep`: KPIs against each parameter, ``sweep.plot()``;
- :mod:`.warmup`: the MSER warm-up, ``recommendation.plot()``.

Importing this package registers those accessors on the experiment's classes.
:func:`save_plots` writes the PNG files of a run, comparison or sweep into its folder.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from ...experiment import output
from ...experiment.compare import Comparison
from ...experiment.decompose import Decomposition
from ...experiment.results import Results
from ...experiment.sensitivity import Sensitivity
from ...experiment.sweep.results import SweepResults
from ...experiment.threshold import Threshold
from . import critical_care, elective, wards  # noqa: F401  (they declare the standard plots)
from .common import save_figure, site_label
from .compare import CAPTIONS as _COMPARISON_CAPTIONS
from .compare import ComparisonPlots, forest, save_comparison_plots, waiting_lists
from .decompose import DecompositionPlots, save_decomposition_plots, waterfall
from .run import STANDARD_PLOTS, ResultPlots, StandardPlot, save_standard_plots, standard_plot
from .sensitivity import SensitivityPlots, save_sensitivity_plots, threshold_plot, tornado
from .sweep import SweepPlots, save_sweep_plots, sweep_plot
from .warmup import WarmupPlot, warmup_plot

__all__ = [
    "STANDARD_PLOTS",
    "ComparisonPlots",
    "DecompositionPlots",
    "SensitivityPlots",
    "ResultPlots",
    "StandardPlot",
    "SweepPlots",
    "WarmupPlot",
    "caption",
    "forest",
    "save_comparison_plots",
    "save_figure",
    "save_plots",
    "save_standard_plots",
    "save_sweep_plots",
    "site_label",
    "standard_plot",
    "sweep_plot",
    "waiting_lists",
    "warmup_plot",
    "threshold_plot",
    "tornado",
    "waterfall",
]


def caption(file: str) -> str:
    """The report's caption of a saved plot (its file name when it has none)."""
    if file in STANDARD_PLOTS:
        return STANDARD_PLOTS[file].caption
    return _COMPARISON_CAPTIONS.get(file, file)


@functools.singledispatch
def _write_plots(results: object, out: Path) -> list[str]:
    raise TypeError(f"no plots are saved for {type(results).__name__}")


_write_plots.register(Results, save_standard_plots)
_write_plots.register(Comparison, save_comparison_plots)
_write_plots.register(SweepResults, save_sweep_plots)
_write_plots.register(Decomposition, save_decomposition_plots)
_write_plots.register(Sensitivity, save_sensitivity_plots)
_write_plots.register(
    Threshold, lambda t, out: [save_figure(threshold_plot(t), Path(out) / "threshold.png")]
    and ["threshold.png"]
)


def save_plots(
    results: Results | Comparison | SweepResults | Decomposition | Sensitivity | Threshold,
    folder: str | os.PathLike[str]
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
