"""Synthetic DiD and synthetic control against the peers: the synthdid Python port of the R
package (Prop 99 data it ships), diff-diff's SyntheticDiD and pysyncon's Synth; the published
Prop 99 numbers of Arkhangelsky et al. (2021, Table 1: SDiD -15.6, SC -19.6, DiD -27.3)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from evaluering import did
from evaluering.cli import main
from evaluering.did.synthdid import fit_matrix, panel_matrix, placebo_se

sdpkg = pytest.importorskip("synthdid")


@pytest.fixture(scope="module")
def prop99():
    df = sdpkg.load_california_prop99() if hasattr(sdpkg, "load_california_prop99") else None
    path = __import__("pathlib").Path(sdpkg.__path__[0]) / "data" / "california_prop99.csv"
    df = pd.read_csv(path, sep=";")
    return df.assign(start=np.where(df["State"] == "California", 1989, 0)).rename(
        columns={"State": "unit", "Year": "time", "PacksPerCapita": "y"})


@pytest.fixture(scope="module")
def prop99_matrix(prop99):
    Y, units, periods, n0, t0, start = panel_matrix(prop99.assign(w=1.0, treated=0.0))
    return Y, n0, t0


def test_prop99_published_and_reference(prop99_matrix):
    Y, n0, t0 = prop99_matrix
    ref = {"synthdid": sdpkg.synthdid_estimate, "sc": sdpkg.sc_estimate, "did": sdpkg.did_estimate}
    published = {"synthdid": -15.6, "sc": -19.6, "did": -27.3}
    for m, fun in ref.items():
        tau = fit_matrix(Y, n0, t0, m).tau
        assert round(tau, 1) == published[m]
        assert tau == pytest.approx(float(fun(Y, n0, t0)), abs=1e-8)


def test_prop99_placebo_se_equals_reference(prop99_matrix):
    Y, n0, t0 = prop99_matrix
    est = sdpkg.synthdid_estimate(Y, n0, t0)
    se, draws = placebo_se(fit_matrix(Y, n0, t0), Y, 8, seed=7)
    assert se == pytest.approx(est.se(method="placebo", replications=8, random_state=7), rel=1e-8)
    assert draws.shape == (8,)


def test_diff_diff_sdid_same_estimate_and_se(prop99):
    dd = pytest.importorskip("diff_diff")
    df = prop99.assign(tr=(prop99["start"] > 0).astype(int))
    r = dd.SyntheticDiD(variance_method="placebo", n_bootstrap=8, seed=3).fit(
        df, outcome="y", treatment="tr", unit="unit", time="time", post_periods=list(range(1989, 2001)))
    mine = did.synthdid(prop99, outcome="y", replications=8, seed=3)
    assert mine.att == pytest.approx(r.att, abs=1e-8)
    assert float(mine.se()["ATT"]) == pytest.approx(r.se, rel=1e-8)


def test_pysyncon_sc_weights_close(prop99, prop99_matrix):
    """pysyncon (Nelder-Mead) and synthdid's SC (Frank-Wolfe, sparsified) minimise the same
    pre-period fit by different routes: RMSPEs within 2 % of each other, ATTs within 1 %."""
    ps = pytest.importorskip("pysyncon")
    df = prop99.rename(columns={"unit": "State", "time": "Year", "y": "Packs"})
    controls = sorted(set(df["State"]) - {"California"})
    pre = list(range(1970, 1989))
    dp = ps.Dataprep(foo=df, predictors=[], predictors_op="mean", dependent="Packs", unit_variable="State",
                     time_variable="Year", treatment_identifier="California", controls_identifier=controls,
                     time_predictors_prior=pre, time_optimize_ssr=pre,
                     special_predictors=[("Packs", [y], "mean") for y in pre])
    sy = ps.Synth()
    sy.fit(dp, custom_V=np.ones(len(pre)))
    Y, n0, t0 = prop99_matrix
    fit = fit_matrix(Y, n0, t0, "sc")
    wide = df.pivot(index="State", columns="Year", values="Packs")
    w_ps = np.asarray(sy.W).ravel()
    rmspe = lambda w: float(np.sqrt(np.mean((wide.loc["California", pre].to_numpy() - w @ wide.loc[controls, pre].to_numpy()) ** 2)))  # noqa: E731
    assert rmspe(fit.omega) == pytest.approx(rmspe(w_ps), rel=0.02)
    att_ps = sy.att(time_period=list(range(1989, 2001)))["att"]
    assert fit.tau == pytest.approx(att_ps, rel=0.01)


def _plan_like(seed=5, n_treated=4, n_control=16, effect=-0.03, size=(80, 200)):
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(n_treated + n_control):
        base = rng.uniform(0.03, 0.08) if u >= n_treated or n_treated > 1 else 0.055
        for t in range(2010, 2021):
            n = int(rng.integers(*size))
            p = base + 0.001 * (t - 2010) + (effect if u < n_treated and t >= 2017 else 0)
            rows.append((f"A{u:02d}", t, 2017 if u < n_treated else 0, int(rng.binomial(n, max(p, 0.001))), n))
    return pd.DataFrame(rows, columns=["unit", "time", "start", "count", "population"])


def test_synthdid_api_result():
    p = _plan_like()
    r = did.synthdid(p, count="count", population="population", replications=40)
    t = r.tidy()
    assert t["term"].tolist() == ["ATT", "DiD"]
    assert r.unit_weights.sum() == pytest.approx(1.0) and r.time_weights.sum() == pytest.approx(1.0)
    # tau equals the weighted double difference of the trajectory (hand calculation)
    Y = p.assign(y=p["count"] / p["population"]).pivot(index="unit", columns="time", values="y")
    treated = Y.iloc[:4].mean()
    synth = r.unit_weights @ Y.loc[r.unit_weights.index]
    gap = treated - synth
    lam = r.time_weights
    assert r.att == pytest.approx(gap[gap.index >= 2017].mean() - gap[lam.index] @ lam, abs=1e-12)
    assert t.loc[0, "conf_low"] < r.att < t.loc[0, "conf_high"]
    assert "<table" in r._repr_html_() and json.dumps(r.to_dict())
    fig = r.plot()
    assert len(fig.axes) == 2


def test_synthetic_control_in_space_placebo():
    p = _plan_like(effect=-0.03, n_treated=1, n_control=19, size=(3000, 5000))
    r = did.synthetic_control(p, count="count", population="population", replications=20)
    test = r.tests["placebo_in_space"]
    # p = (1 + #placebos at least as extreme) / (1 + controls): a multiple of 1/20
    assert test["p_value"] * 20 == pytest.approx(round(test["p_value"] * 20))
    assert test["p_value"] <= 0.1
    assert (r.time_weights == 0).all()


def test_synthdid_rejects_staggered_and_unbalanced():
    p = _plan_like()
    p.loc[p["unit"] == "A00", "start"] = 2018
    with pytest.raises(ValueError, match="one common start"):
        did.synthdid(p, count="count", population="population")
    q = _plan_like().iloc[1:]
    with pytest.raises(ValueError, match="balanced"):
        did.synthdid(q, count="count", population="population")


def test_cli_synthdid(tmp_path, capsys):
    path = tmp_path / "panel.csv"
    _plan_like().to_csv(path, index=False)
    code = main(["did", str(path), "--unit", "unit", "--time", "time", "--start", "start", "--count", "count",
                 "--population", "population", "--estimator", "synthdid", "--replications", "30",
                 "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["estimator"] == "synthdid" and out["replications"] == 30
    ref = did.synthdid(_plan_like(), count="count", population="population", replications=30)
    assert out["att"] == pytest.approx(ref.att) and out["se"] == pytest.approx(float(ref.se()["ATT"]))
    p = _plan_like()
    p.loc[p["unit"] == "A00", "start"] = 2018
    p.to_csv(path, index=False)
    code = main(["did", str(path), "--unit", "unit", "--time", "time", "--start", "start", "--count", "count",
                 "--population", "population", "--estimator", "synthdid"])
    err = capsys.readouterr().err
    assert code == 2 and "panel.csv" in err and "Traceback" not in err
