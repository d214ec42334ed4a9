"""Files a scenario names besides its YAML (the backlog CSV, spreadsheets): checked for size
before anything is read."""

from __future__ import annotations

import os

from .errors import ScenarioError

__all__ = ["bounded_stat"]


def bounded_stat(
    path: str, max_bytes: int, what: str, shown_as: str | None = None
) -> os.stat_result:
    """The file's ``os.stat``, or a ``ScenarioError`` naming it if it cannot be read or is
    larger than ``max_bytes`` (``what``: ``the waiting-list CSV``, ``the spreadsheet``)."""
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise ScenarioError.at(
            f"cannot read {what}: {exc.strerror}", file=shown_as or path
        ) from None
    if stat.st_size > max_bytes:
        raise ScenarioError.at(
            f"{what} is {stat.st_size / 1024 / 1024:.0f} MB; it may be at most "
            f"{max_bytes // (1024 * 1024)} MB",
            file=shown_as or path,
        )
    return stat
