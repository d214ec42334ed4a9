"""The hubsim app's page (Streamlit): ``hubsim app`` serves it on 127.0.0.1.

Top to bottom on every interaction: choose the base scenario (shipped or uploaded), draw the
forms from it, put the form values together and validate them with the library, show each
problem beside its field, then the changes, the capacity check, runs, comparisons and
downloads. The logic lives in the modules beside this one; this file only lays it out.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
import tempfile
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

import sim
from sim.app import capacity, changes, downloads, form, runs, uploads
from sim.app.form import Edits, dotted, get
from sim.app.launch import ENV_SCENARIOS, ENV_WORKDIR, SHIPPED
from sim.metrics import KPIS

st.set_page_config(page_title="hubsim: plan a collaborative", page_icon="🏥", layout="wide")
ss = st.session_state


# -- session -----------------------------------------------------------------------------


def workdir() -> Path:
    """This browser session's folder for uploads and results."""
    if "workdir" not in ss:
        root = os.environ.get(ENV_WORKDIR) or tempfile.mkdtemp(prefix="hubsim-app-")
        ss.workdir = Path(root) / "sessions" / uuid.uuid4().hex[:10]
        ss.workdir.mkdir(parents=True, exist_ok=True)
    return ss.workdir


ss.setdefault("runs", [])
ss.setdefault("next_run", 1)
ss.setdefault("gen", 0)


# -- choosing the base scenario ----------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _load_shipped(path: str, mtime: float) -> sim.Scenario:
    return sim.load_scenario(path)


def shipped_files() -> list[Path]:
    folder = Path(os.environ.get(ENV_SCENARIOS) or SHIPPED)
    return sorted(p for p in folder.glob("*.y*ml") if p.is_file())


_NAME_LINE = re.compile(r"^name:\s*(.+?)\s*$", re.MULTILINE)


def shipped_label(path: Path) -> str:
    try:
        match = _NAME_LINE.search(path.read_text(encoding="utf-8")[:20_000])
    except OSError:
        match = None
    name = match.group(1).strip("'\"") if match else path.stem
    return f"{name} ({path.name})"


def choose_base() -> dict[str, Any] | None:
    """The base scenario the sidebar selects: {key, file, folder, scenario}, or None."""
    st.sidebar.header("Scenario")
    source = st.sidebar.radio(
        "Start from", ["A shipped scenario", "My own scenario file"], key="source"
    )
    if source == "A shipped scenario":
        files = shipped_files()
        if not files:
            st.sidebar.error("No scenario files in the scenarios folder.")
            return None
        path = st.sidebar.selectbox("Shipped scenario", files, format_func=shipped_label)
        key = f"shipped:{path}"
        try:
            sc = _load_shipped(str(path), path.stat().st_mtime)
        except sim.ScenarioError as err:
            st.sidebar.error(err.message)
            return None
        return {"key": key, "file": path.name, "folder": path.parent, "scenario": sc}
    files = st.sidebar.file_uploader(
        "Scenario YAML, with the files it extends or reads (CSV, XLSX)",
        type=["yaml", "yml", "csv", "xlsx"],
        accept_multiple_files=True,
        key="upload",
        help="Up to 5 MB each. A scenario can only use files uploaded with it.",
    )
    if not files:
        st.sidebar.caption("Upload a scenario file written for hubsim (see the README).")
        return None
    try:
        folder = uploads.save_uploads([(f.name, f.getvalue()) for f in files], workdir())
    except sim.ScenarioError as err:
        st.sidebar.error(err.message)
        return None
    yamls = sorted(p.name for p in folder.iterdir() if p.suffix.lower() in uploads.YAML_SUFFIXES)
    if not yamls:
        st.sidebar.error("Upload at least one scenario YAML file.")
        return None
    name = yamls[0]
    if len(yamls) > 1:
        name = st.sidebar.selectbox("Which file is the scenario?", yamls, key="upload_main")
    try:
        sc = uploads.load_upload(folder / name, folder)
    except sim.ScenarioError as err:
        for problem in err.problems:
            st.sidebar.error(problem)
        return None
    return {"key": f"upload:{folder.name}/{name}", "file": name, "folder": folder, "scenario": sc}


def set_base(base: dict[str, Any]) -> None:
    """A new base scenario: the forms start again from it."""
    if ss.get("base_key") == base["key"]:
        return
    ss.base_key = base["key"]
    ss.base_data = form.plain(base["scenario"])
    ss.structure = copy.deepcopy(ss.base_data)
    ss.last_data = copy.deepcopy(ss.base_data)
    ss.gen += 1


