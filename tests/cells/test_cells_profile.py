"""The lookup-mask profile and the packed counters of the DuckDB engine (cells/profile.py):
the same bits as the per-row conditions, and exactly the reference engine's cells on the
bundled synthetic data and on small hand-made inputs, also on the fallback paths."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

from evaluering.cells import count_cells, duckdb_engine, reference_cells
from evaluering.cells import measures as measures_module
from evaluering.cells.measures import REGISTER_COLUMNS, code_aliases, measure_plan
from evaluering.cells.profile import Packing, achievable_profiles, lookup_masks, profile_sql
from evaluering.cellschema import KEY_COLUMNS
from evaluering.synth import generate_register

from test_cells_measures import ESTATES, EVENTS, PERSONS


def _sorted(c):
    return c.sort_values(list(KEY_COLUMNS)).reset_index(drop=True)


def _random_rows(n: int, seed: int = 3) -> pd.DataFrame:
    """Person-year values around every constant the measures compare with, missing included."""
    rng = np.random.default_rng(seed)

    def pick(values):
        return pd.Series([values[i] for i in rng.integers(0, len(values), n)], dtype=object)

    df = pd.DataFrame({"age": rng.integers(0, 131, n)})
    for col, kind in REGISTER_COLUMNS.items():
        if kind == "code":
            df[col] = pick([None, *sorted(set(code_aliases(col).values()))])
        elif kind == "bool":
            df[col] = pick([None, True, False])
        else:
            df[col] = pick([None, -5, 0, 1, 1.5, 2, 2.5, 3, 12, 150000])
    for col in measures_module.EVENT_VALUES:
        df[col] = pick([None, 0, 1, 2])
    return df


def test_lookup_profile_equals_the_per_row_conditions():
    plan = measure_plan(set(REGISTER_COLUMNS))
    case, bits, _ = plan.sql_profile()
    found = lookup_masks(plan, bits)
    assert found is not None
    con = duckdb.connect(":memory:")
    rows = _random_rows(20_000)
    con.register("rows_df", rows)
    typed = ", ".join(
        ["CAST(age AS INTEGER) AS age"]
        + [f"CAST({c} AS {dict(code='VARCHAR', bool='BOOLEAN', int='BIGINT').get(k, 'DOUBLE')}) AS {c}"
           for c, k in REGISTER_COLUMNS.items()]
        + [f"CAST({c} AS INTEGER) AS {c}" for c in measures_module.EVENT_VALUES])
    con.execute(f"CREATE TABLE r AS SELECT {typed} FROM rows_df")
    old, new = con.execute(f"SELECT list({case}), list({profile_sql(*found)}) FROM r").fetchall()[0]
    assert old == new
    assert set(old) <= set(achievable_profiles(*found))


def test_packing_holds_counts_up_to_the_row_count():
    bits = {f"c{i}": i for i in range(10)}
    for rows in (1, 2 ** 20 - 1, 2 ** 20, 10 ** 8):
        pk = Packing.of(bits, rows)
        words = np.array(pk.words([(1 << 10) - 1], bits), dtype=object)[0] * rows   # every counter = rows
        for col, (w, shift) in pk.slots.items():
            assert (int(words[w]) >> shift) & ((1 << pk.width) - 1) == rows
            assert shift <= 62          # a word of one row is a non-negative BIGINT


def test_a_term_on_two_values_is_not_split(tmp_path):
    doc = yaml.safe_load(measures_module.MEASURES_FILE.read_text(encoding="utf-8"))
    doc["measures"]["gode_karakterer"] = {
        "label": "Gode karakterer", "age_band": "9. klasse", "inputs": ["grade9_dansk", "grade9_matematik"],
        "population": "known(grade9_dansk) and known(grade9_matematik)",
        "numerator": {"count": "grade9_dansk + grade9_matematik >= 14"}}
    path = tmp_path / "measures.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    plan = measure_plan(set(REGISTER_COLUMNS), path=path)
    assert lookup_masks(plan, plan.sql_profile()[1]) is None


@pytest.fixture(scope="module")
def hand_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("profile")
    p = PERSONS.copy()
    for c in ("estate_id", "status", "education", "origin"):
        p[c] = p[c].astype("string")
    p["income"] = p["income"].astype("Int64")
    p["dagtilbud"] = p["dagtilbud"].astype("boolean")
    p.to_parquet(d / "p.parquet", index=False)
    EVENTS.assign(date=pd.to_datetime(EVENTS.date).dt.date).to_parquet(d / "e.parquet", index=False)
    ESTATES.to_csv(d / "m.csv", index=False)
    return d / "p.parquet", d / "e.parquet", d / "m.csv"


@pytest.fixture(scope="module")
def synth_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("synth")
    reg = generate_register("aalborg-oest")
    reg["persons"].to_parquet(d / "p.parquet", index=False)
    reg["events"].to_parquet(d / "e.parquet", index=False)
    reg["estates"].to_csv(d / "m.csv", index=False)
    return d / "p.parquet", d / "e.parquet", d / "m.csv"


#: the engine's three ways of counting: packed look-ups, look-ups grouped by profile,
#: per-row conditions grouped by profile
PATHS = {
    "packed": {},
    "grouped": {"achievable_profiles": lambda *a, **k: None},
    "per_row": {"lookup_masks": lambda *a, **k: None},
}


@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("data", ["hand_files", "synth_files"])
def test_every_path_gives_the_reference_cells(request, monkeypatch, path, data):
    persons, events, estates = request.getfixturevalue(data)
    for name, fn in PATHS[path].items():
        monkeypatch.setattr(duckdb_engine, name, fn)
    kw = {"source": "Syntetiske data", "synthetic": True}
    got = count_cells(persons, events, estates, progress=False, **kw).cells
    ref = reference_cells(persons, events, estates, **kw)
    pd.testing.assert_frame_equal(_sorted(got), _sorted(ref))


def test_profile_of_a_small_hand_made_input(tmp_path):
    """Ages at the edges of the bands, missing codes, events only in some person-years."""
    persons = pd.DataFrame({
        "person_id": [1, 2, 3, 4, 5, 6, 7], "year": [2016] * 7,
        "estate_id": pd.Series(["A", "A", "A", None, "A", "A", "A"], dtype="string"),
        "municipality": ["0851"] * 7, "birth_year": [2016 - a for a in (0, 9, 10, 17, 18, 64, 65)],
        "sex": ["M", "K", "M", "K", "M", "K", "M"],
        "status": pd.Series([None, "barn", "ledig", "under_uddannelse", "ledig", "beskaeftiget", None], dtype="string"),
        "in_education": pd.Series([None, False, True, True, None, False, False], dtype="boolean")})
    events = pd.DataFrame({"person_id": [3, 4, 5, 5], "date": pd.to_datetime(["2016-02-01"] * 3 + ["2017-01-05"]).date,
                           "law": ["straffeloven"] * 4, "kind": ["sigtelse", "mistanke", "afgoerelse", "sigtelse"]})
    estates = pd.DataFrame({"estate_id": ["A"], "plan_id": ["P"], "plan_part": [None]})
    persons.to_parquet(tmp_path / "p.parquet", index=False)
    events.to_parquet(tmp_path / "e.parquet", index=False)
    estates.to_csv(tmp_path / "m.csv", index=False)
    files = (tmp_path / "p.parquet", tmp_path / "e.parquet", tmp_path / "m.csv")
    got = count_cells(*files, progress=False).cells
    pd.testing.assert_frame_equal(_sorted(got), _sorted(reference_cells(*files)))
    youth = got[(got.measure == "sigtet_mistaenkt") & (got.level == "estate")]
    assert youth[["numerator", "denominator"]].sum().tolist() == [1, 1]      # only the 10-year-old in A


def test_only_the_movers(hand_files):
    res = count_cells(*hand_files, progress=False, measures=("tilflyttere", "fraflyttere"))
    assert set(res.cells["measure"]) == {"tilflyttere", "fraflyttere"}
    full = count_cells(*hand_files, progress=False).cells
    movers = full[full["measure"].isin(["tilflyttere", "fraflyttere"])]
    pd.testing.assert_frame_equal(_sorted(res.cells), _sorted(movers))
