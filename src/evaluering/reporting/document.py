"""The exported HTML report read back as a document: headings, paragraphs, figures and
tables, in order, for the Excel and Word exports (:mod:`.office`).

Reading the finished HTML (not the notebook) means the exports show exactly what the report
shows, after disclosure control: a suppressed cell is its reason (``"< 3"``,
``"diskretioneret"``) and stays marked as suppressed, a count stays marked as a count.

>>> doc = read_document('<main><h2>1. A</h2><table class="ev-table"><caption>T</caption>'
...     '<thead><tr><th>År</th><th>Antal</th></tr></thead><tbody><tr><td>2020</td>'
...     '<td><span class="ev-suppressed">&lt; 3</span></td></tr></tbody></table></main>')
>>> [b.kind for b in doc], doc[1].table.header, doc[1].table.rows[0][1].suppressed
(['heading', 'table'], ['År', 'Antal'], True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["TableCell", "ReportTable", "Block", "read_document", "report_tables"]

_IMG_DATA = re.compile(r'\ssrc="data:[^"]*"')


@dataclass
class TableCell:
    """One cell: its text, whether it is a suppressed value or a marked count."""

    text: str
    suppressed: bool = False
    count: int | None = None
    header: bool = False


@dataclass
class ReportTable:
    """One table of the report: its caption, the section it is in, header and rows."""

    caption: str
    section: str
    header: list[str]
    rows: list[list[TableCell]]


@dataclass
class Block:
    """A heading (``level`` 1-3), a paragraph, a list item, a notice, a figure (``text``:
    its caption, ``alt``: the alt text) or a table."""

    kind: str
    text: str = ""
    level: int = 0
    alt: str = ""
    table: ReportTable | None = None
    bold: list[tuple[int, int]] = field(default_factory=list)


_BLOCKS = {"p": "paragraph", "li": "item", "figcaption": "caption", "h1": "heading", "h2": "heading",
           "h3": "heading", "h4": "heading"}


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.skip = 0
        self.inside_main = False
        self.text: list[str] = []
        self.current: tuple[str, int] | None = None
        self.table: dict | None = None
        self.cell: dict | None = None
        self.figure_alt: str | None = None
        self.notice = 0
        self.section = ""

    # -- text blocks
    def _flush(self, kind: str | None = None, level: int = 0) -> None:
        text = " ".join("".join(self.text).split())
        self.text = []
        if not text:
            return
        if kind is None:
            kind = "notice" if self.notice else "paragraph"
        if kind == "caption" and self.figure_alt is not None:
            self.blocks.append(Block("figure", text=text, alt=self.figure_alt))
            self.figure_alt = None
            return
        self.blocks.append(Block(kind, text=text, level=level))
        if kind == "heading" and level in (2, 3):
            self.section = text

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "main":
            self.inside_main = True
        if not self.inside_main:
            return
        if tag in ("style", "script", "svg"):
            self.skip += 1
            return
        classes = (a.get("class") or "").split()
        if self.table is not None:
            if tag == "caption":
                self.table["in_caption"] = True
            elif tag == "tr":
                self.table["rows"].append([])
            elif tag in ("td", "th"):
                self.cell = {"text": [], "suppressed": False, "count": None, "header": tag == "th"}
            elif self.cell is not None:
                if "ev-suppressed" in classes or "suppressed" in classes or "data-suppressed" in a:
                    self.cell["suppressed"] = True
                if a.get("data-count") not in (None, ""):
                    try:
                        self.cell["count"] = int(a["data-count"])
                    except ValueError:
                        pass
                if tag == "br":
                    self.cell["text"].append(" ")
                elif tag == "sup":   # an origin mark: "4,2 % [o]"
                    self.cell["text"].append(" [")
            return
        if tag == "table":
            self._flush()
            self.table = {"caption": [], "rows": [], "in_caption": False}
        elif tag in _BLOCKS:
            self._flush()
        elif tag == "div" and "ev-notice" in classes:
            self._flush()
            self.notice += 1
        elif tag == "img":
            self.figure_alt = a.get("alt") or ""
        elif tag == "br":
            self.text.append(" ")
        elif tag == "sup":
            self.text.append(" [")

    def handle_endtag(self, tag):
        if not self.inside_main:
            return
        if tag in ("style", "script", "svg"):
            self.skip = max(0, self.skip - 1)
            return
        if self.table is not None:
            if tag == "sup" and self.cell is not None:
                self.cell["text"].append("]")
            elif tag == "caption":
                self.table["in_caption"] = False
            elif tag in ("td", "th") and self.cell is not None:
                text = " ".join("".join(self.cell["text"]).split())
                if self.table["rows"]:
                    self.table["rows"][-1].append(TableCell(text, self.cell["suppressed"], self.cell["count"],
                                                            self.cell["header"]))
                self.cell = None
            elif tag == "table":
                rows = [r for r in self.table["rows"] if r]
                header = rows[0] if rows and all(c.header for c in rows[0]) else []
                body = rows[1:] if header else rows
                caption = " ".join("".join(self.table["caption"]).split())
                self.blocks.append(Block("table", table=ReportTable(caption, self.section,
                                                                    [c.text for c in header], body)))
                self.table = None
            return
        if tag == "sup":
            self.text.append("]")
        elif tag in _BLOCKS:
            level = int(tag[1]) if tag.startswith("h") else 0
            self._flush(_BLOCKS[tag] if tag not in ("p",) else None, level)
        elif tag == "div" and self.notice:
            self._flush()
            self.notice -= 1
        elif tag == "main":
            self._flush()
            self.inside_main = False

    def handle_data(self, data):
        if self.skip or not self.inside_main:
            return
        if self.table is not None:
            if self.table["in_caption"]:
                self.table["caption"].append(data)
            elif self.cell is not None:
                self.cell["text"].append(data)
            return
        self.text.append(data)


def read_document(html: str) -> list[Block]:
    """The blocks of the report's ``<main>`` (the whole text when it has none)."""
    start = html.find("<main")
    if start < 0:
        html = f"<main>{html}</main>"
    else:   # the page's head (the whole JupyterLab style sheet) is not read
        end = html.rfind("</main>")
        html = html[start:end + len("</main>")] if end > start else html[start:]
    html = _IMG_DATA.sub("", html)
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.blocks


def report_tables(html: str) -> list[ReportTable]:
    """Every table of the report, in order."""
    return [b.table for b in read_document(html) if b.kind == "table"]