# -- forms -------------------------------------------------------------------------------


class Form:
    """Draws form fields for the current structure and collects their values."""

    def __init__(self, structure: dict[str, Any], gen: int):
        self.s = structure
        self.gen = gen
        self.edits = Edits()
        self.slots: dict[str, Any] = {}

    def key(self, path: tuple) -> str:
        return f"g{self.gen}|{dotted(path)}"

    def slot(self, *paths: tuple) -> None:
        """Where the problems of these fields (and the fields under them) are shown."""
        box = st.container()
        for path in paths:
            self.slots[dotted(path)] = box

    def number(
        self,
        path: tuple,
        label: str,
        default: float = 0,
        whole: bool = False,
        step: float | None = None,
        help: str | None = None,
    ) -> None:
        current = get(self.s, path, default)
        if whole:
            value = int(current) if isinstance(current, int | float) else int(default)
            got = st.number_input(label, value=value, step=1, key=self.key(path), help=help)
        else:
            value = float(current) if isinstance(current, int | float) else float(default)
            got = st.number_input(
                label, value=value, step=step or 0.1, format="%.3g", key=self.key(path), help=help
            )
        self.edits.values[path] = form.number(got)
        self.slot(path)

    def text(self, path: tuple, label: str, help: str | None = None, default: Any = None) -> None:
        """A duration or distribution, written as in YAML (``3 days``, ``{dist: ...}``)."""
        current = form.text_of(get(self.s, path, default))
        got = st.text_input(label, value=current, key=self.key(path), help=help)
        self.edits.text_values[path] = got
        self.slot(path)

    def plain_text(self, path: tuple, label: str, area: bool = False) -> None:
        current = get(self.s, path, "") or ""
        widget = st.text_area if area else st.text_input
        got = widget(label, value=str(current), key=self.key(path))
        self.edits.values[path] = got
        self.slot(path)

    def choice(
        self, path: tuple, label: str, options: tuple, default: str, help: str | None = None
    ) -> None:
        current = get(self.s, path, default)
        opts = list(options) if current in options else [current, *options]
        got = st.selectbox(label, opts, index=opts.index(current), key=self.key(path), help=help)
        self.edits.values[path] = got
        self.slot(path)

    def check(self, path: tuple, label: str, default: bool, help: str | None = None) -> None:
        got = st.checkbox(
            label, value=bool(get(self.s, path, default)), key=self.key(path), help=help
        )
        self.edits.values[path] = got
        self.slot(path)

    def table(
        self,
        name: str,
        frame: pd.DataFrame,
        config: dict,
        dynamic: bool = False,
        disabled: list[str] | None = None,
    ) -> pd.DataFrame:
        return st.data_editor(
            frame,
            key=f"g{self.gen}|table|{name}",
            column_config=config,
            num_rows="dynamic" if dynamic else "fixed",
            hide_index=True,
            width="stretch",
            disabled=disabled or False,
        )


def structural(action, *args) -> None:
    """Add or remove a site, procedure or trust: the forms are drawn again from the data
    as it stands, with the change."""
    ss.structure = action(copy.deepcopy(ss.last_data), *args)
    ss.gen += 1


def general_form(f: Form) -> None:
    c1, c2 = st.columns([2, 1])
    with c1:
        f.plain_text(("name",), "Scenario name (names the run)")
        f.plain_text(("description",), "Description", area=True)
    with c2:
        start = get(f.s, ("start_date",), "2025-04-01")
        got = st.date_input(
            "Start date", value=dt.date.fromisoformat(str(start)), key=f.key(("start_date",))
        )
        f.edits.values[("start_date",)] = got.isoformat() if got else None
        f.slot(("start_date",))
        f.text(("horizon",), "Horizon (warm-up included)", help="e.g. 108 weeks")
        f.text(("warm_up",), "Warm-up (not counted)", help="e.g. 4 weeks")
        f.text(("snapshot_interval",), "Time between snapshots", help="e.g. 1 week")


