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
    ("register_events_bad_law.csv", None, 3, "law", "law missing or not one of: anden", "færdselsloven"),
    ("not_a_table_pdf.csv", "ssp", None, None, "looks like a PDF", None),
    ("binary_garbage.csv", None, None, None, "not a text file", None),
    ("json_not_csv.csv", None, 1, None, "looks like JSON", None),
    ("unknown_headers.csv", None, 1, None, "cannot tell what kind of file", None),
    ("word_document.xlsx", None, None, None, "Word document", None),
    ("plan_missing_id.yaml", None, 1, "id", "missing required key 'id'", None),
    ("plan_end_before_start.yaml", None, 6, "period.end", "before period.start", None),
    # --- issue 14: plan files (the bundled plan with one mistake each)
    ("plan_duplicate_key.yaml", None, 12, "name", "duplicate key 'name' (first given on line 6)", None),
    ("plan_impossible_date.yaml", None, 13, "period.start", "not a valid calendar date", None),
    ("plan_inf_budget.yaml", None, 111, "budget.financing.1.amount_kr", "must be a finite number", None),
    ("plan_misspelt_budget.yaml", None, 108, "budgett", "unknown key 'budgett'; did you mean 'budget'?", None),
    ("plan_thousands_points.yaml", None, 110, "budget.financing.0.amount_kr", "write 1200000 without thousands", None),
    ("plan_unknown_criterion_kind.yaml", None, 49, "criteria.0.kind", "unknown kind 'relativ_aendring'", None),
    ("plan_unknown_indicator.yaml", None, 51, "criteria.0.indicator", "unknown indicator 'andel_sigtet_10_17'", None),
    ("plan_unknown_metric.yaml", None, 84, "activities.0.goals.1.metric", "unknown metric 'open_meeting'", None),
    ("plan_unknown_nested_key.yaml", None, 55, "criteria.0.printet", "did you mean 'printed'?", None),
    ("plan_nan_target.yaml", None, 63, "criteria.1.target.change_pct", "must be a finite number", None),
    ("plan_text_year.yaml", None, 54, "criteria.0.target.year", "'year' must be a whole number", None),
    ("plan_unknown_comparison_level.yaml", None, 34, "comparison_levels.1", "unknown comparison_levels 'almene'", None),
    ("plan_invalid_yaml.yaml", None, 36, None, "invalid YAML", None),
    ("plan_utf16.yaml", None, 1, None, "UTF-16 text is not supported", None),
    ("plan_billion_laughs.yaml", None, 10, None, "expands to more than 50000 values", None),
    ("plan_recursive_alias.yaml", None, 5, None, "recursive alias", None),
    ("plan_not_a_mapping.yaml", None, 1, None, "must be a YAML mapping", None),
    # --- logs
    ("milestones_quoted_newline.csv", None, 5, "Status", "expected one of opnået", "færdig"),
    ("ssp_headerless_names.csv", None, 1, None, "cannot tell what kind of file", "Anders"),
    ("ssp_headerless_names.csv", "ssp", 1, "År", "none of the columns of a 'ssp' file", "Anders"),
    ("ssp_long_field.csv", None, 3, None, "a value longer than 10000 characters", "99999"),
    ("meetings_utf16.csv", "meetings", None, None, "UTF-16 text is not supported", None),
    ("courses_inf_number.csv", None, 3, "Forløb nr.", "not a number", "inf"),
    ("events_long_field.xlsx", "events", 2, None, "a value longer than 10000 characters", "TTTT"),
    ("events_zip_bomb.xlsx", "events", None, None, "refused as a possible ZIP bomb", None),
    # --- published tables and printed averages (aggregate: values may be echoed)
    ("published_inf_value.csv", None, 2, "value", "not a number (found 'inf')", None),
    ("published_1e999.csv", None, 3, "value", "not a finite number", None),
    ("published_year_1899.csv", None, 2, "year", "not a plausible year", None),
    ("published_semicolon_text.csv", None, 3, "value", "not a number (found 'fire komma to')", None),
    ("printed_averages_last_before_first.csv", None, 2, "last_year", "last_year is before first_year", None),
    # --- count cells
    ("cells_inf_numerator.csv", None, 2, "numerator", "not a number", None),
    ("cells_1e999_denominator.csv", None, 3, "denominator", "not a number", None),
    ("cells_year_1899.csv", None, 2, "year", "not a plausible year", None),
    ("cells_year_2999.csv", None, 3, "year", "not a plausible year", None),
    ("cells_truncated.parquet", None, None, None, "not a readable Parquet file (truncated or damaged)", None),
    ("cells_truncated.parquet", "cells", None, None, "not a readable Parquet file (truncated or damaged)", None),
    ("cells_text_numerator.parquet", None, 4, "numerator", "expected a whole number", "tre"),
    ("cells_decimal_numerator.parquet", None, 3, "numerator", "expected a whole number", "1.5"),
    ("cells_text_synthetic.parquet", None, 3, "synthetic", "expected ja or nej", "måske"),
    ("cells_negative_numerator.parquet", None, 3, "numerator", "negative count", "-1"),
    # --- estate maps
    ("estates_empty.csv", "estates", None, None, "the file is empty", None),
    ("estates_header_only.csv", None, 2, None, "no data rows", None),
    ("estates_ragged.csv", None, 3, None, "6 fields but the header has 4", None),
    ("estates_duplicate.csv", None, 4, "estate_id", "the same as line 2", None),
    ("estates_missing_id.csv", None, 3, "estate_id", "missing value", None),
    ("estates_part_without_plan.csv", None, 3, "plan_part", "plan_part given without plan_id", None),
    ("estates_part_in_two_plans.csv", None, 3, "plan_part", "belongs to two plans", None),
    ("estates_bad_start_year.csv", None, 3, "start_year", "expected a whole number", "snart"),
    ("estates_utf16.csv", "estates", None, None, "UTF-16 text is not supported", None),
    # --- register extracts (person-level)
    ("register_persons_utf16.csv", None, None, None, "UTF-16 text is not supported", None),
    ("register_persons_utf16.csv", "register-persons", None, None, "UTF-16 text is not supported", None),
    ("register_persons_truncated.parquet", "register-persons", None, None, "truncated or damaged", None),
    ("register_persons_no_sex.csv", "register-persons", 1, "sex", "missing column 'sex'", None),
    ("register_events_bad_date.csv", None, 3, "date", "date missing or not a date", "2018-02-31"),
    ("register_persons_age_text.csv", None, 3, "age", "age missing, not a whole number or age outside 0-130",
     "fjorten"),
    ("register_persons_blank_lines.csv", None, 7, "sex", "unknown sex code", None),
    ("register_events_quoted_newline.csv", None, 2, "law", "law missing or not one of", None),
    # --- DiD panels
    ("panel_long_field.csv", None, 3, None, "a value longer than 10000 characters", "AAAA"),
    ("panel_ragged.csv", None, 3, "population", "expected 5 fields, found 4", None),
    ("panel_count_over_population.csv", None, 4, "count", "the count exceeds the population", None),
    ("panel_text_time.csv", None, 3, "time", "must be a whole number", "sidste år"),
    ("panel_duplicate_period.csv", None, 4, "time", "a second row for the same unit and period", None),
    ("panel_quoted_newline.csv", None, 5, "count", "must be a number >= 0", "-5"),
    ("panel_blank_lines.csv", None, 6, "population", "must be a number >= 0", None),
    ("panel_start_changes.csv", None, 3, "start", "the start period must be the same", None),
    ("panel_duplicate_header.csv", "did-panel", 1, None, "duplicate column name", None),
    # --- StatBank cache answer
    ("dst_binary_garbage.csv", "dst", None, None, "not a text file", None),
]

