"""What the app offers for download: reports (one entry per format), results as CSV and
XLSX (one sheet per table, human labels), and the folders reports are built from.

Reports are built from a results folder, as ``hubsim report`` builds them, so the app's
report is the CLI's. A format is one :class:`ReportFormat` in :data:`REPORT_FORMATS`:
the printed (PDF) and Word (DOCX) reports slot in by adding theirs with
:func:`add_report_format`; the app lists whatever is registered.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

import sim
from sim.metrics import KPIS
from sim.report import save_plots

from .changes import flatten
from .form import plain, text_of
from .runs import PLOT_LOCK, Run


@dataclass(frozen=True)
class ReportFormat:
    """A report the app can offer: ``build(folder)`` writes it for a results folder (of one
    run or of a comparison) and returns the file's path."""

    label: str
    suffix: str
    mime: str
    build: Callable[[Path], Path]


def _html(folder: Path) -> Path:
    from sim.report.html import build_report

    return build_report(folder)


REPORT_FORMATS: list[ReportFormat] = [ReportFormat("HTML report", ".html", "text/html", _html)]


def add_report_format(fmt: ReportFormat) -> None:
    """Offer another report format (replacing one with the same suffix)."""
    REPORT_FORMATS[:] = [f for f in REPORT_FORMATS if f.suffix != fmt.suffix] + [fmt]


def report_bytes(fmt: ReportFormat, folder: Path) -> bytes:
    with PLOT_LOCK:
        return Path(fmt.build(folder)).read_bytes()


# -- results folders ---------------------------------------------------------------------


def run_folder(run: Run, root: Path) -> Path:
    """The run's results written as ``hubsim run`` writes them (once per run)."""
    if run.folder is None or not (run.folder / "manifest.json").is_file():
        folder = root / "runs" / run.id
        with PLOT_LOCK:
            run.results.save(str(folder), overwrite=True, extra=save_plots)
        run.folder = folder
    return run.folder


def comparison_folder(runs: list[Run], cmp: sim.Comparison, root: Path) -> Path:
    """The runs' results written as ``hubsim compare`` writes them."""
    folder = root / "comparisons" / "_vs_".join(r.id for r in runs)
    if (folder / "comparison.csv").is_file():
        return folder
    with PLOT_LOCK:
        cmp.save(folder, overwrite=True, folders=[r.id for r in runs], extra=save_plots)
    return folder


# -- tables ------------------------------------------------------------------------------


def _site(sc: sim.Scenario, sid: str) -> str:
    if not sid:
        return "Whole collaborative"
    site = sc.sites.get(sid)
    return (site.name or sid) if site is not None else sid


def kpi_sheet(res: sim.Results) -> pd.DataFrame:
    s = res.summary
    order = {k: i for i, k in enumerate(KPIS.order(s.kpi))}
    s = s.assign(_o=s.kpi.map(order), _site=s.site != "").sort_values(["_site", "site", "_o"])
    return pd.DataFrame(
        {
            "KPI": [KPIS.label(k) for k in s.kpi],
            "unit": [KPIS.unit(k) for k in s.kpi],
            "site": [_site(res.scenario, x) for x in s.site],
            "mean": s["mean"].to_numpy(),
            "95% CI low": s.ci_low.to_numpy(),
            "95% CI high": s.ci_high.to_numpy(),
            "standard deviation": s["std"].to_numpy(),
            "replications": s.n.to_numpy(),
            "KPI name": s.kpi.to_numpy(),
        }
    )


def replications_sheet(res: sim.Results) -> pd.DataFrame:
    r = res.replications
    return pd.DataFrame(
        {
            "replication": r.rep.to_numpy(),
            "seed": r.seed.to_numpy(),
            "KPI": [KPIS.label(k) for k in r.kpi],
            "site": [_site(res.scenario, x) for x in r.site],
            "value": r.value.to_numpy(),
            "KPI name": r.kpi.to_numpy(),
        }
    )


def timeseries_sheet(res: sim.Results) -> pd.DataFrame:
    t = res.timeseries
    return pd.DataFrame(
        {
            "replication": t.rep.to_numpy(),
            "date": t.date.dt.date.to_numpy(),
            "week": t.week.to_numpy(),
            "site": [_site(res.scenario, x) for x in t.site],
            "measure": [m.replace("_", " ") for m in t.measure],
            "value": t.value.to_numpy(),
        }
    )


def run_sheet(res: sim.Results) -> pd.DataFrame:
    rows = [
        (k.replace("_", " "), text_of(v))
        for k, v in res.manifest.items()
        if k not in ("scenario", "files", "replications")
    ]
    return pd.DataFrame(rows, columns=["", "value"])


def scenario_sheet(sc: sim.Scenario) -> pd.DataFrame:
    rows = [(path, text_of(v)) for path, v in flatten(plain(sc)).items()]
    return pd.DataFrame(rows, columns=["field", "value"])


def result_tables(res: sim.Results) -> dict[str, pd.DataFrame]:
    """One run's tables, by sheet name."""
    return {
        "KPIs": kpi_sheet(res),
        "Replications": replications_sheet(res),
        "Time series": timeseries_sheet(res),
        "Run": run_sheet(res),
        "Scenario": scenario_sheet(res.scenario),
    }


def comparison_tables(cmp: sim.Comparison) -> dict[str, pd.DataFrame]:
    """A comparison's tables: the paired differences, then every scenario's KPIs."""
    d = cmp.differences()
    base = cmp.baseline
    diffs = pd.DataFrame(
        {
            "scenario": d.scenario.to_numpy(),
            "KPI": [KPIS.label(k) for k in d.kpi],
            "unit": ["pp" if KPIS.unit(k) == "%" else KPIS.unit(k) for k in d.kpi],
            "site": [_site(base.scenario, x) for x in d.site],
            f"baseline mean ({base.name})": d.baseline_mean.to_numpy(),
            "difference": d.diff_mean.to_numpy(),
            "95% CI low": d.diff_ci_low.to_numpy(),
            "95% CI high": d.diff_ci_high.to_numpy(),
            "interval excludes 0": d.excludes_zero.to_numpy(),
            "replications": d.n.to_numpy(),
            "KPI name": d.kpi.to_numpy(),
        }
    )
    kpis = pd.concat([kpi_sheet(r).assign(scenario=r.name) for r in cmp.results], ignore_index=True)
    kpis = kpis[["scenario", *[c for c in kpis.columns if c != "scenario"]]]
    return {"Differences": diffs, "KPIs": kpis}


_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def _sheet_names(names: list[str]) -> list[str]:
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
        for sheet, df in zip(_sheet_names(list(tables)), tables.values(), strict=True):
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


def file_stem(name: str) -> str:
    """A file name from a scenario or run name."""
    stem = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower()
    return stem[:60] or "scenario"


def as_bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8")
