"""A corpus of planted leaks, one test per kind: ``evaluering audit`` flags every one, and the
near misses beside them (large counts, counts of years or meetings, suppressed cells, axis
ticks, a CPR-like number in a stylesheet) are not flagged."""

from __future__ import annotations

import io
import json
import zipfile

import nbformat
import pytest

from evaluering.disclosure import audit_path
from evaluering.disclosure.audit import audit_file

CPR = "010203-1234"


def _nb(*outputs) -> str:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    cell.execution_count = 1
    nb.cells.append(cell)
    return nbformat.writes(nb)


def _display(mime: str, value: str) -> dict:
    return {"output_type": "display_data", "data": {mime: value, "text/plain": "<obj>"} if mime != "text/plain"
            else {"text/plain": value}, "metadata": {}}


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Tabel"
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _docx(paragraphs=(), table=None) -> bytes:
    def run(t):
        return f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p>"

    body = "".join(run(p) for p in paragraphs)
    if table:
        body += "<w:tbl>" + "".join("<w:tr>" + "".join(f"<w:tc>{run(c)}</w:tc>" for c in row) + "</w:tr>"
                                    for row in table) + "</w:tbl>"
    doc = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
           f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", doc)
    return buf.getvalue()


def _html(body: str) -> str:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{body}</body></html>"


#: kind -> (file name, content, what the finding says)
LEAKS = {
    "csv_antal_prefix": ("t.csv", "område,antal_sigtede\nAO-01,2\nAO-02,40\n", "count < 3 in column antal_sigtede"),
    "csv_antal_suffix": ("t.csv", "område;sigtede_antal\nAO-01;1\nAO-02;40\n", "count < 3 in column sigtede_antal"),
    "csv_taeller": ("t.csv", "område,tæller,nævner\nAO-01,2,150\n", "count < 3 in column tæller"),
    "csv_befolkning": ("t.csv", "område,befolkning_10_17\nAO-01,2\nAO-02,300\n", "count < 3 in column befolkning_10_17"),
    "csv_n_prefix": ("t.tsv", "område\tn_unge\nAO-01\t1\nAO-02\t30\n", "count < 3 in column n_unge"),
    "json_antal_key": ("t.json", json.dumps({"plan": "p", "antal_unge": 2}), "count < 3 in key antal_unge"),
    "json_records_danish": ("t.json", json.dumps([{"område": "A", "Antal": 1}, {"område": "B", "Antal": 30}]),
                            "count < 3 in key Antal"),
    "html_header_antal": ("t.html", _html("<table><tr><th>Område</th><th>Antal</th></tr><tr><td>AO-01</td>"
                                          "<td>2</td></tr></table>"), "count < 3 in column Antal"),
    "html_header_personer": ("t.html", _html("<table><thead><tr><th>Afdeling</th><th>Personer</th></tr></thead>"
                                             "<tbody><tr><td>AO-01</td><td>1</td></tr></tbody></table>"),
                             "count < 3 in column Personer"),
    "html_row_of_counts": ("t.html", _html("<table><tr><th>Antal bag tallene</th><th>2020</th></tr><tr>"
                                           "<td>Plan: antal</td><td>2</td></tr></table>"), "in a row of counts"),
    "html_row_of_denominators": ("t.html", _html("<table><tr><th>Antal bag tallene</th><th>2020</th></tr><tr>"
                                                 "<td>Plan: nævner</td><td>1</td></tr></table>"), "in a row of counts"),
    "html_data_attribute": ("t.html", _html('<span data-antal="2">–</span>'), "in attribute data-antal"),
    "html_title_attribute": ("t.html", _html('<abbr title="2 sigtede i 2020">*</abbr>'), "count < 3 in text"),
    "html_json_script": ("t.html", _html('<script type="application/json">{"count": 2, "area": "AO-01"}</script>'),
                         "count < 3 in key count"),
    "html_js_object": ("t.html", _html("<script>var data = {area: 'AO-01', antal: 1};</script>"),
                       "in script key antal"),
    "html_script_cpr": ("t.html", _html(f"<script>var who = '{CPR}';</script>"), "CPR-number pattern"),
    "html_cpr_split_by_markup": ("t.html", _html("<p>01<span>02</span>03-<b>1234</b></p>"), "split by markup"),
    "html_attribute_cpr": ("t.html", _html('<tr data-id="0102031234"><td>x</td></tr>'), "CPR-number pattern"),
    "svg_file_text": ("figur.svg", '<svg xmlns="http://www.w3.org/2000/svg"><text x="1" y="1">n = 2</text></svg>',
                      "count < 3 in text"),
    "html_inline_svg_text": ("t.html", _html('<svg><text>2 personer</text></svg>'), "count < 3 in text"),
    "notebook_frame_text": ("n.ipynb", _nb(_display("text/plain", "  område  antal\n0  AO-01      2\n1  AO-02     40")),
                            "count < 3 in column antal"),
    "notebook_stream_phrase": ("n.ipynb", _nb({"output_type": "stream", "name": "stdout",
                                                "text": "observeret: 2 unge i forløb\n"}), "count < 3 in text"),
    "notebook_markdown_k_of_n": ("n.ipynb", _nb(_display("text/markdown", "1 af 1 med kontakt")), "(k af n)"),
    "notebook_svg_output": ("n.ipynb", _nb(_display("image/svg+xml", "<svg><text>n = 1</text></svg>")),
                            "count < 3 in text"),
    "log_line_phrase": ("run.log", "INFO rapport: 2 sigtede i AO-06 2020\n", "count < 3 in text"),
    "md_k_of_n": ("noter.md", "I 2020 fik 1 af 3 unge fritidsjob.\n", "(k af n)"),
    "txt_antal_colon": ("status.txt", "A2.1 antal: 2\n", "(n = / antal:)"),
    "yaml_key": ("eksport.yaml", "plan: p\nantal_personer: 2\n", "(n = / antal:)"),
    "unknown_suffix_cpr": ("udtræk.dat", f"række {CPR}\n", "CPR-number pattern"),
    "csv_rate_times_denominator": ("t.csv", "område,andel_pct,nævner,antal\nAO-01,0.8,250,\n",
                                   "rate x published denominator"),
    "json_rate_times_denominator": ("t.json", json.dumps({"series": [
        {"level": "plan_part", "year": 2020, "value": 1.4, "numerator": None, "numerator_reason": "< 3",
         "denominator": 143}]}), "rate x published denominator"),
    "xlsx_header_antal": ("t.xlsx", _xlsx([["Område", "Antal"], ["AO-01", 2], ["AO-02", 30]]), "count < 3 in column Antal"),
    "xlsx_cell_cpr": ("t.xlsx", _xlsx([["Note"], [f"person {CPR}"]]), "CPR-number pattern"),
    "docx_table_antal": ("t.docx", _docx(table=[["Område", "Antal"], ["AO-01", "1"]]), "count < 3 in column Antal"),
    "docx_paragraph_phrase": ("t.docx", _docx(paragraphs=["I 2020 var der 2 personer i forløb."]), "count < 3 in text"),
}


