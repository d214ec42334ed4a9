"""Uploaded scenario files: each upload in its own folder, and nothing outside it read.

A scenario file may name other files: the files it ``extends``, the waiting-list CSV and
the spreadsheets of demand, sessions and beds (``from_file``). For an uploaded scenario
every such name must resolve inside the folder the upload was saved to: ``extends: /etc/passwd`` or
``extends: ../other.yaml`` is refused *before* anything is read, with the file, line and
field as in every scenario error. Every YAML file of the upload is checked, so a base file
uploaded beside the scenario is held to the same rule.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

import sim
from sim.scenario.errors import format_path
from sim.scenario.yamlio import ScenarioLoader, resolve_path

YAML_SUFFIXES = (".yaml", ".yml")
#: Keys whose text names a file, and the endings of text that names one.
FILE_KEYS = frozenset({"extends", "csv", "from_file", "xlsx", "file", "path", "sheet_file"})
FILE_ENDINGS = (".yaml", ".yml", ".csv", ".xlsx", ".xls", ".xlsm")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
_SAFE = re.compile(r"[^A-Za-z0-9._ -]")


def safe_name(name: str) -> str:
    """An uploaded file's own name, without folders and odd characters."""
    base = _SAFE.sub("_", Path(name.replace("\\", "/")).name).strip(" .")
    return base or "upload.yaml"


def save_uploads(files: Iterable[tuple[str, bytes]], root: str | os.PathLike[str]) -> Path:
    """Write uploaded (name, content) pairs to a new folder of their own under ``root``.

    The folder is named after the contents, so uploading the same files again reuses it.
    """
    files = [(safe_name(n), c) for n, c in files]
    digest = hashlib.sha256()
    for name, content in sorted(files):
        if len(content) > MAX_UPLOAD_BYTES:
            raise sim.ScenarioError.at(
                f"the file is {len(content) / 1024 / 1024:.1f} MB; uploads may be at most "
                f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB",
                file=name,
            )
        digest.update(name.encode() + b"\0" + content + b"\0")
    folder = Path(root) / "uploads" / digest.hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files:
        (folder / name).write_bytes(content)
    return folder


def _inside(folder: Path, target: str) -> bool:
    real = os.path.realpath(target)
    top = os.path.realpath(folder)
    return os.path.commonpath([real, top]) == top and real != top


def _names_a_file(key: Any, value: str) -> bool:
    return key in FILE_KEYS or value.strip().lower().endswith(FILE_ENDINGS)


def _file_references(node: Node, key: Any = None, path: tuple = ()):
    """(field path, text, line) of every value in a YAML node tree that names a file."""
    if isinstance(node, ScalarNode):
        if isinstance(node.value, str) and node.value.strip() and _names_a_file(key, node.value):
            yield path, node.value.strip(), node.start_mark.line + 1
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            yield from _file_references(item, key, (*path, i))
    elif isinstance(node, MappingNode):
        for k, v in node.value:
            name = k.value if isinstance(k, ScalarNode) else "?"
            yield from _file_references(v, name, (*path, name))


def confinement_problems(folder: str | os.PathLike[str]) -> list[str]:
    """Every file name in the upload's YAML files that resolves outside ``folder``."""
    folder = Path(folder)
    problems = []
    for file in sorted(folder.iterdir()):
        if file.suffix.lower() not in YAML_SUFFIXES or not file.is_file():
            continue
        try:
            root = yaml.compose(file.read_text(encoding="utf-8"), Loader=ScenarioLoader)
        except (yaml.YAMLError, UnicodeDecodeError, RecursionError):
            continue  # not readable: loading it says why, with the line
        if root is None:
            continue
        for path, name, line in _file_references(root):
            target = resolve_path(str(file), name)
            if _inside(folder, target):
                continue
            problems.append(
                sim.ScenarioError.at(
                    f"{name!r} is outside this upload: an uploaded scenario can only use "
                    f"files uploaded with it, named by their file name (upload "
                    f"'{safe_name(name)}' together with '{file.name}' and write "
                    f"'{safe_name(name)}')",
                    file=file.name,
                    line=line,
                    field=format_path(path),
                ).message
            )
    return problems


def load_upload(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> sim.Scenario:
    """Load an uploaded scenario after checking that it names no file outside ``folder``.

    Messages name files as the planner uploaded them (``my_hubs.yaml, line 3, ...``).
    """
    folder = Path(folder)
    problems = confinement_problems(folder)
    if problems:
        message = "\n\n".join(problems)
        if len(problems) > 1:
            message = f"Found {len(problems)} problems in the scenario:\n\n{message}"
        raise sim.ScenarioError(message, problems=problems)
    try:
        return sim.load_scenario(path)
    except sim.ScenarioError as err:
        prefix = str(folder) + os.sep
        problems = [p.replace(prefix, "") for p in err.problems]
        raise sim.ScenarioError(
            err.message.replace(prefix, ""),
            file=Path(err.file).name if err.file else None,
            line=err.line,
            field=err.field,
            problems=problems,
        ) from None
