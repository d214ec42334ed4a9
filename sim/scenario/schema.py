"""What a scenario file may say: sites, theatres, beds, procedures, demand and policies.

This module is data only: frozen pydantic models that a planner's YAML is checked
against. It knows nothing of the simulation engine. Each feature's part of the format
lives in its own module (:mod:`.elective`, :mod:`.wards`, :mod:`.emergencies`,
:mod:`.critical_care`, :mod:`.mutual_aid`, :mod:`.staff`, :mod:`.equity`); this one puts
them together into a site and a whole :class:`Scenario`. Cross-references (a site's trust,
a demand line's procedure, a routing target) are checked once the whole scenario has
been read, and reported all together with the field each one concerns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from .assumptions import Assumption
from .base import Spec
from .calendar import Calendar
from .calibration import Calibration
from .checks import apply_overrides, check_scenario
from .critical_care import (
    CriticalCarePolicy,
    CriticalCareStream,
    CriticalCareUnit,
    PostOpCriticalCare,
)
from .display import scenario_html, scenario_repr
from .elective import (
    SLOT_DEFAULTS,
    Booking,
    Demand,
    DemandLine,
    InitialList,
    InitialListEntry,
    Procedure,
    RoutingRule,
    SessionPlan,
    Theatre,
    TheatreDay,
    rule_matches,
)
from .emergencies import Emergency
from .equity import Escalation
from .mutual_aid import MutualAid
from .networks import Census, NetworkPolicy, Unit
from .staff import Staff
from .types import PRIORITIES, WEEKDAYS, Ident
from .units import NonNegativeDuration, PositiveDuration
from .wards import Beds, DelayedDischarge, WaitForBed

__all__ = [
    "PRIORITIES",
    "SLOT_DEFAULTS",
    "WEEKDAYS",
    "Beds",
    "Booking",
    "Calendar",
    "Census",
    "CriticalCarePolicy",
    "CriticalCareStream",
    "CriticalCareUnit",
    "DelayedDischarge",
    "Demand",
    "DemandLine",
    "Emergency",
    "InitialList",
    "InitialListEntry",
    "Location",
    "NetworkPolicy",
    "Policies",
    "PostOpCriticalCare",
    "Procedure",
    "RoutingRule",
    "Scenario",
    "SessionPlan",
    "Site",
    "Theatre",
    "TheatreDay",
    "Trust",
    "Unit",
    "WaitForBed",
    "rule_matches",
]


class Location(Spec):
    """Where a site is, for travel distances (decimal degrees)."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Trust(Spec):
    """An NHS trust: the organisation sites belong to."""

    name: str


class Site(Spec):
    """A hospital site: its trust, location, theatres, beds and emergency demand."""

    name: str | None = None
    trust: Ident
    location: Location | None = None
    theatres: dict[Ident, Theatre] = Field(default_factory=dict)
    beds: Beds | None = None
    emergency: Emergency | None = None
    critical_care: CriticalCareUnit | None = None
    units: dict[Ident, Unit] = Field(default_factory=dict)
    """Units of other bed types at this site, by bed type, e.g. ``{acute_stroke: {beds: 12,
    ...}, rehabilitation: {beds: unlimited, ...}}`` (see :mod:`.networks`)."""

    def specialties(self) -> set[str]:
        return {plan.specialty for t in self.theatres.values() for plan in t.sessions}


class Policies(Spec):
    """How the collaborative runs: routing to hubs, ring-fencing, booking, cancellations."""

    routing: list[RoutingRule] = Field(default_factory=list)
    ring_fence_elective_beds: bool = True
    electives_use_general_beds: bool = True
    wait_for_bed: WaitForBed | None = None
    """Elective inpatients who find no bed on the day wait for one until a cut-off, e.g.
    ``{until: 12 hours, order: shortest_stay}``; none (default): cancelled at once."""
    booking: Booking = Field(default_factory=Booking)
    theatre_day: TheatreDay = Field(default_factory=TheatreDay)
    on_cancellation: Literal["return_to_list", "rebook_first", "leave"] = "return_to_list"
    """What a patient cancelled on the day does: rejoin the list in the usual order keeping
    their wait (``return_to_list``), go to the front of it after a hospital cancellation
    (``rebook_first``), or leave the list untreated, the slot lost (``leave``, whatever the
    cause, as models that count cancelled patients as lost do)."""
    mutual_aid: dict[Ident, MutualAid] = Field(default_factory=dict)
    """Named mutual-aid schemes moving long waiters to sites with shorter lists."""
    escalation: list[Escalation] = Field(default_factory=list)
    """Priority re-scoring of patients who have waited long."""
    critical_care: CriticalCarePolicy = Field(default_factory=CriticalCarePolicy)
    """What happens to unplanned critical care patients whose own unit is full."""
    networks: dict[Ident, NetworkPolicy] = Field(default_factory=dict)
    """The same for the units of other bed types, by bed type, e.g. ``{camhs: {when_full:
    transfer}}`` (default: wait at their own unit)."""


