"""The architecture: imports go one way along the pipeline, and nothing imports in a circle.

Every module of ``sim/`` is parsed with ``ast``; every import is collected, those inside
functions and under ``if TYPE_CHECKING:`` included, relative imports resolved, and
``from package import name`` taken as an import of ``package.name`` when that is a
module. The layers, earliest first::

    scenario -> model -> metrics -> replication -> experiment -> report
             -> the sim facade (sim/__init__.py) -> validation -> app -> cli

A layer may import its own modules and earlier layers only. The facade imports the
library's layers (on first use of a name); the published models reproduced
(``sim/validation``) and the planner's browser app (``sim/app``) are clients of it, as a
notebook is; ``hubsim app`` registers the app's launcher on the CLI.
``sim/__main__.py`` is outside the order; ``sim/analytic.py`` (queueing formulas),
``sim/text.py`` (text from files made safe to print), ``sim/features.py`` (the feature index,
module names as text) and ``sim/_version.py`` are leaves
that any layer may use and that import nothing of hubsim.

The metrics come before the replication, not after as the README's one-line pipeline
reads: a replication computes its KPIs in the worker (``sim.metrics.kpi_rows``), so that
it sends back small rows rather than its whole ledger; the metrics read only the model's
ledger.

A failing check lists each offending import as ``path:line: importer imports target``.
"""

from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parents[1] / "sim"

#: The layers, earliest first: each may import itself and those before it ("" is the
#: facade, ``sim/__init__.py``).
LAYERS = (
    "scenario",
    "model",
    "metrics",
    "replication",
    "experiment",
    "report",
    "",
    "validation",
    "app",
    "cli",
)
#: Above every layer: may import anything, and nothing may import it.
OUTSIDE = {"sim.__main__"}
#: Leaves: any layer may import them; they import nothing of hubsim.
LEAVES = {"sim.analytic", "sim.text", "sim._version", "sim.features"}


@dataclass(frozen=True)
class Import:
    """One import statement's target, as written in a module of ``sim``."""

    module: str
    """The importing module, e.g. ``sim.experiment.results``."""
    target: str
    """The imported module: ``sim.report.plots``, or another package's (``pandas``)."""
    path: Path
    line: int
    in_function: bool
    type_checking: bool
    """Under ``if TYPE_CHECKING:``: for type checkers only, never run."""

    def __str__(self) -> str:
        where = []
        if self.in_function:
            where.append("inside a function")
        if self.type_checking:
            where.append("under TYPE_CHECKING")
        note = f" ({', '.join(where)})" if where else ""
        return f"{self.path}:{self.line}: {self.module} imports {self.target}{note}"

    @property
    def top(self) -> str:
        return self.target.split(".")[0]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path, name: str, modules: set[str]) -> list[Import]:
    """Every import in one module, with where it stands (function, TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool, type_checking: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(name, alias.name, path, node.lineno, in_function,
                                    type_checking))  # fmt: skip
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                target = sub if sub in modules else source
                found.append(Import(name, target, path, node.lineno, in_function, type_checking))
        for child in ast.iter_child_nodes(node):
            function = in_function or isinstance(
                node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            guarded = type_checking or (
                isinstance(node, ast.If) and _is_type_checking(node.test) and child in node.body
            )
            visit(child, function, guarded)

    visit(tree, False, False)
    return found


def all_imports(root: Path = SIM) -> list[Import]:
    files = sorted(root.rglob("*.py"))
    modules = {module_name(p, root) for p in files}
    out: list[Import] = []
    for path in files:
        out += imports_of(path, module_name(path, root), modules)
    return [dataclasses.replace(i, path=i.path.relative_to(root.parent)) for i in out]


def layer(module: str) -> str | None:
    """``scenario``, ``model``, ... for a module of a layer; None outside the order."""
    if module in OUTSIDE or module in LEAVES:
        return None
    head = module.split(".")[1] if "." in module else ""
    if head not in LAYERS:
        raise AssertionError(f"{module} belongs to no layer: add it to LAYERS, OUTSIDE or LEAVES")
    return head


def listing(bad: Iterable[Import]) -> str:
    return "\n".join(sorted(str(i) for i in bad))


IMPORTS = all_imports()
OURS = [i for i in IMPORTS if i.top == "sim"]


def test_the_checks_see_every_sim_module_and_import() -> None:
    modules = {module_name(p, SIM) for p in SIM.rglob("*.py")}
    for module in modules:
        layer(module)  # every module has a place
    assert {i.module for i in OURS} >= {"sim.cli", "sim.report.html", "sim.experiment.runner"}
    assert any(i.in_function for i in OURS) and any(i.type_checking for i in OURS)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of a directed graph as its nodes, first repeated at the end; None if none."""
    done: set[str] = set()
    path: list[str] = []

    def dfs(node: str) -> list[str] | None:
        if node in path:
            return path[path.index(node) :] + [node]
        if node in done:
            return None
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            cycle = dfs(nxt)
            if cycle:
                return cycle
        path.pop()
        done.add(node)
        return None

    for start in sorted(graph):
        cycle = dfs(start)
        if cycle:
            return cycle
    return None


