"""Monks et al. 2016: the probability of delay of an acute stroke unit and a rehabilitation
unit, dedicated and pooled, beside the published tables.

The published statistic at ``n`` beds is P(N = n) / P(N <= n) of the daily census N summed
over all replications (a ratio of sums); hubsim reports it per replication as the KPI
``p_delay_<bed type>_<n>``, and here also as the ratio of sums, rounded as the published
tables round it. The intervals are those of the per-replication values, hubsim's and the
published code's (150 replications of pythonhealthdatascience/pydesrap_stroke, run by us).
Partial pooling (a dedicated acute, r dedicated rehabilitation, k shared beds) is the
post-processing of the article's supplementary methods: it treats the two censuses as
independent and uses their tails.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import Interval, agrees, published

SCENARIOS = {
    "current": "stroke_current.yaml",
    "5pct_more": "stroke_5pct_more.yaml",
    "no_complex_neuro": "stroke_no_complex_neuro.yaml",
}
UNITS = {"asu": "acute_stroke", "rehab": "rehabilitation"}
CENSUS = "census:stroke_service/{}"
POOL = "census:asu_and_rehab"
PARTIAL = ((11, 11, 4), (11, 10, 5), (10, 10, 6), (10, 9, 7), (9, 9, 8), (9, 8, 9))


def p_delay(dist: np.ndarray, n: int) -> float:
    """P(N = n) / P(N <= n) of a census distribution (frequencies at 0, 1, 2 ...)."""
    upto = dist[: n + 1].sum()
    return float(dist[n] / upto) if n < len(dist) and upto > 0 else float("nan")


def _tail(dist: np.ndarray, k: int) -> float:
    """P(N >= k)."""
    k = max(k, 0)
    return float(dist[k:].sum() / dist.sum()) if k < len(dist) else 0.0


def _at(dist: np.ndarray, k: int) -> float:
    return float(dist[k] / dist.sum()) if 0 <= k < len(dist) else 0.0


def partial_pooling(a_dist: np.ndarray, r_dist: np.ndarray, a: int, r: int, k: int):
    """P(delay) of acute and of rehabilitation patients with ``a`` and ``r`` dedicated beds
    and ``k`` shared, the two censuses taken as independent (Monks et al. 2016,
    supplementary methods)."""
    acute = _tail(a_dist, a + k) + sum(
        _at(a_dist, i) * _tail(r_dist, a + k + r - i) for i in range(a, a + k)
    )
    rehab = _tail(r_dist, r + k) + sum(
        _at(r_dist, i) * _tail(a_dist, r + k + a - i) for i in range(r, r + k)
    )
    return acute, rehab


def _censuses(res, pool: str) -> list[np.ndarray]:
    """The census distribution of ``pool`` in each replication (zero-padded to one length)."""
    out = [np.asarray(r.occupancy.get(pool, [0.0]), dtype=float) for r in res.reps]
    width = max(len(x) for x in out)
    return [np.pad(x, (0, width - len(x))) for x in out]


def _source_rows() -> pd.DataFrame:
    src = pd.read_csv(published("monks2016") / "reproduced_prob_delay_by_beds.csv")
    return src.set_index(["scenario", "unit", "beds"])


def _published_rows() -> pd.DataFrame:
    """Published probabilities of delay by scenario, unit and beds (repo and paper)."""
    folder = published("monks2016")
    rows = []
    for table, other in (("table2", "5%"), ("suptable1", "no_complex_neuro")):
        name = "5pct_more" if other == "5%" else other
        repo = pd.read_csv(folder / f"published_repo_{table}.csv")
        paper = pd.read_csv(folder / f"published_paper_{table}.csv").set_index(["unit", "beds"])
        for _, row in repo.iterrows():
            for scenario, col in (("current", "prob_delay_current"),
                                  (name, f"prob_delay_{other}")):  # fmt: skip
                if pd.isna(row[col]):
                    continue
                key = (row["unit"], int(row["beds"]))
                article = float(paper.loc[key, col]) if key in paper.index else np.nan
                rows.append((table, scenario, *key, float(row[col]), article))
    out = pd.DataFrame(rows, columns=["table", "scenario", "unit", "beds", "repo", "paper"])
    return out.drop_duplicates(["scenario", "unit", "beds"])


def compare(
    reps: int = 150, seed: int = 1, n_jobs: int = 1, scenarios: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Run the ported scenarios and put hubsim beside the published tables 2, 3 and S1.

    One row per published figure: hubsim's ratio of sums (the published statistic) and
    per-replication mean with its 95% interval; the published code's per-replication mean
    and interval (150 replications); the published value (repository tables, and the
    article's); and whether the two means agree within the interval of their difference.
    """
    import sim

    wanted = scenarios or tuple(SCENARIOS)
    results = {
        name: sim.run(
            sim.load_scenario(published("monks2016").parent / SCENARIOS[name]),
            reps=reps,
            seed=seed,
            n_jobs=n_jobs,
        )  # fmt: skip
        for name in wanted
    }
    source = _source_rows()
    rows = []
    for _, pub in _published_rows().iterrows():
        if pub.scenario not in results:
            continue
        census = _censuses(results[pub.scenario], CENSUS.format(UNITS[pub.unit]))
        ours = Interval.of(np.array([p_delay(c, pub.beds) for c in census]))
        theirs_row = source.loc[(pub.scenario, pub.unit, pub.beds)]
        theirs = Interval(theirs_row.prob_delay_rep_mean, theirs_row.ci95_low,
                          theirs_row.ci95_high, int(theirs_row.n_reps))  # fmt: skip
        rows.append({
            "table": pub.table, "scenario": pub.scenario, "unit": pub.unit,
            "beds": f"{pub.beds}", "patients": pub.unit,
            "hubsim": p_delay(np.sum(census, axis=0), pub.beds),
            "hubsim_mean": ours.mean, "hubsim_low": ours.low, "hubsim_high": ours.high,
            "source_mean": theirs.mean, "source_low": theirs.low, "source_high": theirs.high,
            "published": pub.repo, "paper": pub.paper, "agrees": agrees(ours, theirs),
            "reps": ours.n,
        })  # fmt: skip
    if "current" in results:
        rows += _table3(results["current"])
    return pd.DataFrame(rows)