def sites_form(f: Form) -> None:
    sites = f.s.get("sites", {})
    trusts = list(f.s.get("trusts", {}))
    st.markdown("**Trusts**")
    f.edits.trusts = f.table(
        "trusts",
        form.trusts_frame(f.s),
        {
            "trust": st.column_config.TextColumn("trust", disabled=True),
            "name": st.column_config.TextColumn("name", width="large"),
        },
    )
    f.slot(("trusts",))
    st.markdown("**Sites**")
    f.edits.sites = f.table(
        "sites",
        form.sites_frame(f.s),
        {
            "site": st.column_config.TextColumn("site", disabled=True),
            "name": st.column_config.TextColumn("name", width="large"),
            "trust": st.column_config.SelectboxColumn("trust", options=trusts),
            "lat": st.column_config.NumberColumn("latitude", format="%.3f"),
            "lon": st.column_config.NumberColumn("longitude", format="%.3f"),
        },
    )
    f.slot(("sites",))
    with st.expander("Add or remove a site or trust"):
        c1, c2, c3 = st.columns(3)
        with c1:
            new = st.text_input("New site's short name", key=f"g{f.gen}|new_site")
            like = st.selectbox("Built like", list(sites), key=f"g{f.gen}|new_site_like")
            why = form.check_new_name(new, sites, "site") if new else None
            if why:
                st.error(why)
            st.button(
                "Add site",
                disabled=not new or bool(why),
                on_click=structural,
                args=(form.add_site, new, like),
            )
        with c2:
            gone = st.selectbox("Site to remove", list(sites), key=f"g{f.gen}|remove_site")
            st.button(
                "Remove site",
                disabled=len(sites) < 2,
                on_click=structural,
                args=(form.remove_site, gone),
            )
        with c3:
            tnew = st.text_input("New trust's short name", key=f"g{f.gen}|new_trust")
            tname = st.text_input("Its full name", key=f"g{f.gen}|new_trust_name")
            why = form.check_new_name(tnew, trusts, "trust") if tnew else None
            if why:
                st.error(why)
            st.button(
                "Add trust",
                disabled=not tnew or bool(why),
                on_click=structural,
                args=(form.add_trust, tnew, tname),
            )
    st.markdown("**Beds and emergency admissions**")
    for sid, site in sites.items():
        with st.expander(f"{site.get('name') or sid} ({sid})", expanded=len(sites) <= 8):
            base = ("sites", sid)
            if site.get("beds") is not None:
                c1, c2, c3 = st.columns(3)
                with c1:
                    f.number(
                        (*base, "beds", "general"),
                        "General beds",
                        whole=True,
                        help="Shared by emergency and elective patients.",
                    )
                with c2:
                    f.number(
                        (*base, "beds", "elective"),
                        "Ring-fenced elective beds",
                        whole=True,
                        help="Emergencies never use them.",
                    )
                with c3:
                    f.text(
                        (*base, "beds", "turnaround"),
                        "Bed turnaround",
                        default="0 min",
                        help="Time to clean a bed after a discharge, e.g. 2 hours.",
                    )
                f.slot((*base, "beds"))
            else:
                st.caption("No ward beds at this site (day cases only).")
            em = site.get("emergency")
            if em is not None:
                c1, c2, c3 = st.columns(3)
                with c1:
                    if em.get("admissions_per_day") is not None:
                        f.number(
                            (*base, "emergency", "admissions_per_day"),
                            "Emergency admissions a day",
                            step=0.5,
                        )
                    else:
                        st.caption("Emergency arrivals are given as gaps or set times.")
                with c2:
                    f.choice(
                        (*base, "emergency", "when_full"),
                        "No free bed: the patient",
                        form.WHEN_FULL,
                        "queue",
                        help="queue: waits for the next bed; divert: goes elsewhere.",
                    )
                with c3:
                    f.text((*base, "emergency", "length_of_stay"), "Emergency length of stay")
                f.slot((*base, "emergency"))
            cc = site.get("critical_care")
            if cc is not None:
                c1, c2, _ = st.columns(3)
                with c1:
                    f.number((*base, "critical_care", "beds"), "Critical care beds", whole=True)
                with c2:
                    f.number(
                        (*base, "critical_care", "elective_reserved"),
                        "… kept for planned surgery",
                        whole=True,
                    )
                f.slot((*base, "critical_care"))
            f.slot(base)


