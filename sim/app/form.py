"""The scenario as the app's forms show it, form values back to a scenario, and which form
field each validation problem belongs to.

The forms start from a scenario as plain data (:func:`plain`: the validated scenario written
back with units, exactly what ``Results.save`` writes as ``scenario.yaml``). A single value
is keyed by its field path, e.g. ``("sites", "mmuh", "beds", "general")``; a table (theatre
sessions, referrals, procedures, routing rules, sites, trusts) is a pandas frame with one row
per item. :func:`build` puts the values onto a copy of that data and returns it with the
problems only a form can have (a table row without a name, a cell that is not YAML); the
library then validates the data exactly as it validates a file (:func:`check`), and
:func:`place` sends each problem to the form field whose path is its longest prefix.

Nothing here imports Streamlit.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import yaml

import sim
from sim.scenario.errors import format_path
from sim.scenario.schema import PRIORITIES, SLOT_DEFAULTS, WEEKDAYS

Path = tuple[str | int, ...]

SLOTS: tuple[str, ...] = tuple(SLOT_DEFAULTS)
BOOKING_ORDERS = (
    "priority_then_wait",
    "longest_wait",
    "deprivation_weighted",
    "quintile1_long_waiters_first",
)
ON_CANCELLATION = ("return_to_list", "rebook_first", "leave")
WHEN_FULL = ("queue", "divert")
CHOOSE = ("nearest", "shortest_list")
COMPLEXITY = ("routine", "complex")
MAX_CELL_CHARS = 500


# -- plain data --------------------------------------------------------------------------


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def plain(sc: sim.Scenario) -> dict[str, Any]:
    """The scenario as plain data with units (``"100 min"``), empty optional fields left out.

    Validating the result gives the same scenario (same hash); if leaving a field out ever
    changed it, the full data is returned instead.
    """
    full = sc.model_dump(mode="json", by_alias=True)
    lean = _without_none(full)
    try:
        same = sim.scenario_hash(sim.validate_scenario(copy.deepcopy(lean))) == sim.scenario_hash(
            sc
        )
    except sim.ScenarioError:
        same = False
    return lean if same else full


def dotted(path: Iterable[Any]) -> str:
    """``("sites", "a", "theatres", "t", "sessions", 0)`` -> ``sites.a.theatres.t.sessions[0]``."""
    return format_path(path)


def get(data: Any, path: Path, default: Any = None) -> Any:
    """The value at ``path``, or ``default`` where the path does not exist."""
    node = data
    for part in path:
        found = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        if not found:
            return default
        node = node[part]
    return node


def put(data: dict[str, Any], path: Path, value: Any) -> None:
    """Set ``path`` to ``value`` (creating mappings on the way); ``None`` removes the key."""
    node: Any = data
    for part in path[:-1]:
        if isinstance(node, list):
            node = node[part]
            continue
        if not isinstance(node.get(part), dict | list):
            if value is None:
                return
            node[part] = {}
        node = node[part]
    if value is None:
        if isinstance(node, dict):
            node.pop(path[-1], None)
    else:
        node[path[-1]] = value


def text_of(value: Any) -> str:
    """A value as one line of YAML, for a text field: ``{dist: lognormal, mean: 3 days, ...}``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and value.get("dist") == "fixed" and set(value) == {"dist", "value"}:
        return text_of(value["value"])  # a fixed time is written as the time alone
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000)
    return text.strip().removesuffix("...").strip()


def value_of(text: Any) -> Any:
    """A text field's value read as YAML (``3 days`` stays text, ``{dist: ...}`` a mapping).

    Raises ``ValueError`` with a plain reason when the text is not a YAML value.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    if not isinstance(text, str):
        return text
    text = text.strip()
    if not text:
        return None
    if len(text) > MAX_CELL_CHARS:
        raise ValueError(f"this text is longer than {MAX_CELL_CHARS} characters")
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "not readable"
        raise ValueError(
            f"{text!r} cannot be read as YAML ({problem}); write a duration such as "
            "'3 days' or a distribution such as {dist: lognormal, mean: 3 days, sd: 2 days}"
        ) from None
    return value


def number(value: Any) -> int | float | None:
    """A table cell as a number: whole numbers as ``int``, blanks as ``None``."""
    if value is None or value == "":
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return value  # the library says what is wrong with it
    if math.isnan(x):
        return None
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _names(value: Any) -> list[str]:
    """A multiselect cell (a list, or text with commas) as a list of names."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    try:
        return [str(v).strip() for v in value if str(v).strip()]
    except TypeError:
        return []


