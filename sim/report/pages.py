"""The reports of a run, a comparison and a sweep, built as data (:mod:`.document`).

:func:`report_for` reads a results folder and returns its :class:`Report`, which
:mod:`.html`, :mod:`.word` and :mod:`.pdf` render. A comparison's sections are listed
once, in :data:`COMPARISON_SECTIONS`: another part of the report adds its own by adding a
function there (``add_comparison_section``), and every format shows it.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..metrics import KPIS
from ..scenario.capacity_summary import capacity_summary, like_for_like
from . import stress
from .document import Block, Cell, Details, Figure, Heading, Html, Paragraph, Row, Section, Table
from .document import Report as Report
from .folders import (
    SWEEP_PLAN,
    ReportError,
    RunFolder,
    kind_of,
    read_comparison,
    read_manifest,
    read_run,
)
from .htmltext import esc, share_text
from .plots import caption as plot_caption
from .plots import forest
from .summary import (
    comparison_summary,
    difference,
    interval,
    run_summary,
    sig3,
    unit_label,
    value,
)

# -- blocks ----------------------------------------------------------------------------------


def figure(path: Path) -> Figure:
    return Figure(path.read_bytes(), plot_caption(path.name), path.name)


def figure_of(fig, name: str) -> Figure:
    """A matplotlib figure as a report figure (the figure is closed)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, dpi=110, format="png")
    plt.close(fig)
    return Figure(buf.getvalue(), plot_caption(name), name)


def plots(run: RunFolder) -> list[Block]:
    if not run.plots:
        return [Paragraph("No plots were saved with these results.")]
    return [figure(p) for p in run.plots]


def kpi_table(run: RunFolder, site: str = "") -> Table:
    """Means and 95% intervals of every KPI measured, one row each (``site=""``: the whole
    collaborative), labelled from the KPI registry."""
    s = run.summary[(run.summary.site == site) & (run.summary.n > 0)].set_index("kpi")
    rows = []
    for kpi in KPIS.order(s.index):
        r = s.loc[kpi]
        info = KPIS.find(kpi)
        rows.append(
            Row(
                [
                    KPIS.label(kpi),
                    Cell(value(kpi, r["mean"]), num=True),
                    Cell(interval(kpi, r.ci_low, r.ci_high), num=True),
                    info.definition if info else "",
                ],
                "kpi headline" if info and info.headline else "kpi",
                {"kpi": kpi},
            )
        )
    return Table(["KPI", "mean", "95% CI", "what it is"], rows, "kpis")


def site_table(run: RunFolder) -> Table | Paragraph:
    """Every KPI by site: mean, with the 95% interval in small type."""
    s = run.summary
    sites = [x for x in dict.fromkeys(s.site) if x]
    if not sites:
        return Paragraph("The scenario has one site.")
    by = s[s.site != ""].set_index(["kpi", "site"])
    rows = []
    for kpi in KPIS.order(s[s.site != ""].kpi):
        cells: list[Cell | str] = [unit_label(kpi)]
        for x in sites:
            if (kpi, x) not in by.index or by.loc[(kpi, x), "n"] == 0:
                cells.append(Cell("–", num=True))
                continue
            r = by.loc[(kpi, x)]
            mean = sig3(r["mean"] * KPIS.scale(kpi))
            cells.append(Cell(mean, interval(kpi, r.ci_low, r.ci_high), num=True))
        rows.append(Row(cells, "site-kpi", {"kpi": kpi}))
    return Table(["KPI (unit)", *(run.site_name(x) for x in sites)], rows, "sites")


def _is_member(kpi: str) -> bool:
    info = KPIS.find(kpi)
    return info is not None and info.family


