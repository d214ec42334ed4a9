"""Equity: deprivation quintiles of referrals and re-scoring of long waiters (scenario data).

Index of Multiple Deprivation quintile: 1 = most deprived, 5 = least. The booking orders
that use quintiles are part of ``policies.booking`` (see :mod:`sim.scenario.elective`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BeforeValidator

from .base import Spec
from .errors import unknown
from .types import Priority, check_shares
from .units import PositiveDuration

if TYPE_CHECKING:
    from .errors import Problem
    from .schema import Scenario

#: Index of Multiple Deprivation quintile: 1 = most deprived, 5 = least.
Quintile = Literal[1, 2, 3, 4, 5]


def _number_keys(value: object) -> object:
    """Quintile keys written as text (``"1"``, as JSON writes them) are numbers."""
    if isinstance(value, dict):
        return {
            int(k) if isinstance(k, str) and k.strip().isdigit() else k: v for k, v in value.items()
        }
    return value


#: A mapping keyed by quintile (``{1: ..., 5: ...}``).
ByQuintile = BeforeValidator(_number_keys)


def check_quintile_mix(mix: dict[int, float] | None) -> dict[int, float] | None:
    """Shares of referrals by deprivation quintile must add up to 1."""
    return check_shares(mix, "quintile mix", "quintiles 1-5")


# -- equity -----------------------------------------------------------------------------------
class Escalation(Spec):
    """Re-score waiting patients: after waiting ``after``, priority becomes ``to`` (if more
    urgent), for everyone or only the named deprivation quintiles."""

    after: PositiveDuration
    to: Priority
    quintiles: list[Quintile] | None = None


def reference_problems(sc: Scenario) -> list[Problem]:
    """Quintile mixes name real sites; rules that use quintiles have quintiles to use."""
    out: list[Problem] = []
    for sid in sc.demand.quintile_mix_by_site:
        if sid not in sc.sites:
            out.append(
                (("demand", "quintile_mix_by_site", sid), unknown("site", sid, list(sc.sites)))
            )
    uses_quintiles = sc.policies.booking.order in (
        "deprivation_weighted",
        "quintile1_long_waiters_first",
    )
    uses_quintiles |= any(e.quintiles for e in sc.policies.escalation)
    if uses_quintiles and not records_quintiles(sc):
        out.append(
            (
                ("policies", "booking", "order"),
                "this booking rule uses patients' deprivation quintile, but the scenario gives "
                "no quintile mix (demand.quintile_mix)",
            )
        )
    return out


def records_quintiles(sc: Scenario) -> bool:
    """Whether any referral is given a deprivation quintile."""
    d = sc.demand
    lines = (line for by in d.referrals.values() for line in by.values())
    return (
        d.quintile_mix is not None
        or bool(d.quintile_mix_by_site)
        or any(line.quintile_mix is not None for line in lines)
    )
