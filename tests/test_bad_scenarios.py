"""The bad-input corpus: every planner mistake in ``tests/bad_scenarios/`` through the CLI.

``tests/bad_scenarios/expected.yaml`` says what hubsim must print for each file. One test
is parametrised over that table, so adding a file and its entry adds a case. Each case runs
``hubsim validate FILE`` and ``hubsim run FILE --out OUT --reps 1`` in this process (through
``sim.cli.main``, as the console script does) and checks: exit code 2, one paragraph per
problem naming the file (and the line and field where there are some), no traceback or
Python words, and nothing written to OUT. A sample of the cases, the YAML bomb and the
oversized files also run as real subprocesses, with their peak memory measured.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

import sim.cli

CORPUS = Path(__file__).resolve().parent / "bad_scenarios"
EXPECTED: dict[str, dict[str, Any]] = yaml.safe_load(
    (CORPUS / "expected.yaml").read_text(encoding="utf-8")
)
#: The python_tag case would create this file (in the working folder) if it ever ran.
MARKER = "HUBSIM_PWNED"
#: Words that mean Python leaked into a planner's message.
PYTHON_WORDS = re.compile(
    r"Traceback|NoneType|pydantic|<class |object at 0x|File \"|\b\w+Error\b|\w+Exception\b"
    r"|\b(?:dict|str|int|float|bool|None|True|False)\b"
)
#: How every paragraph starts: file, then line, column and field where there are some.
PLACE = re.compile(
    r"^(?P<file>[^,:]+\.(?:yaml|csv))(?:, line (?P<line>\d+))?(?:, column \d+)?"
    r"(?:, field (?P<field>[^:]+))?: \S"
)
#: Cases that also run as real subprocesses: (file, command).
SUBPROCESS_SAMPLE = (
    ("python_tag.yaml", "validate"),
    ("python_tag.yaml", "run"),
    ("binary_junk.yaml", "run"),
    ("misspelt_top_level_key.yaml", "validate"),
    ("extends_breaks_one_field.yaml", "run"),
    ("backlog_bad_priority.yaml", "run"),
)
PEAK_RSS_LIMIT_MB = 300
# Seconds: a guard against a hang (a bomb expanded, a gigabyte read), not a speed goal;
# speed goals are in benchmarks/.
HANG = 60


def _cases() -> Iterator[Any]:
    for name, case in EXPECTED.items():
        marks = []
        if case.get("xfail"):
            marks.append(pytest.mark.xfail(strict=True, reason=case["xfail"]))
        yield pytest.param(name, id=name.removesuffix(".yaml"), marks=marks)


def problem_paragraphs(stderr: str) -> list[str]:
    """The problems a failed command printed: one paragraph each, after ``error:``."""
    text = stderr.strip()
    assert text.startswith("error: "), stderr
    paragraphs = text.removeprefix("error: ").split("\n\n")
    header = re.fullmatch(r"Found (\d+) problems in the scenario:", paragraphs[0])
    if header:
        paragraphs = paragraphs[1:]
        assert int(header[1]) == len(paragraphs), stderr
    return paragraphs


def check_message(name: str, code: int, stdout: str, stderr: str) -> None:
    """Exit code 2 and the message ``expected.yaml`` asks for, in planner's words."""
    case = EXPECTED[name]
    assert code == 2, f"exit code {code}\nstdout: {stdout}\nstderr: {stderr}"
    assert "Traceback" not in stdout + stderr, stdout + stderr
    leaked = PYTHON_WORDS.search(stderr)
    assert leaked is None, f"Python word {leaked[0]!r} in: {stderr}"
    paragraphs = problem_paragraphs(stderr)
    assert len(paragraphs) == case.get("problems", 1), stderr
    for p in paragraphs:
        assert "\n" not in p, f"a problem spans several lines: {p!r}"
        assert PLACE.match(p), f"a problem does not start with its file: {p!r}"
    contains: list[str] = case["contains"]
    main = [p for p in paragraphs if contains[0] in p]
    assert main, f"{contains[0]!r} not in: {stderr}"
    place = PLACE.match(main[0])
    assert place is not None
    assert place["file"] == case.get("file", name), main[0]
    assert place["line"] == (str(case["line"]) if "line" in case else None), main[0]
    assert place["field"] == case.get("field"), main[0]
    for text in contains:
        assert text in main[0], f"{text!r} not in: {main[0]}"
    for text in case.get("excludes", []):
        assert text not in stderr, f"{text!r} echoed in: {stderr[:2000]}"


