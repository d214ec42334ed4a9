"""A waiting-list snapshot as a CSV: one row per patient already waiting.

Columns (header required, extra columns ignored): ``site, procedure, priority,
waited_weeks``; an optional ``quintile`` column (IMD 1-5) is kept for equity work.

Every problem names the file and, where there is one, the line: a file that is not a
CSV of this shape (``/etc/passwd``), text that is not UTF-8 (with the line of the first
bad byte), a field too long for a CSV, a wait that is not a finite number of weeks.
"""

from __future__ import annotations

import csv
import functools
import io
import math
from typing import NamedTuple

from sim.text import printable, shown

from .errors import ScenarioError
from .files import bounded_stat
from .types import MAX_BACKLOG
from .yamlio import NotARegularFile, decode_text, open_regular

REQUIRED = ("site", "procedure", "priority", "waited_weeks")
MAX_BYTES = 100 * 1024 * 1024
#: Most patients a CSV may list.
MAX_ROWS = 2 * MAX_BACKLOG
#: Longest wait a patient may have had (100 years).
MAX_WAITED_WEEKS = 5200.0
#: Longest field, as Python's csv module allows by default.
MAX_FIELD_CHARS = csv.field_size_limit()


class BacklogRow(NamedTuple):
    site: str
    procedure: str
    priority: str
    waited_weeks: float
    quintile: int | None


def read_backlog_csv(path: str) -> list[BacklogRow]:
    """Read and check a backlog CSV (cached by path and modification time)."""
    stat = bounded_stat(path, MAX_BYTES, "the waiting-list CSV")
    return list(_read(path, stat.st_mtime_ns))


def _text(path: str) -> str:
    try:
        with open_regular(path) as fh:
            raw = fh.read(MAX_BYTES + 1)
    except NotARegularFile as exc:
        raise ScenarioError.at(f"the waiting-list CSV: {exc}", file=path) from None
    except OSError as exc:
        raise ScenarioError.at(
            f"cannot read the waiting-list CSV: {exc.strerror}", file=path
        ) from None
    if len(raw) > MAX_BYTES:  # it grew since it was measured
        raise ScenarioError.at(
            f"the waiting-list CSV is larger than {MAX_BYTES // (1024 * 1024)} MB", file=path
        )
    return decode_text(raw, path, "CSV")


def _header_problem(header: list[str]) -> str:
    missing = [c for c in REQUIRED if c not in header]
    text = f"the waiting-list CSV needs the columns {', '.join(REQUIRED)}; "
    if len(missing) == len(REQUIRED):
        # Not echoed: the first line of an unrelated file may be anything.
        return text + "its first line names none of them (is this the right file?)"
    found = ", ".join(shown(h, 30) for h in header[:8])
    if len(header) > 8:
        found += f" and {len(header) - 8} more"
    return text + f"missing {', '.join(missing)} (found: {found})"


@functools.lru_cache(maxsize=8)
def _read(path: str, _mtime: int) -> tuple[BacklogRow, ...]:
    reader = csv.reader(io.StringIO(_text(path), newline=""), strict=True)
    rows: list[BacklogRow] = []
    try:
        header = [h.strip() for h in next(reader, [])]
        if any(c not in header for c in REQUIRED):
            raise ScenarioError.at(_header_problem(header), file=path, line=1)
        columns = {name: header.index(name) for name in (*REQUIRED, "quintile") if name in header}
        for raw in reader:
            if not raw or raw == [""]:
                continue
            if len(rows) >= MAX_ROWS:
                raise ScenarioError.at(
                    f"the waiting-list CSV lists more than {MAX_ROWS:,} patients",
                    file=path,
                    line=reader.line_num,
                )
            rows.append(_row(raw, columns, path, reader.line_num))
    except csv.Error as exc:
        problem = str(exc)
        if "field larger than field limit" in problem:
            problem = (
                f"a field on this line is longer than {MAX_FIELD_CHARS:,} characters; "
                "is this the right file?"
            )
        else:
            problem = f"this line cannot be read as CSV ({printable(problem)})"
        raise ScenarioError.at(problem, file=path, line=reader.line_num) from None
    return tuple(rows)


def _row(raw: list[str], columns: dict[str, int], path: str, line: int) -> BacklogRow:
    def value(field: str) -> str:
        i = columns.get(field)
        return raw[i] if i is not None and i < len(raw) else ""

    def bad(field: str, expected: str) -> ScenarioError:
        return ScenarioError.at(
            f"expected {expected}, got {shown(value(field))}", file=path, line=line, field=field
        )

    priority = value("priority").strip().upper()
    if priority not in ("P1", "P2", "P3", "P4"):
        raise bad("priority", "one of P1, P2, P3, P4")
    try:
        waited = float(value("waited_weeks"))
    except ValueError:
        raise bad("waited_weeks", "a number of weeks") from None
    if not (math.isfinite(waited) and 0 <= waited <= MAX_WAITED_WEEKS):
        raise bad("waited_weeks", f"a number of weeks from 0 to {MAX_WAITED_WEEKS:,.0f}")
    quintile = None
    if value("quintile"):
        try:
            quintile = int(value("quintile"))
        except ValueError:
            raise bad("quintile", "a whole number from 1 to 5") from None
        if not 1 <= quintile <= 5:
            raise bad("quintile", "a whole number from 1 to 5")
    site = value("site").strip()
    procedure = value("procedure").strip()
    if not site:
        raise bad("site", "a site name")
    if not procedure:
        raise bad("procedure", "a procedure name")
    return BacklogRow(site, procedure, priority, waited, quintile)
