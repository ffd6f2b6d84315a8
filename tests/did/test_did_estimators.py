"""Estimators against explicit-dummy regressions and brute-force resampling."""

from __future__ import annotations

import itertools
import json

import matplotlib
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from evaluering import did
from evaluering.did.cs import att_gt
from evaluering.did.ri import count_assignments, randomization_inference
from evaluering.did.twfe import encode, fit_twfe
from evaluering.did.wild import wild_cluster_bootstrap

matplotlib.use("Agg")


def make_panel(n_units=10, years=range(2012, 2020), starts=(2016,) * 3 + (2018,) * 2, seed=1, unbalanced=False):
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(n_units):
        s = starts[u] if u < len(starts) else 0
        a = rng.normal()
        for t in years:
            if unbalanced and rng.random() < 0.15:
                continue
            n = int(rng.integers(20, 200))
            y = a + 0.1 * (t - 2012) + (0.7 + 0.1 * (t - s) if s and t >= s else 0) + rng.normal(0, 1 / np.sqrt(n))
            rows.append((f"U{u}", t, s, y, n))
    df = pd.DataFrame(rows, columns=["unit", "time", "start", "y", "n"])
    df["d"] = ((df["start"] > 0) & (df["time"] >= df["start"])).astype(float)
    return df


@pytest.mark.parametrize("unbalanced", [False, True])
def test_twfe_equals_dummy_regression(unbalanced):
    df = make_panel(unbalanced=unbalanced)
    ols = smf.wls("y ~ d + C(unit) + C(time)", df, weights=df["n"]).fit(
        cov_type="cluster", cov_kwds={"groups": encode(df["unit"])[0]})
    r = did.twfe(df, outcome="y", weights="n", vcov="CR1")
    assert r.att == pytest.approx(ols.params["d"], abs=1e-12)
    # statsmodels' cluster correction uses N = rows: our analytic-weight convention
    u, _ = encode(df["unit"]); t, _ = encode(df["time"])
    fit = fit_twfe(df["y"], df["d"], u, t, weights=df["n"], weight_kind="analytic")
    assert did.cluster_vcov(fit, "CR1").se()[0] == pytest.approx(ols.bse["d"], rel=1e-10)


def test_event_study_equals_dummy_regression_and_wald():
    df = make_panel(n_units=12)
    res = did.event_study(df, outcome="y", weights="n", vcov="CR1", leads=3, lags=2)
    rel = np.where(df["start"] > 0, np.clip(df["time"] - df["start"], -3, 2), -1)
    names = []
    for e in (-3, -2, 0, 1, 2):
        name = f"ev_{e + 10}"
        df[name] = ((df["start"] > 0) & (rel == e)).astype(float)
        names.append(name)
    ols = smf.wls(f"y ~ {' + '.join(names)} + C(unit) + C(time)", df, weights=df["n"]).fit(
        cov_type="cluster", cov_kwds={"groups": encode(df["unit"])[0]})
    tab = res.tidy().set_index("term")
    got = tab.loc[["e<=-3", "e=-2", "e=0", "e=1", "e>=2"], "estimate"].to_numpy()
    np.testing.assert_allclose(got, ols.params[names].to_numpy(), atol=1e-12)
    assert tab.loc["ATT", "estimate"] == pytest.approx(ols.params[names[2:]].mean(), abs=1e-12)
    # the pre-trend Wald test, by hand from the dummy regression (CR1 with N = rows: analytic)
    n_sum, n_rows = df["n"].sum(), len(df)
    k = 12 + 7 + 5
    rescale = ((n_sum - 1) / (n_sum - k)) / ((n_rows - 1) / (n_rows - k))
    V = ols.cov_params().loc[names[:2], names[:2]].to_numpy() * rescale
    b = ols.params[names[:2]].to_numpy()
    F = b @ np.linalg.solve(V, b) / 2
    assert res.tests["pretrend"]["statistic"] == pytest.approx(F, rel=1e-8)
    assert res.tests["pretrend"]["df2"] == 11