class Scenario(Spec):
    """A whole collaborative scenario: what exists, what arrives, and how it is run."""

    name: str
    description: str = ""
    start_date: dt.date = dt.date(2025, 4, 1)
    horizon: PositiveDuration
    """How long to simulate, warm-up included (at most 50 years)."""

    @field_validator("horizon")
    @classmethod
    def _not_forever(cls, days: float) -> float:
        if days > 50 * 365:
            raise ValueError("a horizon longer than 50 years is almost certainly a typo")
        return days

    warm_up: NonNegativeDuration = 0.0
    """Time simulated before any KPI is counted."""
    snapshot_interval: PositiveDuration = 7.0
    trusts: dict[Ident, Trust] = Field(min_length=1)
    sites: dict[Ident, Site] = Field(min_length=1)
    procedures: dict[Ident, Procedure] = Field(default_factory=dict)
    demand: Demand = Field(default_factory=Demand)
    initial_waiting_list: InitialList = Field(default_factory=InitialList)
    policies: Policies = Field(default_factory=Policies)
    staff: Staff | None = None
    """Staff groups that theatre sessions need (none = sessions always staffed)."""
    calendar: Calendar = Field(default_factory=Calendar)
    """Bank holidays, theatre weeks closed for leave and days of industrial action."""
    census: Census | None = None
    """A daily census of the units and the probability of delay read from it (units
    without a bed limit)."""
    assumptions: dict[str, Assumption] = Field(default_factory=dict)
    """Values the planner is unsure of, by dotted path (or a name with ``paths``), each with
    its plausible ``low`` and ``high`` and ``why``; ``hubsim sensitivity`` moves each to its
    ends in turn, e.g. ``{sites.cannock.beds.elective: {low: 20, high: 40, why: ...}}``."""
    calibration: Calibration = Field(default_factory=Calibration)
    """Against published figures (``hubsim calibrate``): the status quo this scenario
    changes, and why a KPI may fall outside a published range."""

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> Scenario:
        from .references import ScenarioReferenceError, reference_problems

        names_only = bool(info.context and info.context.get("names_only"))
        problems = reference_problems(self, names_only=names_only)
        if problems:
            raise ScenarioReferenceError(problems)
        return self

    # -- in a notebook ------------------------------------------------------------------
    def __repr__(self) -> str:
        return scenario_repr(self)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        """Jupyter's view: the sites with their trust, theatres, beds and demand."""
        return scenario_html(self)

    # -- changing a checked scenario ----------------------------------------------------
    def with_values(self, values: Mapping[str, Any]) -> Scenario:
        """A copy with fields changed by dotted path, checked as a file is.

        ``sc.with_values({"sites.cannock.beds.elective": 30, "horizon": "1 year"})``: the
        values are written as in YAML (``"6 days"`` or a number of days, a mapping for a
        section); a wrong one raises ``ScenarioError`` with the message a file would get.
        The scenario itself never changes.
        """
        data = self.model_dump(mode="json", by_alias=True)
        plain = {k: _as_data(v) for k, v in values.items()}
        return check_scenario(type(self), apply_overrides(data, plain))

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Any:
        """A copy; ``update`` (top-level fields, as the model holds them: durations in days)
        is checked as :meth:`with_values` checks its values."""
        if not update:
            return super().model_copy(deep=deep)
        unchecked = BaseModel.model_copy(self, update=dict(update))
        return check_scenario(type(self), unchecked.model_dump(mode="json", by_alias=True))

    # -- helpers the model build uses -------------------------------------------------
    def treating_sites(self, site: str, procedure: str) -> tuple[list[str], str]:
        """Sites that may treat a referral from ``site`` for ``procedure``, and how to choose."""
        proc = self.procedures[procedure]
        trust = self.sites[site].trust
        for rule in self.policies.routing:
            if rule_matches(rule, site, trust, procedure, proc):
                return list(rule.to), rule.choose
        return [site], "nearest"


def _as_data(value: Any) -> Any:
    """A value given to ``with_values`` as YAML would give it (a part of a scenario as data)."""
    if isinstance(value, Spec):
        return value.model_dump(mode="json", by_alias=True)
    return value
