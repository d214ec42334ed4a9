"""A model description in the STRESS-DES structure, written from the scenario and run settings.

STRESS-DES (Monks et al. 2019, *Strengthening the reporting of empirical simulation
studies*) asks a simulation study to state its 1 objectives, 2 logic, 3 data,
4 experimentation, 5 implementation and 6 code access. Every figure below is read from
the scenario as run and the run's manifest (sites, theatres and their sessions a week,
beds, emergency rates, procedures and their distributions, routing rules, warm-up,
horizon, replications, seed), so the description cannot drift from the model that
produced the numbers. Functions return HTML fragments; all scenario text is escaped.

This module is the skeleton: the sections, and what is true of every scenario. What each
feature adds (its sentences, tables and the scenario fields it puts in words) is in its
module of :mod:`sim.report.describe`, asked in turn through :func:`_ask`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..metrics import KPIS
from ..metrics.registry import BASIS_TEXT
from ..scenario.load import scenario_dict
from ..scenario.schema import Scenario
from .describe import FEATURES
from .describe.base import Part
from .htmltext import dur, esc, html_list, table


def _sub(number: str, title: str, body: str) -> str:
    return f'<h4>{esc(number)} {esc(title)}</h4>\n<div class="stress-item">{body}</div>'


def _ask(hook: str, *args: Any) -> list[Any]:
    """Every feature's answer to ``hook(*args)``, in feature order (lists are joined)."""
    out: list[Any] = []
    for feature in FEATURES:
        fn = getattr(feature, hook, None)
        if fn is None:
            continue
        answer = fn(*args)
        if isinstance(answer, list):
            out.extend(answer)
        elif answer:
            out.append(answer)
    return out


def _parts(hook: str, sc: Scenario, *own: Part) -> list[str]:
    """The features' parts of one section and the skeleton's ``own``, in place order."""
    return [p.html for p in sorted([*own, *_ask(hook, sc)], key=lambda p: p.place)]


def setting_differences(a: Any, b: Any, path: str = "") -> list[tuple[str, str, str]]:
    """Leaf paths where two scenario dicts differ: (path, baseline, this scenario);
    a value missing on one side is ``(absent)`` or ``(removed)``."""
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and a:
        if all(not isinstance(x, dict | list) for x in a + b):
            return [] if a == b else [(path, _short(a), _short(b))]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                for d in setting_differences(x, y, f"{path}.{i}")]  # fmt: skip
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in list(a) + [k for k in b if k not in a]:
            if k in ("name", "description") and not path:
                continue
            sub = f"{path}.{k}" if path else str(k)
            if k not in b:
                out.append((sub, _short(a[k]), "(removed)"))
            elif k not in a:
                out.append((sub, "(absent)", _short(b[k])))
            else:
                out.extend(setting_differences(a[k], b[k], sub))
        return out
    return [] if a == b else [(path, _short(a), _short(b))]