# -- problems ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One problem: the field it concerns (dotted, ``""`` if none) and the message."""

    field: str
    message: str


_FIELD = re.compile(r"^(?:.*?, )?field (\S+?): ")


def problems_of(err: sim.ScenarioError) -> list[Problem]:
    """Every problem of a ``ScenarioError``, each with the field its paragraph names."""
    out = []
    for text in err.problems:
        match = _FIELD.match(text)
        out.append(Problem(match.group(1) if match else "", text))
    return out


def _under(path: str, slot: str) -> bool:
    if not slot:
        return True
    return path == slot or path.startswith((slot + ".", slot + "["))


def place(problems: Iterable[Problem], slots: Iterable[str]) -> dict[str, list[str]]:
    """Each problem's message under the slot (a form field's path) that is the longest
    prefix of its field; ``""`` collects the problems no form field shows."""
    known = sorted(set(slots), key=len, reverse=True)
    out: dict[str, list[str]] = {}
    for p in problems:
        slot = next((s for s in known if s and _under(p.field, s)), "")
        out.setdefault(slot, [])
        if p.message not in out[slot]:
            out[slot].append(p.message)
    return out


@dataclass
class Checked:
    """Form data after validation: the scenario, or the problems."""

    data: dict[str, Any]
    scenario: sim.Scenario | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.scenario is not None and not self.problems


def check(data: dict[str, Any], form_problems: Iterable[Problem] = ()) -> Checked:
    """Validate scenario data with the library (the checks and messages of the CLI)."""
    problems = list(form_problems)
    try:
        scenario = sim.validate_scenario(copy.deepcopy(data))
    except sim.ScenarioError as err:
        return Checked(data, None, problems + problems_of(err))
    return Checked(data, scenario, problems)


# -- tables: sites and trusts ------------------------------------------------------------


def trusts_frame(data: dict[str, Any]) -> pd.DataFrame:
    rows = [(tid, t.get("name", "")) for tid, t in data.get("trusts", {}).items()]
    return pd.DataFrame(rows, columns=["trust", "name"])


