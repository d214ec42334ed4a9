"""Shared staff: staff groups, their rosters and what each theatre session needs (scenario data)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from .base import Spec
from .errors import unknown
from .types import MAX_STAFF, MAX_TEAM, Count, Ident, Probability, Weekday
from .units import NonNegativeDuration

if TYPE_CHECKING:
    from .errors import Problem
    from .schema import Scenario


# -- shared staff -----------------------------------------------------------------------------
class StaffGroup(Spec):
    """A staff group (surgeons of a specialty, anaesthetists, theatre teams, ...).

    ``members`` says how many are based at each site. Each member works the rostered
    ``days``, covers up to ``sessions_per_day`` half-day sessions (an all-day list takes
    two), and is off sick on a given day with probability ``sickness_absence``. A pool
    shared across a trust or the whole collaborative (staff passporting) can cover a
    session at another site; the cover arrives ``travel`` late.
    """

    members: dict[Ident, Annotated[Count, Field(ge=0, le=MAX_STAFF)]] = Field(min_length=1)
    days: list[Weekday] = Field(default_factory=lambda: ["Mon", "Tue", "Wed", "Thu", "Fri"])
    sessions_per_day: Count = Field(default=2, ge=1, le=4)
    sickness_absence: Probability = 0.0
    shared: Literal["site", "trust", "collaborative"] = "site"
    travel: NonNegativeDuration = 0.0


class Staff(Spec):
    """Staff groups and what each theatre session needs to run."""

    groups: dict[Ident, StaffGroup] = Field(min_length=1)
    needs: dict[Ident, dict[Ident, Annotated[Count, Field(ge=0, le=MAX_TEAM)]]] = Field(
        min_length=1
    )
    """``default`` or a specialty -> {group: members per session}; a specialty's needs add
    to (and override) the default."""


def reference_problems(sc: Scenario) -> list[Problem]:
    """Staff groups are based at real sites; needs name real specialties and groups."""
    out: list[Problem] = []
    if sc.staff is None:
        return out
    sites = list(sc.sites)
    specialties = sorted({p.specialty for p in sc.procedures.values()})
    groups = list(sc.staff.groups)
    for gname, group in sc.staff.groups.items():
        for sid in group.members:
            if sid not in sc.sites:
                out.append(
                    (("staff", "groups", gname, "members", sid), unknown("site", sid, sites))
                )
    for key, needs in sc.staff.needs.items():
        if key != "default" and key not in specialties:
            out.append(
                (("staff", "needs", key), unknown("specialty", key, ["default", *specialties]))
            )
        for gname in needs:
            if gname not in sc.staff.groups:
                out.append((("staff", "needs", key, gname), unknown("staff group", gname, groups)))
    return out
