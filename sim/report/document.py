"""A report as data: sections of headings, paragraphs, tables and figures.

A page of the report (a run, a comparison) is built once as a :class:`Report` and then
rendered: to one self-contained HTML file (:mod:`.html`), which Chromium prints to PDF
(:mod:`.pdf`), and to a Word document (:mod:`.word`). Every text here is plain text; the
renderers escape it. :class:`Html` carries markup that is already safe (the model
description is written as HTML); the Word renderer converts its headings, paragraphs,
lists and tables.

A :class:`Section` marked ``printed=False`` is for the screen only: the printed report and
the Word document leave it out (per-site tables, every plot of every scenario, the
scenario files), so that a two-scenario comparison prints in a few pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Heading:
    """A heading inside a section (level 3 or 4; sections are level 2)."""

    text: str
    level: int = 3


@dataclass
class Paragraph:
    """A paragraph of plain text; ``cls`` styles it (``lead``, ``meta``, ``note``,
    ``finding``)."""

    text: str
    cls: str = ""


@dataclass
class Bullets:
    """A bulleted list of plain-text items."""

    items: list[str]
    cls: str = ""


@dataclass
class Cell:
    """A table cell: ``text``, optionally ``sub`` in small type under it (an interval);
    ``num`` right-aligns it, ``strong`` sets it in bold."""

    text: str
    sub: str = ""
    num: bool = False
    strong: bool = False


@dataclass
class Row:
    """A table row; ``cls`` and ``data`` (``data-*`` attributes) mark it for tests and
    style sheets."""

    cells: list[Cell | str]
    cls: str = ""
    data: dict[str, str] = field(default_factory=dict)


@dataclass
class Table:
    """A table with a header row; ``note`` is printed under it."""

    headers: list[str]
    rows: list[Row]
    cls: str = ""
    note: str = ""


@dataclass
class Figure:
    """A PNG image with its caption; ``name`` is the plot's file name."""

    png: bytes
    caption: str
    name: str = ""


@dataclass
class Html:
    """Markup that is already safe (escaped where it holds text from a file)."""

    html: str


@dataclass
class Details:
    """Blocks folded away on screen under ``summary`` (shown open when ``open``)."""

    summary: str
    blocks: list[Block]
    open: bool = False


Block = Heading | Paragraph | Bullets | Table | Figure | Html | Details


@dataclass
class Section:
    """A titled part of the report. ``printed=False``: screen only (left out of the PDF
    and DOCX); ``page_break``: the printed report starts a new page after it."""

    title: str
    blocks: list[Block]
    printed: bool = True
    page_break: bool = False


@dataclass
class Report:
    """A whole report: its title, the lines under the title, and its sections."""

    title: str
    sections: list[Section]
    lead: str = ""
    meta: str = ""

    def printed(self) -> Report:
        """The report as printed and exported to Word: screen-only sections left out."""
        keep = [s for s in self.sections if s.printed]
        return Report(self.title, keep, self.lead, self.meta)


def cell_text(c: Cell | str) -> str:
    """A cell's text on one line (its small-type part in brackets)."""
    if isinstance(c, str):
        return c
    return f"{c.text} ({c.sub})" if c.sub else c.text
