"""The national-scale generator: chunked, staggered plans, moves, a recoverable effect."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest

from evaluering.cells import count_cells


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    out = tmp_path_factory.mktemp("nat")
    proc = subprocess.run([sys.executable, "-m", "evaluering", "-q", "synth", "--persons", "300000",
                           "--years", "2006-2020", "--seed", "3", "--chunk-rows", "400000", "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out


def test_streamed_in_bounded_row_groups(national):
    meta = pq.ParquetFile(national / "persons.parquet").metadata
    assert meta.num_row_groups > 5
    assert max(meta.row_group(i).num_rows for i in range(meta.num_row_groups)) <= 400_000
    truth = json.loads((national / "truth.json").read_text())
    assert truth["person_years"] == meta.num_rows


def test_structure_staggered_plans_and_moves(national):
    est = pd.read_csv(national / "estates.csv", dtype=str)
    starts = est.dropna(subset=["plan_id"]).groupby("plan_id")["start_year"].first()
    assert starts.nunique() >= 2
    p = pd.read_parquet(national / "persons.parquet", columns=["person_id", "year", "estate_id"])
    assert p["year"].min() == 2006 and p["year"].max() == 2020
    assert not p.duplicated(["person_id", "year"]).any()
    in_est = p.dropna(subset=["estate_id"])
    assert (in_est.groupby("person_id")["estate_id"].nunique() > 1).any()
    assert 0.12 < len(in_est) / len(p) < 0.22


def test_known_effect_recovered_from_cells(national):
    res = count_cells(national / "persons.parquet", national / "events.parquet", national / "estates.csv",
                      levels=("estate",))
    c = res.cells[res.cells.measure == "sigtet_mistaenkt"]
    est = pd.read_csv(national / "estates.csv", dtype={"start_year": "Int64"})
    start = est.set_index("estate_id")["start_year"]
    c = c.assign(start=c.area.map(start))
    planned = c[c.start.notna()].copy()
    planned["post"] = planned.year >= planned.start
    # within plan estates, pre vs post; the untreated level has no trend in the generator
    g = planned.groupby("post")[["numerator", "denominator"]].sum()
    r = 100 * g.numerator / g.denominator
    truth = json.loads((national / "truth.json").read_text())
    assert truth["effect_pp"] == -1.0
    assert abs((r[True] - r[False]) - truth["effect_pp"]) < 0.6
