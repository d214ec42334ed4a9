"""What a scenario file may say: sites, theatres, beds, procedures, demand and policies.

This module is data only: frozen pydantic models that a planner's YAML is checked
against. It knows nothing of the simulation engine. Cross-references (a site's trust,
a demand line's procedure, a routing target) are checked once the whole scenario has
been read, and reported all together with the field each one concerns.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, WithJsonSchema, field_validator, model_validator

from .base import Spec
from .distributions import TimeDist
from .policies import (
    ByQuintile,
    Escalation,
    MutualAid,
    Quintile,
    Staff,
    check_quintile_mix,
    check_shares,
)
from .units import Duration, NonNegativeDuration, PositiveDuration

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
#: A whole number written as one (``yes``/``true`` is not a count of beds).
Count = Annotated[int, Field(strict=True)]
#: Upper bounds that catch typos (``general: 20000000``) before a run tries to honour them.
MAX_BEDS = 10_000
MAX_THEATRES = 100
MAX_BACKLOG = 1_000_000
Priority = Literal["P1", "P2", "P3", "P4"]
PRIORITIES: tuple[str, ...] = ("P1", "P2", "P3", "P4")
Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
Slot = Literal["AM", "PM", "all_day", "evening"]
Ident = Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_\-]+$")]

#: Default start (after midnight) and length of each session slot, in days.
SLOT_DEFAULTS: dict[str, tuple[float, float]] = {
    "AM": (8 / 24, 4 / 24),
    "PM": (13 / 24, 4 / 24),
    "all_day": (8 / 24, 8 / 24),
    "evening": (17.5 / 24, 4 / 24),
}


def _profile_schema(length: int) -> WithJsonSchema:
    """A profile's input shape: exactly ``length`` numbers, none negative, not all zero."""
    return WithJsonSchema(
        {
            "type": "array",
            "items": {"type": "number", "minimum": 0},
            "minItems": length,
            "maxItems": length,
            "contains": {"type": "number", "exclusiveMinimum": 0},
        }
    )


#: Relative rates Mon..Sun (7 numbers).
WeekdayProfile = Annotated[list[float], _profile_schema(7)]
#: Relative rates Jan..Dec (12 numbers).
MonthlyProfile = Annotated[list[float], _profile_schema(12)]
#: Referrals a week for one procedure at one site.
PerWeek = Annotated[float, Field(ge=0, le=100_000)]


def _profile(length: int, what: str):
    def check(values: list[float] | None) -> list[float] | None:
        if values is None:
            return None
        if len(values) != length:
            raise ValueError(f"{what} needs exactly {length} numbers, got {len(values)}")
        if any(v < 0 for v in values):
            raise ValueError(f"{what} cannot contain negative numbers")
        if sum(values) <= 0:
            raise ValueError(f"{what} cannot be all zeros")
        return values

    return check


def _check_mix(mix: dict[str, float] | None) -> dict[str, float] | None:
    return check_shares(mix, "priority mix", "P1-P4")


class Location(Spec):
    """Where a site is, for travel distances (decimal degrees)."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Trust(Spec):
    """An NHS trust: the organisation sites belong to."""

    name: str


class SessionPlan(Spec):
    """Recurring theatre sessions: which weekdays, which slot, which specialty."""

    days: list[Weekday] = Field(min_length=1)
    slot: Slot = "all_day"
    specialty: Ident
    start: Duration | None = None
    """Time after midnight the session starts (default by slot: AM 08:00, PM 13:00, ...)."""
    length: PositiveDuration | None = None
    """Session length (default by slot: 4 hours, all-day 8 hours)."""

    @field_validator(
        "days",
        mode="before",
        json_schema_input_type=Weekday | Annotated[list[Weekday], Field(min_length=1)],
    )
    @classmethod
    def _one_day(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v

    @property
    def start_offset(self) -> float:
        return SLOT_DEFAULTS[self.slot][0] if self.start is None else self.start

    @property
    def session_length(self) -> float:
        return SLOT_DEFAULTS[self.slot][1] if self.length is None else self.length

    @model_validator(mode="after")
    def _within_a_day(self) -> SessionPlan:
        if self.session_length > 1.0:
            raise ValueError("a session cannot be longer than a day (24 hours)")
        if self.start is not None and not 0 <= self.start < 1.0:
            raise ValueError("a session's start must be a time of day between 0 min and 24 hours")
        if self.start_offset + self.session_length > 1.0 + 1e-9:
            raise ValueError("this session would run past midnight: start it earlier or shorten it")
        return self


class TheatreDay(Spec):
    """Time lost on the day: late starts and early finishes (NHSI 2019)."""

    late_start: TimeDist = Field(default="0 min", validate_default=True)
    early_finish: TimeDist = Field(default="0 min", validate_default=True)
    turnover: NonNegativeDuration = 0.0
    """Time to turn the theatre round between two cases."""
    overrun_allowed: NonNegativeDuration = 0.0
    """A case still starts if it is expected to finish this long after the session's end."""


