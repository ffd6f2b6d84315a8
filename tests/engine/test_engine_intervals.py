"""Intervals against statsmodels / scipy and hand calculations written here."""

from __future__ import annotations

import math

import pytest
from scipy import optimize, stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
from statsmodels.stats import rates as sm_rates
from statsmodels.stats.rates import confint_poisson, confint_poisson_2indep

from evaluering import intervals as iv

SHARES = [(0, 10), (1, 10), (24, 571), (9, 648), (5, 11), (50, 50), (3, 7)]


@pytest.mark.parametrize("k,n", SHARES)
def test_wilson_and_clopper_pearson_match_statsmodels(k, n):
    assert iv.wilson(k, n) == pytest.approx(proportion_confint(k, n, method="wilson"), abs=1e-12)
    assert iv.clopper_pearson(k, n) == pytest.approx(proportion_confint(k, n, method="beta"), abs=1e-10)


def test_wilson_by_hand():
    # k=24, n=571, z=1.959964: centre and half-width of the score interval written out
    z, p, n = 1.959963984540054, 24 / 571, 571
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo, hi = iv.wilson(24, 571)
    assert (lo, hi) == pytest.approx((centre - half, centre + half))
    assert round(100 * lo, 2) == 2.84 and round(100 * hi, 2) == 6.18


@pytest.mark.parametrize("k", [0, 1, 5, 24, 48, 300])
def test_garwood_matches_statsmodels_exact(k):
    assert iv.garwood(k) == pytest.approx(confint_poisson(k, 1, method="exact-c"), abs=1e-9)


def test_garwood_zero_by_hand():
    # k = 0: upper limit solves exp(-mu) = 0.025
    assert iv.garwood(0) == (0.0, pytest.approx(-math.log(0.025)))
    # k = 24: limits are the 2.5 % / 97.5 % gamma quantiles
    lo, hi = iv.garwood(24)
    assert lo == pytest.approx(stats.gamma.ppf(0.025, 24))
    assert hi == pytest.approx(stats.gamma.ppf(0.975, 25))


def test_poisson_rate_scales_with_exposure():
    lo, hi = iv.poisson_rate(65, 1000)
    assert (lo, hi) == pytest.approx(tuple(x / 1000 for x in confint_poisson(65, 1, method="exact-c")))


@pytest.mark.parametrize("k1,n1,k0,n0", [(18, 600, 24, 571), (9, 648, 24, 571), (0, 40, 3, 50), (30, 60, 20, 60)])
def test_newcombe_matches_statsmodels(k1, n1, k0, n0):
    d, lo, hi = iv.newcombe_difference(k1, n1, k0, n0)
    ref = confint_proportions_2indep(k1, n1, k0, n0, method="newcomb", compare="diff")
    assert d == pytest.approx(k1 / n1 - k0 / n0)
    assert (lo, hi) == pytest.approx(ref, abs=1e-10)


@pytest.mark.parametrize("k1,n1,k0,n0", [(18, 600, 24, 571), (9, 648, 24, 571), (30, 60, 20, 60)])
def test_mover_ratio_solves_its_defining_equation(k1, n1, k0, n0):
    # MOVER-R (Donner & Zou 2012): the limits are the roots in theta of
    # (p1 - theta p0)^2 = (p1 - l1)^2 + theta^2 (u0 - p0)^2   (lower) and
    # (p1 - theta p0)^2 = (u1 - p1)^2 + theta^2 (p0 - l0)^2   (upper), solved numerically here.
    p1, p0 = k1 / n1, k0 / n0
    l1, u1 = proportion_confint(k1, n1, method="wilson")
    l0, u0 = proportion_confint(k0, n0, method="wilson")
    r = p1 / p0
    f_lo = lambda t: (p1 - t * p0) ** 2 - (p1 - l1) ** 2 - t ** 2 * (u0 - p0) ** 2  # noqa: E731
    f_hi = lambda t: (p1 - t * p0) ** 2 - (u1 - p1) ** 2 - t ** 2 * (p0 - l0) ** 2  # noqa: E731
    lo_ref = optimize.brentq(f_lo, 1e-9, r)
    hi_ref = optimize.brentq(f_hi, r, 100)
    ratio, lo, hi = iv.mover_ratio(k1, n1, k0, n0)
    assert ratio == pytest.approx(r)
    assert (lo, hi) == pytest.approx((lo_ref, hi_ref), rel=1e-8)


def test_two_share_score_test_matches_statsmodels():
    from statsmodels.stats.proportion import test_proportions_2indep

    ref = test_proportions_2indep(18, 600, 24, 571, method="score", compare="diff", correction=False).pvalue
    assert iv.two_share_test(18, 600, 24, 571) == pytest.approx(ref, rel=1e-6)


@pytest.mark.parametrize("k1,e1,k0,e0", [(18, 1, 24, 1), (37, 1, 48, 1), (9, 648, 24, 571), (5, 2.5, 0, 1)])
def test_rate_ratio_exact_conditional(k1, e1, k0, e0):
    ratio, lo, hi, p = iv.poisson_rate_ratio(k1, e1, k0, e0)
    # independent: scipy's exact binomial interval of p = k1 / (k1 + k0), mapped to the ratio
    res = stats.binomtest(k1, k1 + k0, e1 / (e1 + e0))
    ci = res.proportion_ci(confidence_level=0.95, method="exact")
    to_ratio = lambda q: q / (1 - q) * e0 / e1 if q < 1 else math.inf  # noqa: E731
    assert lo == pytest.approx(to_ratio(ci.low), rel=1e-7)
    assert hi == pytest.approx(to_ratio(ci.high), rel=1e-7) if math.isfinite(hi) else ci.high == 1
    assert p == pytest.approx(sm_rates.test_poisson_2indep(k1, e1, k0, e0, method="exact-cond").pvalue, rel=1e-8)
    if k0:
        assert ratio == pytest.approx((k1 / e1) / (k0 / e0))


@pytest.mark.parametrize("k1,e1,k0,e0", [(18, 1, 24, 1), (18, 1.5, 24, 2), (37, 1, 48, 1), (3, 500, 9, 480)])
def test_rate_difference_mover_matches_statsmodels(k1, e1, k0, e0):
    d, lo, hi = iv.poisson_rate_difference(k1, e1, k0, e0)
    ref = confint_poisson_2indep(k1, e1, k0, e0, method="mover", compare="diff", method_mover="exact-c")
    assert d == pytest.approx(k1 / e1 - k0 / e0)
    assert (lo, hi) == pytest.approx(ref, rel=1e-8)


def test_24_to_18_persons_is_not_distinguishable():
    """The issue's example: 24 persons -> 18 persons (same population) is no clear change."""
    _, lo, hi, p = iv.poisson_rate_ratio(18, 1, 24, 1)
    assert lo < 1 < hi and p > 0.05
    _, dlo, dhi = iv.newcombe_difference(18, 571, 24, 571)
    assert dlo < 0 < dhi


def test_bad_input_raises():
    with pytest.raises(ValueError):
        iv.wilson(5, 3)
    with pytest.raises(ValueError):
        iv.garwood(-1)