def _dummy_t(y, d, unit, time):
    X = np.column_stack([d, pd.get_dummies(unit).to_numpy(float), pd.get_dummies(time).to_numpy(float)[:, 1:]])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    e = y - X @ beta
    B = np.linalg.pinv(X.T @ X)
    scores = np.array([X[unit == g].T @ e[unit == g] for g in np.unique(unit)])
    V = B @ scores.T @ scores @ B
    return beta[0], beta[0] / np.sqrt(V[0, 0])


def test_wild_bootstrap_equals_brute_force_enumeration():
    df = make_panel(n_units=8, starts=(2016,) * 3, seed=4)
    y, d = df["y"].to_numpy(), df["d"].to_numpy()
    unit, _ = encode(df["unit"]); time, _ = encode(df["time"])
    h0 = 0.5
    # restricted fit under beta = h0
    Xr = np.column_stack([pd.get_dummies(unit).to_numpy(float), pd.get_dummies(time).to_numpy(float)[:, 1:]])
    yr = y - h0 * d
    fitted = Xr @ np.linalg.lstsq(Xr, yr, rcond=None)[0]
    er = yr - fitted
    b_obs, _ = _dummy_t(y, d, unit, time)
    _, t_obs = _dummy_t(y - h0 * d, d, unit, time)
    hits = 0
    for signs in itertools.product([-1.0, 1.0], repeat=8):
        v = np.array(signs)[unit]
        _, tb = _dummy_t(fitted + v * er, d, unit, time)
        hits += abs(tb) >= abs(t_obs) * (1 - 1e-10)
    fit = fit_twfe(y, d, unit, time)
    res = wild_cluster_bootstrap(fit, h0=h0, ci=False)
    assert res.enumerated and res.n_draws == 256
    assert res.p_value == hits / 256


def test_randomization_inference_equals_brute_force():
    df = make_panel(n_units=8, starts=(2016,) * 3, seed=5)
    y = df["y"].to_numpy()
    unit, _ = encode(df["unit"]); time, _ = encode(df["time"])
    start = df.groupby("unit")["start"].first().to_numpy()
    assert count_assignments(start) == 56
    _, t_obs = _dummy_t(y, df["d"].to_numpy(), unit, time)
    stats = []
    for treated in itertools.combinations(range(8), 3):
        s = np.zeros(8); s[list(treated)] = 2016
        d = ((s[unit] > 0) & (df["time"].to_numpy() >= s[unit])).astype(float)
        stats.append(abs(_dummy_t(y, d, unit, time)[1]))
    p = np.mean(np.array(stats) >= abs(t_obs) * (1 - 1e-10))
    res = randomization_inference(y, unit, time, start, time_values=df["time"].to_numpy(), ci=False)
    assert res.exact and res.n_assignments == 56
    assert res.p_value == pytest.approx(p, abs=1e-12)


def test_ri_and_wild_intervals_cover_the_estimate_and_invert_the_test():
    df = make_panel(n_units=10, starts=(2016,) * 4, seed=9)
    r = did.twfe(df, outcome="y", weights="n", inference="ri", n_perm=500, seed=1)
    lo, hi = r.confint().loc["ATT"]
    assert lo < r.att < hi
    unit, _ = encode(df["unit"]); time, _ = encode(df["time"])
    start = df.groupby("unit")["start"].first().to_numpy()
    kw = dict(weights=df["n"].to_numpy(), time_values=df["time"].to_numpy(), n_perm=500, seed=1, ci=False)
    assert randomization_inference(df["y"], unit, time, start, h0=lo - 0.05 * (hi - lo), **kw).p_value <= 0.05
    assert randomization_inference(df["y"], unit, time, start, h0=lo + 0.05 * (hi - lo), **kw).p_value > 0.05
    w = did.twfe(df, outcome="y", weights="n", inference="wild")
    wl, wh = w.confint().loc["ATT"]
    assert wl < w.att < wh and w.notes and "alle" in w.notes[0]


