"""Reading scenario YAML files safely, remembering where every value came from.

`load_yaml_document` reads one scenario file (and the files it ``extends``) and
returns a `LoadedYaml`: the plain data, the file/line/column of every key and
list item, and the list of files read. Every problem a planner can cause -- a
missing file, a binary file, a syntax error, a duplicate key, a Python tag, a
"billion laughs" alias bomb, an ``extends`` loop -- becomes a `ScenarioError`
with a plain-words message naming the file and line. Nothing in a file is ever
executed: only plain YAML values (text, numbers, true/false, dates, empty
values, lists and mappings) are accepted.

``extends`` rules (deep merge): the files named by ``extends`` (one name or a
list, relative to the file that names them, merged left to right) are loaded
first; then the child's top-level mapping is merged on top. Mappings merge key
by key, recursively; any other child value -- text, number or list -- replaces
the parent's value outright, and ``null`` deletes the key (so ``minor: null``
under a site's ``theatres`` removes the parent's theatre ``minor``, and an
optional setting goes back to its default). The ``extends`` key itself is
dropped from the result.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.scenario.errors import ScenarioError, format_path

__all__ = [
    "LoadedYaml",
    "Location",
    "ScenarioLoader",
    "load_yaml_document",
    "resolve_path",
    "MAX_FILE_BYTES",
    "MAX_LINE_CHARS",
    "MAX_EXPANDED_NODES",
    "MAX_EXTENDS_DEPTH",
]

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_LINE_CHARS = 100_000
MAX_EXPANDED_NODES = 1_000_000
MAX_EXTENDS_DEPTH = 20
# Extra location entries recorded under aliases (e.g. ``<<: *defaults``), in total.
_ALIAS_LOCATION_BUDGET = 100_000
_CHUNK = 1 << 16
_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")  # line breaks YAML knows besides \n

_T = "tag:yaml.org,2002:"
_MAP_TAG = _T + "map"
_SEQ_TAG = _T + "seq"
_MERGE_TAG = _T + "merge"
_NULL_TAG = _T + "null"
_VALUE_TAG = _T + "value"
_SCALAR_TAGS = frozenset(
    _T + t for t in ("null", "bool", "int", "float", "str", "timestamp", "merge", "value")
)
_CHECKED_SCALARS = {
    _T + "int": "a whole number",
    _T + "float": "a number",
    _T + "bool": "true or false",
    _T + "timestamp": "a date",
}


@dataclass(frozen=True)
class Location:
    """Where a key or list item is written: file (as given), 1-based line and column."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}"


@dataclass(frozen=True)
class LoadedYaml:
    """A scenario file's data plus the place of every key and list item.

    ``locations`` maps a path such as ``("sites", "sandwell", "beds")`` or
    ``("demand", 2)`` to the line of that key (or list item); ``()`` is the top
    of the file. ``files`` lists every file read, the named file first.
    """

    data: dict[Any, Any]
    locations: dict[tuple[Any, ...], Location]
    files: tuple[str, ...]

    def location_for(self, path: Sequence[Any]) -> Location | None:
        """Location of ``path``, or of its longest leading part that exists in the file."""
        path = tuple(path)
        for n in range(len(path), -1, -1):
            loc = self.locations.get(path[:n])
            if loc is not None:
                return loc
        return None


class ScenarioLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` that only knows plain YAML types (no binary, sets, omap)."""

    yaml_constructors = {
        tag: fn for tag, fn in yaml.SafeLoader.yaml_constructors.items() if tag in _SCALAR_TAGS
    }
    yaml_constructors[_MAP_TAG] = yaml.SafeLoader.yaml_constructors[_MAP_TAG]
    yaml_constructors[_SEQ_TAG] = yaml.SafeLoader.yaml_constructors[_SEQ_TAG]
    yaml_constructors[None] = yaml.SafeLoader.construct_undefined


def resolve_path(base_file: str | os.PathLike[str], relative: str | os.PathLike[str]) -> str:
    """Resolve ``relative`` against the folder of ``base_file`` (absolute paths stay as is).

    Relative inputs give relative results, e.g. ``resolve_path("scenarios/bc.yaml",
    "base.yaml") == "scenarios/base.yaml"``.
    """
    rel = os.fspath(relative)
    if os.path.isabs(rel):
        return os.path.normpath(rel)
    return os.path.normpath(os.path.join(os.path.dirname(os.fspath(base_file)), rel))


# ----------------------------------------------------------------------------
# Reading the bytes
# ----------------------------------------------------------------------------


def _read_text(file: str) -> str:
    """Read a file as text after checking it exists, is small and is UTF-8."""
    try:
        if os.path.isdir(file):
            raise ScenarioError.at("this is a folder, not a YAML file", file=file)
        size = os.path.getsize(file)
    except FileNotFoundError:
        raise ScenarioError.at(
            f"the file does not exist (looked for {os.path.abspath(file)})", file=file
        ) from None
    except OSError as exc:
        raise ScenarioError.at(f"the file cannot be opened ({exc.strerror})", file=file) from None
    if size > MAX_FILE_BYTES:
        raise ScenarioError.at(
            f"the file is {size / 1024 / 1024:.1f} MB; scenario files may be at most "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB (is this the right file?)",
            file=file,
        )
    chunks: list[bytes] = []
    total = 0
    try:
        with open(file, "rb") as fh:
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > MAX_FILE_BYTES:  # the file grew while we read it
                    raise ScenarioError.at(
                        f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; "
                        "scenario files must be smaller",
                        file=file,
                    )
                chunks.append(chunk)
    except OSError as exc:
        raise ScenarioError.at(f"the file cannot be read ({exc.strerror})", file=file) from None
    raw = b"".join(chunks)
    text = _decode(raw, file)
    # Linear scan (a regex such as [^\n]{100001} would be quadratic on long lines).
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_LINE_CHARS and max(map(len, _OTHER_BREAKS.split(line))) > MAX_LINE_CHARS:
            raise ScenarioError.at(
                f"this line is longer than {MAX_LINE_CHARS:,} characters; a scenario file "
                "should not need lines that long (is this the right file?)",
                file=file,
                line=number,
            )
    return text


def _not_text(raw: bytes, offset: int, file: str, why: str) -> ScenarioError:
    line = raw.count(b"\n", 0, offset) + 1
    return ScenarioError.at(
        f"not a text YAML file (byte 0x{raw[offset]:02x} at offset {offset} {why}); "
        "scenario files must be plain text saved as UTF-8",
        file=file,
        line=line,
    )


def _decode(raw: bytes, file: str) -> str:
    """Decode UTF-8 (or BOM-marked UTF-16), rejecting binary data clearly."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise ScenarioError.at(
                "not a text YAML file (it starts like UTF-16 text but is not); "
                "save it as UTF-8 text",
                file=file,
            ) from None
        if "\x00" in text:
            raise ScenarioError.at("not a text YAML file (it contains NUL characters)", file=file)
        return text
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    nul = raw.find(b"\x00")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if 0 <= nul < exc.start:
            raise _not_text(raw, nul, file, "is a NUL byte") from None
        raise ScenarioError.at(
            f"not a text YAML file (byte 0x{raw[exc.start]:02x} at offset {exc.start} is not "
            "UTF-8); if it is a text file, save it with UTF-8 encoding (characters such as "
            "£ or curly quotes pasted from Word or Excel often cause this)",
            file=file,
            line=raw.count(b"\n", 0, exc.start) + 1,
        ) from None
    if nul >= 0:
        raise _not_text(raw, nul, file, "is a NUL byte")
    return text


# ----------------------------------------------------------------------------
# Parsing and checking the node graph
# ----------------------------------------------------------------------------

_SYNTAX_HINTS: tuple[tuple[str, str], ...] = (
    ("'\\t'", "YAML does not allow tab characters here; indent with spaces only"),
    (
        "mapping values are not allowed",
        "this usually means a value contains ': ' and needs quotes, a space is missing "
        "after a ':' on an earlier line, or the line is indented more than it should be",
    ),
    (
        "could not find expected ':'",
        "a line is probably missing the ':' after its key, or a quote is not closed",
    ),
    ("did not find expected key", "this line's indentation does not line up with the lines above"),
    ("expected <block end>", "this line's indentation does not line up with the lines above"),
    ("did not find expected '-'", "this list item is not lined up with the other items"),
    ("found undefined alias", "'*name' must refer to an '&name' anchor defined earlier"),
    (
        "but found another document",
        "a scenario file holds exactly one document; remove the '---' line here "
        "or split the file in two",
    ),
    (
        "unexpected end of stream",
        "the file ends inside a quoted value or an unclosed bracket",
    ),
    ("expected ',' or ']'", "a [ ... ] list is not closed properly"),
    ("expected ',' or '}'", "a { ... } mapping is not closed properly"),
    (
        "unknown escape character",
        "inside double quotes a backslash starts an escape; use single quotes instead",
    ),
    (
        "cannot start any token",
        "values cannot start with this character; put the value in quotes",
    ),
    ("while scanning an alias", "'*' at the start of a value has a special meaning; use quotes"),
    ("while scanning an anchor", "'&' at the start of a value has a special meaning; use quotes"),
)


_TOKEN_WORDS = {
    "block end": "the end of the indented block",
    "block mapping start": "the start of a new mapping",
    "block sequence start": "the start of a new list",
    "block entry": "a list item",
    "scalar": "a value",
    "stream end": "the end of the file",
    "stream start": "the start of the file",
    "document start": "'---'",
    "document end": "'...'",
    "directive": "a '%' directive",
    "alias": "an alias",
    "anchor": "an anchor",
    "tag": "a tag",
}
_CONTEXT_WORDS = (
    ("block mapping", "mapping"),
    ("block collection", "block"),
    ("block node", "value"),
    ("flow sequence", "[ ] list"),
    ("flow mapping", "{ } mapping"),
    ("simple key", "key"),
    ("double-quoted scalar", "quoted text"),
    ("single-quoted scalar", "quoted text"),
    ("quoted scalar", "quoted text"),
    ("plain scalar", "value"),
    ("block scalar", "block of text"),
    ("flow node", "value"),
    ("end of stream", "end of the file"),
)


def _plain_words(text: str) -> str:
    """Replace PyYAML's token names such as '<block end>' with plain words."""
    text = re.sub(r"'?<([a-z ]+)>'?", lambda m: _TOKEN_WORDS.get(m.group(1), m.group(1)), text)
    text = re.sub(r"^while (parsing|scanning) an? ", "the ", text)
    for yaml_word, plain in _CONTEXT_WORDS:
        text = text.replace(yaml_word, plain)
    return text.replace("character '\\t'", "a tab character")


def _syntax_error(exc: yaml.MarkedYAMLError, file: str) -> ScenarioError:
    mark = exc.problem_mark or exc.context_mark
    both = f"{exc.context or ''} {exc.problem or ''}"
    if "but found another document" in both:
        text = "the file holds more than one YAML document"
    else:
        problem = exc.problem or exc.context or "the text could not be read as YAML"
        text = f"YAML syntax error: {_plain_words(problem)}"
        if exc.context and exc.problem and exc.context_mark is not None:
            text += (
                f" (in {_plain_words(exc.context)} that starts at line {exc.context_mark.line + 1})"
            )
    for needle, hint in _SYNTAX_HINTS:
        if needle in both:
            text += f". Hint: {hint}"
            break
    return ScenarioError.at(
        text,
        file=file,
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
    )


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_T) :] if tag.startswith(_T) else tag


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _key_label(node: Node) -> Any:
    return node.value if isinstance(node, ScalarNode) else "?"


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return "a value"


def _scalar_value(loader: ScenarioLoader, node: ScalarNode, file: str, field: str | None) -> Any:
    """Build a scalar's value, turning a bad ``!!int``/impossible date into a ScenarioError."""
    try:
        return loader.construct_object(node, deep=True)
    except Exception as exc:
        what = _CHECKED_SCALARS.get(node.tag, "a value")
        detail = f" ({exc})" if node.tag.endswith("timestamp") and str(exc) else ""
        raise ScenarioError.at(
            f"the value {node.value!r} cannot be read as {what}{detail}",
            file=file,
            line=_line(node),
            field=field,
        ) from None


def _check_node(loader: ScenarioLoader, node: Node, path: tuple[Any, ...], file: str) -> None:
    """Reject tags, bad scalars, complex keys and duplicate keys in one node."""
    field = format_path(path) or None
    tag = node.tag
    allowed = (
        tag in _SCALAR_TAGS
        if isinstance(node, ScalarNode)
        else tag == (_SEQ_TAG if isinstance(node, SequenceNode) else _MAP_TAG)
    )
    if not allowed:
        extra = " (nothing in the file was run)" if "python" in tag else ""
        raise ScenarioError.at(
            f"the YAML tag {_short_tag(tag)!r} is not allowed here; scenario files may only "
            f"contain plain values, lists and mappings{extra}",
            file=file,
            line=_line(node),
            field=field,
        )
    if isinstance(node, ScalarNode):
        if tag not in (_MERGE_TAG, _VALUE_TAG):  # only meaningful as keys, see below
            _scalar_value(loader, node, file, field)
        return
    if not isinstance(node, MappingNode):
        return
    first_seen: dict[Any, tuple[int, str]] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            raise ScenarioError.at(
                f"a key here is written as {_kind(key_node)}; keys must be simple names "
                "(check for a stray '?' or '[' at the start of the line)",
                file=file,
                line=_line(key_node),
                field=field,
            )
        if key_node.tag == _MERGE_TAG:
            targets = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            if not all(isinstance(t, MappingNode) for t in targets):
                raise ScenarioError.at(
                    "'<<' must be followed by an alias to a mapping, such as '<<: *defaults'",
                    file=file,
                    line=_line(key_node),
                    field=field,
                )
            continue
        # Compare keys as the data will hold them: `1:` and `yes:` (true) collide too.
        key = "=" if key_node.tag == _VALUE_TAG else _scalar_value(loader, key_node, file, field)
        if key in first_seen:
            first_line, first_text = first_seen[key]
            written = f", written there as {first_text!r}" if first_text != key_node.value else ""
            raise ScenarioError.at(
                f"duplicate key {key_node.value!r} (first at line {first_line}{written}); "
                "each key may appear only once in the same mapping",
                file=file,
                line=_line(key_node),
                field=format_path(path + (key_node.value,)),
            )
        first_seen[key] = (_line(key_node), key_node.value)


def _children(node: Node) -> list[tuple[Any, Node]]:
    if isinstance(node, MappingNode):
        out: list[tuple[Any, Node]] = []
        for k, v in node.value:
            out.append((None, k))
            out.append((_key_label(k), v))
        return out
    if isinstance(node, SequenceNode):
        return list(enumerate(node.value))
    return []


def _check_graph(loader: ScenarioLoader, root: Node, file: str) -> None:
    """Check every distinct node once and bound the size aliases expand to.

    Sizes are memoised by node identity, so the check takes time linear in the
    file even for an alias bomb; recursive aliases (an anchor used inside
    itself) are rejected too.
    """
    sizes: dict[int, int] = {}
    started: set[int] = set()
    stack: list[tuple[Node, tuple[Any, ...], bool]] = [(root, (), False)]
    distinct = 0
    while stack:
        node, path, finished = stack.pop()
        nid = id(node)
        if finished:
            started.discard(nid)
            total = 1 + sum(sizes[id(child)] for _, child in _children(node))
            sizes[nid] = total
            if total > MAX_EXPANDED_NODES:
                if distinct > MAX_EXPANDED_NODES:
                    problem = (
                        f"the file holds more than {MAX_EXPANDED_NODES:,} values; "
                        "it is too big to be a scenario"
                    )
                else:
                    problem = (
                        "aliases ('*name') expand too far: the data would grow to more than "
                        f"{MAX_EXPANDED_NODES:,} values (a 'billion laughs' file?)"
                    )
                raise ScenarioError.at(
                    problem, file=file, line=_line(node), field=format_path(path) or None
                )
            continue
        if nid in sizes:
            continue
        if nid in started:
            raise ScenarioError.at(
                "an alias ('*name') is used inside the very anchor ('&name') it refers to, "
                "which would make the data infinitely deep",
                file=file,
                line=_line(node),
                field=format_path(path) or None,
            )
        started.add(nid)
        distinct += 1
        _check_node(loader, node, path, file)
        stack.append((node, path, True))
        for label, child in reversed(_children(node)):
            if id(child) not in sizes:
                child_path = path if label is None else path + (label,)
                stack.append((child, child_path, False))


def _collect_locations(
    loader: ScenarioLoader, root: Node, file: str
) -> dict[tuple[Any, ...], Location]:
    """Map each key/item path to its line, visiting each node once.

    A node reached again through an alias is walked again only while a fixed
    budget lasts, so paths under ``<<: *defaults`` usually get the anchor's
    lines, and an alias bomb can never blow up memory.
    """

    def loc(node: Node) -> Location:
        return Location(file, node.start_mark.line + 1, node.start_mark.column + 1)

    locations: dict[tuple[Any, ...], Location] = {(): loc(root)}
    seen: set[int] = set()
    budget = _ALIAS_LOCATION_BUDGET
    stack: list[tuple[tuple[Any, ...], Node, bool]] = [((), root, False)]
    while stack:
        path, node, shared = stack.pop()
        if id(node) in seen:
            shared = True
        seen.add(id(node))
        if shared and budget <= 0:
            continue
        entries: list[tuple[tuple[Any, ...], Node, Node]] = []
        if isinstance(node, MappingNode):
            winners: dict[Any, tuple[Node, Node]] = {}
            for key_node, value_node in node.value:
                key = loader.construct_object(key_node, deep=True)
                winners.pop(key, None)  # the last occurrence wins, as in the data
                winners[key] = (key_node, value_node)
            entries = [(path + (k,), kn, vn) for k, (kn, vn) in winners.items()]
        elif isinstance(node, SequenceNode):
            entries = [(path + (i,), item, item) for i, item in enumerate(node.value)]
        for child_path, mark_node, _ in entries:
            if shared:
                budget -= 1
                if budget < 0:
                    break
            locations[child_path] = loc(mark_node)
        for child_path, _, child in reversed(entries):
            if isinstance(child, MappingNode | SequenceNode) and child_path in locations:
                stack.append((child_path, child, shared))
    return locations


def _parse_file(file: str) -> tuple[dict[Any, Any], dict[tuple[Any, ...], Location]]:
    """Read, parse and check one file (no ``extends`` handling)."""
    text = _read_text(file)
    loader: ScenarioLoader | None = None
    try:
        try:
            loader = ScenarioLoader(text)  # checks for forbidden characters first
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            raise _syntax_error(exc, file) from None
        except yaml.reader.ReaderError as exc:
            line = text.count("\n", 0, max(exc.position, 0)) + 1
            char = exc.character
            if isinstance(char, str) and char:
                char = ord(char)
            code = f"0x{char:02x}" if isinstance(char, int) else repr(char)
            raise ScenarioError.at(
                f"the file contains a control character ({code}) that YAML does not allow; "
                "is this a text file?",
                file=file,
                line=line,
            ) from None
        except yaml.YAMLError:
            raise ScenarioError.at("the file could not be read as YAML", file=file) from None
        except RecursionError:
            raise ScenarioError.at(
                "the file is nested too deeply to be a scenario", file=file
            ) from None

        if root is None or (
            isinstance(root, ScalarNode) and root.tag == _NULL_TAG and root.value in ("", "~")
        ):
            raise ScenarioError.at(
                "the file is empty; a scenario is a YAML mapping such as `name: ...`", file=file
            )
        if not isinstance(root, MappingNode):
            _check_node(loader, root, (), file)  # an unsafe tag is the real problem
            found = "a list" if isinstance(root, SequenceNode) else f"the value {root.value!r}"
            raise ScenarioError.at(
                f"the top level of a scenario file must be a mapping (lines such as "
                f"`name: ...`), but this file holds {found}",
                file=file,
                line=_line(root),
            )

        try:
            _check_graph(loader, root, file)
            data = loader.construct_document(root)
            locations = _collect_locations(loader, root, file)
        except yaml.MarkedYAMLError as exc:
            raise _syntax_error(exc, file) from None
        except RecursionError:
            raise ScenarioError.at(
                "the file is nested too deeply to be a scenario", file=file
            ) from None
        return data, locations
    finally:
        if loader is not None:
            loader.dispose()


# ----------------------------------------------------------------------------
# extends
# ----------------------------------------------------------------------------

_Result = tuple[dict[Any, Any], dict[tuple[Any, ...], Location], tuple[str, ...]]


def _extends_targets(
    value: Any, locations: dict[tuple[Any, ...], Location], file: str
) -> list[tuple[str, tuple[Any, ...]]]:
    if isinstance(value, str) and value.strip():
        return [(value.strip(), ("extends",))]
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return [(v.strip(), ("extends", i)) for i, v in enumerate(value)]
    loc = locations.get(("extends",))
    raise ScenarioError.at(
        f"expected the name of a scenario file to build on (or a list of names), got {value!r}",
        file=file,
        line=loc.line if loc else None,
        field="extends",
    )


def _deep_merge(
    parent: dict[Any, Any],
    child: dict[Any, Any],
    path: tuple[Any, ...],
    replaced: set,
    deleted: set,
) -> dict[Any, Any]:
    out = dict(parent)
    for key, child_value in child.items():
        parent_value = parent.get(key, _MISSING)
        if child_value is None:
            out.pop(key, None)
            replaced.add(path + (key,))
            deleted.add(path + (key,))
        elif isinstance(parent_value, dict) and isinstance(child_value, dict):
            out[key] = _deep_merge(parent_value, child_value, path + (key,), replaced, deleted)
        else:
            out[key] = child_value
            if parent_value is not _MISSING:
                replaced.add(path + (key,))
    return out


_MISSING = object()


def _merge_docs(
    parent: tuple[dict[Any, Any], dict[tuple[Any, ...], Location]],
    child: tuple[dict[Any, Any], dict[tuple[Any, ...], Location]],
) -> tuple[dict[Any, Any], dict[tuple[Any, ...], Location]]:
    """Deep-merge ``child`` onto ``parent``: data and locations alike."""
    replaced: set[tuple[Any, ...]] = set()
    deleted: set[tuple[Any, ...]] = set()
    data = _deep_merge(parent[0], child[0], (), replaced, deleted)
    locations = {
        p: loc
        for p, loc in parent[1].items()
        if not any(p[:n] in replaced for n in range(1, len(p)))
    }
    locations.update(child[1])
    for p in deleted:
        locations.pop(p, None)
    return data, locations


def _load_tree(file: str, chain: tuple[tuple[str, str], ...], cache: dict[str, _Result]) -> _Result:
    real = os.path.realpath(file)
    if real in cache:
        return cache[real]
    data, locations = _parse_file(file)
    if "extends" not in data:
        result: _Result = (data, locations, (file,))
        cache[real] = result
        return result

    here = chain + ((file, real),)
    files = [file]
    merged: tuple[dict[Any, Any], dict[tuple[Any, ...], Location]] | None = None
    for name, key_path in _extends_targets(data["extends"], locations, file):
        key_loc = locations.get(key_path) or locations.get(("extends",))
        line = key_loc.line if key_loc else None
        target = resolve_path(file, name)
        target_real = os.path.realpath(target)
        if any(r == target_real for _, r in here):
            loop = " -> ".join([d for d, _ in here] + [target])
            raise ScenarioError.at(
                f"the files extend each other in a loop: {loop}",
                file=file,
                line=line,
                field=format_path(key_path),
            )
        if len(here) >= MAX_EXTENDS_DEPTH:
            raise ScenarioError.at(
                f"'extends' goes more than {MAX_EXTENDS_DEPTH} files deep: "
                + " -> ".join([d for d, _ in here] + [target]),
                file=file,
                line=line,
                field=format_path(key_path),
            )
        if not os.path.isfile(target):
            what = "is a folder, not a file" if os.path.isdir(target) else "does not exist"
            raise ScenarioError.at(
                f"the file to extend, {name!r}, {what} (looked for {target})",
                file=file,
                line=line,
                field=format_path(key_path),
            )
        p_data, p_locs, p_files = _load_tree(target, here, cache)
        merged = (p_data, p_locs) if merged is None else _merge_docs(merged, (p_data, p_locs))
        files.extend(f for f in p_files if f not in files)

    own_data = {k: v for k, v in data.items() if k != "extends"}
    own_locs = {p: loc for p, loc in locations.items() if not (p and p[0] == "extends")}
    if merged is not None:
        own_data, own_locs = _merge_docs(merged, (own_data, own_locs))
    result = (own_data, own_locs, tuple(files))
    cache[real] = result
    return result


def load_yaml_document(path: str | os.PathLike[str]) -> LoadedYaml:
    """Load a scenario YAML file (following ``extends``) with the line of every value.

    Raises `ScenarioError` with a planner-readable message for any problem.
    """
    file = os.fspath(path)
    data, locations, files = _load_tree(file, (), {})
    return LoadedYaml(data=_unshared(data), locations=locations, files=files)


def _unshared(value: Any) -> Any:
    """Copy lists and mappings so that no two places share one object.

    YAML aliases (and a file extended twice) make the same object appear at
    several paths; a plain tree means changing one place never changes another.
    """
    if isinstance(value, dict):
        return {k: _unshared(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unshared(v) for v in value]
    return value
