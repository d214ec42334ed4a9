"""Golden outputs: every shipped scenario, run end to end through the CLI, gives the stored summary.

Each scenario under ``scenarios/`` is run as a planner runs it (``hubsim run`` with the
report, 2 replications, seed 1, a shortened horizon where the full one is long, and then a
warm-up cut in proportion where it would fill most of it) and its
``summary.csv`` is compared with ``tests/goldens/<scenario>.csv``: counts exactly, every
other figure to a relative 1e-9. A change that moves any number fails here, even when
every property test still holds.

When a change is meant to move the numbers, regenerate the goldens with::

    python3 tasks.py goldens

and commit the golden diff with the change, saying in the message why the numbers moved.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from builders import SCENARIOS
from typer.testing import CliRunner

from sim.cli import app
from sim.metrics import KPIS

GOLDENS = Path(__file__).parent / "goldens"
REPS = 2
SEED = 1
#: Long horizons are shortened to keep the goldens cheap; warm-ups stay as shipped unless
#: they would take over half the shortened run, when they are cut in the same proportion.
MAX_HORIZON = "40 weeks"
LONG = 40 * 7.0
RTOL = 1e-9


def shipped() -> list[Path]:
    return sorted(SCENARIOS.rglob("*.yaml"))


def golden_name(path: Path) -> str:
    return "__".join(path.relative_to(SCENARIOS).with_suffix("").parts) + ".csv"


def run_cli(path: Path, out: Path) -> Path:
    """``hubsim run`` of one shipped scenario into ``out``; returns its summary.csv."""
    import sim

    args = ["run", str(path), "--reps", str(REPS), "--seed", str(SEED), "--out", str(out)]
    sc = sim.load_scenario(path)
    if sc.horizon > LONG:
        args += ["--set", f"horizon={MAX_HORIZON}"]
        if sc.warm_up > LONG / 2:  # a long warm-up (validation models) is cut in proportion
            args += ["--set", f"warm_up={sc.warm_up * LONG / sc.horizon:.6g} days"]
    result = CliRunner().invoke(app, args, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file(), "the run wrote no report"
    return out / "summary.csv"


def compare_summaries(got: pd.DataFrame, want: pd.DataFrame) -> list[str]:
    """Every difference between two summaries, as readable lines (empty: identical)."""
    key = ["kpi", "site"]
    got = got.assign(site=got.site.fillna("")).set_index(key)
    want = want.assign(site=want.site.fillna("")).set_index(key)
    problems = [f"KPI row {k} is new" for k in got.index.difference(want.index)]
    problems += [f"KPI row {k} is gone" for k in want.index.difference(got.index)]
    if list(got.columns) != list(want.columns):
        problems.append(f"columns {list(got.columns)} != {list(want.columns)}")
        return problems
    for k in got.index.intersection(want.index):
        kpi = KPIS.find(k[0])
        exact = kpi is not None and kpi.is_count
        for col in got.columns:
            a, b = got.at[k, col], want.at[k, col]
            if isinstance(a, str) or isinstance(b, str):
                same = str(a) == str(b)
            elif math.isnan(a) or math.isnan(b):
                same = math.isnan(a) and math.isnan(b)
            elif exact and col == "mean" or col == "n":
                same = a == b
            else:
                same = math.isclose(a, b, rel_tol=RTOL, abs_tol=1e-12)
            if not same:
                problems.append(f"{k[0]} [{k[1] or 'all'}] {col}: {a!r} (golden {b!r})")
    return problems


@pytest.mark.parametrize("path", shipped(), ids=lambda p: golden_name(p)[:-4])
def test_shipped_scenario_matches_its_golden(path: Path, tmp_path: Path, request) -> None:
    summary = run_cli(path, tmp_path / "out")
    golden = GOLDENS / golden_name(path)
    if request.config.getoption("--update-goldens"):
        GOLDENS.mkdir(exist_ok=True)
        shutil.copyfile(summary, golden)
        return
    assert golden.is_file(), (
        f"no golden output for {path.name}: run `python3 tasks.py goldens` and commit "
        f"{golden.relative_to(Path.cwd()) if golden.is_relative_to(Path.cwd()) else golden}"
    )
    problems = compare_summaries(pd.read_csv(summary), pd.read_csv(golden))
    assert not problems, (
        f"{path.name} no longer gives its golden summary ({len(problems)} differences; if "
        "intended, run `python3 tasks.py goldens` and explain the change in the commit):\n"
        + "\n".join(problems[:40])
    )


def test_every_golden_belongs_to_a_shipped_scenario() -> None:
    names = {golden_name(p) for p in shipped()}
    stale = sorted(p.name for p in GOLDENS.glob("*.csv") if p.name not in names)
    assert not stale, f"goldens without a scenario (delete them): {stale}"


def test_comparison_is_exact_for_counts_and_close_for_the_rest() -> None:
    base = pd.DataFrame(
        {"kpi": ["operations", "theatre_utilisation"], "site": ["", ""],
         "mean": [100.0, 0.5], "n": [2, 2]}
    )  # fmt: skip
    assert compare_summaries(base, base.copy()) == []
    nudged = base.copy()
    nudged.loc[1, "mean"] = 0.5 * (1 + 1e-12)
    assert compare_summaries(nudged, base) == []
    nudged.loc[1, "mean"] = 0.5 * (1 + 1e-6)
    assert compare_summaries(nudged, base)
    nudged = base.copy()
    nudged.loc[0, "mean"] = 100.0 + 1e-9
    assert compare_summaries(nudged, base)
