"""Page one of a report, in plain English: the headline KPIs with units and intervals, what
changed between the scenarios, and one sentence per finding.

Numbers are given to three significant figures with the unit a planner reads (utilisation
and occupancy in %, a difference of shares in percentage points, "pp"). A difference
between two scenarios is stated as a difference only when its 95% interval excludes 0;
otherwise the sentence says the replications cannot tell the scenarios apart on that KPI.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from ..metrics import KPIS
from ..scenario.capacity_summary import capacity_summary, like_for_like
from ..scenario.load import scenario_dict
from ..scenario.schema import Scenario
from ..text import sig
from .document import Block, Bullets, Cell, Heading, Paragraph, Row, Section, Table
from .folders import RunFolder
from .htmltext import dur
from .plots.common import RTT_STANDARD
from .stress import setting_differences

#: How many headline KPIs page one shows.
HEADLINE_COUNT = 5
#: Changed fields listed on page one before "and N more" (shared among the scenarios).
CHANGES_SHOWN = 6


# -- numbers with their units ------------------------------------------------------------


def sig3(x: float, signed: bool = False) -> str:
    """Three significant figures, thousands separated (``signed``: ``+`` before a rise)."""
    return sig(float(x), 3, signed)


def _with_unit(text: str, unit: str) -> str:
    if text == "–" or not unit:
        return text
    return f"{text}%" if unit == "%" else f"{text} {unit}"


def value(kpi: str, x: float) -> str:
    """A KPI's value as shown: ``12,300 patients``, ``91.2%``, ``17.4 weeks``."""
    return _with_unit(sig3(x * KPIS.scale(kpi)), KPIS.shown_unit(kpi))


def difference(kpi: str, x: float) -> str:
    """A difference between scenarios as shown: ``+1,230 patients``, ``-2.10 pp``."""
    unit = KPIS.difference_unit(kpi)
    text = sig3(x * KPIS.scale(kpi), signed=True)
    return text if text == "–" else f"{text} {unit}".rstrip()


def interval(kpi: str, low: float, high: float, diff: bool = False) -> str:
    """A 95% interval as shown: ``12,100 to 12,500`` (a dash when there is none)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return "–"
    k = KPIS.scale(kpi)
    return f"{sig3(low * k, diff)} to {sig3(high * k, diff)}"


def unit_label(kpi: str, diff: bool = False) -> str:
    """``Operations (patients)``; ``Share waiting under 18 weeks (%)``."""
    unit = KPIS.difference_unit(kpi) if diff else KPIS.shown_unit(kpi)
    return f"{KPIS.label(kpi)} ({unit})" if unit else KPIS.label(kpi)


def headline_kpis(runs: Sequence[RunFolder]) -> list[str]:
    """The first five headline KPIs measured in every scenario."""
    measured = set.intersection(*(set(r.network().index) for r in runs))
    return KPIS.headline(measured)[:HEADLINE_COUNT]


# -- the scenarios in words ----------------------------------------------------------------


def period(sc: Scenario | None, manifest: dict) -> str:
    """``measured over 104 weeks (1 May 2025 to 29 Apr 2027) after a 4-week warm-up``."""
    reps = manifest.get("reps", "?")
    if sc is None:
        return f"{reps} replications"
    start = pd.Timestamp(sc.start_date) + pd.Timedelta(days=sc.warm_up)
    end = pd.Timestamp(sc.start_date) + pd.Timedelta(days=sc.horizon)
    warm = f" after a warm-up of {dur(sc.warm_up)}" if sc.warm_up > 0 else ""
    return (
        f"{reps} replications, each measured over {dur(sc.horizon - sc.warm_up)} "
        f"({start:%-d %b %Y} to {end:%-d %b %Y}){warm}"
    )


def changed_fields(base: Scenario, other: Scenario) -> list[tuple[str, str, str]]:
    """(field, baseline, this scenario) for every setting that differs (resolved data)."""
    return setting_differences(scenario_dict(base), scenario_dict(other))


def what_changed(base: RunFolder, other: RunFolder, shown: int = CHANGES_SHOWN) -> list[Block]:
    """The settings ``other`` changes against the baseline, and its capacity in a sentence."""
    if base.scenario is None or other.scenario is None:
        return [Paragraph("The scenarios could not be re-read, so their settings are not "
                          "compared here.")]  # fmt: skip
    rows = changed_fields(base.scenario, other.scenario)
    items = [f"{f}: removed" if b == "(removed)" else f"{f}: {a} → {b}" for f, a, b in rows[:shown]]
    if len(rows) > shown:
        items.append(f"… and {len(rows) - shown} more settings (see the model "
                     "description in the HTML report).")  # fmt: skip
    cap = like_for_like(
        base.name, capacity_summary(base.scenario), other.name, capacity_summary(other.scenario)
    )
    lead = f"'{other.name}' against '{base.name}': {len(rows)} setting(s) differ."
    if not rows:
        lead = f"'{other.name}' has the same settings as '{base.name}'."
    return [Paragraph(cap, "like-for-like"), Paragraph(lead), Bullets(items, "changes")]


# -- findings ------------------------------------------------------------------------------


def finding(kpi: str, name: str, r: pd.Series) -> str:
    """One sentence on one KPI of scenario ``name`` against the baseline: a difference only
    when its 95% interval excludes 0."""
    label = KPIS.label(kpi)
    span = interval(kpi, r.diff_ci_low, r.diff_ci_high, diff=True)
    unit = KPIS.difference_unit(kpi)
    if not math.isfinite(r.diff_mean):
        return f"{label}: not measured in both scenarios."
    if not bool(r.excludes_zero):
        return (
            f"{label}: no difference the replications can resolve between '{name}' and the "
            f"baseline ({difference(kpi, r.diff_mean)}; 95% CI {span} {unit})."
        ).replace("  ", " ")
    way = "higher" if r.diff_mean > 0 else "lower"
    size = sig3(abs(r.diff_mean) * KPIS.scale(kpi))
    better = KPIS[kpi].better if kpi in KPIS else None
    verdict = ""
    if better is not None:
        verdict = ", better" if (better == "higher") == (r.diff_mean > 0) else ", worse"
    rel = ""
    if math.isfinite(r.baseline_mean) and abs(r.baseline_mean) > 1e-12 and unit != "pp":
        rel = f" ({sig3(100 * r.diff_mean / abs(r.baseline_mean), signed=True)}%)"
    return (
        (
            f"{label}: {way} with '{name}' than with the baseline, by {size} {unit}{rel} "
            f"(95% CI {span} {unit}){verdict}."
        )
        .replace(" (", " (")
        .replace("  ", " ")
    )


def run_finding(kpi: str, r: pd.Series) -> str:
    """One sentence on one KPI of a run; the share waiting under 18 weeks is set against
    the 92% standard when its whole interval lies on one side of it."""
    text = (
        f"{KPIS.label(kpi)}: {value(kpi, r['mean'])} (95% CI {interval(kpi, r.ci_low, r.ci_high)})"
    )
    if kpi == "pct_within_18_weeks" and math.isfinite(r.ci_high):
        if r.ci_high < RTT_STANDARD:
            text += ", below the 92% standard"
        elif r.ci_low >= RTT_STANDARD:
            text += ", meeting the 92% standard"
    return text + "."


def run_summary(run: RunFolder) -> Section:
    """Page one of one scenario's report."""
    net = run.network()
    kpis = headline_kpis([run])
    rows = [
        Row(
            [unit_label(k), Cell(value(k, net.loc[k, "mean"]), num=True, strong=True),
             Cell(interval(k, net.loc[k, "ci_low"], net.loc[k, "ci_high"]), num=True)],
            "headline", {"kpi": k},
        )
        for k in kpis
    ]  # fmt: skip
    sentences = [run_finding(k, net.loc[k]) for k in kpis]
    intro = (
        f"Results of '{run.name}' for the whole collaborative: means over "
        f"{period(run.scenario, run.manifest)}, with 95% confidence intervals."
    )
    return Section(
        "Summary",
        [
            Paragraph(intro, "lead"),
            Heading("Headline results"),
            Table(["KPI (unit)", "mean", "95% CI"], rows, "summary"),
            Heading("Findings"),
            Bullets(sentences, "findings"),
        ],
        page_break=True,
    )


