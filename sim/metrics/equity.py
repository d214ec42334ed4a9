"""KPIs of equity: waits by deprivation quintile (IMD 1 = most deprived, 5 = least).

They describe the patients still waiting at the end (incomplete pathways, as NHS
statistics and the King's Fund inequality figures do). The concentration index ranks
those patients from most to least deprived: a negative value means long waits (over
18 weeks) fall more on the deprived.
"""

from __future__ import annotations

import numpy as np

from .registry import KPI, KPIS
from .scope import Scope

FEATURE = "equity"
QUINTILES = (1, 2, 3, 4, 5)
LONG_WAIT_WEEKS = 18.0
NAN = float("nan")


def concentration_index(outcome: np.ndarray, quintile: np.ndarray) -> float:
    """Concentration index of a 0/1 ``outcome`` over people ranked most to least deprived.

    ``2 cov(outcome, r) / mean(outcome)`` with ``r`` the fractional rank (ties share the
    mean rank). NaN when nobody has the outcome.
    """
    n = outcome.size
    mean = outcome.mean() if n else 0.0
    if n == 0 or mean == 0:
        return NAN
    order = np.argsort(quintile, kind="stable")
    ranks = np.empty(n)
    ranks[order] = np.arange(1, n + 1)
    for q in np.unique(quintile):  # ties share their mean rank
        sel = quintile == q
        ranks[sel] = ranks[sel].mean()
    r = (ranks - 0.5) / n
    return float(2 * np.mean((outcome - mean) * (r - r.mean())) / mean)


def _waiting_by_quintile(s: Scope, stat) -> dict[str, float]:
    weeks, q = s.waiting_weeks, s.waiting_quintiles
    return {str(k): stat(weeks[q == k]) if (q == k).any() else NAN for k in QUINTILES}


def _median(w: np.ndarray) -> float:
    return float(np.median(w))


def _treated_median(s: Scope) -> dict[str, float]:
    ops = s.treated
    weeks = ops["wait_days"] / 7.0
    q = ops["quintile"]
    return {str(k): float(np.median(weeks[q == k])) if (q == k).any() else NAN for k in QUINTILES}


def _gap(s: Scope) -> float:
    m = _waiting_by_quintile(s, _median)
    return m["1"] - m["5"]


def _over_52_ratio(s: Scope) -> float:
    share = _waiting_by_quintile(s, lambda w: float((w > 52).mean()))
    return share["1"] / share["5"] if share["5"] > 0 else NAN


def _concentration(s: Scope) -> float:
    weeks, q = s.waiting_weeks, s.waiting_quintiles
    known = q > 0
    return concentration_index((weeks[known] > LONG_WAIT_WEEKS).astype(float), q[known])


KPIS.add(
    KPI("median_wait_weeks_q<quintile>", "weeks", "Median wait of those waiting, quintile <member>",
        "median wait of patients waiting at the end, by IMD quintile (1 = most deprived)",
        "lower", FEATURE, "network", lambda s: _waiting_by_quintile(s, _median)),
    KPI("p92_wait_weeks_q<quintile>", "weeks",
        "92nd-percentile wait of those waiting, quintile <member>",
        "92nd percentile wait of patients waiting at the end, by IMD quintile",
        "lower", FEATURE, "network",
        lambda s: _waiting_by_quintile(s, lambda w: float(np.percentile(w, 92)))),
    KPI("pct_over_52_weeks_q<quintile>", "%", "Share waiting over 52 weeks, quintile <member>",
        "share of a quintile's patients waiting at the end who have waited over 52 weeks",
        "lower", FEATURE, "network",
        lambda s: _waiting_by_quintile(s, lambda w: float((w > 52).mean() * 100))),
    KPI("median_wait_treated_weeks_q<quintile>", "weeks",
        "Median wait of those operated on, quintile <member>",
        "median wait of patients operated on during the run, by IMD quintile",
        "lower", FEATURE, "network", _treated_median),
    KPI("over_52_weeks_ratio_q1_q5", "ratio",
        "Share waiting over 52 weeks, most over least deprived fifth",
        "share of Q1's patients waiting at the end who have waited over 52 weeks divided by "
        "Q5's (King's Fund 2021: 7.29% / 4.02% = 1.8)", "lower", FEATURE, "network",
        lambda s: _over_52_ratio(s)),
    KPI("wait_gap_q1_q5_weeks", "weeks", "Wait gap, most minus least deprived fifth",
        "median wait at the end, most deprived (Q1) minus least deprived (Q5)",
        "lower", FEATURE, "network", _gap),
    KPI("long_wait_concentration_index", "index", "Concentration of long waits by deprivation",
        "concentration index of waits over 18 weeks by deprivation rank (most deprived first; "
        "negative = long waits fall more on the deprived)", None, FEATURE, "network",
        _concentration),
)  # fmt: skip
