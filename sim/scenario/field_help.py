"""Help on every scenario field for editors: a description, its unit and an example.

VS Code's YAML extension shows a field's description on hover and offers its example when
completing. A field's description is its attribute docstring in the model (pydantic's
``use_attribute_docstrings``) or, where the model has none, the text here; the unit (for
every number) and the example are always here, one line per field, so their wording can
be read and reviewed in one place. :mod:`.json_schema` puts them into ``hubsim schema``
and ``tests/test_schema_file.py`` checks that every field of the schema has them.

A field is named ``Model.field`` after the class that declares it (``ArrivalPattern`` for
the arrival fields every stream shares), with the key a planner writes (the alias).
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["FIELD_HELP", "Help", "help_for"]


class Help(NamedTuple):
    description: str | None
    """Shown on hover; None: the model's attribute docstring says it."""
    unit: str | None
    """The unit of a number (None: not a quantity, or a duration that carries its unit)."""
    example: Any
    """A value as a planner writes it in YAML."""


_P = "probability, 0 to 1"
_SHARE = "share, 0 to 1"
_W = "relative weight (the profile is scaled to average 1)"
_LOGNORMAL = {"dist": "lognormal", "mean": "3 days", "sd": "2 days"}

FIELD_HELP: dict[str, Help] = {
    # -- the scenario ----------------------------------------------------------------------
    "Scenario.name": Help(
        "The scenario's name, shown in results and reports.",
        None,
        "Black Country orthopaedics - two elective hubs",
    ),
    "Scenario.description": Help(
        "What the scenario is and what it asks, in a sentence or two.",
        None,
        "Status quo: each trust operates at its own site.",
    ),
    "Scenario.start_date": Help(
        "The calendar date the simulation starts (YYYY-MM-DD).", None, "2025-04-01"
    ),
    "Scenario.horizon": Help(None, None, "2 years"),
    "Scenario.warm_up": Help(None, None, "4 weeks"),
    "Scenario.snapshot_interval": Help(
        "How often the waiting list and beds in use are recorded for the time series.",
        None,
        "1 week",
    ),
    "Scenario.trusts": Help(
        "The NHS trusts of the collaborative, by short name.",
        None,
        {"RWT": {"name": "The Royal Wolverhampton NHS Trust"}},
    ),
    "Scenario.sites": Help(
        "The hospital sites, by short name: trust, theatres, beds and emergency demand.",
        None,
        {"new_cross": {"trust": "RWT", "beds": {"general": 94}}},
    ),
    "Scenario.procedures": Help(
        "The elective procedures, by short name: specialty, operating time and length of stay.",
        None,
        {"hip": {"specialty": "ortho", "duration": "100 min", "length_of_stay": "3 days"}},
    ),
    "Scenario.demand": Help(
        "Elective referrals: how many a week per site and procedure, and their priority mix.",
        None,
        {"referrals": {"new_cross": {"hip": 12.5}}},
    ),
    "Scenario.initial_waiting_list": Help(
        "The waiting list when the simulation starts, per site and procedure, or from a CSV.",
        None,
        {"csv": "backlog.csv"},
    ),
    "Scenario.policies": Help(
        "How the collaborative runs: routing to hubs, ring-fencing, booking and cancellations.",
        None,
        {"ring_fence_elective_beds": True},
    ),
    "Scenario.staff": Help(
        None,
        None,
        {
            "groups": {"anaesthetists": {"members": {"new_cross": 6}}},
            "needs": {"default": {"anaesthetists": 1}},
        },
    ),
    "Scenario.calendar": Help(None, None, {"bank_holidays": "england_and_wales"}),
    "Scenario.census": Help(None, None, {"time_of_day": "0 hours"}),
    "Scenario.assumptions": Help(
        None,
        None,
        {"sites.cannock.beds.elective": {"low": 20, "high": 40, "why": "assumption: ..."}},
    ),
    "Assumption.paths": Help(
        None, None, ["sites.cannock.beds.elective", "sites.sandwell.beds.elective"]
    ),
    "Assumption.low": Help(None, "the value's own unit (with relative: a multiple)", 20),
    "Assumption.high": Help(None, "the value's own unit (with relative: a multiple)", 40),
    "Assumption.relative": Help(None, None, True),
    "Assumption.why": Help(None, None, "assumption: sized for ~70% occupancy"),
    "Assumption.label": Help(None, None, "ring-fenced beds per hub"),
    "Scenario.calibration": Help(
        None, None,
        {"reasons": {"share_under_18_weeks": "by design: the lists start longer than "
                     "capacity can clear"}},
    ),
    "Calibration.baseline": Help(None, None, "black_country_ortho.yaml"),
    "Calibration.reasons": Help(
        None, None,
        {"nonclinical_cancellations": "the model cancels on the day whenever no bed is free"},
    ),
    "Trust.name": Help("The trust's full name.", None, "The Royal Wolverhampton NHS Trust"),
    "Location.lat": Help(
        "Latitude of the site, for travel distances.", "degrees north (decimal)", 52.5888
    ),
    "Location.lon": Help(
        "Longitude of the site, for travel distances.",
        "degrees east (decimal; west is negative)",
        -2.0979,
    ),
    # -- sites -----------------------------------------------------------------------------
    "Site.name": Help("The site's full name, shown in reports.", None, "New Cross Hospital"),
    "Site.trust": Help("The trust the site belongs to (a key of trusts).", None, "RWT"),
    "Site.location": Help(
        "Where the site is (decimal degrees), for travel distances.",
        None,
        {"lat": 52.5888, "lon": -2.0979},
    ),
    "Site.theatres": Help(
        "The site's operating theatres, by name, with their weekly sessions.",
        None,
        {
            "main": {
                "count": 3,
                "sessions": [{"days": ["Mon", "Wed"], "slot": "all_day", "specialty": "ortho"}],
            }
        },
    ),
    "Site.beds": Help(
        "The site's ward beds: general (shared with emergencies) and ring-fenced elective.",
        None,
        {"general": 94, "elective": 0},
    ),
    "Site.emergency": Help(
        "Emergency admissions at the site, competing for its general beds.",
        None,
        {
            "admissions_per_day": 10,
            "length_of_stay": {"dist": "lognormal", "mean": "6 days", "sd": "5 days"},
        },
    ),
    "Site.critical_care": Help(
        "The site's adult critical care unit.",
        None,
        {"beds": 12, "length_of_stay": "4 days", "admissions": {"per_day": 2.8}},
    ),
    "Site.units": Help(None, None, {"acute_stroke": {"beds": 12, "length_of_stay": "7 days"}}),
    "Beds.general": Help("Ward beds shared by emergency and elective inpatients.", "beds", 94),
    "Beds.elective": Help(None, "beds", 30),
    "Beds.turnaround": Help(None, None, "2 hours"),
    "Beds.changes": Help(None, None, [{"date": "2025-10-01", "general": 100}]),
    "Beds.discharge_profile": Help(
        None, _W, [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 3, 2, 2, 1, 1, 1, 0, 0, 0, 0, 0]
    ),
    "BedChange.date": Help(None, None, "2025-10-01"),
    "BedChange.general": Help(None, "beds", 100),
    "BedChange.elective": Help(None, "beds", 20),
    "DelayedDischarge.probability": Help(
        "Chance a patient's discharge is delayed (waiting for social care, say).", _P, 0.1
    ),
    "DelayedDischarge.extra": Help(
        "The extra time a delayed patient stays.", None, {"dist": "exponential", "mean": "5 days"}
    ),
    # -- theatres --------------------------------------------------------------------------
    "TheatreWeeks.working_weeks": Help(None, "weeks a year", 48),
    "TheatreWeeks.closed_weeks": Help(None, None, ["2025-12-22", "2025-12-29"]),
    "Opening.opens": Help(None, None, "2026-01-05"),
    "Opening.closes": Help(None, None, "2027-03-31"),
    "Opening.ramp_up": Help(None, None, [{"weeks": 4, "share": 0.5}]),
    "RampStep.weeks": Help(None, "weeks", 4),
    "RampStep.share": Help(None, _SHARE, 0.5),
    "Theatre.count": Help("How many identical theatres run these sessions.", "theatres", 3),
    "Theatre.sessions": Help(
        "The weekly session plan: which days, which part of the day and which specialty.",
        None,
        [{"days": ["Mon", "Tue", "Wed"], "slot": "all_day", "specialty": "ortho"}],
    ),
    "Theatre.theatre_day": Help(None, None, {"turnover": "15 min"}),
    "Theatre.runs_on_bank_holidays": Help(None, None, False),
    "SessionPlan.days": Help(
        "The weekdays the session runs (one day or a list).", None, ["Mon", "Wed", "Fri"]
    ),
    "SessionPlan.slot": Help(
        "Part of the day: AM (08:00-13:00), PM (13:00-18:00), all_day (08:00-18:00) or evening.",
        None,
        "all_day",
    ),
    "SessionPlan.specialty": Help(
        "The specialty that operates in the session (matches procedures' specialty).", None, "ortho"
    ),
    "SessionPlan.start": Help(None, None, "8 hours"),
    "SessionPlan.length": Help(None, None, "10 hours"),
    "SessionPlan.cycle_weeks": Help(None, "weeks", 2),
    "SessionPlan.weeks": Help(None, "week numbers of the cycle, from 1", [1]),
    "SessionPlan.cycle_start": Help(None, None, "2025-04-07"),
    "SessionPlan.opens": Help(None, None, "2025-10-01"),
    "SessionPlan.closes": Help(None, None, "2026-03-31"),
    "SessionPlan.cases": Help(None, "operations a session", {"hip": 2, "knee": 1}),
    "CaseMixOption.p": Help(None, _P, 0.6),
    "CaseMixOption.cases": Help(None, "operations a session", {"hip": 2}),
    "TheatreDay.late_start": Help(
        "How late a session starts (a duration or a distribution).",
        None,
        {"dist": "exponential", "mean": "20 min"},
    ),
    "TheatreDay.early_finish": Help(
        "How early a session must finish (a duration or a distribution).", None, "0 min"
    ),
    "TheatreDay.turnover": Help(None, None, "15 min"),
    "TheatreDay.overrun_allowed": Help(None, None, "30 min"),
    # -- procedures and demand --------------------------------------------------------------
    "Procedure.name": Help(
        "The procedure's full name, shown in reports.", None, "Primary hip replacement"
    ),
    "Procedure.specialty": Help("The specialty whose sessions can operate on it.", None, "ortho"),
    "Procedure.duration": Help(
        None, None, {"dist": "lognormal", "mean": "100 min", "sd": "20 min"}
    ),
    "Procedure.planned_duration": Help(None, None, "120 min"),
    "Procedure.length_of_stay": Help(
        "Ward stay after the operation (a duration or a distribution); day cases need no bed.",
        None,
        _LOGNORMAL,
    ),
    "Procedure.day_case_probability": Help(
        "Chance a patient goes home the same day (needs no ward bed).", _P, 0.1
    ),
    "Procedure.complexity": Help(
        "routine or complex: routing rules may send only routine cases to a hub.", None, "routine"
    ),
    "Procedure.delayed_discharge": Help(
        "Chance and length of a delayed discharge after the operation.",
        None,
        {"probability": 0.05, "extra": "3 days"},
    ),
    "Procedure.critical_care": Help(None, None, {"probability": 0.3, "length_of_stay": "2 days"}),
    "PostOpCriticalCare.probability": Help(None, _P, 0.3),
    "PostOpCriticalCare.length_of_stay": Help(None, None, "2 days"),
    "Demand.priority_mix": Help(
        "Share of referrals at each clinical priority, P1 (within "
        "72 hours) to P4 (over 3 months); adds up to 1.",
        _SHARE,
        {"P2": 0.2, "P3": 0.3, "P4": 0.5},
    ),
    "Demand.weekday_profile": Help(
        "Relative referrals on each weekday, Monday first (7 numbers).", _W, [1, 1, 1, 1, 1, 0, 0]
    ),
    "Demand.monthly_profile": Help(
        "Relative referrals in each month, January first (12 numbers).",
        _W,
        [1.1, 1, 1, 1, 1, 1, 0.9, 0.9, 1, 1, 1, 1.1],
    ),
    "Demand.referrals": Help(None, "referrals a week", {"new_cross": {"hip": 12.5, "knee": 14}}),
    "Demand.removal_per_year": Help(None, "probability a year, 0 to 1", 0.1),
    "Demand.patient_cancellation_probability": Help(None, _P, 0.02),
    "Demand.growth_per_year": Help(None, "fraction a year (0.03 = 3%)", 0.03),
    "Demand.quintile_mix": Help(None, _SHARE, {"1": 0.3, "2": 0.2, "3": 0.2, "4": 0.15, "5": 0.15}),
    "Demand.quintile_mix_by_site": Help(
        None, _SHARE, {"new_cross": {"1": 0.4, "2": 0.2, "3": 0.2, "4": 0.1, "5": 0.1}}
    ),
    "DemandLine.per_week": Help(
        "Referrals a week for this procedure from this site.", "referrals a week", 12.5
    ),
    "DemandLine.priority_mix": Help(
        "This line's own priority mix (default: demand's).", _SHARE, {"P2": 0.1, "P4": 0.9}
    ),
    "DemandLine.quintile_mix": Help(
        "This line's own deprivation quintile mix.",
        _SHARE,
        {"1": 0.3, "2": 0.2, "3": 0.2, "4": 0.15, "5": 0.15},
    ),
    "InitialList.lists": Help(
        "The list at the start per site and procedure: its size and how long patients have waited.",
        None,
        {
            "new_cross": {
                "hip": {"size": 400, "wait_age": {"dist": "exponential", "mean": "20 weeks"}}
            }
        },
    ),
    "InitialList.csv": Help(None, None, "backlog.csv"),
    "InitialListEntry.size": Help("Patients waiting at the start.", "patients", 400),
    "InitialListEntry.wait_age": Help(
        "How long they have waited already (a duration or a distribution).",
        None,
        {"dist": "exponential", "mean": "20 weeks"},
    ),
    "InitialListEntry.priority_mix": Help(
        "Their priority mix (default: demand's).", _SHARE, {"P2": 0.1, "P4": 0.9}
    ),
    # -- arrivals (every stream) -------------------------------------------------------------
    "ArrivalPattern.interarrival": Help(None, None, {"dist": "exponential", "mean": "8 hours"}),
    "ArrivalPattern.schedule": Help(None, None, {"days": ["Mon"], "times": ["9 hours"]}),
    "ArrivalPattern.weekday_profile": Help(None, _W, [1.1, 1, 1, 1, 1, 0.9, 0.9]),
    "ArrivalPattern.monthly_profile": Help(
        None, _W, [1.2, 1.1, 1, 1, 0.9, 0.9, 0.9, 0.9, 1, 1, 1, 1.1]
    ),
    "Schedule.times": Help(None, None, ["9 hours", "14 hours"]),
    "Schedule.days": Help("The weekdays the scheduled arrivals come.", None, ["Mon", "Thu"]),
    "Schedule.patients": Help(None, "patients", 2),
    "Emergency.admissions_per_day": Help(
        "Emergency admissions a day needing a general bed.", "admissions a day", 10
    ),
    "Emergency.length_of_stay": Help(
        None, None, {"dist": "lognormal", "mean": "6 days", "sd": "5 days"}
    ),
    "Emergency.delayed_discharge": Help(
        "Chance and length of a delayed discharge.", None, {"probability": 0.1, "extra": "5 days"}
    ),
    "Emergency.when_full": Help(None, None, "queue"),
    "Emergency.streams": Help(
        None, None, {"a_and_e": {"admissions_per_day": 8, "length_of_stay": "5 days"}}
    ),
    "EmergencyStream.admissions_per_day": Help(None, "admissions a day", 8),
    "EmergencyStream.length_of_stay": Help(None, None, "5 days"),
    "EmergencyStream.delayed_discharge": Help(None, None, {"probability": 0.1, "extra": "5 days"}),
    "WaitForBed.until": Help(None, None, "12 hours"),
    "WaitForBed.max_wait": Help(None, None, "4 hours"),
    "WaitForBed.order": Help(None, None, "shortest_stay"),
    "WaitForBed.freed_beds": Help(None, None, "emergencies_first"),
    # -- units of other bed types and critical care -----------------------------------------
    "Unit.beds": Help(None, "beds", 12),
    "Unit.elective_reserved": Help(None, "beds", 2),
    "Unit.turnaround": Help(None, None, "2 hours"),
    "Unit.length_of_stay": Help(None, None, _LOGNORMAL),
    "Unit.admissions": Help(
        None,
        None,
        {
            "stroke": {
                "interarrival": {"dist": "exponential", "mean": "1.2 days"},
                "patient_type": "stroke",
            }
        },
    ),
    "CriticalCareUnit.admissions": Help(None, "admissions a day (per_day)", {"per_day": 2.8}),
    "Unit.planned_admissions": Help(
        None, None, {"cardiac": {"per_day": 1, "length_of_stay": "2 days"}}
    ),
    "Unit.pathways": Help(
        None,
        None,
        {"stroke": {"length_of_stay": "7 days", "next": {"rehabilitation": 0.24, "other": 0.76}}},
    ),
    "Unit.out_of_area": Help(None, None, False),
    "CriticalCareUnit.from_emergency_probability": Help(None, _P, 0.02),
    "CriticalCareUnit.deterioration_probability": Help(None, _P, 0.01),
    "AdmissionSource.per_day": Help(None, "admissions a day", 2.8),
    "AdmissionSource.length_of_stay": Help(None, None, "4 days"),
    "AdmissionSource.patient_type": Help(None, None, "medical"),
    "AdmissionSource.home": Help(None, None, "royal_london"),
    "CriticalCareStream.per_day": Help(None, "admissions a day", 2.8),
    "PlannedSource.per_day": Help(None, "admissions a day", 1),
    "PlannedSource.length_of_stay": Help(None, None, "2 days"),
    "Pathway.length_of_stay": Help(None, None, "10 days"),
    "Pathway.next": Help(None, _P, {"rehabilitation": 0.6}),
    "Branch.p": Help(None, _P, 0.6),
    "Branch.length_of_stay": Help(None, None, "21 days"),
    "NetworkPolicy.when_full": Help(None, None, "transfer"),
    "NetworkPolicy.transfer_to": Help(None, None, "nearest"),
    "NetworkPolicy.hub": Help(None, None, "royal_london"),
    "NetworkPolicy.pooled": Help(None, None, False),
    "NetworkPolicy.transfer_time": Help(None, None, "2 hours"),
    "NetworkPolicy.retrieval_teams": Help(None, "teams", 2),
    "NetworkPolicy.if_none_free": Help(None, None, "refuse"),
    "NetworkPolicy.repatriate": Help(None, None, True),
    "CriticalCarePolicy.check_at_booking": Help(None, None, True),
    "Repatriation.team": Help(None, None, False),
    "Repatriation.priority": Help(None, None, "after_planned"),
    "Census.time_of_day": Help(None, None, "0 hours"),
    "Census.probability_of_delay": Help(None, _P, {"rehabilitation": [10, 12, 14]}),
    "Census.pools": Help(
        None,
        None,
        {
            "stroke": {
                "bed_types": ["acute_stroke", "rehabilitation"],
                "probability_of_delay": [20, 25],
            }
        },
    ),
    "CensusPool.bed_types": Help(None, None, ["acute_stroke", "rehabilitation"]),
    "CensusPool.probability_of_delay": Help(None, "beds", [20, 25, 30]),
    # -- nurse staffing of critical care ----------------------------------------------------
    "CriticalCareUnit.nursing": Help(
        None, None, {"nurses_per_shift": 14, "sickness_absence": 0.05}
    ),
    "CriticalCareUnit.level_3_share": Help(None, _SHARE, 0.5),
    "CriticalCareStream.level_3_share": Help(None, _SHARE, 0.6),
    "AdmissionSource.level_3_share": Help(None, _SHARE, 0.6),
    "PlannedSource.level_3_share": Help(None, _SHARE, 0.3),
    "PostOpCriticalCare.level_3_share": Help(None, _SHARE, 0.3),
    "CriticalCarePolicy.nurses_shared": Help(None, None, "trust"),
    "Nursing.nurses_per_shift": Help(None, "nurses a shift", 14),
    "Nursing.shifts_per_day": Help(None, "shifts a day", 2),
    "Nursing.first_shift_starts": Help(None, None, "7.5 hours"),
    "Nursing.sickness_absence": Help(None, _P, 0.05),
    "Nursing.patients_per_nurse": Help(None, None, {"level_3": 1, "level_2": 2}),
    "PatientsPerNurse.level_3": Help(None, "patients a nurse", 1),
    "PatientsPerNurse.level_2": Help(None, "patients a nurse", 2),
    # -- policies --------------------------------------------------------------------------
    "Policies.routing": Help(
        "Rules sending referrals to other sites for treatment (e.g. "
        "routine orthopaedics to a hub); the first rule that matches "
        "applies.",
        None,
        [{"procedures": ["hip", "knee"], "from_trusts": ["RWT"], "to": ["cannock"]}],
    ),
    "Policies.ring_fence_elective_beds": Help(
        "Emergency patients never use the ring-fenced elective beds.", None, True
    ),
    "Policies.electives_use_general_beds": Help(
        "Elective inpatients may take a general bed when no elective bed is free.", None, True
    ),
    "Policies.wait_for_bed": Help(None, None, {"until": "12 hours", "order": "shortest_stay"}),
    "Policies.booking": Help(
        "How patients are chosen from the list and booked into sessions.",
        None,
        {"order": "priority_then_wait", "lead_time": "1 week"},
    ),
    "Policies.theatre_day": Help(
        "Late starts, early finishes and turnover between cases "
        "(all theatres, unless a theatre gives its own).",
        None,
        {"late_start": "20 min", "turnover": "15 min"},
    ),
    "Policies.on_cancellation": Help(None, None, "return_to_list"),
    "Policies.mutual_aid": Help(
        None,
        None,
        {"long_waiters": {"to": ["cannock"], "every": "4 weeks", "waited_over": "52 weeks"}},
    ),
    "Policies.escalation": Help(None, None, [{"after": "52 weeks", "to": "P3"}]),
    "Policies.critical_care": Help(None, None, {"when_full": "transfer"}),
    "Policies.networks": Help(None, None, {"camhs": {"when_full": "transfer"}}),
    "RoutingRule.procedures": Help("Only these procedures (default: any).", None, ["hip", "knee"]),
    "RoutingRule.complexity": Help("Only these complexities (default: any).", None, ["routine"]),
    "RoutingRule.specialty": Help("Only this specialty (default: any).", None, "ortho"),
    "RoutingRule.from_trusts": Help(
        "Only referrals from these trusts (default: any).", None, ["RWT", "WHT"]
    ),
    "RoutingRule.from_sites": Help(
        "Only referrals from these sites (default: any).", None, ["new_cross"]
    ),
    "RoutingRule.to": Help(
        "The sites that treat matching referrals (one or a list).", None, ["cannock"]
    ),
    "RoutingRule.choose": Help(None, None, "nearest"),
    "Booking.order": Help(None, None, "priority_then_wait"),
    "Booking.deprivation_credit": Help(None, None, {"1": "4 weeks", "2": "2 weeks"}),
    "Booking.quintile1_after": Help(None, None, "40 weeks"),
    "Booking.lead_time": Help(None, None, "1 week"),
    "Booking.fill_to": Help(None, "share of session time, 0 to 1.5", 0.9),
    "Booking.lookahead": Help(None, "patients", 20),
    "MutualAid.from_trusts": Help("Offer patients of these trusts (default: any).", None, ["SWB"]),
    "MutualAid.from_sites": Help("Offer patients of these sites (default: any).", None, ["mmuh"]),
    "MutualAid.specialties": Help("Only these specialties (default: any).", None, ["ortho"]),
    "MutualAid.procedures": Help("Only these procedures (default: any).", None, ["hip"]),
    "MutualAid.to": Help(
        "The sites that may take the patients (one or a list).", None, ["cannock"]
    ),
    "MutualAid.every": Help("Run a round of offers this often (or give at).", None, "4 weeks"),
    "MutualAid.at": Help(
        "One-off rounds at these times from the start.", None, ["10 weeks", "30 weeks"]
    ),
    "MutualAid.start": Help("The first round, from the start of the simulation.", None, "8 weeks"),
    "MutualAid.end": Help(
        "No rounds after this time from the start (default: none).", None, "1 year"
    ),
    "MutualAid.waited_over": Help(
        "Offer patients who have waited longer than this.", None, "52 weeks"
    ),
    "MutualAid.predicted_breach": Help(None, None, "65 weeks"),
    "MutualAid.only_to_shorter_lists": Help(None, None, True),
    "MutualAid.acceptance": Help(
        "Chance a patient accepts, by extra travel.",
        None,
        {"extra_km": [0, 193], "probability": [0.6, 0.5]},
    ),
    "MutualAid.capacity_per_round": Help(None, "patients", 50),
    "Acceptance.extra_km": Help(
        "Extra travel distances, increasing, at which the chance of accepting is given.",
        "km",
        [0, 193],
    ),
    "Acceptance.probability": Help(
        "Chance of accepting at each extra_km distance.", _P, [0.6, 0.5]
    ),
    "Escalation.after": Help("After waiting this long...", None, "52 weeks"),
    "Escalation.to": Help("...the patient's priority becomes this (if more urgent).", None, "P3"),
    "Escalation.quintiles": Help(
        "Only for these deprivation quintiles (default: everyone).",
        "deprivation quintile, 1 (most deprived) to 5",
        [1, 2],
    ),
    # -- staff and calendar ----------------------------------------------------------------
    "Staff.groups": Help(
        "Staff groups by name (surgeons, anaesthetists, theatre teams).",
        None,
        {"anaesthetists": {"members": {"new_cross": 6}}},
    ),
    "Staff.needs": Help(None, "members per session", {"default": {"anaesthetists": 1}}),
    "StaffGroup.members": Help(
        "How many members are based at each site.", "staff members", {"new_cross": 6}
    ),
    "StaffGroup.days": Help(
        "The weekdays each member works.", None, ["Mon", "Tue", "Wed", "Thu", "Fri"]
    ),
    "StaffGroup.sessions_per_day": Help(
        "Half-day sessions a member covers a day (an all-day list takes two).", "sessions a day", 2
    ),
    "StaffGroup.sickness_absence": Help("Chance a member is off sick on a given day.", _P, 0.045),
    "StaffGroup.shared": Help(
        "Who the group covers: its own site, any site of its trust, or the whole collaborative.",
        None,
        "trust",
    ),
    "StaffGroup.travel": Help("How late cover from another site arrives.", None, "30 min"),
    "Calendar.bank_holidays": Help(None, None, "england_and_wales"),
    "Calendar.referrals_on_bank_holidays": Help(None, _W + " (or weekend)", "weekend"),
    "Calendar.industrial_action": Help(
        None, None, [{"dates": ["2025-06-10"], "share_of_sessions": 0.5}]
    ),
    "IndustrialAction.dates": Help(None, None, ["2025-06-10", "2025-06-11"]),
    "IndustrialAction.share_of_sessions": Help(None, _SHARE, 0.5),
    "IndustrialAction.sites": Help(None, None, ["new_cross"]),
    "IndustrialAction.specialties": Help(None, None, ["ortho"]),
    # -- distributions ---------------------------------------------------------------------
    "Fixed.dist": Help("The kind of distribution: always the same value.", None, "fixed"),
    "Fixed.value": Help("The value.", None, "3 days"),
    "Exponential.dist": Help(
        "The kind of distribution: exponential (memoryless).", None, "exponential"
    ),
    "Exponential.mean": Help("The mean.", None, "6 days"),
    "Lognormal.dist": Help(
        "The kind of distribution: lognormal (skewed, long right tail; "
        "given by its mean and sd, not those of the log).",
        None,
        "lognormal",
    ),
    "Lognormal.mean": Help("The mean.", None, "3 days"),
    "Lognormal.sd": Help("The standard deviation.", None, "2 days"),
    "Gamma.dist": Help(
        "The kind of distribution: gamma (given by its mean and sd).", None, "gamma"
    ),
    "Gamma.mean": Help("The mean.", None, "3 days"),
    "Gamma.sd": Help("The standard deviation.", None, "2 days"),
    "Triangular.dist": Help(
        "The kind of distribution: triangular (lowest, most likely, highest).", None, "triangular"
    ),
    "Triangular.low": Help("The lowest value.", None, "60 min"),
    "Triangular.mode": Help("The most likely value.", None, "90 min"),
    "Triangular.high": Help("The highest value.", None, "150 min"),
    "Uniform.dist": Help(
        "The kind of distribution: uniform between low and high.", None, "uniform"
    ),
    "Uniform.low": Help("The lowest value.", None, "1 days"),
    "Uniform.high": Help("The highest value.", None, "3 days"),
    "TruncatedNormal.dist": Help(
        "The kind of distribution: normal, cut at low (and high).", None, "truncated_normal"
    ),
    "TruncatedNormal.mean": Help("The mean before truncation.", None, "90 min"),
    "TruncatedNormal.sd": Help("The standard deviation before truncation.", None, "15 min"),
    "TruncatedNormal.low": Help("No value below this.", None, "30 min"),
    "TruncatedNormal.high": Help("No value above this (default: none).", None, "180 min"),
    "Empirical.dist": Help(
        "The kind of distribution: observed values, drawn with weights.", None, "empirical"
    ),
    "Empirical.values": Help("The observed values.", None, ["1 days", "2 days", "5 days"]),
    "Empirical.weights": Help(
        "How often each value occurs (default: equally often).", "relative weight", [5, 3, 1]
    ),
    "Component.p": Help("The chance a draw comes from this component.", _P, 0.9),
    "Component.of": Help(
        "The component's distribution (written beside p in the file).",
        None,
        {"dist": "exponential", "mean": "3 days"},
    ),
    "Mixture.dist": Help(
        "The kind of distribution: one of several, chosen with probabilities.", None, "mixture"
    ),
    "Mixture.components": Help(
        "The distributions, each with its probability p (adding up to 1).",
        None,
        [
            {"p": 0.9, "dist": "exponential", "mean": "3 days"},
            {"p": 0.1, "dist": "exponential", "mean": "20 days"},
        ],
    ),
}


def help_for(classes: tuple[type, ...], key: str) -> Help | None:
    """The help of field ``key`` of a model, looked up along its classes (``__mro__``)."""
    for cls in classes:
        found = FIELD_HELP.get(f"{cls.__name__}.{key}")
        if found is not None:
            return found
    return None
