"""A scope of a replication's closed ledger: one site, or the whole collaborative.

KPI reporters (see :mod:`sim.metrics.registry`) read everything through a scope: the
tallies since the warm-up (``scope.of(ElectiveTally)``, summed over the collaborative's
sites at the network scope), the patients still waiting at the end and the operations
done, both by home site. Nothing here depends on pandas.
"""

from __future__ import annotations

import functools
from typing import TypeVar

import numpy as np

from ..model.ledger import Ledger, Tally

T = TypeVar("T", bound=Tally)

WEEK = 7.0


def ratio(num: float, den: float, scale: float = 1.0) -> float:
    """``num / den * scale``, NaN when there is nothing to divide by."""
    return num / den * scale if den > 0 else float("nan")


class Scope:
    """What KPIs of one site (``site``) or of the whole collaborative (``""``) are made of."""

    def __init__(self, ledger: Ledger, site: str = "", operations: np.ndarray | None = None):
        self.ledger = ledger
        self.site = site
        self._tallies: dict[type[Tally], Tally] = {}
        self._operations = operations

    @property
    def network(self) -> bool:
        """The whole collaborative rather than one site."""
        return self.site == ""

    @property
    def span(self) -> float:
        """Days measured (after the warm-up)."""
        return self.ledger.span

    def of(self, kind: type[T]) -> T:
        """The tally of ``kind`` since the warm-up: this site's, or the sum over all sites
        (in site order) at the network scope; zeros where the feature has none. A tally
        kept for the whole collaborative only (key ``""``) is read as it is."""
        got = self._tallies.get(kind)
        if got is None:
            measured = self.ledger.measured_of(kind)
            if "" in measured:
                got = measured[""] if self.network else kind()
            elif not self.network:
                got = measured.get(self.site) or kind()
            else:
                got = kind()
                for sid in self.ledger.sites:
                    if sid in measured:
                        got = got.plus(measured[sid])
            self._tallies[kind] = got
        return got  # type: ignore[return-value]

    def keyed(self, kind: type[T]) -> dict[str, T]:
        """Tallies of ``kind`` by their own keys (e.g. staff groups), since the warm-up."""
        return self.ledger.measured_of(kind)

    @functools.cached_property
    def _home(self) -> int | None:
        return None if self.network else self.ledger.index[self.site]

    @functools.cached_property
    def waiting_weeks(self) -> np.ndarray:
        """Waits so far of the patients of this home site still waiting at the end."""
        w = self.ledger.waiting
        weeks = w.wait_days / WEEK
        return weeks if self._home is None else weeks[w.home == self._home]

    @functools.cached_property
    def waiting_quintiles(self) -> np.ndarray:
        w = self.ledger.waiting
        return w.quintile if self._home is None else w.quintile[w.home == self._home]

    @functools.cached_property
    def waiting_procedures(self) -> np.ndarray:
        """Procedure (index into ``ledger.procedures``) of each patient in :attr:`waiting_weeks`."""
        w = self.ledger.waiting
        return w.procedure if self._home is None else w.procedure[w.home == self._home]

    @functools.cached_property
    def treated(self) -> np.ndarray:
        """Operations after the warm-up of this home site's patients (structured array)."""
        ops = self._operations
        if ops is None:
            ops = self._operations = self.ledger.operations.to_array()
        return ops if self._home is None else ops[ops["home"] == self._home]