def test_no_import_cycle() -> None:
    """No chain of imports (type-checking ones aside) leads from a module back to itself."""
    edges: dict[tuple[str, str], Import] = {}
    for i in OURS:
        if not i.type_checking and i.target != i.module:
            edges.setdefault((i.module, i.target), i)
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    cycle = find_cycle(graph)
    assert cycle is None, "an import cycle:\n" + "\n".join(
        str(edges[a, b]) for a, b in zip(cycle, cycle[1:], strict=False)
    )


def test_imports_go_one_way_along_the_layers() -> None:
    """A layer imports itself and earlier layers only (the facade comes after the report);
    the leaves import nothing of hubsim."""
    bad = []
    for i in OURS:
        if i.module in OUTSIDE:
            continue
        if i.module in LEAVES or i.target in OUTSIDE:
            bad.append(i)
            continue
        if i.target in LEAVES:
            continue
        if LAYERS.index(layer(i.target)) > LAYERS.index(layer(i.module)):
            bad.append(i)
    assert not bad, "imports against the pipeline:\n" + listing(bad)


def test_experiment_never_imports_the_report_or_the_cli() -> None:
    bad = [
        i
        for i in OURS
        if i.module.startswith("sim.experiment") and i.target.startswith(("sim.report", "sim.cli"))
    ]
    assert not bad, "the experiment layer imports the report or the CLI:\n" + listing(bad)


def later_than(name: str, i: Import) -> bool:
    """The import reaches a layer after ``name`` (the facade and the app included)."""
    if i.top != "sim" or i.target in LEAVES:
        return False
    target = layer(i.target) if i.target not in OUTSIDE else None
    return target is None or LAYERS.index(target) > LAYERS.index(name)


def test_model_imports_no_later_layer_pandas_or_matplotlib() -> None:
    bad = [
        i
        for i in IMPORTS
        if i.module.startswith("sim.model")
        and (later_than("model", i) or i.top in ("pandas", "matplotlib"))
    ]
    assert not bad, "the model imports a later layer, pandas or matplotlib:\n" + listing(bad)


def test_scenario_imports_nothing_of_the_model_or_later() -> None:
    bad = [i for i in OURS if i.module.startswith("sim.scenario") and later_than("scenario", i)]
    assert not bad, "the scenario layer imports the model or a later layer:\n" + listing(bad)


def test_metrics_import_neither_pandas_nor_matplotlib() -> None:
    bad = [
        i
        for i in IMPORTS
        if i.module.startswith("sim.metrics") and i.top in ("pandas", "matplotlib")
    ]
    assert not bad, "the metrics import pandas or matplotlib:\n" + listing(bad)


def test_a_worker_imports_neither_pandas_nor_matplotlib() -> None:
    """What a worker process loads to run a replication (of ``sim.run`` or of a sweep)."""
    code = (
        "import sys, sim.replication, sim.experiment.sweep.worker\n"
        "print(sorted(m for m in ('pandas', 'matplotlib') if m in sys.modules))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "[]", res.stdout


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    """A package laid out like sim, with one import of each kind."""
    root = tmp_path / "sim"
    (root / "experiment").mkdir(parents=True)
    (root / "report").mkdir()
    for init in (root, root / "experiment", root / "report"):
        (init / "__init__.py").write_text("")
    (root / "report" / "plots.py").write_text("")
    (root / "experiment" / "results.py").write_text(
        textwrap.dedent(
            """\
            from typing import TYPE_CHECKING
            from ..report import plots
            if TYPE_CHECKING:
                from ..report.plots import ResultPlots
            def plot(self):
                import pandas
                from sim.report.plots import draw
            """
        )
    )
    return root


def test_the_cycle_finder() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"x": {"a"}, "a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]


def test_the_parser_resolves_relative_function_and_type_checking_imports(toy: Path) -> None:
    found = [i for i in all_imports(toy) if i.module == "sim.experiment.results"]
    seen = {(i.target, i.line, i.in_function, i.type_checking) for i in found}
    assert seen == {
        ("typing", 1, False, False),
        ("sim.report.plots", 2, False, False),
        ("sim.report.plots", 4, False, True),
        ("pandas", 6, True, False),
        ("sim.report.plots", 7, True, False),
    }
    assert (
        str(found[1])
        == "sim/experiment/results.py:2: sim.experiment.results imports sim.report.plots"
    )
