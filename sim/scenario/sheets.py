"""Scenario inputs kept in spreadsheets: demand, session plans and beds from CSV or XLSX.

A planner's referral counts, theatre timetables and bed base often live in a workbook. In
the YAML, three places may name a sheet instead of giving the values::

    demand:
      referrals: {from_file: inputs.xlsx, sheet: referrals}   # site, procedure, per_week
    sites:
      new_cross:
        beds: {from_file: inputs.xlsx, sheet: beds}           # site, general, elective
        theatres: {from_file: inputs.xlsx, sheet: sessions}   # theatre, days, slot, specialty

The file is found relative to the YAML file that names it (for an upload, inside the
upload's own folder: see :mod:`sim.app.uploads`). A CSV has no sheets; a workbook's first
sheet is used when ``sheet`` is left out. The first row names the columns (in any order,
any case; other columns are ignored). In the beds and sessions sheets a ``site`` column, if
there is one, picks the rows of the site that names the sheet, so one sheet can serve every
site. The values read replace the mapping, as if written in the YAML, and every later
message about them names the file, sheet, row and column (``inputs.xlsx, sheet referrals,
row 5, column C (per_week), field demand.referrals.mmuh.hip: ...``).

With ``extends``, the more derived file wins: a sheet named in a child replaces the values
it inherits, and values a child gives on top of an inherited sheet change those values.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sim.text import printable, shown

from .errors import ScenarioError, did_you_mean, format_path
from .files import bounded_stat
from .yamlio import LoadedYaml, Location, decode_text, resolve_path

__all__ = ["FROM_FILE", "MAX_BYTES", "MAX_ROWS", "has_sheets", "resolve_sheets"]

FROM_FILE = "from_file"
SHEET = "sheet"
#: Largest spreadsheet read (an XLSX is compressed: its cells are bounded by MAX_ROWS too).
MAX_BYTES = 20 * 1024 * 1024
#: Most data rows a sheet may have, and most columns.
MAX_ROWS = 100_000
MAX_COLUMNS = 200
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv",)
_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Table:
    """A sheet's rows under its header: ``rows`` holds (row number, {column: cell})."""

    where: str
    """``inputs.xlsx, sheet referrals`` or ``demand.csv``: how messages name it."""
    columns: dict[str, int]
    """Header (lower case) -> 1-based column number."""
    rows: tuple[tuple[int, dict[str, Any]], ...]
    row_word: str
    """``row`` in a workbook, ``line`` in a CSV."""

    def place(self, row: int, column: str | None = None) -> str:
        """``inputs.xlsx, sheet referrals, row 5, column C (per_week)``."""
        text = f"{self.where}, {self.row_word} {row}"
        if column is not None and column in self.columns:
            text += f", column {_letter(self.columns[column])} ({column})"
        return text

    def error(self, row: int, column: str | None, problem: str) -> ScenarioError:
        text = problem.strip()
        if text[-1:] not in ".?!":
            text += "."
        return ScenarioError(
            f"{self.place(row, column)}: {text}", file=self.where, line=row, field=column
        )

    def location(self, row: int, column: str | None = None) -> Location:
        """A place for later messages (the line is left out: the text names the row)."""
        return Location(self.place(row, column), 0, 0)


