"""The capacity check before a run: can each list keep up with its referrals, and do the
beds left after emergencies hold the inpatients its operations make?

A pure function of a validated :class:`Scenario` (no simulation), at the long-run mean
rates of the scenario file as planned on its first day:

- **Theatres**, per site and specialty: the referrals a week routed there (a line routed to
  several sites split evenly) against the cases a week the session plan books: bookable
  time (session length x ``fill_to``, theatres x weeks of the cycle the plan runs) over the
  planned case time plus turnover, the mix weighted by demand (a session template books
  its own cases). Lists are packed with whole cases, so this is the most the plan books:
  the load it gives is a lower bound. Bank holidays, closures and lost time are not
  counted.
- **Beds**, per site: elective bed-days needed a week (operations a week, at most the
  list's capacity, x the inpatient share x the expected stay with delayed discharge, plus
  the bed's turnaround) against the bed-days a week left for electives after emergencies
  (their admissions x the expected stay and turnaround), as the scenario's ring-fencing
  allows.
- **Queue figures** of NHSRwaitinglist (Fong et al., medRxiv 2022), per list, from the
  waiting list at the start: load = demand / capacity (over 1 the list grows without
  bound), target queue size = demand x target / 4 (Little's law with a mean wait of a
  quarter of the target, so about 1.8% wait longer), relief capacity (when the queue is
  over twice its target) = demand + (queue - target queue) / time to target (the
  horizon), target capacity = demand + ((cv_d^2 + cv_c^2) / 2) x (4 / target) with both
  coefficients of variation 1, and pressure = 2 x mean wait / target (over 1 the target
  is likely missed).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .schema import Scenario

#: Fong's factor: a mean wait of target / F leaves exp(-F) (1.8% for 4) over the target.
F = 4.0
#: The NHS referral-to-treatment standard, in weeks.
RTT_TARGET_WEEKS = 18.0
#: Occupancy above which bed crises become regular (Bagust et al., BMJ 1999).
SAFE_OCCUPANCY = 0.85


@dataclass(frozen=True)
class QueueFigures:
    """NHSRwaitinglist's figures for one waiting list (rates a week, waits in weeks)."""

    demand: float
    capacity: float
    queue: float
    mean_wait: float
    target: float
    time_to_target: float

    @property
    def load(self) -> float:
        """Demand over capacity: over 1 the list grows without bound."""
        if self.capacity > 0:
            return self.demand / self.capacity
        return math.inf if self.demand > 0 else 0.0

    @property
    def target_mean_wait(self) -> float:
        return self.target / F

    @property
    def target_queue(self) -> float:
        """The list size whose mean wait meets the target (Little's law)."""
        return self.demand * self.target / F

    @property
    def relief_capacity(self) -> float | None:
        """Cases a week to bring the queue to its target size in ``time_to_target`` weeks,
        when it is over twice that size (None otherwise)."""
        if self.queue <= 2 * self.target_queue or self.time_to_target <= 0:
            return None
        return self.demand + (self.queue - self.target_queue) / self.time_to_target

    @property
    def target_capacity(self) -> float:
        """Capacity to hold the mean wait at target / 4 in the long run (cv 1 both ways)."""
        return self.demand + (1.0 + 1.0) / 2 * F / self.target

    @property
    def pressure(self) -> float:
        """Twice the mean wait over the target: over 1 the target is likely missed."""
        return 2 * self.mean_wait / self.target


@dataclass(frozen=True)
class ListCapacity:
    """One waiting list (site, specialty): demand against theatre capacity."""

    site: str
    specialty: str
    referrals_per_week: float
    cases_per_week: float
    """Cases a week the session plan books (see the module)."""
    session_hours_per_week: float
    theatre_hours_needed: float
    """Planned case time plus turnover a week for the referrals."""
    figures: QueueFigures

    @property
    def load(self) -> float:
        return self.figures.load

    @property
    def grows(self) -> bool:
        """The list will grow without bound (load over 1)."""
        return self.load > 1.0


