"""Nurse staffing of critical care units in words: staffed beds, rosters, sickness, ratios
by level of care and shared nurse pools."""

from __future__ import annotations

from ...scenario.critical_care import CriticalCareUnit
from ...scenario.schema import Scenario
from ..htmltext import dur, esc, site_name, table
from .base import Part


def _nursed(sc: Scenario) -> dict[str, CriticalCareUnit]:
    return {
        sid: s.critical_care
        for sid, s in sc.sites.items()
        if s.critical_care is not None and s.critical_care.nursing is not None
    }


def _clock(days: float) -> str:
    minutes = round(days * 1440)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _shares(sc: Scenario) -> list[str]:
    """The stated shares at level 3, where they differ from the unit's."""
    out = []
    for sid, s in sc.sites.items():
        cc = s.critical_care
        if cc is None:
            continue
        own = [(n, x.level_3_share) for n, x in cc.sources.items()]
        own += [(n, x.level_3_share) for n, x in cc.planned_admissions.items()]
        if cc.stream is not None:
            own.append(("direct admissions", cc.stream.level_3_share))
        out += [f"{sid} {n} {v:.0%}" for n, v in own if v is not None]
    out += [
        f"after {k} {c.level_3_share:.0%}"
        for k, p in sc.procedures.items()
        if (c := p.critical_care) is not None and c.level_3_share is not None
    ]
    return out


def sentences(sc: Scenario) -> list[str]:
    """How nurse staffing works in this scenario, in words (empty without it)."""
    units = _nursed(sc)
    if not units:
        return []
    shared = sc.policies.critical_care.nurses_shared
    pools = {
        "site": "Each unit's nurses work only on their own unit.",
        "trust": "The nurses of a trust's units work as one pool: they go at once to "
        "whichever of its units admits a patient (out-of-area units keep their own).",
        "collaborative": "The nurses of all the collaborative's units work as one pool: they "
        "go at once to whichever unit admits a patient (out-of-area units keep their own).",
    }[shared]
    shares = _shares(sc)
    by_unit = [
        f"{sid} {u.level_3_share:.0%}"
        for sid, s in sc.sites.items()
        if (u := s.critical_care) is not None and u.level_3_share is not None
    ]
    return [
        "A critical care bed takes a patient only if a bedside nurse can take them too: one "
        "nurse per level 3 patient and one per two level 2 patients (GPICS), unless a unit "
        "states other ratios. A patient who finds a free bed but no nurse is treated as if "
        "the unit were full (waits, is transferred or refused; a planned patient is "
        "cancelled); patients already in beds stay when a shift has fewer nurses.",
        "Each patient's level of care is drawn on arrival: "
        + ", ".join(by_unit)
        + " at level 3 by unit"
        + (f"; own shares: {'; '.join(shares)}" if shares else "")
        + ".",
        "Nurses work shifts of equal length; at the start of each shift every rostered nurse "
        "is off sick independently with the unit's sickness absence probability. " + pools,
        "Nursing freed by a discharge or a better-staffed shift goes at once to the patients "
        "waiting in the pool's units, longest wait first. Post-operative beds are checked "
        "for a nurse on the day only (a roster ahead is not known).",
    ]


def logic_block(sc: Scenario) -> tuple[str, list[str]] | None:
    said = sentences(sc)
    return ("Staffed critical care beds", said) if said else None


def entities(sc: Scenario) -> list[str]:
    if not _nursed(sc):
        return []
    return ["Critical care patients carry a level of care (3 or 2), drawn on arrival."]


def resources(sc: Scenario) -> list[Part]:
    units = _nursed(sc)
    if not units:
        return []
    rows = []
    for sid, u in units.items():
        n = u.nursing
        assert n is not None
        per = n.patients_per_nurse
        rows.append((
            site_name(sc, sid), u.beds,
            n.nurses_per_shift if isinstance(n.nurses_per_shift, int)
            else ", ".join(str(x) for x in n.nurses_per_shift),
            f"{n.shifts_per_day} x {dur(1 / n.shifts_per_day)} from {_clock(n.first_shift_starts)}",
            f"{n.sickness_absence:.1%}", f"1:{per.level_3} / 1:{per.level_2}",
            f"{u.level_3_share:.0%}" if u.level_3_share is not None else "-",
        ))  # fmt: skip
    return [Part(15, table(
        ["unit (site)", "beds", "nurses per shift", "shifts", "sickness absence",
         "nurse:patients (level 3 / level 2)", "patients at level 3"],
        rows,
    ))]  # fmt: skip


def assumptions(sc: Scenario) -> list[Part]:
    if not _nursed(sc):
        return []
    return [
        Part(45, esc("Nurse sickness is independent from nurse to nurse and from shift to shift "
                 "(a nurse off for several days is not modelled); a shared nurse moves between "
                 "units at once; nurses in charge and others not at the bedside are not "
                 "counted; a patient keeps the level of care drawn on arrival.")),
    ]  # fmt: skip