def _letter(n: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


# -- reading a sheet ----------------------------------------------------------------------


def read_table(path: str, sheet: str | None, shown_as: str) -> Table:
    """The rows of a CSV file or of one sheet of an XLSX workbook, checked for size."""
    stat = bounded_stat(path, MAX_BYTES, "the spreadsheet", shown_as)
    return _read_table(path, sheet, shown_as, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _read_table(path: str, sheet: str | None, shown_as: str, _mtime: int, _size: int) -> Table:
    suffix = os.path.splitext(path)[1].lower()
    if suffix in CSV_SUFFIXES:
        if sheet is not None:
            raise ScenarioError.at(
                f"a CSV file has no sheets: leave out sheet: {shown(sheet)}", file=shown_as
            )
        return _table(shown_as, _csv_rows(path, shown_as), "line")
    if suffix in XLSX_SUFFIXES:
        where, rows = _xlsx_rows(path, sheet, shown_as)
        return _table(where, rows, "row")
    if suffix in (".xls", ".ods"):
        raise ScenarioError.at(
            f"{suffix} workbooks cannot be read: save it as .xlsx (Excel workbook) or .csv",
            file=shown_as,
        )
    raise ScenarioError.at("a spreadsheet must be a .csv file or an .xlsx workbook", file=shown_as)


def _csv_rows(path: str, shown_as: str) -> Iterator[tuple[int, list[Any]]]:
    with open(path, "rb") as fh:
        raw = fh.read(MAX_BYTES + 1)
    reader = csv.reader(io.StringIO(decode_text(raw, shown_as, "CSV"), newline=""), strict=True)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        raise ScenarioError.at(
            f"this line cannot be read as CSV ({printable(str(exc))})",
            file=shown_as,
            line=reader.line_num,
        ) from None


def _xlsx_rows(path: str, sheet: str | None, shown_as: str) -> tuple[str, list]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ScenarioError.at(
            f"this is not an .xlsx workbook Excel can save ({printable(str(exc))[:100]})",
            file=shown_as,
        ) from None
    try:
        names = book.sheetnames
        if sheet is None:
            sheet = names[0]
        elif sheet not in names:
            near = did_you_mean(sheet, names)
            hint = f"did you mean {near!r}?" if near else f"its sheets: {', '.join(names)}"
            raise ScenarioError.at(
                f"the workbook has no sheet {shown(sheet)}; {hint}", file=shown_as
            )
        rows = []
        for number, cells in enumerate(book[sheet].iter_rows(values_only=True), start=1):
            rows.append((number, list(cells[: MAX_COLUMNS + 1])))
            if number > MAX_ROWS + 50:
                break
        return f"{shown_as}, sheet {sheet}", rows
    finally:
        book.close()


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _table(where: str, rows: Any, row_word: str) -> Table:
    header: dict[str, int] | None = None
    data: list[tuple[int, dict[str, Any]]] = []
    for number, cells in rows:
        if all(_blank(c) for c in cells):
            continue
        if header is None:
            if len(cells) > MAX_COLUMNS:
                raise ScenarioError.at(
                    f"{row_word} {number} has more than {MAX_COLUMNS} columns; is this the "
                    "right sheet?",
                    file=where,
                )
            header = {}
            for i, cell in enumerate(cells, start=1):
                if not _blank(cell):
                    header.setdefault(str(cell).strip().lower(), i)
            continue
        if len(data) >= MAX_ROWS:
            raise ScenarioError.at(f"the sheet has more than {MAX_ROWS:,} rows of data", file=where)
        data.append(
            (
                number,
                {name: cells[i - 1] if i <= len(cells) else None for name, i in header.items()},
            )
        )
    if header is None:
        raise ScenarioError.at(
            "the sheet is empty: its first row should name the columns", file=where
        )
    return Table(where, header, tuple(data), row_word)


# -- cells ---------------------------------------------------------------------------------


def _need_columns(table: Table, required: tuple[str, ...], first_row: int = 1) -> None:
    missing = [c for c in required if c not in table.columns]
    if missing:
        found = ", ".join(shown(c, 30) for c in list(table.columns)[:10]) or "none"
        hints = [
            f"{m!r} (did you mean {near!r}?)"
            if (near := did_you_mean(m, list(table.columns)))
            else repr(m)
            for m in missing
        ]
        raise ScenarioError(
            f"{table.where}: the first row should name the columns {', '.join(required)}; "
            f"missing {', '.join(hints)} (found: {found}).",
            file=table.where,
            line=first_row,
        )


def _text(table: Table, number: int, row: dict[str, Any], column: str) -> str:
    cell = row.get(column)
    if _blank(cell):
        raise table.error(number, column, f"the {column} is empty")
    return str(cell).strip()


def _number(
    table: Table, number: int, row: dict[str, Any], column: str, what: str, whole: bool = False
) -> float | int:
    """A numeric cell (a number, or text holding one in a CSV), at least 0."""
    cell = row.get(column)
    value: float | None = None
    numeric = isinstance(cell, int | float) and not isinstance(cell, bool)
    if numeric or isinstance(cell, str) and _NUMBER.fullmatch(cell):
        value = float(cell)
    if value is None or value != value or value in (float("inf"), float("-inf")):
        got = (
            "an empty cell" if _blank(cell) else shown(cell if isinstance(cell, str) else str(cell))
        )
        raise table.error(number, column, f"expected {what}, got {got}")
    if whole:
        if value != int(value):
            raise table.error(number, column, f"expected {what} (a whole number), got {value:g}")
        return int(value)
    return value


def _days(table: Table, number: int, row: dict[str, Any]) -> list[str]:
    """``Mon, Wed`` (or ``Monday Wednesday``, ``mon;wed``) -> ``["Mon", "Wed"]``."""
    out = []
    for day in re.split(r"[\s,;/]+", _text(table, number, row, "days")):
        full = [d for d in _FULL_DAYS if len(day) >= 3 and d.startswith(day.lower())]
        if not day:
            continue
        if not full:
            raise table.error(
                number, "days", f"expected weekdays such as 'Mon, Wed', got {shown(day)}"
            )
        out.append(full[0][:3].title())
    return out


# -- the three kinds of sheet ---------------------------------------------------------------


def referrals_from(table: Table, site: str | None = None) -> tuple[dict, dict]:
    """``site, procedure, per_week`` -> ({site: {procedure: per_week}}, their places)."""
    _need_columns(table, ("site", "procedure", "per_week"))
    out: dict[str, dict[str, float]] = {}
    places: dict[tuple, Location] = {}
    first: dict[tuple[str, str], int] = {}
    for number, row in table.rows:
        s = _text(table, number, row, "site")
        p = _text(table, number, row, "procedure")
        if (s, p) in first:
            raise table.error(
                number,
                "procedure",
                f"{s} / {p} is given twice (also on {table.row_word} {first[s, p]})",
            )
        first[s, p] = number
        out.setdefault(s, {})[p] = _number(table, number, row, "per_week", "referrals a week")
        places[(s,)] = places.get((s,)) or table.location(number, "site")
        places[(s, p)] = table.location(number, "per_week")
    return out, places


def _site_rows(table: Table, site: str) -> list[tuple[int, dict[str, Any]]]:
    if "site" not in table.columns:
        return list(table.rows)
    rows = [(n, r) for n, r in table.rows if str(r.get("site") or "").strip() == site]
    if not rows:
        sites = sorted(
            {str(r.get("site")).strip() for _n, r in table.rows if not _blank(r.get("site"))}
        )
        near = did_you_mean(site, sites)
        hint = f"; did you mean {near!r}?" if near else f" (sites in it: {', '.join(sites[:10])})"
        raise ScenarioError(f"{table.where}: no row for the site {site!r}{hint}.", file=table.where)
    return rows


def beds_from(table: Table, site: str) -> tuple[dict, dict]:
    """``[site,] general[, elective, turnaround]`` -> the site's beds and their places."""
    _need_columns(table, ("general",))
    rows = _site_rows(table, site)
    if len(rows) > 1:
        lines = ", ".join(str(n) for n, _r in rows[:5])
        raise table.error(
            rows[1][0],
            "site" if "site" in table.columns else None,
            f"the beds of {site} are given on several {table.row_word}s ({lines}); give one",
        )
    number, row = rows[0]
    beds: dict[str, Any] = {}
    places: dict[tuple, Location] = {(): table.location(number)}
    for column in ("general", "elective"):
        if column in table.columns and not _blank(row.get(column)):
            beds[column] = _number(table, number, row, column, "a number of beds", whole=True)
            places[(column,)] = table.location(number, column)
    if "turnaround" in table.columns and not _blank(row.get("turnaround")):
        beds["turnaround"] = str(row["turnaround"]).strip()
        places[("turnaround",)] = table.location(number, "turnaround")
    return beds, places


def theatres_from(table: Table, site: str) -> tuple[dict, dict]:
    """``[site,] theatre, days, slot, specialty[, count]`` -> the site's theatres (sessions
    in row order) and their places."""
    _need_columns(table, ("theatre", "days", "slot", "specialty"))
    theatres: dict[str, dict[str, Any]] = {}
    places: dict[tuple, Location] = {}
    for number, row in _site_rows(table, site):
        name = _text(table, number, row, "theatre")
        theatre = theatres.setdefault(name, {"sessions": []})
        if (name,) not in places:
            places[(name,)] = table.location(number, "theatre")
        if "count" in table.columns and not _blank(row.get("count")):
            count = _number(table, number, row, "count", "a number of theatres", whole=True)
            if theatre.setdefault("count", count) != count:
                raise table.error(
                    number,
                    "count",
                    f"theatre {name} has count {theatre['count']} on an earlier "
                    f"{table.row_word} and {count} here; give one count per theatre",
                )
            places[(name, "count")] = table.location(number, "count")
        i = len(theatre["sessions"])
        theatre["sessions"].append(
            {
                "days": _days(table, number, row),
                "slot": _text(table, number, row, "slot"),
                "specialty": _text(table, number, row, "specialty"),
            }
        )
        places[(name, "sessions", i)] = table.location(number)
        for column in ("days", "slot", "specialty"):
            places[(name, "sessions", i, column)] = table.location(number, column)
    return theatres, places


# -- finding and replacing the references in a scenario ----------------------------------------


def _kind(path: tuple[Any, ...]) -> str | None:
    if path == ("demand", "referrals"):
        return "referrals"
    if len(path) == 3 and path[0] == "sites" and path[2] in ("beds", "theatres"):
        return path[2]
    return None


def _references(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], dict]]:
    if isinstance(data, dict):
        if FROM_FILE in data:
            yield path, data
            return
        for key, value in data.items():
            yield from _references(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _references(value, (*path, i))


def has_sheets(data: Any) -> bool:
    """Whether scenario data names a spreadsheet anywhere (``from_file``)."""
    return next(_references(data), None) is not None


def _file_rank(loaded: LoadedYaml, path: tuple[Any, ...]) -> int:
    """How derived the file that wrote ``path`` is (0: the file named on the command line)."""
    loc = loaded.locations.get(path)
    if loc is None or loc.file not in loaded.files:  # also: built in code
        return 0
    return loaded.files.index(loc.file)


def _overlay(base: dict, top: dict) -> dict:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _overlay(out[key], value)
        else:
            out[key] = value
    return out


def resolve_sheets(loaded: LoadedYaml) -> None:
    """Replace every ``{from_file: ..., sheet: ...}`` in the scenario by the values read.

    Raises ``ScenarioError`` naming the YAML line for a reference in the wrong place or
    to a missing file, and the file, sheet, row and column for a problem in a sheet.
    """
    from .errors import error_at

    for path, ref in list(_references(loaded.data)):
        kind = _kind(path)
        where = format_path(path)
        if kind is None:
            raise error_at(
                loaded,
                (*path, FROM_FILE),
                "from_file can give only demand.referrals, a site's beds and a site's "
                f"theatres, not {where}",
            )
        name = ref.get(FROM_FILE)
        sheet = ref.get(SHEET)
        extra = [k for k in ref if k not in (FROM_FILE, SHEET)]
        rank = _file_rank(loaded, (*path, FROM_FILE))
        mine = [k for k in extra if _file_rank(loaded, (*path, k)) == rank]
        if mine:
            raise error_at(
                loaded,
                (*path, mine[0]),
                f"{where} names a sheet (from_file) and gives values too; give one or the "
                "other (in a file with extends, from_file: null replaces an inherited sheet)",
            )
        if not isinstance(name, str) or not name.strip():
            raise error_at(loaded, (*path, FROM_FILE), "from_file should name a .csv or .xlsx file")
        if sheet is not None and not isinstance(sheet, str | int):
            raise error_at(loaded, (*path, SHEET), "sheet should be the name of a sheet")
        loc = loaded.locations.get((*path, FROM_FILE))
        # In code (no file): relative to the working directory.
        yaml_file = loc.file if loc else (loaded.files[0] if loaded.files else "scenario")
        file = resolve_path(yaml_file, name.strip())
        if not os.path.isfile(file):
            raise error_at(
                loaded,
                (*path, FROM_FILE),
                f"the spreadsheet {shown(name.strip())} does not exist (from_file is "
                "relative to the YAML file that names it)",
            )
        table = read_table(file, None if sheet is None else str(sheet), file)
        if kind == "referrals":
            values, places = referrals_from(table)
        elif kind == "beds":
            values, places = beds_from(table, str(path[1]))
        else:
            values, places = theatres_from(table, str(path[1]))
        # Values a more derived file gives change what the sheet says.
        later = {k: ref[k] for k in extra if _file_rank(loaded, (*path, k)) < rank}
        values = _overlay(values, later)
        _set(loaded.data, path, values)
        for sub, place in places.items():
            if not _under_any(sub, later):
                loaded.locations[(*path, *sub)] = place


def _under_any(sub: tuple[Any, ...], later: dict) -> bool:
    """The place is of a value a later file gave (it keeps its YAML line)."""
    node: Any = later
    for part in sub:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _set(data: dict, path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value
