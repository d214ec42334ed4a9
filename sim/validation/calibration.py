"""Calibration of the shipped scenarios against published NHS figures.

For each scenario, every calibration target of :mod:`sim.scenario.calibration` that applies
(the KPI is reported: the scenario has surgery, emergency admissions, critical care,
deprivation data, or a status quo to measure a hub's uplift against) is read from a run:
the mean over replications with its 95% interval, against the published range. A KPI is
*outside* when its whole interval is outside the range (the difference is real, not
noise); the scenario's ``calibration.reasons`` may say why. :func:`problems` lists the
KPIs outside their range with no reason, which the tests refuse.

``hubsim calibrate`` (or ``python -m sim.validation calibrate``) writes the table to
docs/calibration.md and docs/calibration.csv.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import sim

from ..experiment.stats import mean_ci
from ..scenario.calibration import TARGET_BY_ID, TARGETS, Target

COLUMNS = ["scenario", "target", "site", "mean", "ci_low", "ci_high", "low", "high",
           "verdict", "reason"]  # fmt: skip
WITHIN, OUTSIDE, EXPLAINED = "within", "OUTSIDE", "outside, reason given"
REFERENCE, TOO_FEW = "reference", "too few values"


@dataclass(frozen=True)
class Row:
    """One KPI of one scenario against one published figure."""

    scenario: str
    """The scenario file's name without .yaml."""
    target: str
    site: str
    mean: float
    ci_low: float
    ci_high: float
    low: float
    high: float
    verdict: str
    reason: str = ""


def verdict(mean: float, ci_low: float, ci_high: float, low: float, high: float,
            reason: str | None) -> str:  # fmt: skip
    """Within when the 95% interval (the mean, with one replication) meets the range;
    otherwise outside, explained or not."""
    lo = mean if math.isnan(ci_low) else ci_low
    hi = mean if math.isnan(ci_high) else ci_high
    if hi >= low and lo <= high:
        return WITHIN
    return EXPLAINED if reason else OUTSIDE


def _row(name: str, target: Target, site: str, values: np.ndarray, reasons: dict) -> Row | None:
    mean, _sd, low, high, n = mean_ci(values)
    if n == 0:
        return None
    reason = reasons.get(target.id, "")
    if not target.checked:
        v = REFERENCE
    elif n == 1 and values.size > 1:  # the others undefined (e.g. nobody in a quintile)
        v = TOO_FEW
    else:
        v = verdict(mean, low, high, target.low, target.high, reason)
    return Row(name, target.id, site, mean, low, high, target.low, target.high, v,
               reason if v == EXPLAINED else "")  # fmt: skip


def _values(res: sim.Results, kpi: str, site: str) -> np.ndarray:
    reps = res.replications
    sel = reps[(reps.kpi == kpi) & (reps.site == site)].sort_values("rep")
    return sel["value"].to_numpy(dtype=float)


def calibrate_one(
    path: Path,
    reps: int = 10,
    seed: int = 1,
    n_jobs: int = 1,
    overrides: dict | None = None,
    cache: dict[Path, sim.Results] | None = None,
) -> list[Row]:
    """The calibration rows of one scenario file (its status quo is run too, on the same
    seeds, for the hub uplift)."""
    cache = {} if cache is None else cache

    def run(p: Path) -> sim.Results:
        key = p.resolve()
        if key not in cache:
            sc = sim.load_scenario(p, overrides)
            cache[key] = sim.run(sc, reps=reps, seed=seed, n_jobs=n_jobs)
        return cache[key]

    sc = sim.load_scenario(path, overrides)
    res = run(path)
    name = path.stem
    reasons = dict(sc.calibration.reasons)
    rows: list[Row | None] = []
    acute = [sid for sid, s in sc.sites.items() if s.emergency is not None and s.beds]
    for target in TARGETS:
        if target.id == "hub_uplift":
            if sc.calibration.baseline is None:
                continue
            base = run(path.parent / sc.calibration.baseline)
            hub = _values(res, target.kpi, "")
            before = _values(base, target.kpi, "")
            if hub.size == before.size and hub.size and before.mean() > 0:
                # paired over replications: the difference over the status quo's mean
                rows.append(_row(name, target, "", 100 * (hub - before) / before.mean(),
                                 reasons))  # fmt: skip
            continue
        sites = acute if target.scope == "acute sites" else [""]
        for site in sites:
            values = _values(res, target.kpi, site)
            if values.size:
                rows.append(_row(name, target, site, values, reasons))
    return [r for r in rows if r is not None]


