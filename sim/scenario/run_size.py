"""What one replication would create, against what a run can hold.

Each field has its own bound (at most 10,000 beds at a site, ...), but a run's cost is a
product: a rate times the horizon, a horizon divided by an interval, staff members times
days. A typo in one factor (``every: 0.00001 min``, ``members: 100000000000``) makes a run
that never ends or exhausts memory, so each product is checked against a stated limit
before anything runs, and the message gives the figure and the value that would fit.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .networks import unit_path, units_of
from .units import describe_duration

if TYPE_CHECKING:
    from .errors import Problem
    from .schema import Scenario

#: Patients one replication may create (arrivals over the horizon plus the list at the start):
#: England's elective list (7.5 million) and two years of its referrals (42 million) fit;
#: memory follows the patients alive, not those created (``benchmarks/bench_memory.py``).
MAX_PATIENTS = 100_000_000
#: Snapshots of lists and beds one replication may take.
MAX_SNAPSHOTS = 100_000
#: Rounds one mutual-aid scheme may run in one replication.
MAX_ROUNDS = 100_000
#: Staff member-days one replication may roster (each is an absence draw).
MAX_MEMBER_DAYS = 50_000_000
#: Theatre sessions one replication may run (England's 130 trusts for two years: 9.4 million).
MAX_SESSIONS = 10_000_000


def _count(n: float) -> str:
    return f"{n:,.0f}" if n < 1e15 else f"{n:.2g}"


def run_size_problems(sc: Scenario) -> list[Problem]:
    """Products of fields that would make one replication too large to run, with figures."""
    return [
        *_patients(sc),
        *_snapshots(sc),
        *_rounds(sc),
        *_member_days(sc),
        *_sessions(sc),
    ]


def _grown_days(days: float, growth_per_year: float) -> float:
    """Days of referrals at the starting rate that growth compounding over ``days`` makes."""
    if not growth_per_year:
        return days
    k = math.log1p(growth_per_year) / 365.25
    return math.expm1(k * days) / k


def _patients(sc: Scenario) -> list[Problem]:
    days = sc.horizon
    referral_days = _grown_days(days, getattr(sc.demand, "growth_per_year", 0.0))
    streams: list[tuple[float, tuple]] = []
    for sid, by_proc in sc.demand.referrals.items():
        for pid, line in by_proc.items():
            where = ("demand", "referrals", sid, pid)
            streams.append((line.mean_per_day * referral_days, where))
    for sid, site in sc.sites.items():
        if site.emergency is not None:
            streams.append((site.emergency.mean_per_day * days, ("sites", sid, "emergency")))
    for bed_type, by_site in units_of(sc).items():
        for sid, unit in by_site.items():
            base = unit_path(bed_type, sid)
            one = getattr(unit, "stream", None)
            if one is not None:
                streams.append((one.mean_per_day * days, (*base, "admissions")))
            for kind, named in (("admissions", unit.sources),
                                ("planned_admissions", unit.planned_admissions)):  # fmt: skip
                for name, src in named.items():
                    streams.append((src.mean_per_day * days, (*base, kind, name)))
    for sid, by_proc in sc.initial_waiting_list.lists.items():
        for pid, entry in by_proc.items():
            streams.append((float(entry.size), ("initial_waiting_list", "lists", sid, pid)))
    total = sum(n for n, _ in streams)
    if not streams or total <= MAX_PATIENTS:
        return []
    most, where = max(streams, key=lambda s: s[0])
    return [
        (
            where,
            f"this brings about {_count(most)} patients into one replication over the "
            f"horizon of {describe_duration(days)} ({_count(total)} from the whole scenario); "
            f"a replication can hold at most {MAX_PATIENTS:,} patients: check the rate or the "
            "time between arrivals, or shorten the horizon",
        )
    ]


def _snapshots(sc: Scenario) -> list[Problem]:
    n = sc.horizon / sc.snapshot_interval + 1
    if n <= MAX_SNAPSHOTS:
        return []
    return [
        (
            ("snapshot_interval",),
            f"a snapshot every {describe_duration(sc.snapshot_interval)} over the horizon of "
            f"{describe_duration(sc.horizon)} makes {_count(n)} snapshots; a replication can "
            f"hold at most {MAX_SNAPSHOTS:,}: use a snapshot_interval of at least "
            f"{describe_duration(sc.horizon / (MAX_SNAPSHOTS - 1), up=True)}",
        )
    ]


def _rounds(sc: Scenario) -> list[Problem]:
    out: list[Problem] = []
    for name, rule in sc.policies.mutual_aid.items():
        if rule.every is None:
            continue
        end = sc.horizon if rule.end is None else min(rule.end, sc.horizon)
        span = max(end - rule.start, 0.0)
        n = math.ceil(span / rule.every)
        if n > MAX_ROUNDS:
            out.append(
                (
                    ("policies", "mutual_aid", name, "every"),
                    f"a round every {describe_duration(rule.every)} for "
                    f"{describe_duration(span)} makes {_count(n)} rounds; a scheme can run "
                    f"at most {MAX_ROUNDS:,} rounds in one replication: use `every` of at "
                    f"least {describe_duration(span / MAX_ROUNDS, up=True)}",
                )
            )
    return out


def _member_days(sc: Scenario) -> list[Problem]:
    if sc.staff is None:
        return []
    days = math.ceil(sc.horizon) + 1
    by_group = {g: sum(group.members.values()) for g, group in sc.staff.groups.items()}
    total = sum(by_group.values()) * days
    if total <= MAX_MEMBER_DAYS:
        return []
    biggest = max(by_group, key=by_group.__getitem__)
    return [
        (
            ("staff", "groups", biggest, "members"),
            f"{_count(sum(by_group.values()))} staff members rostered for {days:,} days make "
            f"{_count(total)} member-days (this group has {_count(by_group[biggest])} "
            f"members); a replication can hold at most {MAX_MEMBER_DAYS:,} member-days",
        )
    ]


def _sessions(sc: Scenario) -> list[Problem]:
    weeks = sc.horizon / 7
    per_theatre = [
        (t.count * sum(len(p.days) for p in t.sessions) * weeks, ("sites", sid, "theatres", tn))
        for sid, site in sc.sites.items()
        for tn, t in site.theatres.items()
    ]
    total = sum(n for n, _ in per_theatre)
    if total <= MAX_SESSIONS:
        return []
    most, where = max(per_theatre, key=lambda s: s[0])
    return [
        (
            where,
            f"the theatres would run {_count(total)} sessions in one replication over the "
            f"horizon of {describe_duration(sc.horizon)} (these {_count(most)}); a "
            f"replication can hold at most {MAX_SESSIONS:,} sessions",
        )
    ]
