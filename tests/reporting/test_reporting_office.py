"""The Excel and Word exports: every table, Danish headers, suppressed cells marked, the
same bytes for the same report, and checked by `evaluering audit`."""

from __future__ import annotations

import io

import pytest

from evaluering.disclosure.audit import audit_path
from evaluering.reporting.document import read_document, report_tables
from evaluering.reporting.office import COUNT_STYLE, SUPPRESSED_STYLE, document_docx, report_exports, tables_xlsx

HTML = """<html><head><style>td{}</style></head><body><main>
<h1>Årsrapport 2020: Plan</h1>
<h2 id="afsnit-1">1. Succeskriterierne</h2>
<p>Indledning med <b>fed</b> tekst.</p>
<table class="ev-table"><caption>Antal bag tallene</caption><thead><tr><th>Område</th><th>2019</th><th>2020</th></tr></thead>
<tbody><tr><td>Plan: antal</td><td class="num"><span class="ev-count" data-count="24">24</span></td>
<td class="num"><span class="ev-suppressed" data-suppressed="primary">&lt; 3</span></td></tr>
<tr><td>Plan: nævner</td><td class="num">1.107.000</td><td class="num">4,2 %<sup>o</sup></td></tr></tbody></table>
<figure class="ev-figure"><img src="data:image/svg+xml;base64,AAAA" alt="Linjediagram over andelen"><figcaption>Figur 1 Kilde: X.</figcaption></figure>
<h2 id="afsnit-2">2. Aktivitetsmål</h2>
<ul><li>Et punkt</li></ul>
<table class="ev-table"><caption>Aktivitetsmål i året</caption><thead><tr><th>Aktivitet</th><th>Bemærkning</th></tr></thead>
<tbody><tr><td>A1</td><td>ok</td></tr></tbody></table>
</main></body></html>"""


def test_document_reads_blocks_in_order():
    blocks = read_document(HTML)
    kinds = [b.kind for b in blocks]
    assert kinds == ["heading", "heading", "paragraph", "table", "figure", "heading", "item", "table"]
    fig = blocks[4]
    assert fig.alt == "Linjediagram over andelen" and fig.text.startswith("Figur 1")
    t = blocks[3].table
    assert t.header == ["Område", "2019", "2020"] and t.section == "1. Succeskriterierne"
    assert t.rows[0][1].count == 24 and t.rows[0][2].suppressed and t.rows[0][2].text == "< 3"


def test_xlsx_one_sheet_per_table_danish_headers_suppressed_marked():
    from openpyxl import load_workbook

    data = tables_xlsx(report_tables(HTML))
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[0] == "Indhold" and len(wb.sheetnames) == 1 + 2
    ws = wb.worksheets[1]
    assert ws["A1"].value == "Antal bag tallene"
    assert [c.value for c in ws[3]] == ["Område", "2019", "2020"]
    assert ws["B4"].value == 24 and ws["B4"].style == COUNT_STYLE
    assert ws["C4"].value == "< 3" and ws["C4"].style == SUPPRESSED_STYLE
    assert ws["B5"].value == 1107000          # a Danish number becomes a number
    assert [c.value for c in wb.worksheets[2][3]] == ["Aktivitet", "Bemærkning"]
    assert tables_xlsx(report_tables(HTML)) == data   # no run date: the same bytes


def test_docx_has_headings_tables_and_figure_text():
    from docx import Document

    data = document_docx(read_document(HTML), title="Plan")
    doc = Document(io.BytesIO(data))
    texts = [p.text for p in doc.paragraphs]
    assert "1. Succeskriterierne" in texts and "Et punkt" in texts
    assert any("Linjediagram over andelen" in t for t in texts)
    assert len(doc.tables) == 2
    assert [c.text for c in doc.tables[0].rows[0].cells] == ["Område", "2019", "2020"]
    styles = [r.style.name for r in doc.tables[0].rows[1].cells[2].paragraphs[0].runs]
    assert styles == [SUPPRESSED_STYLE]
    assert doc.sections[0].page_width.mm == pytest.approx(210, abs=0.5)
    assert document_docx(read_document(HTML), title="Plan") == data


def test_audit_reads_xlsx_and_docx(tmp_path):
    """A marked count of 2 is a finding in both formats; suppressed cells and counts of 3 or
    more are not; a CPR-like number in a Word paragraph is one."""
    good = report_exports(HTML, "Plan")
    for kind, data in good.items():
        (tmp_path / f"god.{kind}").write_bytes(data)
    assert audit_path(tmp_path) == []
    bad_html = HTML.replace('data-count="24">24<', 'data-count="2">2<').replace("Et punkt", "Et punkt 010203-1234")
    for kind, data in report_exports(bad_html, "Plan").items():
        (tmp_path / f"daarlig.{kind}").write_bytes(data)
    found = audit_path(tmp_path)
    files = {f.path.rsplit("/", 1)[-1] for f in found}
    assert files == {"daarlig.xlsx", "daarlig.docx"}
    whats = " ".join(f.what for f in found)
    assert "data-count" in whats and "CPR-number" in whats
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    assert any(f.kind == "unreadable" for f in audit_path(tmp_path / "broken.xlsx"))