def trusts_from(df: pd.DataFrame, data: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for tid, name in zip(df["trust"], df["name"], strict=True):
        trust = dict(data.get("trusts", {}).get(tid, {}))
        trust["name"] = "" if _blank(name) else str(name)
        out[tid] = trust
    return out


def sites_frame(data: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for sid, s in data.get("sites", {}).items():
        loc = s.get("location") or {}
        rows.append((sid, s.get("name") or "", s.get("trust"), loc.get("lat"), loc.get("lon")))
    df = pd.DataFrame(rows, columns=["site", "name", "trust", "lat", "lon"])
    return df.astype({"lat": float, "lon": float})


def sites_from(df: pd.DataFrame, sites: dict[str, Any]) -> None:
    """Names, trusts and locations from the sites table onto ``sites`` (changed in place)."""
    for row in df.itertuples(index=False):
        site = sites.get(row.site)
        if site is None:
            continue
        put(site, ("name",), None if _blank(row.name) else str(row.name))
        put(site, ("trust",), None if _blank(row.trust) else str(row.trust))
        lat, lon = number(row.lat), number(row.lon)
        put(site, ("location",), None if lat is None and lon is None else {"lat": lat, "lon": lon})


# -- tables: theatre sessions ------------------------------------------------------------

SESSION_COLUMNS = ["theatre", "count", "days", "slot", "specialty", "start", "length"]


def sessions_frame(site: dict[str, Any]) -> pd.DataFrame:
    """One row per session plan of every theatre at a site."""
    rows = []
    for tname, theatre in (site.get("theatres") or {}).items():
        for plan in theatre.get("sessions", []):
            days = plan.get("days", [])
            rows.append(
                (
                    tname,
                    theatre.get("count", 1),
                    [days] if isinstance(days, str) else list(days),
                    plan.get("slot", "all_day"),
                    plan.get("specialty"),
                    text_of(plan.get("start")),
                    text_of(plan.get("length")),
                )
            )
    df = pd.DataFrame(rows, columns=SESSION_COLUMNS)
    return df.astype({"count": "Int64", "start": str, "length": str})


def sessions_from(
    df: pd.DataFrame, where: Path, old: dict[str, Any] | None
) -> tuple[dict[str, Any], list[Problem]]:
    """The ``theatres`` of a site from its sessions table; other theatre fields are kept."""
    old = old or {}
    theatres: dict[str, Any] = {}
    counts: dict[str, set] = {}
    problems: list[Problem] = []
    for i, row in enumerate(df.itertuples(index=False)):
        if _blank(row.theatre):
            if any(not _blank(v) for v in (row.specialty, row.slot)) or _names(row.days):
                problems.append(
                    Problem(
                        dotted(where),
                        f"field {dotted(where)}: session row {i + 1} has no theatre name; "
                        "name the theatre (rows with the same name are one theatre's plans)",
                    )
                )
            continue
        tname = str(row.theatre).strip()
        theatre = theatres.get(tname)
        if theatre is None:
            theatre = {
                k: v for k, v in old.get(tname, {}).items() if k not in ("count", "sessions")
            }
            theatre["sessions"] = []
            theatres[tname] = theatre
        count = number(row.count)
        counts.setdefault(tname, set()).add(count if count is not None else 1)
        plan: dict[str, Any] = {"days": _names(row.days)}
        if not _blank(row.slot):
            plan["slot"] = str(row.slot)
        plan["specialty"] = None if _blank(row.specialty) else str(row.specialty)
        for key in ("start", "length"):
            value = getattr(row, key)
            if not _blank(value):
                plan[key] = str(value).strip()
        theatre["sessions"].append({k: v for k, v in plan.items() if v is not None})
    for tname, found in counts.items():
        if len(found) > 1:
            path = (*where, tname, "count")
            problems.append(
                Problem(
                    dotted(path),
                    f"field {dotted(path)}: the rows of theatre '{tname}' give different "
                    f"counts ({', '.join(str(c) for c in sorted(found, key=str))}); give every "
                    "row of a theatre the same count",
                )
            )
        theatres[tname] = {"count": sorted(found, key=str)[0], **theatres[tname]}
    return theatres, problems


# -- tables: referrals -------------------------------------------------------------------


def weekly_rates(sc: sim.Scenario | None) -> dict[tuple[str, str], float]:
    """Referrals a week per (home site, procedure), whatever way the line gives them."""
    if sc is None:
        return {}
    return {
        (s, p): line.mean_per_day * 7.0
        for s, by in sc.demand.referrals.items()
        for p, line in by.items()
    }


def referrals_frame(data: dict[str, Any], rates: dict[tuple[str, str], float]) -> pd.DataFrame:
    """Referrals a week: one row per site, one column per procedure (blank = none)."""
    procs = list(data.get("procedures", {}))
    given = data.get("demand", {}).get("referrals", {})
    rows = []
    for sid in data.get("sites", {}):
        row: list[Any] = [sid]
        for p in procs:
            line = given.get(sid, {}).get(p)
            if line is None:
                row.append(float("nan"))
            elif isinstance(line, dict) and line.get("per_week") is not None:
                row.append(float(line["per_week"]))
            else:
                row.append(rates.get((sid, p), float("nan")))
        rows.append(row)
    df = pd.DataFrame(rows, columns=["site", *procs])
    return df.astype({p: float for p in procs})


def referrals_from(
    df: pd.DataFrame, data: dict[str, Any], rates: dict[tuple[str, str], float]
) -> dict[str, Any]:
    """The demand's ``referrals`` from the table: a changed cell becomes a weekly rate (a line
    given as gaps or times keeps its form until its cell is changed); a blank or 0 cell, no
    referrals."""
    given = data.get("demand", {}).get("referrals", {})
    out: dict[str, Any] = {}
    for row in df.to_dict("records"):
        sid = row.pop("site")
        lines = {}
        for p, cell in row.items():
            value = number(cell)
            old = given.get(sid, {}).get(p)
            if value is None or value == 0:
                continue
            if isinstance(old, dict) and old.get("per_week") is None:
                shown = rates.get((sid, p))
                if shown is not None and math.isclose(float(value), shown, rel_tol=1e-9):
                    lines[p] = old
                    continue
            line = {k: v for k, v in (old or {}).items() if k not in ("interarrival", "schedule")}
            line["per_week"] = value
            lines[p] = line
        if lines:
            out[sid] = lines
    # Sites the table does not list (none today) keep their referrals.
    for sid, lines in given.items():
        if sid not in set(df["site"]):
            out[sid] = lines
    return out


# -- tables: procedures ------------------------------------------------------------------

PROCEDURE_COLUMNS = [
    "procedure",
    "name",
    "specialty",
    "complexity",
    "duration",
    "planned_duration",
    "length_of_stay",
    "day_case_probability",
]
_PROCEDURE_TEXT = ("duration", "planned_duration", "length_of_stay")


def procedures_frame(data: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for pid, p in data.get("procedures", {}).items():
        rows.append(
            (
                pid,
                p.get("name") or "",
                p.get("specialty"),
                p.get("complexity", "routine"),
                text_of(p.get("duration")),
                text_of(p.get("planned_duration")),
                text_of(p.get("length_of_stay")),
                float(p.get("day_case_probability", 0.0)),
            )
        )
    return pd.DataFrame(rows, columns=PROCEDURE_COLUMNS)


def procedures_from(df: pd.DataFrame, data: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Procedures from their table; fields the table does not show are kept."""
    old = data.get("procedures", {})
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    for row in df.to_dict("records"):
        pid = row["procedure"]
        proc = dict(old.get(pid, {}))
        proc["name"] = None if _blank(row["name"]) else str(row["name"])
        proc["specialty"] = None if _blank(row["specialty"]) else str(row["specialty"])
        proc["complexity"] = "routine" if _blank(row["complexity"]) else str(row["complexity"])
        proc["day_case_probability"] = number(row["day_case_probability"]) or 0.0
        for key in _PROCEDURE_TEXT:
            path = ("procedures", pid, key)
            try:
                proc[key] = value_of(row[key])
            except ValueError as exc:
                problems.append(Problem(dotted(path), f"field {dotted(path)}: {exc}."))
                proc[key] = old.get(pid, {}).get(key)
        out[pid] = {k: v for k, v in proc.items() if v is not None}
    return out, problems


# -- tables: routing rules ---------------------------------------------------------------

ROUTING_COLUMNS = [
    "procedures",
    "specialty",
    "complexity",
    "from_trusts",
    "from_sites",
    "to",
    "choose",
]
_ROUTING_LISTS = ("procedures", "complexity", "from_trusts", "from_sites", "to")


def routing_frame(data: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for rule in data.get("policies", {}).get("routing", []):
        to = rule.get("to", [])
        rows.append(
            (
                list(rule.get("procedures") or []),
                rule.get("specialty") or "",
                list(rule.get("complexity") or []),
                list(rule.get("from_trusts") or []),
                list(rule.get("from_sites") or []),
                [to] if isinstance(to, str) else list(to),
                rule.get("choose", "nearest"),
            )
        )
    return pd.DataFrame(rows, columns=ROUTING_COLUMNS).astype({"specialty": object})


def routing_from(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Routing rules from their table (an empty list cell = any)."""
    rules = []
    for row in df.to_dict("records"):
        rule: dict[str, Any] = {}
        for key in _ROUTING_LISTS:
            names = _names(row[key])
            if names or key == "to":
                rule[key] = names
        if not _blank(row["specialty"]):
            rule["specialty"] = str(row["specialty"])
        rule["choose"] = "nearest" if _blank(row["choose"]) else str(row["choose"])
        if any(rule.get(k) for k in (*_ROUTING_LISTS, "specialty")):
            rules.append(rule)
    return rules


# -- structural changes ------------------------------------------------------------------

_IDENT = re.compile(r"^[A-Za-z0-9_\-]+$")


def check_new_name(name: str, existing: Iterable[str], what: str) -> str | None:
    """Why ``name`` cannot name a new site/procedure/trust, or None if it can."""
    if not name or not _IDENT.match(name):
        return f"a {what} name may use only letters, digits, '_' and '-' (e.g. hub_north)"
    if name in set(existing):
        return f"there is already a {what} called '{name}'"
    return None


def add_site(data: dict[str, Any], new: str, like: str) -> dict[str, Any]:
    """A copy of ``data`` with site ``new`` built like ``like`` (theatres, beds, emergencies),
    without referrals or a waiting list of its own."""
    out = copy.deepcopy(data)
    site = copy.deepcopy(out["sites"][like])
    site["name"] = f"{site.get('name') or like} (copy)"
    out["sites"][new] = site
    return out


def remove_site(data: dict[str, Any], sid: str) -> dict[str, Any]:
    """A copy of ``data`` without site ``sid``, its referrals and its waiting list. What
    still names it (routing rules, mutual aid) is left for validation to point out."""
    out = copy.deepcopy(data)
    out["sites"].pop(sid, None)
    for path in (
        ("demand", "referrals"),
        ("demand", "quintile_mix_by_site"),
        ("initial_waiting_list", "lists"),
    ):
        node = get(out, path)
        if isinstance(node, dict):
            node.pop(sid, None)
    return out


def add_procedure(data: dict[str, Any], new: str, like: str) -> dict[str, Any]:
    out = copy.deepcopy(data)
    proc = copy.deepcopy(out["procedures"][like])
    proc["name"] = f"{proc.get('name') or like} (copy)"
    out["procedures"][new] = proc
    return out


def add_trust(data: dict[str, Any], new: str, name: str) -> dict[str, Any]:
    out = copy.deepcopy(data)
    out.setdefault("trusts", {})[new] = {"name": name or new}
    return out


# -- putting a form together -------------------------------------------------------------


@dataclass
class Edits:
    """What the forms hold: single values by path and the tables (None = not shown)."""

    values: dict[Path, Any] = field(default_factory=dict)
    trusts: pd.DataFrame | None = None
    sites: pd.DataFrame | None = None
    sessions: dict[str, pd.DataFrame] = field(default_factory=dict)
    referrals: pd.DataFrame | None = None
    procedures: pd.DataFrame | None = None
    routing: pd.DataFrame | None = None
    text_values: dict[Path, str] = field(default_factory=dict)
    """Text fields read as YAML (durations, distributions)."""


def build(
    structure: dict[str, Any], edits: Edits, rates: dict[tuple[str, str], float] | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """The scenario data the forms describe, and problems only a form can have."""
    data = copy.deepcopy(structure)
    problems: list[Problem] = []
    if edits.trusts is not None:
        data["trusts"] = trusts_from(edits.trusts, data)
    if edits.sites is not None:
        sites_from(edits.sites, data.setdefault("sites", {}))
    for sid, frame in edits.sessions.items():
        if sid not in data.get("sites", {}):
            continue
        where: Path = ("sites", sid, "theatres")
        theatres, found = sessions_from(frame, where, get(data, where))
        problems += found
        put(data, where, theatres if theatres else None)
    if edits.procedures is not None:
        data["procedures"], found = procedures_from(edits.procedures, data)
        problems += found
    if edits.referrals is not None:
        data.setdefault("demand", {})["referrals"] = referrals_from(
            edits.referrals, structure, rates or {}
        )
    if edits.routing is not None:
        data.setdefault("policies", {})["routing"] = routing_from(edits.routing)
    for path, value in edits.values.items():
        put(data, path, value)
    for path, text in edits.text_values.items():
        try:
            put(data, path, value_of(text))
        except ValueError as exc:
            problems.append(Problem(dotted(path), f"field {dotted(path)}: {exc}."))
    return data, problems


def priority_mix(values: dict[str, float]) -> dict[str, float] | None:
    """The priority mix from one number per priority (zeros left out)."""
    mix = {p: number(values.get(p)) for p in PRIORITIES}
    return {p: v for p, v in mix.items() if v} or None


__all__ = [
    "BOOKING_ORDERS",
    "CHOOSE",
    "COMPLEXITY",
    "Checked",
    "Edits",
    "ON_CANCELLATION",
    "PRIORITIES",
    "Problem",
    "SLOTS",
    "WEEKDAYS",
    "WHEN_FULL",
    "add_procedure",
    "add_site",
    "add_trust",
    "build",
    "check",
    "check_new_name",
    "dotted",
    "get",
    "place",
    "plain",
    "problems_of",
    "put",
    "remove_site",
    "text_of",
    "value_of",
]
