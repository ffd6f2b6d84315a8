"""SAS extracts: every SAS number is a double, so codes arrive as floats (sex 1.0/2.0, ids
12.0). On real SAS7BDAT files (tests/data/sas/, from pyreadstat's test data, see its
SOURCES.md) and on a float-coded register written with pyreadstat (SAS transport, .xpt)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from evaluering.cells import count_cells
from evaluering.cells.inputs import iter_chunks
from evaluering.cells.schema import SEX_ALIASES, normalize_code
from evaluering.cli import main
from evaluering.errors import InputError
from evaluering.sources.register import read_register

ROOT = Path(__file__).resolve().parents[2]
SAS = ROOT / "tests" / "data" / "sas"

_spec = importlib.util.spec_from_file_location("cells_handmade", ROOT / "tests" / "cells" / "cells_handmade.py")
handmade = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(handmade)


def _read(path):
    return pd.concat([df for _, df in iter_chunks(path, "sas7bdat")], ignore_index=True)


def test_real_sas_file_whole_floats_read_as_codes():
    df = _read(SAS / "sample.sas7bdat")
    # mylabl is stored by SAS as 1.0/2.0/1.0/2.0/1.0: read as the codes 1/2, as a sex code would be
    assert df["mylabl"].astype("string").tolist() == ["1", "2", "1", "2", "1"]
    assert [normalize_code(v, SEX_ALIASES) for v in df["mylabl"]] == ["M", "K", "M", "K", "M"]
    assert df["myord"].tolist() == [1, 2, 3, 1, 1]
    # a column with fractions stays a float column
    assert df["mynum"].tolist() == [1.1, 1.2, -1000.3, -1.4, 1000.3]
    ids = _read(SAS / "date_test.sas7bdat")["patno"]
    assert str(ids.dtype) == "Int64" and ids.astype("string").iloc[0] == "1001"
    # all missing but one: stays as it is, the one value whole
    miss = _read(SAS / "missing_test.sas7bdat")
    assert miss["var9"].tolist() == [1] and miss["var1"].isna().all()


@pytest.mark.parametrize("name", ["sample.sas7bdat", "date_test.sas7bdat"])
def test_real_sas_file_without_register_columns_is_named(name, capsys):
    path = SAS / name
    with pytest.raises(Exception) as e:
        read_register(path, "register-persons")
    first = getattr(e.value, "errors", [e.value])[0]                    # one error or a list of them
    assert str(path) in str(e.value) and first.row == 1 and first.column == "person_id"
    assert first.message.startswith("missing column 'person_id'")
    assert main(["validate", "--kind", "register-persons", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "person_id" in err and "Traceback" not in err


def test_real_sas_file_mapped_to_register_columns(tmp_path):
    """date_test.sas7bdat's columns mapped by a small fixture map to a persons extract:
    its real float ids (1001.0 ...) and a year column; the sex codes from sample.sas7bdat's
    real 1.0/2.0 column."""
    import pyreadstat

    real = _read(SAS / "date_test.sas7bdat")
    sexes = _read(SAS / "sample.sas7bdat")["mylabl"]
    fixture_map = {"patno": "person_id"}
    persons = real[list(fixture_map)].rename(columns=fixture_map).head(len(sexes))
    persons = persons.assign(person_id=persons["person_id"].astype("float64"), year=2018.0,
                             birth_year=2001.0, sex=sexes.astype("float64").to_numpy())
    path = tmp_path / "persons.xpt"
    pyreadstat.write_xport(persons, str(path), table_name="persons")
    assert pyreadstat.read_xport(str(path))[0]["sex"].tolist() == [1.0, 2.0, 1.0, 2.0, 1.0]   # floats on disk
    summary = read_register(path, "register-persons")
    assert summary.attrs["rows"] == 5


def test_float_coded_register_gives_the_hand_counted_cells(tmp_path):
    """The hand-made register (tests/cells/cells_handmade.py) with every number a SAS double
    (sex 1.0/2.0, ids 12.0, years 2015.0), written with pyreadstat as SAS transport: the
    same cells as the hand-made register itself."""
    import pyreadstat

    estate_codes = {"A": 12, "B": 13, "C": 14}
    persons = handmade.PERSONS.assign(
        person_id=handmade.PERSONS["person_id"].astype("float64"),
        year=handmade.PERSONS["year"].astype("float64"),
        birth_year=handmade.PERSONS["birth_year"].astype("float64"),
        estate_id=handmade.PERSONS["estate_id"].map(estate_codes).astype("float64"),
        sex=handmade.PERSONS["sex"].map({"M": 1.0, "K": 2.0}))
    events = handmade.EVENTS.assign(person_id=handmade.EVENTS["person_id"].astype("float64"),
                                    date=pd.to_datetime(handmade.EVENTS["date"]))
    pyreadstat.write_xport(persons, str(tmp_path / "persons.xpt"), table_name="persons")
    pyreadstat.write_xport(events, str(tmp_path / "events.xpt"), table_name="events")
    on_disk = pyreadstat.read_xport(str(tmp_path / "persons.xpt"))[0]
    assert on_disk["sex"].dtype == "float64" and on_disk["estate_id"].iloc[0] == 12.0
    estates = handmade.ESTATES.assign(estate_id=handmade.ESTATES["estate_id"].map(estate_codes).astype(str))
    estates.to_csv(tmp_path / "estates.csv", index=False)
    assert read_register(tmp_path / "persons.xpt", "register-persons").attrs["rows"] == len(persons)
    got = count_cells(tmp_path / "persons.xpt", tmp_path / "events.xpt", tmp_path / "estates.csv",
                      progress=False).cells
    handmade.ESTATES.to_csv(tmp_path / "m.csv", index=False)
    hp = handmade.PERSONS.assign(estate_id=handmade.PERSONS["estate_id"].astype("string"))
    hp.to_parquet(tmp_path / "p.parquet", index=False)
    handmade.EVENTS.assign(date=pd.to_datetime(handmade.EVENTS["date"]).dt.date).to_parquet(tmp_path / "e.parquet",
                                                                                          index=False)
    want = count_cells(tmp_path / "p.parquet", tmp_path / "e.parquet", tmp_path / "m.csv", progress=False).cells
    back = {str(v): k for k, v in estate_codes.items()}
    got = got.assign(area=[back.get(a, a) if lv == "estate" else a for lv, a in zip(got["level"], got["area"])])
    key = ["level", "area", "year", "age_band", "sex", "measure"]
    g = got.sort_values(key).reset_index(drop=True)
    w = want.sort_values(key).reset_index(drop=True)
    cols = key + ["numerator", "denominator"]
    pd.testing.assert_frame_equal(g[cols].astype({"area": str}), w[cols].astype({"area": str}))
    assert set(g["sex"]) >= {"M", "K"}