def comparison_table(diffs: pd.DataFrame, runs: list[RunFolder], members: bool = False) -> Table:
    """The KPIs of the whole collaborative: baseline mean and each scenario's paired
    difference with its 95% interval (bold and starred: the interval excludes 0).
    ``members``: the KPIs reported per procedure, quintile, source ... instead of the rest."""
    net = diffs[diffs.site == ""]
    kpis = KPIS.headline(net.kpi)
    kpis += [k for k in KPIS.order(net.kpi) if k not in kpis]
    kpis = [k for k in kpis if _is_member(k) == members]
    rows = []
    for kpi in kpis:
        sel = net[net.kpi == kpi]
        if sel.diff_mean.isna().all():
            continue  # not measured in these scenarios
        cells: list[Cell | str] = [KPIS.label(kpi), Cell(value(kpi, sel.iloc[0].baseline_mean),
                                                        num=True)]  # fmt: skip
        for r in runs[1:]:
            x = sel[sel.scenario == r.name]
            if x.empty:
                cells.append(Cell("–", num=True))
                continue
            x = x.iloc[0]
            star = " *" if x.excludes_zero else ""
            cells.append(
                Cell(difference(kpi, x.diff_mean) + star,
                     interval(kpi, x.diff_ci_low, x.diff_ci_high, True),
                     num=True, strong=bool(x.excludes_zero))
            )  # fmt: skip
        rows.append(Row(cells, "diff", {"kpi": kpi}))
    heads = ["KPI", "baseline mean", *(f"{r.name}: difference (95% CI)" for r in runs[1:])]
    return Table(heads, rows, "comparison",
                 "* the 95% interval of the difference excludes 0 (bold). Shares and "
                 "utilisation in %, their differences in percentage points (pp).")  # fmt: skip


def capacity(runs: list[RunFolder]) -> list[Block]:
    """The scenarios' capacity side by side (from each one's scenario.yaml), and under it
    whether each has the baseline's capacity or, in words, how it differs."""
    known = [r for r in runs if r.scenario is not None]
    if not known:
        return [Paragraph("The scenarios could not be re-read, so their capacity is not shown.")]
    caps = [capacity_summary(r.scenario) for r in known]  # type: ignore[arg-type]
    rows = [dict(c.rows()) for c in caps]
    body = [
        Row([what, *(Cell(r.get(what, "–"), num=True) for r in rows)])
        for what in dict.fromkeys(k for r in rows for k in r)
    ]
    notes: list[Block] = []
    if known[0] is runs[0]:
        notes = [
            Paragraph(like_for_like(known[0].name, caps[0], r.name, c), "like-for-like")
            for r, c in zip(known[1:], caps[1:], strict=True)
        ]
    return [
        Table(["", *(r.name for r in known)], [*body], "capacity"),
        *notes,
        Paragraph("As planned on the first day: bed counts before dated changes, lists every "
                  "week they run, before bank holidays and weeks closed for leave. A session is "
                  "4 hours of theatre time (an all-day list is two).", "note"),
    ]  # fmt: skip


def provenance(run: RunFolder) -> Table:
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
    rows = [Row([label, str(m[k])]) for k, label in keys if k in m]
    failures = m.get("failures") or []
    rows.append(Row(["failed replications", str(len(failures) or "none")]))
    return Table(["", ""], rows, "prov")


def scenario_file(run: RunFolder) -> Html:
    return Html(
        f"<details><summary>The scenario as run: <code>{esc(run.path.name)}/scenario.yaml"
        f"</code> (after <code>extends</code>, durations with units)</summary>"
        f"<pre>{esc(run.scenario_yaml)}</pre></details>"
    )


def model_description(run: RunFolder, compared: list[RunFolder] | None = None) -> list[Block]:
    if run.scenario is None:
        return [Paragraph("The scenario could not be re-read, so no model description is given.")]
    others = [r.scenario for r in compared or [] if r.scenario is not None]
    s = run.summary
    kpis = list(dict.fromkeys(s[s.n > 0].kpi))
    intro = (
        "In the STRESS-DES structure (Monks et al. 2019), written from the "
        + ("baseline scenario, the changes each other scenario makes" if compared else
           "scenario")
        + " and the run settings."
    )  # fmt: skip
    html = stress.describe(run.scenario, run.manifest, compared=others, kpis=kpis)
    return [Paragraph(intro), Html(html)]


