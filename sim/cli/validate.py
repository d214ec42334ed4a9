"""``hubsim validate``: check a scenario file without simulating, and check its capacity."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.table import Table

from .common import ScenarioArg, load, out, styled

if TYPE_CHECKING:
    from ..scenario.capacity import CapacityCheck
    from ..scenario.schema import Scenario


def validate(scenario: ScenarioArg) -> None:
    """Check a scenario file and say what it contains, without simulating; then print its
    capacity check (demand against theatre time and beds, the waiting-list figures) and
    warn of any list that will grow without bound."""
    sc = load(scenario)
    from ..scenario.capacity import capacity_check
    from ..scenario.load import scenario_hash

    theatres = sum(t.count for s in sc.sites.values() for t in s.theatres.values())
    beds = sum((s.beds.general + s.beds.elective) for s in sc.sites.values() if s.beds)
    out.print(
        styled("ok", "green"),
        f"{scenario}: '{sc.name}' — {len(sc.trusts)} trusts, {len(sc.sites)} sites, "
        f"{theatres} theatres, {beds} ward beds, {len(sc.procedures)} procedures, "
        f"horizon {sc.horizon / 7:g} weeks (hash {scenario_hash(sc)})",
    )
    check = capacity_check(sc)
    if check.lists or check.beds:
        print_capacity_check(sc, check)


def _f(x: float | None, digits: int = 1) -> str:
    if x is None:
        return "–"
    if x == float("inf"):
        return "∞"
    return f"{x:,.{digits}f}"


def _table(
    title: str,
    columns: tuple[str, ...],
    rows: list[tuple[str, ...]],
    left: int = 2,
    caption: str = "",
) -> Table:
    t = Table(title=title, title_justify="left", caption=caption or None)
    for i, col in enumerate(columns):
        t.add_column(col, justify="left" if i < left else "right")
    for row in rows:
        t.add_row(*row)
    return t


SHOWN = 40
"""Rows a capacity table prints: beyond it, the heaviest loads (a table of thousands of sites
is read by nobody and takes rich most of a minute to lay out)."""


def _heaviest(rows: list, load: Callable[[object], float | None]) -> tuple[list, str]:
    """At most SHOWN rows, the highest load first when some are left out, and a caption
    that says how many are not shown."""
    if len(rows) <= SHOWN:
        return rows, ""
    key = lambda r: -(load(r) if load(r) is not None else -1.0)  # noqa: E731
    kept = sorted(rows, key=key)[:SHOWN]
    return kept, f"the {SHOWN} of {len(rows):,} rows with the highest load; "


def print_capacity_check(sc: Scenario, check: CapacityCheck) -> None:
    """The capacity check as three tables (sites by id) and its warnings."""
    target = f"{check.target_weeks:g}"
    lists, lists_note = _heaviest(check.lists, lambda lc: lc.load)
    beds, beds_note = _heaviest(check.beds, lambda b: b.load)
    if check.lists:
        out.print(_table(
            "Capacity check: referrals against the cases the sessions book, a week",
            ("site", "specialty", "referrals", "cases booked", "session hours", "load"),
            [(lc.site, lc.specialty, _f(lc.referrals_per_week), _f(lc.cases_per_week),
              _f(lc.session_hours_per_week), _f(lc.load, 2)) for lc in lists],
            caption=lists_note.rstrip("; "),
        ))  # fmt: skip
        t = _table(
            f"Waiting-list figures (NHSRwaitinglist; target {target} weeks)",
            ("site", "specialty", "list at start", "target list", "relief capacity",
             "target capacity", "mean wait (wk)", "pressure"),
            [(lc.site, lc.specialty, _f(lc.figures.queue, 0), _f(lc.figures.target_queue, 0),
              _f(lc.figures.relief_capacity), _f(lc.figures.target_capacity),
              _f(lc.figures.mean_wait), _f(lc.figures.pressure, 2)) for lc in lists],
        )  # fmt: skip
        t.caption = lists_note + (
            "load = referrals / cases booked (over 1: the list grows without bound); target "
            f"list = referrals x {target} / 4; relief capacity = cases a week to reach it by "
            "the horizon (when the list is over twice it); pressure = 2 x mean wait / target "
            "(over 1: the target is likely missed). Fong et al. 2022"
        )
        out.print(t)
    if check.beds:
        out.print(_table(
            "Ward beds: elective bed-days needed against those left after emergencies, a week",
            ("site", "beds", "emergency", "elective", "left for electives", "load",
             "occupancy"),
            [(b.site, f"{b.beds:,}", _f(b.emergency_bed_days, 0), _f(b.elective_bed_days, 0),
              _f(b.available_bed_days, 0), _f(b.load, 2), f"{100 * b.occupancy:.0f}%")
             for b in beds],
            left=1,
            caption=beds_note.rstrip("; "),
        ))  # fmt: skip
    for w in check.warnings[:SHOWN]:
        out.print(styled("warning: ", "bold yellow") + styled(w, ""), soft_wrap=True)
    if len(check.warnings) > SHOWN:
        out.print(f"… and {len(check.warnings) - SHOWN:,} more warnings like these.")
