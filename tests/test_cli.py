"""The ``hubsim`` command, run as a real subprocess as a planner would run it.

Every mistake must end with exit code 2 and a plain message naming the file (and the
line where there is one), never a traceback. A tiny scenario keeps the runs fast.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from builders import SCENARIOS

import sim
from sim.report.plots import STANDARD_PLOTS

#: Plots of an elective scenario without critical care (the tiny scenario here).
ELECTIVE_PLOTS = [n for n in STANDARD_PLOTS if not n.startswith("critical_care")]

# 10 weeks, one site, a handful of referrals a week: a replication takes milliseconds.
TINY = textwrap.dedent(
    """\
    name: tiny
    horizon: 10 weeks
    warm_up: 1 weeks
    trusts:
      SWB: {name: Sandwell and West Birmingham}
    sites:
      site_a:
        trust: SWB
        beds:
          general: 20
          elective: 5
        theatres:
          th1:
            sessions:
              - {days: [Mon, Wed], slot: all_day, specialty: ortho}
        emergency:
          admissions_per_day: 2
          length_of_stay: {dist: exponential, mean: 3 days}
    procedures:
      hip:
        specialty: ortho
        duration: {dist: lognormal, mean: 95 min, sd: 20 min}
        length_of_stay: {dist: lognormal, mean: 3 days, sd: 1 days}
        day_case_probability: 0.1
    demand:
      priority_mix: {P2: 0.2, P4: 0.8}
      referrals:
        site_a: {hip: 5}
    """
)


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the first line containing ``needle``."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


RESULT_FILES = ["summary.csv", "replications.parquet", "timeseries.parquet", "manifest.json"]


def hubsim(*args: object, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``python -m sim ARGS`` in ``cwd`` and return what it printed and its exit code."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("HUBSIM_DEBUG", None)  # tracebacks on purpose would defeat these tests
    return subprocess.run(
        [sys.executable, "-m", "sim", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_no_traceback(res: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in res.stdout, res.stdout
    assert "Traceback" not in res.stderr, res.stderr


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file in a folder: its content hash and modification time."""
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """The working folder of one command: holds the tiny scenario as ``tiny.yaml``."""
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    return tmp_path


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    """``hubsim run tiny.yaml --reps 2 --seed 3 --out OUT``, once for the whole module."""
    cwd = tmp_path_factory.mktemp("run")
    (cwd / "tiny.yaml").write_text(TINY, encoding="utf-8")
    res = hubsim("run", "tiny.yaml", "--reps", 2, "--seed", 3, "--out", "OUT", cwd=cwd)
    return cwd, res