def _short(x: Any, limit: int = 80) -> str:
    if isinstance(x, dict) and limit < 200:
        return "{" + ", ".join(str(k) for k in x) + "}" if len(x) <= 6 else f"{{{len(x)} fields}}"
    if isinstance(x, list) and all(not isinstance(v, dict | list) for v in x):
        text = ", ".join(map(str, x)) if x else "none"  # a list of days reads as text
    else:
        text = x if isinstance(x, str) else json.dumps(x, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def scenario_changes(base: Scenario, other: Scenario, limit: int = 60) -> str:
    """An HTML table of what a scenario changes against the baseline (resolved data)."""
    rows = setting_differences(scenario_dict(base), scenario_dict(other))
    note = ""
    if len(rows) > limit:
        note = f"<p>… and {len(rows) - limit} more differences (see the scenario files).</p>"
    return table(["field", "baseline", "this scenario"], rows[:limit]) + note


def describe(
    sc: Scenario,
    manifest: dict[str, Any],
    *,
    compared: Sequence[Scenario] = (),
    kpis: Sequence[str] | None = None,
) -> str:
    """The STRESS-DES sections 1-6 for a scenario run (and any scenarios compared with it).

    ``compared`` lists the other scenarios when this is the baseline of a comparison;
    what each changes goes under 2.3 Scenario logic. ``kpis``
    limits 1.2 to the KPIs the run reported.
    """
    return "\n".join(
        [
            _objectives(sc, manifest, compared, kpis),
            _logic(sc, compared),
            "<h3>3 Data</h3>" + _data(sc),
            _experimentation(sc, manifest, compared),
            _implementation(manifest),
            _code_access(manifest, compared),
        ]
    )


def _objectives(
    sc: Scenario,
    manifest: dict[str, Any],
    compared: Sequence[Scenario],
    kpis: Sequence[str] | None,
) -> str:
    reps = manifest.get("reps", "?")
    trusts = "; ".join(f"{t.name} ({k})" for k, t in sc.trusts.items())
    capacity = "".join(f"{esc(phrase)}, " for phrase in _ask("capacity", sc))
    purpose = (
        f"<p>{esc(sc.description or sc.name)}</p><p>The model represents "
        f"{len(sc.trusts)} trust(s) ({esc(trusts)}) with {len(sc.sites)} site(s), "
        + capacity
        + f"and {len(sc.procedures)} procedure(s). It estimates what happens to the waiting list, "
        "waits, on-the-day cancellations, throughput, theatre and bed use, and emergency "
        f"patients' waits for a bed over {esc(dur(sc.horizon - sc.warm_up))} after a "
        "warm-up.</p>"
    )
    shown = [KPIS[k] for k in KPIS.order(kpis) if k in KPIS] if kpis is not None else list(KPIS)
    shown = list({k.name: k for k in shown}.values())  # a family once
    outputs = table(
        ["KPI", "name in the results", "unit", "counted by", "definition"],
        [(k.label.replace("<member>", "…"), k.name, k.shown_unit, BASIS_TEXT[k.basis],
          k.definition) for k in shown],  # fmt: skip
        "compact",
    )
    if compared:
        names = ", ".join(f"'{o.name}'" for o in compared)
        aims = (
            f"Compare {esc(names)} with the baseline '{esc(sc.name)}': each KPI's paired "
            f"difference (scenario minus baseline) over {esc(reps)} replications on common "
            "random numbers, with its 95% confidence interval and whether it excludes 0."
        )
    else:
        aims = (
            f"Estimate each KPI of '{esc(sc.name)}' as a mean over {esc(reps)} replications "
            "with a 95% confidence interval, for the whole collaborative and by site."
        )
    return (
        "<h3>1 Objectives</h3>"
        + _sub("1.1", "Purpose of the model", purpose)
        + _sub("1.2", "Model outputs", outputs)
        + _sub("1.3", "Experimentation aims", f"<p>{aims}</p>")
    )


def flow_diagram(sc: Scenario) -> str:
    """2.1: the pathways of this scenario as boxes and arrows (HTML and CSS only)."""
    return "".join(_ask("flow", sc))


#: 2.4: how the model works, whatever the scenario (features add their own).
ALGORITHMS = (
    "Referrals and emergency admissions are Poisson processes whose rate is constant "
    "within a day and follows the weekday and monthly profiles (mean-preserving); arrival "
    "times are generated exactly by spending unit-mean exponential draws against the "
    "cumulative rate.",
    "Lognormal and gamma times are given by their mean and standard deviation (the "
    "lognormal's log-parameters are derived from them).",
)


def _logic(sc: Scenario, compared: Sequence[Scenario]) -> str:
    logic = html_list(esc(x) for x in _ask("logic", sc))
    for title, sentences in _ask("logic_block", sc):
        logic += f"<p><b>{esc(title)}</b></p>" + html_list(esc(x) for x in sentences)
    scen = "".join(_ask("scenario_logic", sc))
    others = other_settings(sc)
    if others:
        scen += "<p>Other settings in force (as written in the scenario):</p>" + table(
            ["field", "value"], others
        )
    for other in compared:
        scen += f"<p><b>What '{esc(other.name)}' changes</b></p>"
        scen += "".join(_ask("changes", sc, other))
        scen += scenario_changes(sc, other)
        scen += f"<details><summary>Its theatres and beds</summary>{_resources(other)}</details>"
    algorithms = html_list(esc(x) for x in [*ALGORITHMS, *_ask("algorithms", sc)])
    return (
        "<h3>2 Logic</h3>"
        + _sub("2.1", "Base model overview diagram", flow_diagram(sc))
        + _sub("2.2", "Base model logic", logic)
        + _sub("2.3", "Scenario logic", scen)
        + _sub("2.4", "Algorithms", algorithms)
        + _sub("2.5", "Components", _components(sc))
    )


def _components(sc: Scenario) -> str:
    """2.5: entities, activities, resources, queues, entry and exit points."""
    entities = html_list(esc(x) for x in _ask("entities", sc))
    activities = "".join(_ask("activities", sc))
    queues = html_list(esc(x) for x in _ask("queues", sc))
    entry = html_list(
        esc(x)
        for x in (
            "Enter: referrals (3.3), the waiting list at the start (4.1), emergency arrivals.",
            "Leave: after the operation and stay; untreated (removal); emergencies diverted "
            "when a site's beds are full and its policy is to divert.",
        )
    )
    return (
        "<p><b>Entities</b></p>"
        + entities
        + "<p><b>Activities</b> (operations and ward stays)</p>"
        + activities
        + "<p><b>Resources</b> (theatres and their weekly sessions; ward beds)</p>"
        + _resources(sc)
        + "<p><b>Queues</b></p>"
        + queues
        + "<p><b>Entry and exit points</b></p>"
        + entry
    )


def _resources(sc: Scenario) -> str:
    """Critical care units, theatres with their sessions a week, ward beds, per site."""
    return "".join(_parts("resources", sc))


#: Scenario fields the skeleton itself puts in words (the features add theirs).
COVERED = {
    "": {"name", "description", "start_date", "horizon", "warm_up", "snapshot_interval",
         "trusts", "sites", "policies", "assumptions", "calibration"},
    "site": {"name", "trust", "location"},
}  # fmt: skip


def covered() -> dict[str, set[str]]:
    """Every scenario field the description puts in words: the skeleton's and the features'."""
    out = {k: set(v) for k, v in COVERED.items()}
    for feature in FEATURES:
        for where, fields in getattr(feature, "COVERED", {}).items():
            out.setdefault(where, set()).update(fields)
    return out


def other_settings(sc: Scenario) -> list[tuple[str, str]]:
    """Settings the description does not put in words (mutual aid, staff, ...), as written."""
    known = covered()
    data = scenario_dict(sc)
    found = [(k, v) for k, v in data.items() if k not in known[""]]
    found += [
        (f"policies.{k}", v) for k, v in data["policies"].items() if k not in known["policies"]
    ]
    for sid, site in data["sites"].items():
        found += [(f"sites.{sid}.{k}", v) for k, v in site.items() if k not in known["site"]]
    return [(k, _short(v, 300)) for k, v in found if v not in (None, {}, [], False)]


def _experimentation(sc: Scenario, manifest: dict[str, Any], compared: Sequence[Scenario]) -> str:
    init = (
        "<p>"
        + "; ".join(_ask("initialisation", sc))
        + f". A warm-up of {esc(dur(sc.warm_up))} is simulated before any KPI is counted.</p>"
    )
    length = (
        f"<p>Horizon {esc(dur(sc.horizon))} from {esc(sc.start_date)}: "
        f"{esc(dur(sc.horizon - sc.warm_up))} measured after the warm-up; snapshots every "
        f"{esc(dur(sc.snapshot_interval))}.</p>"
    )
    crn = (
        " All scenarios are run on the same seed and replication numbers (common random "
        "numbers), so replication r of each sees the same patients; differences are taken "
        "replication by replication."
        if compared
        else ""
    )
    estimate = (
        f"<p>{esc(manifest.get('reps', '?'))} replications, experiment seed "
        f"{esc(manifest.get('seed', '?'))}. Each KPI is the mean over replications with a 95% "
        "Student-t confidence interval." + crn + "</p>"
    )
    return (
        "<h3>4 Experimentation</h3>"
        + _sub("4.1", "Initialisation", init)
        + _sub("4.2", "Run length", length)
        + _sub("4.3", "Estimation approach", estimate)
    )


def _implementation(m: dict[str, Any]) -> str:
    software = (
        f"<p>hubsim {esc(m.get('hubsim_version', '?'))} on Python {esc(m.get('python', '?'))}, "
        f"SimPy {esc(m.get('simpy', '?'))}, NumPy {esc(m.get('numpy', '?'))}; pandas and "
        "matplotlib for results and plots.</p>"
    )
    sampling = (
        "<p>NumPy PCG64 generators, one stream per purpose (referrals per site and "
        "procedure, patient attributes, emergencies per site, theatre days): stream "
        "<code>name</code> of replication r uses <code>SeedSequence(seed, spawn_key=(r, "
        "crc32(name)))</code>, so a stream depends only on the seed, the replication and "
        "its name. Results are identical for any number of workers.</p>"
    )
    execution = (
        "<p>Process-based discrete-event simulation (SimPy); the clock counts days. "
        "Replications are independent and run in parallel with joblib "
        f"({esc(m.get('n_jobs', '?'))} worker(s)). Conservation of patients is checked at the "
        "end of every replication.</p>"
    )
    system = (
        f"<p>{esc(m.get('host_cpus', '?'))} CPU(s); run started {esc(m.get('started', '?'))}, "
        f"finished {esc(m.get('finished', '?'))}.</p>"
    )
    return (
        "<h3>5 Implementation</h3>"
        + _sub("5.1", "Software or programming language", software)
        + _sub("5.2", "Random sampling", sampling)
        + _sub("5.3", "Model execution", execution)
        + _sub("5.4", "System specification", system)
    )


def _code_access(m: dict[str, Any], compared: Sequence[Scenario]) -> str:
    reps, seed = m.get("reps", "?"), m.get("seed", "?")
    cmd = (
        f"hubsim compare BASELINE.yaml OTHER.yaml … --reps {reps} --seed {seed}"
        if compared
        else f"hubsim run scenario.yaml --reps {reps} --seed {seed}"
    )
    return "<h3>6 Code access</h3>" + _sub(
        "6.1",
        "Computer model sharing statement",
        f"<p>The model is the hubsim package, version {esc(m.get('hubsim_version', '?'))}. "
        "The scenario exactly as run is included in this report and saved beside it as "
        f"<code>scenario.yaml</code> (hash {esc(m.get('scenario_hash', '?'))}); "
        f"<code>{esc(cmd)}</code> reproduces these results.</p>",
    )


def _data(sc: Scenario) -> str:
    """3.1-3.4: sources, pre-processing, the input parameters as tables, assumptions."""
    sources = (
        "<p>Each parameter's source is cited in a comment beside it in the scenario file "
        "(or marked as an assumption there); the resolved values used are listed below and "
        "in the scenario as run.</p>"
    )
    pre = (
        "<p>Durations are converted to days; weekday and monthly profiles are rescaled to "
        "keep the stated mean"
        + "".join(f"; {clause}" for clause in _ask("preprocessing", sc))
        + ".</p>"
    )
    params = "".join(_parts("parameters", sc)) + "<p>Procedures, theatres and beds: see 2.5.</p>"
    poisson = (
        "Arrivals are Poisson within each day; the weekday and monthly profiles above are "
        "the only seasonality."
    )
    unsourced = "Parameters marked 'assumption' in the scenario file have no published source."
    assumptions = html_list([*_parts("assumptions", sc, Part(10, esc(poisson))), esc(unsourced)])
    if sc.assumptions:
        rows = [
            (a.label or key, ", ".join(a.paths or [key]),
             f"x{a.low} to x{a.high}" if a.relative else f"{a.low} to {a.high}", a.why)
            for key, a in sc.assumptions.items()
        ]  # fmt: skip
        assumptions += (
            "<p>Declared assumptions, each with its plausible range (hubsim sensitivity "
            "moves each to its ends in turn):</p>"
            + table(["assumption", "values", "range", "why"], rows, "compact")
        )
    cal = sc.calibration
    if cal is not None and (cal.reasons or cal.baseline):
        said = [f" Calibrated against the status quo in {cal.baseline}."] if cal.baseline else []
        assumptions += (
            "<p>Against published NHS figures (hubsim calibrate, docs/calibration.md)."
            + esc(" ".join(said))
            + (" Reasons the scenario gives for a figure outside its published range:</p>"
               + table(["published figure", "reason"], list(cal.reasons.items()), "compact")
               if cal.reasons else "</p>")
        )  # fmt: skip
    return (
        _sub("3.1", "Data sources", sources)
        + _sub("3.2", "Pre-processing", pre)
        + _sub("3.3", "Input parameters", params)
        + _sub("3.4", "Assumptions", assumptions)
    )
