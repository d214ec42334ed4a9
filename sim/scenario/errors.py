"""Planner-facing errors for scenario files.

Everything a planner can get wrong before a simulation starts is reported as a
`ScenarioError`: one plain-English paragraph per problem that names the file,
the line and the field, says what was expected and what was found. Pydantic
`ValidationError`s are translated by `format_validation_error`; other code can
point at a place in the YAML with `error_at`.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from sim.text import printable, shown

if TYPE_CHECKING:
    from pydantic import ValidationError

    from sim.scenario.yamlio import LoadedYaml, Location

__all__ = [
    "AnyOf",
    "ScenarioError",
    "did_you_mean",
    "error_at",
    "format_path",
    "format_validation_error",
]

MAX_PROBLEMS_SHOWN = 10
_MAX_VALUE_CHARS = 60


class AnyOf(tuple):
    """Several fields one problem concerns (``warm_up`` and ``horizon``): the message is
    placed at whichever the planner wrote in the file named on the command line (the most
    derived one with ``extends``), and names where the others are."""


#: A problem found after reading: the field path (or `AnyOf` paths) it concerns, and what is
#: wrong.
Problem = tuple[tuple, str]


class ScenarioError(Exception):
    """A mistake in a scenario file, explained in one paragraph per problem.

    ``str(err) == err.message``. ``file``, ``line`` and ``field`` describe the
    first problem when known; ``problems`` holds every paragraph.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        problems: Sequence[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        self.problems: tuple[str, ...] = tuple(problems) if problems else (message,)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep file/line/field when sent between processes (parallel runs pickle errors).
        return (self.__class__, (self.message,), self.__dict__)

    @classmethod
    def at(
        cls,
        problem: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
    ) -> ScenarioError:
        """Build an error whose message reads ``file, line N, field x: problem.``"""
        return cls(
            paragraph(problem, file=file, line=line, column=column, field=field),
            file=file,
            line=line,
            field=field,
        )


def paragraph(
    problem: str,
    *,
    file: str | None = None,
    line: int | None = None,
    column: int | None = None,
    field: str | None = None,
) -> str:
    """Join a place and a problem into one sentence ending with a full stop."""
    where = []
    if file:
        where.append(printable(file))
    if line:
        where.append(f"line {line}")
    if column:
        where.append(f"column {column}")
    if field:
        where.append(f"field {field}")
    text = problem.strip()
    if text and text[-1] not in ".?!":
        text += "."
    return f"{', '.join(where)}: {text}" if where else text


def format_path(parts: Iterable[Any]) -> str:
    """Render a path such as ``("theatres", 0, "slot")`` as ``theatres[0].slot``."""
    out = ""
    for part in parts:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + _key_text(part)
    return out


def _key_text(part: Any) -> str:
    """A key as YAML writes it: ``true``/``null``, not Python's ``True``/``None``."""
    if isinstance(part, bool):
        return "true" if part else "false"
    if part is None:
        return "null"
    return str(part)


def did_you_mean(word: str, options: Iterable[str], cutoff: float = 0.6) -> str | None:
    """Return the option closest to ``word`` (ignoring case), or None if none is close."""
    opts = [o for o in options if isinstance(o, str)]
    if not isinstance(word, str) or not opts:
        return None
    lowered: dict[str, str] = {}
    for o in opts:
        lowered.setdefault(o.lower(), o)
    if word.lower() in lowered and lowered[word.lower()] != word:
        return lowered[word.lower()]
    # A full or longer name of an abbreviated option: 'Wednesday' -> 'Wed'.
    starts = [o for low, o in lowered.items() if len(low) >= 3 and word.lower().startswith(low)]
    if len(starts) == 1:
        return starts[0]
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=cutoff)
    if match and lowered[match[0]] != word:
        return lowered[match[0]]
    return None


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def lookalike_note(text: Any) -> str:
    """Name a letter that only looks Latin (Cyrillic 'а', Greek 'ο'): `` (its 2nd character
    ...)``, or "" if there is none."""
    if not isinstance(text, str) or text.isascii():
        return ""
    for i, ch in enumerate(text):
        if not ch.isascii() and ch.isalpha():
            name = unicodedata.name(ch, "a letter of another script")
            return (
                f" (its {_ordinal(i + 1)} character, {ch!r}, is {name} (U+{ord(ch):04X}), "
                "which looks like a Latin letter but is not one: retype it)"
            )
    return ""