def comparison_summary(diffs: pd.DataFrame, runs: list[RunFolder]) -> Section:
    """Page one of a comparison: headline KPIs of every scenario, what changed, findings."""
    base = runs[0]
    kpis = headline_kpis(runs)
    net = diffs[diffs.site == ""].set_index(["scenario", "kpi"])
    headers = ["KPI (unit; differences of % in pp)", *(f"{r.name}" for r in runs)]
    headers += [f"{r.name} minus baseline" for r in runs[1:]]
    rows = []
    for k in kpis:
        cells: list[Cell | str] = [unit_label(k)]
        for r in runs:
            x = r.network().loc[k]
            mean = sig3(x["mean"] * KPIS.scale(k))
            cells.append(Cell(mean, interval(k, x.ci_low, x.ci_high), num=True))
        for r in runs[1:]:
            d = net.loc[(r.name, k)] if (r.name, k) in net.index else None
            if d is None:
                cells.append(Cell("–", num=True))
                continue
            cells.append(
                Cell(sig3(d.diff_mean * KPIS.scale(k), True),
                     interval(k, d.diff_ci_low, d.diff_ci_high, True),
                     num=True, strong=bool(d.excludes_zero))
            )  # fmt: skip
        rows.append(Row(cells, "headline", {"kpi": k}))
    findings: list[Block] = []
    changes: list[Block] = []
    for r in runs[1:]:
        if len(runs) > 2:
            findings.append(Heading(f"'{r.name}' against '{base.name}'", 4))
        findings.append(
            Bullets([finding(k, r.name, net.loc[(r.name, k)])
                     for k in kpis if (r.name, k) in net.index], "findings")
        )  # fmt: skip
        changes += what_changed(base, r, max(2, CHANGES_SHOWN // (len(runs) - 1)))
    intro = (
        f"This report compares {', '.join(repr(r.name) for r in runs[1:])} with the "
        f"baseline '{base.name}' for the whole collaborative. Every scenario saw the same "
        f"patients (common random numbers): {period(base.scenario, base.manifest)}. "
        "Differences are paired by replication; one is stated only when its 95% "
        "confidence interval excludes 0."
    )
    return Section(
        "Summary",
        [
            Paragraph(intro, "lead"),
            Heading("Headline results"),
            Table(headers, rows, "summary",
                  "Mean and, in small type, 95% confidence interval. Bold: the interval of "
                  "the difference excludes 0. pp: percentage points."),
            Heading("Findings"),
            *findings,
            Heading("What changed"),
            *changes,
        ],
        page_break=True,
    )  # fmt: skip
