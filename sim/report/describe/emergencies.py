"""Emergency admissions in words: their pathway, their claim on general beds, their rates."""

from __future__ import annotations

from ...scenario.schema import WEEKDAYS, Scenario
from ..htmltext import MONTHS, delay, dist, esc, flow_boxes, profile, site_name, table
from .base import Part
from .wards import freed_beds_text

COVERED = {"site": {"emergency"}}


def _any(sc: Scenario) -> bool:
    return any(s.emergency for s in sc.sites.values())


def flow(sc: Scenario) -> str:
    if not _any(sc):
        return ""
    return flow_boxes("emergency admission", "general bed (or wait / divert)", "discharge")


def logic(sc: Scenario) -> list[str]:
    if not _any(sc):
        return ["No site has emergency admissions competing for ward beds."]
    return [
        "Emergency admissions need a general bed and "
        + freed_beds_text(sc)
        + "; "
        + (
            "ring-fenced beds are never given to emergencies."
            if sc.policies.ring_fence_elective_beds
            else "elective beds are not ring-fenced."
        )
    ]


def entities(sc: Scenario) -> list[str]:
    return ["Emergency patients at sites with emergency admissions."]


def queues(sc: Scenario) -> list[str]:
    queueing = [k for k, s in sc.sites.items() if s.emergency and s.emergency.when_full == "queue"]
    return [
        "Emergency patients waiting for a general bed (sites that queue): "
        f"{', '.join(queueing) or 'none'}."
    ]


def parameters(sc: Scenario) -> list[Part]:
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
                site_name(sc, k),
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
                profile(stream.monthly_profile, MONTHS),
            )
            for _k, _name, _em, stream in streams
        }
    )
    prof = "".join(
        f"<p class='note'>Emergency weekday profile: {esc(w)}. Monthly: {esc(mo)}.</p>"
        for w, mo in profiles
    )
    body = emergency + prof if "<td>" in emergency else "<p>none</p>"
    return [Part(30, "<p><b>Emergency admissions</b></p>" + body)]
