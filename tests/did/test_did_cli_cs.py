"""The command line for CS with covariates and the multiplier bootstrap, and wild/RI for
the event study and CS: ``evaluering did ... --estimator cs --covariates a,b,c
--bootstrap multiplier``."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from evaluering import did
from evaluering.cli import main


@pytest.fixture
def panel_csv(tmp_path):
    rng = np.random.default_rng(21)
    rows = []
    for u in range(16):
        start = 2017 if u < 5 else (2019 if u < 8 else 0)
        young, male, nonw = rng.uniform(0.1, 0.3), rng.uniform(0.45, 0.55), rng.uniform(0.2, 0.7)
        for t in range(2013, 2021):
            n = int(rng.integers(40, 120))
            p = 0.05 + 0.002 * (t - 2013) - (0.02 if start and t >= start else 0)
            rows.append((f"AF{u:02d}", t, start, int(rng.binomial(n, p)), n, young + rng.normal(0, 0.01),
                         male, nonw))
    df = pd.DataFrame(rows, columns=["afdeling", "aar", "start", "sigtede", "personer", "andel_10_17",
                                     "andel_maend", "andel_ikkevestlig"])
    path = tmp_path / "panel.csv"
    df.to_csv(path, index=False)
    return path, df


BASE = ["--unit", "afdeling", "--time", "aar", "--start", "start", "--count", "sigtede", "--population", "personer"]
COV = "andel_10_17,andel_maend,andel_ikkevestlig"


def run_json(capsys, *args):
    code = main(["did", *map(str, args), "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


def test_cs_covariates_multiplier_bootstrap(capsys, panel_csv):
    path, df = panel_csv
    out = run_json(capsys, path, *BASE, "--estimator", "cs", "--covariates", COV, "--bootstrap", "multiplier",
                   "--biters", "499", "--seed", "7")
    lib = did.callaway_santanna(df, unit="afdeling", time="aar", start="start", count="sigtede",
                                population="personer", covariates=COV, bootstrap="multiplier", biters=499, seed=7)
    assert out["att"] == pytest.approx(lib.att, abs=1e-14)
    assert out["se"] == pytest.approx(lib.tidy().iloc[0]["std_error"], abs=1e-14)
    assert set(out["bands"]) == {"attgt", "dynamic", "group", "calendar"}
    assert out["vcov"] == "multiplier-bootstrap" and out["inference"] == "multiplier"
    rows = {r["term"]: r for r in out["table"]}
    r = rows["ATT(g=2017,t=2017)"]
    assert r["conf_high"] - r["estimate"] == pytest.approx(out["bands"]["attgt"] * r["std_error"], rel=1e-12)
    no_band = run_json(capsys, path, *BASE, "--estimator", "cs", "--covariates", COV, "--bootstrap", "multiplier",
                       "--biters", "499", "--no-cband")
    assert "bands" not in no_band


@pytest.mark.parametrize("method", ["dr", "ipw", "reg"])
def test_cs_est_method_flag(capsys, panel_csv, method):
    path, df = panel_csv
    out = run_json(capsys, path, *BASE, "--estimator", "cs", "--covariates", COV, "--est-method", method)
    lib = did.callaway_santanna(df, unit="afdeling", time="aar", start="start", count="sigtede",
                                population="personer", covariates=COV, est_method=method)
    assert out["att"] == pytest.approx(lib.att, abs=1e-14)


@pytest.mark.parametrize("estimator", ["event", "cs"])
@pytest.mark.parametrize("inference", ["wild", "ri"])
def test_wild_and_ri_for_event_and_cs(capsys, panel_csv, estimator, inference):
    path, _ = panel_csv
    out = run_json(capsys, path, *BASE, "--estimator", estimator, "--inference", inference, "--n-boot", "999",
                   "--n-perm", "199", "--seed", "3")
    assert out["inference"] == inference
    assert out["ci_low"] < out["att"] < out["ci_high"]
    assert 0 <= out["p_value"] <= 1


def test_covariates_only_for_cs(capsys, panel_csv):
    path, _ = panel_csv
    assert main(["did", str(path), *BASE, "--estimator", "twfe", "--covariates", COV]) == 2
    assert "--covariates" in capsys.readouterr().err