#: input kind of each corpus file (for the size of the corpus per kind)
def kind_of(name: str) -> str:
    prefix = name.split("_", 1)[0]
    return {"ssp": "local logs", "meetings": "local logs", "courses": "local logs", "events": "local logs",
            "milestones": "local logs", "plan": "plan files", "published": "published tables",
            "printed": "published tables", "cells": "count cells", "estates": "estate maps",
            "register": "register extracts", "panel": "DiD panels", "dst": "StatBank cache",
            "lbf": "LBF exports"}.get(prefix, "other (wrong kind of file)")


def test_corpus_is_complete():
    files = {p.name for p in BAD.iterdir() if p.suffix != ".py"}
    listed = {c[0] for c in CASES}
    assert files == listed
    assert len(listed) >= 80
    per_kind: dict[str, int] = {}
    for name in listed:
        per_kind[kind_of(name)] = per_kind.get(kind_of(name), 0) + 1
    # every input kind has bad files
    assert set(per_kind) >= {"local logs", "plan files", "published tables", "count cells", "estate maps",
                             "register extracts", "DiD panels", "StatBank cache", "LBF exports"}


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


@pytest.mark.parametrize("name,kind,row,column,fragment,secret", CASES, ids=IDS)
def test_message_is_danish_by_default(name, kind, row, column, fragment, secret):
    """The catalogue knows every corpus message: the default (Danish) text differs from the
    English one, and the location is the same in both."""
    from evaluering.errors import language

    result = validate_file(BAD / name, kind=kind)
    first = result.problems[0]
    with language("da"):
        da = str(first)
    with language("en"):
        en = str(first)
    assert da != en and en.endswith(first.message)
    assert da.split(": ")[0] == en.split(": ")[0]
    if secret is not None:
        assert secret not in da[len(str(BAD / name)):]


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
