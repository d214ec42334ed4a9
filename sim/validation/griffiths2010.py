"""Griffiths et al. 2010's critical care unit, as recreated by Monks, Harper & Heather 2025:
cancelled elective operations, bed utilisation and occupancy, the unplanned patients' wait
and the patient count at 23 to 28 beds, beside the published tables.

The recreation's KPIs are not hubsim's usual ones, so hubsim reports them with the
recreation's definitions (see :mod:`sim.metrics.critical_care`):

- cancelled elective operations: ``cc_planned_cancellations`` (defined identically);
- bed occupancy: whole stays of the patients discharged in the period over its length,
  cleaning excluded (``cc_stay_beds_at_discharge``); bed utilisation is that over the beds;
- mean unplanned wait: counted at discharge (``cc_wait_hours_at_discharge``);
- patient count: arrivals of all six streams after the warm-up, cancelled electives
  included (``cc_unplanned_arrivals + cc_planned_admissions + cc_planned_cancellations``).

The intervals of the recreation are those of its own 1,000 replications, run by us; the
published tables are 5 replications (the JORS article) and 100 (the repository). hubsim's
usual definitions (time-average beds in treatment, occupancy with cleaning, wait counted at
admission) are compared with the same model's values under those definitions (200
replications of the recreation, instrumented by us).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import Interval, agrees, published

SCENARIO = "ccu_24_beds.yaml"
BEDS = (23, 24, 25, 26, 27, 28)
BEDS_FIELD = "sites.ccu.critical_care.beds"

#: Published KPI -> how hubsim computes it from a replication's KPIs (site "").
KPIS = {
    "cancelled_elective_operations": lambda k, b: k["cc_planned_cancellations"],
    "bed_utilisation": lambda k, b: k["cc_stay_beds_at_discharge"] / b,
    "bed_occupancy_beds": lambda k, b: k["cc_stay_beds_at_discharge"],
    "mean_wait_unplanned_hours": lambda k, b: k["cc_wait_hours_at_discharge"],
    "patient_count": lambda k, b: (
        k["cc_unplanned_arrivals"] + k["cc_planned_admissions"] + k["cc_planned_cancellations"]
    ),
}
#: The same model's KPIs under hubsim's usual definitions -> the hubsim KPI.
HUBSIM_DEFINITIONS = {
    "time_avg_beds_in_treatment": ("cc_beds_in_treatment", "beds in treatment, time average"),
    "occupancy_incl_cleaning_fraction": ("cc_occupancy", "occupancy incl. cleaning, time average"),
    "mean_wait_unplanned_by_admission_hours": (
        "cc_unplanned_wait_hours", "unplanned wait counted at admission (hours)"),
}  # fmt: skip


def _per_rep(res) -> list[dict[str, float]]:
    return [{k: v for k, s, v in r.kpis if s == ""} for r in res.reps]


def _range_of_mean(values: np.ndarray, size: int, draws: int = 20_000) -> tuple[float, float]:
    """Where a mean of ``size`` replications falls 95% of the time (resampling hubsim's)."""
    rng = np.random.default_rng(2010)
    means = rng.choice(values, size=(draws, size), replace=True).mean(axis=1)
    return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def compare(
    reps: int = 1000, seed: int = 1, n_jobs: int = 1, beds: tuple[int, ...] = BEDS
) -> pd.DataFrame:
    """Run the ported unit at each bed number (common random numbers) and put hubsim beside
    the published figures: one row per bed number and KPI."""
    import sim

    folder = published("griffiths2010")
    source = pd.read_csv(folder / "reproduced_with_intervals.csv").set_index(["beds", "kpi"])
    alt = pd.read_csv(folder / "reproduced_alt_kpis_summary_200reps.csv").set_index(["beds", "kpi"])
    rows = []
    for b in beds:
        sc = sim.load_scenario(folder.parent / SCENARIO, overrides={BEDS_FIELD: b})
        per_rep = _per_rep(sim.run(sc, reps=reps, seed=seed, n_jobs=n_jobs))
        for kpi, value in KPIS.items():
            x = np.array([value(k, b) for k in per_rep], dtype=float)
            ours = Interval.of(x)
            s = source.loc[(b, kpi)]
            theirs = Interval(s.mean_1000reps, s.ci95_low_1000reps, s.ci95_high_1000reps, 1000)
            five = _range_of_mean(x, 5)
            hundred = _range_of_mean(x, 100)
            rows.append({
                "beds": b, "kpi": kpi, "definition": "published",
                "hubsim_mean": ours.mean, "hubsim_low": ours.low, "hubsim_high": ours.high,
                "source_mean": theirs.mean, "source_low": theirs.low,
                "source_high": theirs.high, "agrees": agrees(ours, theirs),
                "jors_5reps": s.published_jors_5reps, "repo_100reps": s.published_repo_100reps,
                "jors_in_5rep_range": five[0] - 0.05 <= s.published_jors_5reps <= five[1] + 0.05,
                "repo_in_100rep_range": (
                    hundred[0] - 0.005 <= s.published_repo_100reps <= hundred[1] + 0.005
                ),
                "reps": ours.n,
            })  # fmt: skip
        for their, (ours_kpi, label) in HUBSIM_DEFINITIONS.items():
            x = np.array([k[ours_kpi] for k in per_rep], dtype=float)
            ours = Interval.of(x)
            s = alt.loc[(b, their)]
            theirs = Interval(s["mean"], s.ci95_low, s.ci95_high, int(s.n_reps))
            rows.append({
                "beds": b, "kpi": ours_kpi, "definition": label,
                "hubsim_mean": ours.mean, "hubsim_low": ours.low, "hubsim_high": ours.high,
                "source_mean": theirs.mean, "source_low": theirs.low,
                "source_high": theirs.high, "agrees": agrees(ours, theirs),
                "jors_5reps": np.nan, "repo_100reps": np.nan, "jors_in_5rep_range": np.nan,
                "repo_in_100rep_range": np.nan,
                "reps": ours.n,
            })  # fmt: skip
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    """The comparison as a Markdown table; a published 5- or 100-replication figure is marked
    ✓ when it lies where a hubsim mean of that many replications falls 95% of the time."""
    lines = [
        "| beds | KPI (definition) | hubsim mean [95% CI] | published code, 1,000 reps [95% CI]"
        " | JORS (5 reps) | repo (100 reps) | agree |",
        "|---:|---|---|---|---:|---:|:-:|",
    ]
    for _, r in table.iterrows():
        dp = 3 if r.hubsim_mean < 2 else 1

        def pub(v: float, inside: object) -> str:
            mark = " ✓" if not pd.isna(inside) and bool(inside) else ""
            return "–" if pd.isna(v) else f"{v:g}{mark}"

        name = r.kpi if r.definition == "published" else f"{r.kpi} ({r.definition})"
        lines.append(
            f"| {r.beds} | {name} | {r.hubsim_mean:.{dp}f} [{r.hubsim_low:.{dp}f}, "
            f"{r.hubsim_high:.{dp}f}] | {r.source_mean:.{dp}f} [{r.source_low:.{dp}f}, "
            f"{r.source_high:.{dp}f}] | {pub(r.jors_5reps, r.jors_in_5rep_range)} | "
            f"{pub(r.repo_100reps, r.repo_in_100rep_range)} | "
            f"{'yes' if r.agrees else 'no'} |"
        )
    return "\n".join(lines)
