"""The HTML report: one self-contained file that a real browser renders with its tables and plots.

The report is built from a results folder of a tiny run (and of a tiny comparison), then
opened in headless Chromium; the DOM the browser produced must hold the KPI rows and
``<img>`` elements whose data URIs decode to PNG files. Without Chromium the render
checks are skipped, unless ``CI=true``, where they fail.
"""

from __future__ import annotations

import base64
import copy
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from builders import SMALL_ELECTIVE

import sim
from sim.report import save_plots
from sim.report.html import ReportError, build_report
from sim.scenario.load import dump_scenario_yaml

PNG = b"\x89PNG\r\n\x1a\n"
#: A scenario name a careless report would turn into markup.
NASTY = 'Hubs <b>bold</b> & "quotes" <script>alert(1)</script>'


def tiny(name: str = NASTY, **changes: object) -> sim.Scenario:
    data = copy.deepcopy(SMALL_ELECTIVE)
    data.update(name=name, horizon="16 weeks", warm_up="2 weeks", **changes)
    return sim.validate_scenario(data)


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report") / "run"
    sim.run(tiny(), reps=3, seed=4).save(str(folder), extra=save_plots)
    build_report(folder)
    return folder


@pytest.fixture(scope="module")
def compare_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder laid out as ``hubsim compare --out`` leaves it."""
    folder = tmp_path_factory.mktemp("report") / "cmp"
    more_beds = copy.deepcopy(SMALL_ELECTIVE["sites"])
    more_beds["a"]["beds"]["elective"] = 10
    cmp = sim.compare([tiny("baseline <one>"), tiny(NASTY, sites=more_beds)], reps=3, seed=4)
    cmp.save(folder, folders=["base", "more_beds"], extra=save_plots)
    build_report(folder)
    return folder


class Dom(HTMLParser):
    """Collects the elements a check needs: tags with their attributes, and headings."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str, cls: str | None = None) -> list[dict[str, str]]:
        return [
            a
            for t, a in self.elements
            if t == tag and (cls is None or cls in a.get("class", "").split())
        ]


def parse(html: str) -> Dom:
    dom = Dom()
    dom.feed(html)
    return dom


def png_images(dom: Dom) -> list[bytes]:
    """The decoded bytes of every ``<img>`` (all must be PNG data URIs)."""
    out = []
    for img in dom.find("img"):
        src = img["src"]
        assert src.startswith("data:image/png;base64,"), src[:60]
        out.append(base64.b64decode(src.split(",", 1)[1], validate=True))
    return out


def network_kpis(folder: Path) -> set[str]:
    import pandas as pd

    s = pd.read_csv(folder / "summary.csv", keep_default_na=False, na_values=[""])
    s["site"] = s["site"].fillna("")
    return set(s[(s.site == "") & (s.n > 0)].kpi)


# -- the file itself -------------------------------------------------------------------


def test_report_is_one_self_contained_file(run_folder: Path) -> None:
    html = (run_folder / "report.html").read_text(encoding="utf-8")
    assert "<link" not in html and "<script" not in html
    assert "http://" not in html and "https://" not in html
    dom = parse(html)
    images = png_images(dom)
    assert len(images) == 4 and all(b.startswith(PNG) for b in images)


def test_scenario_text_is_escaped(run_folder: Path) -> None:
    html = (run_folder / "report.html").read_text(encoding="utf-8")
    assert "<b>bold</b>" not in html and "<script>" not in html
    assert "Hubs &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot;" in html


def test_model_description_follows_stress_des_and_the_scenario(run_folder: Path) -> None:
    text = " ".join(parse((run_folder / "report.html").read_text(encoding="utf-8")).text)
    for heading in (
        "1 Objectives",
        "2 Logic",
        "3 Data",
        "4 Experimentation",
        "5 Implementation",
        "6 Code access",
    ):
        assert heading in text
    # Figures read from the scenario and the run, not boilerplate.
    assert "2 site(s)" in text and "8 sessions a week" in text  # a: Mon-Fri, b: Mon/Wed/Fri
    assert "lognormal, mean 100 min, sd 20 min" in text  # the hip's theatre time
    assert "Horizon 16 weeks" in text and "A warm-up of 2 weeks" in text
    assert "3 replications, experiment seed 4" in text
    assert "emergency_bed_wait_hours" in text  # KPI definitions


def test_compare_report_has_differences_and_forest_plot(compare_folder: Path) -> None:
    dom = parse((compare_folder / "report.html").read_text(encoding="utf-8"))
    assert len(dom.find("tr", "diff")) >= 10
    assert [i["data-plot"] for i in dom.find("img")][:2] == [
        "forest.png",
        "waiting_list_compared.png",
    ]
    text = " ".join(dom.text)
    assert "What 'Hubs <b>bold</b>" in text  # scenario logic names the changed scenario
    assert "sites.a.beds.elective" in text  # ... and the field it changes


