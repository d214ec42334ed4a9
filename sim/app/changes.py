"""What changed against the base scenario: a table for the planner, and the same changes as
a scenario file that ``extends`` the base (the way shipped variants are written)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import yaml

from .form import dotted, text_of

ABSENT = "(not set)"


def _is_leaf(value: Any) -> bool:
    if isinstance(value, dict):
        return not value
    if isinstance(value, list):
        return all(not isinstance(v, dict | list) for v in value)
    return True


def flatten(data: Any, prefix: tuple = ()) -> dict[str, Any]:
    """Every leaf value by dotted path; lists of plain values are one leaf."""
    if _is_leaf(data):
        return {dotted(prefix): data} if prefix else {}
    items = data.items() if isinstance(data, dict) else enumerate(data)
    out: dict[str, Any] = {}
    for key, value in items:
        out.update(flatten(value, (*prefix, key)))
    return out


def _show(value: Any) -> str:
    if value is _MISSING:
        return ABSENT
    if isinstance(value, list):
        return ", ".join(text_of(v) for v in value) if value else "[]"
    return text_of(value) if value != "" else '""'


_MISSING = object()


def changes(base: dict[str, Any], now: dict[str, Any]) -> pd.DataFrame:
    """One row per changed field: ``field, base, now`` (values as a planner writes them)."""
    old, new = flatten(base), flatten(now)
    rows = []
    for path in list(dict.fromkeys([*old, *new])):
        a, b = old.get(path, _MISSING), new.get(path, _MISSING)
        if a is _MISSING or b is _MISSING or a != b:
            rows.append((path, _show(a), _show(b)))
    return pd.DataFrame(rows, columns=["field", "base", "now"])


def overlay(base: dict[str, Any], now: dict[str, Any]) -> dict[str, Any]:
    """The mapping that, merged onto ``base`` as ``extends`` merges, gives ``now``: mappings
    merge key by key, anything else replaces, and ``null`` removes a key."""
    out: dict[str, Any] = {}
    for key in dict.fromkeys([*base, *now]):
        if key not in now:
            out[key] = None
        elif key not in base:
            out[key] = now[key]
        elif isinstance(base[key], dict) and isinstance(now[key], dict):
            inner = overlay(base[key], now[key])
            if inner:
                out[key] = inner
        elif base[key] != now[key]:
            out[key] = now[key]
    return out


def variant_yaml(base_file: str, base: dict[str, Any], now: dict[str, Any]) -> str:
    """A scenario file stating only what differs from ``base_file`` (kept beside it)."""
    diff = overlay(base, now)
    head = (
        f"# Built in the hubsim app from {base_file}: only what differs.\n"
        f"# Keep it in the same folder as {base_file}.\n"
    )
    body = yaml.safe_dump(
        {"extends": base_file, **diff}, sort_keys=False, allow_unicode=True, width=100
    )
    return head + body


def scenario_yaml(data: dict[str, Any], source: str = "") -> str:
    """The whole scenario as a YAML file."""
    head = f"# Built in the hubsim app{f' from {source}' if source else ''}.\n"
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
