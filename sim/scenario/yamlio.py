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
import contextlib
import gc
import json
import os
import re
import stat
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.scenario.errors import ScenarioError, format_path
from sim.text import shown

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
    "NotAScenarioFile",
    "decode_text",
    "gc_paused",
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


@dataclass(frozen=True, slots=True)
class Location:
    """Where a key or list item is written: file (as given), 1-based line and column.

    A key that a mapping takes from an anchor through ``<<: *name`` is placed at the
    ``<<`` line of that mapping (where the planner merged it); ``merged_from`` is then
    its line inside the anchor.
    """

    file: str
    line: int
    column: int
    merged_from: int | None = None

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}"


#: Lists of plain values longer than this keep their items' lines compactly.
_COMPACT_LIST = 1000


@dataclass(frozen=True, slots=True)
class _ItemLines:
    """The lines and columns of a long list's items (a 700,000-value empirical distribution
    would otherwise hold 700,000 `Location` objects)."""

    file: str
    lines: array
    columns: array
    via: Location | None

    def at(self, i: int) -> Location:
        if self.via is None:
            return Location(self.file, self.lines[i], self.columns[i])
        return Location(self.file, self.via.line, self.via.column, merged_from=self.lines[i])


class Locations(dict):
    """Path -> `Location`; items of long lists of plain values are kept compactly in
    ``lists`` and found by `get` like any other path."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lists: dict[tuple[Any, ...], _ItemLines] = {}

    def get(self, path: Any, default: Any = None) -> Any:
        loc = dict.get(self, path)
        if loc is not None:
            return loc
        if self.lists and path and type(path[-1]) is int:
            items = self.lists.get(path[:-1])
            if items is not None and 0 <= path[-1] < len(items.lines):
                return items.at(path[-1])
        return default

    def __getitem__(self, path: Any) -> Location:
        loc = self.get(path)
        if loc is None:
            raise KeyError(path)
        return loc

    def __contains__(self, path: object) -> bool:
        return self.get(path) is not None


@dataclass(frozen=True)
class LoadedYaml:
    """A scenario file's data plus the place of every key and list item.

    ``locations`` maps a path such as ``("sites", "sandwell", "beds")`` or
    ``("demand", 2)`` to the line of that key (or list item); ``()`` is the top
    of the file. ``files`` lists every file read, the named file first.
    """

    data: dict[Any, Any]
    locations: Locations
    files: tuple[str, ...]
    removed: dict[tuple[Any, ...], Location] = field(default_factory=dict)
    """Inherited keys a file deleted with ``key: null``, and where it did so."""

    def location_for(self, path: Sequence[Any]) -> Location | None:
        """Location of ``path``, or of its longest leading part that exists in the file."""
        path = tuple(path)
        for n in range(len(path), -1, -1):
            loc = self.locations.get(path[:n])
            if loc is not None:
                return loc
        return None


_CONSTRUCTORS = {
    tag: fn for tag, fn in yaml.SafeLoader.yaml_constructors.items() if tag in _SCALAR_TAGS
}
_CONSTRUCTORS[_MAP_TAG] = yaml.SafeLoader.yaml_constructors[_MAP_TAG]
_CONSTRUCTORS[_SEQ_TAG] = yaml.SafeLoader.yaml_constructors[_SEQ_TAG]
# '<<' and '=' mean something only as keys; as a value they are the text the planner wrote.
_CONSTRUCTORS[_MERGE_TAG] = yaml.SafeLoader.construct_yaml_str
_CONSTRUCTORS[_VALUE_TAG] = yaml.SafeLoader.construct_yaml_str
_CONSTRUCTORS[None] = yaml.SafeLoader.construct_undefined


class ScenarioLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` that only knows plain YAML types (no binary, sets, omap)."""

    yaml_constructors = _CONSTRUCTORS


if yaml.__with_libyaml__:

    class _FastLoader(yaml.CSafeLoader):
        """The same, parsed by LibYAML (C): several times faster on large files."""

        yaml_constructors = _CONSTRUCTORS

