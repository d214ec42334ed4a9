"""The elective pathway in words: referral, routing, booking, the day of surgery, the backlog."""

from __future__ import annotations

from typing import Any

from ...scenario.schema import WEEKDAYS, Booking, Scenario
from ..htmltext import (
    MONTHS,
    dist,
    dur,
    esc,
    flow_boxes,
    html_list,
    mix,
    profile,
    site_name,
    table,
)
from .base import Part
from .wards import bed_wait_sentence, discharge_hours_sentence

COVERED = {
    "": {"procedures", "demand", "initial_waiting_list"},
    "policies": {"routing", "booking", "theatre_day", "on_cancellation"},
    "site": {"theatres"},
}


def theatre_rows(sc: Scenario) -> list[tuple[object, ...]]:
    """Site, theatre, count, specialty, sessions a week and hours a week, per session plan."""
    rows = []
    for sid, site in sc.sites.items():
        for tname, th in site.theatres.items():
            for plan in th.sessions:
                n = len(plan.days) * th.count
                days = " ".join(plan.days) + f" ({plan.slot})"
                if plan.cyclic:  # on average over the cycle
                    n = round(n * len(plan.weeks) / plan.cycle_weeks, 2)
                    weeks = ", ".join(str(w) for w in plan.weeks)
                    days += f", week {weeks} of {plan.cycle_weeks}"
                rows.append(
                    (
                        site_name(sc, sid),
                        tname,
                        th.count,
                        plan.specialty,
                        days,
                        n,
                        f"{n * plan.session_length * 24:g}",
                    )
                )
    return rows


def routing_sentences(sc: Scenario) -> list[str]:
    """Each routing rule as an escaped sentence."""
    out = []
    for rule in sc.policies.routing:
        what = ", ".join(rule.procedures) if rule.procedures else "all procedures"
        if rule.complexity:
            what += f" ({' or '.join(rule.complexity)} cases)"
        if rule.specialty:
            what += f" of specialty {rule.specialty}"
        frm = []
        if rule.from_trusts:
            frm.append("trusts " + ", ".join(rule.from_trusts))
        if rule.from_sites:
            frm.append("sites " + ", ".join(rule.from_sites))
        where = " and ".join(frm) or "every site"
        to = ", ".join(site_name(sc, t) for t in rule.to)
        choose = f", choosing the {rule.choose.replace('_', ' ')}" if len(rule.to) > 1 else ""
        out.append(esc(f"{what} referred from {where} are treated at {to}{choose}."))
    return out


def booking_order_text(booking: Booking) -> str:
    """The booking order in words, with the figures it uses."""
    credit = ", ".join(
        f"quintile {q} {dur(days)}" for q, days in sorted(booking.deprivation_credit.items())
    )
    return {
        "priority_then_wait": "clinical priority, then longest wait",
        "longest_wait": "longest wait first, whatever the priority",
        "deprivation_weighted": "clinical priority, then longest wait with a waiting-time "
        f"credit by deprivation ({credit or 'no credit given'})",
        "quintile1_long_waiters_first": "clinical priority, then patients of the most "
        f"deprived quintile who have waited over {dur(booking.quintile1_after)}, then "
        "longest wait",
    }[booking.order]


def capacity(sc: Scenario) -> list[str]:
    n_theatres = sum(t.count for s in sc.sites.values() for t in s.theatres.values())
    sessions = sum(r[5] for r in theatre_rows(sc))
    return [f"{n_theatres} theatre(s) holding {sessions} sessions a week"]


def flow(sc: Scenario) -> str:
    return flow_boxes(
        "referral at home site",
        "routing" + (" to hubs" if sc.policies.routing else ""),
        "waiting list (site × specialty)",
        "booked onto a session",
        "day of surgery: bed? theatre time? patient fit?",
        "operation",
        "ward stay",
        "discharge",
    ) + flow_boxes("cancelled on the day: back to the list", "left the list untreated", minor=True)