# -- one run -------------------------------------------------------------------------------


def run_report(run: RunFolder) -> Report:
    m = run.manifest
    desc = run.scenario.description if run.scenario is not None else ""
    meta = (
        f"{m.get('reps', '?')} replications, seed {m.get('seed', '?')}, scenario hash "
        f"{m.get('scenario_hash', '?')}."
    )
    if m.get("partial"):
        meta += (
            f" Partial: the run was interrupted after {m.get('reps', '?')} of "
            f"{m.get('reps_planned', '?')} replications."
        )
    sections = [
        run_summary(run),
        Section("Key results", [Paragraph("Whole collaborative; means over replications with "
                                          "95% confidence intervals."), kpi_table(run)]),
        Section("Capacity", capacity([run])),
        Section("By site", [site_table(run)], printed=False),
        Section("Plots", plots(run)),
        Section("Model description", model_description(run), printed=False),
        Section("Scenario", [scenario_file(run)], printed=False),
        Section("Provenance", [provenance(run)]),
    ]  # fmt: skip
    return Report(f"hubsim report: {run.name}", sections, desc, meta)


# -- a comparison --------------------------------------------------------------------------


@dataclass
class Compared:
    """What a comparison's sections are built from: the paired differences (as read from
    ``comparison.csv``, with ``baseline_mean`` and ``excludes_zero``) and the scenarios'
    folders, the baseline first."""

    folder: Path
    diffs: pd.DataFrame
    runs: list[RunFolder]

    @property
    def base(self) -> RunFolder:
        return self.runs[0]


#: The saved plots of a comparison shown under its table (besides the forest plot).
COMPARISON_FIGURES = ("waiting_list_compared.png",)

#: ``section(compared)``: the sections one part of a comparison's report adds.
SectionMaker = Callable[[Compared], Iterable[Section]]


def _summary(c: Compared) -> Iterable[Section]:
    yield comparison_summary(c.diffs, c.runs)


def _differences(c: Compared) -> Iterable[Section]:
    figures: list[Block] = []
    if (c.folder / "forest.png").is_file():
        figures.append(figure(c.folder / "forest.png"))
    else:
        figures.append(figure_of(forest(c.diffs, baseline=c.base.name), "forest.png"))
    figures += [figure(c.folder / n) for n in COMPARISON_FIGURES if (c.folder / n).is_file()]
    yield Section(
        "Comparison",
        [
            Paragraph("Whole collaborative: each scenario minus the baseline, mean over "
                      "replications with its 95% confidence interval."),
            comparison_table(c.diffs, c.runs),
            *figures,
        ],
    )  # fmt: skip
    detail = comparison_table(c.diffs, c.runs, members=True)
    if detail.rows:
        yield Section(
            "By procedure, quintile and source",
            [Paragraph("The KPIs reported once per procedure, deprivation quintile, staff "
                       "group, source or bed type, whole collaborative."), detail],
            printed=False,
        )  # fmt: skip