@pytest.mark.parametrize("kind", sorted(LEAKS))
def test_a_planted_leak_is_flagged(tmp_path, kind):
    name, content, what = LEAKS[kind]
    p = tmp_path / name
    (p.write_bytes if isinstance(content, bytes) else lambda c: p.write_text(c, encoding="utf-8"))(content)
    found = [str(f) for f in audit_path(tmp_path)]
    assert any(what in f for f in found), f"{kind} not flagged: {found}"
    assert all("1234" not in f for f in found)  # never the CPR number in full


def test_the_corpus_has_at_least_25_kinds():
    assert len(LEAKS) >= 25
    assert len({name.rsplit(".", 1)[-1] for name, _, _ in LEAKS.values()}) >= 10  # file kinds


CLEAN = {
    "t.csv": "område,antal_sigtede,nævner,andel_pct,n_years\nAO-01,,250,,2\nAO-02,40,300,13.3,2\n",
    "t.json": json.dumps({"n_years": 2, "n_treated_units": 2, "execution_count": 1, "antal_unge": None,
                          "antal_unge_reason": "< 3", "count": 24, "note": "1 af 1 arrangementer med mindst 10 deltagere",
                          "series": [{"value": 4.2, "numerator": 24, "denominator": 571}]}),
    "t.html": _html("<style>.x{width:0102031234px}</style><script>var t = 1102031234; var o = {count: 24};</script>"
                    "<table><tr><th>Antal bag tallene</th><th>2020</th></tr><tr><td>Plan: antal</td>"
                    '<td><span class="ev-suppressed" data-suppressed="primary">&lt; 3</span></td></tr>'
                    "<tr><td>Plan: nævner</td><td>648</td></tr></table>"
                    "<svg><text>0</text><text>1</text><text>2</text><text>3</text></svg>"
                    "<p>2 åbne møder om året; 6 netværksmøder; K2; 24 personer; n = 24</p>"),
    "figur.svg": "<svg><text>1</text><text>2</text><text>År</text></svg>",
    "run.log": "INFO skrevet 2 rapporter på 12 s\n",
    "n.ipynb": _nb(_display("text/plain", "  område  antal\n0  AO-01     24\n1  AO-02     40"),
                   {"output_type": "stream", "name": "stdout", "text": "Tabellen er diskretioneret (grænse 3).\n"}),
    "t.xlsx": _xlsx([["Område", "Antal"], ["AO-01", 24], ["AO-02", None]]),
    "t.docx": _docx(paragraphs=["24 personer i 2015."], table=[["Område", "Antal"], ["AO-01", "24"]]),
}


def test_clean_outputs_and_near_misses_are_not_flagged(tmp_path):
    for name, content in CLEAN.items():
        p = tmp_path / name
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    assert audit_path(tmp_path) == []


def test_a_broken_workbook_is_a_finding(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"not a zip")
    found = audit_file(tmp_path / "x.xlsx")
    assert len(found) == 1 and "not audited" in found[0].what
