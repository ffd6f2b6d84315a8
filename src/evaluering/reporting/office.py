"""The report's exports for editing: every table to Excel (one sheet per table) and the
whole report to Word (``.docx``), both written beside the HTML.

Both are built from the finished HTML (:mod:`.document`), so they hold exactly what the
report shows after disclosure control. Headers are the report's Danish headers; a
suppressed cell holds its reason (``"< 3"``, ``"diskretioneret"``) in the cell style
*Undertrykt* (grey, italic), a count the style *Antal*: :mod:`evaluering.disclosure.office`
reads the styles back, so ``evaluering audit`` checks these files like the HTML. Figures
go to Word as their caption and alt text (the HTML and PDF have the drawings). The files
carry no run date: the same report gives the same bytes.

>>> from evaluering.reporting.document import report_tables
>>> t = report_tables('<table class="ev-table"><thead><tr><th>År</th></tr></thead>'
...                   '<tbody><tr><td>2020</td></tr></tbody></table>')
>>> import openpyxl, io
>>> wb = openpyxl.load_workbook(io.BytesIO(tables_xlsx(t)))
>>> wb.sheetnames, wb.worksheets[1]["A1"].value, wb.worksheets[1]["A3"].value
(['Indhold', '01 Tabel 1'], 'Tabel 1', 'År')
"""

from __future__ import annotations

import io
import re
import zipfile

from .document import Block, ReportTable, read_document

__all__ = ["tables_xlsx", "document_docx", "report_exports", "SUPPRESSED_STYLE", "COUNT_STYLE",
           "LEGEND", "normalise_zip"]

#: cell/character style names that mark suppressed values and counts
SUPPRESSED_STYLE = "Undertrykt"
COUNT_STYLE = "Antal"
LEGEND = ("Undertrykte værdier (diskretionering) står som årsagen: „< 3“ betyder færre end 3, "
          "„diskretioneret“ at tallet er udeladt, så andre udeladte tal ikke kan regnes tilbage. "
          "De er markeret med grå kursiv (typografien „Undertrykt“).")
_NUMBER = re.compile(r"^-?\d{1,3}(?:\.\d{3})*(?:,\d+)?$|^-?\d+(?:,\d+)?$")
_FIXED_DATE = "2000-01-01T00:00:00Z"
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def normalise_zip(data: bytes) -> bytes:
    """An Office file (a zip) with fixed entry times and document dates, so that the same
    content gives the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = body.decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                              lambda m: m.group(1) + _FIXED_DATE + m.group(3), text)
                body = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, body)
    return out.getvalue()


def _number(text: str):
    """A Danish number as a float (``"1.107.000"`` -> 1107000.0), else None."""
    t = text.strip()
    if not _NUMBER.match(t):
        return None
    return float(t.replace(".", "").replace(",", "."))


def _sheet_name(i: int, t: ReportTable, used: set[str]) -> str:
    short = re.split(r";|:| \(", t.caption or "")[0].strip()   # the caption's first words
    base = _BAD_SHEET.sub(" ", short or t.section or f"Tabel {i}").strip() or f"Tabel {i}"
    name = f"{i:02d} {base}"[:31].rstrip()
    n = 2
    while name.lower() in used:
        name = f"{i:02d}-{n} {base}"[:31].rstrip()
        n += 1
    used.add(name.lower())
    return name


def tables_xlsx(tables: list[ReportTable], title: str = "Rapportens tabeller") -> bytes:
    """An Excel workbook: a contents sheet, then one sheet per table (caption, section,
    the Danish header row, the rows)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, NamedStyle, PatternFill

    wb = Workbook()
    suppressed = NamedStyle(name=SUPPRESSED_STYLE, font=Font(italic=True, color="555555"),
                            fill=PatternFill("solid", fgColor="E6E6E6"))
    count = NamedStyle(name=COUNT_STYLE, number_format="#,##0")
    wb.add_named_style(suppressed)
    wb.add_named_style(count)
    toc = wb.active
    toc.title = "Indhold"
    toc.append([title])
    toc["A1"].font = Font(bold=True, size=13)
    toc.append([LEGEND])
    toc.append([])
    toc.append(["Ark", "Tabel", "Afsnit"])
    for c in toc[4]:
        c.font = Font(bold=True)
    used: set[str] = {"indhold"}
    for i, t in enumerate(tables, start=1):
        name = _sheet_name(i, t, used)
        toc.append([name, t.caption or f"Tabel {i}", t.section])
        ws = wb.create_sheet(name)
        ws.append([t.caption or f"Tabel {i}"])
        ws["A1"].font = Font(bold=True)
        ws.append([f"Afsnit: {t.section}" if t.section else ""])
        width = max(len(t.header), max((len(r) for r in t.rows), default=0))
        header = t.header + [""] * (width - len(t.header))
        ws.append(header)
        for c in ws[3]:
            c.font = Font(bold=True)
        for r_i, row in enumerate(t.rows, start=4):
            for c_i, cell in enumerate(row, start=1):
                value = cell.text
                target = ws.cell(row=r_i, column=c_i)
                if cell.suppressed:
                    target.value = value
                    target.style = SUPPRESSED_STYLE
                    continue
                num = _number(value)
                target.value = num if num is not None else value
                if cell.count is not None:
                    target.value = cell.count
                    target.style = COUNT_STYLE
        for c_i in range(1, width + 1):
            longest = max([len(str(ws.cell(row=r, column=c_i).value or "")) for r in range(3, ws.max_row + 1)] or [8])
            ws.column_dimensions[ws.cell(row=3, column=c_i).column_letter].width = min(60, max(8, longest + 2))
        ws.freeze_panes = "B4"
    toc.column_dimensions["A"].width = 34
    toc.column_dimensions["B"].width = 90
    wb.properties.creator = "evaluering"
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_zip(buf.getvalue())


