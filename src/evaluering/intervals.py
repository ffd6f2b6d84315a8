"""Exact and score confidence intervals for shares, rates, counts and their changes.

All functions return plain floats on the scale of the input (a proportion in [0, 1], a
rate per unit of exposure, a count). Scaling to "per 100" or "per 1.000" is the caller's
job. Methods:

* shares (persons with >= 1 event among persons): :func:`wilson` (score) and
  :func:`clopper_pearson` (exact, via the beta distribution);
* counts and rates (events per person or per year): :func:`garwood` (exact Poisson, via the
  chi-square / gamma distribution) and :func:`poisson_rate`;
* change of a share: :func:`newcombe_difference` (Newcombe's hybrid score interval, method
  10 of Newcombe 1998, built from Wilson limits) and :func:`mover_ratio` (MOVER-R of Donner &
  Zou 2012 with Wilson limits), tested by :func:`two_share_test` (score test);
* change of a rate or a count: :func:`poisson_rate_ratio` (exact conditional binomial:
  given the total, the count after is binomial; Clopper-Pearson limits transformed to the
  ratio; exact two-sided binomial test) and :func:`poisson_rate_difference` (MOVER-D of Li,
  Tang & Wong 2011 with Garwood limits).

>>> lo, hi = wilson(24, 571)
>>> round(lo, 4), round(hi, 4)
(0.0284, 0.0618)
>>> lo, hi = garwood(24)
>>> round(lo, 2), round(hi, 2)
(15.38, 35.71)
"""

from __future__ import annotations

import math

__all__ = [
    "wilson", "clopper_pearson", "garwood", "poisson_rate", "newcombe_difference",
    "mover_ratio", "two_share_test", "poisson_rate_ratio", "poisson_rate_difference",
    "z_value",
]


def z_value(conf: float = 0.95) -> float:
    """The two-sided normal quantile: ``z_value(0.95)`` is 1.959964...

    (``scipy.special.ndtri`` is what ``scipy.stats.norm.ppf`` computes, without its
    argument handling.)"""
    from scipy.special import ndtri

    return float(ndtri(1 - (1 - conf) / 2))


def _check(k: float, n: float | None = None) -> None:
    if k is None or (isinstance(k, float) and math.isnan(k)) or k < 0:
        raise ValueError("count must be a number >= 0")
    if n is not None and (n <= 0 or k > n):
        raise ValueError("need 0 <= count <= total and total > 0")


