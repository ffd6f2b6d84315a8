"""Value parsers: hand-checked examples and properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, strategies as st

from evaluering.sources.schema import parse_bool, parse_date, parse_float, parse_int


@pytest.mark.parametrize("text,expected", [("1.107.000", 1107000), ("894.000", 894000), ("24", 24),
                                           (" 3 ", 3), ("1 107 000", 1107000), ("−2", -2), ("12,0", 12)])
def test_parse_int(text, expected):
    assert parse_int(text) == expected


@pytest.mark.parametrize("text", ["tre", "2,5", "1.10.7", "", "1,2,3"])
def test_parse_int_rejects(text):
    with pytest.raises(ValueError):
        parse_int(text)


@pytest.mark.parametrize("text,decimal,expected", [("4,2", ",", 4.2), ("1.107.000,50", ",", 1107000.5),
                                                   ("4.2", ".", 4.2), ("1,107.5", ".", 1107.5),
                                                   ("4,2 %", ",", 4.2), ("-0,3", ",", -0.3), ("0,925", ",", 0.925)])
def test_parse_float(text, decimal, expected):
    assert parse_float(text, decimal) == pytest.approx(expected)


@given(st.integers(min_value=0, max_value=10**12))
def test_danish_thousands_roundtrip(n):
    from evaluering.fmt import number
    assert parse_int(number(n)) == n


@given(st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False))
def test_danish_decimal_roundtrip(x):
    from evaluering.fmt import number
    assert parse_float(number(float(x), 2)) == pytest.approx(float(x), abs=1e-9)


@pytest.mark.parametrize("text", ["2018-03-14", "14.03.2018", "14-03-2018", "14/3/2018", "14.3.2018",
                                  "2018-03-14 00:00:00", dt.datetime(2018, 3, 14, 0, 0)])
def test_parse_date(text):
    assert parse_date(text) == dt.date(2018, 3, 14)


@pytest.mark.parametrize("text,fragment", [("31.02.2018", "valid calendar date"), ("i går", "not a date"),
                                           (43000, "a number")])
def test_parse_date_rejects(text, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_date(text)


def test_parse_bool():
    assert [parse_bool(x) for x in ["ja", "JA", "yes", "1", "x", "nej", "", "0", None]] == [True] * 5 + [False] * 4
    with pytest.raises(ValueError):
        parse_bool("måske")


@pytest.mark.parametrize("kind,name", [("ssp", "ssp_sager.csv"), ("meetings", "netvaerksmoeder.csv"),
                                       ("courses", "ungeforloeb.csv"), ("events", "opkvalificering.csv"),
                                       ("milestones", "milepaele.csv")])
def test_column_pass_reads_a_log_as_the_row_pass_does(kind, name):
    """parse_table parses a clean file column by column (each distinct value once) and types
    the columns directly; the row-by-row pass and the frame-wise typing must agree."""
    import pandas as pd

    from pathlib import Path

    from evaluering.sources import schema as s
    from evaluering.sources.logs import LOG_SCHEMAS

    raw = s.read_raw(Path(__file__).resolve().parents[2] / "data" / "raw" / "logs" / name)
    schema = LOG_SCHEMAS[kind]
    collector = s._Collector(raw.path, False, s.MAX_PROBLEMS)
    positions = s._match_headers(raw, schema, collector)
    header_of = {c.name: raw.headers[positions[c.name]] for c in schema.columns if c.name in positions}
    data, notes = s._parse_columns(raw, schema, positions)
    assert (data, notes) == s._parse_rows(raw, schema, positions, header_of, collector)
    pd.testing.assert_frame_equal(s._typed_frame(data, notes, schema), s._types(pd.DataFrame(data), schema))