def assert_nothing_written(out: Path) -> None:
    assert not out.exists() or not any(out.iterdir()), sorted(os.listdir(out))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the corpus to run in, so a command that wrongly wrote would not touch tests/."""
    folder = tmp_path_factory.mktemp("corpus") / "bad_scenarios"
    shutil.copytree(CORPUS, folder)
    write_generated_parts(folder)
    return folder


def write_generated_parts(folder: Path) -> None:
    """Parts too big to keep in the repository: a CSV with a 140,000-character field."""
    long_field = "x" * 140_000
    (folder / "parts" / "backlog_long_field.csv").write_text(
        f'site,procedure,priority,waited_weeks\nsandwell,hip,P4,12\nsandwell,hip,P4,"{long_field}"\n',
        encoding="utf-8",
    )


Hubsim = Callable[..., tuple[int, str, str]]


@pytest.fixture
def hubsim_here(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Hubsim:
    """Run ``hubsim ARGS`` in this process, in the corpus folder: (exit code, stdout, stderr)."""
    monkeypatch.chdir(corpus)
    monkeypatch.delenv("HUBSIM_DEBUG", raising=False)

    def run(*args: object) -> tuple[int, str, str]:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["hubsim", *map(str, args)])
        try:
            sim.cli.main()
            code: Any = 0
        except SystemExit as exc:
            code = exc.code
        captured = capsys.readouterr()
        return (code if isinstance(code, int) else 1), captured.out, captured.err

    return run


def hubsim_subprocess(*args: object, cwd: Path, timeout: float = 60) -> tuple[int, str, str, float]:
    """Run ``python -m sim ARGS`` in a child; also return the child's peak RSS in MB.

    A small wrapper process runs the command, so ``RUSAGE_CHILDREN`` covers that one
    command only (not every child this test process ever waited for).
    """
    wrapper = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run([sys.executable, '-m', 'sim', *sys.argv[1:]])\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "scale = 1024 * 1024 if sys.platform == 'darwin' else 1024\n"
        "print(f'\\nPEAK_RSS_MB={peak / scale:.1f}', file=sys.stderr)\n"
        "sys.exit(r.returncode)\n"
    )
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("HUBSIM_DEBUG", None)
    res = subprocess.run(
        [sys.executable, "-c", wrapper, *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    stderr, _, peak = res.stderr.rpartition("\nPEAK_RSS_MB=")
    return res.returncode, res.stdout, stderr, float(peak)


# ----------------------------------------------------------------------------
# The table
# ----------------------------------------------------------------------------


def test_every_file_has_an_expectation_and_there_are_enough() -> None:
    files = {p.name for p in CORPUS.glob("*.yaml")} - {"expected.yaml"}
    assert files == set(EXPECTED), files ^ set(EXPECTED)
    assert len(files) >= 30
    for name, case in EXPECTED.items():
        assert case.get("contains"), f"{name}: say what the message must contain"
        assert set(case) <= {
            "file", "line", "field", "contains", "excludes", "problems", "xfail"
        }, name


def test_the_base_the_cases_extend_is_valid() -> None:
    sc = sim.load_scenario(CORPUS / "parts" / "valid_base.yaml")
    assert sc.sites and sc.procedures


# ----------------------------------------------------------------------------
# Every case, in this process
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(_cases()))
def test_bad_scenario_is_refused_with_its_message(
    name: str, hubsim_here: Hubsim, corpus: Path, tmp_path: Path
) -> None:
    check_message(name, *hubsim_here("validate", name))
    out = tmp_path / "OUT"
    check_message(name, *hubsim_here("run", name, "--out", out, "--reps", 1))
    assert_nothing_written(out)
    assert not (corpus / "results").exists(), "a refused run wrote to the default folder"
    assert not (corpus / MARKER).exists(), "a YAML tag ran a shell command"


# ----------------------------------------------------------------------------
# A sample as real subprocesses
# ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_runs(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple, Any]:
    """The sampled commands as subprocesses, two at a time: {(file, command): (result, OUT)}."""
    outs = tmp_path_factory.mktemp("outs")
    jobs = {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for name, command in SUBPROCESS_SAMPLE:
            args = ("--out", outs / name, "--reps", 1) if command == "run" else ()
            jobs[(name, command)] = pool.submit(hubsim_subprocess, command, name, *args, cwd=corpus)
        return {key: (job.result(), outs / key[0]) for key, job in jobs.items()}


@pytest.mark.parametrize(("name", "command"), SUBPROCESS_SAMPLE)
def test_bad_scenario_in_a_subprocess(
    name: str, command: str, sample_runs: dict[tuple, Any], corpus: Path
) -> None:
    (code, stdout, stderr, peak_mb), out = sample_runs[(name, command)]
    check_message(name, code, stdout, stderr)
    assert_nothing_written(out)
    assert not (corpus / MARKER).exists(), "a YAML tag ran a shell command"
    assert peak_mb < PEAK_RSS_LIMIT_MB


# ----------------------------------------------------------------------------
# Resource guards
# ----------------------------------------------------------------------------


def test_yaml_bomb_fails_fast_in_bounded_memory(hubsim_here: Hubsim, corpus: Path) -> None:
    started = time.perf_counter()
    code, stdout, stderr = hubsim_here("validate", "billion_laughs.yaml")
    assert time.perf_counter() - started < HANG, "the aliases were expanded"
    check_message("billion_laughs.yaml", code, stdout, stderr)

    code, stdout, stderr, peak_mb = hubsim_subprocess("validate", "billion_laughs.yaml", cwd=corpus)
    check_message("billion_laughs.yaml", code, stdout, stderr)
    assert peak_mb < PEAK_RSS_LIMIT_MB, f"peak RSS {peak_mb} MB"


def _one_huge_line(path: Path, size: int, sparse: bool) -> None:
    """``name: x`` then ``horizon: `` followed by one line of ``size`` bytes in all."""
    head = b"name: x\nhorizon: "
    with open(path, "wb") as fh:
        fh.write(head)
        if sparse:  # NUL bytes that take no disk space
            fh.truncate(size)
        else:
            fh.write(b"9" * (size - len(head)))


def test_gigabyte_line_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    _one_huge_line(path, 1 << 30, sparse=True)
    started = time.perf_counter()
    code, stdout, stderr, peak_mb = hubsim_subprocess(
        "run", path.name, "--out", "OUT", "--reps", 1, cwd=tmp_path
    )
    assert time.perf_counter() - started < HANG, "the file was read"
    assert code == 2, stderr
    assert "Traceback" not in stdout + stderr
    [paragraph] = problem_paragraphs(stderr)
    assert paragraph.startswith("huge.yaml: the file is 1024.0 MB"), paragraph
    assert "at most 5 MB" in paragraph
    assert peak_mb < PEAK_RSS_LIMIT_MB, f"peak RSS {peak_mb} MB: the file was read"
    assert_nothing_written(tmp_path / "OUT")


def test_long_line_under_the_size_limit_names_its_line(hubsim_here: Hubsim, tmp_path: Path) -> None:
    path = tmp_path / "long.yaml"
    _one_huge_line(path, 4 * 1024 * 1024, sparse=False)
    started = time.perf_counter()
    code, _, stderr = hubsim_here("validate", path)
    assert time.perf_counter() - started < HANG, "the line was parsed"
    assert code == 2
    [paragraph] = problem_paragraphs(stderr)
    assert paragraph.startswith(f"{path}, line 2: this line is longer than 100,000 characters")
