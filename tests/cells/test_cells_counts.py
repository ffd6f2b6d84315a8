"""Cells of the hand-made register: values counted by hand, engines against each other."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluering.cells import count_cells, read_cells, reference_cells
from evaluering.cellschema import CELL_COLUMNS, KEY_COLUMNS

from cells_handmade import ESTATES, EVENTS, PERSONS


def cell(cells, level, area, year, band, sex, measure):
    sel = cells[(cells.level == level) & (cells.area == area) & (cells.year == year) & (cells.age_band == band)
                & (cells.sex == sex) & (cells.measure == measure)]
    assert len(sel) == 1, (level, area, year, band, sex, measure)
    return int(sel.numerator.iloc[0]), int(sel.denominator.iloc[0])


def sorted_cells(c):
    return c.sort_values(list(KEY_COLUMNS)).reset_index(drop=True)


@pytest.fixture(scope="module")
def hand_cells(tmp_path_factory):
    d = tmp_path_factory.mktemp("hand")
    PERSONS.assign(estate_id=PERSONS.estate_id.astype("string")).to_parquet(d / "p.parquet", index=False)
    EVENTS.assign(date=pd.to_datetime(EVENTS.date).dt.date).to_parquet(d / "e.parquet", index=False)
    ESTATES.to_csv(d / "m.csv", index=False)
    return count_cells(d / "p.parquet", d / "e.parquet", d / "m.csv", out=d / "cells.parquet")


def test_hand_counted_youth_cells(hand_cells):
    c = hand_cells.cells
    # estate A 2015, 10-17: boys 1 and 4 (4's only event is under another law), girl 2
    assert cell(c, "estate", "A", 2015, "10-17", "M", "sigtet_mistaenkt") == (1, 2)
    # girl 2 was suspected and charged in 2015: she counts once
    assert cell(c, "estate", "A", 2015, "10-17", "K", "sigtet_mistaenkt") == (1, 1)
    # person 5 lived in C on 1 January 2015: her June charge counts in C
    assert cell(c, "estate", "C", 2015, "10-17", "K", "sigtet_mistaenkt") == (1, 1)
    # person 4 moved to C: his 2016 suspicion counts there
    assert cell(c, "estate", "C", 2016, "10-17", "M", "sigtet_mistaenkt") == (1, 1)
    assert cell(c, "estate", "A", 2016, "10-17", "K", "sigtet_mistaenkt") == (0, 2)
    assert cell(c, "country", "DK", 2015, "10-17", "K", "sigtet_mistaenkt") == (2, 2)
    assert cell(c, "plan", "P", 2015, "10-17", "M", "sigtet_mistaenkt") == (1, 2)
    assert cell(c, "municipality", "0851", 2015, "10-17", "M", "sigtet_mistaenkt") == (1, 2)
    assert cell(c, "municipality", "0101", 2015, "10-17", "K", "sigtet_mistaenkt") == (1, 1)


def test_hand_counted_adult_cells(hand_cells):
    c = hand_cells.cells
    assert cell(c, "estate", "A", 2015, "15+", "M", "sigtelser") == (2, 1)
    assert cell(c, "estate", "A", 2015, "15+", "M", "sigtede") == (1, 1)
    assert cell(c, "estate", "A", 2015, "15+", "M", "afgoerelser") == (1, 1)
    assert cell(c, "estate", "A", 2015, "15+", "K", "sigtede") == (1, 1)
    assert cell(c, "estate", "A", 2016, "15+", "M", "afgoerelser") == (1, 1)
    assert cell(c, "estate", "A", 2016, "15+", "M", "sigtede") == (0, 1)
    # the 2015 charge of person 8 has no residence on 1 January 2015: not counted anywhere
    assert cell(c, "country", "DK", 2015, "15+", "M", "sigtede") == (1, 1)
    assert cell(c, "country", "DK", 2016, "15+", "K", "sigtede") == (1, 3)
    assert cell(c, "public_housing", "almen", 2015, "15+", "K", "sigtede") == (2, 2)
    assert cell(c, "plan_part", "p2", 2016, "15+", "M", "sigtelser") == (0, 1)
    assert hand_cells.stats["event_person_years_without_residence"] == 1


def test_under_ten_in_no_band_and_pooling_is_sums(hand_cells):
    c = hand_cells.cells
    # estate B 2015 has only a 5-year-old: he is a resident (beboere, alle) but in no crime band
    b15 = c[(c.level == "estate") & (c.area == "B") & (c.year == 2015)]
    assert set(b15.measure) == {"beboere"} and cell(c, "estate", "B", 2015, "alle", "M", "beboere") == (1, 1)
    # movers are level-dependent (a move between two estates of the plan is no move of the plan)
    c = c[~c.measure.isin(["tilflyttere", "fraflyttere"])]
    plan = {(r.area, r.year, r.age_band, r.sex, r.measure): (r.numerator, r.denominator)
            for r in c[c.level == "plan"].itertuples()}
    summed: dict = {}
    for r in c[(c.level == "estate") & c.area.isin(["A", "B"])].itertuples():
        key = ("P", r.year, r.age_band, r.sex, r.measure)
        n, d = summed.get(key, (0, 0))
        summed[key] = (n + r.numerator, d + r.denominator)
    assert plan == summed


def test_written_file_roundtrips(hand_cells):
    back = read_cells(hand_cells.path)
    assert list(back.columns) == list(CELL_COLUMNS)
    pd.testing.assert_frame_equal(back, hand_cells.cells)
    assert not back["synthetic"].any() and (back["source"] == "DST register").all()


def test_duckdb_equals_pandas_reference(hand_cells, register):
    ref = reference_cells(register["persons"], register["events"], register["estates"])
    pd.testing.assert_frame_equal(sorted_cells(hand_cells.cells), sorted_cells(ref))


def test_csv_input_gives_the_same_cells(hand_cells, register_csv):
    res = count_cells(register_csv["persons"], register_csv["events"], register_csv["estates"])
    pd.testing.assert_frame_equal(res.cells, hand_cells.cells)


def test_dask_equals_duckdb(hand_cells, register):
    res = count_cells(register["persons"], register["events"], register["estates"], engine="dask", threads=2)
    pd.testing.assert_frame_equal(res.cells, hand_cells.cells)
    assert res.stats == {**hand_cells.stats}


def test_sas_path_converts_in_chunks(monkeypatch, tmp_path, hand_cells, register):
    """SAS extracts are converted chunk-wise with pyreadstat. No SAS7BDAT writer exists in
    Python, so the test writes SAS transport (XPORT) files and lets the reader read them."""
    import pyreadstat

    persons = PERSONS.assign(estate_id=PERSONS.estate_id.fillna(""))
    pyreadstat.write_xport(persons, str(tmp_path / "persons.sas7bdat"), table_name="persons")
    ev = EVENTS.assign(date=pd.to_datetime(EVENTS.date))
    pyreadstat.write_xport(ev, str(tmp_path / "events.sas7bdat"), table_name="events")
    monkeypatch.setattr(pyreadstat, "read_sas7bdat", pyreadstat.read_xport)
    res = count_cells(tmp_path / "persons.sas7bdat", tmp_path / "events.sas7bdat", register["estates"])
    pd.testing.assert_frame_equal(res.cells, hand_cells.cells)


def test_synthetic_marker_flows_to_cells(tmp_path):
    from evaluering.synth.national import generate_national

    paths = generate_national(persons=3_000, years=(2014, 2016), out=tmp_path, progress=False)
    res = count_cells(paths["persons"], paths["events"], paths["estates"])
    assert res.cells["synthetic"].all()
    assert (res.cells["source"] == "Syntetiske data").all()


def test_engine_options_do_not_change_cells(hand_cells, register):
    res = count_cells(register["persons"], register["events"], register["estates"], memory_limit="500MB",
                      threads=1, check_duplicates=True)
    pd.testing.assert_frame_equal(res.cells, hand_cells.cells)


def test_levels_option_selects_levels(register):
    res = count_cells(register["persons"], register["events"], register["estates"], levels=("plan", "country"))
    assert set(res.cells["level"]) == {"plan", "country"}


def test_dask_with_a_scheduler_address(hand_cells, register):
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        res = count_cells(register["persons"], register["events"], register["estates"], engine="dask",
                          scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(res.cells, hand_cells.cells)


def test_unreachable_scheduler_is_a_user_error(register):
    from evaluering.errors import EvalueringError

    with pytest.raises(EvalueringError, match="scheduler"):
        count_cells(register["persons"], register["events"], register["estates"], engine="dask",
                    scheduler="tcp://127.0.0.1:9")


def test_age_column_and_dst_sex_codes_give_the_same_cells(hand_cells, tmp_path, register):
    persons = PERSONS.assign(age=PERSONS.year - PERSONS.birth_year, sex=PERSONS.sex.map({"M": 1, "K": 2}))
    persons = persons.drop(columns="birth_year").rename(columns=str.upper)   # SAS-style upper-case names
    persons.to_csv(tmp_path / "persons.csv", index=False, sep=";")
    res = count_cells(tmp_path / "persons.csv", register["events"], register["estates"])
    pd.testing.assert_frame_equal(res.cells, hand_cells.cells)
