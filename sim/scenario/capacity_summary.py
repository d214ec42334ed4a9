"""What a scenario has to work with: beds by type, theatre sessions and hours a week, staff,
critical care nurses.

A comparison is like for like only when the scenarios have the same capacity; otherwise
part of any difference comes from the extra beds or lists, not from how they are run.
:func:`capacity_summary` reads the capacity from a validated :class:`Scenario` (no run
needed) and :func:`capacity_differences` says in words how two scenarios differ.

Figures are as planned on the scenario's first day: bed counts before any dated change,
theatre lists every week they run (a list every other week counts half) before bank
holidays, weeks closed for leave and opening dates. A session is four hours of theatre
time (an all-day list is two sessions: NHS Improvement, Operating theatres, 2019).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .types import WEEKDAYS

if TYPE_CHECKING:
    from .schema import Scenario

#: Hours of theatre time in one session (an all-day list is two sessions).
SESSION_HOURS = 4.0


@dataclass(frozen=True)
class Capacity:
    """The capacity of one scenario (or one site of it)."""

    general_beds: int = 0
    elective_beds: int = 0
    unit_beds: dict[str, int | None] = field(default_factory=dict)
    """Beds of other types by bed type (critical care, stroke, ...); None: unlimited."""
    lists_per_week: float = 0.0
    theatre_hours_per_week: float = 0.0
    hours_by_specialty: dict[str, float] = field(default_factory=dict)
    theatre_days: tuple[str, ...] = ()
    """Weekdays on which some theatre list runs."""
    staff: dict[str, int] = field(default_factory=dict)
    """Members of each staff group (none: sessions are always staffed)."""
    cc_nurses: int | None = None
    """Critical care bedside nurses rostered a shift (the most on any shift of the day,
    summed over units with ``nursing``); None: no unit has a nurse limit."""

    @property
    def ward_beds(self) -> int:
        return self.general_beds + self.elective_beds

    @property
    def sessions_per_week(self) -> float:
        """Four-hour sessions a week (theatre hours / 4)."""
        return self.theatre_hours_per_week / SESSION_HOURS

    def rows(self) -> list[tuple[str, str]]:
        """(what, figure) rows for a table, in a fixed order."""
        out = [
            ("ward beds", f"{self.ward_beds:,}"),
            ("  general (shared with emergencies)", f"{self.general_beds:,}"),
            ("  elective (ring-fenced)", f"{self.elective_beds:,}"),
        ]
        for kind, n in sorted(self.unit_beds.items()):
            out.append((f"{kind.replace('_', ' ')} beds", "unlimited" if n is None else f"{n:,}"))
        out += [
            ("theatre sessions a week (4 h)", _num(self.sessions_per_week)),
            ("theatre hours a week", _num(self.theatre_hours_per_week)),
            ("theatre lists a week", _num(self.lists_per_week)),
            ("days a week with lists", str(len(self.theatre_days))),
        ]
        for spec, hours in sorted(self.hours_by_specialty.items()):
            out.append((f"  hours of {spec.replace('_', ' ')}", _num(hours)))
        for group, n in sorted(self.staff.items()):
            out.append((f"staff: {group.replace('_', ' ')}", f"{n:,}"))
        if self.cc_nurses is not None:
            out.append(("critical care nurses a shift", f"{self.cc_nurses:,}"))
        return out


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-9 else f"{x:,.1f}"


def capacity_summary(sc: Scenario, site: str | None = None) -> Capacity:
    """The capacity of the whole scenario, or of one ``site``, as planned on its first day."""
    sites = {site: sc.sites[site]} if site is not None else sc.sites
    general = elective = 0
    units: dict[str, int | None] = {}
    lists = hours = 0.0
    by_spec: dict[str, float] = {}
    days: set[str] = set()
    nurses: int | None = None
    for s in sites.values():
        if s.critical_care is not None and s.critical_care.nursing is not None:
            nurses = (nurses or 0) + s.critical_care.nursing.most
        if s.beds is not None:
            general += s.beds.general
            elective += s.beds.elective
        for name, unit in [("critical_care", s.critical_care), *s.units.items()]:
            if unit is None:
                continue
            kind = f"{name} (out of area)" if unit.out_of_area else name
            n = None if unit.beds == "unlimited" else int(unit.beds)
            have = units.get(kind, 0)
            units[kind] = None if n is None or (kind in units and have is None) else have + n
        for theatre in s.theatres.values():
            for plan in theatre.sessions:
                share = len(set(plan.weeks)) / plan.cycle_weeks * theatre.count
                n = len(plan.days) * share
                h = n * plan.session_length * 24
                lists += n
                hours += h
                by_spec[plan.specialty] = by_spec.get(plan.specialty, 0.0) + h
                days.update(plan.days)
    staff: dict[str, int] = {}
    if sc.staff is not None:
        for gname, group in sc.staff.groups.items():
            members = {k: v for k, v in group.members.items() if site is None or k == site}
            staff[gname] = sum(members.values())
    return Capacity(
        general_beds=general,
        elective_beds=elective,
        unit_beds=units,
        lists_per_week=lists,
        theatre_hours_per_week=hours,
        hours_by_specialty=by_spec,
        theatre_days=tuple(d for d in WEEKDAYS if d in days),
        staff=staff,
        cc_nurses=nurses,
    )


def _more(n: float, what: str) -> str:
    word = "more" if n > 0 else "fewer"
    return f"{_num(abs(n))} {word} {what}"


def capacity_differences(base: Capacity, other: Capacity) -> list[str]:
    """How ``other``'s capacity differs from ``base``'s, one phrase each (empty: the same)."""
    out = []
    beds = other.ward_beds - base.ward_beds
    g = other.general_beds - base.general_beds
    e = other.elective_beds - base.elective_beds
    if beds and e and e != beds:
        out.append(f"{_more(beds, 'ward beds')} ({_more(e, 'ring-fenced')})")
    elif beds and e:
        out.append(_more(beds, "ward beds, all ring-fenced"))
    elif beds:
        out.append(_more(beds, "ward beds"))
    elif g:
        out.append(f"{_more(e, 'ring-fenced ward beds')} (the same ward beds in all)")
    for kind in sorted(set(base.unit_beds) | set(other.unit_beds)):
        a, b = base.unit_beds.get(kind, 0), other.unit_beds.get(kind, 0)
        if a != b:
            label = f"{kind.replace('_', ' ')} beds"
            if a is None or b is None:
                out.append(f"{label} {'unlimited' if b is None else b} against "
                           f"{'unlimited' if a is None else a}")  # fmt: skip
            else:
                out.append(_more(b - a, label))
    sessions = other.sessions_per_week - base.sessions_per_week
    if abs(sessions) > 1e-9:
        out.append(_more(sessions, "theatre sessions a week"))
    if len(other.theatre_days) != len(base.theatre_days):
        out.append(f"lists on {len(other.theatre_days)} days a week, not "
                   f"{len(base.theatre_days)}")  # fmt: skip
    for group in sorted(set(base.staff) | set(other.staff)):
        d = other.staff.get(group, 0) - base.staff.get(group, 0)
        if d:
            out.append(_more(d, f"staff in {group.replace('_', ' ')}"))
    a, b = base.cc_nurses, other.cc_nurses
    if a != b:
        if a is None or b is None:
            out.append(f"critical care nurses a shift {'no limit' if b is None else b} against "
                       f"{'no limit' if a is None else a}")  # fmt: skip
        else:
            out.append(_more(b - a, "critical care nurses a shift"))
    return out


def like_for_like(base_name: str, base: Capacity, name: str, other: Capacity) -> str:
    """One sentence: whether ``name`` has the same capacity as ``base_name``, and if not, how
    it differs ("Compared with 'A', 'B' has 60 more ward beds, all ring-fenced; 10 more
    theatre sessions a week: differences are not like for like ...")."""
    diffs = capacity_differences(base, other)
    if not diffs:
        return (
            f"'{name}' has the same beds, theatre sessions and staff as '{base_name}': "
            "the comparison is like for like."
        )
    return (
        f"Compared with '{base_name}', '{name}' has {'; '.join(diffs)}: differences are not "
        "like for like (part of any difference comes from the capacity itself)."
    )