def theatres_form(f: Form) -> None:
    specialties = sorted({p.get("specialty") for p in f.s.get("procedures", {}).values()} - {None})
    st.caption(
        "One row per session plan; rows with the same theatre name are one theatre's plans, "
        "and `count` is how many identical theatres follow it. Specialties: "
        + ", ".join(specialties)
        + ". Start and length are optional (by slot: AM 08:00 4 hours, PM 13:00, all_day "
        "08:00 8 hours, evening 17:30)."
    )
    config = {
        "theatre": st.column_config.TextColumn("theatre", required=True),
        "count": st.column_config.NumberColumn("count", min_value=1, step=1, default=1),
        "days": st.column_config.MultiselectColumn("days", options=list(form.WEEKDAYS)),
        "slot": st.column_config.SelectboxColumn(
            "slot", options=list(form.SLOTS), default="all_day"
        ),
        "specialty": st.column_config.TextColumn("specialty", help=", ".join(specialties)),
        "start": st.column_config.TextColumn("start (optional)"),
        "length": st.column_config.TextColumn("length (optional)"),
    }
    for sid, site in f.s.get("sites", {}).items():
        with st.expander(f"{site.get('name') or sid} ({sid})", expanded=True):
            f.edits.sessions[sid] = f.table(
                f"sessions|{sid}", form.sessions_frame(site), config, dynamic=True
            )
            f.slot(("sites", sid, "theatres"))


def demand_form(f: Form, rates: dict) -> None:
    st.markdown("**Referrals a week** (home site × procedure; blank or 0 = none)")
    procs = list(f.s.get("procedures", {}))
    config = {"site": st.column_config.TextColumn("site", disabled=True)}
    config.update(
        {p: st.column_config.NumberColumn(p, min_value=0.0, format="%.3g") for p in procs}
    )
    f.edits.referrals = f.table("referrals", form.referrals_frame(f.s, rates), config)
    f.slot(("demand", "referrals"))
    st.markdown("**Clinical priority of referrals** (shares adding up to 1)")
    cols = st.columns(len(form.PRIORITIES))
    mix = get(f.s, ("demand", "priority_mix"), {"P4": 1.0}) or {}
    values = {}
    for col, p in zip(cols, form.PRIORITIES, strict=True):
        with col:
            values[p] = st.number_input(
                p,
                value=float(mix.get(p, 0.0)),
                step=0.05,
                format="%.3g",
                key=f.key(("demand", "priority_mix", p)),
            )
    f.edits.values[("demand", "priority_mix")] = form.priority_mix(values)
    f.slot(("demand", "priority_mix"))
    c1, c2 = st.columns(2)
    with c1:
        f.number(
            ("demand", "removal_per_year"),
            "Chance of leaving the list untreated in a year",
            step=0.01,
        )
    with c2:
        f.number(
            ("demand", "patient_cancellation_probability"),
            "Chance a booked patient cancels on the day",
            step=0.005,
        )
    f.slot(("demand",))


def procedures_form(f: Form) -> None:
    st.caption(
        "Durations carry units (`95 min`, `3 days`); a distribution is written as in the "
        "YAML: `{dist: lognormal, mean: 3 days, sd: 2 days}`. Other procedure fields "
        "(delayed discharge, critical care) are kept as in the file."
    )
    config = {
        "procedure": st.column_config.TextColumn("procedure", disabled=True),
        "name": st.column_config.TextColumn("name"),
        "specialty": st.column_config.TextColumn("specialty"),
        "complexity": st.column_config.SelectboxColumn("complexity", options=list(form.COMPLEXITY)),
        "duration": st.column_config.TextColumn("time in theatre", width="large"),
        "planned_duration": st.column_config.TextColumn("time planned"),
        "length_of_stay": st.column_config.TextColumn("length of stay", width="large"),
        "day_case_probability": st.column_config.NumberColumn(
            "day-case share", min_value=0.0, max_value=1.0, format="%.2f"
        ),
    }
    f.edits.procedures = f.table("procedures", form.procedures_frame(f.s), config)
    f.slot(("procedures",))
    procs = list(f.s.get("procedures", {}))
    with st.expander("Add a procedure"):
        new = st.text_input("New procedure's short name", key=f"g{f.gen}|new_proc")
        like = st.selectbox("Built like", procs, key=f"g{f.gen}|new_proc_like")
        why = form.check_new_name(new, procs, "procedure") if new else None
        if why:
            st.error(why)
        st.button(
            "Add procedure",
            disabled=not new or bool(why) or not procs,
            on_click=structural,
            args=(form.add_procedure, new, like),
        )


