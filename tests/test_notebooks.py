"""Every notebook in ``notebooks/`` runs top to bottom without an error, in under 3 minutes.

Each is executed with nbclient in a fresh kernel whose working folder is ``notebooks/``,
as when Jupyter opens it there: notebooks refer to the scenarios as ``../scenarios/``.
New notebooks are picked up automatically. Notebooks are committed without outputs;
the test checks that too, and never writes the executed copy back.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TIMEOUT = 180  # seconds per notebook (each cell gets the whole budget)


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(path, as_version=4)
    with_output = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.outputs or c.execution_count)
    ]
    assert not with_output, f"{path.name}: clear the outputs of cells {with_output}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    print(f"\n{path.name}: ran in {seconds:.1f} s")
    assert seconds < TIMEOUT, f"{path.name} took {seconds:.0f} s (limit {TIMEOUT} s)"
