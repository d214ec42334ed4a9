"""``hubsim validate``: check a scenario file without simulating."""

from __future__ import annotations

from .common import ScenarioArg, load, out, styled


def validate(scenario: ScenarioArg) -> None:
    """Check a scenario file and say what it contains, without simulating."""
    sc = load(scenario)
    from ..scenario.load import scenario_hash

    theatres = sum(t.count for s in sc.sites.values() for t in s.theatres.values())
    beds = sum((s.beds.general + s.beds.elective) for s in sc.sites.values() if s.beds)
    out.print(
        styled("ok", "green"),
        f"{scenario}: '{sc.name}' — {len(sc.trusts)} trusts, {len(sc.sites)} sites, "
        f"{theatres} theatres, {beds} ward beds, {len(sc.procedures)} procedures, "
        f"horizon {sc.horizon / 7:g} weeks (hash {scenario_hash(sc)})",
    )
