"""Critical care: units, their admission streams, post-operative beds and the network policy
(scenario data)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from .arrivals import ArrivalPattern
from .base import Spec
from .distributions import TimeDist
from .errors import unknown
from .types import (
    MAX_BEDS,
    Count,
    Ident,
    Probability,
)
from .units import NonNegativeDuration

if TYPE_CHECKING:
    from .errors import Problem
    from .schema import Scenario


#: Most retrieval teams a network may have (a typo guard).
MAX_RETRIEVAL_TEAMS = 1_000


class CriticalCareStream(ArrivalPattern):
    """Unplanned critical care admissions arriving directly (from the emergency department,
    wards or theatres): a rate with its own weekday and monthly shape, or gaps drawn from a
    distribution, or set times (see :mod:`.arrivals`)."""

    per_day: float | None = Field(default=None, gt=0, le=10_000)


class CriticalCareUnit(Spec):
    """A critical care unit (level 2/3 beds) at a site."""

    beds: Count = Field(ge=1, le=MAX_BEDS)
    elective_reserved: Count = Field(default=0, ge=0, le=MAX_BEDS)
    """Beds kept for planned post-operative patients: unplanned patients never use them."""
    turnaround: NonNegativeDuration = 0.0
    """A bed is out of use this long after each discharge (cleaning)."""
    length_of_stay: TimeDist
    """Stay of unplanned patients."""
    admissions: CriticalCareStream | None = None
    from_emergency_probability: Probability = 0.0
    """Share of the site's emergency admissions who need critical care on arrival."""
    deterioration_probability: Probability = 0.0
    """Share of emergency ward patients who deteriorate during their stay and need critical care."""

    @model_validator(mode="after")
    def _reserve_fits(self) -> CriticalCareUnit:
        if self.elective_reserved >= self.beds:
            raise ValueError(
                f"elective_reserved ({self.elective_reserved}) must be smaller than beds "
                f"({self.beds}): unplanned patients need at least one bed"
            )
        return self


class PostOpCriticalCare(Spec):
    """A planned critical care bed after the operation."""

    probability: Probability = 1.0
    """Share of patients having this procedure who need it."""
    length_of_stay: TimeDist


class CriticalCarePolicy(Spec):
    """What happens to an unplanned critical care patient when their own unit is full."""

    when_full: Literal["queue", "transfer", "refuse"] = "queue"
    """Wait at their site for a bed, be transferred to a unit with a free bed, or be refused
    (lost to the network)."""
    transfer_to: Literal["nearest", "hub"] = "nearest"
    """Nearest unit with a free bed by travel distance, or the hub first (then nearest)."""
    hub: Ident | None = None
    pooled: bool = False
    """All units act as one pool: instant transfer to any free bed (the fully pooled limit)."""
    transfer_time: TimeDist = Field(default="0 min", validate_default=True)
    retrieval_teams: Count | None = Field(default=None, ge=1, le=MAX_RETRIEVAL_TEAMS)
    """Transfer teams shared by the network (none given = no limit)."""
    if_none_free: Literal["refuse", "queue"] = "refuse"
    """With transfers and no free bed anywhere: refuse, or wait at the patient's own unit."""
    repatriate: bool = True
    """Bring a transferred patient back when a bed frees at their own unit."""

    @model_validator(mode="after")
    def _hub_named(self) -> CriticalCarePolicy:
        if self.transfer_to == "hub" and self.hub is None:
            raise ValueError("transfer_to: hub needs the hub's site in `hub`")
        return self


def reference_problems(sc: Scenario) -> list[Problem]:
    """The hub is a unit; transfers to the nearest unit need locations; admissions from
    the emergency department or wards need emergency admissions."""
    out: list[Problem] = []
    units = [sid for sid, s in sc.sites.items() if s.critical_care is not None]
    pol = sc.policies.critical_care
    base = ("policies", "critical_care")
    if pol.hub is not None and pol.hub not in units:
        known = list(sc.sites) if pol.hub not in sc.sites else units
        what = "site" if pol.hub not in sc.sites else "site with a critical care unit"
        out.append(((*base, "hub"), unknown(what, pol.hub, known)))
    if pol.when_full == "transfer" and not pol.pooled and pol.transfer_to == "nearest":
        for sid in units:
            if sc.sites[sid].location is None:
                out.append(
                    (
                        ("sites", sid, "location"),
                        "transfers to the nearest unit need every unit's site location",
                    )
                )
    for sid, site in sc.sites.items():
        cc = site.critical_care
        if cc is None:
            continue
        needs_ward = cc.from_emergency_probability > 0 or cc.deterioration_probability > 0
        if needs_ward and site.emergency is None:
            out.append(
                (
                    ("sites", sid, "critical_care"),
                    "from_emergency_probability and deterioration_probability need emergency "
                    "admissions at this site (add `emergency`)",
                )
            )
    return out
