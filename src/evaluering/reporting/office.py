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


_XLSX_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0"/></numFmts>
<fonts count="4"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font>
<font><i/><sz val="11"/><color rgb="FF555555"/><name val="Calibri"/></font><font><b/><sz val="13"/><name val="Calibri"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFE6E6E6"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="2" fillId="2" borderId="0" applyFont="1" applyFill="1"/></cellStyleXfs>
<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="1" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="2" fillId="2" borderId="0" xfId="2" applyFont="1" applyFill="1"/>
<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>
<cellStyles count="3"><cellStyle name="Normal" xfId="0" builtinId="0"/><cellStyle name="COUNT" xfId="1"/>
<cellStyle name="SUPPRESSED" xfId="2"/></cellStyles>
</styleSheet>"""
#: cellXfs index of: plain, bold, a count, a suppressed value, the title
_XF = {"plain": 0, "bold": 1, "count": 2, "suppressed": 3, "title": 4}


def _col(n: int) -> str:
    """Excel column letters: 1 -> A, 27 -> AA."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _sheet_xml(rows: list[list[tuple]], widths: list[int], freeze: bool) -> str:
    """One worksheet; ``rows`` of ``(value, style)`` (value str, int/float or None)."""
    from xml.sax.saxutils import escape

    body = []
    for r_i, row in enumerate(rows, start=1):
        cells = []
        for c_i, (value, style) in enumerate(row, start=1):
            if value is None or value == "":
                continue
            ref = f"{_col(c_i)}{r_i}"
            xf = _XF[style]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cells.append(f'<c r="{ref}" s="{xf}"><v>{value!r}</v></c>' if isinstance(value, float)
                             else f'<c r="{ref}" s="{xf}"><v>{value}</v></c>')
            else:
                text = escape(str(value))
                cells.append(f'<c r="{ref}" s="{xf}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
        body.append(f'<row r="{r_i}">{"".join(cells)}</row>')
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1))
    pane = ('<sheetViews><sheetView workbookViewId="0"><pane xSplit="1" ySplit="3" topLeftCell="B4" '
            'activePane="bottomRight" state="frozen"/></sheetView></sheetViews>') if freeze else ""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"{pane}" + (f"<cols>{cols}</cols>" if cols else "") + f"<sheetData>{''.join(body)}</sheetData></worksheet>")


def tables_xlsx(tables: list[ReportTable], title: str = "Rapportens tabeller") -> bytes:
    """An Excel workbook: a contents sheet, then one sheet per table (caption, section,
    the Danish header row, the rows). Written as SpreadsheetML directly (a tenth of the
    time of a general spreadsheet library); the cell styles *Antal* and *Undertrykt* are
    named styles, so Excel, LibreOffice and openpyxl show and read them by name."""
    from xml.sax.saxutils import escape

    sheets: list[tuple[str, str]] = []
    used: set[str] = {"indhold"}
    toc = [[(title, "title")], [(LEGEND, "plain")], [], [("Ark", "bold"), ("Tabel", "bold"), ("Afsnit", "bold")]]
    for i, t in enumerate(tables, start=1):
        name = _sheet_name(i, t, used)
        toc.append([(name, "plain"), (t.caption or f"Tabel {i}", "plain"), (t.section, "plain")])
        width = max(len(t.header), max((len(r) for r in t.rows), default=0), 1)
        rows = [[(t.caption or f"Tabel {i}", "bold")], [(f"Afsnit: {t.section}" if t.section else "", "plain")],
                [(h, "bold") for h in t.header]]
        for row in t.rows:
            out = []
            for cell in row:
                if cell.suppressed:
                    out.append((cell.text, "suppressed"))
                elif cell.count is not None:
                    out.append((cell.count, "count"))
                else:
                    num = _number(cell.text)
                    out.append((num if num is not None else cell.text, "plain"))
            rows.append(out)
        widths = []
        for c in range(width):
            longest = max((len(str(r[c][0])) for r in rows[2:] if c < len(r)), default=8)
            widths.append(min(60, max(8, longest + 2)))
        sheets.append((name, _sheet_xml(rows, widths, freeze=True)))
    sheets.insert(0, ("Indhold", _sheet_xml(toc, [34, 90, 40], freeze=False)))
    n = len(sheets)
    workbook = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                + "".join(f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
                          for i, (name, _) in enumerate(sheets, start=1)) + "</sheets></workbook>")
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                      f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1))
            + f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
              'relationships/styles" Target="styles.xml"/></Relationships>')
    types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
             'spreadsheetml.sheet.main+xml"/>'
             '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
             'spreadsheetml.styles+xml"/>'
             + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                       f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1))
             + '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.'
               'core-properties+xml"/></Types>')
    root_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                 'officeDocument" Target="xl/workbook.xml"/>'
                 '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
                 'metadata/core-properties" Target="docProps/core.xml"/></Relationships>')
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(title)}</dc:title><dc:creator>evaluering</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{_FIXED_DATE}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{_FIXED_DATE}</dcterms:modified></cp:coreProperties>')
    styles = _XLSX_STYLES.replace("COUNT", COUNT_STYLE).replace("SUPPRESSED", SUPPRESSED_STYLE)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        def put(name: str, text: str) -> None:
            zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, text.encode("utf-8"))

        put("[Content_Types].xml", types)
        put("_rels/.rels", root_rels)
        put("docProps/core.xml", core)
        put("xl/workbook.xml", workbook)
        put("xl/_rels/workbook.xml.rels", rels)
        put("xl/styles.xml", styles)
        for i, (_, xml) in enumerate(sheets, start=1):
            put(f"xl/worksheets/sheet{i}.xml", xml)
    return buf.getvalue()


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