class Theatre(Spec):
    """A theatre (or ``count`` identical theatres) and its weekly session plan."""

    count: Count = Field(default=1, ge=1, le=MAX_THEATRES)
    sessions: list[SessionPlan] = Field(min_length=1)
    theatre_day: TheatreDay | None = None
    """On-the-day losses for this theatre; the scenario's ``policies.theatre_day`` if omitted."""

    @field_validator("sessions")
    @classmethod
    def _no_double_booking(cls, sessions: list[SessionPlan]) -> list[SessionPlan]:
        for day in WEEKDAYS:
            spans = sorted(
                (p.start_offset, p.start_offset + p.session_length, i)
                for i, p in enumerate(sessions)
                if day in p.days
            )
            for (_s1, e1, i), (s2, _e2, j) in zip(spans, spans[1:], strict=False):
                if s2 < e1 - 1e-9:
                    raise ValueError(
                        f"sessions[{i}] and sessions[{j}] overlap on {day}: one theatre runs one "
                        "list at a time (use `count` for several identical theatres)"
                    )
        return sessions


class DelayedDischarge(Spec):
    """Patients medically fit to leave but waiting for care elsewhere keep their bed longer."""

    probability: Probability
    extra: TimeDist


class Beds(Spec):
    """Ward beds at a site: general beds (shared with emergencies) and ring-fenced elective beds."""

    general: Count = Field(default=0, ge=0, le=MAX_BEDS)
    elective: Count = Field(default=0, ge=0, le=MAX_BEDS)
    """Beds kept for elective surgery: emergencies never use them while they are ring-fenced."""
    turnaround: NonNegativeDuration = 0.0
    """A bed is unavailable for this long after each discharge (cleaning, making up)."""

    @model_validator(mode="after")
    def _some_beds(self) -> Beds:
        if self.general + self.elective <= 0:
            raise ValueError("a site's beds must include at least one general or elective bed")
        return self


class Emergency(Spec):
    """Emergency admissions at a site, competing for its general beds."""

    admissions_per_day: float = Field(gt=0, le=10_000)
    weekday_profile: WeekdayProfile | None = None
    """Relative admissions Mon..Sun (7 numbers); scaled so the weekly mean stays as given."""
    monthly_profile: MonthlyProfile | None = None
    """Relative admissions Jan..Dec (12 numbers), e.g. a winter uplift; mean-preserving."""
    length_of_stay: TimeDist
    delayed_discharge: DelayedDischarge | None = None
    when_full: Literal["queue", "divert"] = "queue"
    """No free bed: wait for one (in the emergency department) or go to another hospital."""

    _weekday = field_validator("weekday_profile")(_profile(7, "weekday_profile"))
    _monthly = field_validator("monthly_profile")(_profile(12, "monthly_profile"))


class CriticalCareStream(Spec):
    """Unplanned critical care admissions arriving directly (from the emergency department,
    wards or theatres), with their own weekday and monthly shape."""

    per_day: float = Field(gt=0, le=10_000)
    weekday_profile: WeekdayProfile | None = None
    monthly_profile: MonthlyProfile | None = None

    _weekday = field_validator("weekday_profile")(_profile(7, "weekday_profile"))
    _monthly = field_validator("monthly_profile")(_profile(12, "monthly_profile"))


class CriticalCareUnit(Spec):
    """A critical care unit (level 2/3 beds) at a site."""

    beds: Count = Field(ge=1, le=MAX_BEDS)
    elective_reserved: Count = Field(default=0, ge=0)
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


class Site(Spec):
    """A hospital site: its trust, location, theatres, beds and emergency demand."""

    name: str | None = None
    trust: Ident
    location: Location | None = None
    theatres: dict[Ident, Theatre] = Field(default_factory=dict)
    beds: Beds | None = None
    emergency: Emergency | None = None
    critical_care: CriticalCareUnit | None = None

    def specialties(self) -> set[str]:
        return {plan.specialty for t in self.theatres.values() for plan in t.sessions}


