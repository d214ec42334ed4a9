"""One self-contained HTML report from a results folder: ``hubsim report RESULTS_DIR``.

The report is built from the files a run leaves (``summary.csv``, ``manifest.json``,
``scenario.yaml``, the PNG plots), never from memory, so ``hubsim report`` on an old
folder gives the same page as the one written at the end of ``hubsim run``. A folder
written by ``hubsim compare`` (one sub-folder per scenario and ``comparison.csv``) gives
the comparison first: paired differences with intervals and the forest plot, then each
scenario's KPIs. Plots are embedded as base64 PNG data, the style sheet is inline, and
every piece of text taken from a scenario is escaped: the file can be e-mailed as it is.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..experiment.output import atomic_write_text
from ..metrics import KPIS
from ..scenario.schema import Scenario
from . import stress
from .htmltext import ci, esc, fmt, share_text, table
from .plots import STANDARD_PLOTS, forest
from .plots import caption as plot_caption

REPORT_NAME = "report.html"


class ReportError(Exception):
    """The folder does not hold finished results (no manifest, no summary, ...)."""


@dataclass
class RunFolder:
    """What one scenario's results folder holds."""

    path: Path
    summary: pd.DataFrame
    manifest: dict[str, Any]
    scenario_yaml: str
    scenario: Scenario | None
    plots: list[Path] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.manifest.get("scenario_name") or self.path.name)

    def site_name(self, sid: str) -> str:
        if self.scenario is not None and sid in self.scenario.sites:
            return self.scenario.sites[sid].name or sid
        return sid


def read_run(folder: str | os.PathLike[str]) -> RunFolder:
    """Read a folder written by ``hubsim run`` (or one scenario's part of a comparison)."""
    path = Path(folder)
    if not (path / "manifest.json").is_file():
        raise ReportError(
            f"{path} has no manifest.json: the run did not finish, or this is not a results folder"
        )
    if not (path / "summary.csv").is_file():
        raise ReportError(f"{path} has no summary.csv")
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    summary = pd.read_csv(path / "summary.csv", keep_default_na=False, na_values=[""])
    summary["site"] = summary["site"].fillna("").astype(str)
    text = (path / "scenario.yaml").read_text(encoding="utf-8")
    try:
        scenario = Scenario.model_validate(yaml.safe_load(text))
    except Exception:  # noqa: BLE001 - written by another version: report without it
        scenario = None
    known = [path / n for n in STANDARD_PLOTS if (path / n).is_file()]
    others = sorted(p for p in path.glob("*.png") if p not in known)
    return RunFolder(path, summary, manifest, text, scenario, known + others)


# -- formatting ------------------------------------------------------------------------


