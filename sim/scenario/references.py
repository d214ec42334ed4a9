"""Checks that need the whole scenario: names that refer to nothing, plans that cannot work.

Run once every field is valid (from ``Scenario``'s own validator), each problem reported
with the field path it concerns so the loader can place it at its line.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from .errors import did_you_mean

if TYPE_CHECKING:
    from .schema import Scenario


class ScenarioReferenceError(Exception):
    """Names that do not refer to anything, or plans that cannot work, found after reading.

    Deliberately not a ``ValueError``, so pydantic passes it through untouched and the
    loader can place each problem at its own line.
    """

    def __init__(self, problems: list[tuple[tuple, str]]):
        self.problems = problems
        super().__init__(
            "; ".join(f"{'.'.join(str(p) for p in loc)}: {msg}" for loc, msg in problems)
        )


def unknown(kind: str, name: str, known: list[str]) -> str:
    """``unknown site 'x'; did you mean 'y'? (known sites: ...)``."""
    return _unknown(kind, name, known)


def _unknown(kind: str, name: str, known: list[str]) -> str:
    close = did_you_mean(name, known)
    hint = f"; did you mean '{close}'?" if close else ""
    listing = ", ".join(sorted(known)) or "none defined"
    return f"unknown {kind} '{name}'{hint} (known {kind}s: {listing})"


def reference_problems(sc: Scenario) -> list[tuple[tuple, str]]:
    """Every cross-reference and capacity problem in a scenario, with its field path."""
    out: list[tuple[tuple, str]] = []
    trusts, sites, procs = list(sc.trusts), list(sc.sites), list(sc.procedures)
    if sc.warm_up >= sc.horizon:
        out.append((("warm_up",), "the warm-up must be shorter than the horizon"))
    for sid, site in sc.sites.items():
        if site.trust not in sc.trusts:
            out.append((("sites", sid, "trust"), _unknown("trust", site.trust, trusts)))
        if (
            site.emergency is not None
            and site.beds is not None
            and site.beds.general == 0
            and sc.policies.ring_fence_elective_beds
        ):
            out.append(
                (
                    ("sites", sid, "emergency"),
                    "emergency admissions need general beds, but this site has none and its "
                    "elective beds are ring-fenced (policies.ring_fence_elective_beds)",
                )
            )
        if site.emergency is not None and site.beds is None:
            out.append(
                (
                    ("sites", sid, "emergency"),
                    "emergency admissions need beds: add 'beds' to this site",
                )
            )
    for sid, by_proc in sc.demand.referrals.items():
        if sid not in sc.sites:
            out.append((("demand", "referrals", sid), _unknown("site", sid, sites)))
            continue
        for pid in by_proc:
            if pid not in sc.procedures:
                out.append((("demand", "referrals", sid, pid), _unknown("procedure", pid, procs)))
    for sid, by_proc in sc.initial_waiting_list.lists.items():
        if sid not in sc.sites:
            out.append((("initial_waiting_list", "lists", sid), _unknown("site", sid, sites)))
            continue
        for pid in by_proc:
            if pid not in sc.procedures:
                loc = ("initial_waiting_list", "lists", sid, pid)
                out.append((loc, _unknown("procedure", pid, procs)))
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
                    out.append(((*base, field, j), _unknown(kind, name, list(known))))
        if rule.choose == "nearest" and len(rule.to) > 1:
            for name in rule.to:
                if name in sc.sites and sc.sites[name].location is None:
                    out.append(
                        ((*base, "to"), f"choosing the nearest site needs a location for '{name}'")
                    )
    out.extend(_critical_care_problems(sc))
    out.extend(_policy_problems(sc))
    specialties = {p.specialty for p in sc.procedures.values()}
    for sid, site in sc.sites.items():
        for tname, theatre in site.theatres.items():
            for j, plan in enumerate(theatre.sessions):
                if plan.specialty not in specialties:
                    close = difflib.get_close_matches(plan.specialty, sorted(specialties), n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    out.append(
                        (
                            ("sites", sid, "theatres", tname, "sessions", j, "specialty"),
                            f"no procedure has the specialty '{plan.specialty}', so these sessions "
                            f"would always be empty{hint} (procedures' specialties: "
                            f"{', '.join(sorted(specialties)) or 'none'})",
                        )
                    )
    if out:
        return out
    # Every referral must be routable to a site with theatre sessions for its specialty
    # and with beds if it is not always a day case.
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
            elif proc.day_case_probability < 1.0 and tsite.beds is None:
                out.append(
                    (
                        ("sites", target, "beds"),
                        f"{target} operates on {pid} inpatients but has no beds",
                    )
                )
    return out


def _critical_care_problems(sc: Scenario) -> list[tuple[tuple, str]]:
    out: list[tuple[tuple, str]] = []
    units = [sid for sid, s in sc.sites.items() if s.critical_care is not None]
    pol = sc.policies.critical_care
    base = ("policies", "critical_care")
    if pol.hub is not None and pol.hub not in units:
        known = list(sc.sites) if pol.hub not in sc.sites else units
        what = "site" if pol.hub not in sc.sites else "site with a critical care unit"
        out.append(((*base, "hub"), _unknown(what, pol.hub, known)))
    if pol.when_full == "transfer" and not pol.pooled and pol.transfer_to == "nearest":
        for sid in units:
            if sc.sites[sid].location is None:
                out.append(
                    (
                        ("sites", sid, "location"),
                        "transfers to the nearest unit need every unit's site location",
                    )
                )
    for sid, site in sc.sites.items():
        cc = site.critical_care
        if cc is None:
            continue
        needs_ward = cc.from_emergency_probability > 0 or cc.deterioration_probability > 0
        if needs_ward and site.emergency is None:
            out.append(
                (
                    ("sites", sid, "critical_care"),
                    "from_emergency_probability and deterioration_probability need emergency "
                    "admissions at this site (add `emergency`)",
                )
            )
    return out


def _policy_problems(sc: Scenario) -> list[tuple[tuple, str]]:
    """References in mutual aid, staff and equity settings."""
    out: list[tuple[tuple, str]] = []
    sites, trusts = list(sc.sites), list(sc.trusts)
    specialties = sorted({p.specialty for p in sc.procedures.values()})
    for sid in sc.demand.quintile_mix_by_site:
        if sid not in sc.sites:
            out.append((("demand", "quintile_mix_by_site", sid), _unknown("site", sid, sites)))
    uses_quintiles = sc.policies.booking.order in (
        "deprivation_weighted",
        "quintile1_long_waiters_first",
    )
    uses_quintiles |= any(e.quintiles for e in sc.policies.escalation)
    if uses_quintiles and not _records_quintiles(sc):
        out.append(
            (
                ("policies", "booking", "order"),
                "this booking rule uses patients' deprivation quintile, but the scenario gives "
                "no quintile mix (demand.quintile_mix)",
            )
        )
    for name, rule in sc.policies.mutual_aid.items():
        base = ("policies", "mutual_aid", name)
        for field, kind, known in (
            ("to", "site", sites),
            ("from_sites", "site", sites),
            ("from_trusts", "trust", trusts),
            ("procedures", "procedure", list(sc.procedures)),
            ("specialties", "specialty", specialties),
        ):
            for j, item in enumerate(getattr(rule, field) or []):
                if item not in known:
                    out.append(((*base, field, j), _unknown(kind, item, known)))
        offered = set(rule.specialties or specialties)
        if rule.procedures:
            offered &= {sc.procedures[p].specialty for p in rule.procedures if p in sc.procedures}
        for j, target in enumerate(rule.to):
            if target in sc.sites and not offered & sc.sites[target].specialties():
                out.append(
                    (
                        (*base, "to", j),
                        f"{target} has no theatre sessions for the specialties offered "
                        f"({', '.join(sorted(offered))})",
                    )
                )
    if sc.staff is not None:
        groups = list(sc.staff.groups)
        for gname, group in sc.staff.groups.items():
            for sid in group.members:
                if sid not in sc.sites:
                    loc = ("staff", "groups", gname, "members", sid)
                    out.append((loc, _unknown("site", sid, sites)))
        for key, needs in sc.staff.needs.items():
            if key != "default" and key not in specialties:
                out.append(
                    (("staff", "needs", key), _unknown("specialty", key, ["default", *specialties]))
                )
            for gname in needs:
                if gname not in sc.staff.groups:
                    out.append(
                        (("staff", "needs", key, gname), _unknown("staff group", gname, groups))
                    )
    return out


def _records_quintiles(sc: Scenario) -> bool:
    d = sc.demand
    lines = (line for by in d.referrals.values() for line in by.values())
    return (
        d.quintile_mix is not None
        or bool(d.quintile_mix_by_site)
        or any(line.quintile_mix is not None for line in lines)
    )