def test_cs_weighted_equals_weighted_means_by_hand():
    df = make_panel(n_units=12, seed=2)
    df["w"] = df.groupby("unit")["n"].transform("mean")
    res = att_gt(df["y"], df["unit"], df["time"], df["start"], weights=df["n"])
    wide = df.pivot(index="unit", columns="time", values="y")
    meta = df.groupby("unit").agg(g=("start", "first"), w=("n", "mean"))
    dy = wide[2017] - wide[2015]
    tr, co = meta["g"] == 2016, meta["g"] == 0
    hand = np.average(dy[tr], weights=meta["w"][tr]) - np.average(dy[co], weights=meta["w"][co])
    tab = res.table()
    assert tab[(tab.group == 2016) & (tab.time == 2017)]["att"].iloc[0] == pytest.approx(hand, abs=1e-12)
    unweighted = att_gt(df["y"], df["unit"], df["time"], df["start"])
    const = att_gt(df["y"], df["unit"], df["time"], df["start"], weights=np.full(len(df), 7.0))
    np.testing.assert_allclose(const.att, unweighted.att, atol=1e-14)
    np.testing.assert_allclose(const.se, unweighted.se, atol=1e-14)


def test_cs_notyet_uses_later_cohorts_and_drops_always_treated():
    df = make_panel(n_units=9, starts=(2016,) * 3 + (2018,) * 3 + (2012,), seed=3)
    res = att_gt(df["y"], df["unit"], df["time"], df["start"], control="notyet")
    assert res.dropped_units == 1  # treated from the first period
    assert set(res.group) == {2016, 2018}
    # no not-yet-treated controls are left in 2018+ for the 2018 cohort except the never treated
    r = did.callaway_santanna(df, outcome="y", control="notyet")
    assert "udeladt" in " ".join(r.notes)


def test_result_object_interfaces():
    df = make_panel()
    r = did.event_study(df, outcome="y", weights="n")
    tab = r.tidy()
    assert list(tab.columns)[:5] == ["term", "kind", "event_time", "group", "time"]
    assert r.coef()["ATT"] == tab.loc[tab.term == "ATT", "estimate"].iloc[0]
    assert r.se()["ATT"] == tab.loc[tab.term == "ATT", "std_error"].iloc[0]
    assert json.loads(json.dumps(r.to_dict(), allow_nan=False))["estimator"] == "event"
    html = r._repr_html_()
    assert "<table" in html and "pretrend" in html
    assert "ATT" in r.summary()
    ax = r.plot()
    assert len(ax.containers) >= 2  # pre and post error bars
    cs = did.callaway_santanna(df, outcome="y", weights="n")
    assert cs.plot() is not None
    assert cs.att == pytest.approx(cs.tidy().query("term == 'ATT'")["estimate"].iloc[0])


def test_twfe_on_the_synthetic_truth_is_close():
    """A planted constant effect on a noiseless panel is recovered exactly by every estimator."""
    rows = [(u, t, 2017 if u < 4 else 0) for u in range(10) for t in range(2012, 2021)]
    p = pd.DataFrame(rows, columns=["unit", "time", "start"])
    p["y"] = 0.3 * p["unit"] + 0.05 * (p["time"] - 2012) ** 2 - 1.2 * ((p["start"] > 0) & (p["time"] >= p["start"]))
    for est in ("twfe", "event", "cs"):
        assert did.estimate(p, est, outcome="y").att == pytest.approx(-1.2, abs=1e-10)


