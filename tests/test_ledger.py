"""The ledger: typed tallies, one warm-up, and no string-keyed counters in the model."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import sim
from sim.model.ledger import Cause, Ledger, Tally, TimeWeighted

MODEL = Path(sim.__file__).parent / "model"


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _string_keys(tree: ast.AST) -> list[int]:
    """Lines of counters kept under text keys: ``x["name"] += 1`` or ``x[("name", site)]``."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Subscript):
            key = node.target.slice
            parts = key.elts if isinstance(key, ast.Tuple) else [key]
            if any(_is_text(p) for p in parts):
                lines.add(node.lineno)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Tuple)
            and any(_is_text(p) for p in node.slice.elts)
        ):
            lines.add(node.lineno)
    return sorted(lines)


def test_no_string_keyed_counter_is_left_in_the_model() -> None:
    found = {
        path.name: lines
        for path in sorted(MODEL.glob("*.py"))
        if (lines := _string_keys(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert not found, f"string-keyed look-ups in sim/model (file: lines): {found}"
    # the check itself finds one
    probe = 'count[("operations", site)] += 1\nx[f"c_{k}"] += 1\ny["label"] = 2'
    assert _string_keys(ast.parse(probe)) == [1, 2]


@dataclass(slots=True)
class _Example(Tally):
    n: int = 0
    days: float = 0.0
    by_cause: list[int] = field(default_factory=lambda: [0] * len(Cause))


def test_the_warm_up_is_subtracted_once_and_only_from_what_it_saw() -> None:
    ledger = Ledger(["a", "b"], warm_up=10.0)
    a, b = ledger.tallies(_Example)
    level = TimeWeighted(0.0)
    seen: list[float] = []
    ledger.on_settle(lambda now: seen.append(level.settle(now)))
    a.n += 3
    a.by_cause[Cause.NO_BED] += 2
    level.add(0.0, 2)
    ledger.mark_warm_up(10.0)  # area 20 by now
    a.n += 1
    b.days += 1.5
    a.by_cause[Cause.NO_BED] += 1
    level.add(12.0, -1)
    ledger.close(20.0)  # area 20 + 2*2 + 1*8 = 32
    got = ledger.measured_of(_Example)
    assert (got["a"].n, got["a"].by_cause[Cause.NO_BED], got["b"].days) == (1, 1, 1.5)
    assert seen == [20.0, 32.0] and ledger.span == 10.0
    assert a.n == 4  # the live tally is untouched


def test_time_weighted_histogram_and_area() -> None:
    tw = TimeWeighted(0.0, histogram=3)
    tw.add(1.0, 1)
    tw.add(3.0, 1)
    tw.add(4.0, -2)
    assert tw.settle(6.0) == pytest.approx(1 * 2 + 2 * 1)
    assert tw.histogram == pytest.approx([1.0 + 2.0, 2.0, 1.0])


def test_cancellation_causes_are_named_like_their_kpis() -> None:
    for cause in Cause:
        assert f"cancellations_{cause.label}" in sim.KPIS, cause
