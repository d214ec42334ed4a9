"""A waiting-list snapshot as a CSV: one row per patient already waiting.

Columns (header required, extra columns ignored): ``site, procedure, priority,
waited_weeks``; an optional ``quintile`` column (IMD 1-5) is kept for equity work.
"""

from __future__ import annotations

import csv
import functools
import os
from typing import NamedTuple

from .errors import ScenarioError

REQUIRED = ("site", "procedure", "priority", "waited_weeks")
MAX_BYTES = 200 * 1024 * 1024


class BacklogRow(NamedTuple):
    site: str
    procedure: str
    priority: str
    waited_weeks: float
    quintile: int | None


def read_backlog_csv(path: str) -> list[BacklogRow]:
    """Read and check a backlog CSV (cached by path and modification time)."""
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise ScenarioError.at(
            f"cannot read the waiting-list CSV: {exc.strerror}", file=path
        ) from None
    if stat.st_size > MAX_BYTES:
        raise ScenarioError.at("the waiting-list CSV is larger than 200 MB", file=path)
    return list(_read(path, stat.st_mtime_ns))


@functools.lru_cache(maxsize=8)
def _read(path: str, _mtime: int) -> tuple[BacklogRow, ...]:
    rows: list[BacklogRow] = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in (reader.fieldnames or [])]
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise ScenarioError.at(
                    f"the waiting-list CSV needs the columns {', '.join(REQUIRED)}; "
                    f"missing {', '.join(missing)} (found: {', '.join(header) or 'no header'})",
                    file=path,
                    line=1,
                )
            reader.fieldnames = header
            for i, raw in enumerate(reader, start=2):
                rows.append(_row(raw, path, i))
    except UnicodeDecodeError:
        raise ScenarioError.at("the waiting-list CSV is not UTF-8 text", file=path) from None
    return tuple(rows)


def _row(raw: dict[str, str], path: str, line: int) -> BacklogRow:
    def bad(field: str, expected: str) -> ScenarioError:
        return ScenarioError.at(
            f"expected {expected}, got {raw.get(field)!r}", file=path, line=line, field=field
        )

    priority = (raw.get("priority") or "").strip().upper()
    if priority not in ("P1", "P2", "P3", "P4"):
        raise bad("priority", "one of P1, P2, P3, P4")
    try:
        waited = float(raw.get("waited_weeks") or "")
    except ValueError:
        raise bad("waited_weeks", "a number of weeks") from None
    if not waited >= 0:
        raise bad("waited_weeks", "a number of weeks of 0 or more")
    quintile = None
    if raw.get("quintile"):
        try:
            quintile = int(raw["quintile"])
        except ValueError:
            raise bad("quintile", "a whole number from 1 to 5") from None
        if not 1 <= quintile <= 5:
            raise bad("quintile", "a whole number from 1 to 5")
    site = (raw.get("site") or "").strip()
    procedure = (raw.get("procedure") or "").strip()
    if not site:
        raise bad("site", "a site name")
    if not procedure:
        raise bad("procedure", "a procedure name")
    return BacklogRow(site, procedure, priority, waited, quintile)
