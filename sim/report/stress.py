"""A model description in the STRESS-DES structure, written from the scenario and run settings.

STRESS-DES (Monks et al. 2019, *Strengthening the reporting of empirical simulation
studies*) asks a simulation study to state its 1 objectives, 2 logic, 3 data,
4 experimentation, 5 implementation and 6 code access. Every figure below is read from
the scenario as run and the run's manifest (sites, theatres and their sessions a week,
beds, emergency rates, procedures and their distributions, routing rules, warm-up,
horizon, replications, seed), so the description cannot drift from the model that
produced the numbers. Functions return HTML fragments; all scenario text is escaped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..metrics import KPIS
from ..metrics.registry import BASIS_TEXT
from ..scenario.load import scenario_dict
from ..scenario.networks import CRITICAL_CARE, Unit, network_policy, units_of
from ..scenario.schema import WEEKDAYS, Booking, Scenario
from .htmltext import delay, dist, dur, esc, html_list, profile, table


def _sub(number: str, title: str, body: str) -> str:
    return f'<h4>{esc(number)} {esc(title)}</h4>\n<div class="stress-item">{body}</div>'


def _site(sc: Scenario, sid: str) -> str:
    s = sc.sites[sid]
    return f"{s.name} ({sid})" if s.name else sid


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
                        _site(sc, sid),
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
        to = ", ".join(_site(sc, t) for t in rule.to)
        choose = f", choosing the {rule.choose.replace('_', ' ')}" if len(rule.to) > 1 else ""
        out.append(esc(f"{what} referred from {where} are treated at {to}{choose}."))
    return out


def _differences(a: Any, b: Any, path: str = "") -> list[tuple[str, str, str]]:
    """Leaf paths where two scenario dicts differ: (path, baseline, this scenario)."""
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and a:
        if all(not isinstance(x, dict | list) for x in a + b):
            return [] if a == b else [(path, _short(a), _short(b))]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                for d in _differences(x, y, f"{path}.{i}")]  # fmt: skip
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in list(a) + [k for k in b if k not in a]:
            if k in ("name", "description") and not path:
                continue
            sub = f"{path}.{k}" if path else str(k)
            if k not in b:
                out.append((sub, _short(a[k]), "(removed)"))
            elif k not in a:
                out.append((sub, "(absent)", _short(b[k])))
            else:
                out.extend(_differences(a[k], b[k], sub))
        return out
    return [] if a == b else [(path, _short(a), _short(b))]


def _short(x: Any, limit: int = 80) -> str:
    if isinstance(x, dict) and limit < 200:
        return "{" + ", ".join(str(k) for k in x) + "}" if len(x) <= 6 else f"{{{len(x)} fields}}"
    text = x if isinstance(x, str) else json.dumps(x, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def scenario_changes(base: Scenario, other: Scenario, limit: int = 60) -> str:
    """An HTML table of what a scenario changes against the baseline (resolved data)."""
    rows = _differences(scenario_dict(base), scenario_dict(other))
    note = ""
    if len(rows) > limit:
        note = f"<p>… and {len(rows) - limit} more differences (see the scenario files).</p>"
    return table(["field", "baseline", "this scenario"], rows[:limit]) + note


def describe(
    sc: Scenario,
    manifest: dict[str, Any],
    *,
    compared: Sequence[Scenario] = (),
    kpis: Sequence[str] | None = None,
) -> str:
    """The STRESS-DES sections 1-6 for a scenario run (and any scenarios compared with it).

    ``compared`` lists the other scenarios when this is the baseline of a comparison;
    what each changes goes under 2.3 Scenario logic. ``kpis``
    limits 1.2 to the KPIs the run reported.
    """
    return "\n".join(
        [
            _objectives(sc, manifest, compared, kpis),
            _logic(sc, manifest, compared),
            "<h3>3 Data</h3>" + _data(sc),
            _experimentation(sc, manifest, compared),
            _implementation(manifest),
            _code_access(manifest, compared),
        ]
    )


def _objectives(
    sc: Scenario,
    manifest: dict[str, Any],
    compared: Sequence[Scenario],
    kpis: Sequence[str] | None,
) -> str:
    reps = manifest.get("reps", "?")
    trusts = "; ".join(f"{t.name} ({k})" for k, t in sc.trusts.items())
    n_theatres = sum(t.count for s in sc.sites.values() for t in s.theatres.values())
    sessions = sum(r[5] for r in theatre_rows(sc))
    beds = sum(s.beds.general + s.beds.elective for s in sc.sites.values() if s.beds)
    cc_beds = sum(s.critical_care.bed_count for s in sc.sites.values() if s.critical_care)
    others = [(bt, by) for bt, by in units_of(sc).items() if bt != CRITICAL_CARE]
    units = "".join(f"{len(by)} {bt.replace('_', ' ')} unit(s), " for bt, by in others)
    purpose = (
        f"<p>{esc(sc.description or sc.name)}</p><p>The model represents "
        f"{len(sc.trusts)} trust(s) ({esc(trusts)}) with {len(sc.sites)} site(s), "
        f"{n_theatres} theatre(s) holding {sessions} sessions a week, {beds} ward beds, "
        + (f"{cc_beds} critical care beds, " if cc_beds else "")
        + esc(units)
        + f"and {len(sc.procedures)} procedure(s). It estimates what happens to the waiting list, "
        "waits, on-the-day cancellations, throughput, theatre and bed use, and emergency "
        f"patients' waits for a bed over {esc(dur(sc.horizon - sc.warm_up))} after a "
        "warm-up.</p>"
    )
    shown = [KPIS[k] for k in KPIS.order(kpis) if k in KPIS] if kpis is not None else list(KPIS)
    shown = list({k.name: k for k in shown}.values())  # a family once
    outputs = table(
        ["KPI", "unit", "counted by", "definition"],
        [(k.name, k.unit, BASIS_TEXT[k.basis], k.definition) for k in shown],
        "compact",
    )
    if compared:
        names = ", ".join(f"'{o.name}'" for o in compared)
        aims = (
            f"Compare {esc(names)} with the baseline '{esc(sc.name)}': each KPI's paired "
            f"difference (scenario minus baseline) over {esc(reps)} replications on common "
            "random numbers, with its 95% confidence interval and whether it excludes 0."
        )
    else:
        aims = (
            f"Estimate each KPI of '{esc(sc.name)}' as a mean over {esc(reps)} replications "
            "with a 95% confidence interval, for the whole collaborative and by site."
        )
    return (
        "<h3>1 Objectives</h3>"
        + _sub("1.1", "Purpose of the model", purpose)
        + _sub("1.2", "Model outputs", outputs)
        + _sub("1.3", "Experimentation aims", f"<p>{aims}</p>")
    )


def _flow(*steps: str, minor: bool = False) -> str:
    arrow = "" if minor else '<i class="arrow">→</i>'
    boxes = arrow.join(f"<span>{esc(x)}</span>" for x in steps)
    return f'<div class="flow{" minor" if minor else ""}">{boxes}</div>'


def flow_diagram(sc: Scenario) -> str:
    """2.1: the pathways of this scenario as boxes and arrows (HTML and CSS only)."""
    out = _flow(
        "referral at home site",
        "routing" + (" to hubs" if sc.policies.routing else ""),
        "waiting list (site × specialty)",
        "booked onto a session",
        "day of surgery: bed? theatre time? patient fit?",
        "operation",
        "ward stay",
        "discharge",
    ) + _flow("cancelled on the day: back to the list", "left the list untreated", minor=True)
    if any(s.emergency for s in sc.sites.values()):
        out += _flow("emergency admission", "general bed (or wait / divert)", "discharge")
    if critical_care_sentences(sc):
        out += _flow(
            "unplanned critical care patient",
            "own unit, or transfer / refuse",
            "critical care stay",
            "discharge",
        )
    for bt, by_site in units_of(sc).items():
        if bt == CRITICAL_CARE:
            continue
        nexts = sorted({d for u in by_site.values() for p in u.pathways.values() for d in p.next})
        out += _flow(
            f"patient needing a {bt.replace('_', ' ')} bed",
            "own unit"
            + (
                ""
                if all(not u.limited for u in by_site.values())
                else ", or wait / transfer / refuse"
            ),  # fmt: skip
            "stay (by patient type and next destination)",
            "next: " + (", ".join(nexts) if nexts else "home"),
        )
    return out


ALGORITHMS = (
    "Referrals and emergency admissions are Poisson processes whose rate is constant "
    "within a day and follows the weekday and monthly profiles (mean-preserving); arrival "
    "times are generated exactly by spending unit-mean exponential draws against the "
    "cumulative rate.",
    "Lognormal and gamma times are given by their mean and standard deviation (the "
    "lognormal's log-parameters are derived from them).",
    "Each waiting list keeps, per group of the booking order (e.g. priority), lanes of "
    "patients in referral order: a new referral joins at the tail and the next patient is "
    "taken from a head in O(1); patients who come back out of order (cancelled, moved, "
    "re-scored) go into a small heap beside the lane.",
    "Routing to several sites chooses the nearest by great-circle distance from the home "
    "site, or the shortest list, as each rule says.",
)


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


def _logic(sc: Scenario, manifest: dict[str, Any], compared: Sequence[Scenario]) -> str:
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
    logic = html_list(
        esc(x)
        for x in (
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
            "Emergency admissions need a general bed and "
            + freed_beds_text(sc)
            + "; "
            + (
                "ring-fenced beds are never given to emergencies."
                if pol.ring_fence_elective_beds
                else "elective beds are not ring-fenced."
            )
            if any(s.emergency for s in sc.sites.values())
            else "No site has emergency admissions competing for ward beds.",
        )
    )
    templates = template_sentences(sc)
    if templates:
        logic += "<p><b>Session templates</b></p>" + html_list(esc(x) for x in templates)
    cc = critical_care_sentences(sc)
    if cc:
        logic += "<p><b>Critical care</b></p>" + html_list(esc(x) for x in cc)
    days = calendar_sentences(sc)
    if days:
        logic += "<p><b>Calendar</b></p>" + html_list(esc(x) for x in days)
    for bt, lines in network_sentences(sc).items():
        logic += f"<p><b>{esc(bt.replace('_', ' ').capitalize())} units</b></p>" + html_list(
            esc(x) for x in lines
        )
    routing = routing_sentences(sc)
    scen = html_list(routing) if routing else "<p>No routing rules: every site treats its own.</p>"
    others = other_settings(sc)
    if others:
        scen += "<p>Other settings in force (as written in the scenario):</p>" + table(
            ["field", "value"], others
        )
    for other in compared:
        scen += f"<p><b>What '{esc(other.name)}' changes</b></p>"
        theirs = routing_sentences(other)
        if theirs != routing:
            scen += html_list(theirs) if theirs else "<p>No routing rules.</p>"
        their_cc = critical_care_sentences(other)
        if their_cc != cc:
            scen += html_list(esc(x) for x in their_cc)
        scen += scenario_changes(sc, other)
        scen += f"<details><summary>Its theatres and beds</summary>{_resources(other)}</details>"
    return (
        "<h3>2 Logic</h3>"
        + _sub("2.1", "Base model overview diagram", flow_diagram(sc))
        + _sub("2.2", "Base model logic", logic)
        + _sub("2.3", "Scenario logic", scen)
        + _sub("2.4", "Algorithms", html_list(esc(x) for x in ALGORITHMS))
        + _sub("2.5", "Components", _components(sc))
    )


def bed_wait_sentence(sc: Scenario) -> str:
    """What an inpatient who finds no bed on the day does, in words."""
    wait = sc.policies.wait_for_bed
    if wait is None:
        return "with none free the operation is cancelled (no bed)."
    if wait.until is not None:
        minutes = round(wait.until * 1440)
        cutoff = f"{minutes // 60:02d}:{minutes % 60:02d} on the day of surgery"
    else:
        cutoff = f"a wait drawn for each patient, {dist(wait.max_wait)}"
    order = {
        "list_order": "in the order they came (list order within a list)",
        "shortest_stay": "shortest expected stay first (the procedure's mean, delayed "
        "discharge included), then list order",
        "priority": "most urgent clinical priority first, then list order",
    }[wait.order]
    return (
        "with none free the patient waits in the admissions lounge until a cut-off ("
        f"{cutoff}) and takes the first suitable bed freed, waiting patients {order}; only at "
        "the cut-off is the operation cancelled (no bed). The list runs in list order among "
        "the patients who have a bed; one who gets a bed later takes their place on the list "
        "and is operated on if the session still has time, else cancelled for want of time. "
        "With nobody ready the theatre stands idle until a bed frees (time lost, not "
        "overrun); once even the shortest waiting case could no longer start the list ends "
        "and whoever still waits is cancelled (no bed)."
    )


def freed_beds_text(sc: Scenario) -> str:
    """Who takes a freed bed: waiting emergencies or waiting electives."""
    wait = sc.policies.wait_for_bed
    rule = "emergencies_first" if wait is None else wait.freed_beds
    return {
        "emergencies_first": "come first for the next one to free",
        "electives_first": "take a freed bed that no elective patient waiting on the day of "
        "surgery can use",
        "first_come_first_served": "share freed beds with elective patients waiting on the "
        "day of surgery, whoever has waited longer first",
    }[rule]


def discharge_hours_sentence(sc: Scenario) -> str:
    """The hour patients leave, for sites with a discharge profile."""
    sites = [_site(sc, k) for k, s in sc.sites.items() if s.beds and s.beds.discharge_profile]
    if not sites:
        return ""
    return (
        f" At {', '.join(sites)} the length of stay sets the day a patient (elective or "
        "emergency) leaves and the site's hourly discharge profile the time of day, never "
        "before admission."
    )


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
                    f"{_site(sc, sid)} {tname}, {' '.join(plan.days)} ({plan.slot}): {what}."
                )
    if out:
        out.append(
            "These lists are booked by count, not by planned minutes: patients of the named "
            "procedures in booking order from the site's list for the specialty, passing over "
            f"at most {sc.policies.booking.lookahead} patients in all; a mix among "
            "alternatives is drawn for each session; places left unfilled stay empty."
        )
    return out


def _components(sc: Scenario) -> str:
    """2.5: entities, activities, resources, queues, entry and exit points."""
    entities = html_list(
        [
            esc(
                f"Elective patients, one kind per procedure ({len(sc.procedures)}), with a "
                "clinical priority (P1-P4) drawn from the priority mix "
                + _mix(sc.demand.priority_mix)
                + "."
            ),
            esc("Emergency patients at sites with emergency admissions."),
        ]
        + (
            [esc("Critical care patients: unplanned, and planned after surgery.")]
            if critical_care_sentences(sc)
            else []
        )
        + [
            esc(
                f"Patients needing a {bt.replace('_', ' ')} bed"
                + (f", of types {', '.join(types)}" if types else "")
                + "."
            )
            for bt, by in units_of(sc).items()
            if bt != CRITICAL_CARE
            for types in [sorted({t for u in by.values() for t in u.pathways})]
        ]
    )
    activities = table(
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
    resources = _resources(sc)
    lists = sorted({(sid, p.specialty) for sid in sc.sites for p in sc.procedures.values()})
    treat = ", ".join(f"{s}/{sp}" for s, sp in lists if sp in sc.sites[s].specialties())
    queueing = [k for k, s in sc.sites.items() if s.emergency and s.emergency.when_full == "queue"]
    queues = html_list(
        [
            esc(f"Waiting lists (one per treating site and specialty): {treat}."),
            esc(
                "Emergency patients waiting for a general bed (sites that queue): "
                f"{', '.join(queueing) or 'none'}."
            ),
        ]
    )
    entry = html_list(
        esc(x)
        for x in (
            "Enter: referrals (3.3), the waiting list at the start (4.1), emergency arrivals.",
            "Leave: after the operation and stay; untreated (removal); emergencies diverted "
            "when a site's beds are full and its policy is to divert.",
        )
    )
    return (
        "<p><b>Entities</b></p>"
        + entities
        + "<p><b>Activities</b> (operations and ward stays)</p>"
        + activities
        + "<p><b>Resources</b> (theatres and their weekly sessions; ward beds)</p>"
        + resources
        + "<p><b>Queues</b></p>"
        + queues
        + "<p><b>Entry and exit points</b></p>"
        + entry
    )


def _resources(sc: Scenario) -> str:
    """Theatres with their sessions a week, ward beds and critical care units, per site."""
    rows = []
    for bt, by_site in units_of(sc).items():
        for k, u in by_site.items():
            rows.append(_unit_row(sc, bt, k, u))
    cc = table(
        ["unit (site)", "bed type", "beds", "kept for planned", "turnaround", "stay",
         "unplanned admissions/day", "planned/day", "other sources"],
        rows,
    ) if rows else ""  # fmt: skip
    return (
        cc
        + table(
            ["site", "theatre", "count", "specialty", "days (slot)", "sessions/week", "hours/week"],
            theatre_rows(sc),
        )
        + table(
            ["site", "general beds", "ring-fenced elective beds", "turnaround"],
            [
                (_site(sc, k), s.beds.general, s.beds.elective, dur(s.beds.turnaround))
                for k, s in sc.sites.items()
                if s.beds
            ],
        )
    )


def _when_full(bt: str, pol: Any) -> str:
    """What happens to an unplanned patient whose own unit is full, in words."""
    if pol.pooled:
        last = {"queue": "waits for the next bed of the pool", "refuse": "is refused (lost to "
                "the network)"}[pol.if_none_free if pol.when_full == "transfer"
                                 else pol.when_full]  # fmt: skip
        return (
            f"All {bt} units act as one pool of beds with one reserve for planned patients: an "
            "unplanned patient takes a free bed at their own unit, else at once at the nearest "
            "unit with one, and nobody is repatriated; when the whole pool is full the patient "
            f"{last}."
        )
    to = {"hub": f"the hub ({pol.hub}) first, then the nearest", "nearest": "the nearest",
          "out_of_area": "the nearest out-of-area"}[pol.transfer_to]  # fmt: skip
    repat = pol.repatriation
    full = {
        "queue": "waits at their own unit for a bed",
        "transfer": f"is transferred to {to} unit with a free bed"
        + (f", taking {dist(pol.transfer_time)}" if pol.transfer_time.mean > 0 else "")
        + (f", with {pol.retrieval_teams} retrieval team(s)" if pol.retrieval_teams else "")
        + f"; with none free anywhere the patient is {'refused' if pol.if_none_free == 'refuse' else 'kept waiting at their own unit'}"  # noqa: E501
        + (
            "; transferred patients are brought back when their own unit frees a bed"
            + (" that unplanned patients may use" if repat.priority == "after_planned"
               else ", even one kept for planned patients")
            + (", by a retrieval team" if repat.team else ", at once")
            if repat is not None
            else ""
        ),
        "refuse": "is refused (lost to the network)",
    }[pol.when_full]  # fmt: skip
    return f"An unplanned patient who finds their own {bt} unit full {full}."


def unit_sentences(sc: Scenario, bed_type: str) -> list[str]:
    """How the units of one bed type work in this scenario, in words."""
    by_site = units_of(sc).get(bed_type, {})
    if not by_site:
        return []
    name = bed_type.replace("_", " ")
    out = (
        [_when_full(name, network_policy(sc, bed_type))]
        if any(u.limited for u in by_site.values())
        else []
    )
    if any(u.elective_reserved for u in by_site.values()):
        out.append("Beds kept for planned patients are never given to unplanned patients.")
    unlimited = [s for s, u in by_site.items() if not u.limited]
    if unlimited:
        out.append(
            f"Units without a bed limit ({', '.join(unlimited)}) admit every patient at once."
        )
    streams = [f"{s}: " + ", ".join(_stream(k, x) for k, x in u.sources.items())
               for s, u in by_site.items() if u.sources]  # fmt: skip
    if streams:
        out.append(
            "Unplanned patients come from named streams, each with its own arrivals and "
            "stay: " + "; ".join(streams) + "."
        )
    planned = [f"{s}: " + ", ".join(_stream(k, x) for k, x in u.planned_admissions.items())
               for s, u in by_site.items() if u.planned_admissions]  # fmt: skip
    if planned:
        out.append(
            "Planned patients are booked straight into a unit (" + "; ".join(planned) + "); "
            "one who arrives when no bed is free (a bed being cleaned is not free) is "
            "cancelled and not rebooked."
        )
    for sid, unit in by_site.items():
        for ptype, path in unit.pathways.items():
            total = sum(b.p for b in path.next.values())
            steps = ", ".join(
                f"{dest} {b.p / total:.0%}"
                + (f" (stay {dist(b.length_of_stay)})" if b.length_of_stay is not None else "")
                for dest, b in path.next.items()
            )
            stay = f"stay {dist(path.length_of_stay)}; " if path.length_of_stay else ""
            out.append(
                f"At {sid}, {ptype} patients: {stay}next destination drawn on arrival: {steps}."
            )
    if any(p.next for u in by_site.values() for p in u.pathways.values()):
        out.append(
            "A patient whose next destination is another bed type moves there when their "
            "stay ends (to that bed type's unit at the same site, else the nearest), without "
            "waiting for a bed to be cleaned."
        )
    away = [s for s, u in by_site.items() if u.out_of_area]
    if away:
        out.append(
            f"Units outside the collaborative ({', '.join(away)}) are used only when the "
            "collaborative's own units are full; out-of-area admissions and bed use, and the "
            "road distance from home, are reported."
        )
    census = sc.census
    if census is not None and bed_type in census.probability_of_delay:
        beds = ", ".join(str(n) for n in census.probability_of_delay[bed_type])
        out.append(
            f"A census counts the patients in each unit every day at "
            f"{dur(census.time_of_day) if census.time_of_day else 'midnight'}; the probability "
            f"of delay at n = {beds} beds is P(N = n) / P(N <= n) of the census N (the "
            "Erlang loss formula: the chance a patient would find all n beds full)."
        )
    if census is not None:
        for pool, spec in census.pools.items():
            if spec.bed_types[0] == bed_type:
                beds = ", ".join(str(n) for n in spec.probability_of_delay)
                out.append(
                    f"The census of {' and '.join(spec.bed_types)} is also summed as if "
                    f"pooled ({pool}), with the probability of delay at n = {beds} beds."
                )
    return out


def _stream(name: str, x: Any) -> str:
    """One admission stream in words: its arrivals a day and its own stay."""
    stay = getattr(x, "length_of_stay", None)
    kind = getattr(x, "patient_type", None)
    return (
        f"{name} ({x.mean_per_day:.3g} a day"
        + (f", {kind} patients" if kind and kind != name else "")
        + (f", stay {dist(stay)}" if stay is not None else "")
        + ")"
    )


def _unit_row(sc: Scenario, bt: str, sid: str, u: Unit) -> tuple[object, ...]:
    """One unit in the resources table."""
    stream = getattr(u, "stream", None)
    unplanned = sum(x.mean_per_day for x in u.sources.values()) + (
        stream.mean_per_day if stream is not None else 0.0
    )
    other = []
    if getattr(u, "from_emergency_probability", 0):
        other.append(f"{u.from_emergency_probability:.1%} of emergencies")
    if getattr(u, "deterioration_probability", 0):
        other.append(f"{u.deterioration_probability:.1%} of ward patients")
    if u.pathways:
        other.append("pathways: " + ", ".join(u.pathways))
    if u.out_of_area:
        other.append("out of area")
    return (
        _site(sc, sid), bt, u.beds, u.elective_reserved, dur(u.turnaround),
        dist(u.length_of_stay) if u.length_of_stay is not None else "by stream or pathway",
        f"{unplanned:.3g}", f"{sum(x.mean_per_day for x in u.planned_admissions.values()):.3g}",
        "; ".join(other) or "-",
    )  # fmt: skip


def critical_care_sentences(sc: Scenario) -> list[str]:
    """How critical care works in this scenario, in words (empty without units)."""
    if not any(s.critical_care for s in sc.sites.values()):
        return []
    out = unit_sentences(sc, CRITICAL_CARE)
    post_op = [
        f"{k} ({c.probability:.0%}, stay {dist(c.length_of_stay)})"
        for k, p in sc.procedures.items()
        if (c := p.critical_care) is not None
    ]
    if post_op:
        when = (
            "checked when the list is finalised and on the day"
            if sc.policies.critical_care.check_at_booking
            else "checked on the day"
        )
        out.append(
            f"Planned post-operative critical care beds, {when} (none free: the operation is "
            "cancelled): " + "; ".join(post_op) + "."
        )
    return out


def _dates(days: Sequence[Any]) -> str:
    return ", ".join(d.isoformat() for d in days)


def calendar_sentences(sc: Scenario) -> list[str]:
    """How the calendar changes what runs, in words (empty when nothing changes)."""
    cal = sc.calendar
    out: list[str] = []
    region = (cal.bank_holidays or "").replace("_", " ").title().replace(" And ", " and ")
    if cal.bank_holidays:
        rule = cal.referrals_on_bank_holidays
        out.append(
            f"Bank holidays of {region} (from the holidays library): theatre sessions do not "
            "run (except in theatres marked to run on them); elective referrals given by a "
            + (
                "rate take the weekend rate (the mean of the Saturday and Sunday rates of "
                "the weekday profile)."
                if rule == "weekend"
                else f"rate take {rule:g} times that weekday's rate."
            )
        )
    if cal.working_weeks is not None:
        out.append(
            f"Theatres work {cal.working_weeks} weeks a year: the {52 - cal.working_weeks} "
            "closed weeks of each calendar year are the weeks holding 25 December and "
            "1 January, then weeks from the first Monday of August."
        )
    elif cal.closed_weeks:
        out.append(f"Theatres close for leave in the weeks of {_dates(cal.closed_weeks)}.")
    for sid, site in sc.sites.items():
        said: dict[str, list[str]] = {}  # what is said -> the theatres it is said of
        for tname, th in site.theatres.items():
            facts = []
            if th.working_weeks is not None:
                facts.append(f"work{{s}} {th.working_weeks} weeks a year")
            elif th.closed_weeks:
                facts.append(f"close{{s}} for leave in the weeks of {_dates(th.closed_weeks)}")
            if th.runs_on_bank_holidays and cal.bank_holidays:
                facts.append("run{s} on bank holidays")
            if th.opens or th.ramp_up:
                text = f"open{{s}} on {th.opens.isoformat()}" if th.opens else "start{s}"
                if th.ramp_up:
                    text += (
                        ", ramping up ("
                        + "; then ".join(
                            f"{r.share:.0%} of the sessions for {r.weeks} weeks" for r in th.ramp_up
                        )
                        + ")"
                    )
                facts.append(text)
            if th.closes:
                facts.append(f"close{{s}} on {th.closes.isoformat()}")
            for j, plan in enumerate(th.sessions):
                if plan.opens or plan.closes:
                    span = (f" from {plan.opens.isoformat()}" if plan.opens else "") + (
                        f" until {plan.closes.isoformat()}" if plan.closes else ""
                    )
                    facts.append(f"run{{s}} session plan {j + 1} ({plan.specialty}){span}")
            for fact in facts:
                said.setdefault(fact, []).append(tname)
        for fact, names in said.items():
            one = len(names) == 1
            out.append(
                f"Theatre{'' if one else 's'} {', '.join(names)} at {_site(sc, sid)} "
                + fact.format(s="s" if one else "")
                + "."
            )
        beds = site.beds
        if beds is not None and beds.changes:
            steps = "; ".join(
                c.date.isoformat() + ": "
                + ", ".join(f"{n} {kind}" for kind, n in (("general", c.general),
                                                          ("elective", c.elective))
                            if n is not None)
                for c in beds.changes
            )  # fmt: skip
            out.append(
                f"Beds at {_site(sc, sid)} change on dates ({steps}). When a count falls below "
                "the beds in use, patients keep their beds; freed beds close until the ward is "
                "below its new count."
            )
    for action in cal.industrial_action:
        where = ", ".join(action.sites) if action.sites else "every site"
        what = ", ".join(action.specialties) if action.specialties else "every specialty"
        out.append(
            f"Industrial action on {_dates(action.dates)} ({where}; {what}): each session is "
            f"lost with probability {action.share_of_sessions:.0%}; lost sessions are not "
            "booked."
        )
    g = sc.demand.growth_per_year
    if g:
        out.append(
            f"Elective referrals grow by {g:.1%} a year, compounding from the start date "
            "(rates are multiplied by (1 + growth) ^ (days / 365.25); gaps between referrals "
            "are drawn on a clock running faster by the same factor)."
        )
    return out


def network_sentences(sc: Scenario) -> dict[str, list[str]]:
    """How the units of each bed type other than critical care work, by bed type."""
    return {bt: unit_sentences(sc, bt) for bt in units_of(sc) if bt != CRITICAL_CARE}


#: Scenario fields the description above covers; anything else is listed as written.
COVERED = {
    "": {"name", "description", "start_date", "horizon", "warm_up", "snapshot_interval",
         "trusts", "sites", "procedures", "demand", "initial_waiting_list", "policies",
         "calendar", "census"},
    "policies": {"routing", "ring_fence_elective_beds", "electives_use_general_beds",
                 "booking", "theatre_day", "on_cancellation", "critical_care", "wait_for_bed",
                 "networks"},
    "site": {"name", "trust", "location", "theatres", "beds", "emergency", "critical_care",
             "units"},
}  # fmt: skip


def other_settings(sc: Scenario) -> list[tuple[str, str]]:
    """Settings the description does not put in words (mutual aid, staff, ...), as written."""
    data = scenario_dict(sc)
    found = [(k, v) for k, v in data.items() if k not in COVERED[""]]
    found += [
        (f"policies.{k}", v) for k, v in data["policies"].items() if k not in COVERED["policies"]
    ]
    for sid, site in data["sites"].items():
        found += [(f"sites.{sid}.{k}", v) for k, v in site.items() if k not in COVERED["site"]]
    return [(k, _short(v, 300)) for k, v in found if v not in (None, {}, [], False)]


def _experimentation(sc: Scenario, manifest: dict[str, Any], compared: Sequence[Scenario]) -> str:
    backlog = sum(e.size for by in sc.initial_waiting_list.lists.values() for e in by.values())
    init = (
        f"<p>Beds and theatres start empty; {backlog:,} patients are already waiting at the "
        "start (3.3)"
        + (" plus those in the backlog CSV" if sc.initial_waiting_list.csv else "")
        + f". A warm-up of {esc(dur(sc.warm_up))} is simulated before any KPI is counted.</p>"
    )
    length = (
        f"<p>Horizon {esc(dur(sc.horizon))} from {esc(sc.start_date)}: "
        f"{esc(dur(sc.horizon - sc.warm_up))} measured after the warm-up; snapshots every "
        f"{esc(dur(sc.snapshot_interval))}.</p>"
    )
    crn = (
        " All scenarios are run on the same seed and replication numbers (common random "
        "numbers), so replication r of each sees the same patients; differences are taken "
        "replication by replication."
        if compared
        else ""
    )
    estimate = (
        f"<p>{esc(manifest.get('reps', '?'))} replications, experiment seed "
        f"{esc(manifest.get('seed', '?'))}. Each KPI is the mean over replications with a 95% "
        "Student-t confidence interval." + crn + "</p>"
    )
    return (
        "<h3>4 Experimentation</h3>"
        + _sub("4.1", "Initialisation", init)
        + _sub("4.2", "Run length", length)
        + _sub("4.3", "Estimation approach", estimate)
    )


def _implementation(m: dict[str, Any]) -> str:
    software = (
        f"<p>hubsim {esc(m.get('hubsim_version', '?'))} on Python {esc(m.get('python', '?'))}, "
        f"SimPy {esc(m.get('simpy', '?'))}, NumPy {esc(m.get('numpy', '?'))}; pandas and "
        "matplotlib for results and plots.</p>"
    )
    sampling = (
        "<p>NumPy PCG64 generators, one stream per purpose (referrals per site and "
        "procedure, patient attributes, emergencies per site, theatre days): stream "
        "<code>name</code> of replication r uses <code>SeedSequence(seed, spawn_key=(r, "
        "crc32(name)))</code>, so a stream depends only on the seed, the replication and "
        "its name. Results are identical for any number of workers.</p>"
    )
    execution = (
        "<p>Process-based discrete-event simulation (SimPy); the clock counts days. "
        "Replications are independent and run in parallel with joblib "
        f"({esc(m.get('n_jobs', '?'))} worker(s)). Conservation of patients is checked at the "
        "end of every replication.</p>"
    )
    system = (
        f"<p>{esc(m.get('host_cpus', '?'))} CPU(s); run started {esc(m.get('started', '?'))}, "
        f"finished {esc(m.get('finished', '?'))}.</p>"
    )
    return (
        "<h3>5 Implementation</h3>"
        + _sub("5.1", "Software or programming language", software)
        + _sub("5.2", "Random sampling", sampling)
        + _sub("5.3", "Model execution", execution)
        + _sub("5.4", "System specification", system)
    )


def _code_access(m: dict[str, Any], compared: Sequence[Scenario]) -> str:
    reps, seed = m.get("reps", "?"), m.get("seed", "?")
    cmd = (
        f"hubsim compare BASELINE.yaml OTHER.yaml … --reps {reps} --seed {seed}"
        if compared
        else f"hubsim run scenario.yaml --reps {reps} --seed {seed}"
    )
    return "<h3>6 Code access</h3>" + _sub(
        "6.1",
        "Computer model sharing statement",
        f"<p>The model is the hubsim package, version {esc(m.get('hubsim_version', '?'))}. "
        "The scenario exactly as run is included in this report and saved beside it as "
        f"<code>scenario.yaml</code> (hash {esc(m.get('scenario_hash', '?'))}); "
        f"<code>{esc(cmd)}</code> reproduces these results.</p>",
    )


def _mix(mix: dict[str, float]) -> str:
    return "(" + ", ".join(f"{k} {v:.0%}" for k, v in mix.items()) + ")"


def _data(sc: Scenario) -> str:
    """3.1-3.4: sources, pre-processing, the input parameters as tables, assumptions."""
    pol, dem = sc.policies, sc.demand
    sources = (
        "<p>Each parameter's source is cited in a comment beside it in the scenario file "
        "(or marked as an assumption there); the resolved values used are listed below and "
        "in the scenario as run.</p>"
    )
    pre = (
        "<p>Durations are converted to days; weekday and monthly profiles are rescaled to "
        "keep the stated mean; "
        + (
            "the backlog is read from a CSV of individual patients."
            if sc.initial_waiting_list.csv
            else "the starting backlog is drawn from each list's size and wait-age distribution."
        )
        + "</p>"
    )
    streams = [
        (k, name, em, stream)
        for k, s in sc.sites.items()
        if (em := s.emergency) is not None
        for name, stream in (em.streams or {"": em}).items()
    ]
    emergency = table(
        ["site", "stream", "admissions/day", "length of stay", "delayed discharge", "when full"],
        [
            (
                _site(sc, k),
                name or "(one stream)",
                f"{stream.mean_per_day:.3g}",
                dist(stream.length_of_stay),
                delay(stream.delayed_discharge),
                em.when_full,
            )
            for k, name, em, stream in streams
        ],
    )
    profiles = sorted(
        {
            (
                profile(stream.weekday_profile, WEEKDAYS),
                profile(stream.monthly_profile, _MONTHS),
            )
            for _k, _name, _em, stream in streams
        }
    )
    prof = "".join(
        f"<p class='note'>Emergency weekday profile: {esc(w)}. Monthly: {esc(mo)}.</p>"
        for w, mo in profiles
    )
    procs = sorted({p for by in dem.referrals.values() for p in by})
    demand_rows = []
    for sid, by in dem.referrals.items():
        cells = [f"{7 * by[p].mean_per_day:.4g}" if p in by else "" for p in procs]
        week = sum(7 * x.mean_per_day for x in by.values())
        demand_rows.append((_site(sc, sid), *cells, f"{week:.4g}"))
    total = sum(7 * x.mean_per_day for by in dem.referrals.values() for x in by.values())
    demand_rows.append(("whole collaborative", *[""] * len(procs), f"{total:g}"))
    demand = table(["referrals per week", *procs, "total"], demand_rows)
    overrides = [
        f"{p}: {_mix(line.priority_mix)}"
        for by in dem.referrals.values()
        for p, line in by.items()
        if line.priority_mix
    ]
    demand += (
        f"<p class='note'>Priority mix {esc(_mix(dem.priority_mix))}"
        + (f"; overridden for {esc('; '.join(sorted(set(overrides))))}" if overrides else "")
        + f". Referral weekday profile: {esc(profile(dem.weekday_profile, WEEKDAYS))}; "
        f"monthly: {esc(profile(dem.monthly_profile, _MONTHS))}.</p>"
    )
    backlog = _backlog(sc)
    td = pol.theatre_day
    theatre_day = table(
        ["applies to", "late start", "early finish", "turnover", "overrun allowed"],
        [("all theatres", dist(td.late_start), dist(td.early_finish), dur(td.turnover),
          dur(td.overrun_allowed))]
        + [
            (f"{_site(sc, sid)} / {t}", dist(x.late_start), dist(x.early_finish),
             dur(x.turnover), dur(x.overrun_allowed))
            for sid, s in sc.sites.items()
            for t, th in s.theatres.items()
            if (x := th.theatre_day) is not None
        ],
    )  # fmt: skip
    delays = table(
        ["procedure", "delayed discharge"],
        [(k, delay(p.delayed_discharge)) for k, p in sc.procedures.items()],
    )
    params = (
        "<p><b>Elective referrals</b></p>"
        + demand
        + "<p><b>Waiting list at the start</b></p>"
        + backlog
        + "<p><b>Emergency admissions</b></p>"
        + (emergency + prof if "<td>" in emergency else "<p>none</p>")
        + "<p><b>Theatre day</b> (time lost on the day)</p>"
        + theatre_day
        + "<p><b>Delayed discharge after surgery</b></p>"
        + delays
        + "<p>Procedures, theatres and beds: see 2.5.</p>"
    )
    assumptions = html_list(
        esc(x)
        for x in (
            "Arrivals are Poisson within each day; the weekday and monthly profiles above are "
            "the only seasonality.",
            "Beds within a site's pool are interchangeable; surgeons and anaesthetists are not "
            "modelled apart from the theatre sessions they staff.",
            f"Ring-fenced elective beds: {'yes' if pol.ring_fence_elective_beds else 'no'}; "
            f"elective patients may use general beds: "
            f"{'yes' if pol.electives_use_general_beds else 'no'}.",
            "Patients do not change site once routed, and travel does not change their outcome.",
            f"A booked patient cancels on the day with probability "
            f"{dem.patient_cancellation_probability:.1%}; patients leave the list untreated "
            f"at {dem.removal_per_year:.0%} a year.",
            "Parameters marked 'assumption' in the scenario file have no published source.",
        )
    )
    return (
        _sub("3.1", "Data sources", sources)
        + _sub("3.2", "Pre-processing", pre)
        + _sub("3.3", "Input parameters", params)
        + _sub("3.4", "Assumptions", assumptions)
    )


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
        (_site(sc, sid), *[cell(by[p]) if p in by else "" for p in procs],
         f"{sum(e.size for e in by.values()):,}")
        for sid, by in lists.items()
    ]  # fmt: skip
    note = f"<p class='note'>Wait so far, every list: {esc(ages.pop())}.</p>" if same else ""
    return table(["patients waiting at the start", *procs, "total"], rows) + note


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