def calibrate(
    paths: Iterable[Path], reps: int = 10, seed: int = 1, n_jobs: int = 1,
    overrides: dict | None = None,
) -> pd.DataFrame:  # fmt: skip
    """The calibration table of several scenario files (one row per KPI and target)."""
    cache: dict[Path, sim.Results] = {}
    rows = [
        asdict(r)
        for p in paths
        for r in calibrate_one(Path(p), reps, seed, n_jobs, overrides, cache)
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def reconsider(table: pd.DataFrame, scenarios: Path) -> pd.DataFrame:
    """The table with each verdict and reason read again from the scenario files in
    ``scenarios`` as they are now (reasons do not change a run, so no rerun is needed)."""
    out = table.copy()
    reasons = {
        name: sim.load_scenario(scenarios / f"{name}.yaml").calibration.reasons
        for name in out.scenario.unique()
    }
    for i, r in out.iterrows():
        target = TARGET_BY_ID[r.target]
        if not target.checked or r.verdict == TOO_FEW:
            continue
        reason = reasons[r.scenario].get(r.target, "")
        v = verdict(r["mean"], r.ci_low, r.ci_high, r.low, r.high, reason)
        out.loc[i, "verdict"] = v
        out.loc[i, "reason"] = reason if v == EXPLAINED else ""
    return out


def read_table(path: Path) -> pd.DataFrame:
    """A calibration table written by :func:`write` (its CSV)."""
    table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    table["site"] = table["site"].fillna("")
    table["reason"] = table["reason"].fillna("")
    return table


def problems(table: pd.DataFrame) -> list[str]:
    """The KPIs outside their published range whose scenario gives no reason, in words."""
    out = []
    for r in table.itertuples():
        if r.verdict == OUTSIDE:
            where = f" at {r.site}" if r.site else ""
            out.append(
                f"{r.scenario}: {r.target}{where} is {r.mean:.3g} (95% interval "
                f"{r.ci_low:.3g} to {r.ci_high:.3g}), outside the published {r.low:g}-"
                f"{r.high:g}, and the scenario's calibration.reasons gives no reason"
            )
    return out


def _fig(x: float) -> str:
    if x != x:
        return "–"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def markdown(table: pd.DataFrame, command: str, reps: int, seed: int) -> str:
    """docs/calibration.md: the targets, then one table per scenario."""
    lines = [
        "# Calibration against published NHS figures",
        "",
        f"Generated by `{command}` on {dt.date.today().isoformat()} ({reps} replications, "
        f"seed {seed}, each scenario at its own horizon). Do not edit by hand.",
        "",
        "Each KPI is the mean over replications with its 95% interval. It is **within** when",
        "the interval meets the published range, **OUTSIDE** when the whole interval is outside",
        "it; a scenario may say why in its `calibration.reasons` (shown here), and",
        "`tests/test_calibration.py` fails for a KPI outside its range with no reason. A",
        "*reference* figure ([D] in the domain facts, one trust) is shown beside its KPI but",
        "never checked; *too few values*: the KPI is defined in only one replication.",
        "",
        "## The published figures",
        "",
        "| target | KPI | measured as | range | source |",
        "|---|---|---|---|---|",
    ]
    for t in TARGETS:
        lines.append(f"| {t.label} (`{t.id}`) | `{t.kpi}` | {t.definition} | "
                     f"{t.low:g}–{t.high:g} | {t.source} |")  # fmt: skip
    for name, grp in table.groupby("scenario", sort=False):
        lines += ["", f"## {name}", "", "| target | where | KPI (95% interval) | range | verdict |",
                  "|---|---|---|---|---|"]  # fmt: skip
        reasons = []
        for r in grp.itertuples():
            t = TARGET_BY_ID[r.target]
            ci = "" if r.ci_low != r.ci_low else f" ({_fig(r.ci_low)} – {_fig(r.ci_high)})"
            verdict_text = f"**{r.verdict}**" if r.verdict == OUTSIDE else r.verdict
            rng = f"{r.low:g}" if r.low == r.high else f"{r.low:g}–{r.high:g}"
            lines.append(f"| {t.label} | {r.site or 'all sites'} | {_fig(r.mean)}{ci} | "
                         f"{rng} | {verdict_text} |")  # fmt: skip
            if r.reason and r.reason not in reasons:
                reasons.append(f"`{r.target}`: {r.reason}")
        if reasons:
            lines += ["", "Reasons given by the scenario:", ""]
            lines += [f"- {x}" for x in dict.fromkeys(reasons)]
    return "\n".join(lines) + "\n"


def shipped(root: Path) -> list[Path]:
    """The shipped scenarios (``scenarios/*.yaml``; the validation models are compared with
    their publications instead, see docs/validation.md)."""
    return sorted((root / "scenarios").glob("*.yaml"))


def write(table: pd.DataFrame, out: Path, command: str, reps: int, seed: int) -> None:
    """docs/calibration.md at ``out`` and the table as CSV beside it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(markdown(table, command, reps, seed), encoding="utf-8")
    table.to_csv(out.with_suffix(".csv"), index=False)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sim.validation calibrate [SCENARIO ...] [--reps N] [--jobs J]``."""
    import argparse
    import os

    parser = argparse.ArgumentParser(prog="python -m sim.validation calibrate")
    parser.add_argument("scenarios", nargs="*", type=Path)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=Path("docs/calibration.md"))
    parser.add_argument(
        "--update", action="store_true",
        help="replace only the given scenarios' rows of the table beside --out",
    )  # fmt: skip
    parser.add_argument(
        "--reasons-only", action="store_true",
        help="no runs: read the table beside --out again with the scenarios' reasons as now",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.reasons_only:
        table = reconsider(read_table(args.out.with_suffix(".csv")), Path.cwd() / "scenarios")
        first = args.out.read_text(encoding="utf-8").split("`")[1]  # the command that ran
        write(table, args.out, first, args.reps, args.seed)
    elif args.update and args.scenarios:
        old = read_table(args.out.with_suffix(".csv"))
        new = calibrate(args.scenarios, args.reps, args.seed, args.jobs)
        order = [p.stem for p in shipped(Path.cwd())]
        table = pd.concat([old[~old.scenario.isin(new.scenario)], new], ignore_index=True)
        rank = {name: i for i, name in enumerate(order)}
        table = table.sort_values("scenario", key=lambda c: c.map(rank), kind="stable")
        first = args.out.read_text(encoding="utf-8").split("`")[1]
        write(table.reset_index(drop=True), args.out, first, args.reps, args.seed)
    else:
        paths = args.scenarios or shipped(Path.cwd())
        table = calibrate(paths, args.reps, args.seed, args.jobs)
        command = "python -m sim.validation calibrate " + " ".join(
            [*(str(p) for p in args.scenarios), f"--reps {args.reps}", f"--seed {args.seed}"]
        )
        write(table, args.out, command.replace("  ", " "), args.reps, args.seed)
    print(table.drop(columns="reason").to_string(index=False))
    bad = problems(table)
    for line in bad:
        print("OUTSIDE:", line)
    return 1 if bad else 0
