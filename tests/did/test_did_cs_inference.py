"""Multiplier bootstrap with uniform bands; wild and randomization inference for CS and the
event study.

Bootstrap tolerances: the bootstrap SE is the IQR-based estimate of R ``did``; with B draws
its Monte Carlo relative SD is about 1.17 / sqrt(B) (0.8 % at B = 20,000), so 5 % is more
than 5 SDs. The 95 % quantile of the sup-t statistic has a Monte Carlo SD of about
sqrt(0.05 * 0.95 / B) / f(q) ~ 0.01 at B = 20,000 (f: density at the quantile, ~0.15);
two independent runs (ours and csdid's, both Rademacher) are compared with 0.05.
"""

from __future__ import annotations

import itertools
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluering import did
from evaluering.did.cs import att_gt
from evaluering.did.cs_inference import ri_rows, ri_simple
from evaluering.did.mboot import draw_multipliers, multiplier_bootstrap
from evaluering.did.wild import contrast_fit, wild_cluster_bootstrap, wild_score_bootstrap

REF = Path(__file__).resolve().parents[2] / "tests" / "data" / "reference"


@pytest.fixture(scope="module")
def mpdta():
    return pd.read_csv(REF / "mpdta.csv")


@pytest.fixture(scope="module")
def ref():
    return json.loads((REF / "mpdta_reference.json").read_text())


def _cs_api(m, **kw):
    return did.callaway_santanna(m, unit="countyreal", time="year", start="first.treat", outcome="lemp", **kw)


def test_mammen_weights_moments():
    v = draw_multipliers(10, 100_000, "mammen", seed=3)
    assert set(np.round(np.unique(v), 12)) == {round((1 - 5 ** 0.5) / 2, 12), round((1 + 5 ** 0.5) / 2, 12)}
    assert abs(v.mean()) < 0.01 and abs(v.var() - 1) < 0.01 and abs((v ** 3).mean() - 1) < 0.03


def test_bootstrap_se_matches_analytic_se(mpdta):
    res = att_gt(mpdta["lemp"], mpdta["countyreal"], mpdta["year"], mpdta["first.treat"],
                 covariates=mpdta[["lpop"]])
    n = res.n_units
    for weights in ("mammen", "rademacher"):
        mb = multiplier_bootstrap(res.inf, biters=20_000, seed=11, weights=weights)
        # E[(v'psi)^2] = sum psi^2 for any unit-variance multipliers: the bootstrap SD is the
        # analytic SE (relative MC SD of a sample SD ~ 0.5 % here)
        np.testing.assert_allclose(mb.bres.std(axis=0) / np.sqrt(n), res.se, rtol=0.02)
        # R's robust IQR-based SE differs from the SD when few units dominate an ATT(g,t)
        # (g = 2004 has 20 treated counties: Rademacher sums are then not normal); 10 %
        np.testing.assert_allclose(mb.se, res.se, rtol=0.10)


def test_bootstrap_se_close_to_r_did_published(mpdta, ref):
    pub = ref["R_did_2.5.1_published"]
    r = _cs_api(mpdta, bootstrap="multiplier", biters=20_000, seed=5).tidy().set_index("term")
    gt = pub["attgt_nocov_nevertreated"]
    terms = [f"ATT(g={g},t={t})" for g, t in zip(gt["group"], gt["time"])]
    # R's published SEs are themselves one bootstrap run with 999 draws: ~2 stable digits
    np.testing.assert_allclose(r.loc[terms, "std_error"], gt["se_boot_att_gt_md"], rtol=0.15)
    agg = pub["aggte_nocov_dr_nevertreated"]
    assert r.loc["ATT", "std_error"] == pytest.approx(agg["simple"]["se_boot"], rel=0.15)
    dyn = [f"dynamic:e={e}" for e in agg["dynamic"]["e"]]
    np.testing.assert_allclose(r.loc[dyn, "std_error"], agg["dynamic"]["se_boot"], rtol=0.2)


