"""Decomposition of a difference into steps on common random numbers: the steps add up to
the total, each has its paired interval, and the CLI and report show them."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import yaml
from builders import SMALL_ELECTIVE
from typer.testing import CliRunner

import sim
from sim.cli import app


def tiny(name: str, general: int = 40, elective: int = 0, saturday: bool = False) -> dict:
    data = copy.deepcopy(SMALL_ELECTIVE)
    data.update(name=name, horizon="10 weeks", warm_up="1 week")
    data["sites"]["a"]["beds"].update(general=general, elective=elective)
    if saturday:
        data["sites"]["a"]["theatres"]["t1"]["sessions"].append(
            {"days": ["Sat"], "slot": "all_day", "specialty": "ortho"}
        )
    return data


CHAIN = [
    tiny("status quo"),
    tiny("beds shared", general=48),
    tiny("beds ring-fenced", general=40, elective=8),
    tiny("and Saturdays", general=40, elective=8, saturday=True),
]


@pytest.fixture(scope="module")
def dec() -> sim.Decomposition:
    scenarios = [sim.validate_scenario(d) for d in CHAIN]
    return sim.decompose(scenarios, ["beds", "ring-fencing", "Saturdays"], reps=3, seed=3)


def test_steps_add_up_to_the_total_replication_by_replication(dec: sim.Decomposition) -> None:
    table = dec.table()
    assert set(table.kpi) >= {"cancellations_no_bed", "operations"}
    for _kpi, rows in table.groupby("kpi"):
        steps, total = rows[rows.step != "total"], rows[rows.step == "total"].iloc[0]
        assert list(steps.label) == ["beds", "ring-fencing", "Saturdays"]
        assert steps.diff_mean.sum() == pytest.approx(total.diff_mean, abs=1e-9)
        assert steps.share_of_total.sum() == pytest.approx(1.0) or total.diff_mean == 0
        assert total.to_mean - total.from_mean == pytest.approx(total.diff_mean)
    # each step is the paired difference of its two scenarios, replication by replication
    reps = [r.replications.query("site == '' and kpi == 'operations'") for r in
            dec.comparison.results]  # fmt: skip
    d = reps[3].value.to_numpy() - reps[2].value.to_numpy()
    row = table[(table.kpi == "operations") & (table.step == 3)].iloc[0]
    assert row.diff_mean == pytest.approx(np.mean(d))
    assert row.diff_ci_low < row.diff_mean < row.diff_ci_high
    assert row.diff_mean > 0  # a Saturday list adds operations


def test_a_label_per_step_is_required() -> None:
    scenarios = [sim.validate_scenario(d) for d in CHAIN[:2]]
    with pytest.raises(ValueError, match="one step label per scenario after the first"):
        sim.decompose(scenarios, ["a", "b"], reps=2)


def test_cli_decompose_writes_the_table_waterfalls_and_report(tmp_path: Path) -> None:
    files = []
    for i, data in enumerate(CHAIN[:3]):
        f = tmp_path / f"s{i}.yaml"
        f.write_text(yaml.safe_dump(data), encoding="utf-8")
        files.append(str(f))
    out = tmp_path / "out"
    args = ["decompose", *files, "--steps", "more beds,ring-fence", "--kpi", "operations",
            "--reps", "2", "--out", str(out), "--no-plots"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "ring-fence" in result.output and "total" in result.output
    assert "not like for like" in result.output  # 8 more beds in step 1
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="s-decomposition"' in html and 'data-plot="waterfall_operations.png"' in html
    bad = CliRunner().invoke(app, ["decompose", *files, "--steps", "one", "--reps", "2"])
    assert bad.exit_code == 2 and "give 2 step names" in bad.output