def _run_xml(text: str, style_id: str | None = None, bold: bool = False, size: int | None = None) -> str:
    from xml.sax.saxutils import escape

    props = (f'<w:rStyle w:val="{style_id}"/>' if style_id else "") + ("<w:b/>" if bold else "") \
        + (f'<w:sz w:val="{size}"/>' if size else "")
    return f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _para_xml(runs: str, style_id: str | None = None, keep_next: bool = False) -> str:
    ppr = (f'<w:pStyle w:val="{style_id}"/>' if style_id else "") + ("<w:keepNext/>" if keep_next else "")
    return f"<w:p><w:pPr>{ppr}</w:pPr>{runs}</w:p>"


def _table_xml(t: ReportTable, ids: dict[str, str]) -> str:
    """One table as WordprocessingML, built in one piece (python-docx's row-by-row API
    is quadratic in the cells)."""
    width = max(len(t.header), max((len(r) for r in t.rows), default=0), 1)
    grid = "".join("<w:gridCol/>" for _ in range(width))

    def row_xml(cells: list[str], header: bool = False) -> str:
        tcs = "".join(f"<w:tc><w:tcPr/><w:p>{c}</w:p></w:tc>" for c in cells + ["" for _ in range(width - len(cells))])
        trpr = "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if header else "<w:trPr><w:cantSplit/></w:trPr>"
        return f"<w:tr>{trpr}{tcs}</w:tr>"

    rows = []
    if t.header:
        rows.append(row_xml([_run_xml(h, bold=True, size=16) for h in t.header], header=True))
    for row in t.rows:
        cells = []
        for cell in row[:width]:
            style = SUPPRESSED_STYLE if cell.suppressed else COUNT_STYLE if cell.count is not None else None
            cells.append(_run_xml(cell.text, ids.get(style) if style else None, size=16))
        rows.append(row_xml(cells))
    borders = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="999999"/>'
                      for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    caption = _para_xml(_run_xml(t.caption), ids["Caption"], keep_next=True) if t.caption else ""
    return (caption + '<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/>'
            f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="autofit"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>" + _para_xml(""))


def document_docx(blocks: list[Block], title: str = "Rapport") -> bytes:
    """A Word document of the report: headings, paragraphs, lists, notices, figures (as
    caption and alt text) and tables, in the report's order (A4)."""
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Mm, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(15))
    styles = doc.styles
    sup = styles.add_style(SUPPRESSED_STYLE, WD_STYLE_TYPE.CHARACTER)
    sup.font.italic = True
    sup.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    count = styles.add_style(COUNT_STYLE, WD_STYLE_TYPE.CHARACTER)
    # style ids looked up once (python-docx searches every style by name on each use)
    ids = {SUPPRESSED_STYLE: sup.style_id, COUNT_STYLE: count.style_id}
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Caption", "List Bullet"):
        ids[name] = styles[name].style_id
    doc.core_properties.title = title
    doc.core_properties.author = "evaluering"
    parts = []
    for b in blocks:
        if b.kind == "heading":
            style = "Title" if b.level <= 1 else f"Heading {min(b.level - 1, 3)}"
            parts.append(_para_xml(_run_xml(b.text), ids[style], keep_next=True))
        elif b.kind == "table" and b.table is not None:
            parts.append(_table_xml(b.table, ids))
        elif b.kind == "figure":
            parts.append(_para_xml(_run_xml("Figur: ", bold=True) + _run_xml(b.text), ids["Caption"]))
            parts.append(_para_xml(_run_xml(f"Figurens indhold: {b.alt}" if b.alt else
                                            "Figuren findes i HTML- og PDF-rapporten.")))
        elif b.kind == "item":
            parts.append(_para_xml(_run_xml(b.text), ids["List Bullet"]))
        elif b.kind == "notice":
            parts.append(_para_xml(_run_xml(b.text, bold=True)))
        else:
            parts.append(_para_xml(_run_xml(b.text)))
    body = doc.element.body
    holder = parse_xml(f"<w:body {nsdecls('w')}>{''.join(parts)}</w:body>")
    sect = body[-1]   # the final section properties stay last
    for child in list(holder):
        sect.addprevious(child)
    buf = io.BytesIO()
    doc.save(buf)
    return normalise_zip(buf.getvalue())


def report_exports(html: str, title: str) -> dict[str, bytes]:
    """``{"xlsx": ..., "docx": ...}`` of one report's HTML."""
    blocks = read_document(html)
    tables = [b.table for b in blocks if b.kind == "table" and b.table is not None]
    return {"xlsx": tables_xlsx(tables, title=f"{title}: tabeller"), "docx": document_docx(blocks, title=title)}