def _decomposition(c: Compared) -> Iterable[Section]:
    """The steps of a decomposition (``decomposition.csv``): for each KPI a table of the
    paired differences and shares, and its waterfall."""
    from ..experiment.decompose import DECOMPOSITION_CSV
    from .plots.decompose import waterfall, waterfall_file

    if not (c.folder / DECOMPOSITION_CSV).is_file():
        return
    df = pd.read_csv(c.folder / DECOMPOSITION_CSV)
    blocks: list[Block] = [
        Paragraph("Each step is one scenario minus the one before it, replication by "
                  "replication (common random numbers), in the order shown: a step's effect "
                  "is what that change adds given the changes before it. The steps add up to "
                  "the total; bold: the 95% interval of the step excludes 0.")
    ]  # fmt: skip
    for kpi, steps in df.groupby("kpi", sort=False):
        kpi = str(kpi)
        rows = [
            Row(
                [
                    "total" if str(r.step) == "total" else str(r.label),
                    str(r.to_scenario),
                    Cell(
                        difference(kpi, r.diff_mean),
                        interval(kpi, r.diff_ci_low, r.diff_ci_high, True),
                        num=True,
                        strong=bool(r.excludes_zero),
                    ),
                    Cell(share_text(r.share_of_total), num=True),
                    Cell(value(kpi, r.to_mean), num=True),
                ],
                "step",
                {"kpi": kpi},
            )  # fmt: skip
            for _, r in steps.iterrows()
        ]
        png = c.folder / waterfall_file(kpi)
        fig = figure(png) if png.is_file() else figure_of(waterfall(df, kpi), png.name)
        fig.caption = (
            f"Waterfall of {KPIS.label(kpi)}: each step's paired difference with its 95% "
            "interval (hatched: includes 0)."
        )
        blocks += [
            Heading(unit_label(kpi)),
            Paragraph(f"{value(kpi, steps.iloc[0].from_mean)} in "
                      f"'{steps.iloc[0].from_scenario}'.", "meta"),
            Table(["step", "scenario", "difference (95% CI)", "share of total", "mean then"],
                  rows, "decomposition"),
            fig,
        ]  # fmt: skip
    yield Section("Decomposition", blocks)


def _capacity(c: Compared) -> Iterable[Section]:
    yield Section("Capacity", capacity(c.runs))


def _scenarios(c: Compared) -> Iterable[Section]:
    for i, r in enumerate(c.runs):
        role = "baseline" if i == 0 else "scenario"
        meta = (
            f"{role}; results in {r.path.name}/, scenario hash "
            f"{r.manifest.get('scenario_hash', '?')}."
        )
        yield Section(
            r.name,
            [
                Paragraph(meta, "meta"),
                kpi_table(r),
                Details("By site", [site_table(r)]),
                Details("Plots", plots(r), open=True),
                scenario_file(r),
            ],
            printed=False,
        )


def _model(c: Compared) -> Iterable[Section]:
    yield Section("Model description", model_description(c.base, c.runs[1:]), printed=False)


def _provenance(c: Compared) -> Iterable[Section]:
    blocks: list[Block] = []
    for r in c.runs:
        blocks += [Heading(r.name), provenance(r)]
    yield Section("Provenance", blocks)


#: The sections of a comparison's report, in order. Add one with add_comparison_section.
COMPARISON_SECTIONS: list[SectionMaker] = [
    _summary,
    _differences,
    _decomposition,
    _capacity,
    _scenarios,
    _model,
    _provenance,
]


def add_comparison_section(maker: SectionMaker, before: SectionMaker | None = _scenarios) -> None:
    """Add a part to every comparison's report (HTML, PDF and DOCX): ``maker(compared)``
    yields its sections; they go before ``before`` (by default before the scenarios'
    own sections; None: at the end)."""
    if maker in COMPARISON_SECTIONS:
        return
    at = COMPARISON_SECTIONS.index(before) if before in COMPARISON_SECTIONS else None
    COMPARISON_SECTIONS.insert(len(COMPARISON_SECTIONS) if at is None else at, maker)


def comparison_report(folder: Path) -> Report:
    diffs, runs = read_comparison(folder)
    c = Compared(folder, diffs, runs)
    m = c.base.manifest
    meta = (
        f"Baseline '{c.base.name}'. {m.get('reps', '?')} replications of each scenario on "
        f"seed {m.get('seed', '?')} (common random numbers): replication r of every "
        "scenario sees the same patients, and differences are paired."
    )
    sections = [s for make in COMPARISON_SECTIONS for s in make(c)]
    title = f"hubsim comparison: {' vs '.join(r.name for r in runs)}"
    return Report(title, sections, "", meta)