def policies_form(f: Form) -> None:
    sites = list(f.s.get("sites", {}))
    trusts = list(f.s.get("trusts", {}))
    procs = list(f.s.get("procedures", {}))
    specialties = sorted({p.get("specialty") for p in f.s.get("procedures", {}).values()} - {None})
    c1, c2, c3 = st.columns(3)
    with c1:
        f.check(
            ("policies", "ring_fence_elective_beds"),
            "Ring-fence elective beds",
            True,
            help="Emergencies never use elective beds.",
        )
        f.check(("policies", "electives_use_general_beds"), "Electives may use general beds", True)
        f.choice(
            ("policies", "on_cancellation"),
            "A patient cancelled on the day",
            form.ON_CANCELLATION,
            "return_to_list",
        )
    with c2:
        f.choice(
            ("policies", "booking", "order"),
            "Booking order",
            form.BOOKING_ORDERS,
            "priority_then_wait",
        )
        f.text(("policies", "booking", "lead_time"), "Lists finalised ahead by", default="7 days")
        f.number(
            ("policies", "booking", "fill_to"),
            "Lists booked to (share of time)",
            default=1.0,
            step=0.05,
        )
        f.slot(("policies", "booking"))
    with c3:
        f.text(
            ("policies", "theatre_day", "late_start"),
            "Late start",
            default="0 min",
            help="e.g. {dist: exponential, mean: 27 min}",
        )
        f.text(("policies", "theatre_day", "early_finish"), "Early finish", default="0 min")
        f.text(("policies", "theatre_day", "turnover"), "Turnover between cases", default="0 min")
        f.text(("policies", "theatre_day", "overrun_allowed"), "Overrun allowed", default="0 min")
        f.slot(("policies", "theatre_day"))
    st.markdown("**Routing to other sites** (e.g. to an elective hub; empty = any)")
    config = {
        "procedures": st.column_config.MultiselectColumn("procedures", options=procs),
        "specialty": st.column_config.SelectboxColumn("specialty", options=specialties),
        "complexity": st.column_config.MultiselectColumn(
            "complexity", options=list(form.COMPLEXITY)
        ),
        "from_trusts": st.column_config.MultiselectColumn("from trusts", options=trusts),
        "from_sites": st.column_config.MultiselectColumn("from sites", options=sites),
        "to": st.column_config.MultiselectColumn("to sites", options=sites),
        "choose": st.column_config.SelectboxColumn(
            "choose", options=list(form.CHOOSE), default="nearest"
        ),
    }
    f.edits.routing = f.table("routing", form.routing_frame(f.s), config, dynamic=True)
    f.slot(("policies", "routing"))
    f.slot(("policies",))
    st.caption(
        "Mutual aid, escalation, critical care network and staff settings are kept as in the "
        "scenario file."
    )


def show_problems(f: Form, checked: form.Checked, summary: Any, general: Any) -> None:
    placed = form.place(checked.problems, f.slots)
    for slot, messages in placed.items():
        box = f.slots.get(slot, general)
        for message in messages:
            box.error(message, icon="⚠️")
    n = len(checked.problems)
    if n:
        summary.error(
            f"{n} problem{'s' if n > 1 else ''} in the scenario, shown beside "
            f"{'their fields' if n > 1 else 'its field'} under Scenario; fix "
            f"{'them' if n > 1 else 'it'} to run."
        )


# -- runs, comparisons, downloads --------------------------------------------------------