# ----------------------------------------------------------------------------
# validate, schema, --help
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["black_country_ortho.yaml", "black_country_ortho_hubs.yaml"])
def test_validate_shipped_scenario(tmp_path: Path, name: str) -> None:
    res = hubsim("validate", SCENARIOS / name, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.lstrip().startswith("ok")
    assert "hash" in res.stdout
    assert res.stderr == ""
    assert_no_traceback(res)


BAD_FILES = [
    pytest.param(
        TINY.replace("    beds:\n", "    bedz:\n"),
        f"line {line_of(TINY, 'beds:')}, field sites.site_a.bedz",
        ["unknown key 'bedz'", "did you mean 'beds'?"],
        id="unknown key",
    ),
    pytest.param(
        TINY.replace("days: [Mon, Wed]", "days: [Mon, Wed"),
        "line",
        ["YAML syntax error"],
        id="yaml syntax error",
    ),
    pytest.param(None, None, ["does not exist"], id="missing file"),
    pytest.param("", None, ["empty"], id="empty file"),
    pytest.param(
        "name: !!python/object/apply:os.system ['touch MARKER']\nhorizon: 1 weeks\n",
        "line 1",
        ["!!python/object/apply:os.system", "not allowed", "nothing in the file was run"],
        id="python tag",
    ),
]


@pytest.mark.parametrize(("text", "line", "fragments"), BAD_FILES)
def test_validate_bad_file_exits_2_with_file_and_line(
    tmp_path: Path, text: str | None, line: str | None, fragments: list[str]
) -> None:
    marker = tmp_path / "command_ran"
    if text is not None:
        (tmp_path / "bad.yaml").write_text(text.replace("MARKER", str(marker)), encoding="utf-8")
    res = hubsim("validate", "bad.yaml", cwd=tmp_path)
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert_no_traceback(res)
    assert "bad.yaml" in res.stderr
    if line is not None:  # a missing or empty file has no line to point at
        assert line in res.stderr
    for fragment in fragments:
        assert fragment in res.stderr
    assert not marker.exists(), "a YAML tag ran a shell command"
    assert "ok" not in res.stdout


def test_schema_prints_json_schema(tmp_path: Path) -> None:
    res = hubsim("schema", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    schema = json.loads(res.stdout)
    complete = schema["$defs"][schema["else"]["$ref"].rsplit("/", 1)[1]]
    assert "sites" in complete["properties"]
    assert "horizon" in complete["required"]  # in a file without `extends`


def test_help(tmp_path: Path) -> None:
    res = hubsim("--help", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    for command in ("validate", "run", "rerun", "schema"):
        assert command in res.stdout
    assert_no_traceback(res)


def test_console_script_help(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("hubsim")
    if not script.exists():
        pytest.skip("the hubsim console script is not installed next to this Python")
    res = subprocess.run(
        [str(script), "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert res.returncode == 0, res.stderr
    assert "run" in res.stdout


# ----------------------------------------------------------------------------
# run and rerun
# ----------------------------------------------------------------------------


def test_run_writes_results(first_run: tuple[Path, subprocess.CompletedProcess]) -> None:
    cwd, res = first_run
    assert res.returncode == 0, res.stderr
    assert_no_traceback(res)
    out = cwd / "OUT"
    for name in [*RESULT_FILES, *ELECTIVE_PLOTS]:
        assert (out / name).is_file(), f"{name} missing from {sorted(os.listdir(out))}"
    assert not (out / "critical_care.png").exists()  # no critical care in this scenario
    assert ELECTIVE_PLOTS, "no standard plots are defined"
    for name in ELECTIVE_PLOTS:
        assert name.endswith(".png")
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 3
    assert manifest["reps"] == 2
    assert manifest["hubsim_version"] == sim.__version__
    assert manifest["scenario_hash"] == sim.scenario_hash(sim.load_scenario(cwd / "tiny.yaml"))
    assert set(RESULT_FILES) - {"manifest.json"} <= set(manifest["files"])

    summary = (out / "summary.csv").read_text(encoding="utf-8")
    assert "operations" in summary
    assert "tiny" in res.stdout


def test_run_refuses_a_folder_with_results(
    first_run: tuple[Path, subprocess.CompletedProcess],
) -> None:
    cwd, first = first_run
    assert first.returncode == 0, first.stderr
    before = snapshot(cwd / "OUT")
    res = hubsim("run", "tiny.yaml", "--reps", 2, "--seed", 3, "--out", "OUT", cwd=cwd)
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert_no_traceback(res)
    assert "OUT" in res.stderr
    assert "already holds files" in res.stderr
    assert "--overwrite" in res.stderr
    assert snapshot(cwd / "OUT") == before, "a refused run changed the results"


def test_run_overwrite_replaces_results(
    first_run: tuple[Path, subprocess.CompletedProcess], tmp_path: Path
) -> None:
    cwd, first = first_run
    assert first.returncode == 0, first.stderr
    shutil.copy(cwd / "tiny.yaml", tmp_path / "tiny.yaml")
    shutil.copytree(cwd / "OUT", tmp_path / "OUT")
    old_manifest = (tmp_path / "OUT" / "manifest.json").read_text(encoding="utf-8")
    res = hubsim(
        "run", "tiny.yaml", "--reps", 2, "--seed", 5, "--out", "OUT", "--overwrite", cwd=tmp_path
    )
    assert res.returncode == 0, res.stderr
    assert_no_traceback(res)
    manifest = json.loads((tmp_path / "OUT" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 5
    assert json.loads(old_manifest)["seed"] == 3
    for name in RESULT_FILES:
        assert (tmp_path / "OUT" / name).is_file()


def test_run_bad_scenario_writes_nothing(work: Path) -> None:
    (work / "bad.yaml").write_text(TINY.replace("general: 20", "general: -5"), encoding="utf-8")
    res = hubsim("run", "bad.yaml", "--reps", 2, "--seed", 3, "--out", "OUT", cwd=work)
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert_no_traceback(res)
    line = line_of(TINY, "general: 20")
    assert f"bad.yaml, line {line}, field sites.site_a.beds.general" in res.stderr
    assert not (work / "OUT").exists() or not any((work / "OUT").iterdir())
    assert not (work / "results").exists()


def test_rerun_one_replication(work: Path) -> None:
    res = hubsim("rerun", "tiny.yaml", "--rep", 1, "--seed", 3, cwd=work)
    assert res.returncode == 0, res.stderr
    assert_no_traceback(res)
    assert "replication 1 (seed 3)" in res.stdout
    assert "operations" in res.stdout


def test_rerun_bad_scenario(work: Path) -> None:
    res = hubsim("rerun", "nothere.yaml", "--rep", 1, cwd=work)
    assert res.returncode == 2
    assert_no_traceback(res)
    assert "nothere.yaml" in res.stderr and "does not exist" in res.stderr


# ----------------------------------------------------------------------------
# Usage errors and messages that must be printed verbatim
# ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["validate"], id="missing scenario argument"),
        pytest.param(["nosuchcommand"], id="unknown command"),
        pytest.param(["run", "tiny.yaml", "--reps", "0"], id="reps 0"),
        pytest.param(["rerun", "tiny.yaml"], id="rerun without --rep"),
    ],
)
def test_usage_errors_exit_2_without_traceback(work: Path, args: list[str]) -> None:
    res = hubsim(*args, cwd=work)
    assert_no_traceback(res)
    assert res.returncode == 2, res.stderr


def test_message_with_square_brackets_is_printed_verbatim(work: Path) -> None:
    text = TINY.replace("    beds:\n", '    "[/b]": 1\n    beds:\n')
    (work / "bad.yaml").write_text(text, encoding="utf-8")
    res = hubsim("validate", "bad.yaml", cwd=work)
    assert_no_traceback(res)
    assert res.returncode == 2
    assert "'[/b]'" in res.stderr


def test_file_name_with_square_brackets_is_named_correctly(work: Path) -> None:
    (work / "plan[x].yaml").write_text(TINY.replace("    beds:\n", "    bedz:\n"), encoding="utf-8")
    res = hubsim("validate", "plan[x].yaml", cwd=work)
    assert res.returncode == 2
    assert f"plan[x].yaml, line {line_of(TINY, 'beds:')}" in res.stderr
