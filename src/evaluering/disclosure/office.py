"""Excel (``.xlsx``) and Word (``.docx``) files read as HTML for the audit.

:func:`office_html` turns every sheet of a workbook and every table and paragraph of a
Word document into HTML tables and paragraphs, keeping the library's markers: a cell in the
style *Antal* becomes ``class="ev-count" data-count``, one in the style *Undertrykt*
``class="ev-suppressed"`` (the styles :mod:`evaluering.reporting.office` writes). The audit
then checks these files with its HTML rules: small marked counts, count-named columns,
person identifiers, CPR numbers. A file that cannot be opened raises ``ValueError`` (the
audit reports it as unreadable).

>>> import io, openpyxl, tempfile, pathlib
>>> wb = openpyxl.Workbook(); ws = wb.active; ws.append(["area", "count"]); ws.append(["A", 2])
>>> p = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"; wb.save(p)
>>> "<td>2</td>" in office_html(p)
True
"""

from __future__ import annotations

import html as _html
from pathlib import Path

__all__ = ["OFFICE_SUFFIXES", "office_html", "COUNT_STYLE", "SUPPRESSED_STYLE"]

OFFICE_SUFFIXES = (".xlsx", ".docx")
COUNT_STYLE = "Antal"
SUPPRESSED_STYLE = "Undertrykt"


def _cell(text, style: str | None, tag: str = "td") -> str:
    value = "" if text is None else str(text)
    if isinstance(text, float) and text.is_integer():
        value = str(int(text))
    body = _html.escape(value)
    if style == COUNT_STYLE:
        body = f'<span class="ev-count" data-count="{_html.escape(value)}">{body}</span>'
    elif style == SUPPRESSED_STYLE:
        body = f'<span class="ev-suppressed" data-suppressed="primary">{body}</span>'
    return f"<{tag}>{body}</{tag}>"


def _xlsx_html(path: Path) -> str:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=False, data_only=True)
    except Exception as err:  # a damaged or foreign file
        raise ValueError(f"not a readable workbook ({type(err).__name__})") from None
    out = []
    for ws in wb.worksheets:
        rows = [r for r in ws.iter_rows() if any(c.value not in (None, "") for c in r)]
        # the header is the first row with at least two filled cells (report sheets start
        # with a caption line)
        head_i = next((i for i, r in enumerate(rows) if sum(c.value not in (None, "") for c in r) >= 2), 0)
        out.append(f"<h2>{_html.escape(ws.title)}</h2>")
        for r in rows[:head_i]:
            out.append("<p>" + " ".join(_html.escape(str(c.value)) for c in r if c.value is not None) + "</p>")
        if not rows:
            continue
        table = ["<table><thead><tr>" + "".join(_cell(c.value, None, "th") for c in rows[head_i]) + "</tr></thead><tbody>"]
        for r in rows[head_i + 1:]:
            table.append("<tr>" + "".join(_cell(c.value, c.style if c.style != "Normal" else None) for c in r) + "</tr>")
        table.append("</tbody></table>")
        out.append("".join(table))
    return "\n".join(out)


def _run_style(run) -> str | None:
    style = run.style
    return style.name if style is not None and style.name in (COUNT_STYLE, SUPPRESSED_STYLE) else None


def _docx_html(path: Path) -> str:
    from docx import Document

    try:
        doc = Document(str(path))
    except Exception as err:
        raise ValueError(f"not a readable Word document ({type(err).__name__})") from None
    out = []
    body = doc.element.body
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append("<p>" + _html.escape(Paragraph(child, doc).text) + "</p>")
        elif tag == "tbl":
            t = Table(child, doc)
            rows = []
            for i, row in enumerate(t.rows):
                cells = []
                for c in row.cells:
                    runs = [r for p in c.paragraphs for r in p.runs]
                    style = next((s for s in map(_run_style, runs) if s), None)
                    cells.append(_cell(c.text, style, "th" if i == 0 else "td"))
                rows.append("<tr>" + "".join(cells) + "</tr>")
            if rows:
                out.append(f"<table><thead>{rows[0]}</thead><tbody>{''.join(rows[1:])}</tbody></table>")
    return "\n".join(out)


def office_html(path: str | Path) -> str:
    """An ``.xlsx`` or ``.docx`` file as HTML with the audit's markers."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _xlsx_html(path)
    if suffix == ".docx":
        return _docx_html(path)
    raise ValueError(f"not an Office file ({suffix})")
