"""One self-contained HTML report from a results folder: ``hubsim report RESULTS_DIR``.

The report is built as data (:mod:`.pages`, from the files a run leaves, never from
memory) and rendered here: plots embedded as base64 PNG data, the style sheet inline,
every piece of text escaped, so the file can be e-mailed as it is. The style sheet lays
the page out for print too: the summary fills page one, screen-only sections (per-site
tables, every scenario's plots, the scenario files, the model description) are left out,
and Chromium prints it to PDF (:mod:`.pdf`).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
from pathlib import Path

from ..experiment.output import atomic_write_text
from .document import (
    Block,
    Bullets,
    Cell,
    Details,
    Figure,
    Heading,
    Html,
    Paragraph,
    Report,
    Row,
    Section,
    Table,
)
from .folders import ReportError, RunFolder, read_comparison, read_run
from .htmltext import esc
from .pages import report_for

__all__ = [
    "REPORT_NAME",
    "ReportError",
    "RunFolder",
    "build_report",
    "read_comparison",
    "read_run",
    "render",
    "to_html",
]

REPORT_NAME = "report.html"


def _anchor(title: str) -> str:
    return "s-" + "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")


def _cell(c: Cell | str, tag: str = "td") -> str:
    if isinstance(c, str):
        return f"<{tag}>{esc(c)}</{tag}>"
    cls = " ".join(x for x, on in (("num", c.num), ("sig", c.strong)) if on)
    attr = f' class="{cls}"' if cls else ""
    sub = f'<br><span class="ci">{esc(c.sub)}</span>' if c.sub else ""
    return f"<{tag}{attr}>{esc(c.text)}{sub}</{tag}>"


def _row(r: Row) -> str:
    attrs = f' class="{esc(r.cls)}"' if r.cls else ""
    attrs += "".join(f' data-{esc(k)}="{esc(v)}"' for k, v in r.data.items())
    return f"<tr{attrs}>{''.join(_cell(c) for c in r.cells)}</tr>"


def block_html(b: Block) -> str:
    """One block as HTML (text escaped)."""
    if isinstance(b, Heading):
        return f"<h{b.level}>{esc(b.text)}</h{b.level}>"
    if isinstance(b, Paragraph):
        return f"<p class='{esc(b.cls)}'>{esc(b.text)}</p>" if b.cls else f"<p>{esc(b.text)}</p>"
    if isinstance(b, Bullets):
        items = "".join(f"<li>{esc(i)}</li>" for i in b.items)
        return f'<ul class="{esc(b.cls)}">{items}</ul>' if b.cls else f"<ul>{items}</ul>"
    if isinstance(b, Table):
        head = "".join(f"<th>{esc(h)}</th>" for h in b.headers)
        body = "".join(_row(r) for r in b.rows)
        cls = f' class="{esc(b.cls)}"' if b.cls else ""
        note = f"<p class='note'>{esc(b.note)}</p>" if b.note else ""
        return (
            f"<div class='wide'><table{cls}><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table></div>{note}"
        )
    if isinstance(b, Figure):
        src = "data:image/png;base64," + base64.b64encode(b.png).decode("ascii")
        return (
            f'<figure><img src="{src}" alt="{esc(b.caption)}" data-plot="{esc(b.name)}">'
            f"<figcaption>{esc(b.caption)}</figcaption></figure>"
        )
    if isinstance(b, Html):
        return b.html
    if isinstance(b, Details):
        inner = "".join(block_html(x) for x in b.blocks)
        opened = " open" if b.open else ""
        return f"<details{opened}><summary>{esc(b.summary)}</summary>{inner}</details>"
    raise TypeError(f"not a report block: {b!r}")


def section_html(s: Section) -> str:
    cls = " ".join(x for x, on in (("screen-only", not s.printed), ("page-break", s.page_break))
                   if on)  # fmt: skip
    attr = f' class="{cls}"' if cls else ""
    body = "\n".join(block_html(b) for b in s.blocks)
    head = f'<section id="{esc(_anchor(s.title))}"{attr}><h2>{esc(s.title)}</h2>'
    return f"{head}\n{body}\n</section>"


def to_html(report: Report) -> str:
    """The whole report as one HTML document: inline style sheet, no external resources."""
    lead = f"<p class='lead'>{esc(report.lead)}</p>" if report.lead else ""
    meta = f"<p class='meta'>{esc(report.meta)}</p>" if report.meta else ""
    links = "".join(
        f'<a href="#{esc(_anchor(s.title))}">{esc(s.title)}</a>' for s in report.sections
    )
    body = "\n".join(
        [
            f"<header><h1>{esc(report.title)}</h1>{lead}{meta}</header>",
            f"<nav>{links}</nav>",
            *(section_html(s) for s in report.sections),
        ]
    )
    return render(report.title, body)


def render(title: str, body: str) -> str:
    """The whole HTML document around ``body``: inline style sheet, no external resources."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body><main>\n{body}\n"
        f"<footer>Report written {esc(now)} by hubsim. The printed report leaves out the "
        "per-site tables, each scenario's own plots and files and the model description: "
        "see the HTML report.</footer></main></body></html>\n"
    )


