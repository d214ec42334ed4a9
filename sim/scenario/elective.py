"""The elective pathway: theatres and their sessions, procedures, referrals, the list at time
zero, routing to hubs and how lists are booked (scenario data)."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

from pydantic import Discriminator, Field, PrivateAttr, Tag, field_validator, model_validator

from .arrivals import ArrivalPattern
from .backlog_csv import BacklogRow
from .base import Spec
from .calendar import Date, Opening, TheatreWeeks, monday_of
from .critical_care import PostOpCriticalCare
from .distributions import TimeDist
from .equity import ByQuintile, Quintile, check_quintile_mix
from .errors import did_you_mean, unknown
from .types import (
    MAX_BACKLOG,
    MAX_THEATRES,
    WEEKDAYS,
    Count,
    Ident,
    MonthlyProfile,
    PerWeek,
    Priority,
    Probability,
    Slot,
    Weekday,
    WeekdayProfile,
    check_priority_mix,
    profile_check,
)
from .units import Duration, NonNegativeDuration, PositiveDuration
from .wards import DelayedDischarge

if TYPE_CHECKING:
    from .errors import Problem
    from .schema import Scenario

#: Default start (after midnight) and length of each session slot, in days.
SLOT_DEFAULTS: dict[str, tuple[float, float]] = {
    "AM": (8 / 24, 4 / 24),
    "PM": (13 / 24, 4 / 24),
    "all_day": (8 / 24, 8 / 24),
    "evening": (17.5 / 24, 4 / 24),
}


#: A week of a cycle of at most 52 weeks, counting from 1.
CycleWeek = Annotated[Count, Field(ge=1, le=52)]

#: Most cases a session template may book (a typo guard).
MAX_CASES_PER_SESSION = 50

CaseCount = Annotated[int, Field(strict=True, ge=1, le=MAX_CASES_PER_SESSION)]


def _cases_shape(v: object) -> str:
    if isinstance(v, dict):
        return "mix"
    return "options" if isinstance(v, list) else "count"


#: Cases of a session: a count of any of the specialty's procedures, or counts by procedure.
Cases = Annotated[
    Annotated[CaseCount, Tag("count")] | Annotated[dict[Ident, CaseCount], Tag("mix")],
    Discriminator(_cases_shape),
]


class CaseMixOption(Spec):
    """One alternative case mix of a session template, with its probability."""

    p: Probability
    """Chance that a session is booked with this mix, e.g. ``0.6``."""
    cases: Cases
    """The cases: ``{arthroscopy: 2}`` (by procedure) or ``3`` (any of the specialty's)."""

    @field_validator("cases")
    @classmethod
    def _some_cases(cls, v: int | dict[str, int]) -> int | dict[str, int]:
        return _check_cases(v)


def _check_cases(v: int | dict[str, int]) -> int | dict[str, int]:
    if isinstance(v, dict):
        if not v:
            raise ValueError("name at least one procedure and its number of cases")
        if sum(v.values()) > MAX_CASES_PER_SESSION:
            raise ValueError(
                f"a session template books at most {MAX_CASES_PER_SESSION} cases, got "
                f"{sum(v.values())}"
            )
    return v


class SessionPlan(Spec):
    """Recurring theatre sessions: which weekdays, which slot, which specialty, and
    optionally which cases (a session template)."""

    days: list[Weekday] = Field(min_length=1)
    slot: Slot = "all_day"
    specialty: Ident
    start: Duration | None = None
    """Time after midnight the session starts (default by slot: AM 08:00, PM 13:00, ...)."""
    length: PositiveDuration | None = None
    """Session length (default by slot: 4 hours, all-day 8 hours)."""
    cycle_weeks: Count = Field(default=1, ge=1, le=52)
    """Length of the cycle of weeks the plan repeats over, e.g. ``2`` for a fortnightly list."""
    weeks: list[CycleWeek] = Field(default_factory=lambda: [1], min_length=1)
    """Weeks of the cycle the sessions run, counting from 1, e.g. ``[1]`` of a 2-week cycle
    (every other week) or ``[1, 3]`` of 4."""
    cycle_start: Date | None = None
    """A date in week 1 of the cycle (weeks run Monday to Sunday); default: the scenario's
    ``start_date``."""
    opens: Date | None = None
    """First day these sessions run, e.g. a new Saturday list from ``2025-10-04`` (default:
    from the start)."""
    closes: Date | None = None
    """First day these sessions no longer run (default: never)."""
    cases: (
        Annotated[
            Annotated[CaseCount, Tag("count")]
            | Annotated[dict[Ident, CaseCount], Tag("mix")]
            | Annotated[list[CaseMixOption], Field(min_length=1), Tag("options")],
            Discriminator(_cases_shape),
        ]
        | None
    ) = None
    """A session template: the list is booked by count, not by planned minutes. ``4``:
    any four of the specialty's cases; ``{primary_hip: 2, primary_knee: 1}``: that many of
    each procedure; or alternatives drawn for each session, e.g. ``[{p: 0.6, cases:
    {arthroscopy: 2}}, {p: 0.4, cases: {revision_hip: 1}}]``. Patients are taken in
    booking order from the site's list for the specialty, passing over at most
    ``policies.booking.lookahead`` patients in all; places left unfilled stay empty. None
    (default): booked by planned case times (``policies.booking.fill_to``)."""

    @field_validator("cases")
    @classmethod
    def _template(cls, v: object) -> object:
        if isinstance(v, list):
            total = sum(o.p for o in v)
            if abs(total - 1.0) > 1e-6:
                raise ValueError(
                    "the probabilities of a session's case mixes must add up to 1, but "
                    f"{' + '.join(f'{o.p:g}' for o in v)} = {total:g}"
                )
            return v
        return v if v is None else _check_cases(v)

    def case_mixes(self) -> list[tuple[float, int | dict[str, int]]]:
        """The template as (probability, cases) alternatives (empty: booked by minutes)."""
        if self.cases is None:
            return []
        if isinstance(self.cases, list):
            return [(o.p, o.cases) for o in self.cases]
        return [(1.0, self.cases)]

    @field_validator(
        "days",
        mode="before",
        json_schema_input_type=Weekday | Annotated[list[Weekday], Field(min_length=1)],
    )
    @classmethod
    def _one_day(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v

    @field_validator(
        "weeks",
        mode="before",
        json_schema_input_type=CycleWeek | Annotated[list[CycleWeek], Field(min_length=1)],
    )
    @classmethod
    def _one_week(cls, v: object) -> object:
        return [v] if isinstance(v, int) and not isinstance(v, bool) else v

    @property
    def cyclic(self) -> bool:
        """Runs in some weeks of a cycle only (not every week)."""
        return len(set(self.weeks)) < self.cycle_weeks

    def runs_on(self, day: dt.date, start_date: dt.date) -> bool:
        """Whether the weekdays, the cycle and the dates of this plan put a session on ``day``
        (before bank holidays, weeks closed for leave and a theatre's own dates)."""
        if WEEKDAYS[day.weekday()] not in self.days:
            return False
        if (self.opens is not None and day < self.opens) or (
            self.closes is not None and day >= self.closes
        ):
            return False
        first = monday_of(self.cycle_start or start_date)
        return (monday_of(day) - first).days // 7 % self.cycle_weeks + 1 in self.weeks

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
        bad = [w for w in self.weeks if not 1 <= w <= self.cycle_weeks]
        if bad:
            raise ValueError(
                f"week {bad[0]} is not in a cycle of {self.cycle_weeks} week(s): weeks count "
                f"from 1 to cycle_weeks ({self.cycle_weeks})"
            )
        if len(set(self.weeks)) != len(self.weeks):
            raise ValueError("a week of the cycle is listed twice in weeks")
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValueError(
                f"closes ({self.closes.isoformat()}) must be after opens ({self.opens.isoformat()})"
            )
        return self


class TheatreDay(Spec):
    """Time lost on the day: late starts and early finishes (NHSI 2019)."""

    late_start: TimeDist = Field(default="0 min", validate_default=True)
    early_finish: TimeDist = Field(default="0 min", validate_default=True)
    turnover: NonNegativeDuration = 0.0
    """Time to turn the theatre round between two cases."""
    overrun_allowed: NonNegativeDuration = 0.0
    """A case still starts if it is expected to finish this long after the session's end."""


class Theatre(Opening, TheatreWeeks):
    """A theatre (or ``count`` identical theatres) and its weekly session plan; it may open and
    close on dates and ramp up (``opens``, ``closes``, ``ramp_up``), and its weeks closed for
    leave (``working_weeks`` or ``closed_weeks``) replace the calendar's when given."""

    count: Count = Field(default=1, ge=1, le=MAX_THEATRES)
    sessions: list[SessionPlan] = Field(min_length=1)
    theatre_day: TheatreDay | None = None
    """On-the-day losses for this theatre; the scenario's ``policies.theatre_day`` if omitted."""
    runs_on_bank_holidays: bool = False
    """Sessions run on bank holidays too (when the calendar keeps them), e.g. a hub's
    weekend lists."""

    @field_validator("sessions")
    @classmethod
    def _no_double_booking(cls, sessions: list[SessionPlan]) -> list[SessionPlan]:
        for day in WEEKDAYS:
            spans = sorted(
                (p.start_offset, p.start_offset + p.session_length, i)
                for i, p in enumerate(sessions)
                if day in p.days and not (p.cyclic or p.opens or p.closes)
            )
            for (_s1, e1, i), (s2, _e2, j) in zip(spans, spans[1:], strict=False):
                if s2 < e1 - 1e-9:
                    raise ValueError(
                        f"sessions[{i}] and sessions[{j}] overlap on {day}: one theatre runs one "
                        "list at a time (use `count` for several identical theatres)"
                    )
        return sessions


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


class DemandLine(ArrivalPattern):
    """Referrals for one procedure at one site: a weekly rate (shaped by the demand's
    weekday and monthly profiles unless the line gives its own), or gaps drawn from a
    distribution, or set times (see :mod:`.arrivals`)."""

    _rate_field: ClassVar[str] = "per_week"
    _days_per_rate_unit: ClassVar[float] = 7.0

    per_week: PerWeek | None = None
    priority_mix: dict[Priority, Probability] | None = None
    quintile_mix: Annotated[dict[Quintile, Probability], ByQuintile] | None = None

    _mix = field_validator("priority_mix")(check_priority_mix)
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
    growth_per_year: float = Field(default=0.0, ge=-0.5, le=1.0)
    """Yearly growth of referrals, compounding, e.g. ``0.03``: a referral rate is the rate at
    ``start_date`` and is multiplied by ``(1 + growth_per_year) ** (days / 365.25)``. Gaps
    (``interarrival``) are drawn as written on a clock that runs faster by the same factor;
    set times (``schedule``) are refused."""
    quintile_mix: Annotated[dict[Quintile, Probability], ByQuintile] | None = None
    """Referrals by deprivation quintile (IMD 1 = most deprived); none = not recorded."""
    quintile_mix_by_site: dict[Ident, Annotated[dict[Quintile, Probability], ByQuintile]] = Field(
        default_factory=dict
    )
    """Per home site, overriding ``quintile_mix`` (a demand line's own mix overrides both)."""

    _mix = field_validator("priority_mix")(check_priority_mix)
    _qmix = field_validator("quintile_mix")(check_quintile_mix)

    @field_validator("quintile_mix_by_site")
    @classmethod
    def _site_mixes(cls, v: dict[str, dict[int, float]]) -> dict[str, dict[int, float]]:
        for mix in v.values():
            check_quintile_mix(mix)
        return v

    _weekday = field_validator("weekday_profile")(profile_check(7, "weekday_profile"))
    _monthly = field_validator("monthly_profile")(profile_check(12, "monthly_profile"))

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

    _mix = field_validator("priority_mix")(check_priority_mix)


class InitialList(Spec):
    """The waiting list at time zero: sizes and wait ages per site and procedure, or a CSV."""

    lists: dict[Ident, dict[Ident, InitialListEntry]] = Field(default_factory=dict)
    csv: str | None = None
    """A CSV with columns ``site, procedure, priority, waited_weeks`` (one row per patient)."""
    _rows: tuple[BacklogRow, ...] = PrivateAttr(default=())

    @property
    def rows(self) -> tuple[BacklogRow, ...]:
        """The CSV's patients, read and checked when the scenario was loaded and carried in
        it, so a replication on another machine needs no file."""
        if self.csv is not None and not self._rows:
            raise RuntimeError(
                "the waiting-list CSV was not read: load scenarios with load_scenario or "
                "validate_scenario"
            )
        return self._rows

    def carry(self, rows: tuple[BacklogRow, ...]) -> None:
        """Keep the CSV's rows in the scenario (done once, by the loader)."""
        self._rows = rows


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


def rule_matches(rule: RoutingRule, site: str, trust: str, procedure: str, proc: Procedure) -> bool:
    """Whether a routing rule applies to a referral."""
    return (
        (rule.procedures is None or procedure in rule.procedures)
        and (rule.complexity is None or proc.complexity in rule.complexity)
        and (rule.specialty is None or proc.specialty == rule.specialty)
        and (rule.from_trusts is None or trust in rule.from_trusts)
        and (rule.from_sites is None or site in rule.from_sites)
    )


def reference_problems(sc: Scenario) -> list[Problem]:
    """Referrals and the list at time zero name real sites and procedures; routing rules
    name real sites, trusts and procedures; every session's specialty has procedures."""
    out: list[Problem] = []
    sites, procs = list(sc.sites), list(sc.procedures)
    for section, by_site in (
        (("demand", "referrals"), sc.demand.referrals),
        (("initial_waiting_list", "lists"), sc.initial_waiting_list.lists),
    ):
        for sid, by_proc in by_site.items():
            if sid not in sc.sites:
                out.append(((*section, sid), unknown("site", sid, sites)))
                continue
            for pid in by_proc:
                if pid not in sc.procedures:
                    out.append(((*section, sid, pid), unknown("procedure", pid, procs)))
    for i, rule in enumerate(sc.policies.routing):
        base = ("policies", "routing", i)
        for field, kind, known in (
            ("to", "site", sc.sites),
            ("from_sites", "site", sc.sites),
            ("from_trusts", "trust", sc.trusts),
            ("procedures", "procedure", sc.procedures),
        ):
            for j, name in enumerate(getattr(rule, field) or []):
                if name not in known:
                    out.append(((*base, field, j), unknown(kind, name, list(known))))
        if rule.choose == "nearest" and len(rule.to) > 1:
            for name in rule.to:
                if name in sc.sites and sc.sites[name].location is None:
                    out.append(
                        ((*base, "to"), f"choosing the nearest site needs a location for '{name}'")
                    )
    out.extend(_dated_clashes(sc))
    if sc.demand.growth_per_year:
        for sid, by_proc in sc.demand.referrals.items():
            for pid, line in by_proc.items():
                if line.schedule is not None:
                    out.append(
                        (
                            ("demand", "referrals", sid, pid, "schedule"),
                            "demand.growth_per_year cannot grow referrals given at set times "
                            "(a timetable): give a rate (per_week) or gaps (interarrival), "
                            "or set growth_per_year to 0",
                        )
                    )
    specialties = sorted({p.specialty for p in sc.procedures.values()})
    for sid, site in sc.sites.items():
        for tname, theatre in site.theatres.items():
            for j, plan in enumerate(theatre.sessions):
                out += _template_problems(
                    sc, ("sites", sid, "theatres", tname, "sessions", j), plan
                )
                if plan.specialty not in specialties:
                    close = did_you_mean(plan.specialty, specialties)
                    hint = f"; did you mean '{close}'?" if close else ""
                    out.append(
                        (
                            ("sites", sid, "theatres", tname, "sessions", j, "specialty"),
                            f"no procedure has the specialty '{plan.specialty}', so these sessions "
                            f"would always be empty{hint} (procedures' specialties: "
                            f"{', '.join(specialties) or 'none'})",
                        )
                    )
    return out


def _dated_clashes(sc: Scenario) -> list[Problem]:
    """Two plans of one theatre overlapping in time of day, one of them in some weeks of a
    cycle or between dates: a clash only if both run on some day of the run."""
    out: list[Problem] = []
    days = math.ceil(sc.horizon)
    for sid, site in sc.sites.items():
        for tname, theatre in site.theatres.items():
            plans = theatre.sessions
            for i, a in enumerate(plans):
                for j in range(i + 1, len(plans)):
                    b = plans[j]
                    if not (a.cyclic or a.opens or a.closes or b.cyclic or b.opens or b.closes):
                        continue  # checked by the theatre itself
                    if not set(a.days) & set(b.days) or not (
                        a.start_offset < b.start_offset + b.session_length - 1e-9
                        and b.start_offset < a.start_offset + a.session_length - 1e-9
                    ):
                        continue
                    clash = next(
                        (
                            day
                            for d in range(days)
                            if a.runs_on(day := sc.start_date + dt.timedelta(days=d), sc.start_date)
                            and b.runs_on(day, sc.start_date)
                        ),
                        None,
                    )
                    if clash is not None:
                        out.append(
                            (
                                ("sites", sid, "theatres", tname, "sessions"),
                                f"sessions[{i}] and sessions[{j}] overlap on "
                                f"{clash.isoformat()}: one theatre runs one list at a time "
                                "(use other weeks of the cycle, other dates, or `count`)",
                            )
                        )
    return out


def _template_problems(sc: Scenario, where: tuple, plan: SessionPlan) -> list[Problem]:
    """A session template names real procedures of the session's specialty."""
    out: list[Problem] = []
    for k, (_p, cases) in enumerate(plan.case_mixes()):
        if not isinstance(cases, dict):
            continue
        at = (*where, "cases", k, "cases") if isinstance(plan.cases, list) else (*where, "cases")
        for pid in cases:
            proc = sc.procedures.get(pid)
            if proc is None:
                out.append(((*at, pid), unknown("procedure", pid, list(sc.procedures))))
            elif proc.specialty != plan.specialty:
                out.append(
                    (
                        (*at, pid),
                        f"{pid} is a {proc.specialty} procedure, but this session is for "
                        f"{plan.specialty}: a session books from its own specialty's list",
                    )
                )
    return out


def treatment_problems(sc: Scenario) -> list[Problem]:
    """Every referral can be treated where it is routed: sessions for its specialty there,
    beds unless it is always a day case, and a critical care unit if it needs one."""
    out: list[Problem] = []
    referred = {
        (s, p): ("demand", "referrals", s, p) for s, by in sc.demand.referrals.items() for p in by
    }
    backlog = {
        (s, p): ("initial_waiting_list", "lists", s, p)
        for s, by in sc.initial_waiting_list.lists.items()
        for p in by
    }
    for (sid, pid), where in sorted({**backlog, **referred}.items()):
        proc = sc.procedures[pid]
        targets, _ = sc.treating_sites(sid, pid)
        for target in targets:
            tsite = sc.sites[target]
            if proc.specialty not in tsite.specialties():
                out.append(
                    (
                        where,
                        f"{pid} ({proc.specialty}) from {sid} is treated at {target}, "
                        f"but {target} has no theatre sessions for {proc.specialty}",
                    )
                )
            elif proc.critical_care is not None and tsite.critical_care is None:
                out.append(
                    (
                        ("procedures", pid, "critical_care"),
                        f"{pid} needs a critical care bed after surgery, but {target} (where "
                        f"patients from {sid} are treated) has no critical care unit",
                    )
                )
            elif tsite.beds is None or tsite.beds.most == (0, 0):
                if proc.day_case_probability < 1.0:
                    out.append(
                        (
                            ("sites", target, "beds"),
                            f"{target} operates on {pid} inpatients but has no beds",
                        )
                    )
                elif proc.critical_care is not None and proc.critical_care.probability > 0:
                    out.append(
                        (
                            ("sites", target, "beds"),
                            f"{target} operates on {pid} patients who need critical care after "
                            "surgery, who are never day cases (they are admitted to a ward bed "
                            f"as well), but {target} has no ward beds: every such operation "
                            f"would be cancelled. Give {target} beds, or set "
                            f"procedures.{pid}.critical_care.probability to 0",
                        )
                    )
    return out
