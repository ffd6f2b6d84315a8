"""The bad-input corpus (tests/data/bad/): every file gives a one-line error naming the
right line and column, exit code 2 from the CLI, no traceback, nothing written, and never
the offending person-level value."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from evaluering.cli import main
from evaluering.sources.validate import validate_file

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"

# file, kind (None: guessed), expected line, expected column (as in the file), message fragment,
# a person-level value that must not appear in the message (None: aggregate table / n.a.)
CASES = [
    ("ssp_negative_count.csv", None, 3, "Antal sager", "negative count", "-2"),
    ("ssp_unknown_area.csv", None, 4, "Område", "unknown estate or plan id", "ZZ-99"),
    ("ssp_year_outside_plan.csv", None, 3, "År", "outside the plan period", "2012"),
    ("ssp_duplicate_key.csv", None, 4, "Niveau", "duplicate key", None),
    ("ssp_non_numeric.csv", None, 3, "Antal sager", "not a number", "tre"),
    ("ssp_decimal_count.csv", None, 3, "Antal sager", "whole number", "2,5"),
    ("ssp_quarter_5.csv", None, 2, "Kvartal", "quarter must be 1, 2, 3 or 4", None),
    ("ssp_level_0.csv", None, 4, "Niveau", "SSP level must be", None),
    ("ssp_missing_column.csv", None, 1, "Niveau", "missing column 'Niveau'", None),
    ("ssp_extra_column.csv", None, 1, "Navn", "unexpected column", "Anders"),
    ("ssp_empty.csv", "ssp", None, None, "the file is empty", None),
    ("ssp_header_only.csv", None, 2, None, "no data rows", None),
    ("ssp_cp1252_unknown_area.csv", None, 3, "Område", "unknown estate or plan id", "Østerå"),
    ("ssp_bom_missing_year.csv", None, 3, "År", "missing value", None),
    ("ssp_too_many_fields.csv", None, 3, None, "6 fields but the header has 5", None),
    ("ssp_year_text.csv", None, 4, "År", "not a number", "2018a"),
    ("ssp_duplicate_header.csv", None, 1, "År", "appears twice", None),
    ("ssp_is_meetings_file.csv", "ssp", 1, "År", "the headers look like a 'meetings' file", None),
    ("ssp_blank_lines_negative.csv", None, 5, "Antal sager", "negative count", "-1"),
    ("ssp_no_header.csv", None, 1, None, "looks like data", "AO-01"),
    ("ssp_no_header.csv", "ssp", 1, "År", "is the header line missing?", "AO-01"),
    ("ssp_unbalanced_quote_header.csv", None, 1, "column 3", "unbalanced quote", "AO-07"),
    ("meetings_impossible_date.csv", None, 3, "Dato", "not a valid calendar date", "31.02.2018"),
    ("meetings_text_date.csv", None, 2, "Dato", "not a date", "i går"),
    ("meetings_bad_bool.csv", None, 2, "Åbent møde", "expected ja or nej", "måske"),
    ("meetings_unknown_holiday.csv", None, 2, "Ferieplan for", "expected one of vinterferie", "pinseferie"),
    ("meetings_duplicate.csv", None, 4, "Mødetype", "the same as line 2", None),
    ("meetings_implausible_year.csv", None, 2, "Dato", "date outside", "1899"),
    ("meetings_missing_kind.csv", None, 2, "Mødetype", "missing value", None),
    ("courses_duplicate_no.csv", None, 4, "Forløb nr.", "the same as line 3", None),
    ("courses_bad_attachment.csv", None, 2, "Tilknytning", "expected one of forening, fritidsjob, nej", "skole"),
    ("courses_zero_no.csv", None, 2, "Forløb nr.", "course number must be 1 or more", None),
    ("events_negative_participants.xlsx", None, 3, "Deltagere", "negative count", "-3"),
    ("events_text_participants.xlsx", "events", 3, "Deltagere", "not a number", "ti"),
    ("events_empty_sheet.xlsx", "events", None, None, "first sheet is empty", None),
    ("events_header_only.xlsx", None, 2, None, "no data rows", None),
    ("milestones_unknown_criterion.csv", None, 3, "Kriterium", "unknown success criterion id", "K9"),
    ("milestones_bad_status.csv", None, 2, "Status", "expected one of opnået, delvist, ikke opnået", "færdig"),
    ("cells_numerator_above_denominator.csv", None, 3, "numerator", "numerator above denominator", None),
    ("cells_negative_denominator.csv", None, 2, "denominator", "negative population", None),
    ("cells_unknown_level.csv", None, 3, "level", "expected one of estate", None),
    ("cells_all_and_sex.csv", None, 3, "sex", "both 'all' and M/K rows", None),
    ("published_pct_over_100.csv", None, 3, "value", "percentage above 100", None),
    ("published_text_value.csv", None, 2, "value", "not a number (found 'fire')", None),
    ("lbf_unknown_level.xlsx", None, 5, "Niveau", "unknown level 'Bydel'", None),
    ("lbf_text_value.xlsx", None, 2, "Værdi", "not a number", None),
    ("lbf_duplicate.xlsx", None, 3, "År", "duplicate value for 0851", None),
    ("lbf_negative.xlsx", None, 2, "2013", "negative value", None),
    ("lbf_missing_indicator.xlsx", "lbf", 1, "Indikator", "missing column 'Indikator'", None),
    ("dst_text_value.csv", None, 3, "INDHOLD", "not a number: 'mange'", None),
    ("dst_no_indhold.csv", "dst", 1, "TID", "must be INDHOLD", None),
    ("dst_error_body.csv", "dst", 1, None, "StatBank error answer", None),
    ("dst_duplicate_row.csv", None, 3, "TID", "duplicate row (same as line 2)", None),
    ("register_persons_bad_sex.csv", None, 3, "sex", "unknown sex code", "Q"),
    ("register_events_bad_law.csv", None, 3, "law", "unknown law", "færdselsloven"),
    ("not_a_table_pdf.csv", "ssp", None, None, "looks like a PDF", None),
    ("binary_garbage.csv", None, None, None, "not a text file", None),
    ("json_not_csv.csv", None, 1, None, "looks like JSON", None),
    ("unknown_headers.csv", None, 1, None, "cannot tell what kind of file", None),
    ("word_document.xlsx", None, None, None, "Word document", None),
    ("plan_missing_id.yaml", None, 1, "id", "missing required key 'id'", None),
    ("plan_end_before_start.yaml", None, 6, "period.end", "before period.start", None),
]


def test_corpus_is_complete():
    files = {p.name for p in BAD.iterdir() if p.suffix != ".py"}
    listed = {c[0] for c in CASES}
    assert files == listed
    assert len(listed) >= 30


IDS = [f"{c[0]}-{c[1] or 'guess'}" for c in CASES]


@pytest.mark.parametrize("name,kind,row,column,fragment,secret", CASES, ids=IDS)
def test_bad_file_names_row_and_column(name, kind, row, column, fragment, secret):
    result = validate_file(BAD / name, kind=kind)
    assert not result.ok
    first = result.problems[0]
    assert first.path == str(BAD / name)
    assert first.row == row
    assert first.column == column
    assert fragment in first.message
    line = result.lines()[0]
    assert "\n" not in line and line.startswith(str(BAD / name))
    if secret is not None:
        assert secret not in first.message and secret not in (first.column or "")
        assert all(secret not in p.message and secret not in (p.column or "") for p in result.problems)


@pytest.mark.parametrize("name,kind", [(c[0], c[1]) for c in CASES], ids=IDS)
def test_cli_exit_2_no_traceback_nothing_written(name, kind, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parents[2])     # the project root: plan files
    before = sorted(os.listdir(BAD))
    argv = ["validate", str(BAD / name)] + (["--kind", kind] if kind else [])
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "Traceback" not in err and "intern fejl" not in err
    assert err.splitlines()[0].startswith(str(BAD / name))
    assert sorted(os.listdir(BAD)) == before