def shown(df: pd.DataFrame) -> pd.DataFrame:
    """Numbers to three significant figures, for reading."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = [runs.sig3(x) for x in out[col]]
    return out


def unique_name(name: str) -> str:
    taken = {r.name for r in ss.runs}
    out, i = name, 2
    while out in taken:
        out, i = f"{name} ({i})", i + 1
    return out


def run_section(checked: form.Checked, base: dict[str, Any]) -> None:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    c1, c2, c3, c4 = st.columns([1, 1, 1, 2])
    with c1:
        reps = st.number_input(
            "Replications", min_value=1, max_value=500, value=10, step=1, key="reps"
        )
    with c2:
        seed = st.number_input(
            "Seed",
            min_value=0,
            value=1,
            step=1,
            key="seed",
            help="Runs on the same seed see the same patients.",
        )
    with c3:
        workers = st.number_input(
            "Workers",
            min_value=1,
            max_value=max(1, cpus or 1),
            value=max(1, cpus or 1),
            step=1,
            key="workers",
        )
    with c4:
        st.write("")
        go = st.button(
            "▶ Run",
            type="primary",
            disabled=not checked.ok,
            key="run",
            help=None if checked.ok else "Fix the problems first.",
        )
    if go and checked.ok:
        data = copy.deepcopy(checked.data)
        data["name"] = unique_name(str(data.get("name") or "scenario"))
        sc = sim.validate_scenario(data)
        bar = st.progress(0.0, text="starting")

        def tick(done: int, total: int) -> None:
            bar.progress(done / total, text=f"{done} of {total} replications")

        try:
            res, seconds = runs.timed(
                lambda: runs.run_with_progress(sc, int(reps), int(seed), int(workers), tick)
            )
        except sim.ReplicationError as exc:
            st.error(str(exc))
            return
        bar.progress(1.0, text="drawing the plots")
        figures, notes = runs.result_figures(res)
        bar.empty()
        run = runs.Run(
            id=f"run{ss.next_run}",
            results=res,
            yaml_text=changes.scenario_yaml(form.plain(sc), base["file"]),
            source=base["file"],
            seconds=seconds,
            figures=figures,
            notes=notes,
        )
        ss.next_run += 1
        ss.runs.append(run)
        if res.failures:
            st.warning("\n\n".join(f.describe() for f in res.failures))
    if not ss.runs:
        st.info(
            "No runs yet: edit the scenario, then press Run. Runs stay here until you "
            "close the page, so you can compare them."
        )
        return
    by_id = {r.id: r for r in ss.runs}
    # A new key for each new run: the list shows the newest run first.
    shown = st.selectbox(
        "Show run",
        list(by_id),
        index=len(by_id) - 1,
        key=f"show_run|{len(by_id)}",
        format_func=lambda i: f"{i}: {by_id[i].describe()}",
    )
    show_run(by_id[shown])


def show_run(run: runs.Run) -> None:
    res = run.results
    st.subheader(run.name)
    st.caption(
        f"{len(res.reps)} replications on seed {res.seed}, from {run.source}, "
        f"in {run.seconds:.1f} s. Means over replications with 95% confidence intervals."
    )
    sites = ["", *res.scenario.sites]
    site = st.selectbox(
        "KPIs for",
        sites,
        key=f"kpi_site|{run.id}",
        format_func=lambda s: (
            "the whole collaborative" if not s else (res.scenario.sites[s].name or s)
        ),
    )
    table = runs.kpi_table(res, site)
    st.table(table.set_index("KPI"))
    with st.expander("Every KPI"):
        st.table(runs.kpi_table(res, site, headline_only=False).set_index("KPI"))
    for note in run.notes:
        st.warning(note)
    titles = list(run.figures)
    for i in range(0, len(titles), 2):
        cols = st.columns(2)
        for col, title in zip(cols, titles[i : i + 2], strict=False):
            col.image(run.figures[title], caption=title, width="stretch")


def chosen_runs() -> list[runs.Run]:
    by_id = {r.id: r for r in ss.runs}
    return [by_id[i] for i in ss.get("compare_ids", []) if i in by_id]


def compare_section() -> None:
    if len(ss.runs) < 2:
        st.info("Run at least two scenarios (or one scenario twice, changed) to compare them.")
        return
    ids = [r.id for r in ss.runs]
    default = [i for i in ss.get("compare_ids", []) if i in ids] or ids[-2:]
    by_id = {r.id: r for r in ss.runs}
    st.multiselect(
        "Runs to compare (2 to 4; the first is the baseline)",
        ids,
        default=default,
        max_selections=runs.MAX_COMPARED,
        key="compare_ids",
        format_func=lambda i: f"{i}: {by_id[i].describe()}",
    )
    chosen = chosen_runs()
    if len(chosen) < 2:
        st.info("Choose at least two runs.")
        return
    note = runs.paired(chosen)
    if note:
        st.warning(note[0].upper() + note[1:] + ".")
    key = tuple(r.id for r in chosen)
    cache = ss.setdefault("comparisons", {})
    if key not in cache:
        cmp = runs.compare_runs(chosen)
        figures, notes = runs.comparison_figures(cmp)
        cache[key] = (cmp, figures, notes)
    cmp, figures, notes = cache[key]
    st.markdown(
        f"**Paired differences against {chosen[0].name}** (whole collaborative; "
        "* = the 95% interval excludes 0)"
    )
    st.table(runs.differences_table(cmp).set_index("KPI"))
    for n in notes:
        st.warning(n)
    for title, data in figures.items():
        st.image(data, caption=title, width="stretch")
    if not any("Tornado" in t for t in figures):
        tornado_section(chosen)
    st.markdown("**Capacity of each scenario**: theatre session hours a week and load")
    st.table(shown(capacity_side_by_side(chosen)))
    st.markdown("… and beds")
    st.table(beds_side_by_side(chosen))


def tornado_section(chosen: list[runs.Run]) -> None:
    """One-way sensitivity of the last run chosen against the baseline, on demand: each
    declared assumption moved to its low and high end (hubsim sensitivity)."""
    base, other = chosen[0], chosen[-1]
    title = f"Sensitivity: how {other.name} against {base.name} moves with each assumption"
    with st.expander(title):
        names = {k: KPIS[k].label for k in KPIS.headline()}
        kpi = st.selectbox("KPI", list(names), format_func=names.get, key="tornado_kpi")
        reps = st.number_input("Replications per assumption end", 2, 50, 3, key="tornado_reps")
        key = ("tornado", base.id, other.id, kpi, int(reps))
        cache = ss.setdefault("tornadoes", {})
        if st.button("Run the sensitivity (tornado chart)", key="tornado_run"):
            with st.spinner("Running each assumption at its low and high end…"):
                cache[key] = runs.sensitivity_figure(
                    other.results.scenario, base.results.scenario, kpi, int(reps)
                )
        if key in cache:
            data, note = cache[key]
            if data is None:
                st.info(note)
            else:
                st.image(data, caption=f"Tornado: {names[kpi]} ({note})", width="stretch")


def capacity_side_by_side(chosen: list[runs.Run]) -> pd.DataFrame:
    parts = []
    for run in chosen:
        t = capacity.capacity_check(run.results.scenario).set_index(["site", "specialty"])
        parts.append(
            t[["session hours a week", "load (%)"]].rename(
                columns=lambda c, n=run.name: f"{n}: {c}"
            )
        )
    return pd.concat(parts, axis=1).fillna(0)


def beds_side_by_side(chosen: list[runs.Run]) -> pd.DataFrame:
    parts = [
        capacity.beds(run.results.scenario)
        .set_index("site")
        .rename(columns=lambda c, n=run.name: f"{n}: {c}")
        for run in chosen
    ]
    return pd.concat(parts, axis=1).fillna(0).astype(int)


def download_section(checked: form.Checked, now: dict[str, Any], base: dict[str, Any]) -> None:
    root = workdir()
    stem = downloads.file_stem(str(now.get("name") or base["file"]))
    st.markdown("**The scenario you built**")
    c1, c2 = st.columns(2)
    c1.download_button(
        "Scenario YAML (whole)",
        changes.scenario_yaml(now, base["file"]),
        file_name=f"{stem}.yaml",
        mime="application/x-yaml",
        key="dl_yaml",
    )
    if now != ss.base_data:
        c2.download_button(
            f"Only the changes (extends {base['file']})",
            changes.variant_yaml(base["file"], ss.base_data, now),
            file_name=f"{stem}_changes.yaml",
            mime="application/x-yaml",
            key="dl_variant",
        )
    if not checked.ok:
        st.caption("The scenario still has problems: the file will not load until they are fixed.")
    if not ss.runs:
        st.info("Reports and results appear here after a run.")
        return
    st.markdown("**A run: report and results**")
    by_id = {r.id: r for r in ss.runs}
    run = by_id[
        st.selectbox(
            "Run",
            list(by_id),
            index=len(by_id) - 1,
            key=f"dl_run|{len(by_id)}",
            format_func=lambda i: f"{i}: {by_id[i].describe()}",
        )
    ]
    cols = st.columns(len(downloads.REPORT_FORMATS) + 2)
    for col, fmt in zip(cols, downloads.REPORT_FORMATS, strict=False):
        if why := fmt.unavailable():
            col.caption(why)
            continue
        col.download_button(
            fmt.label,
            lambda fmt=fmt, run=run: downloads.report_bytes(fmt, downloads.run_folder(run, root)),
            file_name=f"{downloads.file_stem(run.name)}_report{fmt.suffix}",
            mime=fmt.mime,
            key=f"dl_report{fmt.suffix}|{run.id}",
        )
    tables = lambda run=run: downloads.result_tables(run.results)  # noqa: E731
    cols[-2].download_button(
        "Results (CSV, zipped)",
        lambda: downloads.csv_zip_bytes(tables()),
        file_name=f"{downloads.file_stem(run.name)}_results.zip",
        mime="application/zip",
        key=f"dl_csv|{run.id}",
    )
    cols[-1].download_button(
        "Results (XLSX)",
        lambda: downloads.xlsx_bytes(tables()),
        file_name=f"{downloads.file_stem(run.name)}_results.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"dl_xlsx|{run.id}",
    )
    chosen = chosen_runs()
    if len(chosen) >= 2:
        st.markdown(f"**The comparison:** {' vs '.join(r.name for r in chosen)}")
        cmp = runs.compare_runs(chosen)
        cols = st.columns(len(downloads.REPORT_FORMATS) + 2)
        name = "_vs_".join(r.id for r in chosen)
        for col, fmt in zip(cols, downloads.REPORT_FORMATS, strict=False):
            if why := fmt.unavailable():
                col.caption(why)
                continue
            col.download_button(
                f"Comparison {fmt.label}",
                lambda fmt=fmt: downloads.report_bytes(
                    fmt, downloads.comparison_folder(chosen, cmp, root)
                ),
                file_name=f"comparison_{name}{fmt.suffix}",
                mime=fmt.mime,
                key=f"dl_cmp{fmt.suffix}|{name}",
            )
        cols[-2].download_button(
            "Comparison (CSV, zipped)",
            lambda: downloads.csv_zip_bytes(downloads.comparison_tables(cmp)),
            file_name=f"comparison_{name}.zip",
            mime="application/zip",
            key=f"dl_cmp_csv|{name}",
        )
        cols[-1].download_button(
            "Comparison (XLSX)",
            lambda: downloads.xlsx_bytes(downloads.comparison_tables(cmp)),
            file_name=f"comparison_{name}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"dl_cmp_xlsx|{name}",
        )


# -- the page ----------------------------------------------------------------------------


def page() -> None:
    base = choose_base()
    kept = st.sidebar.container()  # filled last, so a run made below is listed
    st.sidebar.caption("hubsim runs on this computer only (127.0.0.1).")
    try:
        scenario_page(base)
    finally:
        if ss.runs:
            kept.header("Runs kept")
            for r in ss.runs:
                kept.caption(f"{r.id}: {r.describe()}")


def scenario_page(base: dict[str, Any] | None) -> None:
    if base is None:
        st.title("hubsim")
        st.write("Choose a shipped scenario or upload your own in the sidebar.")
        return
    set_base(base)
    st.title(base["scenario"].name)
    if base["scenario"].description:
        st.caption(base["scenario"].description)
    summary = st.container()
    rates = form.weekly_rates(base["scenario"])
    f = Form(ss.structure, ss.gen)
    tab_edit, tab_check, tab_run, tab_compare, tab_download = st.tabs(
        ["Scenario", "Changes and capacity", "Run", "Compare runs", "Download"]
    )
    with tab_edit:
        general = st.container()
        parts = st.tabs(
            [
                "General",
                "Sites and beds",
                "Theatres and sessions",
                "Demand",
                "Procedures",
                "Policies",
            ]
        )
        with parts[0]:
            general_form(f)
        with parts[1]:
            sites_form(f)
        with parts[2]:
            theatres_form(f)
        with parts[3]:
            demand_form(f, rates)
        with parts[4]:
            procedures_form(f)
        with parts[5]:
            policies_form(f)
    data, found = form.build(ss.structure, f.edits, rates)
    checked = form.check(data, found)
    ss.last_data = data
    show_problems(f, checked, summary, general)
    with tab_check:
        st.markdown(f"**What changed against {base['file']}**")
        now = form.plain(checked.scenario) if checked.ok else data
        diff = changes.changes(ss.base_data, now)
        if diff.empty:
            st.caption("Nothing yet: this is the scenario as it was loaded.")
        else:
            st.table(diff.set_index("field"))
        st.markdown("**Capacity check: referral demand against theatre time and beds**")
        if checked.ok:
            st.caption(capacity.PLANNER_NOTE)
            check = capacity.capacity_check(checked.scenario)
            st.table(shown(check).set_index(["site", "specialty"]))
            st.table(shown(capacity.bed_check(checked.scenario)).set_index("site"))
            for warning in capacity.warnings(checked.scenario):
                st.warning(warning)
        else:
            st.caption("Shown once the scenario has no problems.")
    with tab_run:
        run_section(checked, base)
    with tab_compare:
        compare_section()
    with tab_download:
        download_section(checked, now, base)


page()