def build_report(folder: str | os.PathLike[str], out: str | os.PathLike[str] | None = None) -> Path:
    """Write ``report.html`` for a run, comparison or sweep folder (atomically); returns
    its path."""
    path = Path(folder)
    target = Path(out) if out is not None else path / REPORT_NAME
    if target.is_dir():
        raise ReportError(f"--out {target} is a folder; give a file name such as report.html")
    report = report_for(path)
    try:
        atomic_write_text(target, to_html(report))
    except OSError as exc:
        raise ReportError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target


CSS = """
:root { --ink: #1d2433; --muted: #5b6475; --line: #d8dde6; --accent: #005eb8;
  --band: #f3f6fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial,
  sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 60px; }
header h1 { font-size: 1.6em; margin: 0 0 4px; color: var(--accent); }
.lead { font-size: 1.05em; margin: 4px 0; }
.meta, .note, figcaption, footer { color: var(--muted); font-size: 0.9em; }
nav { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line);
  padding: 8px 0; margin: 12px 0 8px; z-index: 2; }
nav a { color: var(--accent); text-decoration: none; margin-right: 18px; font-size: 0.92em; }
nav a:hover { text-decoration: underline; }
section { margin-top: 28px; }
h2 { font-size: 1.3em; border-bottom: 2px solid var(--accent); padding-bottom: 3px; }
h3 { font-size: 1.1em; margin: 22px 0 6px; }
h4 { font-size: 0.98em; margin: 14px 0 4px; color: var(--accent); }
table { border-collapse: collapse; margin: 8px 0 14px; font-size: 0.9em; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left;
  vertical-align: top; }
th { background: var(--band); font-weight: 600; }
tbody tr:nth-child(even) { background: #fafbfd; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.sig { font-weight: 700; }
td.desc { color: var(--muted); }
p.like-for-like { font-weight: 600; }
tr.headline td { font-weight: 600; }
tr.headline td.desc { font-weight: 400; }
.ci { color: var(--muted); font-size: 0.85em; }
.wide { overflow-x: auto; }
table.sites td, table.sites th { font-size: 0.85em; }
table.compact td { font-size: 0.88em; padding: 2px 8px; }
table.prov td:first-child { color: var(--muted); }
figure { margin: 16px 0 24px; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
details { margin: 8px 0; }
summary { cursor: pointer; color: var(--accent); }
pre { background: var(--band); padding: 12px; overflow-x: auto; font-size: 0.82em;
  max-height: 520px; }
code { font-size: 0.92em; }
.flow { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 6px 0; }
.flow span { border: 1px solid var(--accent); border-radius: 4px; padding: 3px 8px;
  font-size: 0.85em; background: #eef4fb; }
.flow i.arrow { font-style: normal; color: var(--muted); }
.flow.minor span { border-style: dashed; background: #fff; }
.stress-item { margin-left: 12px; }
footer { margin-top: 40px; border-top: 1px solid var(--line); padding-top: 8px; }
ul.findings li, ul.changes li { margin: 3px 0; }
p.lead { font-size: 1.02em; }
table.summary td.num { white-space: normal; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 9.5pt; line-height: 1.35; }
  header h1 { font-size: 15pt; }
  header .meta { display: none; }
  h2 { font-size: 12.5pt; margin: 6px 0; }
  h3 { font-size: 10.5pt; margin: 10px 0 4px; }
  p { margin: 4px 0; }
  ul.findings li, ul.changes li { margin: 1px 0; }
  main { max-width: none; padding: 0; }
  nav, .screen-only { display: none; }
  .page-break { break-after: page; }
  section { margin-top: 14px; }
  h2 { break-after: avoid; }
  h3, h4 { break-after: avoid; }
  table { font-size: 8.5pt; }
  th, td { padding: 2px 6px; }
  tr, figure { break-inside: avoid; }
  figure img { max-height: 150mm; width: auto; border: none; }
  .wide { overflow: visible; }
}
"""
