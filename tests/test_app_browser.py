"""The browser app in a real browser: ``hubsim app`` started as a command, driven by
Playwright in Debian's headless Chromium (Playwright's own browser download is never used).

Loads the app, changes a bed count, runs a tiny scenario (2 replications) and checks that
the KPI table and the plots appear. Skipped without Chromium or Playwright, unless
``CI=true``, where it fails. ``HUBSIM_SCREENSHOTS=DIR`` keeps the screenshots.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from builders import ROOT

SCENARIOS = ROOT / "tests" / "app_scenarios"
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true requires the browser test")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> str:
    path = next(
        (p for n in ("chromium", "chromium-browser") if (p := shutil.which(n))),
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None,
    )
    if path is None:
        _unavailable("headless Chromium is not installed (Debian: apt-get install chromium)")
    for module in ("playwright", "streamlit"):
        try:
            __import__(module)
        except ImportError:
            _unavailable(f"{module} is not installed (python3 tasks.py test installs it)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(chromium: str, tmp_path: Path):
    """``hubsim app`` on a free port; yields its URL and process."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "app", "--port", str(port), "--no-browser",
         "--scenarios", str(SCENARIOS), "--workdir", str(tmp_path / "work")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 45
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                pytest.fail(f"hubsim app did not start on {url}:\n{out[-3000:]}")
            time.sleep(0.25)
        yield url, proc, port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def listening_addresses(pid: int, port: int) -> set[str]:
    import psutil

    procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    return {
        c.laddr.ip
        for p in procs
        for c in p.net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN and c.laddr.port == port
    }


def shoot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    keep = os.environ.get("HUBSIM_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)
    return path


def test_change_beds_run_and_see_results(chromium: str, server, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, proc, port = server
    assert listening_addresses(proc.pid, port) == {"127.0.0.1"}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            expect.set_options(timeout=30_000)
            page.goto(url)
            expect(page.get_by_role("heading", name="Tiny hub")).to_be_visible()

            page.get_by_role("tab", name="Sites and beds").click()
            label = "Ring-fenced elective beds"
            hub = page.get_by_test_id("stExpander").filter(has_text="Elective Hub (hub)")
            beds = hub.filter(has=page.get_by_label(label)).get_by_label(label, exact=True)
            expect(beds).to_have_value("12")
            beds.fill("16")
            beds.press("Enter")
            page.get_by_role("tab", name="Changes and capacity").click()
            changed = page.get_by_role("rowheader", name="sites.hub.beds.elective")
            expect(changed).to_be_visible()
            expect(page.get_by_role("rowheader", name="Elective Hub").first).to_be_visible()
            shoot(page, tmp_path, "app_changes")

            page.get_by_role("tab", name="Run", exact=True).click()
            for label, value in (("Replications", "2"), ("Workers", "1")):
                box = page.get_by_label(label, exact=True)
                box.fill(value)
                box.press("Enter")
            expect(page.get_by_label("Replications", exact=True)).to_have_value("2")
            page.get_by_role("button", name="Run").click()

            kpis = page.get_by_role("table").filter(has_text="Patients waiting at the end")
            expect(kpis.first).to_be_visible(timeout=60_000)
            for label in ("Operations", "95% CI"):
                expect(kpis.first.get_by_text(label, exact=True).first).to_be_visible()
            expect(page.get_by_text("2 replications on seed 1").first).to_be_visible()
            images = page.locator("[data-testid='stImage'] img")
            expect(images.nth(3)).to_be_visible()
            page.wait_for_function(
                "() => [...document.querySelectorAll(\"[data-testid='stImage'] img\")]"
                ".filter(i => i.complete && i.naturalWidth > 300).length >= 4"
            )
            page.set_viewport_size({"width": 1400, "height": 3000})  # Streamlit scrolls inside
            shoot(page, tmp_path, "app_results")
        finally:
            browser.close()
