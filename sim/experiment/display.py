"""How results show themselves in a notebook: a one-line ``repr`` and compact HTML tables.

``res`` in Jupyter shows the headline KPIs of the whole collaborative with their 95%
intervals, ``cmp`` the paired differences against the baseline, ``sw`` the headline KPIs
at each grid point; the full frames stay one attribute away (``res.summary``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from sim.text import printable, sig

from ..metrics import KPIS
from ..scenario.display import html_table

if TYPE_CHECKING:
    from .compare import Comparison
    from .results import Results
    from .sweep.results import SweepResults

#: Headline KPIs a notebook table shows at most (the report shows them all).
MAX_SHOWN = 8


def _name(text: str) -> str:
    text = printable(text)
    return repr(text if len(text) <= 60 else text[:59] + "…")


def _scale(kpi: str) -> tuple[float, str]:
    """Fractions are shown as percentages."""
    unit = KPIS.unit(kpi)
    return (100.0, "%") if unit == "fraction" else (1.0, unit)


def _interval(low: float, high: float, k: float = 1.0, signed: bool = False) -> str:
    if low != low or high != high:
        return "–"
    return f"{sig(low * k, signed=signed)} to {sig(high * k, signed=signed)}"


def _headline(kpis: pd.Series) -> list[str]:
    return KPIS.headline(set(kpis))[:MAX_SHOWN]


def results_repr(res: Results) -> str:
    """``<Results 'name': 20 replications (seed 1), 55 KPIs>``."""
    failed = f", {len(res.failures)} failed" if res.failures else ""
    n_kpis = len({k for r in res.reps[:1] for k, _s, _v in r.kpis})
    reps = f"{len(res.reps)} replications (seed {res.seed}){failed}"
    return f"<Results {_name(res.name)}: {reps}, {n_kpis} KPIs>"


def results_html(res: Results) -> str:
    """The headline KPIs of the whole collaborative: mean, 95% interval and unit."""
    table = res.table()
    rows = []
    for kpi in _headline(table.index.to_series()):
        row = table.loc[kpi]
        k, unit = _scale(kpi)
        rows.append(
            [KPIS.label(kpi), sig(row["mean"] * k), _interval(row.ci_low, row.ci_high, k), unit]
        )
    caption = f"{res.name}: {len(res.reps)} replications, seed {res.seed}, whole collaborative"
    note = "res.summary: every KPI by site; res.table(site): one site; res.plot.<Tab>: plots."
    return html_table(["KPI", "mean", "95% interval", "unit"], rows, caption, note)


def comparison_repr(cmp: Comparison) -> str:
    """``<Comparison of 'hubs' against 'status quo': 20 paired replications>``."""
    others = ", ".join(_name(n) for n in cmp.names[1:])
    return (
        f"<Comparison of {others} against {_name(cmp.names[0])}: "
        f"{len(cmp.baseline.reps)} paired replications>"
    )


def comparison_html(cmp: Comparison) -> str:
    """Headline KPIs: the baseline's mean and each scenario's paired difference with its
    95% interval (marked when the interval excludes zero)."""
    diffs = cmp.differences()
    whole = diffs[diffs.site == ""]
    header = ["KPI", f"{cmp.names[0]} (baseline)"]
    header += [f"{n} − baseline (95% interval)" for n in cmp.names[1:]]
    header.append("unit")
    rows = []
    for kpi in _headline(whole.kpi):
        k, unit = _scale(kpi)
        these = whole[whole.kpi == kpi].set_index("scenario")
        row = [KPIS.label(kpi), sig(float(these.baseline_mean.iloc[0]) * k)]
        for name in cmp.names[1:]:
            if name not in these.index:
                row.append("–")
                continue
            d = these.loc[name]
            ci = _interval(d.diff_ci_low, d.diff_ci_high, k, True)
            text = f"{sig(d.diff_mean * k, signed=True)} ({ci})"
            row.append(text + (" *" if d.excludes_zero else ""))
        row.append(unit)
        rows.append(row)
    caption = (
        f"{len(cmp.baseline.reps)} paired replications (common random numbers), whole collaborative"
    )
    note = (
        "* the interval excludes zero: a difference. cmp.differences(): every KPI by site; "
        "cmp.plot.forest(): the forest plot."
    )
    return html_table(header, rows, caption, note)


def sweep_repr(sw: SweepResults) -> str:
    """``<SweepResults of 'file.yaml': 6 points x 5 replications over horizon, beds>``."""
    done = "" if sw.complete else ", incomplete"
    return (
        f"<SweepResults of {_name(sw.plan.scenario_path)}: {len(sw.plan.points)} points x "
        f"{sw.plan.reps} replications over {', '.join(sw.parameters)}{done}>"
    )


def sweep_html(sw: SweepResults) -> str:
    """One row per grid point: its parameter values and the headline KPIs' means with their
    95% intervals."""
    s = sw.summary
    kpis = _headline(s.kpi)[:4]
    header = [*sw.parameters]
    for kpi in kpis:
        k, unit = _scale(kpi)
        header.append(f"{KPIS.label(kpi)} ({unit})")
    rows = []
    for _i, point in sw.points.iterrows():
        these = s[s.point_id == point.point_id].set_index("kpi")
        row: list = [str(point[p]) for p in sw.parameters]
        for kpi in kpis:
            k, _unit = _scale(kpi)
            if kpi not in these.index:
                row.append("–")
                continue
            r = these.loc[kpi]
            row.append(f"{sig(r['mean'] * k)} ({_interval(r.ci_low, r.ci_high, k)})")
        rows.append(row)
    caption = f"{sw.plan.reps} replications per point, seed {sw.plan.seed}: mean (95% interval)"
    note = "sw.summary: every KPI at every point; sw.plot(parameter): KPIs against a parameter."
    return html_table(header, rows, caption, note)