class PostOpCriticalCare(Spec):
    """A planned critical care bed after the operation."""

    probability: Probability = 1.0
    """Share of patients having this procedure who need it."""
    length_of_stay: TimeDist


class Procedure(Spec):
    """An operation: its specialty, theatre time, length of stay and day-case rate."""

    name: str | None = None
    specialty: Ident
    duration: TimeDist
    """Time in theatre for one case."""
    planned_duration: PositiveDuration | None = None
    """Time allowed when filling a list (default: the mean of ``duration``)."""
    length_of_stay: TimeDist
    day_case_probability: Probability = 0.0
    complexity: Literal["routine", "complex"] = "routine"
    delayed_discharge: DelayedDischarge | None = None
    critical_care: PostOpCriticalCare | None = None
    """A planned post-operative critical care bed (checked when the list is finalised and on
    the day; without one the operation is cancelled)."""

    @field_validator("duration")
    @classmethod
    def _takes_time(cls, duration: TimeDist) -> TimeDist:
        if duration.mean <= 0:
            raise ValueError("an operation's duration must be longer than zero")
        return duration

    @property
    def planning_time(self) -> float:
        return self.duration.mean if self.planned_duration is None else self.planned_duration


class DemandLine(Spec):
    """Referrals for one procedure at one site."""

    per_week: PerWeek
    priority_mix: dict[Priority, Probability] | None = None
    quintile_mix: Annotated[dict[Quintile, Probability], ByQuintile] | None = None

    _mix = field_validator("priority_mix")(_check_mix)
    _qmix = field_validator("quintile_mix")(check_quintile_mix)


def _line_shorthand(v: object) -> object:
    return {"per_week": v} if isinstance(v, int | float) and not isinstance(v, bool) else v


class Demand(Spec):
    """Elective referrals: per site and procedure, with a priority mix and profiles."""

    priority_mix: dict[Priority, Probability] = Field(default_factory=lambda: {"P4": 1.0})
    weekday_profile: WeekdayProfile = Field(default_factory=lambda: [1, 1, 1, 1, 1, 0, 0])
    monthly_profile: MonthlyProfile | None = None
    referrals: dict[Ident, dict[Ident, DemandLine]] = Field(default_factory=dict)
    """``site -> procedure -> {per_week: ...}`` (a bare number means per week)."""
    removal_per_year: Probability = 0.0
    """Chance that a patient leaves the list untreated within a year of waiting (validation)."""
    patient_cancellation_probability: Probability = 0.0
    """Chance a booked patient cancels on the day (unfit, did not attend)."""
    quintile_mix: Annotated[dict[Quintile, Probability], ByQuintile] | None = None
    """Referrals by deprivation quintile (IMD 1 = most deprived); none = not recorded."""
    quintile_mix_by_site: dict[Ident, Annotated[dict[Quintile, Probability], ByQuintile]] = Field(
        default_factory=dict
    )
    """Per home site, overriding ``quintile_mix`` (a demand line's own mix overrides both)."""

    _mix = field_validator("priority_mix")(_check_mix)
    _qmix = field_validator("quintile_mix")(check_quintile_mix)

    @field_validator("quintile_mix_by_site")
    @classmethod
    def _site_mixes(cls, v: dict[str, dict[int, float]]) -> dict[str, dict[int, float]]:
        for mix in v.values():
            check_quintile_mix(mix)
        return v

    _weekday = field_validator("weekday_profile")(_profile(7, "weekday_profile"))
    _monthly = field_validator("monthly_profile")(_profile(12, "monthly_profile"))

    @field_validator(
        "referrals",
        mode="before",
        json_schema_input_type=dict[Ident, dict[Ident, DemandLine | PerWeek]],
    )
    @classmethod
    def _bare_numbers(cls, v: object) -> object:
        if isinstance(v, dict):
            return {
                site: (
                    {p: _line_shorthand(x) for p, x in procs.items()}
                    if isinstance(procs, dict)
                    else procs
                )
                for site, procs in v.items()
            }
        return v


class InitialListEntry(Spec):
    """Patients already waiting at the start: how many and how long they have waited."""

    size: Count = Field(ge=0, le=MAX_BACKLOG)
    wait_age: TimeDist
    priority_mix: dict[Priority, Probability] | None = None

    _mix = field_validator("priority_mix")(_check_mix)


