"""suppress_cells on the count-cell table: hierarchy estate -> plan_part -> plan and the sex split."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from disclosure_attacker import intervals
from evaluering.cellschema import CELL_COLUMNS
from evaluering.disclosure import hierarchy_from_plan, suppress_cells
from evaluering.errors import EvalueringError
from evaluering.plan import default_plans_dir, load_plan


@pytest.fixture(scope="module")
def plan():
    return load_plan(default_plans_dir() / "aalborg-oest.yaml")


def make_cells(plan, seed=0, years=(2019, 2020)):
    rng = np.random.default_rng(seed)
    hier = hierarchy_from_plan(plan)
    rows = []
    for y in years:
        est = {}
        for e in plan.estate_ids:
            for s in ("M", "K"):
                num = int(rng.choice([0, 1, 2, 3, 5, 8]))
                den = int(rng.choice([2, 20, 35, 60])) if num < 2 else int(rng.choice([20, 35, 60]))
                est[(e, s)] = (num, den)
                rows.append(("estate", e, y, s, num, den))
        for level, ids in (("plan_part", [p.id for p in plan.parts]), ("plan", [plan.id])):
            for a in ids:
                for s in ("M", "K"):
                    leaves = [e for e in plan.estate_ids if hier[e] == a or hier.get(hier[e]) == a]
                    rows.append((level, a, y, s, sum(est[(e, s)][0] for e in leaves),
                                 sum(est[(e, s)][1] for e in leaves)))
        rows.append(("municipality", "0851", y, "M", 2, 30000))   # primary only, no hierarchy
    df = pd.DataFrame(rows, columns=["level", "area", "year", "sex", "numerator", "denominator"])
    return df.assign(age_band="10-17", measure="sigtede", source="test", synthetic=True)


def test_cells_primary_secondary_and_totals(plan):
    cells = make_cells(plan)
    res = suppress_cells(cells, plan=plan)
    c = res.cells
    assert list(c.columns[: len(CELL_COLUMNS)]) == list(CELL_COLUMNS)
    small = (cells["numerator"] > 0) & (cells["numerator"] < 3)
    assert c.loc[small, "numerator_reason"].eq("< 3").all()
    assert c.loc[small, "numerator"].isna().all()
    assert c.loc[cells["denominator"] == 2, "denominator_reason"].eq("< 3").all()
    assert (c["numerator_reason"] == "diskretioneret").any()
    assert c.loc[c["numerator_reason"].isna(), "numerator"].notna().all()
    # the municipality cell is primary suppressed but linked to nothing
    muni = c["level"] == "municipality"
    assert c.loc[muni, "numerator_reason"].eq("< 3").all()
    # all-sex totals exist for every linked area-year, in the cell schema
    t = res.totals
    assert set(t["sex"]) == {"all"}
    assert len(t) == 2 * (9 + 2 + 1)          # the municipality has M only: no total
    merged = cells.groupby(["level", "area", "year"])["numerator"].sum()
    for _, row in t[t["numerator_reason"].isna()].iterrows():
        assert row["numerator"] == merged[(row["level"], row["area"], row["year"])]


@pytest.mark.parametrize("seed", range(4))
def test_attacker_cannot_pin_cells(plan, seed):
    cells = make_cells(plan, seed)
    res = suppress_cells(cells, plan=plan)
    hier = hierarchy_from_plan(plan)
    for col in ("numerator", "denominator"):
        pub = {}
        for frame in (res.cells, res.totals):
            for _, r in frame.iterrows():
                if r["level"] == "municipality":
                    continue
                v = r[col]
                pub[(r["area"], r["year"], r["sex"])] = None if pd.isna(v) else float(v)
        eqs = []
        for (a, y, s) in list(pub):
            if s == "all":
                eqs.append(({(a, y, "all"): 1, (a, y, "M"): -1, (a, y, "K"): -1}, 0.0))
            kids = [c for c, p in hier.items() if p == a]
            if kids:
                coefs = {(a, y, s): 1}
                coefs.update({(k, y, s): -1 for k in kids})
                eqs.append((coefs, 0.0))
        truth = {}
        for frame in (cells,):
            for _, r in frame.iterrows():
                truth[(r["area"], r["year"], r["sex"])] = r[col]
        found = intervals(pub, eqs)
        for k, (lo, hi) in found.items():
            assert hi - lo > 0.5, f"{col} {k} pinned"
            v = truth.get(k)
            if v is not None and 0 < v < 3:
                assert hi - lo >= 3 - 1e-6, f"{col} {k} in [{lo}, {hi}]"


def test_threshold_and_inferred_hierarchy():
    rows = [("estate", "E1", 3, 50), ("estate", "E2", 4, 60), ("plan", "P", 7, 110)]
    cells = pd.DataFrame(rows, columns=["level", "area", "numerator", "denominator"]).assign(
        year=2020, age_band="10-17", sex="all", measure="sigtede", source="t", synthetic=False)
    assert suppress_cells(cells).cells["numerator_reason"].isna().all()
    res5 = suppress_cells(cells, threshold=5)
    assert res5.cells["numerator_reason"].tolist() == ["< 5", "< 5", None]
    assert res5.totals.empty


def test_ambiguous_hierarchy_is_an_error(plan):
    cells = make_cells(plan)
    with pytest.raises(EvalueringError, match="hierarchy"):
        suppress_cells(cells)


def test_pure_counts_without_denominator(plan):
    cells = make_cells(plan).assign(measure="ssp_sager_niveau_1_2", denominator=pd.NA)
    res = suppress_cells(cells, plan=plan)
    assert res.cells["denominator"].isna().all()
    assert res.cells["denominator_reason"].isna().all()
    assert res.cells["numerator_reason"].eq("< 3").sum() == ((cells.numerator > 0) & (cells.numerator < 3)).sum()
