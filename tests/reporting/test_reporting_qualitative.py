"""The log of qualitative results: reader, template, and what the report shows."""

from __future__ import annotations

import pytest

from evaluering.errors import InputError
from evaluering.sources.qualitative import QUALITATIVE, read_qualitative

from reporting_helpers import ROOT

HEADER = "Dato;Type;Aktivitet;Vurdering;Resultat\n"


def test_reads_the_bundled_log_against_the_plan():
    from evaluering.plan import find_plan

    plan = find_plan("aalborg-oest", ROOT / "data" / "raw" / "plans")
    q = read_qualitative(ROOT / "data" / "raw" / "logs" / "kvalitative_resultater.csv", plan=plan)
    assert set(q["kind"]) == {"fokusgruppe", "relevansvurdering", "beslutning"}
    assert list(q.columns) == ["date", "kind", "activity", "assessment", "result"]
    # every activity of the plan has a relevance assessment in every year of the period
    rel = q[q["kind"] == "relevansvurdering"]
    assert {(a, d.year) for a, d in zip(rel["activity"], rel["date"])} == \
        {(a, y) for a in ("A1", "A2", "A3") for y in range(2017, 2021)}


def test_templates_have_the_danish_headers():
    from openpyxl import load_workbook

    headers = [c.header for c in QUALITATIVE.columns]
    csv = (ROOT / "data" / "raw" / "templates" / "kvalitative_resultater.csv").read_text(encoding="utf-8")
    assert csv.strip().split(";") == headers
    ws = load_workbook(ROOT / "data" / "raw" / "templates" / "kvalitative_resultater.xlsx").active
    assert [c.value for c in ws[1]] == headers


@pytest.mark.parametrize("row,where", [
    ("14.03.2019;interview;A1;relevant;x\n", ":2:Type:"),
    ("14.03.2019;relevansvurdering;A9;relevant;x\n", ":2:Aktivitet:"),
    ("14.03.2019;relevansvurdering;A1;meget;x\n", ":2:Vurdering:"),
    ("14.03.2030;beslutning;;;x\n", ":2:Dato:"),
])
def test_bad_rows_name_file_line_and_column(tmp_path, row, where):
    from evaluering.plan import find_plan

    plan = find_plan("aalborg-oest", ROOT / "data" / "raw" / "plans")
    p = tmp_path / "k.csv"
    p.write_text(HEADER + row, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_qualitative(p, plan=plan)
    assert where in str(err.value) and "\n" not in str(err.value)


def test_report_shows_assessments_findings_and_decisions():
    if not (ROOT / "data" / "processed" / "cells.parquet").is_file():
        pytest.skip("no count cells: run `evaluering build`")
    from evaluering.yearly import YearlyReport

    r = YearlyReport.load("aalborg-oest", 2020, project_root=str(ROOT), mode="aarlig")
    html = str(r.activities())
    assert "Årlig relevansvurdering af hver aktivitet" in html
    assert "Styregruppen besluttede at forankre samarbejdsmodellen" in html     # a 2020 decision
    assert "Styregruppen besluttede at styrke det opsøgende" not in html         # 2018: annual mode shows 2020
    assert "alle møder i mødeloggen med en dato i året tæller med" in html        # the counting rule
    assert "Netværksmøde, Temamøde" in html and "01.02.2017" in html
    slut = YearlyReport.load("aalborg-oest", 2020, project_root=str(ROOT), mode="slut")
    assert "Styregruppen besluttede at styrke det opsøgende" in str(slut.activities())  # the whole period
