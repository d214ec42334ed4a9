"""The report as a Word document for board papers (python-docx), as PathSimR offers Word.

The same :class:`~sim.report.document.Report` as the HTML and printed reports, as printed
(screen-only sections left out): the summary on page one, then the tables and figures,
each table a Word table (header row repeated on every page) and each figure a picture
with its caption, so a planner can cut and paste sections into their own paper.
"""

from __future__ import annotations

import io
import os
import re
from html.parser import HTMLParser
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..experiment.output import atomic_write
from .document import Block, Bullets, Cell, Details, Figure, Heading, Html, Paragraph, Report, Table
from .pages import report_for

DOCX_NAME = "report.docx"
_MUTED = RGBColor(0x5B, 0x64, 0x75)


class _Text(HTMLParser):
    """The text of trusted report markup, one paragraph per block element."""

    BLOCKS = {"p", "li", "h3", "h4", "tr", "pre", "summary", "div"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.now: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self.BLOCKS:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.flush()
        elif tag in ("td", "th"):
            self.now.append(" | ")

    def handle_data(self, data: str) -> None:
        self.now.append(data)

    def flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.now)).strip(" |")
        if text:
            self.parts.append(text)
        self.now = []


def _repeat_header(row) -> None:
    props = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    props.append(flag)


def _fill(cell, c: Cell | str, header: bool = False) -> None:
    text, sub, num, strong = (c, "", False, header) if isinstance(c, str) else (
        c.text, c.sub, c.num, c.strong or header)  # fmt: skip
    p = cell.paragraphs[0]
    run = p.add_run(text)
    run.bold = strong
    run.font.size = Pt(8.5)
    if sub:
        small = p.add_run("\n" + sub)
        small.font.size = Pt(7)
        small.font.color.rgb = _MUTED
    if num:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _table(doc, t: Table) -> None:
    table = doc.add_table(rows=1, cols=len(t.headers))
    table.style = "Light Grid Accent 1"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, h in zip(table.rows[0].cells, t.headers, strict=True):
        _fill(cell, h, header=True)
    _repeat_header(table.rows[0])
    for r in t.rows:
        cells = table.add_row().cells
        for cell, c in zip(cells, r.cells, strict=False):
            _fill(cell, c)
    if t.note:
        _note(doc, t.note)


def _note(doc, text: str) -> None:
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.font.size = Pt(8)
    run.font.color.rgb = _MUTED


def _block(doc, b: Block) -> None:
    if isinstance(b, Heading):
        doc.add_heading(b.text, level=min(b.level - 1, 4))
    elif isinstance(b, Paragraph):
        if b.cls in ("meta", "note"):
            _note(doc, b.text)
        else:
            p = doc.add_paragraph()
            p.add_run(b.text).bold = b.cls == "like-for-like"
    elif isinstance(b, Bullets):
        for item in b.items:
            doc.add_paragraph(item, style="List Bullet")
    elif isinstance(b, Table):
        _table(doc, b)
    elif isinstance(b, Figure):
        doc.add_picture(io.BytesIO(b.png), width=Cm(16))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        doc.add_paragraph(b.caption, style="Caption")
    elif isinstance(b, Details):
        doc.add_heading(b.summary, level=3)
        for x in b.blocks:
            _block(doc, x)
    elif isinstance(b, Html):
        parser = _Text()
        parser.feed(b.html)
        parser.flush()
        for text in parser.parts:
            doc.add_paragraph(text)
    else:
        raise TypeError(f"not a report block: {b!r}")


def to_docx(report: Report) -> bytes:
    """The report as printed (screen-only sections left out), as a .docx file's bytes."""
    doc = Document()
    for s in doc.sections:  # A4, 2 cm margins
        s.page_height, s.page_width = Cm(29.7), Cm(21.0)
        s.left_margin = s.right_margin = s.top_margin = s.bottom_margin = Cm(2)
    doc.styles["Normal"].font.size = Pt(10)
    doc.core_properties.title = report.title
    doc.core_properties.author = "hubsim"
    doc.add_heading(report.title, level=0)
    if report.lead:
        doc.add_paragraph(report.lead)
    printed = report.printed()
    for i, section in enumerate(printed.sections):
        doc.add_heading(section.title, level=1)
        for b in section.blocks:
            _block(doc, b)
        if section.page_break and i < len(printed.sections) - 1:
            doc.add_page_break()
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def build_docx(folder: str | os.PathLike[str], out: str | os.PathLike[str] | None = None) -> Path:
    """Write ``report.docx`` for a run, comparison or sweep folder; returns its path."""
    path = Path(folder)
    data = to_docx(report_for(path))
    target = Path(out) if out is not None else path / DOCX_NAME
    atomic_write(target, lambda tmp: Path(tmp).write_bytes(data))
    return target
