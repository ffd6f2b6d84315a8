"""Bad register input: one InputError naming file, row and column, never a person's value."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from evaluering.cells import count_cells
from evaluering.errors import InputError

from cells_handmade import ESTATES, EVENTS, PERSONS


def write_csvs(tmp_path, persons=None, events=None, estates=None):
    paths = {k: tmp_path / f"{k}.csv" for k in ("persons", "events", "estates")}
    (PERSONS if persons is None else persons).to_csv(paths["persons"], index=False)
    (EVENTS if events is None else events).to_csv(paths["events"], index=False)
    (ESTATES if estates is None else estates).to_csv(paths["estates"], index=False)
    return paths


def run(paths, **kw):
    with pytest.raises(InputError) as info:
        count_cells(paths["persons"], paths["events"], paths["estates"], **kw)
    return info.value


@pytest.mark.parametrize("engine", ["duckdb", "dask"])
def test_unknown_sex_code(tmp_path, engine):
    persons = PERSONS.copy()
    persons.loc[4, "sex"] = "X9"          # data row 5 -> line 6 (the header is line 1)
    err = run(write_csvs(tmp_path, persons=persons), engine=engine)
    assert (err.path.endswith("persons.csv"), err.row, err.column) == (True, 6, "sex")
    assert "X9" not in str(err)


@pytest.mark.parametrize("engine", ["duckdb", "dask"])
def test_unknown_event_kind_is_located_without_its_value(tmp_path, engine):
    events = EVENTS.copy()
    events.loc[2, "kind"] = "anholdelse"
    err = run(write_csvs(tmp_path, events=events), engine=engine)
    assert (err.path.endswith("events.csv"), err.row, err.column) == (True, 4, "kind")
    assert "anholdelse" not in str(err)


def test_bad_birth_year(tmp_path):
    persons = PERSONS.astype({"birth_year": object})
    persons.loc[7, "birth_year"] = "19x0"
    err = run(write_csvs(tmp_path, persons=persons))
    assert (err.row, err.column) == (9, "birth_year")
    assert "19x0" not in str(err)


def test_bad_date(tmp_path):
    events = EVENTS.copy()
    events.loc[10, "date"] = "2015-13-45"
    err = run(write_csvs(tmp_path, events=events))
    assert (err.row, err.column) == (12, "date")
    assert "2015-13-45" not in str(err)


@pytest.mark.parametrize("engine", ["duckdb", "dask"])
def test_two_rows_for_one_person_year(tmp_path, engine):
    persons = pd.concat([PERSONS, PERSONS.iloc[[2]]], ignore_index=True)   # person 2 in 2015 again
    err = run(write_csvs(tmp_path, persons=persons), engine=engine)
    assert (err.row, err.column) == (len(persons) + 1, "person_id")  # the second of the two rows
    assert "one row per person-year" in err.message


def test_estate_missing_from_map(tmp_path):
    err = run(write_csvs(tmp_path, estates=ESTATES[ESTATES.estate_id != "C"]))
    assert (err.path.endswith("persons.csv"), err.row, err.column) == (True, 9, "estate_id")


def test_missing_person_id_in_parquet_names_the_record(tmp_path):
    persons = PERSONS.astype({"person_id": "Int64"})
    persons.loc[3, "person_id"] = pd.NA
    p = tmp_path / "persons.parquet"
    persons.to_parquet(p, index=False)
    paths = write_csvs(tmp_path)
    paths["persons"] = p
    err = run(paths)
    assert (err.row, err.column) == (4, "person_id")


def test_missing_column(tmp_path):
    err = run(write_csvs(tmp_path, persons=PERSONS.drop(columns="sex")))
    assert (err.row, err.column) == (1, "sex")


def test_estate_map_problems(tmp_path):
    dup = pd.concat([ESTATES, ESTATES.iloc[[1]]], ignore_index=True)
    err = run(write_csvs(tmp_path, estates=dup))
    assert (err.path.endswith("estates.csv"), err.row, err.column) == (True, 5, "estate_id")


def test_cli_one_line_exit_2_nothing_written(tmp_path):
    events = EVENTS.copy()
    events.loc[0, "law"] = "færdselsloven"
    paths = write_csvs(tmp_path, events=events)
    out = tmp_path / "cells.parquet"
    proc = subprocess.run([sys.executable, "-m", "evaluering", "cells", "--persons", str(paths["persons"]),
                           "--events", str(paths["events"]), "--estates", str(paths["estates"]),
                           "--out", str(out)], capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "events.csv:2:law:" in lines[0]
    assert "færdselsloven" not in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists() and not list(tmp_path.glob(".cells.parquet*"))