def wilson(k: float, n: float, conf: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of the proportion ``k/n``.

    >>> [round(x, 4) for x in wilson(0, 10)]
    [0.0, 0.2775]
    """
    _check(k, n)
    z = z_value(conf)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if k == 0 else max(0.0, centre - half)     # exact ends: no 1e-19 from rounding
    hi = 1.0 if k == n else min(1.0, centre + half)
    return lo, hi


def clopper_pearson(k: float, n: float, conf: float = 0.95) -> tuple[float, float]:
    """Clopper-Pearson (exact) interval of the proportion ``k/n``.

    >>> [round(x, 4) for x in clopper_pearson(24, 571)]
    [0.0271, 0.0619]
    """
    from scipy.stats import beta

    _check(k, n)
    a = 1 - conf
    lo = 0.0 if k == 0 else float(beta.ppf(a / 2, k, n - k + 1))
    hi = 1.0 if k >= n else float(beta.ppf(1 - a / 2, k + 1, n - k))
    return lo, hi


def garwood(k: float, conf: float = 0.95) -> tuple[float, float]:
    """Garwood's exact interval of a Poisson mean from the count ``k``.

    >>> [round(x, 3) for x in garwood(0)]
    [0.0, 3.689]
    """
    from scipy.stats import chi2

    _check(k)
    a = 1 - conf
    lo = 0.0 if k == 0 else float(chi2.ppf(a / 2, 2 * k)) / 2
    hi = float(chi2.ppf(1 - a / 2, 2 * k + 2)) / 2
    return lo, hi


def poisson_rate(k: float, exposure: float, conf: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval of the rate ``k / exposure``.

    >>> [round(x * 1000, 1) for x in poisson_rate(24, 1000)]
    [15.4, 35.7]
    """
    if exposure is None or exposure <= 0:
        raise ValueError("exposure must be > 0")
    lo, hi = garwood(k, conf)
    return lo / exposure, hi / exposure


def _mover_difference(x1: float, l1: float, u1: float, x0: float, l0: float,
                      u0: float) -> tuple[float, float, float]:
    """MOVER-D (Zou & Donner 2008): ``x1 - x0`` with limits combined from each estimate's own
    interval; with Wilson limits this is Newcombe's hybrid score interval."""
    d = x1 - x0
    return d, d - math.sqrt((x1 - l1) ** 2 + (u0 - x0) ** 2), d + math.sqrt((u1 - x1) ** 2 + (x0 - l0) ** 2)


def newcombe_difference(k1: float, n1: float, k0: float, n0: float,
                        conf: float = 0.95) -> tuple[float, float, float]:
    """Newcombe's hybrid score interval of ``k1/n1 - k0/n0`` (after minus before).

    Returns ``(difference, lower, upper)``.

    >>> d, lo, hi = newcombe_difference(18, 600, 24, 571)
    >>> round(d, 4), round(lo, 4), round(hi, 4)
    (-0.012, -0.0346, 0.0097)
    """
    return _mover_difference(k1 / n1, *wilson(k1, n1, conf), k0 / n0, *wilson(k0, n0, conf))


def mover_ratio(k1: float, n1: float, k0: float, n0: float,
                conf: float = 0.95) -> tuple[float, float, float]:
    """MOVER-R interval (Donner & Zou) of ``(k1/n1) / (k0/n0)`` from Wilson limits.

    Returns ``(ratio, lower, upper)``; the ratio is ``nan`` when ``k0 == 0``.

    >>> r, lo, hi = mover_ratio(18, 600, 24, 571)
    >>> round(r, 3), round(lo, 3), round(hi, 3)
    (0.714, 0.394, 1.296)
    """
    p1, p0 = k1 / n1, k0 / n0
    if k0 == 0:
        return math.nan, math.nan, math.nan
    l1, u1 = wilson(k1, n1, conf)
    l0, u0 = wilson(k0, n0, conf)
    r = p1 / p0
    lo_num = p1 * p0 - math.sqrt(max((p1 * p0) ** 2 - l1 * u0 * (2 * p1 - l1) * (2 * p0 - u0), 0.0))
    lo = lo_num / (u0 * (2 * p0 - u0)) if u0 * (2 * p0 - u0) > 0 else 0.0
    hi_den = l0 * (2 * p0 - l0)
    if hi_den <= 0:
        hi = math.inf
    else:
        hi = (p1 * p0 + math.sqrt(max((p1 * p0) ** 2 - u1 * l0 * (2 * p1 - u1) * (2 * p0 - l0), 0.0))) / hi_den
    return r, max(lo, 0.0), hi


def two_share_test(k1: float, n1: float, k0: float, n0: float) -> float:
    """Two-sided p-value of the score (pooled z) test of equal proportions.

    >>> round(two_share_test(18, 600, 24, 571), 3)
    0.268
    """
    from scipy.stats import norm

    p = (k1 + k0) / (n1 + n0)
    if p in (0.0, 1.0):
        return 1.0
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n0))
    z = (k1 / n1 - k0 / n0) / se
    return float(2 * norm.sf(abs(z)))


def poisson_rate_ratio(k1: int, e1: float, k0: int, e0: float,
                       conf: float = 0.95) -> tuple[float, float, float, float]:
    """Exact conditional interval and p-value of the rate ratio ``(k1/e1) / (k0/e0)``.

    Given ``k1 + k0``, ``k1`` is binomial with ``p = R e1 / (R e1 + e0)``: the
    Clopper-Pearson limits of ``p`` give the limits of ``R``; the p-value is the exact
    two-sided binomial test of ``p = e1 / (e1 + e0)`` (``R = 1``).
    Returns ``(ratio, lower, upper, p_value)``.

    >>> r, lo, hi, p = poisson_rate_ratio(18, 1, 24, 1)
    >>> round(r, 3), round(lo, 3), round(hi, 3), round(p, 3)
    (0.75, 0.384, 1.441, 0.441)
    """
    from scipy.stats import binomtest

    n = int(k1 + k0)
    if n == 0:
        return math.nan, 0.0, math.inf, 1.0
    lo_p, hi_p = clopper_pearson(k1, n, conf)
    scale = e0 / e1
    lo = lo_p / (1 - lo_p) * scale
    hi = math.inf if hi_p >= 1 else hi_p / (1 - hi_p) * scale
    ratio = math.inf if k0 == 0 else (k1 / e1) / (k0 / e0)
    p_value = float(binomtest(int(k1), n, e1 / (e1 + e0)).pvalue)
    return ratio, lo, hi, p_value


def poisson_rate_difference(k1: int, e1: float, k0: int, e0: float,
                            conf: float = 0.95) -> tuple[float, float, float]:
    """MOVER-D interval of ``k1/e1 - k0/e0`` from Garwood limits of each rate.

    Returns ``(difference, lower, upper)``.

    >>> d, lo, hi = poisson_rate_difference(18, 1, 24, 1)
    >>> round(d, 1), round(lo, 2), round(hi, 2)
    (-6.0, -19.82, 7.55)
    """
    return _mover_difference(k1 / e1, *poisson_rate(k1, e1, conf), k0 / e0, *poisson_rate(k0, e0, conf))
