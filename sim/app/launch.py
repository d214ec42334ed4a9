"""``hubsim app``: start the browser app on this computer (127.0.0.1 only).

The app is a Streamlit page (:mod:`sim.app.main`) served by ``python -m streamlit run``.
It listens on the loopback address only, whatever the options: scenarios and results stay
on the planner's machine. Its settings reach the page through environment variables
(:data:`ENV_SCENARIOS`, :data:`ENV_WORKDIR`).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

HOST = "127.0.0.1"
MAIN = Path(__file__).with_name("main.py")
ENV_SCENARIOS = "HUBSIM_APP_SCENARIOS"
ENV_WORKDIR = "HUBSIM_APP_WORKDIR"
SHIPPED = Path(__file__).resolve().parents[2] / "scenarios"
UPLOAD_MB = 5


def streamlit_command(port: int, open_browser: bool = True) -> list[str]:
    """The command that serves the app on ``127.0.0.1:port``."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(MAIN),
        f"--server.address={HOST}",
        f"--server.port={port}",
        f"--server.headless={'false' if open_browser else 'true'}",
        f"--server.maxUploadSize={UPLOAD_MB}",
        "--server.fileWatcherType=none",
        "--server.runOnSave=false",
        "--browser.gatherUsageStats=false",
        f"--browser.serverAddress={HOST}",
        "--global.developmentMode=false",
        "--client.toolbarMode=minimal",
        "--theme.base=light",
    ]


def missing_libraries() -> list[str]:
    return [m for m in ("streamlit", "openpyxl") if importlib.util.find_spec(m) is None]


def app_command(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 to serve the app on.")] = 8501,
    scenarios: Annotated[
        Path | None,
        typer.Option(help="Folder of scenarios to offer (default: the shipped scenarios)."),
    ] = None,
    workdir: Annotated[
        Path | None,
        typer.Option(help="Folder for uploads and results (default: results/app)."),
    ] = None,
    browser: Annotated[
        bool, typer.Option("--browser/--no-browser", help="Open the app in a web browser.")
    ] = True,
) -> None:
    """Start the planner's browser app on this computer (http://127.0.0.1:PORT)."""
    missing = missing_libraries()
    if missing:
        typer.echo(
            f"error: the app needs {', '.join(missing)}: run 'python3 tasks.py app' (or "
            "pip install -e '.[app]')",
            err=True,
        )
        raise typer.Exit(1)
    folder = (scenarios or SHIPPED).resolve()
    if not folder.is_dir():
        typer.echo(f"error: {folder} is not a folder of scenarios", err=True)
        raise typer.Exit(2)
    env = {
        **os.environ,
        ENV_SCENARIOS: str(folder),
        ENV_WORKDIR: str((workdir or Path("results") / "app").resolve()),
        "MPLBACKEND": "Agg",
    }
    typer.echo(f"hubsim app on http://{HOST}:{port} (Ctrl-C stops it)")
    proc = subprocess.Popen(streamlit_command(port, browser), env=env)
    try:
        code = proc.wait()
    except KeyboardInterrupt:  # the server got the same Ctrl-C and stops on its own
        code = proc.wait()
    raise typer.Exit(0 if code in (0, -2, 130) else code)
