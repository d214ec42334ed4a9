"""Units of beds of any type (critical care, acute stroke, rehabilitation, children's mental
health ...) and the networks that share them (scenario data).

A site may have a unit of each bed type (``sites.<site>.units.<bed type>``; critical care
is written ``sites.<site>.critical_care``). A unit has a number of beds or none
(``beds: unlimited``: nobody waits, and the chance of delay at a given number of beds is
read from its daily census, as published bed-pooling studies do). Its patients come from
named admission streams, each with its own stay, or from planned admissions booked straight
into the unit; a patient type may follow a **pathway** from one bed type to the next
(acute stroke unit -> rehabilitation -> home), the next destination drawn on arrival and
the stay possibly depending on it. The units of one bed type form a network whose policy
(``policies.networks.<bed type>``, or ``policies.critical_care``) says what happens when a
patient's own unit is full.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from .arrivals import ArrivalPattern
from .base import Spec
from .distributions import TimeDist
from .errors import did_you_mean, unknown
from .types import MAX_BEDS, Count, Ident, Probability
from .units import Duration, NonNegativeDuration

if TYPE_CHECKING:
    from .errors import Problem
    from .schema import Scenario

#: The bed type of ``sites.<site>.critical_care``.
CRITICAL_CARE = "critical_care"

#: Where a pathway ends when it names no next bed type.
HOME = "home"

#: ``beds: unlimited``: a unit with no bed limit.
UNLIMITED = "unlimited"

#: Most bed numbers a probability of delay may be asked at, per bed type (a typo guard).
MAX_DELAY_POINTS = 200

#: Most retrieval teams a network may have (a typo guard).
MAX_RETRIEVAL_TEAMS = 1_000


class AdmissionSource(ArrivalPattern):
    """One named stream of unplanned admissions into a unit (the emergency department,
    wards, emergency surgery, other hospitals ...): a rate, gaps drawn from a distribution,
    or set times (see :mod:`.arrivals`), each stream with its own stay.

    Example: ``a_and_e: {interarrival: {dist: exponential, mean: 22.72 hours},
    length_of_stay: {dist: lognormal, mean: 128.79 hours, sd: 267.51 hours}}``.
    """

    per_day: float | None = Field(default=None, gt=0, le=10_000)
    """Admissions a day (a Poisson stream), e.g. ``1.5``."""
    length_of_stay: TimeDist | None = None
    """Stay of these patients, e.g. ``{dist: lognormal, mean: 4 days, sd: 5 days}``. If not
    given: the stay of their ``patient_type``'s pathway at the unit, else the unit's
    ``length_of_stay``."""
    patient_type: Ident | None = None
    """The patients' type, e.g. ``stroke``: chooses their pathway at the unit (stay and
    next destination) and follows them to the next bed type."""
    home: Ident | None = None
    """The site these patients live nearest to, for the distance from home (default: the
    unit's own site), e.g. ``croydon``."""
    level_3_share: Probability | None = None
    """Critical care: share of these patients at level 3 (one nurse each; the rest level 2,
    one nurse per two), e.g. ``0.6``; default: the unit's. Used where units have
    ``nursing``."""


class PlannedSource(ArrivalPattern):
    """Planned admissions booked straight into a unit, not from a theatre list (e.g.
    elective surgery whose post-operative bed is booked with the unit). A patient who
    arrives when no bed is free (a bed being cleaned is not free) is cancelled and not
    rebooked.

    Example: ``elective_surgery: {interarrival: {dist: normal, mean: 17.91 hours,
    sd: 3.16 hours}, length_of_stay: {dist: exponential, mean: 57.34 hours}}``.
    """

    per_day: float | None = Field(default=None, gt=0, le=10_000)
    """Planned admissions a day (a Poisson stream), e.g. ``1.3``."""
    length_of_stay: TimeDist
    """Stay in the unit, e.g. ``{dist: exponential, mean: 57.34 hours}``."""
    level_3_share: Probability | None = None
    """Critical care: share of these patients at level 3 (one nurse each; the rest level 2,
    one nurse per two), e.g. ``0.6``; default: the unit's. Used where units have
    ``nursing``."""


class Branch(Spec):
    """One next destination of a pathway, with its weight and (optionally) its own stay."""

    p: float = Field(gt=0, le=1_000)
    """Relative weight of this destination, e.g. ``0.24`` (weights are divided by their
    sum, so published figures that add up to 1.01 can be copied as they are)."""
    length_of_stay: TimeDist | None = None
    """Stay in this unit of the patients going on to this destination, e.g.
    ``{dist: lognormal, mean: 7.4 days, sd: 8.61 days}``."""


def _branch(value: Any) -> Any:
    """``rehabilitation: 0.24`` is shorthand for ``rehabilitation: {p: 0.24}``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"p": value}
    if not isinstance(value, dict):
        raise ValueError(
            f"give a destination a weight (e.g. 0.24) or {{p: 0.24, length_of_stay: ...}}, "
            f"not {value!r}"
        )
    return value


#: A destination's weight, or its weight and own stay.
Weight = Annotated[float, Field(gt=0, le=1_000)]
BranchOrWeight = Annotated[Branch, BeforeValidator(_branch, json_schema_input_type=Branch | Weight)]


class Pathway(Spec):
    """What happens to one patient type in a unit: how long they stay, and where they go
    next (another bed type, or a named discharge destination such as ``home`` or ``esd``).

    Example: ``{length_of_stay: {dist: lognormal, mean: 1.8 days, sd: 2.3 days},
    next: {rehabilitation: 0.01, esd: 0.01, other: 0.98}}``; or, with the stay depending on
    where the patient goes: ``{next: {rehabilitation: {p: 0.24, length_of_stay: ...},
    other: {p: 0.76, length_of_stay: ...}}}``.
    """

    length_of_stay: TimeDist | None = None
    """Stay of this patient type in the unit (a destination may give its own instead)."""
    next: dict[Ident, BranchOrWeight] = Field(
        default_factory=lambda: {HOME: Branch(p=1.0)}, min_length=1
    )
    """Next destinations drawn on arrival, with relative weights: a bed type (the patient
    moves there when their stay ends) or a discharge destination. Default: ``home``."""


def _beds(value: Any) -> Any:
    if isinstance(value, str) and value != UNLIMITED:
        hint = "; did you mean 'unlimited'?" if did_you_mean(value, [UNLIMITED]) else ""
        raise ValueError(f"beds is a whole number or `unlimited`, got {value!r}{hint}")
    return value


#: A number of beds, or ``unlimited``.
UnitBeds = Annotated[
    Annotated[Count, Field(ge=1, le=MAX_BEDS)] | Literal["unlimited"],
    BeforeValidator(_beds),
]


class Unit(Spec):
    """A unit of beds of one type at a site (a critical care unit, an acute stroke unit, a
    rehabilitation ward, a children's mental health unit ...)."""

    beds: UnitBeds
    """Beds in the unit, e.g. ``12``; or ``unlimited``: no patient ever waits, and the chance
    of delay at a given number of beds is read from the unit's daily census (see
    ``census``)."""
    elective_reserved: Count = Field(default=0, ge=0, le=MAX_BEDS)
    """Beds kept for planned patients: unplanned patients never use them, e.g. ``2``."""
    turnaround: NonNegativeDuration = 0.0
    """A bed is out of use this long after each discharge (cleaning), e.g. ``5 hours``."""
    length_of_stay: TimeDist | None = None
    """Stay of unplanned patients whose stream or pathway gives none, e.g.
    ``{dist: lognormal, mean: 4.1 days, sd: 4.5 days}``."""
    admissions: dict[Ident, AdmissionSource] = Field(default_factory=dict)
    """Named streams of unplanned admissions, each with its own arrivals and stay, e.g.
    ``{a_and_e: {...}, ward: {...}}``; KPIs are reported per stream."""
    planned_admissions: dict[Ident, PlannedSource] = Field(default_factory=dict)
    """Named streams of planned admissions booked straight into the unit."""
    pathways: dict[Ident, Pathway] = Field(default_factory=dict)
    """What happens to each patient type here (stay and next destination), by type, e.g.
    ``{stroke: {...}, tia: {...}}``."""
    out_of_area: bool = False
    """A unit outside the collaborative (e.g. an independent-sector placement far from
    home), used only when the collaborative's own units are full."""

    @property
    def sources(self) -> dict[str, AdmissionSource]:
        """The named streams of unplanned admissions."""
        return self.admissions

    @property
    def limited(self) -> bool:
        """The unit has a bed limit (not ``beds: unlimited``)."""
        return self.beds != UNLIMITED

    @property
    def bed_count(self) -> int:
        """Beds, or 0 for a unit without a limit."""
        return self.beds if isinstance(self.beds, int) else 0

    @model_validator(mode="after")
    def _names_differ(self) -> Unit:
        both = sorted(set(self.sources) & set(self.planned_admissions))
        if both:
            raise ValueError(
                f"{', '.join(both)} names both an unplanned and a planned admission stream: "
                "give each stream of a unit its own name"
            )
        return self

    @model_validator(mode="after")
    def _reserve_fits(self) -> Unit:
        if not self.limited:
            if self.elective_reserved:
                raise ValueError(
                    "elective_reserved needs a bed limit: a unit with beds: unlimited always "
                    "has a bed"
                )
        elif self.elective_reserved >= self.bed_count:
            raise ValueError(
                f"elective_reserved ({self.elective_reserved}) must be smaller than beds "
                f"({self.beds}): unplanned patients need at least one bed"
            )
        return self


class Repatriation(Spec):
    """How a patient moved to another unit for want of a bed is brought back to their own
    unit when a bed frees there."""

    team: bool = False
    """The move needs one of the network's retrieval teams and takes ``transfer_time``
    (``false``: instant, no team)."""
    priority: Literal["after_planned", "before_planned"] = "after_planned"
    """``after_planned``: a returning patient takes only a bed that unplanned patients may
    use (beds kept for planned patients stay free); ``before_planned``: any free bed,
    including those kept for planned patients."""


def _repatriation(value: Any) -> Any:
    """``repatriate: true`` is the default repatriation, ``false`` none."""
    if value is True:
        return {}
    if value is False:
        return None
    if not isinstance(value, dict | Repatriation | None):
        raise ValueError(
            "repatriate is true, false, or e.g. {team: true, priority: before_planned}; "
            f"got {value!r}"
        )
    return value


#: ``true``, ``false`` or a :class:`Repatriation`.
RepatriationOrBool = Annotated[
    Repatriation | None, BeforeValidator(_repatriation, json_schema_input_type=Repatriation | bool)
]


class NetworkPolicy(Spec):
    """What happens to an unplanned patient when their own unit is full, for the units of
    one bed type."""

    when_full: Literal["queue", "transfer", "refuse"] = "queue"
    """Wait at their own unit for a bed, be transferred to a unit with a free bed, or be
    refused (lost to the network). With ``pooled: true`` this applies to the whole pool."""
    transfer_to: Literal["nearest", "hub", "out_of_area"] = "nearest"
    """Nearest unit with a free bed by road, the hub first (then nearest), or only units
    outside the collaborative (``out_of_area: true``). Out-of-area units come last."""
    hub: Ident | None = None
    """The hub's site, for ``transfer_to: hub``, e.g. ``royal_london``."""
    pooled: bool = False
    """All the units act as one pool of beds (and one reserve for planned patients): a
    patient takes any free bed at once, nobody is repatriated, and ``when_full`` applies
    when the whole pool is full (``transfer`` then means ``if_none_free``)."""
    transfer_time: TimeDist = Field(default="0 min", validate_default=True)
    """Time from the transfer decision to arrival, e.g. ``{dist: lognormal, mean: 2 hours,
    sd: 1 hour}``."""
    retrieval_teams: Count | None = Field(default=None, ge=1, le=MAX_RETRIEVAL_TEAMS)
    """Transfer teams shared by the network, e.g. ``2`` (none given = no limit)."""
    if_none_free: Literal["refuse", "queue"] = "refuse"
    """With transfers and no free bed anywhere: refuse, or wait at the patient's own unit."""
    repatriate: RepatriationOrBool = Field(default_factory=Repatriation)
    """Bring a transferred patient back when a bed frees at their own unit: ``true`` (the
    default: at once, into a bed unplanned patients may use), ``false``, or e.g.
    ``{team: true, priority: before_planned}``. Pooled units never repatriate."""

    @model_validator(mode="after")
    def _coherent(self) -> NetworkPolicy:
        if self.transfer_to == "hub" and self.hub is None:
            raise ValueError("transfer_to: hub needs the hub's site in `hub`")
        if self.pooled:
            clash = [
                name
                for name, given in (
                    ("transfer_to", self.transfer_to != "nearest"),
                    ("hub", self.hub is not None),
                    ("transfer_time", self.transfer_time.mean > 0),
                    ("retrieval_teams", self.retrieval_teams is not None),
                    ("repatriate", self.repatriate not in (None, Repatriation())),
                )
                if given
            ]
            if clash:
                raise ValueError(
                    f"pooled: true makes the units one pool with instant moves and no "
                    f"repatriation, so {', '.join(clash)} cannot apply: remove "
                    f"{'it' if len(clash) == 1 else 'them'}, or set pooled: false"
                )
        return self

    @property
    def repatriation(self) -> Repatriation | None:
        """The repatriation policy in force (None: nobody is brought back)."""
        return None if self.pooled else self.repatriate


class CensusPool(Spec):
    """Several bed types counted as one pool at each census (what-if pooling)."""

    bed_types: list[Ident] = Field(min_length=2)
    """The bed types pooled, e.g. ``[acute_stroke, rehabilitation]``."""
    probability_of_delay: list[Annotated[Count, Field(ge=1, le=100_000)]] = Field(
        min_length=1, max_length=MAX_DELAY_POINTS
    )
    """Pool sizes at which to report the probability of delay, e.g. ``[22, 26]``."""


class Census(Spec):
    """A daily count of the patients in each unit (a bed census), and the probability of
    delay read from it: for a unit without a bed limit, the chance that a patient would
    find all of ``n`` beds full is P(N = n) / P(N <= n), N the census (the Erlang loss
    formula, exact for any length of stay)."""

    time_of_day: Duration = 0.0
    """When the census is taken, e.g. ``0 hours`` (midnight)."""
    probability_of_delay: dict[
        Ident, Annotated[list[Annotated[Count, Field(ge=1, le=100_000)]], Field(min_length=1)]
    ] = Field(default_factory=dict)
    """Bed numbers at which to report the probability of delay, by bed type, e.g.
    ``{acute_stroke: [9, 10, 11, 12]}``: for each unit of the type and for all its units
    together."""
    pools: dict[Ident, CensusPool] = Field(default_factory=dict)
    """Bed types counted together, as if pooled, e.g. ``{stroke_pooled: {bed_types:
    [acute_stroke, rehabilitation], probability_of_delay: [22, 26]}}``."""

    @field_validator("time_of_day")
    @classmethod
    def _in_a_day(cls, t: float) -> float:
        if not 0 <= t < 1:
            raise ValueError("the census time must be a time of day, from 0 min to 24 hours")
        return t

    @field_validator("probability_of_delay")
    @classmethod
    def _not_too_many(cls, v: dict[str, list[int]]) -> dict[str, list[int]]:
        for bt, beds in v.items():
            if len(beds) > MAX_DELAY_POINTS:
                raise ValueError(
                    f"at most {MAX_DELAY_POINTS} bed numbers per bed type ({bt} has {len(beds)})"
                )
        return {bt: sorted(set(beds)) for bt, beds in v.items()}


# -- what the rest of the format needs to know ---------------------------------------------------
def units_of(sc: Scenario) -> dict[str, dict[str, Unit]]:
    """Every unit by bed type, then site (critical care included), in site order."""
    out: dict[str, dict[str, Unit]] = {}
    for sid, site in sc.sites.items():
        if site.critical_care is not None:
            out.setdefault(CRITICAL_CARE, {})[sid] = site.critical_care
        for bt, unit in site.units.items():
            out.setdefault(bt, {})[sid] = unit
    return out


def network_policy(sc: Scenario, bed_type: str) -> NetworkPolicy:
    """The policy of a bed type's network (the default when none is given)."""
    if bed_type == CRITICAL_CARE:
        return sc.policies.critical_care
    return sc.policies.networks.get(bed_type) or NetworkPolicy()


def unit_path(bed_type: str, site: str) -> tuple[str, ...]:
    """Where a unit is written in a scenario file."""
    if bed_type == CRITICAL_CARE:
        return ("sites", site, CRITICAL_CARE)
    return ("sites", site, "units", bed_type)


def has_stay(unit: Unit, patient_type: str | None) -> bool:
    """Whether a patient of this type arriving at ``unit`` without a stay of their own gets
    one there (from their pathway, or the unit's)."""
    if unit.length_of_stay is not None:
        return True
    path = unit.pathways.get(patient_type) if patient_type is not None else None
    if path is None:
        return False
    return path.length_of_stay is not None or all(
        b.length_of_stay is not None for b in path.next.values()
    )


def _stay_problems(bt: str, sid: str, unit: Unit, arriving: set[str | None]) -> list[Problem]:
    """Every patient who can arrive at this unit has a stay from somewhere."""
    out: list[Problem] = []
    base = unit_path(bt, sid)
    for name, src in unit.sources.items():
        if src.length_of_stay is None and not has_stay(unit, src.patient_type):
            out.append(
                (
                    (*base, "admissions", name),
                    "these patients have no stay: give length_of_stay here, a pathway with "
                    "stays for their patient_type, or the unit's length_of_stay",
                )
            )
    for ptype in sorted(arriving, key=str):
        if not has_stay(unit, ptype):
            who = "patients without a type" if ptype is None else f"patients of type {ptype!r}"
            out.append(
                (
                    base,
                    f"{who} arrive here by their pathway but have no stay: give the unit's "
                    "length_of_stay"
                    + ("" if ptype is None else f", or a pathway for {ptype!r} with stays"),
                )
            )
    return out


def reference_problems(sc: Scenario) -> list[Problem]:
    """Bed types, pathway destinations, homes, census and policies refer to what exists; every
    patient has a stay."""
    out: list[Problem] = []
    units = units_of(sc)
    bed_types = list(units)
    sites = list(sc.sites)
    for sid, site in sc.sites.items():
        if CRITICAL_CARE in site.units:
            out.append(
                (
                    ("sites", sid, "units", CRITICAL_CARE),
                    "a critical care unit is written `critical_care:` under the site, not under "
                    "units",
                )
            )
    # Patient types that may arrive at each bed type by a pathway (at any of its units).
    arriving: dict[str, set[str | None]] = {}
    for bt, by_site in units.items():
        for sid, unit in by_site.items():
            base = unit_path(bt, sid)
            for name, src in unit.sources.items():
                if src.home is not None and src.home not in sc.sites:
                    out.append(
                        ((*base, "admissions", name, "home"), unknown("site", src.home, sites))
                    )
            for ptype, path in unit.pathways.items():
                for dest, branch in path.next.items():
                    if dest in units:
                        arriving.setdefault(dest, set()).add(ptype)
                        stay = branch.length_of_stay or path.length_of_stay or unit.length_of_stay
                        if stay is not None and stay.dist == "fixed" and stay.mean == 0:
                            out.append(
                                (
                                    (*base, "pathways", ptype, "next", dest),
                                    "a stay of 0 before moving on to another bed type could "
                                    "move a patient round a loop of units for ever: give "
                                    "these patients a stay here",
                                )
                            )
                        continue
                    close = did_you_mean(dest, bed_types, cutoff=0.8)
                    if close is not None:
                        out.append(
                            (
                                (*base, "pathways", ptype, "next", dest),
                                f"{dest!r} is not a bed type with a unit, so it would be read "
                                f"as a discharge destination; did you mean the bed type "
                                f"{close!r}?",
                            )
                        )
    for bt, by_site in units.items():
        for sid, unit in by_site.items():
            out.extend(_stay_problems(bt, sid, unit, arriving.get(bt, set())))
    for bt in sc.policies.networks:
        if bt not in units or bt == CRITICAL_CARE:
            known = [b for b in bed_types if b != CRITICAL_CARE]
            msg = (
                "the critical care policy is written policies.critical_care"
                if bt == CRITICAL_CARE
                else unknown("bed type", bt, known)
            )
            out.append((("policies", "networks", bt), msg))
    for bt, by_site in units.items():
        pol = network_policy(sc, bt)
        base = ("policies", CRITICAL_CARE) if bt == CRITICAL_CARE else ("policies", "networks", bt)
        if pol.hub is not None and pol.hub not in by_site:
            known = sites if pol.hub not in sc.sites else list(by_site)
            what = "site" if pol.hub not in sc.sites else f"site with a {bt} unit"
            out.append(((*base, "hub"), unknown(what, pol.hub, known)))
        if pol.when_full == "transfer" and not pol.pooled and pol.transfer_to != "hub":
            for sid in by_site:
                if sc.sites[sid].location is None:
                    out.append(
                        (
                            ("sites", sid, "location"),
                            f"transfers to the nearest {bt.replace('_', ' ')} unit need every "
                            "unit's site location",
                        )
                    )
        if pol.transfer_to == "out_of_area" and not any(u.out_of_area for u in by_site.values()):
            out.append(
                (
                    (*base, "transfer_to"),
                    f"transfer_to: out_of_area needs a {bt} unit with out_of_area: true",
                )
            )
    out.extend(_census_problems(sc, units))
    return out


def _census_problems(sc: Scenario, units: dict[str, dict[str, Unit]]) -> list[Problem]:
    out: list[Problem] = []
    census = sc.census
    if census is None:
        return out
    bed_types = list(units)
    unlimited = "the probability of delay is read from the census of units without a bed limit"
    for bt in census.probability_of_delay:
        where = ("census", "probability_of_delay", bt)
        if bt not in units:
            out.append((where, unknown("bed type", bt, bed_types)))
        elif any(u.limited for u in units[bt].values()):
            out.append((where, f"{unlimited}: give the {bt} units beds: unlimited"))
    for name, pool in census.pools.items():
        for i, bt in enumerate(pool.bed_types):
            where = ("census", "pools", name, "bed_types", i)
            if bt not in units:
                out.append((where, unknown("bed type", bt, bed_types)))
            elif any(u.limited for u in units[bt].values()):
                out.append((where, f"{unlimited}: {bt} units have a bed limit"))
    return out
