"""What a KPI is: its unit, the site it is reported by, and a sentence a planner can read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KpiInfo:
    unit: str
    basis: str
    """``home`` (patient's home site), ``treating`` (where it happened), ``unit``,
    ``network`` (whole collaborative only)."""
    description: str


def ratio(num: float, den: float, scale: float = 1.0) -> float:
    """``num / den * scale``, NaN when there is nothing to divide by."""
    return num / den * scale if den > 0 else float("nan")