def _longest_location(
    loaded: LoadedYaml | None, path: tuple[Any, ...]
) -> tuple[Location | None, tuple[Any, ...]]:
    if loaded is None:
        return None, ()
    for n in range(len(path), -1, -1):
        loc = loaded.locations.get(path[:n])
        if loc is not None:
            return loc, path[:n]
    return None, ()


def _removal(loaded: LoadedYaml | None, path: tuple[Any, ...], found: tuple[Any, ...]) -> Any:
    """Where a file deleted (``key: null``) the inherited ``path`` or a part of it below
    ``found``: (location, deleted path), or None."""
    if loaded is None or not loaded.removed:
        return None
    for n in range(len(found) + 1, len(path) + 1):
        loc = loaded.removed.get(path[:n])
        if loc is not None:
            return loc, path[:n]
    return None


def _file_order(loaded: LoadedYaml | None) -> dict[str, int]:
    return {f: i for i, f in enumerate(loaded.files)} if loaded is not None else {}


def _choose_place(loaded: LoadedYaml | None, paths: AnyOf) -> tuple[tuple[Any, ...], str]:
    """Of several paths, the one written in the most derived file; and a note naming the
    others' places."""
    order = _file_order(loaded)
    placed = []
    for i, path in enumerate(paths):
        loc, found = _longest_location(loaded, tuple(path))
        rank = order.get(loc.file, len(order)) if loc is not None else len(order) + 1
        exact = loc is not None and found == tuple(path)
        placed.append((rank, not exact, i, tuple(path), loc))
    placed.sort(key=lambda p: p[:3])
    chosen = placed[0]
    others = [
        f"{format_path(path)} is at {loc.file}, line {loc.line}"
        for _r, _e, _i, path, loc in placed[1:]
        if loc is not None and chosen[4] is not None and loc.file != chosen[4].file
    ]
    return chosen[3], f"; {'; '.join(others)}" if others else ""


def _placed(loaded: LoadedYaml | None, path: Any, problem: str) -> dict[str, Any]:
    """A problem at a data path (or `AnyOf` paths) as a place and a text."""
    note = ""
    if isinstance(path, AnyOf):
        path, note = _choose_place(loaded, path)
    path = tuple(path)
    loc, found = _longest_location(loaded, path)
    removal = _removal(loaded, path, found)
    if removal is not None:
        loc, deleted = removal
        note += _removal_note(deleted)
    file = loc.file if loc else (loaded.files[0] if loaded and loaded.files else None)
    if loc is not None and loc.merged_from:
        note += _merge_note(loc)
    text = problem.strip().rstrip(".") + note if note else problem
    return {
        "file": file,
        "line": loc.line if loc else None,
        "column": loc.column if loc else None,
        "field": format_path(path),
        "text": text,
    }


def _removal_note(deleted: tuple[Any, ...]) -> str:
    return (
        f" (`{_key_text(deleted[-1])}: null` here removed what the extended file gave; "
        "null deletes an inherited value)"
    )


def _merge_note(loc: Location) -> str:
    return f" (merged in here by '<<' from line {loc.merged_from})"


def error_at(loaded: LoadedYaml | None, path: Sequence[Any], problem: str) -> ScenarioError:
    """Make a `ScenarioError` for ``problem`` at a data path of a loaded scenario.

    The line is that of the longest part of ``path`` that appears in the file,
    so a path to something missing points at its parent mapping. ``path`` may be an
    `AnyOf` several paths.
    """
    return scenario_error([_placed(loaded, path, problem)], loaded)


def reference_problems_placed(
    problems: Iterable[Problem], loaded: LoadedYaml | None
) -> list[dict[str, Any]]:
    """Problems found after reading (cross-references), each placed at its line."""
    return [_placed(loaded, path, msg) for path, msg in problems]


def _inherited_note(text: str, file: str | None, loaded: LoadedYaml | None) -> str:
    """A problem in a file the planner's own file extends also names the planner's file:
    that is where they can override the value."""
    if loaded is None or len(loaded.files) < 2 or file not in loaded.files[1:]:
        return text
    own = printable(loaded.files[0])
    return (
        f"{text.rstrip('.')} (inherited by {own} through 'extends': correct it here, or set "
        f"the field in {own})"
    )


