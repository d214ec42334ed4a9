"""Mutual aid: long waiters at one trust offered treatment at a neighbour with a shorter list.

At each round (periodic or one-off) every eligible patient on a source site's list (in
longest-wait order) is offered the receiving site with the shortest list for their
specialty, if it is shorter than their own (and the receiving site has room in this
round). They accept with a probability that falls with the extra travel; those who
accept move lists keeping their wait, those who decline stay and are not asked again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import simpy

from ..scenario.mutual_aid import MutualAid
from .elective import ElectivePathway
from .geography import Geography
from .ledger import Ledger, Tally
from .patient import WAITING, Patient
from .streams import Streams

THROUGHPUT_WINDOW = 28.0
"""Days of recent operations used to predict when a patient would be treated."""


@dataclass(slots=True)
class MutualAidTally(Tally):
    """Mutual aid for the patients of one home site."""

    mutual_aid_offers: int = 0
    mutual_aid_transfers: int = 0
    mutual_aid_extra_km: float = 0.0
    """Extra road distance of those who moved, summed."""


class MutualAidPolicy:
    """One named mutual-aid scheme of a scenario."""

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        rule: MutualAid,
        geography: Geography,
        specialties: Iterable[str],
        pathway: ElectivePathway,
        streams: Streams,
        ledger: Ledger,
    ):
        self.env = env
        self.name = name
        self.rule = rule
        self.geography = geography
        self.pathway = pathway
        pathway.keep_recent_operations()
        self.ledger = ledger
        self.tally = dict(zip(ledger.sites, ledger.tallies(MutualAidTally), strict=True))
        trusts = set(rule.from_trusts or [])
        named = set(rule.from_sites or [])
        sites = geography.sites
        if rule.from_trusts is None and rule.from_sites is None:
            self.sources = [s for s in sites if s not in rule.to]
        else:
            self.sources = [s for s in sites if s in named or geography.trust[s] in trusts]
        self.specialties = set(rule.specialties or specialties)
        self.procedures = None if rule.procedures is None else set(rule.procedures)
        self._accept = streams.uniforms(f"mutual_aid/{name}/accept")
        self._km = np.asarray(rule.acceptance.extra_km, dtype=float)
        self._p = np.asarray(rule.acceptance.probability, dtype=float)

    # -- when -----------------------------------------------------------------------------
    def times(self, horizon: float) -> list[float]:
        rule = self.rule
        end = horizon if rule.end is None else min(rule.end, horizon)
        if rule.at is not None:
            return sorted(t for t in rule.at if t < end)
        out, t = [], rule.start
        while t < end:
            out.append(t)
            t += rule.every
        return out

    def process(self, horizon: float):
        """SimPy process: the rounds of this scheme."""
        env = self.env
        for t in self.times(horizon):
            if t > env.now:
                yield env.timeout(t - env.now)
            self.round()

    # -- who ------------------------------------------------------------------------------
    def acceptance(self, extra_km: float) -> float:
        return float(np.interp(extra_km, self._km, self._p))

    def _eligible(self) -> list[Patient]:
        now = self.env.now
        rule = self.rule
        out = []
        for (sid, spec), wl in self.pathway.lists.items():
            if sid not in self.sources or spec not in self.specialties or not len(wl):
                continue
            everyone = list(wl.patients())
            procedures = self.procedures
            waiting = [
                p for p in everyone
                if not p.rare.aid_offered and (procedures is None or p.procedure in procedures)
            ]  # fmt: skip
            predicted = (
                self._predicted_waits(sid, spec, everyone) if rule.predicted_breach else None
            )
            for p in waiting:
                waited = now - p.referral_time
                late = predicted is not None and waited + predicted[p.pid] > rule.predicted_breach
                if waited >= rule.waited_over or late:
                    out.append(p)
        out.sort(key=lambda p: (p.referral_time, p.pid))
        return out

    def _predicted_waits(self, site: str, spec: str, waiting: list[Patient]) -> dict[int, float]:
        """Days until each patient would be treated where they are: their place in the
        booking order over the list's recent throughput (none without recent operations).
        ``waiting`` is everyone on the list: those who declined an offer, or whose
        procedure the scheme leaves out, still wait in front of the patients behind them."""
        done = self.pathway.recent_operations(site, spec, self.env.now - THROUGHPUT_WINDOW)
        rate = done / THROUGHPUT_WINDOW
        order = sorted(waiting, key=lambda p: (p.waiting_list.order(p), p.pid))
        if rate <= 0:
            return {p.pid: float("inf") for p in order}
        return {p.pid: (i + 1) / rate for i, p in enumerate(order)}

    # -- a round --------------------------------------------------------------------------
    def round(self) -> None:
        """Offer every eligible patient a move; move those who accept."""
        rule = self.rule
        lists = self.pathway.lists
        room = {t: (rule.capacity_per_round or float("inf")) for t in rule.to}
        for p in self._eligible():
            if p.state != WAITING:
                continue
            spec = self.pathway.specialty_of(p)
            here = lists[(p.site, spec)]
            options = [
                t for t in rule.to
                if t != p.site and (t, spec) in lists and room[t] > 0
                and (not rule.only_to_shorter_lists or len(lists[(t, spec)]) < len(here))
            ]  # fmt: skip
            if not options:
                continue
            target = min(options, key=lambda t: (len(lists[(t, spec)]), t))
            km = self.geography.km
            extra = max(0.0, km(p.home, target) - km(p.home, p.site))
            if not np.isfinite(extra):
                extra = 0.0
            p.aid_offered = True
            tally = self.tally[p.home]
            tally.mutual_aid_offers += 1
            if self._accept() < self.acceptance(extra):
                room[target] -= 1
                self.pathway.move(p, target)
                tally.mutual_aid_transfers += 1
                tally.mutual_aid_extra_km += extra
                self.ledger.log(self.env.now, "mutual_aid", p.pid, target, self.name)
