"""The calendar in words: bank holidays, leave, theatres opening and closing, bed changes,
industrial action and demand growth."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...scenario.schema import Scenario
from ..htmltext import site_name

COVERED = {"": {"calendar"}}


def _dates(days: Sequence[Any]) -> str:
    return ", ".join(d.isoformat() for d in days)


def sentences(sc: Scenario) -> list[str]:
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
                f"Theatre{'' if one else 's'} {', '.join(names)} at {site_name(sc, sid)} "
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
                f"Beds at {site_name(sc, sid)} change on dates ({steps}). When a count falls below "
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


def logic_block(sc: Scenario) -> tuple[str, list[str]] | None:
    said = sentences(sc)
    return ("Calendar", said) if said else None