@dataclass(frozen=True)
class SiteBeds:
    """One site's ward beds: elective bed-days needed against those left after emergencies."""

    site: str
    beds: int
    emergency_bed_days: float
    """Bed-days a week emergencies use (stay and turnaround)."""
    elective_bed_days: float
    """Bed-days a week the site's elective inpatients need (stay and turnaround)."""
    available_bed_days: float
    """Bed-days a week left for electives after emergencies."""

    @property
    def load(self) -> float:
        """Elective bed-days needed over those available."""
        if self.available_bed_days > 0:
            return self.elective_bed_days / self.available_bed_days
        return math.inf if self.elective_bed_days > 0 else 0.0

    @property
    def occupancy(self) -> float:
        """Expected occupancy of all ward beds (emergency and elective bed-days)."""
        total = 7.0 * self.beds
        return (self.emergency_bed_days + self.elective_bed_days) / total if total else 0.0


@dataclass(frozen=True)
class CapacityCheck:
    """The capacity check of one scenario: lists, beds and warnings in words."""

    lists: list[ListCapacity]
    beds: list[SiteBeds]
    target_weeks: float
    warnings: list[str] = field(default_factory=list)


def capacity_check(sc: Scenario, target_weeks: float = RTT_TARGET_WEEKS) -> CapacityCheck:
    """Demand against capacity for every list and site of ``sc`` (see the module)."""
    turnover_default = sc.policies.theatre_day.turnover
    fill = sc.policies.booking.fill_to
    # Referrals (cases a week) routed to each list, by procedure.
    demand: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for home, lines in sc.demand.referrals.items():
        for pid, line in lines.items():
            targets, _ = sc.treating_sites(home, pid)
            for target in targets:
                key = (target, sc.procedures[pid].specialty)
                demand[key][pid] += line.mean_per_day * 7.0 / len(targets)
    # The waiting list at the start: size and summed waits (weeks), by list.
    queue: dict[tuple[str, str], float] = defaultdict(float)
    waited: dict[tuple[str, str], float] = defaultdict(float)
    initial = sc.initial_waiting_list
    starts = [
        (s, p, e.size, e.size * e.wait_age.mean / 7.0)
        for s, by in initial.lists.items()
        for p, e in by.items()
    ]
    starts += [(r.site, r.procedure, 1, r.waited_weeks) for r in initial.rows]
    for home, pid, n, weeks in starts:
        targets, _ = sc.treating_sites(home, pid)
        for target in targets:
            key = (target, sc.procedures[pid].specialty)
            queue[key] += n / len(targets)
            waited[key] += weeks / len(targets)
    # Session time a week and cases a week the plan books, by list.
    hours: dict[tuple[str, str], float] = defaultdict(float)
    cases: dict[tuple[str, str], float] = defaultdict(float)
    for sid, site in sc.sites.items():
        for theatre in site.theatres.values():
            turnover = (theatre.theatre_day or sc.policies.theatre_day).turnover
            for plan in theatre.sessions:
                key = (sid, plan.specialty)
                per_week = len(plan.days) * len(set(plan.weeks)) / plan.cycle_weeks * theatre.count
                length = plan.session_length
                hours[key] += per_week * length * 24
                if plan.cases is not None:
                    booked = sum(
                        p * (sum(c.values()) if isinstance(c, dict) else c)
                        for p, c in plan.case_mixes()
                    )
                    cases[key] += per_week * booked
                    continue
                mix = demand.get(key) or {
                    pid: 1.0 for pid, proc in sc.procedures.items()
                    if proc.specialty == plan.specialty
                }  # fmt: skip
                total = sum(mix.values())
                case_time = sum(
                    w * sc.procedures[pid].planning_time for pid, w in mix.items()
                ) / total
                cases[key] += per_week * (length * fill + turnover) / (case_time + turnover)
    horizon_weeks = sc.horizon / 7.0
    lists: list[ListCapacity] = []
    order = {sid: i for i, sid in enumerate(sc.sites)}
    for key in sorted({*hours, *demand}, key=lambda k: (order[k[0]], k[1])):
        mix = demand.get(key, {})
        d = sum(mix.values())
        needed = sum(
            w * (sc.procedures[pid].planning_time + turnover_default) * 24
            for pid, w in mix.items()
        )
        q = queue.get(key, 0.0)
        figures = QueueFigures(
            demand=d,
            capacity=cases.get(key, 0.0),
            queue=q,
            mean_wait=waited.get(key, 0.0) / q if q else 0.0,
            target=target_weeks,
            time_to_target=horizon_weeks,
        )
        lists.append(
            ListCapacity(key[0], key[1], d, cases.get(key, 0.0), hours.get(key, 0.0), needed,
                         figures)  # fmt: skip
        )
    beds = _beds(sc, lists, demand)
    return CapacityCheck(lists, beds, target_weeks, _warnings(sc, lists, beds))


