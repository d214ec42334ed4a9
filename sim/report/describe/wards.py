"""Ward beds in words: the beds of each site, ring-fencing, waiting for a bed on the day,
discharge hours, delayed discharge."""

from __future__ import annotations

from ...scenario.schema import Scenario
from ..htmltext import delay, dist, dur, esc, site_name, table
from .base import Part

COVERED = {
    "policies": {"ring_fence_elective_beds", "electives_use_general_beds", "wait_for_bed"},
    "site": {"beds"},
}


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
    sites = [site_name(sc, k) for k, s in sc.sites.items() if s.beds and s.beds.discharge_profile]
    if not sites:
        return ""
    return (
        f" At {', '.join(sites)} the length of stay sets the day a patient (elective or "
        "emergency) leaves and the site's hourly discharge profile the time of day, never "
        "before admission."
    )


def capacity(sc: Scenario) -> list[str]:
    beds = sum(s.beds.general + s.beds.elective for s in sc.sites.values() if s.beds)
    return [f"{beds} ward beds"]


def resources(sc: Scenario) -> list[Part]:
    beds = table(
        ["site", "general beds", "ring-fenced elective beds", "turnaround"],
        [
            (site_name(sc, k), s.beds.general, s.beds.elective, dur(s.beds.turnaround))
            for k, s in sc.sites.items()
            if s.beds
        ],
    )
    return [Part(30, beds)]


def parameters(sc: Scenario) -> list[Part]:
    delays = table(
        ["procedure", "delayed discharge"],
        [(k, delay(p.delayed_discharge)) for k, p in sc.procedures.items()],
    )
    return [Part(50, "<p><b>Delayed discharge after surgery</b></p>" + delays)]


def assumptions(sc: Scenario) -> list[Part]:
    pol = sc.policies
    fenced = "yes" if pol.ring_fence_elective_beds else "no"
    general = "yes" if pol.electives_use_general_beds else "no"
    return [
        Part(20, esc("Beds within a site's pool are interchangeable; surgeons and "
                     "anaesthetists are not modelled apart from the theatre sessions they "
                     "staff.")),
        Part(30, esc(f"Ring-fenced elective beds: {fenced}; elective patients may use "
                     f"general beds: {general}.")),
    ]  # fmt: skip
