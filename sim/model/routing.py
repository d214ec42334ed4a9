"""Routing: which site treats a referral (its own, or a hub), resolved once at build."""

from __future__ import annotations

from collections.abc import Callable

from ..scenario.schema import Scenario
from .geography import Geography


class Router:
    """The treating site of each (home site, procedure), from the scenario's routing rules.

    A rule with one target, or ``choose: nearest``, fixes the site when the model is
    built; ``choose: shortest_list`` picks, at each referral, the target whose list for
    the specialty is shortest then (ties: the first listed).
    """

    def __init__(self, sc: Scenario, geography: Geography, list_length: Callable[[str, str], int]):
        self._fixed: dict[tuple[str, str], str] = {}
        self._choices: dict[tuple[str, str], tuple[list[str], str]] = {}
        self._list_length = list_length
        specialty = {pid: p.specialty for pid, p in sc.procedures.items()}
        for home in sc.sites:
            for pid in sc.procedures:
                targets, choose = sc.treating_sites(home, pid)
                if choose == "nearest" and len(targets) > 1:
                    targets = sorted(targets, key=lambda s: geography.km(home, s))[:1]
                if len(targets) == 1:
                    self._fixed[(home, pid)] = targets[0]
                else:
                    self._choices[(home, pid)] = (targets, specialty[pid])

    def site_for(self, home: str, procedure: str) -> str:
        """The site that will treat a referral from ``home`` for ``procedure``."""
        site = self._fixed.get((home, procedure))
        if site is not None:
            return site
        targets, spec = self._choices[(home, procedure)]
        return min(targets, key=lambda s: self._list_length(s, spec))