def test_uniform_band_critical_value_matches_csdid(mpdta):
    pytest.importorskip("csdid")
    from csdid.att_gt import ATTgt

    np.random.seed(12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        o = ATTgt(yname="lemp", gname="first.treat", idname="countyreal", tname="year", data=mpdta,
                  control_group="nevertreated", xformla="lemp~lpop", cband=True, biters=20_000).fit(est_method="dr")
    theirs = float(np.asarray(o.results["c"]).ravel()[0])
    # both Rademacher (R did / BMisc); Mammen weights give a larger value here (~2.74):
    # the g = 2004 effects rest on 20 counties, so the weights' skewness matters
    r = _cs_api(mpdta, covariates="lpop", bootstrap="multiplier", biters=20_000, seed=3)
    assert r.bands["attgt"] == pytest.approx(theirs, abs=0.05)
    assert 1.96 < r.bands["attgt"] < 4


def test_band_rows_use_the_band_and_overall_rows_are_pointwise(mpdta):
    r = _cs_api(mpdta, covariates="lpop", bootstrap="multiplier", biters=999, seed=3)
    t = r.tidy()
    gt = t[t["kind"] == "attgt"]
    np.testing.assert_allclose(gt["conf_high"] - gt["estimate"], r.bands["attgt"] * gt["std_error"], rtol=1e-12)
    dyn = t[t["kind"] == "dynamic"]
    np.testing.assert_allclose(dyn["estimate"] - dyn["conf_low"], r.bands["dynamic"] * dyn["std_error"], rtol=1e-12)
    att = t[t["term"] == "ATT"].iloc[0]
    assert att["conf_high"] - att["estimate"] == pytest.approx(1.959963985 * att["std_error"], rel=1e-8)
    # reproducible from the seed, different with another seed
    again = _cs_api(mpdta, covariates="lpop", bootstrap="multiplier", biters=999, seed=3).tidy()
    pd.testing.assert_frame_equal(t, again)
    other = _cs_api(mpdta, covariates="lpop", bootstrap="multiplier", biters=999, seed=4).tidy()
    assert not np.allclose(other["std_error"], t["std_error"])
    no_band = _cs_api(mpdta, covariates="lpop", bootstrap="multiplier", biters=999, seed=3, cband=False)
    assert no_band.bands == {}
    assert "bands" in r.to_dict() and "bands" not in no_band.to_dict()


def test_clustered_bootstrap_equals_bootstrap_of_cluster_sums():
    rng = np.random.default_rng(2)
    inf = rng.normal(size=(60, 2))
    cl = np.repeat(np.arange(20), 3)
    a = multiplier_bootstrap(inf, cluster=cl, biters=500, seed=9)
    sums = inf.reshape(20, 3, 2).sum(axis=1)
    b = multiplier_bootstrap(sums, biters=500, seed=9, n=60)
    np.testing.assert_allclose(a.se, b.se)
    assert a.crit == b.crit and a.n_clusters == 20


def test_wild_score_bootstrap_by_hand():
    # two clusters with equal scores: the 4 sign vectors give |v's|/||s|| = sqrt(2) twice and 0 twice
    s = np.array([[1.0], [1.0]])
    res = wild_score_bootstrap(s, [1.0])  # t_obs = 1 / sqrt(2)
    assert res.enumerated and res.n_draws == 4
    assert res.p_value[0] == pytest.approx(0.5)
    res = wild_score_bootstrap(s, [2.0])  # t_obs = sqrt(2): ties count
    assert res.p_value[0] == pytest.approx(0.5)
    res = wild_score_bootstrap(s, [3.0])
    assert res.p_value[0] == 0.0


def test_cs_wild_close_to_analytic_with_many_clusters(mpdta):
    a = _cs_api(mpdta, covariates="lpop").tidy()
    w = _cs_api(mpdta, covariates="lpop", inference="wild", n_boot=9999, seed=1).tidy()
    width_a = a["conf_high"] - a["conf_low"]
    width_w = w["conf_high"] - w["conf_low"]
    np.testing.assert_allclose(width_w, width_a, rtol=0.06)
    assert (w["estimate"] == a["estimate"]).all()


def _small_panel(seed=4, G=6, T=4, treated=2):
    rng = np.random.default_rng(seed)
    rows = [(u, t, 3 if u < treated else 0) for u in range(G) for t in range(1, T + 1)]
    df = pd.DataFrame(rows, columns=["unit", "time", "start"])
    df["y"] = rng.normal(size=len(df)) + 0.1 * df["time"]
    return df


def test_cs_ri_exact_and_linear_shortcut_equals_brute_force():
    df = _small_panel()
    res = att_gt(df["y"], df["unit"], df["time"], df["start"])
    h = 0.3
    out = ri_simple(res, h0=h, ci=False)
    assert out["exact"] and out["n_assignments"] == 15
    # brute force: every assignment of the 2 treated units, outcome y - h * D_obs, studentized
    d_obs = ((df["start"] > 0) & (df["time"] >= df["start"])).to_numpy(float)
    stats = []
    for pair in itertools.combinations(range(6), 2):
        start = np.where(np.isin(df["unit"], pair), 3, 0)
        r = att_gt(df["y"] - h * d_obs, df["unit"], df["time"], start).aggregate("simple")
        stats.append(abs(r.att) / r.se)
    obs = stats[0]  # units 0 and 1 are the treated ones
    assert out["p_value"] == pytest.approx(np.mean(np.array(stats) >= obs * (1 - 1e-10)), abs=1e-12)


def test_cs_ri_interval_inverts_the_test():
    df = _small_panel(seed=8, G=10, treated=3)
    res = att_gt(df["y"], df["unit"], df["time"], df["start"])
    out = ri_simple(res, level=0.93)  # 120 assignments; alpha * 120 is not an integer (no ties)
    lo, hi = out["conf_low"], out["conf_high"]
    assert lo < out["estimate"] < hi
    eps = 1e-5 * (hi - lo)
    for b, sign in ((lo, -1), (hi, 1)):
        inside = ri_simple(res, h0=b - sign * eps, ci=False)["p_value"]
        outside = ri_simple(res, h0=b + sign * eps, ci=False)["p_value"]
        assert inside > 0.07 >= outside


def test_cs_api_ri_row(mpdta):
    df = _small_panel(seed=8, G=10, treated=3)
    r = did.callaway_santanna(df, outcome="y", inference="ri", n_perm=999)
    row = r.tidy().iloc[0]
    out = ri_simple(att_gt(df["y"], df["unit"], df["time"], df["start"]))
    # the all-rows path (one CS fit per assignment) equals the all-assignments-at-once path
    assert row["p_value"] == out["p_value"]
    assert row["conf_low"] == pytest.approx(out["conf_low"], abs=1e-7)
    assert row["conf_high"] == pytest.approx(out["conf_high"], abs=1e-7)
    assert any("Randomiseringsinferens" in n for n in r.notes)


def test_event_ri_equals_brute_force_cr0():
    df = _small_panel(seed=3, G=6, T=5)
    h = -0.2
    from evaluering.did.event_inference import event_ri

    out = event_ri(df["y"], df["unit"], df["time"], df["start"], np.ones(len(df)), leads=2, lags=1, h0=h, ci=False)
    d_obs = ((df["start"] > 0) & (df["time"] >= df["start"])).to_numpy(float)
    stats = []
    for pair in itertools.combinations(range(6), 2):
        p = df.assign(start=np.where(np.isin(df["unit"], pair), 3, 0), y=df["y"] - h * d_obs)
        r = did.event_study(p, outcome="y", leads=2, lags=1, vcov="CR0").tidy().iloc[0]
        stats.append(abs(r["estimate"]) / r["std_error"])
    assert out["exact"]
    assert out["p_value"] == pytest.approx(np.mean(np.array(stats) >= stats[0] * (1 - 1e-10)), abs=1e-12)


def test_wild_contrast_is_the_reparametrized_coefficient():
    df = _small_panel(seed=5, G=10, T=6, treated=4)
    from evaluering.did.event import event_design
    from evaluering.did.twfe import encode, fit_twfe

    X, names, events = event_design(df["time"].to_numpy(), df["start"].to_numpy(), 2, 2)
    u, _ = encode(df["unit"]); t, _ = encode(df["time"])
    fit = fit_twfe(df["y"], X, u, t)
    c = (events >= 0) / (events >= 0).sum()
    new, j = contrast_fit(fit, c)
    assert new.coef[j] == pytest.approx(c @ fit.coef, abs=1e-12)
    # a contrast that is one coefficient gives that coefficient's test
    e = np.zeros(len(names)); e[names.index("e=0")] = 1.0
    a = wild_cluster_bootstrap(fit, names.index("e=0"), n_boot=1024, ci=False)
    b = wild_cluster_bootstrap(fit, n_boot=1024, ci=False, contrast=e)
    assert a.p_value == b.p_value and a.enumerated


def test_event_study_wild_and_ri_rows():
    df = _small_panel(seed=6, G=9, T=6, treated=3)
    base = did.event_study(df, outcome="y", leads=2, lags=1).tidy()
    w = did.event_study(df, outcome="y", leads=2, lags=1, inference="wild", n_boot=999)
    r = did.event_study(df, outcome="y", leads=2, lags=1, inference="ri", n_perm=999)
    assert (w.tidy()["estimate"] == base["estimate"]).all()
    assert w.inference == "wild" and r.inference == "ri"
    assert (w.tidy()["conf_low"] < w.tidy()["estimate"]).all()
    assert r.tidy().iloc[0]["conf_low"] < r.att < r.tidy().iloc[0]["conf_high"]


@pytest.mark.parametrize("control", ["never", "notyet"])
def test_vectorized_assignments_equal_panel_core(control):
    from evaluering.did.cs import panel_core
    from evaluering.did.cs_inference import simple_over_assignments
    from evaluering.did.ri import assignments

    rng = np.random.default_rng(5)
    start = np.array([2014] * 3 + [2016] * 5 + [0] * 7)
    rows = [(u, t, start[u], rng.normal(), rng.uniform(1, 3)) for u in range(15) for t in range(2010, 2018)]
    p = pd.DataFrame(rows, columns=["unit", "time", "start", "y", "w"])
    p["w"] = p.groupby("unit")["w"].transform("first")
    res = att_gt(p["y"], p["unit"], p["time"], p["start"], weights=p["w"], control=control)
    Y = res.arrays[0]
    assign, _, _ = assignments(res.unit_group, 50, seed=2)
    est, inf = simple_over_assignments(Y, res.unit_weight, assign, res.periods, control)
    for k in (0, 7, 33):
        a, i = panel_core(Y, assign[k], res.unit_weight, None, res.periods, control, "dr").simple()
        assert est[k] == pytest.approx(a, abs=1e-12)
        np.testing.assert_allclose(inf[:, k], i, atol=1e-10)


def test_bands_shown_in_summary_and_html(mpdta):
    r = _cs_api(mpdta, bootstrap="multiplier", biters=199, seed=1)
    crit = r.bands["attgt"]
    text = f"{crit:.2f}".replace(".", ",")
    assert f"attgt {text}" in r.summary()
    assert f"attgt {text}" in r._repr_html_()
    assert "simultane bånd" not in _cs_api(mpdta).summary()


def _staggered_panel(seed=11):
    """7 units: two start in period 3, one in period 4, four never: 7!/(2! 1! 4!) = 105 assignments."""
    rng = np.random.default_rng(seed)
    starts = {0: 3, 1: 3, 2: 4}
    rows = [(u, t, starts.get(u, 0)) for u in range(7) for t in range(1, 6)]
    df = pd.DataFrame(rows, columns=["unit", "time", "start"])
    df["y"] = rng.normal(size=len(df)) + 0.2 * df["time"] + 0.5 * ((df["start"] > 0) & (df["time"] >= df["start"]))
    return df


ROW_TERMS = ["ATT", "dynamic:overall", "dynamic:e=-2", "dynamic:e=0", "dynamic:e=1", "group:overall", "group:g=3",
             "group:g=4", "calendar:overall", "calendar:t=3", "calendar:t=5"]


def _brute_force_stats(df, h, terms):
    """For every assignment of the start periods: CS on y - h * D_obs, |row| / se per row."""
    d_obs = ((df["start"] > 0) & (df["time"] >= df["start"])).to_numpy(float)
    ustart = df.groupby("unit")["start"].first().to_numpy()
    seen, stats, observed = set(), [], None
    for perm in itertools.permutations(range(7)):
        a = tuple(ustart[list(perm)])
        if a in seen:
            continue
        seen.add(a)
        start = np.asarray(a)[df["unit"].to_numpy()]
        gt = att_gt(df["y"] - h * d_obs, df["unit"], df["time"], start)
        row = []
        for term in terms:
            kind = term.split(":")[0] if ":" in term else "simple"
            agg = gt.aggregate(kind)
            if term == "ATT" or term.endswith("overall"):
                row.append(abs(agg.att) / agg.se)
            else:
                lev = int(term.split("=")[1])
                r = agg.table.set_index("level").loc[lev]
                row.append(abs(r["att"]) / r["se"])
        stats.append(row)
        if a == tuple(ustart):
            observed = len(stats) - 1
    return np.array(stats), observed


@pytest.mark.parametrize("h", [0.0, 0.4])
def test_cs_ri_every_aggregation_row_equals_full_enumeration_by_hand(h):
    df = _staggered_panel()
    res = att_gt(df["y"], df["unit"], df["time"], df["start"])
    out = ri_rows(res, ROW_TERMS, h0=h, ci=False)
    assert out["exact"] and out["n_assignments"] == 105
    stats, obs = _brute_force_stats(df, h, ROW_TERMS)
    assert stats.shape[0] == 105
    expected = (stats >= stats[obs] * (1 - 1e-10)).mean(axis=0)
    np.testing.assert_allclose(out["p_value"], expected, atol=1e-12)
    # the observed assignment reproduces the table's estimates
    tab = did.callaway_santanna(df, outcome="y").tidy().set_index("term")
    np.testing.assert_allclose(out["estimate"], tab.loc[ROW_TERMS, "estimate"], atol=1e-12)


def test_cs_ri_row_interval_inverts_the_test():
    df = _staggered_panel(seed=5)
    res = att_gt(df["y"], df["unit"], df["time"], df["start"])
    terms = ["dynamic:e=1", "calendar:t=4"]
    out = ri_rows(res, terms, level=0.93)  # 105 assignments; alpha * 105 is not an integer
    for k, term in enumerate(terms):
        lo, hi = out["conf_low"][k], out["conf_high"][k]
        assert lo < out["estimate"][k] < hi
        eps = 1e-5 * (hi - lo)
        for b, sign in ((lo, -1), (hi, 1)):
            inside = ri_rows(res, [term], h0=b - sign * eps, ci=False)["p_value"][0]
            outside = ri_rows(res, [term], h0=b + sign * eps, ci=False)["p_value"][0]
            assert inside > 0.07 >= outside


def test_cs_api_ri_fills_every_aggregation_row():
    df = _staggered_panel()
    base = did.callaway_santanna(df, outcome="y").tidy().set_index("term")
    r = did.callaway_santanna(df, outcome="y", inference="ri").tidy().set_index("term")
    agg = [t for t in r.index if not t.startswith("ATT(g=")]
    pre = [t for t in agg if t.startswith("dynamic:e=-")]
    assert len(agg) > 10 and pre
    assert r.loc[agg, "p_value"].notna().all()
    assert (r.loc[agg, "p_value"] != base.loc[agg, "p_value"]).any()
    post = [t for t in agg if t not in pre]
    assert r.loc[post, "conf_low"].notna().all() and r.loc[pre, "conf_low"].isna().all()
    cells = [t for t in r.index if t.startswith("ATT(g=")]
    pd.testing.assert_frame_equal(r.loc[cells, ["p_value", "conf_low", "conf_high"]],
                                  base.loc[cells, ["p_value", "conf_low", "conf_high"]])
