"""Cells reproduce the person-level regression exactly: estimate, CR0, CR1, CR2, the
Satterthwaite df, the wild cluster bootstrap and randomization inference.

The oracle is pyfixest (estimate, CR0, CR1 with every fixed effect counted) and a dense
brute-force CR2 with explicit dummies written here; the person-level data are synthetic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluering import did
from evaluering.did.ri import randomization_inference
from evaluering.did.twfe import encode, fit_twfe
from evaluering.did.vcov import cluster_vcov
from evaluering.did.wild import wild_cluster_bootstrap

pf = pytest.importorskip("pyfixest")

N_ESTATES, YEARS, START = 12, list(range(2013, 2019)), 2016


def _feols(data, ssc):
    """pyfixest with a tight demeaning tolerance (typed config in new pyfixest versions)."""
    tol = {"demeaner": pf.MapDemeaner(fixef_tol=1e-14)} if hasattr(pf, "MapDemeaner") else {"fixef_tol": 1e-14}
    return pf.feols("y ~ d | estate + year", data=data, vcov={"CRV1": "estate"}, ssc=ssc, **tol)


@pytest.fixture(scope="module")
def persons():
    rng = np.random.default_rng(42)
    rows = []
    for e in range(N_ESTATES):
        treated = e < 5
        level = rng.normal(0.08, 0.02)
        for t in YEARS:
            for sex in ("M", "K"):
                n = int(rng.integers(4, 22))
                p = level + 0.004 * (t - 2013) + (sex == "M") * 0.03 + (-0.03 if treated and t >= START else 0)
                p += rng.normal(0, 0.01)
                y = (rng.random(n) < np.clip(p, 0.001, 0.999)).astype(float)
                rows.append(pd.DataFrame({"estate": f"E{e:02d}", "year": t, "sex": sex, "y": y,
                                          "start": START if treated else 0}))
    df = pd.concat(rows, ignore_index=True)
    df["d"] = ((df["start"] > 0) & (df["year"] >= df["start"])).astype(float)
    return df


@pytest.fixture(scope="module")
def cells(persons):
    c = persons.groupby(["estate", "year", "start"], as_index=False).agg(count=("y", "sum"), population=("y", "size"))
    return c


def _person_fit(persons):
    u, _ = encode(persons["estate"]); t, _ = encode(persons["year"])
    return fit_twfe(persons["y"], persons["d"], u, t)


def test_estimate_and_cr0_cr1_equal_pyfixest(persons, cells):
    fx0 = _feols(persons, ssc=pf.ssc(k_adj=False, G_adj=False))
    fx1 = _feols(persons, ssc=pf.ssc(k_adj=True, k_fixef="full", G_adj=True))
    for v, fx in (("CR0", fx0), ("CR1", fx1)):
        r = did.twfe(cells, unit="estate", time="year", start="start", count="count", population="population", vcov=v)
        assert r.att == pytest.approx(float(fx.coef()["d"]), abs=1e-12)
        assert float(r.se()["ATT"]) == pytest.approx(float(fx.se()["d"]), rel=1e-9)


def test_cr1_uses_number_of_persons(cells, persons):
    """CR1's (N-1)/(N-K) with N = persons: rows would give another (wrong) factor."""
    u, _ = encode(cells["estate"]); t, _ = encode(cells["year"])
    d = ((cells["start"] > 0) & (cells["year"] >= cells["start"])).astype(float).to_numpy()
    y = (cells["count"] / cells["population"]).to_numpy()
    freq = fit_twfe(y, d, u, t, weights=cells["population"], weight_kind="frequency")
    analytic = fit_twfe(y, d, u, t, weights=cells["population"], weight_kind="analytic")
    assert freq.n_obs == len(persons) and analytic.n_obs == len(cells)
    person = cluster_vcov(_person_fit(persons), "CR1").se()[0]
    assert cluster_vcov(freq, "CR1").se()[0] == pytest.approx(person, rel=1e-10)
    assert cluster_vcov(analytic, "CR1").se()[0] != pytest.approx(person, rel=1e-3)


def _brute_force_cr2(y, d, unit, time):
    """Dense CR2 and Satterthwaite df with explicit dummies (clubSandwich's definitions)."""
    U = pd.get_dummies(unit).to_numpy(float)
    T = pd.get_dummies(time).to_numpy(float)[:, 1:]
    X = np.column_stack([d, U, T])
    XtX_inv = np.linalg.pinv(X.T @ X)
    H = X @ XtX_inv @ X.T
    e = y - H @ y
    IH = np.eye(len(y)) - H
    c = np.zeros(X.shape[1]); c[0] = 1
    meat = np.zeros((X.shape[1], X.shape[1]))
    p_vectors = []
    groups = [np.nonzero(unit == g)[0] for g in np.unique(unit)]
    for rows in groups:
        vals, vecs = np.linalg.eigh(IH[np.ix_(rows, rows)])
        inv_sqrt = np.where(vals > 1e-12, 1 / np.sqrt(np.clip(vals, 1e-12, None)), 0)
        A = (vecs * inv_sqrt) @ vecs.T
        s = X[rows].T @ A @ e[rows]
        meat += np.outer(s, s)
        p_vectors.append(A @ X[rows] @ XtX_inv @ c)
    V = XtX_inv @ meat @ XtX_inv
    G = len(groups)
    M = np.empty((G, G))
    for i, ri in enumerate(groups):
        for j, rj in enumerate(groups):
            M[i, j] = p_vectors[i] @ IH[np.ix_(ri, rj)] @ p_vectors[j]
    df = np.trace(M) ** 2 / (M ** 2).sum()
    return float(np.sqrt(V[0, 0])), float(df)


