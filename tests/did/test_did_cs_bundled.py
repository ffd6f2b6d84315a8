"""End to end on the bundled synthetic cells: CS with estate composition covariates and the
multiplier bootstrap, from the command line, matched against csdid (R ``did`` port)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluering import did
from evaluering.cli import main
from evaluering.did.covariates import composition_shares
from evaluering.plan import load_plan

ROOT = Path(__file__).resolve().parents[2]
CELLS = ROOT / "data" / "processed" / "cells.parquet"
TRUTH = ROOT / "data" / "raw" / "synthetic" / "truth.json"

pytestmark = pytest.mark.skipif(not (CELLS.is_file() and TRUTH.is_file()),
                                reason="synthetic data not built (evaluering build)")

#: estate-year composition from the cells' population (denominators): ratios of sums
GROUPS = {"andel_drenge": ("sigtet_mistaenkt", {"sex": ["M"], "within": {"age_band": ["10-17"]}}),
          "andel_maend": ("sigtede", {"sex": ["M"], "within": {"age_band": ["15+"]}})}


@pytest.fixture(scope="module")
def panel():
    cells = pd.read_parquet(CELLS)
    eff = json.loads(TRUTH.read_text(encoding="utf-8"))["effect"]
    plan = load_plan(ROOT / "data" / "raw" / "plans" / "aalborg-oest.yaml")
    p = did.panel_from_cells(cells, eff["measure"], eff["age_band"], plan)
    for name, (measure, spec) in GROUPS.items():
        p = p.merge(composition_shares(cells, measure, {name: spec}), on=["unit", "time"], how="left")
    assert p[list(GROUPS)].notna().all().all()
    return p


def test_cli_cs_covariates_bootstrap_on_bundled_cells(panel, tmp_path, capsys):
    path = tmp_path / "panel.csv"
    panel.to_csv(path, index=False)
    code = main(["did", str(path), "--unit", "unit", "--time", "time", "--start", "start", "--count", "count",
                 "--population", "population", "--estimator", "cs", "--covariates", ",".join(GROUPS),
                 "--bootstrap", "multiplier", "--seed", "5", "--format", "json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    assert out["ci_low"] < truth["effect_pp"] / 100 < out["ci_high"]
    assert out["bands"]["dynamic"] >= 1.959
    assert out["inference"] == "multiplier"


def test_bundled_cs_dr_matches_csdid(panel):
    pytest.importorskip("csdid")
    from csdid.att_gt import ATTgt

    p = panel.assign(y=panel["count"] / panel["population"])
    p["id"] = pd.factorize(p["unit"])[0] + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        o = ATTgt(yname="y", gname="start", idname="id", tname="time", data=p, control_group="nevertreated",
                  xformla="y~" + "+".join(GROUPS)).fit(est_method="dr", bstrap=False)
    ours = did.att_gt(p["y"], p["id"], p["time"], p["start"], covariates=p[list(GROUPS)], est_method="dr")
    np.testing.assert_allclose(ours.att, o.results["att"], atol=1e-8)
    np.testing.assert_allclose(ours.se, o.results["se"], atol=1e-6)
