"""End to end on the bundled synthetic cells: the planted effect lies in the interval."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from evaluering import did
from evaluering.plan import load_plan

ROOT = Path(__file__).resolve().parents[2]
CELLS = ROOT / "data" / "processed" / "cells.parquet"
TRUTH = ROOT / "data" / "raw" / "synthetic" / "truth.json"

pytestmark = pytest.mark.skipif(not (CELLS.is_file() and TRUTH.is_file()),
                                reason="synthetic data not built (evaluering build)")


def test_planted_effect_is_covered_by_the_default_interval():
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    eff = truth["effect"]
    plan = load_plan(ROOT / "data" / "raw" / "plans" / "aalborg-oest.yaml")
    panel = did.panel_from_cells(pd.read_parquet(CELLS), eff["measure"], eff["age_band"], plan)
    units = panel.groupby("unit")["start"].first()
    assert sorted(units[units > 0].index) == sorted(truth["treated_estates"])
    assert set(units[units > 0]) == set(truth["treatment_start_year"].values())
    panel["pct"] = 100 * panel["count"] / panel["population"]
    res = did.twfe(panel, outcome="pct", weights="population")
    assert res.vcov == "CR2"  # fewer than 50 estates
    lo, hi = res.confint().loc["ATT"]
    assert lo < truth["effect_pp"] < hi
    # the count/population form gives the same estimate on the share scale
    share = did.twfe(panel, count="count", population="population")
    assert share.att * 100 == pytest.approx(res.att, rel=1e-10)
    # no effect was planted on the 15+ measures: the interval there should contain zero
    p15 = did.panel_from_cells(pd.read_parquet(CELLS), "sigtede", "15+", plan)
    lo15, hi15 = did.twfe(p15, count="count", population="population").confint().loc["ATT"]
    assert lo15 < 0 < hi15