# -- a sweep ---------------------------------------------------------------------------------


def sweep_report(folder: Path) -> Report:
    """The plan, each grid point's headline KPIs with 95% intervals, the KPI-against-
    parameter plots and provenance."""
    try:
        plan = json.loads((folder / SWEEP_PLAN).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(f"{folder / SWEEP_PLAN} cannot be read ({exc})") from None
    if not isinstance(plan, dict):
        raise ReportError(f"{folder / SWEEP_PLAN} is not hubsim's sweep plan (a mapping)")
    if not (folder / "manifest.json").is_file() or not (folder / "summary.csv").is_file():
        raise ReportError(
            f"{folder} holds an unfinished sweep (no manifest.json or summary.csv yet): run "
            "the same 'hubsim sweep' command again to finish it"
        )
    manifest = read_manifest(folder, "sweep folder")
    try:
        summary = pd.read_csv(folder / "summary.csv")
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise ReportError(f"{folder / 'summary.csv'} cannot be read as CSV ({exc})") from None
    params = list(plan.get("grid", {}))
    kpis = KPIS.headline(summary.kpi)
    rows = []
    for _pid, grp in summary.groupby("point_id", sort=False):
        g = grp.set_index("kpi")
        cells: list[Cell | str] = [str(g.iloc[0][p]) for p in params]
        for k in kpis:
            r = g.loc[k] if k in g.index else None
            cells.append(
                Cell("–") if r is None or not math.isfinite(r["mean"]) else
                Cell(value(k, r["mean"]), interval(k, r.ci_low, r.ci_high), num=True)
            )  # fmt: skip
        rows.append(Row(cells))
    title = f"hubsim sweep report: {Path(plan.get('scenario', '?')).name}"
    meta = (
        f"{len(plan.get('points', []))} grid point(s) x {plan.get('reps', '?')} replications, "
        f"seed {plan.get('seed', '?')} (common random numbers across points), scenario hash "
        f"{plan.get('scenario_hash', '?')}."
    )
    figures: list[Block] = [
        Figure(p.read_bytes(), f"Headline KPIs against {p.stem[6:]}, mean and 95% interval "
               "per grid point.", p.name)
        for p in sorted(folder.glob("sweep_*.png"))
    ] or [Paragraph("No plots were saved with this sweep.")]  # fmt: skip
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
    sections = [
        Section("Grid points", [
            Paragraph("Whole collaborative; means over replications with 95% confidence "
                      "intervals."),
            Table([*params, *(unit_label(k) for k in kpis)], rows, "grid"),
        ]),
        Section("Plots", figures),
        Section("Provenance", [Table(["", ""], [Row([a, str(b)]) for a, b in prov
                                                  if b is not None], "prov")]),
    ]  # fmt: skip
    return Report(title, sections, "", meta)


# -- sensitivity and threshold searches ------------------------------------------------------


def sensitivity_report(folder: Path) -> Report:
    """``hubsim sensitivity``: per KPI a table of each assumption's ends and effects with
    their paired intervals, largest swing first, and the tornado."""
    from ..experiment.sensitivity import SENSITIVITY_CSV, measure_label
    from .plots.sensitivity import tornado, tornado_file

    info = json.loads((folder / "sensitivity.json").read_text(encoding="utf-8"))
    df = pd.read_csv(folder / SENSITIVITY_CSV)
    against = info.get("against")
    what = f"the paired difference against '{against}'" if against else "each KPI"
    meta = (
        f"One-way sensitivity of {what} to each declared assumption, moved to its low and "
        f"high end in turn, the others as written; {info.get('reps', '?')} replications of "
        f"every run on seed {info.get('seed', '?')} (common random numbers), so each effect "
        "is a paired difference from the scenario as written."
    )
    blocks: list[Block] = []
    for kpi in info.get("kpis", []):
        rows = df[df.kpi == kpi]
        if rows.empty:
            continue
        label, unit = measure_label(kpi)
        swing = rows.groupby("assumption", sort=False).effect.agg(lambda e: e.max() - e.min())
        table_rows = []
        for key in swing.sort_values(ascending=False, kind="stable").index:
            r = rows[rows.assumption == key].set_index("end")
            cells: list[Cell | str] = [str(r.label.iloc[0])]
            for end in ("low", "high"):
                x = r.loc[end]
                cells += [
                    Cell(_level(x.level), num=True),
                    Cell(sig3(x.effect, True), f"({sig3(x.effect_ci_low, True)} to "
                         f"{sig3(x.effect_ci_high, True)})",
                         num=True, strong=bool(x.effect_ci_low > 0 or x.effect_ci_high < 0)),
                ]  # fmt: skip
            table_rows.append(Row(cells, "assumption", {"kpi": kpi}))
        png = folder / tornado_file(kpi)
        fig = figure(png) if png.is_file() else figure_of(tornado(df, kpi, against), png.name)
        fig.caption = (f"Tornado of {label}: each assumption's low and high end, widest swing "
                       "on top; whiskers: paired 95% intervals.")  # fmt: skip
        blocks += [
            Heading(f"{label} ({unit})"),
            Paragraph(f"As written: {sig3(rows.central.iloc[0])}; largest swing first, bold: "
                      "the paired interval excludes 0.", "meta"),
            Table(["assumption", "low end", "effect (95% CI)", "high end", "effect (95% CI)"],
                  table_rows, "sensitivity"),
            fig,
        ]  # fmt: skip
    title = f"hubsim sensitivity: {info.get('scenario', '?')}"
    return Report(title, [Section("Sensitivity to the assumptions", blocks)], "", meta)


def _level(x: object) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def threshold_report(folder: Path) -> Report:
    """``hubsim threshold`` or ``hubsim target``: the answer, every value run and the plot."""
    info = json.loads((folder / "threshold.json").read_text(encoding="utf-8"))
    ev = pd.read_csv(folder / "threshold.csv").sort_values("value")
    kind = "target" if info.get("mode") == "target" else "threshold"
    side = {-1: "below", 0: "includes it", 1: "above"}
    rows = [
        Row([Cell(_level(float(r.value)), num=True), Cell(sig3(r["mean"]), num=True),
             Cell(f"{sig3(r.ci_low)} to {sig3(r.ci_high)}", num=True),
             side.get(int(r.side), "?")])
        for _, r in ev.iterrows()
    ]  # fmt: skip
    blocks: list[Block] = [
        Paragraph(f"Bisection between {_level(info['low'])} and {_level(info['high'])} against "
                  f"{info.get('reference', '')}: the 95% interval of each value run is compared "
                  "with it."),
        Table(["value", "mean", "95% CI", "interval"], rows, "search"),
    ]  # fmt: skip
    png = folder / "threshold.png"
    if png.is_file():
        fig = figure(png)
        fig.caption = ("The measure at each value run, with its 95% interval; shaded: the "
                       "values whose interval includes the reference.")  # fmt: skip
        blocks.append(fig)
    title = f"hubsim {kind}: {' and '.join(info.get('paths', []))}"
    return Report(title, [Section("Values run", blocks)], info.get("answer", ""), "")


def report_for(folder: str | Path) -> Report:
    """The report of a run, comparison or sweep folder (a ReportError if it is none)."""
    path = Path(folder)
    kind = kind_of(path)
    if kind == "sweep":
        return sweep_report(path)
    if kind == "sensitivity":
        return sensitivity_report(path)
    if kind == "threshold":
        return threshold_report(path)
    if kind == "run":
        return run_report(read_run(path))
    return comparison_report(path)
