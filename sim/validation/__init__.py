"""Published models reproduced: hubsim's figures beside the published ones, with intervals.

Each model is ported literally as scenarios under ``scenarios/validation/<model>/``; the
published figures it is compared with, and the intervals of the published code's own
replications (run by us, since the published tables carry none), are committed beside them
in ``published/`` with their source. ``python -m sim.validation <model>`` runs the full-size
comparison and prints it; ``tests/test_validation.py`` runs each at a reduced size.

- ``monks2016``: Monks et al. 2016, acute stroke unit and rehabilitation bed pooling
  (:mod:`.monks2016`).
- ``griffiths2010``: Griffiths et al. 2010's critical care unit as recreated by Monks, Harper
  & Heather 2025 (:mod:`.griffiths2010`).

A row *agrees* when hubsim's mean and the published code's mean differ by less than the 95%
interval of their difference (Welch), ``t * sqrt(se_hubsim^2 + se_source^2)``: with many
rows, about 1 in 20 is expected to disagree by chance at 95%.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats

#: Where the validation scenarios and their published figures live.
ROOT = Path(__file__).resolve().parents[2] / "scenarios" / "validation"

MODELS = ("monks2016", "griffiths2010")


@dataclass(frozen=True)
class Interval:
    """A mean over replications with its 95% Student-t interval."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def se(self) -> float:
        t = float(stats.t.ppf(0.975, self.n - 1)) if self.n > 1 else float("nan")
        return (self.high - self.mean) / t if self.n > 1 else float("nan")

    @classmethod
    def of(cls, values: np.ndarray) -> Interval:
        x = np.asarray(values, dtype=float)
        x = x[~np.isnan(x)]
        n = len(x)
        m = float(x.mean()) if n else float("nan")
        if n < 2:
            return cls(m, float("nan"), float("nan"), n)
        half = float(stats.t.ppf(0.975, n - 1)) * float(x.std(ddof=1)) / np.sqrt(n)
        return cls(m, m - half, m + half, n)


def agrees(a: Interval, b: Interval, level: float = 0.95) -> bool:
    """Whether two means differ by less than the ``level`` interval of their difference."""
    se = np.hypot(a.se, b.se)
    if not np.isfinite(se):
        return False
    z = float(stats.norm.ppf(0.5 + level / 2))
    return abs(a.mean - b.mean) <= z * se + 1e-12


def published(model: str) -> Path:
    """The folder of a model's published figures."""
    return ROOT / model / "published"
