"""Scenario validation: every planner mistake is a `ScenarioError` naming file, line and field.

Each bad scenario is the small valid scenario ``MINIMAL`` with one or two textual edits,
written to ``tmp_path`` and read with `sim.load_scenario`, as a planner's file would be.
Cases the loader wrongly accepts are ``xfail(strict=True)``: they document real gaps.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from builders import SCENARIOS

import sim
from sim import ScenarioError
from sim.scenario.load import scenario_dict

# One trust, one site with beds, one theatre with sessions, one procedure, demand.
MINIMAL = textwrap.dedent(
    """\
    name: minimal
    horizon: 20 weeks
    warm_up: 2 weeks
    trusts:
      SWB: {name: Sandwell and West Birmingham}
    sites:
      site_a:
        trust: SWB
        location: {lat: 52.5, lon: -2.0}
        beds:
          general: 20
          elective: 5
        theatres:
          th1:
            count: 1
            sessions:
              - {days: [Mon, Wed], slot: all_day, specialty: ortho}
        emergency:
          admissions_per_day: 2
          length_of_stay: {dist: exponential, mean: 3 days}
    procedures:
      hip:
        specialty: ortho
        duration: {dist: lognormal, mean: 95 min, sd: 20 min}
        length_of_stay: {dist: lognormal, mean: 3 days, sd: 1 days}
        day_case_probability: 0.1
    demand:
      priority_mix: {P2: 0.2, P4: 0.8}
      referrals:
        site_a: {hip: 5}
    """
)

DURATION = "duration: {dist: lognormal, mean: 95 min, sd: 20 min}"
SESSION = "specialty: ortho}"
BEDS = "    beds:\n      general: 20\n      elective: 5\n"
MIX = "priority_mix: {P2: 0.2, P4: 0.8}"
EMERGENCY_RATE = "      admissions_per_day: 2\n"
ROUTE_HIP_TO_B = "policies:\n  routing:\n    - procedures: [hip]\n      to: site_b\ndemand:\n"

Edits = tuple[tuple[str, str], ...]


def edit(text: str, edits: Edits) -> str:
    """Apply ``(old, new)`` replacements; each ``old`` must occur exactly once."""
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in the scenario"
        text = text.replace(old, new)
    return text


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the only line containing ``needle``.

    A needle ending in a newline must be the whole line (``"  site_a:\\n"``).
    """
    if needle.endswith("\n"):
        hits = [n for n, line in enumerate(text.splitlines(), 1) if line == needle[:-1]]
    else:
        hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) == 1, f"{needle!r} is on lines {hits}"
    return hits[0]


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    def _write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def assert_planner_message(err: ScenarioError, path: Path) -> None:
    """One paragraph per problem, each naming the file; the first names its line and field."""
    assert str(err) == err.message
    assert err.file == str(path)
    assert err.problems, "a ScenarioError must list its problems"
    for paragraph in err.problems:
        assert paragraph.startswith(str(path)), paragraph
        assert "Traceback" not in paragraph
    first = err.problems[0]
    if err.line is not None:
        assert f"line {err.line}" in first
    if err.field is not None:
        assert f"field {err.field}" in first


@pytest.fixture
def reject(write: Callable[..., Path]) -> Callable[..., ScenarioError]:
    """Load ``text`` from a file, expect a ScenarioError and check its general shape."""

    def _reject(text: str, name: str = "scenario.yaml") -> ScenarioError:
        path = write(text, name)
        with pytest.raises(ScenarioError) as info:
            sim.load_scenario(path)
        assert_planner_message(info.value, path)
        return info.value

    return _reject


def test_minimal_scenario_is_valid(write: Callable[..., Path]) -> None:
    sc = sim.load_scenario(write(MINIMAL))
    assert sc.name == "minimal"
    assert sc.horizon == 140.0  # days
    assert sc.sites["site_a"].beds.general == 20
    assert sc.sites["site_a"].specialties() == {"ortho"}
    assert sc.procedures["hip"].duration.mean == pytest.approx(95 / 1440)


# ----------------------------------------------------------------------------
# The shipped scenarios
# ----------------------------------------------------------------------------

SHIPPED = ["black_country_ortho.yaml", "black_country_ortho_hubs.yaml"]


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenarios_load_and_revalidate(name: str) -> None:
    sc = sim.load_scenario(SCENARIOS / name)
    assert sc.sites and sc.procedures and sc.demand.referrals
    # The resolved scenario (as saved beside results) validates again to the same thing.
    again = sim.validate_scenario(scenario_dict(sc))
    assert again == sc
    assert sim.scenario_hash(again) == sim.scenario_hash(sc)


