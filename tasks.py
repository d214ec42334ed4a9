#!/usr/bin/env python3
"""Set up and run hubsim with nothing but Python 3.11+: ``python3 tasks.py demo|test|app``.

Creates ``.venv`` beside this file when it is missing, installs hubsim into it, then

- ``demo``: compares the Black Country status quo with the two-hubs plan (20 replications
  on 2 workers), prints the paired differences and writes results and plots to
  ``results/demo/``;
- ``test``: checks style with ruff and runs the test suite (with the app's libraries, which
  its tests need);
- ``app``: installs the app's libraries and starts the browser app on
  http://127.0.0.1:8501 (``python3 tasks.py app --port 8600`` passes options to ``hubsim app``);
- ``schema``: writes the scenario files' JSON Schema for editors
  (``scenarios/hubsim.schema.json``, the output of ``hubsim schema``) after a change to the
  scenario format; commit it with the change;
- ``goldens``: regenerates the golden outputs (``tests/goldens/``) after a change that is
  meant to move the numbers; commit them with the change and say why they moved.

Packages are installed from ``constraints.txt`` (exact versions), so a new release of
numpy or pandas cannot move the golden outputs under CI.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def sh(*args: str | os.PathLike[str]) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True)


def ensure_venv(extras: str) -> None:
    if not PY.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
        sh(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    target = f".[{extras}]" if extras else "."
    sh(PY, "-m", "pip", "install", "--quiet", "-c", "constraints.txt", "-e", target)


def demo() -> None:
    ensure_venv("")
    sh(
        PY, "-m", "sim", "compare",
        "scenarios/black_country_ortho.yaml", "scenarios/black_country_ortho_hubs.yaml",
        "--reps", "20", "--jobs", "2", "--seed", "1", "--out", "results/demo", "--overwrite",
    )  # fmt: skip


def test() -> None:
    ensure_venv("dev,app")
    sh(PY, "-m", "ruff", "check", "sim", "tests", "benchmarks", "tasks.py")
    sh(PY, "-m", "pytest", "-q")


def app(*options: str) -> None:
    ensure_venv("app")
    sh(PY, "-m", "sim", "app", *options)


def goldens() -> None:
    ensure_venv("dev")
    sh(PY, "-m", "pytest", "-q", "tests/test_goldens.py", "--update-goldens")
    sh("git", "diff", "--stat", "--", "tests/goldens")


def schema() -> None:
    ensure_venv("dev")
    out = ROOT / "scenarios" / "hubsim.schema.json"
    text = subprocess.run(
        [PY, "-m", "sim", "schema"], check=True, capture_output=True, text=True
    ).stdout
    out.write_text(text, encoding="utf-8")
    sh("git", "diff", "--stat", "--", str(out))


TASKS = {"demo": demo, "test": test, "app": app, "schema": schema, "goldens": goldens}

if __name__ == "__main__":
    name, options = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if name not in TASKS or (options and name != "app"):
        sys.exit(f"usage: python3 tasks.py {{{'|'.join(TASKS)}}}")
    try:
        TASKS[name](*options)
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode)
    except KeyboardInterrupt:
        sys.exit(130)
