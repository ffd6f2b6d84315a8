"""Relative magnitudes, Delta^RM(Mbar) (Rambachan & Roth 2023), against two peers:

- the Python HonestDiD port ``honestdid`` 0.1.1 (test-only; loaded through
  ``honestdid_oracle`` so it runs under NumPy 2.4) on the same betahat / sigma and the same test
  grid: the accepted grid end points agree exactly (the least-favourable draws are the same
  ``RandomState(seed).multivariate_normal`` draws; measured: identical to 6 decimals in 18 of 18
  cases, 1-3 pre and 1-3 post periods, first-period and average targets);
- the R package's README example (Medicaid expansions, ``createSensitivityResults_relativeMagnitudes``
  with Mbar 0.5..2, 5 pre and 2 post periods) on the event study re-estimated here from the
  public data (TWFE, state-clustered CR1 as fixest): within 0.001 (measured: 0.0004; one
  HonestDiD grid step is 0.00037, and R draws its least-favourable critical value with R's RNG).
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluering import did
from evaluering.did.honest_rm import MAX_BASES, rm_constraints, rm_interval

from honestdid_oracle import load

DATA = Path(__file__).resolve().parents[1] / "data" / "honestdid" / "ehec_2008_2015.csv"


def _case(K, P, seed):
    rng = np.random.default_rng(seed)
    L = rng.normal(size=(K + P, K + P))
    S = (L @ L.T + 3 * np.eye(K + P)) * 1e-4
    beta = np.r_[rng.normal(0, 0.01, K), rng.normal(0.05, 0.01, P)]
    return beta, S


@pytest.fixture(scope="module")
def oracle():
    H = load()
    if H is None:
        pytest.skip("honestdid (test-only oracle) is not installed")
    return H


def _ref(H, beta, S, K, P, lv, mbars, method, grid_points):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = H.createSensitivityResults_relativeMagnitudes(beta, S, K, P, Mbarvec=list(mbars), l_vec=lv,
                                                          gridPoints=grid_points, method=method)
    return r[["lb", "ub"]].to_numpy()


@pytest.mark.parametrize("K,P,seed,lv,method,mbars", [
    (2, 1, 3, [1.0], "C-LF", (0.5, 1.0, 2.0)),           # no nuisance parameter
    (3, 2, 1, [1.0, 0.0], "Conditional", (2.0,)),     # nuisance parameter, ARP
    (3, 2, 1, [0.5, 0.5], "Conditional", (1.0,)),
    pytest.param(2, 2, 7, [0.5, 0.5], "C-LF", (1.0,), marks=pytest.mark.slow),  # hybrid, 18 s in the oracle
])
def test_grid_end_points_equal_honestdid(oracle, K, P, seed, lv, method, mbars):
    beta, S = _case(K, P, seed)
    lv = np.array(lv)
    ref = _ref(oracle, beta, S, K, P, lv, mbars, method, 100)
    for mb, (lo, hi) in zip(mbars, ref):
        mine = rm_interval(beta, S, K, lv, mb, method=method, grid_points=100, refine=False)
        assert mine == pytest.approx((lo, hi), abs=1e-12)


def _medicaid_event_study():
    """TWFE event study of the README: dins ~ i(year, D, ref = 2013) | state + year, cluster = state."""
    w = pd.read_csv(DATA, comment="#")
    long = w.melt(id_vars=["stfips", "yexp2"], var_name="year", value_name="dins")
    long["year"] = long["year"].astype(int)
    D = (long["yexp2"] == 2014).to_numpy(float)
    years = [2008, 2009, 2010, 2011, 2012, 2014, 2015]
    X = np.column_stack([D * (long["year"] == y) for y in years]
                        + [pd.get_dummies(long["stfips"]).to_numpy(float),
                           pd.get_dummies(long["year"]).to_numpy(float)[:, 1:]])
    y = long["dins"].to_numpy()
    bread = np.linalg.pinv(X.T @ X)
    b = bread @ X.T @ y
    e = y - X @ b
    g = long["stfips"].to_numpy()
    meat = sum(np.outer(X[g == s].T @ e[g == s], X[g == s].T @ e[g == s]) for s in np.unique(g))
    n, G = len(y), len(np.unique(g))
    k = 7 + 8  # fixest: the state effects are nested in the clusters and not counted
    V = bread @ meat @ bread * G / (G - 1) * (n - 1) / (n - k)
    return b[:7], V[:7, :7]


def test_medicaid_readme_example():
    beta, sigma = _medicaid_event_study()
    # the README's event study: 2014 effect about 0.046, 2015 about 0.069
    assert beta[5] == pytest.approx(0.0464, abs=5e-4) and beta[6] == pytest.approx(0.0692, abs=5e-4)
    r = did.honest(beta, sigma=sigma, num_pre=5, method="relative_magnitude", mbar=[0.5, 1.0, 1.5, 2.0])
    t = r.tidy()
    rob = t[t["kind"] == "robust"]
    readme = [(0.0240, 0.0672), (0.0170, 0.0720), (0.00824, 0.0797), (-0.000916, 0.0881)]
    for (_, row), (lo, hi) in zip(rob.iterrows(), readme):
        assert row["conf_low"] == pytest.approx(lo, abs=1e-3)
        assert row["conf_high"] == pytest.approx(hi, abs=1e-3)
    # README: "the breakdown value for a significant effect is Mbar = 2"
    assert r.breakdown is not None and 1.5 < r.breakdown <= 2.0
    assert r.l_vec.tolist() == [1.0, 0.0]  # HonestDiD's default target: the first post period


def test_refined_end_points_and_breakdown():
    beta, S = _case(3, 2, 1)
    lv = np.array([1.0, 0.0])
    lo_g, hi_g = rm_interval(beta, S, 3, lv, 0.5, refine=False)
    lo, hi = rm_interval(beta, S, 3, lv, 0.5)
    step = 40 * math.sqrt(S[3, 3]) / 999
    assert lo_g - step <= lo <= lo_g and hi_g <= hi <= hi_g + step
    r = did.honest(beta, sigma=S, num_pre=3, method="relative_magnitude", mbar=[0.0, 0.1])
    bd = r.breakdown
    assert r.tidy()["excludes_zero"].tolist() == [True, True, True] and 0.1 < bd < math.inf
    below = rm_interval(beta, S, 3, lv, bd * 0.98)
    above = rm_interval(beta, S, 3, lv, bd * 1.03)
    assert below[0] > 0 and above[0] <= 0
    # wider with Mbar
    w = [np.subtract(*rm_interval(beta, S, 3, lv, mb)[::-1]) for mb in (0.0, 0.5, 1.0, 2.0)]
    assert all(np.diff(w) > 0)
    # Mbar = 0 is parallel trends after the start: close to the original interval
    orig = r.tidy().iloc[0]
    m0 = r.tidy().iloc[1]
    assert m0["conf_low"] == pytest.approx(orig["conf_low"], abs=0.2 * (orig["conf_high"] - orig["conf_low"]))
    assert json.dumps(r.to_dict()) and "Mbar" in r.plot().get_xlabel() and "relative" in r.summary()


def test_constraints_by_hand():
    # two pre periods (delta_-2, delta_-1), one post (delta_1), reference delta_0 = 0; s = -1,
    # sign +, Mbar = 2: the bound is b = delta_-1 - delta_-2 and the rows are +-(delta_-1 - delta_-2)
    # <= b (the + row is trivial and dropped), +-(0 - delta_-1) <= b and +-(delta_1 - 0) <= 2 b
    A = rm_constraints(2, 1, 2.0, -1, True)
    rows = {tuple(r) for r in A.tolist()}
    assert rows == {(1.0, 0.0, 0.0), (1.0, -2.0, 0.0), (2.0, -2.0, 1.0), (2.0, -2.0, -1.0), (2.0, -2.0, 0.0)}


def test_event_study_input_and_errors():
    rng = np.random.default_rng(2)
    rows = []
    for u in range(24):
        start = 2016 if u < 8 else 0
        for t in range(2011, 2020):
            n = int(rng.integers(300, 600))
            p = 0.06 + 0.002 * (t - 2010) - (0.02 if start and t >= start else 0)
            rows.append((u, t, start, int(rng.binomial(n, p)), n))
    panel = pd.DataFrame(rows, columns=["unit", "time", "start", "count", "population"])
    ev = did.event_study(panel, count="count", population="population")
    r = did.honest(ev, method="relative_magnitude", mbar=[0.5], l_vec=None)
    t = ev.tidy()
    n_post = int(((t["kind"] == "event") & (t["event_time"] >= 0)).sum())
    assert r.l_vec.tolist() == np.eye(n_post)[0].tolist()
    with pytest.raises(ValueError, match="mbar"):
        did.honest(ev, method="relative_magnitude", mbar=[-1.0])
    with pytest.raises(ValueError, match="method"):
        rm_interval(np.zeros(3), np.eye(3), 2, np.ones(1), 1.0, method="FLCI")
    # 12 post periods: C(24, 12) bases, more than the vertex enumeration takes
    K, P = 2, 12
    assert math.comb(2 * P, P) > MAX_BASES
    with pytest.raises(ValueError, match="post periods"):
        rm_interval(np.zeros(K + P), np.eye(K + P), K, np.eye(P)[0], 1.0)