def test_hubs_scenario_really_extends_the_status_quo(
    status_quo: sim.Scenario, hubs: sim.Scenario
) -> None:
    text = (SCENARIOS / "black_country_ortho_hubs.yaml").read_text(encoding="utf-8")
    assert "extends: black_country_ortho.yaml" in text
    assert hubs.name != status_quo.name

    # New hub sites, with theatres and ring-fenced elective beds.
    hub_sites = set(hubs.sites) - set(status_quo.sites)
    assert {"cannock", "sandwell"} <= hub_sites
    for sid in hub_sites:
        assert hubs.sites[sid].theatres
        assert hubs.sites[sid].beds is not None and hubs.sites[sid].beds.elective > 0

    # The acute sites stay, keep what the hubs file does not mention, and lose `minor`.
    acute = set(status_quo.sites)
    assert acute <= set(hubs.sites)
    for sid in acute:
        base_site, hub_site = status_quo.sites[sid], hubs.sites[sid]
        assert "minor" in base_site.theatres
        assert "minor" not in hub_site.theatres, f"{sid}: `minor: null` did not remove it"
        assert hub_site.theatres, f"{sid} lost all its theatres"
        assert hub_site.trust == base_site.trust
        assert hub_site.location == base_site.location
        assert hub_site.emergency == base_site.emergency

    # Everything else is inherited.
    assert hubs.procedures == status_quo.procedures
    assert hubs.demand == status_quo.demand
    assert hubs.initial_waiting_list == status_quo.initial_waiting_list
    assert hubs.horizon == status_quo.horizon and hubs.warm_up == status_quo.warm_up

    # Routing rules send referrals to the hubs; the status quo has none.
    assert not status_quo.policies.routing
    assert hubs.policies.routing
    targets = {t for rule in hubs.policies.routing for t in rule.to}
    assert targets and targets <= hub_sites
    # A routed hip replacement from Wolverhampton is treated at a hub, not locally.
    sites, _ = hubs.treating_sites("new_cross", "hip_replacement")
    assert set(sites) <= hub_sites


# ----------------------------------------------------------------------------
# One mistake at a time: (edits, field, line of, message fragments)
# ----------------------------------------------------------------------------

SITE_B_EYES = """\
  site_b:
    trust: SWB
    location: {lat: 52.6, lon: -2.1}
    theatres:
      th1:
        sessions:
          - {days: [Tue], specialty: eyes}
procedures:
  cataract:
    specialty: eyes
    duration: 20 min
    length_of_stay: 0 days
    day_case_probability: 1.0
"""

SITE_B_ORTHO_NO_BEDS = """\
  site_b:
    trust: SWB
    location: {lat: 52.6, lon: -2.1}
    theatres:
      th1:
        sessions:
          - {days: [Tue], specialty: ortho}
procedures:
"""

CATARACT = """\
  cataract:
    specialty: eyes
    duration: 20 min
    length_of_stay: 0 days
    day_case_probability: 1.0
"""