class InitialList(Spec):
    """The waiting list at time zero: sizes and wait ages per site and procedure, or a CSV."""

    lists: dict[Ident, dict[Ident, InitialListEntry]] = Field(default_factory=dict)
    csv: str | None = None
    """A CSV with columns ``site, procedure, priority, waited_weeks`` (one row per patient)."""


class RoutingRule(Spec):
    """Send matching referrals to other sites for treatment (e.g. to an elective hub)."""

    procedures: list[Ident] | None = None
    complexity: list[Literal["routine", "complex"]] | None = None
    specialty: Ident | None = None
    from_trusts: list[Ident] | None = None
    from_sites: list[Ident] | None = None
    to: list[Ident] = Field(min_length=1)
    choose: Literal["nearest", "shortest_list"] = "nearest"
    """With several target sites: the nearest to the patient's home site, or the shortest list."""

    @field_validator(
        "to",
        mode="before",
        json_schema_input_type=Ident | Annotated[list[Ident], Field(min_length=1)],
    )
    @classmethod
    def _one_site(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v


class Booking(Spec):
    """How theatre lists are filled from the waiting list."""

    order: Literal[
        "priority_then_wait", "longest_wait", "deprivation_weighted", "quintile1_long_waiters_first"
    ] = "priority_then_wait"
    """Clinical priority then longest wait (default); longest wait only; priority then wait
    with ``deprivation_credit`` added to each quintile's wait; or priority, then quintile-1
    patients who have waited ``quintile1_after``, then longest wait."""
    deprivation_credit: Annotated[dict[Quintile, NonNegativeDuration], ByQuintile] = Field(
        default_factory=dict
    )
    """Waiting time credited by quintile in the ``deprivation_weighted`` order."""
    quintile1_after: NonNegativeDuration = 40 * 7.0
    """In ``quintile1_long_waiters_first``: quintile-1 patients go first once they have waited
    this long."""
    lead_time: NonNegativeDuration = 7.0
    """Lists are finalised this long before the day of surgery."""
    fill_to: float = Field(default=1.0, gt=0.0, le=1.5)
    """Book cases until their planned times fill this share of the session."""
    lookahead: Count = Field(default=20, ge=1, le=1000)
    """How far down the list to look for a case that fits the time left on a list."""


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
    retrieval_teams: Count | None = Field(default=None, ge=1)
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


class Policies(Spec):
    """How the collaborative runs: routing to hubs, ring-fencing, booking, cancellations."""

    routing: list[RoutingRule] = Field(default_factory=list)
    ring_fence_elective_beds: bool = True
    electives_use_general_beds: bool = True
    booking: Booking = Field(default_factory=Booking)
    theatre_day: TheatreDay = Field(default_factory=TheatreDay)
    on_cancellation: Literal["return_to_list", "rebook_first"] = "return_to_list"
    mutual_aid: dict[Ident, MutualAid] = Field(default_factory=dict)
    """Named mutual-aid schemes moving long waiters to sites with shorter lists."""
    escalation: list[Escalation] = Field(default_factory=list)
    """Priority re-scoring of patients who have waited long."""
    critical_care: CriticalCarePolicy = Field(default_factory=CriticalCarePolicy)
    """A patient cancelled on the day rejoins the list in the usual order, or goes first."""


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

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        from .references import ScenarioReferenceError, reference_problems

        problems = reference_problems(self)
        if problems:
            raise ScenarioReferenceError(problems)
        return self

    # -- helpers the model build uses -------------------------------------------------
    def treating_sites(self, site: str, procedure: str) -> tuple[list[str], str]:
        """Sites that may treat a referral from ``site`` for ``procedure``, and how to choose."""
        proc = self.procedures[procedure]
        trust = self.sites[site].trust
        for rule in self.policies.routing:
            if rule_matches(rule, site, trust, procedure, proc):
                return list(rule.to), rule.choose
        return [site], "nearest"


def rule_matches(rule: RoutingRule, site: str, trust: str, procedure: str, proc: Procedure) -> bool:
    """Whether a routing rule applies to a referral."""
    return (
        (rule.procedures is None or procedure in rule.procedures)
        and (rule.complexity is None or proc.complexity in rule.complexity)
        and (rule.specialty is None or proc.specialty == rule.specialty)
        and (rule.from_trusts is None or trust in rule.from_trusts)
        and (rule.from_sites is None or site in rule.from_sites)
    )
