"""Results as a planner's spreadsheet: one table per sheet, human labels, values as shown.

``Results.to_excel(path)`` and ``Comparison.to_excel(path)`` write an XLSX workbook
(openpyxl) of the tables built here; the app offers the same tables as XLSX and as a ZIP
of CSV files. KPIs carry their plain-English label from the KPI registry, sites their
names, dates are calendar dates, and shares and utilisation are in % (a difference in
percentage points, "pp"), as in the report. The KPI's own name is kept in the last column
for anyone joining the sheet back to ``summary.csv``.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

from ..metrics import KPIS
from ..scenario.load import scenario_dict
from ..scenario.schema import Scenario
from .output import atomic_write

if TYPE_CHECKING:
    from .compare import Comparison
    from .results import Results


def site_name(sc: Scenario, sid: str) -> str:
    """A site as a planner names it (blank: the whole collaborative)."""
    if not sid:
        return "Whole collaborative"
    site = sc.sites.get(sid)
    return (site.name or sid) if site is not None else sid


def _scale(kpis: pd.Series) -> pd.Series:
    return kpis.map(KPIS.scale).astype(float)


def kpi_sheet(res: Results) -> pd.DataFrame:
    """Every KPI of a run, whole collaborative first, then by site."""
    s = res.summary
    order = {k: i for i, k in enumerate(KPIS.order(s.kpi))}
    s = s.assign(_o=s.kpi.map(order), _site=s.site != "").sort_values(["_site", "site", "_o"])
    k = _scale(s.kpi).to_numpy()
    return pd.DataFrame(
        {
            "KPI": [KPIS.label(x) for x in s.kpi],
            "unit": [KPIS.shown_unit(x) for x in s.kpi],
            "site": [site_name(res.scenario, x) for x in s.site],
            "mean": s["mean"].to_numpy() * k,
            "95% CI low": s.ci_low.to_numpy() * k,
            "95% CI high": s.ci_high.to_numpy() * k,
            "standard deviation": s["std"].to_numpy() * k,
            "replications": s.n.to_numpy(),
            "KPI name": s.kpi.to_numpy(),
        }
    )


def replications_sheet(res: Results) -> pd.DataFrame:
    """Every replication's value of every KPI."""
    r = res.replications
    return pd.DataFrame(
        {
            "replication": r.rep.to_numpy(),
            "seed": r.seed.to_numpy(),
            "KPI": [KPIS.label(k) for k in r.kpi],
            "unit": [KPIS.shown_unit(k) for k in r.kpi],
            "site": [site_name(res.scenario, x) for x in r.site],
            "value": r.value.to_numpy() * _scale(r.kpi).to_numpy(),
            "KPI name": r.kpi.to_numpy(),
        }
    )


def timeseries_sheet(res: Results) -> pd.DataFrame:
    """The weekly snapshots (waiting list, long waiters, beds in use) of every replication."""
    t = res.timeseries
    return pd.DataFrame(
        {
            "replication": t.rep.to_numpy(),
            "date": t.date.dt.date.to_numpy(),
            "week": t.week.to_numpy(),
            "site": [site_name(res.scenario, x) for x in t.site],
            "measure": [m.replace("_", " ") for m in t.measure],
            "value": t.value.to_numpy(),
        }
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000)
    return text.strip().removesuffix("...").strip()