def test_compare_report_shows_capacity_and_says_not_like_for_like(compare_folder: Path) -> None:
    html = (compare_folder / "report.html").read_text(encoding="utf-8")
    dom = parse(html)
    assert dom.find("table", "capacity")
    assert "10 more ward beds, all ring-fenced" in " ".join(dom.text)
    assert "not like for like" in " ".join(dom.text)


def test_report_needs_a_finished_run(tmp_path: Path) -> None:
    (tmp_path / "summary.csv").write_text("kpi,site\n", encoding="utf-8")
    with pytest.raises(ReportError, match="no manifest.json"):
        build_report(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReportError, match="neither"):
        build_report(tmp_path / "empty")


# -- rendered by a browser -------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(chromium: str) -> str:
    """The Chromium executable (checked before any results are built)."""
    return chromium


def render(
    browser: str, page: Path, tmp_path: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    """Open ``page`` in headless Chromium (its own throw-away profile, no network)."""
    args = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        *extra,
        page.resolve().as_uri(),
    ]
    res = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    return res


def test_run_report_renders_in_chromium(browser: str, run_folder: Path, tmp_path: Path) -> None:
    dom = parse(render(browser, run_folder / "report.html", tmp_path, "--dump-dom").stdout)
    rows = {r["data-kpi"] for r in dom.find("tr", "kpi")}
    assert rows == network_kpis(run_folder)
    assert len(dom.find("tr", "site-kpi")) >= 20
    images = png_images(dom)
    assert len(images) == 4 and all(b.startswith(PNG) for b in images)
    assert len(dom.find("details")) >= 1 and len(dom.find("pre")) == 1  # the scenario


def test_compare_report_renders_in_chromium(
    browser: str, compare_folder: Path, tmp_path: Path
) -> None:
    dom = parse(render(browser, compare_folder / "report.html", tmp_path, "--dump-dom").stdout)
    assert len(dom.find("tr", "diff")) >= 10
    kpis = network_kpis(compare_folder / "base") | network_kpis(compare_folder / "more_beds")
    rows = [r["data-kpi"] for r in dom.find("tr", "kpi")]  # one KPI table per scenario
    assert set(rows) == kpis and len(rows) > len(kpis)
    images = png_images(dom)
    assert len(images) == 2 + 2 * 4 and all(b.startswith(PNG) for b in images)


def test_screenshot_is_not_blank(browser: str, run_folder: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    page = run_folder / "report.html"
    render(browser, page, tmp_path, "--window-size=1280,2400", f"--screenshot={shot}")
    from PIL import Image

    with Image.open(shot) as im:
        colours = im.convert("RGB").resize((64, 120)).getcolors(64 * 120)
    assert colours is not None and len(colours) > 20, "the page rendered (nearly) blank"


# -- the command line ------------------------------------------------------------------


def hubsim(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )


def test_run_writes_the_report_unless_told_not_to(tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_text(dump_scenario_yaml(tiny()), encoding="utf-8")
    res = hubsim("run", "tiny.yaml", "--reps", 2, "--out", "A", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "A" / "report.html").is_file()
    res = hubsim("run", "tiny.yaml", "--reps", 2, "--out", "B", "--no-report", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert not (tmp_path / "B" / "report.html").exists()
    res = hubsim("report", "B", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "B" / "report.html").is_file()
    res = hubsim("report", "tiny.yaml", cwd=tmp_path)
    assert res.returncode == 2 and "not a folder" in res.stderr
    assert "Traceback" not in res.stderr


@pytest.mark.parametrize(
    "order", ["priority_then_wait", "longest_wait", "deprivation_weighted",
              "quintile1_long_waiters_first"],
)  # fmt: skip
def test_model_description_names_every_booking_order(order: str) -> None:
    from sim.report.describe.elective import booking_order_text
    from sim.scenario.schema import Booking

    booking = Booking.model_validate({"order": order, "deprivation_credit": {1: "4 weeks"}})
    text = booking_order_text(booking)
    assert "wait" in text
    if order == "deprivation_weighted":
        assert "quintile 1 4 weeks" in text


def test_every_scenario_field_is_told_by_the_skeleton_or_a_feature() -> None:
    """Each field a scenario can hold is put in words by the model description (its
    skeleton or a feature's module of sim.report.describe), or listed as written by the
    feature it belongs to: none is shown under "other settings" without an owner."""
    from builders import SCENARIOS

    from sim.report.describe import FEATURES
    from sim.report.stress import covered
    from sim.scenario.load import scenario_dict

    told = covered()
    for feature in FEATURES:
        for where, fields in getattr(feature, "AS_WRITTEN", {}).items():
            told.setdefault(where, set()).update(fields)
    data = scenario_dict(sim.load_scenario(SCENARIOS / "black_country_ortho_hubs_staff.yaml"))
    site = next(iter(data["sites"].values()))
    missing = [k for k in data if k not in told[""]]
    missing += [f"policies.{k}" for k in data["policies"] if k not in told["policies"]]
    missing += [f"sites.*.{k}" for k in site if k not in told["site"]]
    assert not missing, f"no feature tells these scenario fields: {missing}"
