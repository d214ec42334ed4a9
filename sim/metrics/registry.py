"""The KPI registry: every KPI declared once, with everything a table, plot or report needs.

Like Mesa's ``DataCollector`` reporters, a KPI is declared in one place (the metrics module
of its feature: ``sim.metrics.elective``, ``.critical_care`` ...) with its name, unit, a
plain-English label, a one-line definition, which way is better, the feature it belongs
to, the site it is reported by, whether it is a headline KPI, and how it is computed from
a replication's ledger. CLI tables, reports, forest plots, sweep tables, the ``--reps
auto`` defaults and plots all read :data:`KPIS`; no other list of KPI names exists.

A *family* is one declaration that reports one KPI per member (a staff group, a
deprivation quintile); its name holds the member's place in angle brackets:
``staff_utilisation_<group>`` with member ``anaesthetists`` is reported as
``staff_utilisation_anaesthetists``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

Better = Literal["higher", "lower"] | None
Basis = Literal["home", "treating", "unit", "network"]

#: Units of KPIs that count whole things (patients, operations, sessions).
COUNT_UNITS = frozenset({"patients", "operations", "sessions"})

#: What each ``basis`` means, for tables and reports.
BASIS_TEXT: dict[str, str] = {
    "home": "patient's home site",
    "treating": "site where it happened",
    "unit": "critical care unit",
    "network": "whole collaborative",
}


@dataclass(frozen=True)
class KPI:
    """One key performance indicator (or one family of them)."""

    name: str
    unit: str
    label: str
    """Plain English, sentence case, no unit: "Patients waiting at the end"."""
    definition: str
    """One line: what exactly is counted or measured."""
    better: Better
    """Which way is better ("higher", "lower"), or None when neither is."""
    feature: str
    """The feature it belongs to (see :mod:`sim.features`)."""
    basis: Basis
    """The site a value is reported by; see :data:`BASIS_TEXT`."""
    compute: Callable[[Any], Any] | None = None
    """``compute(scope)``: the value for one scope (a site or the whole collaborative) of
    a replication's ledger; for a family, a ``{member: value}`` mapping."""
    headline: int = 0
    """Place among the headline KPIs (1 = first); 0 = not a headline KPI."""
    precision_target: bool = False
    """One of the KPIs whose interval ``--reps auto`` narrows by default."""
    requires: str | None = None
    """A mechanism of the feature that must be switched on for the KPI to be reported
    (e.g. ``bed_wait``); the model names the mechanisms it has in the ledger."""

    @property
    def family(self) -> bool:
        """Reported once per member: the name holds a ``<placeholder>``."""
        return "<" in self.name

    def reported(self, member: object) -> str:
        """The name a member of this family is reported under."""
        head, _, rest = self.name.partition("<")
        return f"{head}{member}{rest.partition('>')[2]}"

    def member(self, name: str) -> str | None:
        """The member a reported name stands for, or None if it is not of this family."""
        head, _, rest = self.name.partition("<")
        tail = rest.partition(">")[2]
        if len(name) > len(head) + len(tail) and name.startswith(head) and name.endswith(tail):
            return name[len(head) : len(name) - len(tail)]
        return None

    @property
    def is_count(self) -> bool:
        """Counts whole things: means over replications compare exactly."""
        return self.unit in COUNT_UNITS

    @property
    def is_percentage(self) -> bool:
        """A share in %: a difference between two scenarios is in percentage points."""
        return self.unit == "%"

    @property
    def scale(self) -> float:
        """Factor from the stored value to the value shown: a fraction is shown in %."""
        return 100.0 if self.unit == "fraction" else 1.0

    @property
    def shown_unit(self) -> str:
        """The unit a planner reads: utilisation and occupancy (fractions) in %."""
        return "%" if self.unit == "fraction" else self.unit

    @property
    def difference_unit(self) -> str:
        """The unit of a difference between scenarios: percentage points for shares."""
        return "pp" if self.shown_unit == "%" else self.shown_unit


class Registry:
    """The KPIs, in the order tables show them."""

    def __init__(self) -> None:
        self._kpis: dict[str, KPI] = {}

    def add(self, *kpis: KPI) -> None:
        for kpi in kpis:
            if kpi.name in self._kpis:
                raise ValueError(f"KPI {kpi.name!r} is declared twice")
            self._kpis[kpi.name] = kpi

    def __iter__(self) -> Iterator[KPI]:
        return iter(self._kpis.values())

    def __len__(self) -> int:
        return len(self._kpis)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.find(name) is not None

    def __getitem__(self, name: str) -> KPI:
        kpi = self.find(name)
        if kpi is None:
            raise KeyError(f"unknown KPI {name!r}")
        return kpi

    def find(self, name: str) -> KPI | None:
        """The KPI reported as ``name``; a family member resolves to its family."""
        kpi = self._kpis.get(name)
        if kpi is not None:
            return kpi
        for family in self._kpis.values():
            if family.family and family.member(name) is not None:
                return family
        return None

    def names(self) -> tuple[str, ...]:
        """Every declared name (families by their own name)."""
        return tuple(self._kpis)

    def of_feature(self, feature: str) -> list[KPI]:
        return [k for k in self._kpis.values() if k.feature == feature]

    def headline(self, available: Iterable[str] | None = None) -> list[str]:
        """Headline KPIs in headline order, only those in ``available`` when given."""
        ranked = sorted((k for k in self._kpis.values() if k.headline), key=lambda k: k.headline)
        names = [k.name for k in ranked]
        if available is None:
            return names
        have = set(available)
        return [n for n in names if n in have]

    def precision_targets(self) -> list[str]:
        """The KPIs ``--reps auto`` narrows by default."""
        return [k.name for k in self._kpis.values() if k.precision_target]

    def unit(self, name: str) -> str:
        kpi = self.find(name)
        return kpi.unit if kpi is not None else ""

    def scale(self, name: str) -> float:
        """Factor from a stored value to the value shown (100 for a fraction, else 1)."""
        kpi = self.find(name)
        return kpi.scale if kpi is not None else 1.0

    def shown_unit(self, name: str) -> str:
        """The unit a value is shown in (fractions in %)."""
        kpi = self.find(name)
        return kpi.shown_unit if kpi is not None else ""

    def difference_unit(self, name: str) -> str:
        """The unit of a difference between scenarios ("pp" for shares)."""
        kpi = self.find(name)
        return kpi.difference_unit if kpi is not None else ""

    def label(self, name: str) -> str:
        """The plain-English label of a reported name (a family member says which)."""
        kpi = self.find(name)
        if kpi is None:
            return name.replace("_", " ")
        member = kpi.member(name) if kpi.family else None
        if member is not None:
            return kpi.label.replace("<member>", member.replace("_", " "))
        return kpi.label

    def order(self, names: Iterable[str]) -> list[str]:
        """``names`` in registry order (unknown names last, alphabetically)."""
        names = list(dict.fromkeys(names))
        rank = {k: i for i, k in enumerate(self._kpis)}
        known = [n for n in names if self.find(n) is not None]
        known.sort(key=lambda n: (rank[self.find(n).name], n))
        return known + sorted(n for n in names if self.find(n) is None)


#: Every KPI of hubsim, filled by the feature modules of :mod:`sim.metrics`.
KPIS = Registry()