else:  # pragma: no cover - PyYAML built without LibYAML
    _FastLoader = None  # type: ignore[assignment,misc]


class NotAScenarioFile(ScenarioError):
    """The file is not a scenario at all (missing, binary, another encoding, empty, not a
    mapping): when another file ``extends`` it, the ``extends`` line is to blame."""


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a scenario is read and checked.

    Reading builds millions of small objects and no reference cycles; the collector
    would otherwise scan them again and again (half the time for a large file).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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


class NotARegularFile(OSError):
    """A path that names a named pipe, a device or a socket, not a file."""


def _special_kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def not_a_file(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot be read as a file (``"does not exist"``, ``"is a folder, not a
    file"``, ``"is a named pipe (FIFO), not a file"``), or None when it is a file."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "does not exist"
    except OSError as exc:
        return f"cannot be opened ({exc.strerror})"
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    kind = _special_kind(mode)
    return None if kind is None else f"is {kind}, not a file"


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open ``path`` for reading only if it is a regular file.

    A named pipe would block until something writes to it and a device (``/dev/zero``)
    never ends, so both are refused before reading a byte: the file is opened without
    waiting (``O_NONBLOCK``) and checked with ``fstat``, which also closes the gap between
    checking a name and opening it. Raises `NotARegularFile` naming what it is.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        kind = _special_kind(os.fstat(fd).st_mode)
        if kind is not None:
            raise NotARegularFile(f"this is {kind}, not a file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _read_text(file: str) -> str:
    """Read a file as text after checking it exists, is small and is UTF-8."""
    try:
        if os.path.isdir(file):
            raise NotAScenarioFile.at("this is a folder, not a YAML file", file=file)
        size = os.path.getsize(file)
    except FileNotFoundError:
        raise NotAScenarioFile.at(
            f"the file does not exist (looked for {os.path.abspath(file)})", file=file
        ) from None
    except OSError as exc:
        raise NotAScenarioFile.at(
            f"the file cannot be opened ({exc.strerror})", file=file
        ) from None
    if size > MAX_FILE_BYTES:
        raise NotAScenarioFile.at(
            f"the file is {size / 1024 / 1024:.1f} MB; scenario files may be at most "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB (is this the right file?)",
            file=file,
        )
    chunks: list[bytes] = []
    total = 0
    try:
        with open_regular(file) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > MAX_FILE_BYTES:  # the file grew while we read it
                    raise NotAScenarioFile.at(
                        f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; "
                        "scenario files must be smaller",
                        file=file,
                    )
                chunks.append(chunk)
    except NotARegularFile as exc:
        raise NotAScenarioFile.at(f"{exc}; give a YAML file", file=file) from None
    except OSError as exc:
        raise NotAScenarioFile.at(f"the file cannot be read ({exc.strerror})", file=file) from None
    raw = b"".join(chunks)
    text = decode_text(raw, file)
    # Linear scan (a regex such as [^\n]{100001} would be quadratic on long lines).
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_LINE_CHARS and max(map(len, _OTHER_BREAKS.split(line))) > MAX_LINE_CHARS:
            raise NotAScenarioFile.at(
                f"this line is longer than {MAX_LINE_CHARS:,} characters; a scenario file "
                "should not need lines that long (is this the right file?)",
                file=file,
                line=number,
            )
    return text


_SAVE_AS_UTF8 = "save it as UTF-8 text (in most editors: Save As, then Encoding: UTF-8)"

#: Byte-order marks and the NUL patterns of text saved as UTF-16 or UTF-32 without one.
_WIDE_ENCODINGS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
)
_WIDE_PATTERNS: tuple[tuple[re.Pattern[bytes], str], ...] = (
    (re.compile(rb"[\t\n\r\x20-\x7e]\x00\x00\x00"), "UTF-32"),
    (re.compile(rb"\x00\x00\x00[\t\n\r\x20-\x7e]"), "UTF-32"),
    (re.compile(rb"[\t\n\r\x20-\x7e]\x00[\t\n\r\x20-\x7e]\x00"), "UTF-16"),
    (re.compile(rb"\x00[\t\n\r\x20-\x7e]\x00[\t\n\r\x20-\x7e]"), "UTF-16"),
)


def _not_text(raw: bytes, offset: int, file: str, why: str, kind: str) -> ScenarioError:
    line = raw.count(b"\n", 0, offset) + 1
    return NotAScenarioFile.at(
        f"not a text {kind} file (byte 0x{raw[offset]:02x} at offset {offset} {why}); "
        f"{kind} files must be plain text saved as UTF-8",
        file=file,
        line=line,
    )


def decode_text(raw: bytes, file: str, kind: str = "YAML") -> str:
    """Decode UTF-8 (or BOM-marked UTF-16), rejecting binary data and other encodings clearly.

    ``kind`` names the file in messages ("YAML", "CSV"). Text saved as UTF-32, or as
    UTF-16 without a byte-order mark, is refused with how to save it as UTF-8; so is text
    in a legacy encoding (Latin-1, Windows-1252), with the line of the first bad byte.
    """
    for bom, name in _WIDE_ENCODINGS:
        if raw.startswith(bom):
            raise NotAScenarioFile.at(
                f"the file is saved as {name} text; {_SAVE_AS_UTF8}", file=file
            )
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise NotAScenarioFile.at(
                f"not a text {kind} file (it starts like UTF-16 text but is not); {_SAVE_AS_UTF8}",
                file=file,
            ) from None
        if "\x00" in text:
            raise NotAScenarioFile.at(
                f"not a text {kind} file (it contains NUL characters)", file=file
            )
        return text
    for pattern, name in _WIDE_PATTERNS:
        if pattern.match(raw[:4]):
            raise NotAScenarioFile.at(
                f"the file looks like {name} text (every character takes "
                f"{2 if name == 'UTF-16' else 4} bytes); {_SAVE_AS_UTF8}",
                file=file,
            )
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    nul = raw.find(b"\x00")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if 0 <= nul < exc.start:
            raise _not_text(raw, nul, file, "is a NUL byte", kind) from None
        raise NotAScenarioFile.at(
            f"not a text {kind} file (byte 0x{raw[exc.start]:02x} at offset {exc.start} is not "
            "UTF-8); if it is a text file, save it with UTF-8 encoding (characters such as "
            "£ or curly quotes pasted from Word or Excel often cause this)",
            file=file,
            line=raw.count(b"\n", 0, exc.start) + 1,
        ) from None
    if nul >= 0:
        raise _not_text(raw, nul, file, "is a NUL byte", kind)
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


_STR_TAG = _T + "str"
_INT_TAG = _T + "int"
_FLOAT_TAG = _T + "float"
_TIMESTAMP_TAG = _T + "timestamp"
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE
#: Whole numbers YAML 1.1 reads in another base; a planner means decimal (``010`` is 8!).
_OTHER_BASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[-+]?0b[0-1_]+"), "binary"),
    (re.compile(r"[-+]?0x[0-9a-fA-F_]+"), "hexadecimal"),
    (re.compile(r"[-+]?0[0-7_]+"), "octal"),
    (re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"), "base-60"),
)


def _number_form_problem(node: ScalarNode, value: Any) -> str | None:
    """Why a number written in a base other than 10 is refused, or None if it is decimal."""
    text = node.value
    form = next((form for pattern, form in _OTHER_BASES if pattern.fullmatch(text)), None)
    if form is None:
        return None
    if form == "octal":
        sign = text[0] if text[0] in "+-" else ""
        decimal = sign + (text.lstrip("+-").replace("_", "").lstrip("0") or "0")
        return (
            f"the number {text} starts with a zero, so YAML reads it as an octal number "
            f"({value}); write {decimal} without the leading zero (or put the value in quotes "
            "if it is text)"
        )
    if form == "base-60":
        return (
            f"YAML reads {text} as a base-60 number ({value}); write a time as a duration such "
            "as '8.5 hours' or '510 min', or put the value in quotes if it is text"
        )
    return (
        f"the number {text} is written in {form}, which YAML reads as {value}; write numbers "
        "in decimal (or put the value in quotes if it is text)"
    )


def _scalar_value(loader: ScenarioLoader, node: ScalarNode, file: str, field: str | None) -> Any:
    """Build a scalar's value, turning a bad number or an impossible date into a ScenarioError."""
    try:
        value = loader.construct_object(node, deep=True)
    except Exception as exc:
        text = node.value
        if node.tag == _INT_TAG and len(text) > 100:
            problem = (
                f"the number {text[:20]}… has {len(text):,} digits; no value in a "
                "scenario needs that many"
            )
        else:
            what = _CHECKED_SCALARS.get(node.tag, "a value")
            detail = f" ({exc})" if node.tag == _TIMESTAMP_TAG and str(exc) else ""
            problem = f"the value {shown(text)} cannot be read as {what}{detail}"
        raise ScenarioError.at(problem, file=file, line=_line(node), field=field) from None
    if node.tag in (_INT_TAG, _FLOAT_TAG):
        problem = _number_form_problem(node, value)
        if problem is not None:
            raise ScenarioError.at(problem, file=file, line=_line(node), field=field)
    return value


#: A path to a node, built only when a message needs it: (label, parent trail) or None.
_Trail = tuple[Any, Any] | None


def _path(trail: _Trail) -> tuple[Any, ...]:
    parts: list[Any] = []
    while trail is not None:
        label, trail = trail
        parts.append(label)
    return tuple(reversed(parts))


def _field(trail: _Trail) -> str | None:
    return format_path(_path(trail)) or None


def _tag_problem(node: Node) -> str | None:
    tag = node.tag
    if isinstance(node, ScalarNode):
        allowed = tag in _SCALAR_TAGS
    else:
        allowed = tag == (_SEQ_TAG if isinstance(node, SequenceNode) else _MAP_TAG)
    if allowed:
        return None
    extra = " (nothing in the file was run)" if "python" in tag else ""
    return (
        f"the YAML tag {_short_tag(tag)!r} is not allowed here; scenario files may only "
        f"contain plain values, lists and mappings{extra}"
    )


def _check_scalar(loader: ScenarioLoader, node: ScalarNode, trail: _Trail, file: str) -> None:
    """Reject a tag, a number in another base or an unreadable value in one scalar."""
    if node.tag == _STR_TAG:  # the common case: nothing can be wrong with text
        return
    problem = _tag_problem(node)
    if problem is not None:
        raise ScenarioError.at(problem, file=file, line=_line(node), field=_field(trail))
    if node.tag in _CHECKED_SCALARS:
        _scalar_value(loader, node, file, _field(trail))


def _check_node(loader: ScenarioLoader, node: Node, path: tuple[Any, ...], file: str) -> None:
    """Check one node on its own (the top of a file that is not a mapping)."""
    trail: _Trail = None
    for part in path:
        trail = (part, trail)
    if isinstance(node, ScalarNode):
        _check_scalar(loader, node, trail, file)
    else:
        problem = _tag_problem(node)
        if problem is not None:
            raise ScenarioError.at(problem, file=file, line=_line(node), field=_field(trail))


#: Mappings that merge others with ``<<``: id -> (where the ``<<`` is, ids of own key nodes).
_Merges = dict[int, tuple[Location, frozenset[int]]]


def _check_mapping(
    loader: ScenarioLoader,
    node: MappingNode,
    trail: _Trail,
    file: str,
    sizes: dict[int, int],
    merges: _Merges,
) -> None:
    """Reject complex keys, bad '<<' merges and duplicate keys in one mapping."""
    first_seen: dict[Any, tuple[int, str]] = {}
    merge_at: Location | None = None
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            raise ScenarioError.at(
                f"a key here is written as {_kind(key_node)}; keys must be simple names "
                "(check for a stray '?' or '[' at the start of the line)",
                file=file,
                line=_line(key_node),
                field=_field(trail),
            )
        sizes[id(key_node)] = 1
        if key_node.tag == _MERGE_TAG:
            targets = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            if not all(isinstance(t, MappingNode) for t in targets):
                raise ScenarioError.at(
                    "'<<' must be followed by an alias to a mapping, such as '<<: *defaults'",
                    file=file,
                    line=_line(key_node),
                    field=_field(trail),
                )
            if merge_at is None:
                mark = key_node.start_mark
                merge_at = Location(file, mark.line + 1, mark.column + 1)
            continue
        if key_node.tag == _STR_TAG:
            key: Any = key_node.value
        elif key_node.tag == _VALUE_TAG:
            key = "="
        else:
            problem = _tag_problem(key_node)
            if problem is not None:
                raise ScenarioError.at(
                    problem, file=file, line=_line(key_node), field=_field(trail)
                )
            # Compare keys as the data will hold them: `1:` and `yes:` (true) collide too.
            key = _scalar_value(loader, key_node, file, _field(trail))
        if key in first_seen:
            first_line, first_text = first_seen[key]
            written = f", written there as {first_text!r}" if first_text != key_node.value else ""
            raise ScenarioError.at(
                f"duplicate key {shown(key_node.value)} (first at line {first_line}{written}); "
                "each key may appear only once in the same mapping",
                file=file,
                line=_line(key_node),
                field=format_path(_path(trail) + (key_node.value,)),
            )
        first_seen[key] = (_line(key_node), key_node.value)
    if merge_at is not None:
        merges[id(node)] = (merge_at, frozenset(id(k) for k, _ in node.value))


def _too_big(node: Node, trail: _Trail, file: str, distinct: int) -> ScenarioError:
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
    return ScenarioError.at(problem, file=file, line=_line(node), field=_field(trail))


def _check_graph(loader: ScenarioLoader, root: Node, file: str, merges: _Merges) -> None:
    """Check every distinct node once and bound the size aliases expand to.

    Sizes are memoised by node identity, so the check takes time linear in the
    file even for an alias bomb; recursive aliases (an anchor used inside
    itself) are rejected too. Mappings that merge others (``<<``) are noted in
    ``merges``. Paths are only spelt out for a message.
    """
    sizes: dict[int, int] = {}
    started: set[int] = set()
    stack: list[tuple[Node, _Trail, bool]] = [(root, None, False)]
    distinct = 0
    while stack:
        node, trail, finished = stack.pop()
        nid = id(node)
        if finished:
            started.discard(nid)
            if isinstance(node, MappingNode):
                total = 1 + sum(sizes[id(k)] + sizes[id(v)] for k, v in node.value)
            else:
                total = 1 + sum(sizes[id(c)] for c in node.value)
            sizes[nid] = total
            if total > MAX_EXPANDED_NODES:
                raise _too_big(node, trail, file, distinct)
            continue
        if nid in sizes:
            continue
        if nid in started:
            raise ScenarioError.at(
                "an alias ('*name') is used inside the very anchor ('&name') it refers to, "
                "which would make the data infinitely deep",
                file=file,
                line=_line(node),
                field=_field(trail),
            )
        distinct += 1
        if isinstance(node, ScalarNode):
            _check_scalar(loader, node, trail, file)
            sizes[nid] = 1
            continue
        problem = _tag_problem(node)
        if problem is not None:
            raise ScenarioError.at(problem, file=file, line=_line(node), field=_field(trail))
        started.add(nid)
        stack.append((node, trail, True))
        if isinstance(node, MappingNode):
            _check_mapping(loader, node, trail, file, sizes, merges)
            children = [(_key_label(k), v) for k, v in node.value]
        else:
            children = list(enumerate(node.value))
        for label, child in reversed(children):
            if id(child) in sizes:
                continue
            if isinstance(child, ScalarNode):
                distinct += 1
                _check_scalar(loader, child, (label, trail), file)
                sizes[id(child)] = 1
            else:
                stack.append((child, (label, trail), False))


def _collect_locations(
    loader: ScenarioLoader, root: Node, file: str, merges: _Merges
) -> Locations:
    """Map each key/item path to its line, visiting each node once.

    A node reached again through an alias is walked again only while a fixed
    budget lasts, so paths under ``*defaults`` usually get the anchor's
    lines, and an alias bomb can never blow up memory. Keys a mapping takes
    from ``<<: *defaults`` are placed at its ``<<`` line (see `Location`).
    Runs after the data is built, when merged keys are part of each mapping.
    """

    def loc(node: Node, via: Location | None) -> Location:
        mark = node.start_mark
        if via is None:
            return Location(file, mark.line + 1, mark.column + 1)
        return Location(file, via.line, via.column, merged_from=mark.line + 1)

    locations = Locations({(): loc(root, None)})
    seen: set[int] = set()
    budget = _ALIAS_LOCATION_BUDGET
    stack: list[tuple[tuple[Any, ...], Node, bool, Location | None]] = [((), root, False, None)]
    while stack:
        path, node, shared, via = stack.pop()
        if id(node) in seen:
            shared = True
        seen.add(id(node))
        if shared and budget <= 0:
            continue
        entries: list[tuple[tuple[Any, ...], Node, Node, Location | None]] = []
        if isinstance(node, MappingNode):
            merge = merges.get(id(node))
            winners: dict[Any, tuple[Node, Node, Location | None]] = {}
            for key_node, value_node in node.value:
                if key_node.tag == _STR_TAG:
                    key = key_node.value
                else:
                    key = loader.construct_object(key_node, deep=True)
                child_via = via
                if child_via is None and merge is not None and id(key_node) not in merge[1]:
                    child_via = merge[0]
                winners.pop(key, None)  # the last occurrence wins, as in the data
                winners[key] = (key_node, value_node, child_via)
            entries = [(path + (k,), kn, vn, v) for k, (kn, vn, v) in winners.items()]
        elif isinstance(node, SequenceNode):
            items = node.value
            if len(items) > _COMPACT_LIST and all(isinstance(i, ScalarNode) for i in items):
                if shared:
                    budget -= len(items)
                locations.lists[path] = _ItemLines(
                    file,
                    array("i", [i.start_mark.line + 1 for i in items]),
                    array("i", [i.start_mark.column + 1 for i in items]),
                    via,
                )
                continue
            entries = [(path + (i,), item, item, via) for i, item in enumerate(items)]
        for child_path, mark_node, _, child_via in entries:
            if shared or child_via is not None:
                budget -= 1
                if budget < 0:
                    break
            locations[child_path] = loc(mark_node, child_via)
        for child_path, _, child, child_via in reversed(entries):
            if isinstance(child, MappingNode | SequenceNode) and child_path in locations:
                stack.append((child_path, child, shared, child_via))
    return locations


def _json_with_tabs(text: str) -> str:
    """Valid JSON indented with tabs, made readable for YAML (which refuses tab indents).

    In valid JSON a tab can only be white space between tokens (inside a string it must be
    written ``\\t``), so each becomes a space: lines and columns stay the same.
    """
    if "\t" not in text or not text.lstrip().startswith(("{", "[")):
        return text
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return text
    return text.replace("\t", " ")


def _compose(text: str) -> tuple[ScenarioLoader, Node | None]:
    """Parse ``text`` into a node graph, with LibYAML when it can.

    LibYAML (C) is used first; if it refuses the text, PyYAML parses it again, so every
    message (and every file accepted) is PyYAML's.
    """
    if _FastLoader is not None and not _NON_PRINTABLE.search(text):
        fast = _FastLoader(text)
        try:
            return fast, fast.get_single_node()  # type: ignore[return-value]
        except (yaml.YAMLError, RecursionError):
            fast.dispose()
    loader = ScenarioLoader(text)  # checks for forbidden characters first
    try:
        return loader, loader.get_single_node()
    except BaseException:
        loader.dispose()
        raise


def _top_level_found(root: Node) -> str:
    if isinstance(root, SequenceNode):
        return "a list"
    value = str(root.value)
    if len(value) <= 40 and "\n" not in value:
        return f"the value {value!r}"
    return f"one text value of {len(value):,} characters, not keys and values"


def parse_yaml_file(
    file: str, what: str, expected: str
) -> tuple[dict[Any, Any], dict[tuple[Any, ...], Location]]:
    """One YAML mapping read with every guard of the scenario loader (size, encoding,
    regular file, safe tags, alias bombs), with the line of each path; no ``extends``.

    ``what`` names the kind of file (``"a grid file"``) and ``expected`` says what it
    holds, for the message when it is empty or holds no mapping. Raises `ScenarioError`.
    """
    return _parse_file(file, what, expected)


def _parse_file(
    file: str,
    what: str = "a scenario file",
    expected: str = "a scenario is a YAML mapping such as `name: ...`",
) -> tuple[dict[Any, Any], dict[tuple[Any, ...], Location]]:
    """Read, parse and check one file (no ``extends`` handling)."""
    text = _json_with_tabs(_read_text(file))
    try:
        loader, root = _compose(text)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, file) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        char = exc.character
        if isinstance(char, str) and char:
            char = ord(char)
        code = f"0x{char:02x}" if isinstance(char, int) else repr(char)
        raise NotAScenarioFile.at(
            f"the file contains a control character ({code}) that YAML does not allow; "
            "is this a text file?",
            file=file,
            line=line,
        ) from None
    except yaml.YAMLError:
        raise NotAScenarioFile.at("the file could not be read as YAML", file=file) from None
    except RecursionError:
        raise NotAScenarioFile.at(
            "the file is nested too deeply to be a scenario", file=file
        ) from None
    try:
        if root is None or (
            isinstance(root, ScalarNode) and root.tag == _NULL_TAG and root.value in ("", "~")
        ):
            raise NotAScenarioFile.at(f"the file is empty; {expected}", file=file)
        if not isinstance(root, MappingNode):
            _check_node(loader, root, (), file)  # an unsafe tag is the real problem
            raise NotAScenarioFile.at(
                f"the top level of {what} must be a mapping (lines such as `name: ...`), "
                f"but this file holds {_top_level_found(root)}"
                if what == "a scenario file"
                else f"the top level of {what} must be a mapping, but this file holds "
                f"{_top_level_found(root)}; {expected}",
                file=file,
                line=_line(root),
            )

        merges: _Merges = {}
        try:
            _check_graph(loader, root, file, merges)
            data = loader.construct_document(root)
            locations = _collect_locations(loader, root, file, merges)
        except yaml.MarkedYAMLError as exc:
            raise _syntax_error(exc, file) from None
        except RecursionError:
            raise ScenarioError.at(
                "the file is nested too deeply to be a scenario", file=file
            ) from None
        return data, locations
    finally:
        loader.dispose()


# ----------------------------------------------------------------------------
# extends
# ----------------------------------------------------------------------------

_Locations = dict[tuple[Any, ...], Location]


def _keep(locations: Locations, keep: Any, keep_list: Any = None) -> Locations:
    """The locations whose path passes ``keep`` (long lists: ``keep_list``, default ``keep``)."""
    out = Locations({p: loc for p, loc in locations.items() if keep(p)})
    keep_list = keep if keep_list is None else keep_list
    out.lists = {p: items for p, items in locations.lists.items() if keep_list(p)}
    return out


@dataclass
class _Doc:
    """A file's data merged with what it extends: data, locations, files, deletions."""

    data: dict[Any, Any]
    locations: Locations
    files: tuple[str, ...]
    removed: _Locations


def _extends_targets(
    value: Any, locations: _Locations, file: str
) -> list[tuple[str, tuple[Any, ...]]]:
    if isinstance(value, str) and value.strip():
        return [(value.strip(), ("extends",))]
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return [(v.strip(), ("extends", i)) for i, v in enumerate(value)]
    loc = locations.get(("extends",))
    raise ScenarioError.at(
        "expected the name of a scenario file to build on (or a list of names), "
        f"got {shown(value)}",
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


def _merge_docs(parent: _Doc, child: _Doc) -> _Doc:
    """Deep-merge ``child`` onto ``parent``: data, locations and deletions alike."""
    replaced: set[tuple[Any, ...]] = set()
    deleted: set[tuple[Any, ...]] = set()
    data = _deep_merge(parent.data, child.data, (), replaced, deleted)
    locations = _keep(
        parent.locations,
        lambda p: not any(p[:n] in replaced for n in range(1, len(p))),
        lambda p: not any(p[:n] in replaced for n in range(1, len(p) + 1)),
    )
    locations.update(child.locations)
    locations.lists.update(child.locations.lists)
    removed = {p: loc for p, loc in parent.removed.items() if p not in child.locations}
    removed.update(child.removed)
    for p in deleted:
        where = locations.pop(p, None)
        if where is not None:
            removed[p] = where
    files = parent.files + tuple(f for f in child.files if f not in parent.files)
    return _Doc(data, locations, files, removed)


def _load_tree(
    file: str,
    chain: tuple[tuple[str, str], ...],
    cache: dict[str, _Doc],
    named_at: tuple[str, str, int | None, str] | None = None,
) -> _Doc:
    """Load ``file`` and what it extends; ``named_at`` is the ``extends`` line naming it."""
    real = os.path.realpath(file)
    if real in cache:
        return cache[real]
    try:
        data, locations = _parse_file(file)
    except ScenarioError as exc:
        if named_at is None:
            raise
        name, child, line, field_name = named_at
        if isinstance(exc, NotAScenarioFile):  # the wrong file is named
            raise ScenarioError.at(
                f"the file to extend, {shown(name)}, is not a scenario: {exc.message}",
                file=child,
                line=line,
                field=field_name,
            ) from None
        # A mistake inside a scenario file: its own place first, then who reads it.
        where = f"{child}, line {line}" if line else child
        raise ScenarioError(
            f"{exc.message.rstrip('.')} (this file is read because {where} extends it).",
            file=exc.file,
            line=exc.line,
            field=exc.field,
        ) from None
    if "extends" not in data:
        result = _Doc(data, locations, (file,), {})
        cache[real] = result
        return result

    here = chain + ((file, real),)
    merged: _Doc | None = None
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
        what = not_a_file(target)
        if what is not None:
            raise ScenarioError.at(
                f"the file to extend, {shown(name)}, {what} (looked for {target})",
                file=file,
                line=line,
                field=format_path(key_path),
            )
        parent = _load_tree(target, here, cache, (name, file, line, format_path(key_path)))
        merged = parent if merged is None else _merge_docs(merged, parent)

    own = _Doc(
        {k: v for k, v in data.items() if k != "extends"},
        _keep(locations, lambda p: not (p and p[0] == "extends")),
        (file,),
        {},
    )
    result = own if merged is None else _merge_docs(merged, own)
    # The named file first, then the files it builds on, nearest first.
    result.files = (file,) + tuple(f for f in result.files if f != file)
    cache[real] = result
    return result


def load_yaml_document(path: str | os.PathLike[str]) -> LoadedYaml:
    """Load a scenario YAML file (following ``extends``) with the line of every value.

    Raises `ScenarioError` with a planner-readable message for any problem.
    """
    file = os.fspath(path)
    with gc_paused():
        doc = _load_tree(file, (), {})
        return LoadedYaml(
            data=_unshared(doc.data), locations=doc.locations, files=doc.files, removed=doc.removed
        )


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
