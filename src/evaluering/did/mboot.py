"""Multiplier bootstrap of influence functions with simultaneous (uniform) confidence bands.

As R ``did`` (``mboot``): the influence functions are summed within cluster (the unit,
i.e. the estate, by default), every draw multiplies the cluster sums by i.i.d. weights
``v_g`` (Rademacher +-1 as R ``did`` / ``BMisc::multiplier_bootstrap``, or Mammen's
two-point weights) and
``b* = sqrt(G) * mean_g(v_g psi_g)``. The standard error is the robust
interquartile-range estimate ``(q75 - q25) / (z75 - z25) * sqrt(G) / n``; the critical
value of the uniform band is the ``1 - alpha`` quantile (type 1) of ``max_k |b*_k| / se_k``
over the estimates ``k`` (the sup-t band). Degenerate columns (all zero) are left out of
the band and get a missing standard error.

One draw matrix serves every quantity of a result (ATT(g,t) and the aggregations), so the
figures are reproducible from the seed.

>>> import numpy as np
>>> psi = np.random.default_rng(1).normal(size=(400, 3))
>>> res = multiplier_bootstrap(psi, biters=999, seed=1)
>>> bool(np.all(np.abs(res.se * np.sqrt(400) - 1) < 0.15)), bool(1.96 < res.crit < 2.8)
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["MbootResult", "multiplier_bootstrap", "draw_multipliers", "MULTIPLIER_WEIGHTS"]

MULTIPLIER_WEIGHTS = ("mammen", "rademacher")
_S5 = np.sqrt(5.0)


def draw_multipliers(n_clusters: int, biters: int, weights: str = "rademacher", seed: int | None = None) -> np.ndarray:
    """``biters x n_clusters`` i.i.d. multipliers with mean 0 and variance 1.

    >>> v = draw_multipliers(5, 20000, "mammen", seed=2)
    >>> round(float(v.mean()), 2), round(float(v.var()), 1)
    (0.0, 1.0)
    """
    rng = np.random.default_rng(seed)
    if weights == "mammen":
        p = (_S5 + 1) / (2 * _S5)
        u = rng.random((biters, n_clusters))
        return np.where(u < p, (1 - _S5) / 2, (1 + _S5) / 2)
    if weights == "rademacher":
        return 2.0 * rng.integers(0, 2, size=(biters, n_clusters)) - 1.0
    raise ValueError(f"unknown multiplier weights {weights!r} (use {', '.join(MULTIPLIER_WEIGHTS)})")


@dataclass
class MbootResult:
    se: np.ndarray          # bootstrap standard errors (NaN for degenerate columns)
    crit: float             # sup-t critical value of the uniform band
    bres: np.ndarray        # biters x K bootstrap draws of sqrt(G) * mean(v psi)
    n_clusters: int
    biters: int
    weights: str
    seed: int | None
    sigma: np.ndarray = None  # IQR scale of each column of bres (NaN: degenerate)


def cluster_sums(inf: np.ndarray, cluster: np.ndarray | None) -> np.ndarray:
    """Influence functions summed within cluster (rows: clusters)."""
    if cluster is None:
        return inf
    codes, _ = _codes(cluster)
    out = np.zeros((codes.max() + 1, inf.shape[1]))
    np.add.at(out, codes, inf)
    return out


def _codes(x):
    levels, codes = np.unique(np.asarray(x), return_inverse=True)
    return codes, levels


def multiplier_bootstrap(inf: np.ndarray, cluster=None, biters: int = 999, weights: str = "rademacher",
                         seed: int | None = None, alpha: float = 0.05, draws: np.ndarray | None = None,
                         n: int | None = None) -> MbootResult:
    """Bootstrap standard errors and the uniform critical value of the columns of ``inf``.

    ``inf`` is units x K (R ``did`` scaling: ``se = sqrt(mean(inf^2) / n)``); ``cluster``
    (one label per row; default: each row its own cluster) groups rows; ``draws`` reuses a
    ``biters x G`` multiplier matrix (from :func:`draw_multipliers`).
    """
    inf = np.asarray(inf, dtype=float)
    if inf.ndim == 1:
        inf = inf[:, None]
    n = inf.shape[0] if n is None else n
    cs = cluster_sums(inf, cluster)
    G = cs.shape[0]
    V = draw_multipliers(G, biters, weights, seed) if draws is None else draws
    bres = np.sqrt(G) * (V @ cs) / G
    ok = np.all(np.isfinite(bres), axis=0) & np.any(bres != 0, axis=0)
    sigma = np.full(inf.shape[1], np.nan)
    if ok.any():
        q = np.quantile(bres[:, ok], [0.25, 0.75], axis=0, method="inverted_cdf")
        sig = (q[1] - q[0]) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
        sigma[ok] = np.where(sig > 0, sig, np.nan)
    se = sigma * np.sqrt(G) / n
    crit = sup_t(bres, sigma, alpha)
    return MbootResult(se=se, crit=crit, bres=bres, n_clusters=G, biters=int(V.shape[0]), weights=weights,
                       seed=seed, sigma=sigma)


def sup_t(bres: np.ndarray, sigma: np.ndarray, alpha: float = 0.05) -> float:
    """``1 - alpha`` quantile (type 1) of ``max_k |bres_k| / sigma_k`` over the
    non-degenerate columns (NaN when there are none)."""
    ok = np.isfinite(sigma)
    if not ok.any():
        return float("nan")
    tmax = np.max(np.abs(bres[:, ok] / sigma[None, ok]), axis=1)
    tmax = tmax[np.isfinite(tmax)]
    return float(np.quantile(tmax, 1 - alpha, method="inverted_cdf")) if tmax.size else float("nan")


def band_crit(res: MbootResult, alpha: float = 0.05) -> float:
    """The critical value used for a band, as R ``did``: the sup-t value, but never below
    the pointwise normal value (and the pointwise value when it cannot be computed)."""
    z = float(stats.norm.ppf(1 - alpha / 2))
    if not np.isfinite(res.crit) or res.crit < z:
        return z
    return res.crit
