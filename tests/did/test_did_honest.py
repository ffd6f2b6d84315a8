"""Sensitivity to parallel-trends violations (Rambachan & Roth 2023), against the Python
HonestDiD port (``honestdid`` 0.1.1, test-only): the smoothness FLCI on the event study of a
fixed panel. HonestDiD simulates the folded-normal critical value (10^6 draws) and bisects over
the estimator's standard deviation, so bounds agree to 1 % of the half-length (measured: within
0.15 %); the critical value here is exact."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluering import did
from evaluering.did.honest import flci, folded_normal_cv


def _panel(seed=2):
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(24):
        start = 2016 if u < 8 else 0
        for t in range(2010, 2021):
            n = int(rng.integers(300, 600))
            p = 0.06 + 0.002 * (t - 2010) - (0.015 if start and t >= start else 0)
            rows.append((u, t, start, int(rng.binomial(n, p)), n))
    return pd.DataFrame(rows, columns=["unit", "time", "start", "count", "population"])


@pytest.fixture(scope="module")
def event():
    return did.event_study(_panel(), count="count", population="population")


def test_folded_normal_quantile():
    assert folded_normal_cv(0.0) == pytest.approx(stats.norm.ppf(0.975), abs=1e-12)
    c = folded_normal_cv(1.3, 0.1)
    assert stats.norm.cdf(c - 1.3) - stats.norm.cdf(-c - 1.3) == pytest.approx(0.9, abs=1e-12)
    assert folded_normal_cv(8.0) == pytest.approx(8.0 + stats.norm.ppf(0.95), abs=1e-9)


@pytest.mark.parametrize("which", ["first", "mean"])
@pytest.mark.parametrize("M", [0.0, 0.002, 0.006])
def test_flci_matches_honestdid(event, which, M):
    H = pytest.importorskip("honestdid")
    from evaluering.did.honest import _from_result

    beta, sigma, K = _from_result(event)
    P = beta.size - K
    lv = np.eye(P)[0] if which == "first" else np.full(P, 1 / P)
    mine = flci(beta, sigma, K, lv, M)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = H.find_optimal_flci(beta, sigma, M=M, numPrePeriods=K, numPostPeriods=P, l_vec=lv)
    lo, hi = ref["FLCI"]
    tol = 0.01 * mine["half_length"]
    assert mine["lb"] == pytest.approx(lo, abs=tol) and mine["ub"] == pytest.approx(hi, abs=tol)


def test_honest_result_and_breakdown(event):
    r = did.honest(event, method="smoothness", m=[0.0, 0.001, 0.002, 0.004, 0.008])
    t = r.tidy()
    assert t["kind"].tolist() == ["original"] + ["robust"] * 5
    # original = the event study's ATT interval with a normal critical value
    att = event.tidy().set_index("term").loc["ATT"]
    z = stats.norm.ppf(0.975)
    assert t.loc[0, "conf_low"] == pytest.approx(att["estimate"] - z * att["std_error"], rel=1e-10)
    # intervals widen with M
    rob = t[t["kind"] == "robust"]
    assert (np.diff(rob["conf_high"] - rob["conf_low"]) > 0).all()
    # the breakdown value: the interval excludes 0 just below it and not just above it
    bd = r.breakdown
    assert bd is not None and 0 < bd < np.inf
    lv = r.l_vec
    from evaluering.did.honest import _from_result

    beta, sigma, K = _from_result(event)
    below, above = flci(beta, sigma, K, lv, bd * 0.99), flci(beta, sigma, K, lv, bd * 1.02)
    assert below["ub"] < 0 or below["lb"] > 0
    assert not (above["ub"] < 0 or above["lb"] > 0)
    assert json.dumps(r.to_dict()) and "nedbrudsværdi" in r._repr_html_()
    assert r.plot() is not None


def test_honest_arrays_and_errors(event):
    with pytest.raises(ValueError, match="unknown method"):
        did.honest(event, method="flci")
    with pytest.raises(ValueError, match="l_vec"):
        did.honest(event, method="smoothness", l_vec=[1, 0])
    tw = did.twfe(_panel(), count="count", population="population")
    with pytest.raises(ValueError, match="event-study"):
        did.honest(tw)
    # one pre period, M = 0: the linear trend through beta_-2 and the reference 0 at -1 gives
    # delta_0 = -beta_-2, so theta = beta_0 + beta_-2 with variance s_pre + s_post + 2 s_pp
    beta = np.array([0.03, 0.5])
    S = np.array([[0.01, 0.002], [0.002, 0.02]])
    r = did.honest(beta, sigma=S, num_pre=1, m=[0.0])
    half = stats.norm.ppf(0.975) * np.sqrt(0.01 + 0.02 + 2 * 0.002)
    assert r.table.loc[1, "conf_low"] == pytest.approx(0.53 - half, abs=1e-7)
    assert r.table.loc[1, "conf_high"] == pytest.approx(0.53 + half, abs=1e-7)
