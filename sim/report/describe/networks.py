"""Units of any bed type in words, and the networks that share them: how a full unit sends
patients on, admission streams, planned admissions, pathways between bed types, the census.

Critical care is one bed type among them; its own module adds what only it has.
"""

from __future__ import annotations

from typing import Any

from ...scenario.networks import CRITICAL_CARE, Unit, network_policy, units_of
from ...scenario.schema import Scenario
from ..htmltext import dist, dur, flow_boxes, site_name, table
from .base import Part

COVERED = {"": {"census"}, "policies": {"networks"}, "site": {"units"}}


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
        site_name(sc, sid), bt, u.beds, u.elective_reserved, dur(u.turnaround),
        dist(u.length_of_stay) if u.length_of_stay is not None else "by stream or pathway",
        f"{unplanned:.3g}", f"{sum(x.mean_per_day for x in u.planned_admissions.values()):.3g}",
        "; ".join(other) or "-",
    )  # fmt: skip


def network_sentences(sc: Scenario) -> dict[str, list[str]]:
    """How the units of each bed type other than critical care work, by bed type."""
    return {bt: unit_sentences(sc, bt) for bt in units_of(sc) if bt != CRITICAL_CARE}


def _others(sc: Scenario) -> list[tuple[str, dict[str, Unit]]]:
    """The bed types other than critical care, with their units by site."""
    return [(bt, by) for bt, by in units_of(sc).items() if bt != CRITICAL_CARE]


def capacity(sc: Scenario) -> list[str]:
    return [f"{len(by)} {bt.replace('_', ' ')} unit(s)" for bt, by in _others(sc)]


def flow(sc: Scenario) -> str:
    out = ""
    for bt, by_site in _others(sc):
        nexts = sorted({d for u in by_site.values() for p in u.pathways.values() for d in p.next})
        out += flow_boxes(
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


def logic_block(sc: Scenario) -> list[tuple[str, list[str]]]:
    return [
        (f"{bt.replace('_', ' ').capitalize()} units", lines)
        for bt, lines in network_sentences(sc).items()
    ]


def entities(sc: Scenario) -> list[str]:
    return [
        f"Patients needing a {bt.replace('_', ' ')} bed"
        + (f", of types {', '.join(types)}" if types else "")
        + "."
        for bt, by in _others(sc)
        for types in [sorted({t for u in by.values() for t in u.pathways})]
    ]


def resources(sc: Scenario) -> list[Part]:
    rows = []
    for bt, by_site in units_of(sc).items():
        for k, u in by_site.items():
            rows.append(_unit_row(sc, bt, k, u))
    if not rows:
        return []
    return [Part(10, table(
        ["unit (site)", "bed type", "beds", "kept for planned", "turnaround", "stay",
         "unplanned admissions/day", "planned/day", "other sources"],
        rows,
    ))]  # fmt: skip
