"""The command line: ``evaluering did PANEL.csv ...``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluering.cli import main

REF = Path(__file__).resolve().parents[1] / "data" / "reference"
if not REF.is_dir():
    REF = Path(__file__).resolve().parent / "data"


@pytest.fixture
def panel_csv(tmp_path):
    rng = np.random.default_rng(11)
    rows = []
    for u in range(14):
        start = 2017 if u < 5 else (2019 if u < 8 else 0)
        for t in range(2012, 2022):
            n = int(rng.integers(40, 120))
            p = 0.05 + 0.002 * (t - 2012) - (0.02 if start and t >= start else 0)
            rows.append((f"AF{u:02d}", t, start, int(rng.binomial(n, p)), n))
    df = pd.DataFrame(rows, columns=["afdeling", "aar", "start", "sigtede", "personer"])
    path = tmp_path / "panel.csv"
    df.to_csv(path, index=False)
    return path


def run_json(capsys, *args):
    code = main(["did", *map(str, args), "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


BASE = ["--unit", "afdeling", "--time", "aar", "--start", "start"]
KEYS = {"estimator", "att", "se", "ci_low", "ci_high", "df", "p_value", "n_units", "n_treated_units", "n_obs"}


@pytest.mark.parametrize("estimator", ["twfe", "event", "cs"])
def test_json_has_required_keys(capsys, panel_csv, estimator):
    out = run_json(capsys, panel_csv, *BASE, "--count", "sigtede", "--population", "personer",
                   "--estimator", estimator)
    assert KEYS <= set(out)
    assert out["estimator"] == estimator
    assert out["n_units"] == 14 and out["n_treated_units"] == 8 and out["n_obs"] == 140
    assert out["ci_low"] < out["att"] < out["ci_high"]


def test_twfe_default_is_cr2_below_50_clusters_and_matches_library(capsys, panel_csv):
    from evaluering import did

    out = run_json(capsys, panel_csv, *BASE, "--count", "sigtede", "--population", "personer")
    assert out["vcov"] == "CR2" and out["df"] < 13
    lib = did.twfe(pd.read_csv(panel_csv), "afdeling", "aar", "start", count="sigtede", population="personer", vcov="CR2")
    assert out["att"] == pytest.approx(lib.att, abs=1e-14)


def test_weights_none_is_unweighted(capsys, panel_csv):
    w = run_json(capsys, panel_csv, *BASE, "--count", "sigtede", "--population", "personer")
    u = run_json(capsys, panel_csv, *BASE, "--count", "sigtede", "--population", "personer", "--weights", "none")
    df = pd.read_csv(panel_csv)
    df["share"] = df["sigtede"] / df["personer"]
    # unweighted 2x2-by-hand is not available for staggered starts: compare with an OLS with dummies
    import statsmodels.formula.api as smf

    df["d"] = ((df["start"] > 0) & (df["aar"] >= df["start"])).astype(float)
    ols = smf.ols("share ~ d + C(afdeling) + C(aar)", df).fit()
    assert u["att"] == pytest.approx(ols.params["d"], abs=1e-12)
    wls = smf.wls("share ~ d + C(afdeling) + C(aar)", df, weights=df["personer"]).fit()
    assert w["att"] == pytest.approx(wls.params["d"], abs=1e-12)


def test_cs_simple_aggregation_on_mpdta(capsys, tmp_path):
    ref = json.loads((REF / "mpdta_reference.json").read_text())
    out = run_json(capsys, REF / "mpdta.csv", "--unit", "countyreal", "--time", "year", "--start", "first.treat",
                   "--outcome", "lemp", "--estimator", "cs")
    assert out["att"] == pytest.approx(ref["python_consensus_full_precision"]["nocov_simple_att"], abs=1e-8)
    assert round(out["se"], 6) == ref["python_consensus_full_precision"]["nocov_simple_se_analytic"]
    nt = run_json(capsys, REF / "mpdta.csv", "--unit", "countyreal", "--time", "year", "--start", "first.treat",
                  "--outcome", "lemp", "--estimator", "cs", "--control", "notyet")
    assert nt["control"] == "notyet" and nt["att"] != out["att"]


def test_wild_and_ri_are_reproducible(capsys, panel_csv):
    args = [panel_csv, *BASE, "--count", "sigtede", "--population", "personer", "--n-boot", "999", "--n-perm", "999"]
    a = run_json(capsys, *args, "--inference", "wild", "--seed", "3")
    b = run_json(capsys, *args, "--inference", "wild", "--seed", "3")
    assert a == b and a["inference"] == "wild"
    r = run_json(capsys, *args, "--inference", "ri", "--seed", "3")
    assert 0 < r["p_value"] <= 1 and r["ci_low"] < r["att"] < r["ci_high"]


@pytest.mark.parametrize("content, where", [
    ("afdeling,aar,start,y\nA,2016,2017,1.0\nA,2017,2017,abc\n", ":3:y:"),
    ("afdeling,aar,start,y\nA,2016,2017,1.0\nA,2017\n", ":3:start:"),
    ("afdeling,aar,start,y\nA,2016,2017,1.0\nA,2016.5,2017,1.0\n", ":3:aar:"),
    ("afdeling,aar,start,y\nA,2016,2017,1.0\nA,2016,2017,2.0\n", ":3:aar:"),
    ("afdeling,aar,start,y\nA,2016,2017,1.0\nA,2017,2018,2.0\n", ":3:start:"),
    ("afdeling,aar,start,x\nA,2016,2017,1.0\n", ":1:y:"),
])
def test_bad_csv_one_line_error_exit_2(tmp_path, capsys, content, where):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    assert main(["did", str(path), *BASE, "--outcome", "y"]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err
    assert f"{path}{where}" in lines[0]
    assert captured.out == ""


def test_bad_csv_in_a_subprocess(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("afdeling,aar,start,y\nA,2016,2017,1.0\nA,2017,2017,abc\n")
    proc = subprocess.run([sys.executable, "-m", "evaluering", "did", str(path), *BASE, "--outcome", "y"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [f"evaluering did: {path}:3:y: the value must be a number"]


def test_count_over_population_and_missing_population(tmp_path, capsys):
    path = tmp_path / "p.csv"
    path.write_text("afdeling,aar,start,k,n\nA,2016,2017,5,3\n")
    assert main(["did", str(path), *BASE, "--count", "k", "--population", "n"]) == 2
    assert f"{path}:2:k:" in capsys.readouterr().err
    assert main(["did", str(path), *BASE, "--count", "k"]) == 2


def test_no_treated_units_is_a_user_error(tmp_path, capsys):
    path = tmp_path / "p.csv"
    path.write_text("afdeling,aar,start,y\nA,2016,0,1\nA,2017,0,2\nB,2016,0,1\nB,2017,0,1\n")
    assert main(["did", str(path), *BASE, "--outcome", "y"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err