def logic(sc: Scenario) -> list[str]:
    pol = sc.policies
    order = booking_order_text(pol.booking)
    again = {
        "return_to_list": "rejoins the list in the usual order, keeping their wait",
        "rebook_first": "goes to the front of the list",
        "leave": "leaves the list untreated, whatever the cause, and the slot is lost",
    }[pol.on_cancellation]
    beds = ("ring-fenced elective beds first" if pol.ring_fence_elective_beds else "any bed") + (
        ", then general beds" if pol.electives_use_general_beds else " (never general beds)"
    )
    no_bed = bed_wait_sentence(sc)
    return [
        "Patients are referred at their home site and routed to the site that treats them "
        "(see 2.3); they wait on that site's list for the procedure's specialty.",
        f"Lists are filled {dur(pol.booking.lead_time)} before each session in order of "
        f"{order}, with planned case times up to {pol.booking.fill_to:.0%} of the session, "
        f"looking up to {pol.booking.lookahead} patients down the list for a case that fits.",
        f"On the day an inpatient needs a ward bed: {beds}; {no_bed}",
        "A late start or early finish can leave no time for a case (no theatre time); "
        "earlier cases running long can push a case out (overrun). Patients may also "
        f"cancel (probability {sc.demand.patient_cancellation_probability:.1%}).",
        f"A patient cancelled on the day {again}.",
        "After the operation the patient stays for their length of stay plus any delayed "
        "discharge; the bed is then out of use for its turnaround time."
        + discharge_hours_sentence(sc),
        f"Patients leave the list untreated at a rate of "
        f"{sc.demand.removal_per_year:.0%} a year (validation).",
    ]


def template_sentences(sc: Scenario) -> list[str]:
    """Sessions booked from a template (by count), in words."""
    out = []
    for sid, site in sc.sites.items():
        for tname, th in site.theatres.items():
            for plan in th.sessions:
                mixes = plan.case_mixes()
                if not mixes:
                    continue

                def words(cases: int | dict[str, int], spec: str = plan.specialty) -> str:
                    if isinstance(cases, int):
                        return f"{cases} {spec} case(s) of any procedure"
                    return ", ".join(f"{n} {p}" for p, n in cases.items())

                what = (
                    words(mixes[0][1])
                    if len(mixes) == 1
                    else "; or ".join(f"{words(c)} (p = {p:g})" for p, c in mixes)
                )
                out.append(
                    f"{site_name(sc, sid)} {tname}, {' '.join(plan.days)} ({plan.slot}): {what}."
                )
    if out:
        out.append(
            "These lists are booked by count, not by planned minutes: patients of the named "
            "procedures in booking order from the site's list for the specialty, passing over "
            f"at most {sc.policies.booking.lookahead} patients in all; a mix among "
            "alternatives is drawn for each session; places left unfilled stay empty."
        )
    return out


def logic_block(sc: Scenario) -> tuple[str, list[str]] | None:
    said = template_sentences(sc)
    return ("Session templates", said) if said else None


def algorithms(sc: Scenario) -> list[str]:
    return [
        "Each waiting list keeps, per group of the booking order (e.g. priority), lanes of "
        "patients in referral order: a new referral joins at the tail and the next patient is "
        "taken from a head in O(1); patients who come back out of order (cancelled, moved, "
        "re-scored) go into a small heap beside the lane.",
        "Routing to several sites chooses the nearest by great-circle distance from the home "
        "site, or the shortest list, as each rule says.",
    ]


def scenario_logic(sc: Scenario) -> str:
    routing = routing_sentences(sc)
    return html_list(routing) if routing else "<p>No routing rules: every site treats its own.</p>"


def changes(base: Scenario, other: Scenario) -> str:
    theirs = routing_sentences(other)
    if theirs == routing_sentences(base):
        return ""
    return html_list(theirs) if theirs else "<p>No routing rules.</p>"


def entities(sc: Scenario) -> list[str]:
    return [
        f"Elective patients, one kind per procedure ({len(sc.procedures)}), with a "
        "clinical priority (P1-P4) drawn from the priority mix " + mix(sc.demand.priority_mix) + "."
    ]


def activities(sc: Scenario) -> str:
    return table(
        ["procedure", "specialty", "theatre time", "planned time", "length of stay", "day case"],
        [
            (
                f"{p.name or k} ({k})",
                p.specialty,
                dist(p.duration),
                dur(p.planning_time),
                dist(p.length_of_stay),
                f"{p.day_case_probability:.0%}",
            )
            for k, p in sc.procedures.items()
        ],
    )


def resources(sc: Scenario) -> list[Part]:
    headers = ["site", "theatre", "count", "specialty", "days (slot)", "sessions/week"]
    return [Part(20, table([*headers, "hours/week"], theatre_rows(sc)))]