CASES: list[tuple[str, Edits, str, str | None, list[str]]] = [
    # -- unknown keys ------------------------------------------------------------------
    (
        "unknown key bedz",
        (("    beds:\n", "    bedz:\n"),),
        "sites.site_a.bedz",
        "bedz:",
        ["unknown key 'bedz'", "did you mean 'beds'?"],
    ),
    (
        "unknown key in a distribution",
        ((DURATION, "duration: {dist: lognormal, mean: 95 min, sdev: 20 min}"),),
        "procedures.hip.duration.sdev",
        "duration:",
        ["unknown key 'sdev'", "did you mean 'sd'?"],
    ),
    # -- wrong types ---------------------------------------------------------------------
    (
        "text for a bed count",
        (("general: 20", "general: twenty"),),
        "sites.site_a.beds.general",
        "general:",
        ["expected a whole number", "'twenty'"],
    ),
    (
        "fractional bed count",
        (("general: 20", "general: 20.5"),),
        "sites.site_a.beds.general",
        "general:",
        ["expected a whole number", "20.5"],
    ),
    (
        "text for a rate",
        (("admissions_per_day: 2", "admissions_per_day: lots"),),
        "sites.site_a.emergency.admissions_per_day",
        "admissions_per_day:",
        ["expected a number", "'lots'"],
    ),
    (
        "text for a probability",
        (("day_case_probability: 0.1", "day_case_probability: often"),),
        "procedures.hip.day_case_probability",
        "day_case_probability:",
        ["expected a number", "'often'"],
    ),
    (
        "text for the horizon",
        (("horizon: 20 weeks", "horizon: soon"),),
        "horizon",
        "horizon:",
        ["expected a duration such as", "'soon'"],
    ),
    (
        "number for a name",
        (("name: minimal", "name: 123"),),
        "name",
        "name: 123",
        ["expected text", "123", "quotes"],
    ),
    (
        "unknown slot",
        (("slot: all_day", "slot: allday"),),
        "sites.site_a.theatres.th1.sessions[0].slot",
        "slot:",
        ["'allday'", "did you mean 'all_day'?"],
    ),
    (
        "unknown weekday",
        (("days: [Mon, Wed]", "days: [Mon, Wendsday]"),),
        "sites.site_a.theatres.th1.sessions[0].days[1]",
        "days:",
        ["expected one of: Mon, Tue, Wed, Thu, Fri, Sat, Sun", "'Wendsday'"],
    ),
    (
        "true/false not a word",
        (("demand:\n", "policies:\n  ring_fence_elective_beds: maybe\ndemand:\n"),),
        "policies.ring_fence_elective_beds",
        "ring_fence_elective_beds:",
        ["expected true or false", "'maybe'"],
    ),
    # -- missing required fields -----------------------------------------------------------
    (
        "missing horizon",
        (("horizon: 20 weeks\n", ""),),
        "horizon",
        None,
        ["is required but missing", "add `horizon: ...` at the top level"],
    ),
    (
        "missing procedure duration",
        (("    " + DURATION + "\n", ""),),
        "procedures.hip.duration",
        "  hip:",
        ["is required but missing", "add `duration: ...` under procedures.hip"],
    ),
    (
        "missing site trust",
        (("    trust: SWB\n", ""),),
        "sites.site_a.trust",
        "  site_a:\n",
        ["is required but missing", "add `trust: ...` under sites.site_a"],
    ),
    # -- capacity ------------------------------------------------------------------------------
    (
        "negative general beds",
        (("general: 20", "general: -5"),),
        "sites.site_a.beds.general",
        "general:",
        ["at least 0", "-5"],
    ),
    (
        "no beds at all",
        (("general: 20\n      elective: 5", "general: 0\n      elective: 0"),),
        "sites.site_a.beds",
        "    beds:",
        ["at least one general or elective bed"],
    ),
    (
        "zero theatres",
        (("count: 1", "count: 0"),),
        "sites.site_a.theatres.th1.count",
        "count:",
        ["at least 1", "got 0"],
    ),
    (
        "no sessions",
        (("days: [Mon, Wed]", "days: []"),),
        "sites.site_a.theatres.th1.sessions[0].days",
        "days:",
        ["at least 1 item"],
    ),
    (
        "zero emergency admissions",
        (("admissions_per_day: 2", "admissions_per_day: 0"),),
        "sites.site_a.emergency.admissions_per_day",
        "admissions_per_day:",
        ["greater than 0", "got 0"],
    ),
    (
        "negative referrals",
        (("site_a: {hip: 5}", "site_a: {hip: -5}"),),
        "demand.referrals.site_a.hip",
        "site_a: {hip",
        ["at least 0", "-5"],
    ),
    # -- probabilities -------------------------------------------------------------------------
    (
        "priority mix not summing to 1",
        ((MIX, "priority_mix: {P2: 0.2, P4: 0.7}"),),
        "demand.priority_mix",
        "priority_mix:",
        ["must add up to 1", "0.2 + 0.7 = 0.9"],
    ),
    (
        "priority mix over 1",
        ((MIX, "priority_mix: {P2: 0.5, P3: 0.3, P4: 0.4}"),),
        "demand.priority_mix",
        "priority_mix:",
        ["must add up to 1", "0.5 + 0.3 + 0.4 = 1.2"],
    ),
    (
        "unknown priority",
        ((MIX, "priority_mix: {P2: 0.2, P5: 0.8}"),),
        "demand.priority_mix.P5",
        "priority_mix:",
        ["expected one of: P1, P2, P3, P4", "'P5'"],
    ),
    (
        "day-case probability 1.5",
        (("day_case_probability: 0.1", "day_case_probability: 1.5"),),
        "procedures.hip.day_case_probability",
        "day_case_probability:",
        ["at most 1", "1.5"],
    ),
    (
        "negative probability",
        (("  referrals:\n", "  removal_per_year: -0.1\n  referrals:\n"),),
        "demand.removal_per_year",
        "removal_per_year:",
        ["at least 0", "-0.1"],
    ),
    # -- sessions -------------------------------------------------------------------------------
    (
        "session longer than a day",
        ((SESSION, "length: 25 hours, specialty: ortho}"),),
        "sites.site_a.theatres.th1.sessions[0]",
        "length: 25 hours",
        ["cannot be longer than a day"],
    ),
    (
        "session past midnight",
        ((SESSION, "start: 20 hours, length: 6 hours, specialty: ortho}"),),
        "sites.site_a.theatres.th1.sessions[0]",
        "start: 20 hours",
        ["past midnight"],
    ),
    (
        "session starting after midnight",
        ((SESSION, "start: 25 hours, specialty: ortho}"),),
        "sites.site_a.theatres.th1.sessions[0]",
        "start: 25 hours",
        ["time of day"],
    ),
    # -- durations ------------------------------------------------------------------------------
    (
        "bare number duration",
        ((DURATION, "duration: 95"),),
        "procedures.hip.duration",
        "duration: 95",
        ["needs a unit", "'95 min'"],
    ),
    (
        "bare number horizon",
        (("horizon: 20 weeks", "horizon: 20"),),
        "horizon",
        "horizon:",
        ["needs a unit", "'20 days'"],
    ),
    (
        "unknown unit",
        ((DURATION, "duration: 95 parsecs"),),
        "procedures.hip.duration",
        "duration:",
        ["unknown time unit 'parsecs'", "min, hours, days or weeks"],
    ),
    (
        "negative duration",
        ((DURATION, "duration: -95 min"),),
        "procedures.hip.duration",
        "duration:",
        ["cannot be negative"],
    ),
    (
        "negative warm-up",
        (("warm_up: 2 weeks", "warm_up: -2 weeks"),),
        "warm_up",
        "warm_up:",
        ["cannot be negative"],
    ),
    (
        "zero horizon",
        (("horizon: 20 weeks", "horizon: 0 days"),),
        "horizon",
        "horizon:",
        ["longer than zero"],
    ),
    # -- distributions --------------------------------------------------------------------------
    (
        "unknown dist",
        ((DURATION, "duration: {dist: lognorml, mean: 95 min, sd: 20 min}"),),
        "procedures.hip.duration.dist",
        "duration:",
        ["unknown dist 'lognorml'", "did you mean 'lognormal'?"],
    ),
    (
        "dist missing",
        ((DURATION, "duration: {mean: 95 min, sd: 20 min}"),),
        "procedures.hip.duration",
        "duration:",
        ["needs a 'dist' key"],
    ),
    (
        "triangular mode above high",
        ((DURATION, "duration: {dist: triangular, low: 60 min, mode: 150 min, high: 120 min}"),),
        "procedures.hip.duration",
        "duration:",
        ["triangular", "low <= mode <= high"],
    ),
    (
        "triangular mode below low",
        ((DURATION, "duration: {dist: triangular, low: 60 min, mode: 30 min, high: 120 min}"),),
        "procedures.hip.duration",
        "duration:",
        ["triangular", "low <= mode <= high"],
    ),
    (
        "uniform low above high",
        ((DURATION, "duration: {dist: uniform, low: 120 min, high: 60 min}"),),
        "procedures.hip.duration",
        "duration:",
        ["uniform", "low < high"],
    ),
    (
        "uniform low equals high",
        ((DURATION, "duration: {dist: uniform, low: 60 min, high: 60 min}"),),
        "procedures.hip.duration",
        "duration:",
        ["uniform", "low < high"],
    ),
    (
        "empirical weights length",
        (
            (
                DURATION,
                "duration: {dist: empirical, values: [60 min, 90 min, 2 hours], weights: [1, 2]}",
            ),
        ),
        "procedures.hip.duration",
        "duration:",
        ["one weight per value", "3 values, 2 weights"],
    ),
    (
        "empirical negative weight",
        ((DURATION, "duration: {dist: empirical, values: [60 min, 90 min], weights: [1, -2]}"),),
        "procedures.hip.duration.weights[1]",
        "duration:",
        ["at least 0", "-2"],
    ),
    (
        "lognormal sd zero",
        ((DURATION, "duration: {dist: lognormal, mean: 95 min, sd: 0 min}"),),
        "procedures.hip.duration.sd",
        "duration:",
        ["longer than zero"],
    ),
    (
        "lognormal sd negative",
        ((DURATION, "duration: {dist: lognormal, mean: 95 min, sd: -5 min}"),),
        "procedures.hip.duration.sd",
        "duration:",
        ["longer than zero"],
    ),
    (
        "exponential mean zero",
        (("{dist: exponential, mean: 3 days}", "{dist: exponential, mean: 0 days}"),),
        "sites.site_a.emergency.length_of_stay.mean",
        "dist: exponential",
        ["longer than zero"],
    ),
    # -- references and plans that cannot work ---------------------------------------------
    (
        "unknown trust",
        (("trust: SWB", "trust: SWBH"),),
        "sites.site_a.trust",
        "trust: SWBH",
        ["unknown trust 'SWBH'", "did you mean 'SWB'?", "known trusts: SWB"],
    ),
    (
        "demand for an unknown site",
        (("site_a: {hip: 5}", "site_b: {hip: 5}"),),
        "demand.referrals.site_b",
        "site_b: {hip",
        ["unknown site 'site_b'", "did you mean 'site_a'?"],
    ),
    (
        "demand for an unknown procedure",
        (("site_a: {hip: 5}", "site_a: {hipp: 5}"),),
        "demand.referrals.site_a.hipp",
        "site_a: {hipp",
        ["unknown procedure 'hipp'", "did you mean 'hip'?"],
    ),
    (
        "routing to an unknown site",
        (("demand:\n", ROUTE_HIP_TO_B),),
        "policies.routing[0].to[0]",
        "to: site_b",
        ["unknown site 'site_b'", "known sites: site_a"],
    ),
    (
        "routing an unknown procedure",
        (
            (
                "demand:\n",
                "policies:\n  routing:\n    - procedures: [knee]\n      to: site_a\ndemand:\n",
            ),
        ),
        "policies.routing[0].procedures[0]",
        "procedures: [knee]",
        ["unknown procedure 'knee'"],
    ),
    (
        "routing to a site without sessions for the specialty",
        (("procedures:\n", SITE_B_EYES), ("demand:\n", ROUTE_HIP_TO_B)),
        "demand.referrals.site_a.hip",
        "site_a: {hip",
        ["hip (ortho) from site_a is treated at site_b", "no theatre sessions for ortho"],
    ),
    (
        "routing inpatients to a site without beds",
        (("procedures:\n", SITE_B_ORTHO_NO_BEDS), ("demand:\n", ROUTE_HIP_TO_B)),
        "sites.site_b.beds",
        "  site_b:",
        ["site_b operates on hip inpatients but has no beds"],
    ),
    (
        "routing day cases needing critical care to a site without beds",
        (
            ("procedures:\n", SITE_B_ORTHO_NO_BEDS.replace(
                "    theatres:\n", "    critical_care: {beds: 4}\n    theatres:\n")),
            ("demand:\n", ROUTE_HIP_TO_B),
            ("day_case_probability: 0.1\n", "day_case_probability: 1.0\n    critical_care: "
             "{probability: 0.5, length_of_stay: 2 days}\n"),
        ),  # fmt: skip
        "sites.site_b.beds",
        "  site_b:",
        [
            "site_b operates on hip patients who need critical care after surgery",
            "never day cases",
            "no ward beds",
        ],
    ),
    (
        "demand at a site without sessions for the specialty",
        (
            ("demand:\n", CATARACT + "demand:\n"),
            ("site_a: {hip: 5}", "site_a: {hip: 5, cataract: 3}"),
        ),
        "demand.referrals.site_a.cataract",
        "site_a: {hip",
        ["cataract (eyes) from site_a is treated at site_a", "no theatre sessions for eyes"],
    ),
    (
        "renamed specialty leaves sessions empty",
        (("specialty: ortho\n    duration", "specialty: trauma\n    duration"),),
        "sites.site_a.theatres.th1.sessions[0].specialty",
        "days: [Mon, Wed]",
        ["no procedure has the specialty 'ortho'", "always be empty"],
    ),
    (
        "session specialty no procedure has",
        ((SESSION, SESSION + "\n          - {days: [Fri], specialty: orthoo}"),),
        "sites.site_a.theatres.th1.sessions[1].specialty",
        "specialty: orthoo",
        [
            "no procedure has the specialty 'orthoo'",
            "did you mean 'ortho'?",
            "always be empty",
        ],
    ),
    (
        "warm-up equal to horizon",
        (("warm_up: 2 weeks", "warm_up: 20 weeks"),),
        "warm_up",
        "warm_up:",
        ["warm-up must be shorter than the horizon"],
    ),
    (
        "warm-up longer than horizon",
        (("warm_up: 2 weeks", "warm_up: 30 weeks"),),
        "warm_up",
        "warm_up:",
        ["warm-up must be shorter than the horizon"],
    ),
    (
        "emergencies at a site without beds",
        ((BEDS, ""),),
        "sites.site_a.emergency",
        "emergency:",
        ["emergency admissions need beds", "add 'beds'"],
    ),
    (
        "emergency weekday profile of 6",
        ((EMERGENCY_RATE, EMERGENCY_RATE + "      weekday_profile: [1, 1, 1, 1, 1, 1]\n"),),
        "sites.site_a.emergency.weekday_profile",
        "weekday_profile:",
        ["weekday_profile needs exactly 7 numbers, got 6"],
    ),
    (
        "emergency weekday profile all zeros",
        ((EMERGENCY_RATE, EMERGENCY_RATE + "      weekday_profile: [0, 0, 0, 0, 0, 0, 0]\n"),),
        "sites.site_a.emergency.weekday_profile",
        "weekday_profile:",
        ["cannot be all zeros"],
    ),
    (
        "demand weekday profile of 6",
        ((MIX, MIX + "\n  weekday_profile: [1, 1, 1, 1, 1, 0]"),),
        "demand.weekday_profile",
        "weekday_profile:",
        ["weekday_profile needs exactly 7 numbers, got 6"],
    ),
    (
        "demand monthly profile of 11",
        ((MIX, MIX + "\n  monthly_profile: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"),),
        "demand.monthly_profile",
        "monthly_profile:",
        ["monthly_profile needs exactly 12 numbers, got 11"],
    ),
    (
        "demand monthly profile all zeros",
        ((MIX, MIX + "\n  monthly_profile: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]"),),
        "demand.monthly_profile",
        "monthly_profile:",
        ["cannot be all zeros"],
    ),
    (
        "negative profile value",
        ((EMERGENCY_RATE, EMERGENCY_RATE + "      weekday_profile: [1, 1, 1, 1, 1, 1, -1]\n"),),
        "sites.site_a.emergency.weekday_profile[6]",
        "weekday_profile:",
        ["at least 0", "-1"],
    ),
    (
        "waiting list at an unknown site",
        (
            (
                "demand:\n",
                "initial_waiting_list:\n  lists:\n    site_z:\n"
                "      hip: {size: 10, wait_age: 4 weeks}\ndemand:\n",
            ),
        ),
        "initial_waiting_list.lists.site_z",
        "site_z:",
        ["unknown site 'site_z'"],
    ),
]