def scenario_error(
    problems: list[dict[str, Any]],
    loaded: LoadedYaml | None,
    max_problems: int = MAX_PROBLEMS_SHOWN,
) -> ScenarioError:
    """One `ScenarioError` for placed problems, in reading order: file by file, top to bottom.

    At most ``max_problems`` are shown, followed by "... and N more problems".
    """
    order = _file_order(loaded)
    problems = sorted(problems, key=lambda p: (order.get(p["file"], len(order)), p["line"] or 0))
    paragraphs = [
        paragraph(
            _inherited_note(p["text"], p["file"], loaded),
            file=p["file"],
            line=p["line"],
            field=p["field"] or None,
        )
        for p in problems
    ]
    if not paragraphs:  # pragma: no cover - never called without a problem
        paragraphs = ["the scenario is not valid."]
    default_file = loaded.files[0] if loaded is not None and loaded.files else None
    first = problems[0] if problems else {"file": default_file, "line": None, "field": None}
    if len(paragraphs) == 1:
        message = paragraphs[0]
    else:
        shown_ = paragraphs[:max_problems]
        message = f"Found {len(paragraphs)} problems in the scenario:\n\n" + "\n\n".join(shown_)
        if len(paragraphs) > len(shown_):
            more = len(paragraphs) - len(shown_)
            message += f"\n\n... and {more} more problem{'s' if more != 1 else ''}."
    return ScenarioError(
        message,
        file=first["file"],
        line=first["line"],
        field=first["field"] or None,
        problems=paragraphs,
    )


# ----------------------------------------------------------------------------
# Translating pydantic errors
# ----------------------------------------------------------------------------

_INTERNAL_PART = re.compile(r"[\[\]()]|^function-|^json-or-python|^lax-or-strict|^chain")
_TYPE_NAMES = {
    "str", "int", "float", "bool", "bytes", "list", "dict", "tuple", "set", "frozenset",
    "none", "date", "datetime", "time", "timedelta", "decimal", "is-instance", "literal",
}  # fmt: skip


#: The pattern of names (sites, trusts, procedures, ...): sim.scenario.schema.Ident.
_NAME_PATTERN = r"^[A-Za-z0-9_\-]+$"


def _truncate(text: str) -> str:
    return shown(text, _MAX_VALUE_CHARS, quote=False)


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _show(value: Any) -> str:
    """Short planner-readable rendering of an input value."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return shown(value, _MAX_VALUE_CHARS)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return "a mapping " + _truncate(repr(value))
    if isinstance(value, list | tuple):
        return "a list " + _truncate(repr(list(value)))
    return _truncate(repr(value))


def _show_typed(value: Any) -> str:
    """Like `_show` but says what kind of value it is."""
    if isinstance(value, str):
        return "the text " + _show(value)
    if isinstance(value, bool):
        return _show(value)
    if isinstance(value, int | float):
        return "the number " + _show(value)
    if isinstance(value, _dt.datetime):
        return "the date and time " + value.isoformat()
    if isinstance(value, _dt.date):
        return "the date " + value.isoformat()
    return _show(value)


def _options(expected: Any) -> list[str]:
    """Split pydantic's "'a', 'b' or 'c'" into ['a', 'b', 'c']."""
    if not isinstance(expected, str):
        return []
    parts = re.split(r",\s*|\s+or\s+", expected.strip())
    out = []
    for p in parts:
        p = p.strip()
        if len(p) >= 2 and p[0] == p[-1] and p[0] in "'\"":
            p = p[1:-1]
        if p:
            out.append(p)
    return out


def _one_of(options: list[str], value: Any, what: str = "") -> str:
    listed = ", ".join(options)
    text = f"expected one of: {listed}; got {_show(value)}"
    if what:
        text = f"unknown {what} {_show(value)}; expected one of: {listed}"
    if isinstance(value, str):
        suggestion = did_you_mean(value, options)
        if suggestion is not None:
            text += f"; did you mean {suggestion!r}?"
    return text


def _text_hint(value: Any) -> str:
    if isinstance(value, bool):
        return (
            " (YAML reads yes, no, on, off, true and false as true/false; "
            "put the value in quotes to keep it as text)"
        )
    if isinstance(value, int | float | _dt.date):
        return " (put the value in quotes to keep it as text)"
    return ""


