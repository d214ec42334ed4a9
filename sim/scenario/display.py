"""How a scenario shows itself: one line for ``repr``, a compact table for Jupyter.

Typing ``sc`` in a notebook shows the sites with their trust, theatres, beds and demand,
instead of pydantic's every field of every part.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from sim.text import printable, sig

from .units import describe_duration

__all__ = ["html_table", "scenario_html", "scenario_repr"]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _outline(sc: Any) -> str:
    """``4 trusts, 6 sites, 9 procedures; 108 weeks, warm-up 4 weeks``."""
    parts = [
        _plural(len(sc.trusts), "trust"),
        _plural(len(sc.sites), "site"),
        _plural(len(sc.procedures), "procedure"),
    ]
    when = describe_duration(sc.horizon)
    if sc.warm_up:
        when += f", warm-up {describe_duration(sc.warm_up)}"
    return f"{', '.join(parts)}; {when}"


def scenario_repr(sc: Any) -> str:
    """``<Scenario 'name': 4 trusts, 6 sites, 9 procedures; 108 weeks, warm-up 4 weeks>``."""
    name = printable(sc.name)
    name = name if len(name) <= 60 else name[:59] + "…"
    return f"<Scenario {name!r}: {_outline(sc)}>"


def html_table(
    header: Sequence[str], rows: Sequence[Sequence[Any]], caption: str = "", note: str = ""
) -> str:
    """A small HTML table (cells escaped; numbers right-aligned), a caption and a note."""
    esc = html.escape

    def cell(tag: str, value: Any) -> str:
        text = value if isinstance(value, str) else sig(value)
        right = (
            "" if isinstance(value, str) and not _numberish(value) else ' style="text-align:right"'
        )
        return f"<{tag}{right}>{esc(text)}</{tag}>"

    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(cell("td", v) for v in row) + "</tr>" for row in rows)
    cap = f"<caption style='text-align:left'>{esc(caption)}</caption>" if caption else ""
    tail = f"<p style='font-size:85%'>{esc(note)}</p>" if note else ""
    return (
        f"<div><table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{tail}</div>"
    )


_FIGURES = re.compile(r"[-+–−]?[\d,.]+( \([-+–−\d,.]+ to [-+–−\d,.]+\))?( \*)?")


def _numberish(text: str) -> bool:
    """A figure written as text (``+1,200 (+900 to +1,500) *``): aligned right."""
    return bool(_FIGURES.fullmatch(text)) or text == "–"


def scenario_html(sc: Any) -> str:
    """The scenario's sites as a table: trust, theatres, beds, referrals and emergencies."""
    rows = []
    for sid, site in sc.sites.items():
        theatres = sum(t.count for t in site.theatres.values())
        beds = site.beds
        per_week = [
            line.per_week
            for line in sc.demand.referrals.get(sid, {}).values()
            if line.per_week is not None
        ]
        emergency = site.emergency.admissions_per_day if site.emergency else None
        rows.append(
            [
                site.name or sid,
                sc.trusts[site.trust].name if site.trust in sc.trusts else site.trust,
                theatres or "–",
                beds.general if beds else "–",
                beds.elective if beds and beds.elective else "–",
                sum(per_week) if per_week else "–",
                emergency if emergency is not None else "–",
                ", ".join(site.units) or "–",
            ]
        )
    header = [
        "site",
        "trust",
        "theatres",
        "general beds",
        "ring-fenced elective beds",
        "referrals a week",
        "emergency admissions a day",
        "other units",
    ]
    caption = f"{sc.name}: {_outline(sc)}"
    note = (
        "sc.with_values({'sites.SITE.beds.general': 30}) makes a changed copy, checked as a "
        "file is; sc.model_dump() gives every field."
    )
    return html_table(header, rows, caption, note)