def _table3(res) -> list[dict]:
    folder = published("monks2016")
    repo = pd.read_csv(folder / "published_repo_table3.csv")
    paper = pd.read_csv(folder / "published_paper_table3.csv")
    source = pd.read_csv(folder / "reproduced_table3_pooling.csv")
    asu = _censuses(res, CENSUS.format(UNITS["asu"]))
    rehab = _censuses(res, CENSUS.format(UNITS["rehab"]))
    pool = _censuses(res, POOL)
    a_all, r_all, p_all = (np.sum(x, axis=0) for x in (asu, rehab, pool))
    rows = []
    for i, row in repo.iterrows():
        a, r, k = int(row.dedicated_acute), int(row.dedicated_rehab), int(row.pooled)
        if a == 0 and r == 0:  # full pooling: the summed census
            per_rep = [(p_delay(c, k),) * 2 for c in pool]
            total = (p_delay(p_all, k),) * 2
        elif k == 0:  # dedicated units: table 2's figures
            per_rep = [(p_delay(x, a), p_delay(y, r)) for x, y in zip(asu, rehab, strict=True)]
            total = (p_delay(a_all, a), p_delay(r_all, r))
        else:
            per_rep = [partial_pooling(x, y, a, r, k) for x, y in zip(asu, rehab, strict=True)]
            total = partial_pooling(a_all, r_all, a, r, k)
        src = source.iloc[i]
        for j, who in enumerate(("acute", "rehab")):
            ours = Interval.of(np.array([p[j] for p in per_rep]))
            theirs = Interval(src[f"pdelay_{who}_rep_mean"], src[f"{who}_ci95_low"],
                              src[f"{who}_ci95_high"], int(src.n_reps))  # fmt: skip
            rows.append({
                "table": "table3", "scenario": "current", "unit": "pooling",
                "beds": f"{a}/{r}/{k}", "patients": who, "hubsim": total[j],
                "hubsim_mean": ours.mean, "hubsim_low": ours.low, "hubsim_high": ours.high,
                "source_mean": theirs.mean, "source_low": theirs.low,
                "source_high": theirs.high, "published": float(row[f"pdelay_{who}"]),
                "paper": float(paper.iloc[i][f"pdelay_{who}"]), "agrees": agrees(ours, theirs),
                "reps": ours.n,
            })  # fmt: skip
    return rows


def markdown(table: pd.DataFrame) -> str:
    """The comparison as a Markdown table (the published statistic rounded as published)."""
    lines = [
        "| table | scenario | unit | beds (dedicated acute/rehab/shared) | patients | hubsim "
        "(ratio of sums) | published (repo) | article | hubsim mean [95% CI] | published "
        "code mean [95% CI] | agree |",
        "|---|---|---|---|---|---:|---:|---:|---|---|:-:|",
    ]
    for _, r in table.iterrows():
        dp = 3 if r.table == "table3" else 2
        lines.append(
            f"| {r.table} | {r.scenario} | {r.unit} | {r.beds} | {r.patients} | "
            f"{r.hubsim:.{dp}f} | {r.published:.{dp}f} | "
            + ("–" if pd.isna(r.paper) else f"{r.paper:.{dp}f}")
            + f" | {r.hubsim_mean:.4f} [{r.hubsim_low:.4f}, {r.hubsim_high:.4f}] | "
            f"{r.source_mean:.4f} [{r.source_low:.4f}, {r.source_high:.4f}] | "
            f"{'yes' if r.agrees else 'no'} |"
        )
    return "\n".join(lines)
