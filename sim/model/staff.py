"""Staff rosters: a theatre session runs only if its team turns up.

Each morning every rostered member of every staff group is at work unless off sick
(independently, with the group's absence probability). The day's sessions are then
staffed in a fixed order: first from the members based at the session's site, then, if
the group is shared across the trust or the collaborative (staff passporting), from the
nearest other sites in that pool; cover from another site arrives ``travel`` late. A
member covers up to ``sessions_per_day`` half-day sessions; an all-day list takes two.
A session that cannot get every member it needs is lost (cause ``no_staff``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import simpy

from ..scenario.staff import Staff
from ..scenario.types import WEEKDAYS
from .calendar import Calendar
from .geography import Geography
from .ledger import Ledger, Tally
from .streams import Streams

HALF_DAY = 4.5 / 24


@dataclass(slots=True)
class StaffTally(Tally):
    """Theatre sessions lost for want of staff at one site."""

    sessions_lost_no_staff: int = 0


@dataclass(slots=True)
class StaffGroupTally(Tally):
    """One staff group's session-slots: on duty (present members x sessions a day) and used."""

    slots_available: int = 0
    slots_used: int = 0


class StaffRoster:
    """Who is at work each day and which sessions they staff."""

    def __init__(
        self,
        env: simpy.Environment,
        staff: Staff,
        specialties: Iterable[str],
        geography: Geography,
        calendar: Calendar,
        streams: Streams,
        ledger: Ledger,
        sessions_on: Callable[[int], list],
    ):
        self.env = env
        self.calendar = calendar
        self.groups = staff.groups
        default = staff.needs.get("default", {})
        self.needs = {s: {**default, **staff.needs.get(s, {})} for s in specialties}
        self._absent = {g: streams.uniforms(f"staff/{g}/absence") for g in self.groups}
        self._days = {g: {WEEKDAYS.index(d) for d in grp.days} for g, grp in self.groups.items()}
        # Sites each group can draw cover from, nearest first, for sessions at each site.
        self._cover: dict[tuple[str, str], list[str]] = {}
        sites = geography.sites
        for g, grp in self.groups.items():
            for sid in sites:
                if grp.shared == "site":
                    pool = [sid]
                elif grp.shared == "trust":
                    pool = [s for s in sites if geography.trust[s] == geography.trust[sid]]
                else:
                    pool = sites
                others = sorted(
                    (s for s in pool if s != sid), key=lambda s: (geography.km(sid, s), s)
                )
                self._cover[(g, sid)] = [sid, *others]
        self._sessions_on = sessions_on
        self._planned_day = -1
        self._outcome: dict[tuple, tuple[bool, float]] = {}
        self.group_tally = dict(
            zip(self.groups, ledger.tallies(StaffGroupTally, keys=list(self.groups)), strict=True)
        )
        self._site_tally = dict(zip(ledger.sites, ledger.tallies(StaffTally), strict=True))

    def plan_day(self, day: int, sessions: list) -> None:
        """Decide today's absences and staff ``sessions`` ((theatre, slot) pairs, in order)."""
        weekday = int(self.calendar.weekday[day])
        free: dict[tuple[str, str], int] = {}
        for g, grp in self.groups.items():
            absent = self._absent[g]
            for sid, n in grp.members.items():
                present = sum(1 for _ in range(n) if absent() >= grp.sickness_absence)
                if weekday in self._days[g]:
                    free[(g, sid)] = present * grp.sessions_per_day
                    self.group_tally[g].slots_available += present * grp.sessions_per_day
        self._outcome = {}
        for theatre, slot in sessions:
            key = (day, theatre.site, theatre.name, slot.start)
            self._outcome[key] = self._staff(theatre.site, slot, free)

    def _staff(self, site: str, slot, free: dict[tuple[str, str], int]) -> tuple[bool, float]:
        per_member = 2 if slot.length > HALF_DAY else 1
        taken: list[tuple[tuple[str, str], int]] = []
        late = 0.0
        for g, n in self.needs.get(slot.specialty, {}).items():
            want = n
            for sid in self._cover[(g, site)]:
                if want == 0:
                    break
                members = min(want, free.get((g, sid), 0) // per_member)
                if members:
                    taken.append(((g, sid), members * per_member))
                    free[(g, sid)] -= members * per_member
                    want -= members
                    if sid != site:
                        late = max(late, self.groups[g].travel)
            if want:
                for k, slots in taken:  # give back a partial team
                    free[k] += slots
                return False, 0.0
        for (g, _sid), slots in taken:
            self.group_tally[g].slots_used += slots
        return True, late

    def outcome(self, day: int, site: str, theatre: str, start: float) -> tuple[bool, float]:
        """(staffed?, extra late start for cover travelling in) of one session.

        The day is planned, all its sessions at once, the first time one of them asks.
        """
        while self._planned_day < day:
            self._planned_day += 1
            self.plan_day(self._planned_day, self._sessions_on(self._planned_day))
        return self._outcome.get((day, site, theatre, start), (True, 0.0))

    def session_lost(self, site: str) -> None:
        self._site_tally[site].sessions_lost_no_staff += 1