def queues(sc: Scenario) -> list[str]:
    lists = sorted({(sid, p.specialty) for sid in sc.sites for p in sc.procedures.values()})
    treat = ", ".join(f"{s}/{sp}" for s, sp in lists if sp in sc.sites[s].specialties())
    return [f"Waiting lists (one per treating site and specialty): {treat}."]


def preprocessing(sc: Scenario) -> list[str]:
    if sc.initial_waiting_list.csv:
        return ["the backlog is read from a CSV of individual patients"]
    return ["the starting backlog is drawn from each list's size and wait-age distribution"]


def parameters(sc: Scenario) -> list[Part]:
    dem = sc.demand
    procs = sorted({p for by in dem.referrals.values() for p in by})
    demand_rows = []
    for sid, by in dem.referrals.items():
        cells = [f"{7 * by[p].mean_per_day:.4g}" if p in by else "" for p in procs]
        week = sum(7 * x.mean_per_day for x in by.values())
        demand_rows.append((site_name(sc, sid), *cells, f"{week:.4g}"))
    total = sum(7 * x.mean_per_day for by in dem.referrals.values() for x in by.values())
    demand_rows.append(("whole collaborative", *[""] * len(procs), f"{total:g}"))
    demand = table(["referrals per week", *procs, "total"], demand_rows)
    overrides = [
        f"{p}: {mix(line.priority_mix)}"
        for by in dem.referrals.values()
        for p, line in by.items()
        if line.priority_mix
    ]
    demand += (
        f"<p class='note'>Priority mix {esc(mix(dem.priority_mix))}"
        + (f"; overridden for {esc('; '.join(sorted(set(overrides))))}" if overrides else "")
        + f". Referral weekday profile: {esc(profile(dem.weekday_profile, WEEKDAYS))}; "
        f"monthly: {esc(profile(dem.monthly_profile, MONTHS))}.</p>"
    )
    td = sc.policies.theatre_day
    theatre_day = table(
        ["applies to", "late start", "early finish", "turnover", "overrun allowed"],
        [("all theatres", dist(td.late_start), dist(td.early_finish), dur(td.turnover),
          dur(td.overrun_allowed))]
        + [
            (f"{site_name(sc, sid)} / {t}", dist(x.late_start), dist(x.early_finish),
             dur(x.turnover), dur(x.overrun_allowed))
            for sid, s in sc.sites.items()
            for t, th in s.theatres.items()
            if (x := th.theatre_day) is not None
        ],
    )  # fmt: skip
    return [
        Part(10, "<p><b>Elective referrals</b></p>" + demand),
        Part(20, "<p><b>Waiting list at the start</b></p>" + _backlog(sc)),
        Part(40, "<p><b>Theatre day</b> (time lost on the day)</p>" + theatre_day),
    ]


def _backlog(sc: Scenario) -> str:
    """Patients waiting at the start, site by procedure, with their wait so far."""
    lists = sc.initial_waiting_list.lists
    if not lists:
        return "<p>none given as sizes</p>"
    procs = sorted({p for by in lists.values() for p in by})
    ages = {dist(e.wait_age) for by in lists.values() for e in by.values()}
    same = len(ages) == 1

    def cell(e: Any) -> str:
        return f"{e.size:,}" if same else f"{e.size:,} ({dist(e.wait_age)})"

    rows = [
        (site_name(sc, sid), *[cell(by[p]) if p in by else "" for p in procs],
         f"{sum(e.size for e in by.values()):,}")
        for sid, by in lists.items()
    ]  # fmt: skip
    note = f"<p class='note'>Wait so far, every list: {esc(ages.pop())}.</p>" if same else ""
    return table(["patients waiting at the start", *procs, "total"], rows) + note


def assumptions(sc: Scenario) -> list[Part]:
    dem = sc.demand
    return [
        Part(40, esc("Patients do not change site once routed, and travel does not change "
                     "their outcome.")),
        Part(50, esc(f"A booked patient cancels on the day with probability "
                     f"{dem.patient_cancellation_probability:.1%}; patients leave the list "
                     f"untreated at {dem.removal_per_year:.0%} a year.")),
    ]  # fmt: skip


def initialisation(sc: Scenario) -> list[str]:
    backlog = sum(e.size for by in sc.initial_waiting_list.lists.values() for e in by.values())
    return [
        f"Beds and theatres start empty; {backlog:,} patients are already waiting at the "
        "start (3.3)" + (" plus those in the backlog CSV" if sc.initial_waiting_list.csv else "")
    ]