def _leaves(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Every set field by dotted path; lists of plain values are one field."""
    plain = not isinstance(data, dict | list) or (
        isinstance(data, list) and all(not isinstance(v, dict | list) for v in data)
    )
    if plain:
        return [(prefix, _text(data))] if prefix and data is not None else []
    items = data.items() if isinstance(data, dict) else enumerate(data)
    out: list[tuple[str, str]] = []
    for key, value in items:
        path = f"{prefix}[{key}]" if isinstance(key, int) else f"{prefix}.{key}" if prefix else key
        out += _leaves(value, str(path))
    return out


def run_sheet(res: Results) -> pd.DataFrame:
    """How the run was made: seed, replications, versions, times (from the manifest)."""
    rows = [
        (str(k).replace("_", " "), _text(v))
        for k, v in res.manifest.items()
        if k not in ("scenario", "files", "replications")
    ]
    return pd.DataFrame(rows, columns=["", "value"])


def scenario_sheet(sc: Scenario) -> pd.DataFrame:
    """Every field of the scenario as run (after ``extends``), one row each."""
    return pd.DataFrame(_leaves(scenario_dict(sc)), columns=["field", "value"])


def result_tables(res: Results) -> dict[str, pd.DataFrame]:
    """One run's tables, by sheet name."""
    return {
        "KPIs": kpi_sheet(res),
        "Replications": replications_sheet(res),
        "Time series": timeseries_sheet(res),
        "Run": run_sheet(res),
        "Scenario": scenario_sheet(res.scenario),
    }


def differences_sheet(cmp: Comparison) -> pd.DataFrame:
    """Each scenario minus the baseline, paired by replication, with 95% intervals."""
    d = cmp.differences()
    base = cmp.baseline
    k = _scale(d.kpi).to_numpy()
    return pd.DataFrame(
        {
            "scenario": d.scenario.to_numpy(),
            "KPI": [KPIS.label(x) for x in d.kpi],
            "site": [site_name(base.scenario, x) for x in d.site],
            f"baseline mean ({base.name})": d.baseline_mean.to_numpy() * k,
            "unit": [KPIS.shown_unit(x) for x in d.kpi],
            "difference": d.diff_mean.to_numpy() * k,
            "95% CI low": d.diff_ci_low.to_numpy() * k,
            "95% CI high": d.diff_ci_high.to_numpy() * k,
            "difference unit": [KPIS.difference_unit(x) for x in d.kpi],
            "interval excludes 0": d.excludes_zero.to_numpy(),
            "replications": d.n.to_numpy(),
            "KPI name": d.kpi.to_numpy(),
        }
    )


def comparison_tables(cmp: Comparison) -> dict[str, pd.DataFrame]:
    """A comparison's tables: the paired differences, then every scenario's KPIs."""
    kpis = pd.concat([kpi_sheet(r).assign(scenario=r.name) for r in cmp.results], ignore_index=True)
    kpis = kpis[["scenario", *[c for c in kpis.columns if c != "scenario"]]]
    return {"Differences": differences_sheet(cmp), "KPIs": kpis}


_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def sheet_names(names: list[str]) -> list[str]:
    """Names Excel accepts: no ``[]:*?/\\``, at most 31 characters, distinct."""
    out: list[str] = []
    for name in names:
        base = _BAD_SHEET.sub(" ", name)[:31] or "Sheet"
        candidate, i = base, 2
        while candidate.lower() in {o.lower() for o in out}:
            suffix = f" ({i})"
            candidate, i = base[: 31 - len(suffix)] + suffix, i + 1
        out.append(candidate)
    return out


def xlsx_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """An XLSX workbook with one sheet per table (header frozen, columns sized)."""
    from openpyxl.utils import get_column_letter

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for sheet, df in zip(sheet_names(list(tables)), tables.values(), strict=True):
            df.to_excel(writer, sheet_name=sheet, index=False)
            ws = writer.sheets[sheet]
            ws.freeze_panes = "A2"
            for i, col in enumerate(df.columns, start=1):
                sample = [str(col), *(str(v) for v in df[col].head(200))]
                width = min(60, max(8, max(len(s) for s in sample) + 2))
                ws.column_dimensions[get_column_letter(i)].width = width
    return buf.getvalue()


def csv_zip_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """A ZIP of one CSV file per table."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, df in tables.items():
            file = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") + ".csv"
            zf.writestr(file, df.to_csv(index=False))
    return buf.getvalue()


def write_xlsx(tables: dict[str, pd.DataFrame], path: str | os.PathLike[str]) -> Path:
    """Write the tables as one workbook at ``path`` (atomically); returns the path."""
    data = xlsx_bytes(tables)
    target = Path(path)
    atomic_write(target, lambda tmp: Path(tmp).write_bytes(data))
    return target
