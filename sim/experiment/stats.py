"""Confidence intervals over replications (Student t), for means and paired differences."""

from __future__ import annotations

import functools
import math

import numpy as np


def mean_ci(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float, float, int]:
    """(mean, sd, ci_low, ci_high, n) of the finite values; the interval is a t-interval."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        nan = float("nan")
        return nan, nan, nan, nan, 0
    mean = float(x.mean())
    if n == 1:
        return mean, float("nan"), float("nan"), float("nan"), 1
    sd = float(x.std(ddof=1))
    half = t_quantile(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)
    return mean, sd, mean - half, mean + half, n


def half_width(values: np.ndarray, confidence: float = 0.95) -> float:
    """Half the width of the t-interval of the mean (NaN with fewer than 2 values)."""
    mean, _sd, low, high, n = mean_ci(values, confidence)
    return (high - low) / 2 if n >= 2 else float("nan")


@functools.lru_cache(maxsize=256)
def t_quantile(p: float, dof: int) -> float:
    """Student t quantile (scipy is imported on first use, and only ``scipy.special``:
    ``stdtrit`` is what ``scipy.stats.t.ppf`` computes, without the second of CPU that
    importing ``scipy.stats`` costs; replication workers never need it)."""
    from scipy.special import stdtrit

    return float(stdtrit(dof, p))