def _strip_prefix(msg: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    return msg


def _generic(msg: str, value: Any) -> str:
    msg = _strip_prefix(msg)
    msg = re.sub(r"https?://errors\.pydantic\.dev\S*", "", msg).strip()
    msg = re.sub(r"^Input should be ", "expected ", msg)
    msg = re.sub(r"^Input should ", "expected to ", msg)
    if msg and msg[0].isupper() and not msg[:2].isupper():
        msg = msg[0].lower() + msg[1:]
    if "got" not in msg and not isinstance(value, dict):
        msg += f", got {_show(value)}"
    return msg


class _Err(NamedTuple):
    """One pydantic error, as the explainers below read it."""

    kind: str
    ctx: dict[str, Any]
    value: Any
    msg: str
    loc: tuple
    missing_where: str


#: Error type -> its plain-words description (without the place); see :func:`_explain`.
_EXPLAINERS: dict[str, Callable[[_Err], str | None]] = {}


def _explains(*kinds: str) -> Callable[[Callable[[_Err], str | None]], Callable]:
    def register(fn: Callable[[_Err], str | None]) -> Callable[[_Err], str | None]:
        for kind in kinds:
            _EXPLAINERS[kind] = fn
        return fn

    return register


def _expected(what: str, *kinds: str) -> None:
    """Errors that say ``expected <what>, got <value>``."""
    _explains(*kinds)(lambda e: f"expected {what}, got {_show(e.value)}")


_NUMBER_WITH_WORDS = re.compile(
    r"^\s*[-+]?(\d[\d_,]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*(per|a|an|/|every|each|patients|"
    r"beds|referrals|admissions|a week|a day)\b",
    re.IGNORECASE,
)


def _number_alone(value: Any) -> str:
    """A hint for a number written with words after it: ``10 per week``."""
    if isinstance(value, str):
        m = _NUMBER_WITH_WORDS.match(value)
        if m:
            number = value[: m.end(1) + (len(m.group(3) or ""))].strip()
            return (
                f"; write the number alone ({number}): the field's unit is fixed (see its "
                "description in `hubsim schema`), so convert to it first"
            )
    return ""


@_explains("int_type", "int_parsing", "int_from_float")
def _whole_number(e: _Err) -> str:
    return f"expected a whole number, got {_show(e.value)}{_number_alone(e.value)}"


@_explains("float_type", "float_parsing", "decimal_type", "decimal_parsing")
def _a_number(e: _Err) -> str:
    return f"expected a number, got {_show(e.value)}{_number_alone(e.value)}"


_expected("a finite number", "finite_number")
_expected("true or false", "bool_type", "bool_parsing")
_expected("no value here", "none_required")
_expected("a date written as YYYY-MM-DD, such as 2025-04-01", "date_")


@_explains("missing")
def _missing(e: _Err) -> str:
    return f"is required but missing; {e.missing_where}"


@_explains("unknown_key")
def _unknown_key(e: _Err) -> str:
    return e.msg


@_explains("extra_forbidden")
def _extra(e: _Err) -> str:
    return f"unknown key {_show(e.loc[-1]) if e.loc else ''}".strip()


@_explains("int_parsing_size")
def _too_large(e: _Err) -> str:
    return f"the number is too large, got {_show(e.value)}"


@_explains("string_type")
def _not_text(e: _Err) -> str:
    return f"expected text, got {_show_typed(e.value)}{_text_hint(e.value)}"


@_explains("string_too_short")
def _short_text(e: _Err) -> str:
    n = e.ctx.get("min_length")
    if n == 1 and e.value == "":
        return "must not be empty"
    return f"expected text of at least {n} characters, got {_show(e.value)}"


@_explains("string_too_long")
def _long_text(e: _Err) -> str:
    return f"expected text of at most {e.ctx.get('max_length')} characters, got {_show(e.value)}"


@_explains("string_pattern_mismatch")
def _pattern(e: _Err) -> str:
    if e.ctx.get("pattern") == _NAME_PATTERN:
        return (
            "expected a name made only of letters, digits, '_' and '-' (no spaces), "
            f"got {_show(e.value)}{lookalike_note(e.value)}"
        )
    return f"expected text matching the pattern {e.ctx.get('pattern')}, got {_show(e.value)}"


_BOUNDS = {
    "greater_than": ("greater than", "gt"),
    "greater_than_equal": ("of at least", "ge"),
    "less_than": ("less than", "lt"),
    "less_than_equal": ("of at most", "le"),
}


@_explains(*_BOUNDS)
def _bound(e: _Err) -> str:
    words, key = _BOUNDS[e.kind]
    return f"expected a number {words} {_num(e.ctx.get(key))}, got {_show(e.value)}"


@_explains("multiple_of")
def _multiple(e: _Err) -> str:
    return f"expected a multiple of {_num(e.ctx.get('multiple_of'))}, got {_show(e.value)}"


@_explains("too_short", "too_long")
def _length(e: _Err) -> str:
    short = e.kind == "too_short"
    bound = e.ctx.get("min_length") if short else e.ctx.get("max_length")
    items = "item" if bound == 1 else "items"
    word = "at least" if short else "at most"
    return f"expected {word} {bound} {items}, got {e.ctx.get('actual_length', '?')}"


@_explains("literal_error", "enum")
def _choice(e: _Err) -> str | None:
    options = _options(e.ctx.get("expected"))
    return _one_of(options, e.value) if options else None


@_explains("union_tag_invalid")
def _tag_invalid(e: _Err) -> str:
    disc = str(e.ctx.get("discriminator", "")).strip("'\"")
    return _one_of(_options(e.ctx.get("expected_tags")), e.ctx.get("tag"), what=disc or "type")


@_explains("union_tag_not_found")
def _tag_missing(e: _Err) -> str:
    disc = str(e.ctx.get("discriminator", "")).strip("'\"") or "kind"
    if not isinstance(e.value, dict):
        return f"expected a mapping with a {disc!r} key, got {_show_typed(e.value)}"
    return f"needs a {disc!r} key saying which type it is"


@_explains("dict_type", "model_type", "model_attributes_type", "dataclass_type", "mapping_type")
def _not_mapping(e: _Err) -> str:
    got = _show_typed(e.value)
    return f"expected a mapping of keys to values, got {got}{_number_alone(e.value)}"


@_explains("list_type", "tuple_type", "set_type", "frozen_set_type", "iterable_type")
def _not_list(e: _Err) -> str:
    hint = " (write each item on its own line starting with '- ')" if e.value is not None else ""
    return f"expected a list, got {_show_typed(e.value)}{hint}"


@_explains("value_error", "assertion_error")
def _our_check(e: _Err) -> str:
    return _strip_prefix(e.msg)


def _explain(err: dict[str, Any], missing_where: str) -> str:
    """Plain-words description of one pydantic error (without the place)."""
    kind = err.get("type", "")
    e = _Err(
        kind,
        err.get("ctx") or {},
        err.get("input"),
        str(err.get("msg", "")),
        tuple(err.get("loc") or ()),
        missing_where,
    )
    explain = _EXPLAINERS.get(kind)
    if explain is None and kind.startswith(("date_", "datetime_")):
        explain = _EXPLAINERS["date_"]
    text = explain(e) if explain is not None else None
    return text if text is not None else _generic(e.msg, e.value)


def _child(node: Any, part: Any) -> tuple[Any, bool]:
    if isinstance(node, dict):
        try:
            if part in node:
                return node[part], True
        except TypeError:
            return None, False
        return None, False
    is_index = isinstance(part, int) and not isinstance(part, bool)
    if isinstance(node, list | tuple) and is_index and 0 <= part < len(node):
        return node[part], True
    return None, False


def _clean_loc(
    loc: Sequence[Any], data: Any, keep_last: bool, have_data: bool
) -> tuple[tuple[Any, ...], Any]:
    """Drop pydantic's internal location parts, keeping only real keys and indices.

    A part is kept when it exists in the data at that point (so a tagged-union
    tag such as ``lognormal`` or ``function-after[...]`` is dropped), or when it
    is the last part of a "missing" error. Returns (path, value at that path).
    """
    path: list[Any] = []
    node = data
    n = len(loc)
    for i, part in enumerate(loc):
        if have_data:
            child, found = _child(node, part)
            if found:
                path.append(part)
                node = child
            elif i == n - 1 and keep_last:
                path.append(part)
            continue
        # Without data, guess which parts are pydantic's own.
        if isinstance(part, str) and (part in _TYPE_NAMES or _INTERNAL_PART.search(part)):
            continue
        path.append(part)
    return tuple(path), node


def _missing_where(field_path: tuple[Any, ...], line: int | None) -> str:
    name = field_path[-1] if field_path else "?"
    if len(field_path) <= 1:
        return f"add `{name}: ...` at the top level of the file"
    parent = format_path(field_path[:-1])
    where = f" (line {line})" if line else ""
    return f"add `{name}: ...` under {parent}{where}"


_UNSET: Any = object()
_EXPECTED_GOT = re.compile(r"^expected (?P<what>.+), got (?P<got>.+)$", re.S)


def _merge_same_place(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Combine "expected X, got V" problems at the same place (plain unions)."""
    merged: list[dict[str, Any]] = []
    for p in problems:
        m = _EXPECTED_GOT.match(p["text"])
        prev = merged[-1] if merged else None
        if m and prev and prev["field"] == p["field"] and prev.get("got") == m["got"]:
            if m["what"] not in prev["whats"]:
                prev["whats"].append(m["what"])
            prev["text"] = f"expected {' or '.join(prev['whats'])}, got {m['got']}"
            continue
        if m:
            p = {**p, "whats": [m["what"]], "got": m["got"]}
        merged.append(p)
    return merged


def _fold_alias_repeats(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Report a problem once when YAML aliases make one line appear at several paths."""
    kept: list[dict[str, Any]] = []
    by_place: dict[tuple[Any, ...], dict[str, Any]] = {}
    for p in problems:
        # An alias repeats the very same key: same file, line *and* column.
        place = (p["file"], p["line"], p["column"], p["text"])
        first = by_place.get(place) if p["line"] else None
        if first is None:
            by_place[place] = p
            kept.append(p)
        else:
            first.setdefault("also", []).append(p["field"])
    for p in kept:
        also = p.get("also")
        if also:
            listed = ", ".join(also[:3]) + (f" and {len(also) - 3} more" if len(also) > 3 else "")
            text = p["text"].rstrip(".")
            p["text"] = f"{text} (this line is also used, through a YAML alias, at {listed})"
    return kept


def format_validation_error(
    err: ValidationError,
    loaded: LoadedYaml | None = None,
    *,
    base_path: Sequence[Any] = (),
    data: Any = _UNSET,
    max_problems: int = MAX_PROBLEMS_SHOWN,
) -> ScenarioError:
    """Turn a pydantic ``ValidationError`` into a `ScenarioError` for planners.

    ``loaded`` supplies the line of every key. ``data`` is what was validated
    (default: ``loaded.data``; pass it when it was changed after loading, e.g.
    by command-line overrides). ``base_path`` is where in the file the validated
    value sits (empty when the whole file was validated). Each problem becomes
    one paragraph such as ``bc.yaml, line 42, field sites.sandwell.beds:
    expected a number greater than 0, got -5.``; at most ``max_problems`` are
    shown, followed by "... and N more problems".
    """
    problems = validation_problems(err, loaded, base_path=base_path, data=data)
    return scenario_error(problems, loaded, max_problems)


def validation_problems(
    err: ValidationError,
    loaded: LoadedYaml | None = None,
    *,
    base_path: Sequence[Any] = (),
    data: Any = _UNSET,
) -> list[dict[str, Any]]:
    """The problems of a pydantic ``ValidationError``, each placed at its line (see
    `format_validation_error`)."""
    base = tuple(base_path)
    if data is _UNSET:
        data = loaded.data if loaded is not None else None
        for part in base:
            data, _ = _child(data, part)
    have_data = data is not None
    default_file = loaded.files[0] if loaded is not None and loaded.files else None
    inherited = _Inherited(loaded)

    problems: list[dict[str, Any]] = []
    for e in err.errors(include_url=False):
        kind = e.get("type", "")
        path, node = _clean_loc(e.get("loc", ()), data, kind == "missing", have_data)
        ctx = e.get("ctx") or {}
        if kind == "unknown_key" and "key" in ctx:
            if isinstance(node, dict):  # the key is not in pydantic's loc yet
                path = path + (ctx["key"],)
        elif kind == "union_tag_invalid" and isinstance(node, dict):
            disc = str(ctx.get("discriminator", "")).strip("'\"")
            if disc in node:
                path = path + (disc,)
        full = base + path
        loc, found = _longest_location(loaded, full)
        note = ""
        removal = _removal(loaded, full, found) if kind == "missing" else None
        if removal is not None:
            loc, deleted = removal
            note = _removal_note(deleted)
        elif kind == "unknown_key":
            moved = inherited.placed_in_child(full, loc)
            if moved is not None:
                loc, note = moved
        if loc is not None and loc.merged_from:
            note += _merge_note(loc)
        line = loc.line if loc else None
        text = _explain(e, _missing_where(full, line))
        if note:
            text = text.rstrip(".") + note
        problems.append(
            {
                "file": loc.file if loc else default_file,
                "line": line,
                "field": format_path(full),
                "column": loc.column if loc else None,
                "text": text,
            }
        )
    return _fold_list_repeats(_fold_alias_repeats(_merge_same_place(problems)))


_ITEM = re.compile(r"^(?P<list>.*)\[(?P<index>\d+)\]$")


def _fold_list_repeats(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Report once the same problem in several items of one list written on one line
    (``weekday_profile: [1e308, 1e308, ...]``)."""
    kept: list[dict[str, Any]] = []
    first: dict[tuple[Any, ...], dict[str, Any]] = {}
    for p in problems:
        m = _ITEM.match(p["field"] or "")
        key = (p["file"], p["line"], m["list"], p["text"]) if m and p["line"] else None
        if key is None or key not in first:
            if key is not None:
                first[key] = p
            kept.append(p)
            continue
        first[key].setdefault("items", []).append(m["index"])
    for p in kept:
        items = p.pop("items", None)
        if items:
            shown_items = ", ".join(items[:10]) + (" ..." if len(items) > 10 else "")
            word = "item" if len(items) == 1 else "items"
            p["text"] = f"{p['text'].rstrip('.')} (the same for {word} {shown_items})"
    return kept


class _Inherited:
    """Finds keys a mapping keeps from an extended file after the planner changed it.

    Mappings merge key by key, so switching a distribution's kind in a file that extends
    another keeps the old kind's parameters (``mean``, ``sd``): they are unknown to the new
    kind, and the planner must delete them with ``mean: null`` in their own file.
    """

    def __init__(self, loaded: LoadedYaml | None) -> None:
        self.loaded = loaded
        self.order = _file_order(loaded)
        self._rank: dict[tuple[Any, ...], int] | None = None

    def _child_rank(self) -> dict[tuple[Any, ...], int]:
        """Per mapping path: the most derived file any of its keys is written in."""
        if self._rank is None:
            assert self.loaded is not None
            rank: dict[tuple[Any, ...], int] = {}
            order = self.order
            for p, loc in self.loaded.locations.items():
                if p:
                    r = order.get(loc.file, len(order))
                    if r < rank.get(p[:-1], len(order) + 1):
                        rank[p[:-1]] = r
            self._rank = rank
        return self._rank

    def placed_in_child(
        self, full: tuple[Any, ...], loc: Location | None
    ) -> tuple[Location, str] | None:
        if self.loaded is None or loc is None or not full:
            return None
        own = self.order.get(loc.file, 0)
        if own == 0 or self.loaded.locations.get(full) is not loc:
            return None
        parent = full[:-1]
        if self._child_rank().get(parent, own) >= own:
            return None
        here = self.loaded.locations.get(parent)
        if here is None:
            return None
        key = _key_text(full[-1])
        return here, (
            f" (inherited from {printable(loc.file)}, line {loc.line}: a mapping changed in a "
            f"file that extends another keeps the keys it does not mention, so remove this "
            f"one here with `{key}: null`)"
        )


#: Most names listed after "known sites:" (a scenario may have thousands).
MAX_NAMES_LISTED = 20


def unknown(kind: str, name: str, known: list[str]) -> str:
    """``unknown site 'x'; did you mean 'y'? (known sites: ...)``."""
    close = did_you_mean(name, known)
    hint = f"; did you mean {shown(close)}?" if close else ""
    names = sorted(known)
    listing = ", ".join(printable(n) for n in names[:MAX_NAMES_LISTED]) or "none defined"
    if len(names) > MAX_NAMES_LISTED:
        listing += f" and {len(names) - MAX_NAMES_LISTED:,} more"
    return f"unknown {kind} {shown(name)}{hint}{lookalike_note(name)} (known {kind}s: {listing})"