@pytest.mark.parametrize(
    ("edits", "field", "line_needle", "fragments"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_one_mistake_is_reported_at_its_place(
    reject: Callable[..., ScenarioError],
    edits: Edits,
    field: str,
    line_needle: str | None,
    fragments: list[str],
) -> None:
    text = edit(MINIMAL, edits)
    err = reject(text)
    assert err.field == field, err.message
    if line_needle is not None:
        assert err.line == line_of(text, line_needle), err.message
    for fragment in fragments:
        assert fragment in err.problems[0], f"{fragment!r} not in: {err.problems[0]}"


def test_missing_horizon_points_at_the_top_of_the_file(
    reject: Callable[..., ScenarioError],
) -> None:
    err = reject(edit(MINIMAL, (("horizon: 20 weeks\n", ""),)))
    assert err.line == 1
    assert len(err.problems) == 1


def test_misspelt_key_is_reported_at_its_own_line(
    reject: Callable[..., ScenarioError],
) -> None:
    # The misspelling also leaves the stream without arrivals: both are said, each at its line.
    text = edit(MINIMAL, (("admissions_per_day: 2", "admisions_per_day: 2"),))
    err = reject(text)
    line = line_of(text, "admisions_per_day")
    [typo] = [p for p in err.problems if "admisions_per_day" in p]
    assert f"line {line}, field sites.site_a.emergency.admisions_per_day" in typo
    assert "unknown key 'admisions_per_day'; did you mean 'admissions_per_day'?" in typo
    [missing] = [p for p in err.problems if p is not typo]
    assert f"line {line_of(text, 'emergency:')}, field sites.site_a.emergency:" in missing
    assert "say how patients arrive in one way: admissions_per_day (a rate)" in missing
    assert "none is given" in missing


def test_misspelt_top_level_key(reject: Callable[..., ScenarioError]) -> None:
    text = edit(MINIMAL, (("horizon: 20 weeks", "horizn: 20 weeks"),))
    err = reject(text)
    [typo] = [p for p in err.problems if "horizn" in p]
    assert f"line {line_of(text, 'horizn')}, field horizn" in typo
    assert "did you mean 'horizon'?" in typo


# ----------------------------------------------------------------------------
# Mistakes pydantic alone would let through (found as gaps, now rejected)
# ----------------------------------------------------------------------------

GAPS = [
    pytest.param(
        (("general: 20", "general: yes"),),
        "sites.site_a.beds.general",
        id="yes as a bed count",
    ),
    pytest.param(
        (("count: 1", "count: true"),),
        "sites.site_a.theatres.th1.count",
        id="true as a theatre count",
    ),
    pytest.param(
        ((DURATION, "duration: 0 min"),),
        "procedures.hip.duration",
        id="zero-length operation",
    ),
    pytest.param(
        ((SESSION, SESSION + "\n          - {days: [Mon], slot: AM, specialty: ortho}"),),
        "sites.site_a.theatres.th1.sessions",
        id="overlapping sessions in one theatre",
    ),
    pytest.param(
        (("general: 20\n      elective: 5", "general: 0\n      elective: 5"),),
        "sites.site_a.emergency",
        id="emergencies with only ring-fenced beds",
    ),
    pytest.param(
        (("admissions_per_day: 2", "admissions_per_day: .inf"),),
        "sites.site_a.emergency.admissions_per_day",
        id="infinite admissions",
    ),
    pytest.param(
        ((EMERGENCY_RATE, EMERGENCY_RATE + "      weekday_profile: [1, 1, 1, 1, 1, 1, .nan]\n"),),
        "sites.site_a.emergency.weekday_profile",
        id="NaN in a profile",
    ),
]


@pytest.mark.parametrize(("edits", "field_prefix"), GAPS)
def test_should_be_rejected(
    reject: Callable[..., ScenarioError], edits: Edits, field_prefix: str
) -> None:
    err = reject(edit(MINIMAL, edits))
    assert err.field is not None and err.field.startswith(field_prefix), err.message


def test_unknown_trust_differing_only_in_case_gets_a_hint(
    reject: Callable[..., ScenarioError],
) -> None:
    err = reject(edit(MINIMAL, (("trust: SWB", "trust: swb"),)))
    assert err.field == "sites.site_a.trust"
    assert "did you mean 'SWB'?" in err.message


# ----------------------------------------------------------------------------
# extends
# ----------------------------------------------------------------------------

TWO_THEATRES = edit(
    MINIMAL,
    (
        (
            "    emergency:\n",
            "      th2:\n        sessions:\n"
            "          - {days: [Fri], slot: PM, specialty: ortho}\n    emergency:\n",
        ),
    ),
)


def test_extends_overrides_one_nested_value(write: Callable[..., Path]) -> None:
    write(TWO_THEATRES, "base.yaml")
    variant = write(
        "extends: base.yaml\nname: more beds\nsites:\n  site_a:\n    beds:\n      general: 30\n",
        "variant.yaml",
    )
    base = sim.load_scenario(variant.parent / "base.yaml")
    sc = sim.load_scenario(variant)
    assert sc.name == "more beds"
    assert sc.sites["site_a"].beds.general == 30
    assert sc.sites["site_a"].beds.elective == 5  # the sibling is kept
    assert sc.sites["site_a"].theatres == base.sites["site_a"].theatres
    assert sc.sites["site_a"].emergency == base.sites["site_a"].emergency
    assert sc.procedures == base.procedures and sc.demand == base.demand
    assert sc.horizon == base.horizon
    assert sim.scenario_hash(sc) != sim.scenario_hash(base)


def test_extends_null_deletes_a_key(write: Callable[..., Path]) -> None:
    write(TWO_THEATRES, "base.yaml")
    variant = write(
        "extends: base.yaml\nsites:\n  site_a:\n    theatres:\n      th2: null\n"
        "    emergency: null\n",
        "variant.yaml",
    )
    base = sim.load_scenario(variant.parent / "base.yaml")
    assert set(base.sites["site_a"].theatres) == {"th1", "th2"}
    sc = sim.load_scenario(variant)
    assert set(sc.sites["site_a"].theatres) == {"th1"}
    assert sc.sites["site_a"].theatres["th1"] == base.sites["site_a"].theatres["th1"]
    assert sc.sites["site_a"].emergency is None
    assert sc.sites["site_a"].beds == base.sites["site_a"].beds


def test_extends_null_on_a_required_key_is_reported_in_the_variant(
    write: Callable[..., Path], reject: Callable[..., ScenarioError]
) -> None:
    write(MINIMAL, "base.yaml")
    text = "extends: base.yaml\nsites:\n  site_a:\n    trust: null\n"
    err = reject(text, "variant.yaml")
    assert err.field == "sites.site_a.trust"
    # At the line that deleted it, saying so.
    assert err.line == line_of(text, "trust: null")
    assert "is required but missing" in err.message
    assert "`trust: null` here removed what the extended file gave" in err.message


def test_extends_mistake_in_the_variant_names_the_variant(
    write: Callable[..., Path], reject: Callable[..., ScenarioError]
) -> None:
    write(MINIMAL, "base.yaml")
    text = "extends: base.yaml\nsites:\n  site_a:\n    beds:\n      general: -1\n"
    err = reject(text, "variant.yaml")
    assert err.field == "sites.site_a.beds.general"
    assert err.line == line_of(text, "general:")


def test_extends_mistake_in_the_base_names_the_base(
    write: Callable[..., Path],
) -> None:
    base_text = edit(MINIMAL, (("general: 20", "general: -5"),))
    base = write(base_text, "base.yaml")
    variant = write("extends: base.yaml\nname: variant\n", "variant.yaml")
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(variant)
    err = info.value
    assert err.file == str(base)
    assert err.line == line_of(base_text, "general:")
    assert err.message.startswith(f"{base}, line {err.line}, field sites.site_a.beds.general")


def test_extends_missing_base_file(reject: Callable[..., ScenarioError]) -> None:
    err = reject("extends: nothere.yaml\nname: variant\n", "variant.yaml")
    assert err.field == "extends" and err.line == 1
    assert "'nothere.yaml'" in err.message and "does not exist" in err.message


# ----------------------------------------------------------------------------
# Several problems in one file
# ----------------------------------------------------------------------------


def test_several_problems_are_all_reported(reject: Callable[..., ScenarioError]) -> None:
    text = edit(
        MINIMAL,
        (
            ("horizon: 20 weeks\n", ""),
            ("    beds:\n", "    bedz:\n"),
            (DURATION, "duration: 95"),
            ("day_case_probability: 0.1", "day_case_probability: 1.5"),
            (MIX, "priority_mix: {P2: 0.2, P4: 0.7}"),
        ),
    )
    err = reject(text)
    assert len(err.problems) == 5, err.message
    assert err.message.startswith("Found 5 problems in the scenario:")
    assert all(p in err.message for p in err.problems)
    fields = [p.split(", field ", 1)[1].split(":", 1)[0] for p in err.problems]
    assert fields == [  # in reading order
        "horizon",
        "sites.site_a.bedz",
        "procedures.hip.duration",
        "procedures.hip.day_case_probability",
        "demand.priority_mix",
    ]
    assert f"line {line_of(text, 'bedz')}," in err.problems[1]
    assert f"line {line_of(text, 'duration: 95')}," in err.problems[2]
    assert f"line {line_of(text, 'day_case_probability')}," in err.problems[3]


def test_several_reference_problems_are_all_reported(
    reject: Callable[..., ScenarioError],
) -> None:
    text = edit(
        MINIMAL,
        (
            ("trust: SWB", "trust: RWT"),
            ("warm_up: 2 weeks", "warm_up: 30 weeks"),
            ("site_a: {hip: 5}", "site_q: {hip: 5}"),
        ),
    )
    err = reject(text)
    assert len(err.problems) == 3, err.message
    joined = "\n".join(err.problems)
    assert f"line {line_of(text, 'warm_up')}, field warm_up" in joined
    assert f"line {line_of(text, 'trust: RWT')}, field sites.site_a.trust" in joined
    assert f"line {line_of(text, 'site_q')}, field demand.referrals.site_q" in joined


def test_many_problems_are_counted_beyond_those_shown(
    reject: Callable[..., ScenarioError],
) -> None:
    extra = "".join(f"    extra_{i}: 1\n" for i in range(12))
    err = reject(edit(MINIMAL, (("    trust: SWB\n", "    trust: SWB\n" + extra),)))
    assert len(err.problems) == 12
    assert err.message.startswith("Found 12 problems")
    assert "... and 2 more problems." in err.message


def test_field_and_reference_problems_are_reported_together(
    reject: Callable[..., ScenarioError],
) -> None:
    text = edit(MINIMAL, (("    beds:\n", "    bedz:\n"), ("trust: SWB", "trust: RWT")))
    err = reject(text)
    assert len(err.problems) == 2, err.message