def png_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def figure_uri(fig: Any) -> str:
    """A matplotlib figure as a PNG data URI (the figure is closed)."""
    import io

    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, dpi=110, format="png")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(src: str, name: str) -> str:
    caption = plot_caption(name)
    return (
        f'<figure><img src="{src}" alt="{esc(caption)}" data-plot="{esc(name)}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def plots_html(run: RunFolder) -> str:
    if not run.plots:
        return "<p>No plots were saved with these results.</p>"
    return "".join(_figure(png_uri(p), p.name) for p in run.plots)


def kpi_table(run: RunFolder, site: str = "") -> str:
    """Means and 95% intervals of every KPI, one row each (``site=""``: collaborative)."""
    rows = []
    s = run.summary[run.summary.site == site]
    for _, r in s.iterrows():
        kpi = str(r["kpi"])
        info = KPIS.find(kpi)
        n = int(r["n"]) if math.isfinite(r["n"]) else 0
        if n == 0:
            continue
        rows.append(
            f'<tr class="kpi{" headline" if info and info.headline else ""}" '
            f'data-kpi="{esc(kpi)}"><td><code>{esc(kpi)}</code></td>'
            f'<td class="num">{esc(fmt(r["mean"]))}</td>'
            f'<td class="num">{esc(ci(r["ci_low"], r["ci_high"]))}</td>'
            f"<td>{esc(info.unit if info else r.get('unit', ''))}</td>"
            f'<td class="desc">{esc(info.definition if info else "")}</td></tr>'
        )
    head = "<tr><th>KPI</th><th>mean</th><th>95% CI</th><th>unit</th><th>what it is</th></tr>"
    return f'<table class="kpis"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def site_table(run: RunFolder) -> str:
    """Every KPI by site: mean, with the 95% interval in small type."""
    s = run.summary
    sites = [x for x in dict.fromkeys(s.site) if x]
    if not sites:
        return ""
    head = "<th>KPI</th>" + "".join(f"<th>{esc(run.site_name(x))}</th>" for x in sites)
    body = []
    for kpi, grp in s[s.site != ""].groupby("kpi", sort=False):
        by = grp.set_index("site")
        cells = []
        for x in sites:
            if x not in by.index or by.loc[x, "n"] == 0:
                cells.append('<td class="num">–</td>')
                continue
            r = by.loc[x]
            cells.append(
                f'<td class="num">{esc(fmt(r["mean"]))}<br><span class="ci">'
                f"{esc(ci(r['ci_low'], r['ci_high']))}</span></td>"
            )
        body.append(f'<tr class="site-kpi"><td><code>{esc(kpi)}</code></td>{"".join(cells)}</tr>')
    return (
        f'<div class="wide"><table class="sites"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def provenance(run: RunFolder) -> str:
    m = run.manifest
    keys = [
        ("scenario_name", "scenario"),
        ("scenario_hash", "scenario hash"),
        ("seed", "experiment seed"),
        ("reps", "replications"),
        ("n_jobs", "workers"),
        ("hubsim_version", "hubsim"),
        ("python", "Python"),
        ("numpy", "NumPy"),
        ("simpy", "SimPy"),
        ("host_cpus", "CPUs"),
        ("started", "started (UTC)"),
        ("finished", "finished (UTC)"),
    ]
    rows = [(label, m[k]) for k, label in keys if k in m]
    failures = m.get("failures") or []
    rows.append(("failed replications", len(failures) or "none"))
    return table(["", ""], rows, "prov")


def scenario_block(run: RunFolder) -> str:
    return (
        f"<details><summary>The scenario as run: <code>{esc(run.path.name)}/scenario.yaml"
        f"</code> (after <code>extends</code>, durations with units)</summary>"
        f"<pre>{esc(run.scenario_yaml)}</pre></details>"
    )


def _stress(run: RunFolder, compared: list[RunFolder] | None = None) -> str:
    if run.scenario is None:
        return "<p>The scenario could not be re-read, so no model description is given.</p>"
    others = [r.scenario for r in compared or [] if r.scenario is not None]
    s = run.summary
    kpis = list(dict.fromkeys(s[s.n > 0].kpi))
    return stress.describe(run.scenario, run.manifest, compared=others, kpis=kpis)


# -- pages -----------------------------------------------------------------------------


def run_page(run: RunFolder) -> tuple[str, str]:
    """(title, body) of the report of one scenario."""
    m = run.manifest
    title = f"hubsim report: {run.name}"
    lead = (
        f"{m.get('reps', '?')} replications, seed {m.get('seed', '?')}, scenario hash "
        f"{m.get('scenario_hash', '?')}."
    )
    desc = run.scenario.description if run.scenario is not None else ""
    body = [
        f"<header><h1>{esc(title)}</h1><p class='lead'>{esc(desc)}</p>"
        f"<p class='meta'>{esc(lead)}</p></header>",
        _nav(["Key results", "Capacity", "By site", "Plots", "Model description", "Scenario",
              "Provenance"]),
        _section("Key results", "<p>Whole collaborative; means over replications with 95% "
                 "confidence intervals.</p>" + kpi_table(run)),
        _section("Capacity", capacity_html([run])),
        _section("By site", site_table(run)),
        _section("Plots", plots_html(run)),
        _section("Model description", "<p>In the STRESS-DES structure (Monks et al. 2019), "
                 "written from the scenario and run settings.</p>" + _stress(run)),
        _section("Scenario", scenario_block(run)),
        _section("Provenance", provenance(run)),
    ]  # fmt: skip
    return title, "\n".join(body)


SWEEP_PLAN = "sweep.json"


def sweep_page(folder: Path) -> tuple[str, str]:
    """(title, body) of the report of a sweep folder: the plan, each grid point's headline
    KPIs with 95% intervals, the KPI-against-parameter plots and provenance."""
    plan = json.loads((folder / SWEEP_PLAN).read_text(encoding="utf-8"))
    if not (folder / "manifest.json").is_file() or not (folder / "summary.csv").is_file():
        raise ReportError(
            f"{folder} holds an unfinished sweep (no manifest.json or summary.csv yet): run "
            "the same 'hubsim sweep' command again to finish it"
        )
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    summary = pd.read_csv(folder / "summary.csv")
    params = list(plan.get("grid", {}))
    kpis = KPIS.headline(summary.kpi)
    rows = []
    for _pid, grp in summary.groupby("point_id", sort=False):
        g = grp.set_index("kpi")
        cells: list[object] = [g.iloc[0][p] for p in params]
        for k in kpis:
            r = g.loc[k] if k in g.index else None
            cells.append("–" if r is None else f"{fmt(r['mean'])} {ci(r['ci_low'], r['ci_high'])}")
        rows.append(tuple(cells))
    header = [*params, *(f"{KPIS.label(k)} ({KPIS.unit(k)})" for k in kpis)]
    title = f"hubsim sweep report: {Path(plan.get('scenario', '?')).name}"
    lead = (
        f"{len(plan.get('points', []))} grid point(s) x {plan.get('reps', '?')} replications, "
        f"seed {plan.get('seed', '?')} (common random numbers across points), scenario hash "
        f"{plan.get('scenario_hash', '?')}."
    )
    plots = sorted(folder.glob("sweep_*.png"))
    figures = "".join(
        f'<figure><img src="{png_uri(p)}" alt="{esc(p.name)}" data-plot="{esc(p.name)}">'
        f"<figcaption>Headline KPIs against {esc(p.stem[6:])}, mean and 95% interval per "
        "grid point.</figcaption></figure>"
        for p in plots
    ) or "<p>No plots were saved with this sweep.</p>"
    failures = manifest.get("failures") or []
    prov = [
        ("scenario file", plan.get("scenario")),
        ("tasks", manifest.get("tasks")),
        ("complete", manifest.get("complete")),
        ("failed tasks", len(failures) or "none"),
        ("backend", manifest.get("backend")),
        ("hubsim", plan.get("hubsim_version")),
        ("started (UTC)", manifest.get("started")),
        ("finished (UTC)", manifest.get("finished")),
    ]
    body = [
        f"<header><h1>{esc(title)}</h1><p class='meta'>{esc(lead)}</p></header>",
        _nav(["Grid points", "Plots", "Provenance"]),
        _section("Grid points", "<p>Whole collaborative; means over replications with 95% "
                 "confidence intervals.</p>" + f"<div class='wide'>{table(header, rows)}</div>"),
        _section("Plots", figures),
        _section("Provenance", table(["", ""], [(a, b) for a, b in prov if b is not None],
                                     "prov")),
    ]  # fmt: skip
    return title, "\n".join(body)


def read_comparison(folder: Path) -> tuple[pd.DataFrame, list[RunFolder]]:
    """comparison.csv and the scenarios' folders, the baseline first."""
    diffs = pd.read_csv(folder / "comparison.csv", keep_default_na=False, na_values=[""])
    diffs["site"] = diffs["site"].fillna("").astype(str)
    runs = [read_run(p.parent) for p in sorted(folder.glob("*/manifest.json"))]
    if not runs:
        raise ReportError(f"{folder} has comparison.csv but no finished scenario folders")
    others = list(dict.fromkeys(diffs.scenario))
    base = [r for r in runs if r.name not in others]
    if len(base) != 1:
        raise ReportError(f"cannot tell which scenario in {folder} is the baseline")
    order = {name: i for i, name in enumerate(others)}
    rest = sorted((r for r in runs if r.name in order), key=lambda r: order[r.name])
    b = base[0].summary.set_index(["kpi", "site"])["mean"]
    keys = zip(diffs.kpi, diffs.site, strict=True)
    diffs["baseline_mean"] = [b.get(key, float("nan")) for key in keys]
    diffs["excludes_zero"] = (diffs.diff_ci_low > 0) | (diffs.diff_ci_high < 0)
    return diffs, [base[0], *rest]


def comparison_table(diffs: pd.DataFrame, runs: list[RunFolder]) -> str:
    head = "<th>KPI</th><th>unit</th><th>baseline mean</th>" + "".join(
        f"<th>{esc(r.name)}: difference (95% CI)</th>" for r in runs[1:]
    )
    net = diffs[diffs.site == ""]
    kpis = KPIS.headline(net.kpi)
    kpis += [k for k in KPIS.order(net.kpi) if k not in kpis]
    rows = []
    for kpi in kpis:
        sel = net[net.kpi == kpi]
        if sel.diff_mean.isna().all():
            continue  # not measured in these scenarios
        cells = []
        for r in runs[1:]:
            x = sel[sel.scenario == r.name]
            if x.empty:
                cells.append("<td>–</td>")
                continue
            x = x.iloc[0]
            mark = ' class="num sig"' if x.excludes_zero else ' class="num"'
            star = " *" if x.excludes_zero else ""
            cells.append(
                f"<td{mark}>{esc(fmt(x.diff_mean, True))} "
                f'<span class="ci">({esc(ci(x.diff_ci_low, x.diff_ci_high, True))})</span>'
                f"{star}</td>"
            )
        rows.append(
            f'<tr class="diff" data-kpi="{esc(kpi)}"><td><code>{esc(kpi)}</code></td>'
            f"<td>{esc(KPIS.unit(kpi))}</td>"
            f'<td class="num">{esc(fmt(sel.iloc[0].baseline_mean))}</td>{"".join(cells)}</tr>'
        )
    return (
        f'<div class="wide"><table class="comparison"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        "<p class='note'>* the 95% interval of the difference excludes 0 (bold).</p>"
    )


def capacity_html(runs: list[RunFolder]) -> str:
    """The scenarios' capacity side by side (from each one's scenario.yaml), and under it
    whether each has the baseline's capacity or, in words, how it differs."""
    from ..scenario.capacity_summary import capacity_summary, like_for_like

    known = [r for r in runs if r.scenario is not None]
    if not known:
        return "<p>The scenarios could not be re-read, so their capacity is not shown.</p>"
    caps = [capacity_summary(r.scenario) for r in known]  # type: ignore[arg-type]
    rows = [dict(c.rows()) for c in caps]
    body = [
        (what, *(r.get(what, "–") for r in rows))
        for what in dict.fromkeys(k for r in rows for k in r)
    ]
    notes = (
        [
            like_for_like(known[0].name, caps[0], r.name, c)
            for r, c in zip(known[1:], caps[1:], strict=True)
        ]
        if known[0] is runs[0]
        else []
    )
    return (
        f"<div class='wide'>{table(['', *(r.name for r in known)], body, 'capacity')}</div>"
        + "".join(f"<p class='like-for-like'>{esc(n)}</p>" for n in notes)
        + "<p class='note'>As planned on the first day: bed counts before dated changes, "
        "lists every week they run, before bank holidays and weeks closed for leave. A "
        "session is 4 hours of theatre time (an all-day list is two).</p>"
    )


def decomposition_html(folder: Path) -> str:
    """The steps of a decomposition (``decomposition.csv``): for each KPI a table of the
    paired differences and shares, and its waterfall."""
    from ..experiment.decompose import DECOMPOSITION_CSV
    from .plots.decompose import waterfall, waterfall_file

    df = pd.read_csv(folder / DECOMPOSITION_CSV)
    parts = [
        "<p>Each step is one scenario minus the one before it, replication by replication "
        "(common random numbers), in the order shown: a step's effect is what that change "
        "adds given the changes before it. The steps add up to the total; bold: the 95% "
        "interval of the step excludes 0.</p>"
    ]
    for kpi, rows in df.groupby("kpi", sort=False):
        body = []
        for _, r in rows.iterrows():
            mark = ' class="num sig"' if r.excludes_zero else ' class="num"'
            share = share_text(r.share_of_total)
            label = "total" if str(r.step) == "total" else str(r.label)
            body.append(
                f'<tr class="step" data-kpi="{esc(kpi)}"><td>{esc(label)}</td>'
                f"<td>{esc(r.to_scenario)}</td>"
                f"<td{mark}>{esc(fmt(r.diff_mean, True))} "
                f'<span class="ci">({esc(ci(r.diff_ci_low, r.diff_ci_high, True))})</span></td>'
                f'<td class="num">{esc(share)}</td><td class="num">{esc(fmt(r.to_mean))}</td></tr>'
            )
        head = ("<tr><th>step</th><th>scenario</th><th>difference (95% CI)</th>"
                "<th>share of total</th><th>mean then</th></tr>")  # fmt: skip
        png = folder / waterfall_file(str(kpi))
        src = png_uri(png) if png.is_file() else figure_uri(waterfall(df, str(kpi)))
        parts.append(
            f"<h3>{esc(KPIS.label(str(kpi)))} ({esc(KPIS.unit(str(kpi)))})</h3>"
            f"<p class='meta'>{esc(fmt(rows.iloc[0].from_mean))} in "
            f"'{esc(rows.iloc[0].from_scenario)}'.</p>"
            f'<div class="wide"><table class="decomposition"><thead>{head}</thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>"
            f'<figure><img src="{src}" alt="waterfall of {esc(kpi)}" '
            f'data-plot="{esc(png.name)}"><figcaption>Waterfall of {esc(KPIS.label(str(kpi)))}'
            ": each step's paired difference with its 95% interval (hatched: includes 0)."
            "</figcaption></figure>"
        )
    return "".join(parts)


def compare_page(folder: Path) -> tuple[str, str]:
    """(title, body) of the report of a comparison folder."""
    diffs, runs = read_comparison(folder)
    base = runs[0]
    title = f"hubsim comparison: {' vs '.join(r.name for r in runs)}"
    plots = []
    if (folder / "forest.png").is_file():
        plots.append(_figure(png_uri(folder / "forest.png"), "forest.png"))
    else:
        plots.append(_figure(figure_uri(forest(diffs, baseline=base.name)), "forest.png"))
    if (folder / "waiting_list_compared.png").is_file():
        src = png_uri(folder / "waiting_list_compared.png")
        plots.append(_figure(src, "waiting_list_compared.png"))
    m = base.manifest
    lead = (
        f"Baseline '{base.name}'. {m.get('reps', '?')} replications of each scenario on "
        f"seed {m.get('seed', '?')} (common random numbers): replication r of every "
        "scenario sees the same patients, and differences are paired."
    )
    decomposed = (folder / "decomposition.csv").is_file()
    body = [
        f"<header><h1>{esc(title)}</h1><p class='meta'>{esc(lead)}</p></header>",
        _nav(["Comparison", *(["Decomposition"] if decomposed else []), "Capacity",
              *(r.name for r in runs), "Model description", "Provenance"]),
        _section(
            "Comparison",
            "<p>Whole collaborative: each scenario minus the baseline, mean over "
            "replications with its 95% confidence interval.</p>"
            + comparison_table(diffs, runs)
            + "".join(plots),
        ),
        _section("Capacity", capacity_html(runs)),
    ]
    if decomposed:
        body.insert(3, _section("Decomposition", decomposition_html(folder)))
    for i, r in enumerate(runs):
        role = "baseline" if i == 0 else "scenario"
        body.append(
            _section(
                r.name,
                f"<p class='meta'>{esc(role)}; results in <code>{esc(r.path.name)}/</code>, "
                f"scenario hash {esc(r.manifest.get('scenario_hash', '?'))}.</p>"
                + kpi_table(r)
                + f"<details><summary>By site</summary>{site_table(r)}</details>"
                + f"<details open><summary>Plots</summary>{plots_html(r)}</details>"
                + scenario_block(r),
            )
        )
    body.append(
        _section(
            "Model description",
            "<p>In the STRESS-DES structure (Monks et al. 2019), written from the baseline "
            "scenario, the changes each other scenario makes and the run settings.</p>"
            + _stress(base, runs[1:]),
        )
    )
    body.append(
        _section(
            "Provenance",
            "".join(f"<h3>{esc(r.name)}</h3>{provenance(r)}" for r in runs),
        )
    )
    return title, "\n".join(body)


def _anchor(title: str) -> str:
    return "s-" + "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")


def _nav(titles: list[str]) -> str:
    links = "".join(f'<a href="#{esc(_anchor(t))}">{esc(t)}</a>' for t in titles)
    return f"<nav>{links}</nav>"


def _section(title: str, body: str) -> str:
    return f'<section id="{esc(_anchor(title))}"><h2>{esc(title)}</h2>\n{body}\n</section>'


def render(title: str, body: str) -> str:
    """The whole HTML document: inline style sheet, no external resources."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body><main>\n{body}\n"
        f"<footer>Report written {esc(now)} by hubsim.</footer></main></body></html>\n"
    )


def build_report(folder: str | os.PathLike[str], out: str | os.PathLike[str] | None = None) -> Path:
    """Write ``report.html`` for a run or compare folder (atomically); returns its path."""
    path = Path(folder)
    if not path.is_dir():
        raise ReportError(f"{path} is not a folder")
    if (path / SWEEP_PLAN).is_file():
        title, body = sweep_page(path)
    elif (path / "summary.csv").is_file() or (path / "manifest.json").is_file():
        title, body = run_page(read_run(path))
    elif (path / "comparison.csv").is_file():
        title, body = compare_page(path)
    else:
        raise ReportError(
            f"{path} holds neither the results of 'hubsim run' (summary.csv, manifest.json) "
            "nor of 'hubsim compare' (comparison.csv)"
        )
    target = Path(out) if out is not None else path / REPORT_NAME
    atomic_write_text(target, render(title, body))
    return target


CSS = """
:root { --ink: #1d2433; --muted: #5b6475; --line: #d8dde6; --accent: #005eb8;
  --band: #f3f6fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial,
  sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 60px; }
header h1 { font-size: 1.6em; margin: 0 0 4px; color: var(--accent); }
.lead { font-size: 1.05em; margin: 4px 0; }
.meta, .note, figcaption, footer { color: var(--muted); font-size: 0.9em; }
nav { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line);
  padding: 8px 0; margin: 12px 0 8px; z-index: 2; }
