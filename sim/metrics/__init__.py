"""Key performance indicators: declared once each in :data:`KPIS`, computed from a ledger.

Each feature declares its KPIs in its own module here (``elective``, ``wards``,
``emergencies``, ``critical_care``, ``networks``, ``nursing``, ``mutual_aid``, ``staff``,
``equity``, ``calendar``); importing this package registers them all, in that order.
:func:`kpi_rows` turns a replication's closed :class:`~sim.model.ledger.Ledger` into
(kpi, site, value) rows: one per KPI of every feature present, for each site and for the
whole collaborative (site ``""``).
"""

from __future__ import annotations

from ..model.ledger import Ledger
from . import (  # noqa: F401
    calendar,
    critical_care,
    elective,
    emergencies,
    equity,
    mutual_aid,
    networks,
    nursing,
    staff,
    wards,
)
from .registry import KPI, KPIS, Registry
from .scope import Scope

__all__ = ["KPI", "KPIS", "Registry", "Scope", "kpi_rows", "reported"]


def reported(ledger: Ledger) -> list[KPI]:
    """The KPIs of the features this replication has, in registry order."""
    have = ledger.features
    return [k for k in KPIS if k.feature in have and (k.requires is None or k.requires in have)]


def kpi_rows(ledger: Ledger) -> list[tuple[str, str, float]]:
    """Every reported KPI of a closed ledger as (kpi, site, value) rows; sites first, then
    the whole collaborative (``""``). Network-only KPIs appear once, at ``""``."""
    kpis = reported(ledger)
    operations = ledger.operations.to_array()
    rows: list[tuple[str, str, float]] = []
    for site in (*ledger.sites, ""):
        scope = Scope(ledger, site, operations)
        for kpi in kpis:
            if kpi.basis == "network" and site:
                continue
            value = kpi.compute(scope)
            if kpi.family:
                rows.extend((kpi.reported(m), site, float(v)) for m, v in value.items())
            else:
                rows.append((kpi.name, site, float(value)))
    return rows