def test_montecarlo_script_runs_tiny(capsys):
    """The Monte Carlo script (results in docs/did.md) runs; three replications only."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "montecarlo_did.py"
    spec = importlib.util.spec_from_file_location("montecarlo_did", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main(["--reps", "3", "--n-boot", "99", "--n-perm", "99"]) == 0
    out = capsys.readouterr().out
    assert "| equal |" in out and "| unequal |" in out


def test_webb_enumeration_equals_brute_force():
    df = make_panel(n_units=4, starts=(2016,) * 2, seed=6, years=range(2012, 2019))
    y, d = df["y"].to_numpy(), df["d"].to_numpy()
    unit, _ = encode(df["unit"]); time, _ = encode(df["time"])
    Xr = np.column_stack([pd.get_dummies(unit).to_numpy(float), pd.get_dummies(time).to_numpy(float)[:, 1:]])
    fitted = Xr @ np.linalg.lstsq(Xr, y, rcond=None)[0]
    er = y - fitted
    _, t_obs = _dummy_t(y, d, unit, time)
    webb = [-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)]
    hits = sum(abs(_dummy_t(fitted + np.array(v)[unit] * er, d, unit, time)[1]) >= abs(t_obs) * (1 - 1e-10)
               for v in itertools.product(webb, repeat=4))
    res = wild_cluster_bootstrap(fit_twfe(y, d, unit, time), weights="webb", ci=False)
    assert res.enumerated and res.n_draws == 6 ** 4
    assert res.p_value == pytest.approx(hits / 6 ** 4, abs=1e-12)


def _dense_cr2(y, d, unit, time, w, cluster):
    """CR2 and Satterthwaite df with explicit dummies in the sqrt-weight space (dense)."""
    s = np.sqrt(w)
    X = np.column_stack([d, pd.get_dummies(unit).to_numpy(float), pd.get_dummies(time).to_numpy(float)[:, 1:]]) * s[:, None]
    ys = y * s
    B = np.linalg.pinv(X.T @ X)
    IH = np.eye(len(y)) - X @ B @ X.T
    e = IH @ ys
    groups = [np.nonzero(cluster == g)[0] for g in np.unique(cluster)]
    meat, ps = 0, []
    for rows in groups:
        vals, vecs = np.linalg.eigh(IH[np.ix_(rows, rows)])
        A = (vecs * np.where(vals > 1e-12, 1 / np.sqrt(np.clip(vals, 1e-12, None)), 0)) @ vecs.T
        sc = X[rows].T @ A @ e[rows]
        meat = meat + np.outer(sc, sc)
        ps.append(A @ X[rows] @ B[:, 0])
    M = np.array([[pi @ IH[np.ix_(ri, rj)] @ pj for pj, rj in zip(ps, groups)] for pi, ri in zip(ps, groups)])
    return float(np.sqrt((B @ meat @ B)[0, 0])), float(np.trace(M) ** 2 / (M ** 2).sum())


@pytest.mark.parametrize("coarse", [False, True])
def test_cr2_unbalanced_weighted_and_coarser_clusters_equal_dense(coarse):
    df = make_panel(n_units=10, unbalanced=True, seed=8)
    unit, _ = encode(df["unit"]); time, _ = encode(df["time"])
    cluster = unit // 2 if coarse else unit
    se, dfree = _dense_cr2(df["y"].to_numpy(), df["d"].to_numpy(), unit, time, df["n"].to_numpy(float), cluster)
    fit = fit_twfe(df["y"], df["d"], unit, time, weights=df["n"], cluster=cluster)
    v = did.cluster_vcov(fit, "CR2")
    assert v.se()[0] == pytest.approx(se, rel=1e-9)
    assert v.df(np.array([1.0])) == pytest.approx(dfree, rel=1e-9)


def test_semicolon_csv_with_decimal_comma(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("enhed;aar;start;y\nA;2016;2017;1,5\nA;2017;2017;2,5\nB;2016;0;1,0\nB;2017;0;1,25\n",
                    encoding="utf-8-sig")
    raw = did.read_panel_csv(path)
    r = did.twfe(did.prepare_panel(raw, "enhed", "aar", "start", outcome="y", weights=None), vcov="CR0")
    assert r.att == pytest.approx((2.5 - 1.5) - (1.25 - 1.0), abs=1e-12)


def test_htz_pretrend_test_equals_dense_clubsandwich_formula():
    """HTZ (clubSandwich Wald_test default) against a dense N x N implementation of its
    formulas; with one constraint it must equal the Satterthwaite t test."""
    from scipy import stats as st

    from evaluering.did.event import event_design
    from evaluering.did.vcov import htz_test

    df = make_panel(n_units=12, seed=3, unbalanced=True)
    u, _ = encode(df["unit"]); t, _ = encode(df["time"])
    X, names, events = event_design(df["time"].to_numpy(), df["start"].to_numpy(), 3, 2)
    fit = fit_twfe(df["y"], X, u, t, weights=df["n"])
    vc = did.cluster_vcov(fit, "CR2")
    one = htz_test(vc, np.eye(len(names))[:1], fit.coef)
    tstat = fit.coef[0] / vc.se()[0]
    assert one["statistic"] == pytest.approx(tstat ** 2, rel=1e-10)
    assert one["df2"] == pytest.approx(vc.df(np.eye(len(names))[0]), rel=1e-10)
    # dense: u_gs = (I - H)[:, g] A_g X_g B c_s, P[s,t,g,h] = u_gs' u_ht
    s = np.sqrt(df["n"].to_numpy(float))
    Xf = np.column_stack([X, pd.get_dummies(u).to_numpy(float), pd.get_dummies(t).to_numpy(float)[:, 1:]]) * s[:, None]
    ys = df["y"].to_numpy() * s
    Bf = np.linalg.pinv(Xf.T @ Xf)
    IH = np.eye(len(ys)) - Xf @ Bf @ Xf.T
    e = IH @ ys
    q = 2
    Cf = np.zeros((q, Xf.shape[1])); Cf[0, 0] = Cf[1, 1] = 1
    groups = [np.nonzero(u == g)[0] for g in np.unique(u)]
    U, meat = [], 0
    for rows in groups:
        vals, vecs = np.linalg.eigh(IH[np.ix_(rows, rows)])
        A = (vecs * np.where(vals > 1e-12, 1 / np.sqrt(np.clip(vals, 1e-12, None)), 0)) @ vecs.T
        sc = Xf[rows].T @ A @ e[rows]
        meat = meat + np.outer(sc, sc)
        U.append(IH[:, rows] @ (A @ Xf[rows] @ Bf @ Cf.T))
    G = len(groups)
    P = np.array([[[[U[g][:, a] @ U[h][:, b] for h in range(G)] for g in range(G)] for b in range(q)] for a in range(q)])
    Om = np.einsum("stgg->st", P)
    vals, vecs = np.linalg.eigh(Om)
    Ons = (vecs / np.sqrt(vals)) @ vecs.T
    B = np.einsum("as,stgh,tb->abgh", Ons, P, Ons)
    var = sum((B[a, b] * B[b, a]).sum() + (B[a, a] * B[b, b]).sum() for a in range(q) for b in range(q))
    nu = q * (q + 1) / var
    beta = Cf @ Bf @ Xf.T @ ys
    Q = beta @ np.linalg.solve(Cf @ Bf @ meat @ Bf @ Cf.T, beta)
    F = (nu - q + 1) / nu * Q / q
    two = htz_test(vc, np.eye(len(names))[:2], fit.coef)
    assert two["statistic"] == pytest.approx(F, rel=1e-9)
    assert two["df2"] == pytest.approx(nu - q + 1, rel=1e-9)
    assert two["p_value"] == pytest.approx(st.f.sf(F, q, nu - q + 1), rel=1e-8)
    # the event study uses it for its pre-trend test under CR2
    res = did.event_study(df, outcome="y", weights="n", vcov="CR2", leads=3, lags=2)
    assert res.tests["pretrend"]["test"] == "HTZ"
    assert res.tests["pretrend"]["statistic"] == pytest.approx(F, rel=1e-9)