nav a { color: var(--accent); text-decoration: none; margin-right: 18px; font-size: 0.92em; }
nav a:hover { text-decoration: underline; }
section { margin-top: 28px; }
h2 { font-size: 1.3em; border-bottom: 2px solid var(--accent); padding-bottom: 3px; }
h3 { font-size: 1.1em; margin: 22px 0 6px; }
h4 { font-size: 0.98em; margin: 14px 0 4px; color: var(--accent); }
table { border-collapse: collapse; margin: 8px 0 14px; font-size: 0.9em; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left;
  vertical-align: top; }
th { background: var(--band); font-weight: 600; }
tbody tr:nth-child(even) { background: #fafbfd; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.sig { font-weight: 700; }
td.desc { color: var(--muted); }
p.like-for-like { font-weight: 600; }
tr.headline td { font-weight: 600; }
tr.headline td.desc { font-weight: 400; }
.ci { color: var(--muted); font-size: 0.85em; }
.wide { overflow-x: auto; }
table.sites td, table.sites th { font-size: 0.85em; }
table.compact td { font-size: 0.88em; padding: 2px 8px; }
table.prov td:first-child { color: var(--muted); }
figure { margin: 16px 0 24px; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
details { margin: 8px 0; }
summary { cursor: pointer; color: var(--accent); }
pre { background: var(--band); padding: 12px; overflow-x: auto; font-size: 0.82em;
  max-height: 520px; }
code { font-size: 0.92em; }
.flow { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 6px 0; }
.flow span { border: 1px solid var(--accent); border-radius: 4px; padding: 3px 8px;
  font-size: 0.85em; background: #eef4fb; }
.flow i.arrow { font-style: normal; color: var(--muted); }
.flow.minor span { border-style: dashed; background: #fff; }
.stress-item { margin-left: 12px; }
footer { margin-top: 40px; border-top: 1px solid var(--line); padding-top: 8px; }
@media print { nav { display: none; } details { display: block; } }
"""
