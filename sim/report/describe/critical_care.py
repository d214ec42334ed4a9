"""Critical care in words: its units (as a bed type of :mod:`.networks`) and the beds
kept for patients after surgery."""

from __future__ import annotations

from ...scenario.networks import CRITICAL_CARE
from ...scenario.schema import Scenario
from ..htmltext import dist, esc, flow_boxes, html_list
from .networks import unit_sentences

COVERED = {"policies": {"critical_care"}, "site": {"critical_care"}}


def sentences(sc: Scenario) -> list[str]:
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


def capacity(sc: Scenario) -> list[str]:
    cc_beds = sum(s.critical_care.bed_count for s in sc.sites.values() if s.critical_care)
    return [f"{cc_beds} critical care beds"] if cc_beds else []


def flow(sc: Scenario) -> str:
    if not sentences(sc):
        return ""
    return flow_boxes(
        "unplanned critical care patient",
        "own unit, or transfer / refuse",
        "critical care stay",
        "discharge",
    )


def logic_block(sc: Scenario) -> tuple[str, list[str]] | None:
    said = sentences(sc)
    return ("Critical care", said) if said else None


def changes(base: Scenario, other: Scenario) -> str:
    theirs = sentences(other)
    return "" if theirs == sentences(base) else html_list(esc(x) for x in theirs)


def entities(sc: Scenario) -> list[str]:
    if not sentences(sc):
        return []
    return ["Critical care patients: unplanned, and planned after surgery."]