def test_cr2_and_df_equal_person_level_brute_force(persons, cells):
    se_bf, df_bf = _brute_force_cr2(persons["y"].to_numpy(), persons["d"].to_numpy(),
                                    persons["estate"].to_numpy(), persons["year"].to_numpy())
    r = did.twfe(cells, unit="estate", time="year", start="start", count="count", population="population", vcov="CR2")
    assert float(r.se()["ATT"]) == pytest.approx(se_bf, rel=1e-9)
    assert float(r.tidy()["df"].iloc[0]) == pytest.approx(df_bf, rel=1e-9)
    # and the person-level fit of the library agrees with the brute force too
    v = cluster_vcov(_person_fit(persons), "CR2")
    assert v.se()[0] == pytest.approx(se_bf, rel=1e-9)
    assert v.df(np.array([1.0])) == pytest.approx(df_bf, rel=1e-9)


def _cell_fit(cells):
    u, _ = encode(cells["estate"]); t, _ = encode(cells["year"])
    d = ((cells["start"] > 0) & (cells["year"] >= cells["start"])).astype(float).to_numpy()
    return fit_twfe((cells["count"] / cells["population"]).to_numpy(), d, u, t, weights=cells["population"])


def test_wild_bootstrap_equal_on_cells_and_persons(persons, cells):
    cell, person = _cell_fit(cells), _person_fit(persons)
    for weights in ("rademacher",):
        a = wild_cluster_bootstrap(cell, weights=weights, ci=True)
        b = wild_cluster_bootstrap(person, weights=weights, ci=True)
        assert a.enumerated and a.n_draws == 2 ** N_ESTATES
        assert a.p_value == b.p_value
        assert a.conf_low == pytest.approx(b.conf_low, abs=1e-6)
        assert a.conf_high == pytest.approx(b.conf_high, abs=1e-6)
    w = wild_cluster_bootstrap(cell, weights="webb", n_boot=2000, seed=7, ci=False)
    w2 = wild_cluster_bootstrap(person, weights="webb", n_boot=2000, seed=7, ci=False)
    assert not w.enumerated and w.p_value == w2.p_value


def test_randomization_inference_equal_on_cells_and_persons(persons, cells):
    ucell, _ = encode(cells["estate"]); tcell, tlev = encode(cells["year"])
    upers, _ = encode(persons["estate"]); tpers, _ = encode(persons["year"])
    start = cells.groupby("estate")["start"].first().to_numpy()
    y = (cells["count"] / cells["population"]).to_numpy()
    a = randomization_inference(y, ucell, tcell, start, weights=cells["population"].to_numpy(),
                                time_values=cells["year"].to_numpy())
    b = randomization_inference(persons["y"].to_numpy(), upers, tpers, start, time_values=persons["year"].to_numpy())
    assert a.exact and a.n_assignments == 792  # C(12, 5)
    assert a.p_value == pytest.approx(b.p_value, abs=1e-12)
    assert a.conf_low == pytest.approx(b.conf_low, abs=1e-6)
    assert a.estimate == pytest.approx(float(persons.pipe(_person_fit).coef[0]), abs=1e-12)


def test_panel_from_cells_sums_over_sex(persons):
    from types import SimpleNamespace as NS

    c = persons.groupby(["estate", "year", "sex"], as_index=False).agg(numerator=("y", "sum"), denominator=("y", "size"))
    c = c.rename(columns={"estate": "area"}).assign(level="estate", age_band="10-17", measure="sigtet_mistaenkt")
    plan = NS(start_year=START, comparison_estates=None,
              estates=[NS(id=f"E{e:02d}", start_year=None) for e in range(5)])
    panel = did.panel_from_cells(c, "sigtet_mistaenkt", "10-17", plan)
    assert panel.columns.tolist() == ["unit", "time", "start", "count", "population"]
    assert panel["population"].sum() == len(persons)
    r = did.twfe(panel, count="count", population="population", vcov="CR1")
    fx = _feols(persons, ssc=pf.ssc(k_adj=True, k_fixef="full", G_adj=True))
    assert r.att == pytest.approx(float(fx.coef()["d"]), abs=1e-12)
    assert float(r.se()["ATT"]) == pytest.approx(float(fx.se()["d"]), rel=1e-9)
    # Estate.start_year overrides the plan start
    plan.estates[0] = NS(id="E00", start_year=2017)
    p2 = did.panel_from_cells(c, "sigtet_mistaenkt", "10-17", plan, comparison_estates=["E10", "E11"])
    assert p2.groupby("unit")["start"].first().to_dict() == {
        "E00": 2017, "E01": START, "E02": START, "E03": START, "E04": START, "E10": 0, "E11": 0}
