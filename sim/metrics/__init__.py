"""Key performance indicators of a replication (see ``core``) and of policies (``policies``)."""

from .core import (
    CC_HEADLINE_KPIS,
    CC_KPI_INFO,
    HEADLINE_KPIS,
    KPI_INFO,
    KPI_NAMES,
    replication_kpis,
    reported_kpis,
)
from .info import KpiInfo

__all__ = [
    "CC_HEADLINE_KPIS",
    "HEADLINE_KPIS",
    "CC_KPI_INFO",
    "KPI_INFO",
    "KPI_NAMES",
    "KpiInfo",
    "reported_kpis",
    "replication_kpis",
]
