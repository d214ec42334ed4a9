"""Small HTML and wording helpers for reports: escaping, tables, durations, distributions.

Everything that comes from a scenario or a results file goes through :func:`esc`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from ..scenario.schema import DelayedDischarge, Scenario


def esc(x: object) -> str:
    """Text from a scenario or a file, made safe for HTML."""
    return escape(str(x), quote=True)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], cls: str = "") -> str:
    """An HTML table; every cell is escaped."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    attr = f' class="{esc(cls)}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def dur(days: float) -> str:
    """A duration in the unit a planner would say it in."""
    minutes = days * 1440
    if minutes < 120:
        return f"{minutes:.3g} min"
    if days < 1:
        return f"{days * 24:.3g} hours"
    if days >= 14 and abs(days / 7 - round(days / 7)) < 1e-9:
        return f"{round(days / 7)} weeks"
    return "1 day" if days == 1 else f"{days:.3g} days"


def dist(d: Any) -> str:
    """A time distribution in words: ``lognormal, mean 3 days, sd 2 days``."""
    kind = d.dist
    if kind == "fixed":
        return f"fixed {dur(d.value)}"
    if kind == "exponential":
        return f"exponential, mean {dur(d.mean)}"
    if kind in ("lognormal", "gamma"):
        return f"{kind}, mean {dur(d.mean)}, sd {dur(d.sd)}"
    if kind == "triangular":
        return f"triangular, low {dur(d.low)}, mode {dur(d.mode)}, high {dur(d.high)}"
    if kind == "uniform":
        return f"uniform, {dur(d.low)} to {dur(d.high)}"
    return f"empirical, {len(d.values)} values, mean {dur(d.mean)}"


def delay(d: DelayedDischarge | None) -> str:
    return "none" if d is None else f"{d.probability:.0%} of patients, extra {dist(d.extra)}"


def profile(values: Sequence[float] | None, labels: Sequence[str]) -> str:
    if values is None:
        return "flat"
    return ", ".join(f"{lab} {v:g}" for lab, v in zip(labels, values, strict=True))


def html_list(items: Iterable[str]) -> str:
    """An HTML list of already-escaped items."""
    return "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def site_name(sc: Scenario, sid: str) -> str:
    """A site as a planner names it: ``Cannock Chase (cannock)``, or its id."""
    s = sc.sites[sid]
    return f"{s.name} ({sid})" if s.name else sid


def mix(shares: dict[str, float]) -> str:
    """A priority mix in brackets: ``(P2 20%, P4 80%)``."""
    return "(" + ", ".join(f"{k} {v:.0%}" for k, v in shares.items()) + ")"


def flow_boxes(*steps: str, minor: bool = False) -> str:
    """Steps of a pathway as boxes joined by arrows (``minor``: dashed boxes, no arrows)."""
    arrow = "" if minor else '<i class="arrow">→</i>'
    boxes = arrow.join(f"<span>{esc(x)}</span>" for x in steps)
    return f'<div class="flow{" minor" if minor else ""}">{boxes}</div>'


def share_text(x: float) -> str:
    """A share of a total as a whole percentage ('42%'; '–' when there is none)."""
    return "–" if x != x else f"{round(100 * x) + 0}%"
