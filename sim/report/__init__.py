"""Report layer: plots (the only matplotlib user) and the self-contained HTML report.

Importing it registers the plots of the experiment's objects (``res.plot``,
``cmp.plot``, ``sweep.plot``, ``recommendation.plot``); ``import sim`` does so on the
first use of an experiment. :func:`save_plots` writes a run's, comparison's or sweep's
PNG files into its results folder, and :func:`build_report` writes ``report.html``.
"""

from .html import ReportError, build_report
from .plots import save_plots

__all__ = ["ReportError", "build_report", "save_plots"]
