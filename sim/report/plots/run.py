"""The standard plots of one run: which there are, ``results.plot``, saving them with a run.

Each feature module of this package declares its plots with :func:`standard_plot`: the
file it is saved as, the KPI the results need for it to mean anything, its caption in
the report, and its place among the others. Declaring one also makes it a method of
``results.plot``, named after the drawing function.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from matplotlib.figure import Figure

from ...experiment.accessors import register_accessor
from ...experiment.results import Results
from .common import save_figure

Draw = Callable[..., Figure]


@dataclass(frozen=True)
class StandardPlot:
    """A plot saved with every run whose results have the ``needs`` KPI."""

    file: str
    draw: Draw
    """``draw(results, ...)``: the figure."""
    needs: str
    caption: str
    """One sentence under the figure in the report."""
    place: int
    """Order among the standard plots (lower first), in the folder and the report."""


class PlotRegistry(Mapping[str, StandardPlot]):
    """The standard plots by file name, in order of ``place``."""

    def __init__(self) -> None:
        self._plots: dict[str, StandardPlot] = {}

    def add(self, plot: StandardPlot) -> None:
        if plot.file in self._plots:
            raise ValueError(f"a standard plot is already saved as {plot.file}")
        self._plots[plot.file] = plot

    def __getitem__(self, file: str) -> StandardPlot:
        return self._plots[file]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._plots, key=lambda f: self._plots[f].place))

    def __len__(self) -> int:
        return len(self._plots)


#: Every standard plot, filled by the feature modules of :mod:`sim.report.plots`.
STANDARD_PLOTS = PlotRegistry()


@register_accessor(Results, "plot")
class ResultPlots:
    """``results.plot.<name>()``: each standard plot, e.g. ``waiting_list(by_site=True)``."""

    def __init__(self, results: Results):
        self._r = results

    def __repr__(self) -> str:
        names = ", ".join(f"{STANDARD_PLOTS[f].draw.__name__}()" for f in STANDARD_PLOTS)
        return f"<plots of {self._r.name!r}: {names}>"


def standard_plot(file: str, *, needs: str, caption: str, place: int) -> Callable[[Draw], Draw]:
    """Decorator: save ``draw(results)`` as ``file`` with every run whose results have the
    KPI ``needs``, and offer it as ``results.plot.<draw's name>()``."""

    def register(draw: Draw) -> Draw:
        STANDARD_PLOTS.add(StandardPlot(file, draw, needs, caption, place))

        @functools.wraps(draw)
        def method(self: ResultPlots, *args, **kwargs) -> Figure:
            return draw(self._r, *args, **kwargs)

        signature = inspect.signature(draw)
        rest = list(signature.parameters.values())[1:]  # all but the results
        me = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
        method.__signature__ = signature.replace(parameters=[me, *rest])  # type: ignore[attr-defined]
        setattr(ResultPlots, draw.__name__, method)
        return draw

    return register


def standard_plots_for(results: Results) -> dict[str, Draw]:
    """The standard plots that apply to these results (no theatre plots without theatres)."""
    kpis = set(results.summary.kpi)
    return {f: STANDARD_PLOTS[f].draw for f in STANDARD_PLOTS if STANDARD_PLOTS[f].needs in kpis}


def save_standard_plots(results: Results, out: Path) -> list[str]:
    """Write the standard plots that apply to these results; returns the file names."""
    names = []
    for name, fn in standard_plots_for(results).items():
        save_figure(fn(results), Path(out) / name)
        names.append(name)
    return names