def _stay(los_mean: float, delay: object | None) -> float:
    """Expected bed stay with any delayed discharge (days)."""
    if delay is None:
        return los_mean
    return los_mean + delay.probability * delay.extra.mean  # type: ignore[attr-defined]


def _beds(
    sc: Scenario, lists: list[ListCapacity], demand: dict[tuple[str, str], dict[str, float]]
) -> list[SiteBeds]:
    pol = sc.policies
    out = []
    by_site: dict[str, list[ListCapacity]] = {}
    for lc in lists:
        by_site.setdefault(lc.site, []).append(lc)
    for sid, site in sc.sites.items():
        if site.beds is None:
            continue
        turnaround = site.beds.turnaround
        emergency = 0.0
        em = site.emergency
        if em is not None:
            streams = list(em.streams.values()) if em.streams else [em]
            cc = site.critical_care
            shortened = 0.5 * cc.deterioration_probability if cc is not None else 0.0
            for s in streams:
                stay = _stay(s.length_of_stay.mean, s.delayed_discharge) * (1 - shortened)
                emergency += 7.0 * s.mean_per_day * (stay + turnaround)
        elective = 0.0
        for lc in by_site.get(sid, ()):
            if lc.referrals_per_week <= 0:
                continue
            treated = min(1.0, 1.0 / lc.load) if lc.load > 0 else 0.0
            for pid, per_week in demand[(lc.site, lc.specialty)].items():
                proc = sc.procedures[pid]
                cc_p = proc.critical_care.probability if proc.critical_care else 0.0
                inpatient = 1.0 - proc.day_case_probability * (1.0 - cc_p)
                stay = _stay(proc.length_of_stay.mean, proc.delayed_discharge)
                elective += per_week * treated * inpatient * (stay + turnaround)
        general, ring = 7.0 * site.beds.general, 7.0 * site.beds.elective
        if pol.ring_fence_elective_beds:
            spare = max(0.0, general - emergency) if pol.electives_use_general_beds else 0.0
            available = ring + spare
        else:
            available = max(0.0, general + ring - emergency)
        out.append(
            SiteBeds(sid, site.beds.general + site.beds.elective, emergency, elective, available)
        )
    return out


def _warnings(sc: Scenario, lists: list[ListCapacity], beds: list[SiteBeds]) -> list[str]:
    out = []
    for lc in lists:
        name = sc.sites[lc.site].name or lc.site
        if lc.referrals_per_week > 0 and lc.cases_per_week <= 0:
            out.append(
                f"{name} {lc.specialty}: {lc.referrals_per_week:.1f} referrals a week but no "
                "sessions: the list will grow without bound"
            )
        elif lc.grows:
            out.append(
                f"{name} {lc.specialty}: the list will grow without bound: "
                f"{lc.referrals_per_week:.1f} referrals a week against {lc.cases_per_week:.1f} "
                f"cases a week the sessions book (load {lc.load:.2f})"
            )
    for b in beds:
        name = sc.sites[b.site].name or b.site
        if b.elective_bed_days > 0 and b.load > 1.0:
            out.append(
                f"{name}: electives need {b.elective_bed_days:.0f} bed-days a week but "
                f"{b.available_bed_days:.0f} are left after emergencies (load {b.load:.2f}): "
                "operations will be cancelled for want of a bed and the lists will grow"
            )
        elif b.occupancy > SAFE_OCCUPANCY:
            out.append(
                f"{name}: expected ward occupancy {100 * b.occupancy:.0f}%, over the "
                f"{100 * SAFE_OCCUPANCY:.0f}% above which bed crises become regular "
                "(Bagust et al. 1999): expect cancellations for want of a bed"
            )
    return out
