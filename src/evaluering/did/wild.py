"""Restricted wild cluster bootstrap (WCR) for one coefficient of a TWFE fit.

The null ``beta_j = h0`` is imposed; the restricted residuals of each cluster are multiplied
by one draw ``v_g`` (Rademacher +-1 or Webb's six-point weights) and the t statistic
(CR0 scale: the CR1 factor cancels) is recomputed. Everything is linear in ``v``, so a draw
costs O(G k): ``beta* - h0 = v'a`` and the bootstrap scores are ``K v`` with
``K = diag(a) - R B S'`` (no refit). With few clusters every sign vector is enumerated
(``2^G`` Rademacher vectors, ``6^G`` Webb) when that is no more than ``n_boot``; otherwise
``n_boot`` seeded draws. The interval inverts the test (bisection on ``h0``).

>>> import numpy as np
>>> from evaluering.did.twfe import fit_twfe
>>> rng = np.random.default_rng(3)
>>> u = np.repeat(np.arange(8), 4); t = np.tile(np.arange(4), 8)
>>> d = ((u < 4) & (t >= 2)).astype(float)
>>> fit = fit_twfe(d + rng.normal(size=32), d, u, t)
>>> res = wild_cluster_bootstrap(fit, ci=False)
>>> res.enumerated, res.n_draws
(True, 256)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .vcov import cluster_groups

__all__ = ["WildResult", "wild_cluster_bootstrap", "wild_score_bootstrap", "contrast_fit", "WILD_WEIGHTS"]

WILD_WEIGHTS = ("rademacher", "webb")
_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


@dataclass
class WildResult:
    p_value: float
    conf_low: float
    conf_high: float
    n_draws: int
    enumerated: bool
    weights: str
    seed: int | None


def _draws(G: int, weights: str, n_boot: int, seed: int | None) -> tuple[np.ndarray, bool]:
    if weights == "rademacher":
        if 2 ** G <= n_boot:
            codes = np.arange(2 ** G, dtype=np.int64)
            bits = (codes[:, None] >> np.arange(G)[None, :]) & 1
            return 1.0 - 2.0 * bits, True
        rng = np.random.default_rng(seed)
        return 2.0 * rng.integers(0, 2, size=(n_boot, G), dtype=np.int8) - 1.0, False
    if weights == "webb":
        if 6 ** G <= n_boot:
            idx = np.indices((6,) * G).reshape(G, -1).T
            return _WEBB[idx], True
        rng = np.random.default_rng(seed)
        return _WEBB[rng.integers(0, 6, size=(n_boot, G))], False
    raise ValueError(f"unknown wild weights {weights!r} (use rademacher or webb)")


class _WildTest:
    """Precomputed pieces of the WCR test of one coefficient; ``p(h0)`` is cheap."""

    def __init__(self, fit, j: int, V: np.ndarray):
        fe = fit.fe
        Zs, B = fit.Zs, fit.bread
        self.groups = cluster_groups(fit.cluster)
        G = len(self.groups)
        ys = fe.unit_demean(fit.y) * fe.sw
        xs = Zs[:, j]
        Zr = np.delete(Zs, j, axis=1)
        Br = np.linalg.pinv(Zr.T @ Zr)

        def mr(v):
            return v - Zr @ (Br @ (Zr.T @ v))

        e0, e1 = mr(ys), mr(xs)  # restricted residuals: e0 - h0 * e1
        c = np.zeros(Zs.shape[1]); c[j] = 1.0
        r = Zs @ (B @ c)
        k = Zs.shape[1]
        self.a0, self.a1 = np.empty(G), np.empty(G)
        self.R = np.empty((G, k)); self.S0 = np.empty((G, k)); self.S1 = np.empty((G, k))
        eu = fit.resid * fe.sw  # unrestricted residuals
        score = np.empty(G)
        for g, rows in enumerate(self.groups):
            rg, Zg = r[rows], Zs[rows]
            self.a0[g], self.a1[g] = rg @ e0[rows], rg @ e1[rows]
            self.R[g] = Zg.T @ rg
            self.S0[g], self.S1[g] = Zg.T @ e0[rows], Zg.T @ e1[rows]
            score[g] = rg @ eu[rows]
        self.B = B
        self.beta = float(fit.coef[j])
        self.se0 = float(np.sqrt(score @ score))
        self.V = V

    def p(self, h0: float, chunk: int = 4096) -> float:
        t_obs = abs(self.beta - h0) / self.se0
        a = self.a0 - h0 * self.a1
        S = self.S0 - h0 * self.S1
        RB = self.R @ self.B
        hits = 0
        for s in range(0, self.V.shape[0], chunk):
            V = self.V[s:s + chunk]
            num = V @ a
            kv = V * a[None, :] - (V @ S) @ RB.T
            den = np.sqrt(np.einsum("ij,ij->i", kv, kv))
            with np.errstate(divide="ignore", invalid="ignore"):
                tb = np.abs(num) / den
            hits += int(np.sum(tb >= t_obs * (1 - 1e-10)))
        return hits / self.V.shape[0]


def _invert(pfun, est: float, scale: float, alpha: float) -> tuple[float, float]:
    """Bounds where the p-value crosses ``alpha``, by bisection on each side."""
    out = []
    for sign in (-1.0, 1.0):
        inner, step = est, max(scale, 1e-12)
        outer = est + sign * 2 * step
        tries = 0
        while pfun(outer) > alpha and tries < 20:
            inner = outer
            step *= 2
            outer = est + sign * 2 * step
            tries += 1
        if tries == 20:
            out.append(sign * np.inf)
            continue
        for _ in range(40):
            mid = 0.5 * (inner + outer)
            if pfun(mid) > alpha:
                inner = mid
            else:
                outer = mid
            if abs(outer - inner) <= 1e-7 * max(scale, 1e-12):
                break
        out.append(0.5 * (inner + outer))
    return out[0], out[1]


def contrast_fit(fit, c: np.ndarray):
    """Refit ``fit`` reparametrized so that coefficient ``j`` (returned) is ``c' beta``.

    With ``M`` the identity whose row ``j`` is ``c`` (``j`` = the largest ``|c_k|``), the
    design ``X M^-1`` has coefficients ``M beta``: the same fit, one coefficient the
    contrast. Used to bootstrap a linear combination (the event-study average).
    """
    from .twfe import fit_twfe

    c = np.asarray(c, dtype=float)
    j = int(np.argmax(np.abs(c)))
    M = np.eye(c.shape[0])
    M[j] = c
    X = fit.X @ np.linalg.inv(M)
    new = fit_twfe(fit.y, X, fit.fe.unit, fit.fe.time, weights=fit.fe.w, cluster=fit.cluster,
                   weight_kind=fit.weight_kind)
    return new, j


def wild_cluster_bootstrap(fit, coef: int = 0, h0: float = 0.0, weights: str = "rademacher",
                           n_boot: int = 9999, seed: int | None = 20170201, level: float = 0.95,
                           ci: bool = True, contrast=None) -> WildResult:
    """WCR bootstrap p-value of ``beta[coef] = h0`` (or of ``contrast' beta = h0``) and
    (``ci=True``) the inverted interval."""
    if contrast is not None:
        fit, coef = contrast_fit(fit, contrast)
    weights = weights.lower()
    G = fit.n_clusters
    V, enumerated = _draws(G, weights, n_boot, seed)
    test = _WildTest(fit, coef, V)
    p = test.p(h0)
    lo = hi = float("nan")
    if ci:
        lo, hi = _invert(test.p, test.beta, test.se0, 1 - level)
    return WildResult(p_value=float(p), conf_low=float(lo), conf_high=float(hi), n_draws=int(V.shape[0]),
                      enumerated=enumerated, weights=weights, seed=None if enumerated else seed)


@dataclass
class WildScoreResult:
    p_value: np.ndarray
    conf_low: np.ndarray
    conf_high: np.ndarray
    n_draws: int
    enumerated: bool
    weights: str
    seed: int | None


def wild_score_bootstrap(scores: np.ndarray, estimate, h0=0.0, weights: str = "rademacher",
                         n_boot: int = 9999, seed: int | None = 20170201, level: float = 0.95) -> WildScoreResult:
    """Wild cluster bootstrap-t of estimators given by their cluster scores.

    ``scores`` is clusters x K with ``se_k = ||scores[:, k]||`` (an influence function summed
    within cluster and divided by n). Each draw ``v`` gives ``t* = |v's| / sqrt((v^2)'s^2)``,
    the studentized bootstrap estimate (unrestricted: the draws do not depend on ``h0``),
    with all ``2^G`` Rademacher (``6^G`` Webb) vectors when that is at most ``n_boot``. The
    p-value of ``estimate = h0`` is the share of ``t* >= |estimate - h0| / se``; the interval
    ``estimate -+ q * se`` with ``q`` the ``level`` quantile of ``t*`` (symmetric percentile-t).
    This is the Kline-Santos (2012) score bootstrap; for CS aggregations and other
    estimators without a regression to refit.

    >>> s = np.array([[1.0], [-1.0], [0.5], [-0.5]]) / 4
    >>> res = wild_score_bootstrap(s, [0.0])
    >>> res.enumerated, float(res.p_value[0])
    (True, 1.0)
    """
    S = np.asarray(scores, dtype=float)
    if S.ndim == 1:
        S = S[:, None]
    est = np.atleast_1d(np.asarray(estimate, dtype=float))
    h0 = np.broadcast_to(np.asarray(h0, dtype=float), est.shape)
    V, enumerated = _draws(S.shape[0], weights.lower(), n_boot, seed)
    se = np.sqrt((S ** 2).sum(axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        tb = np.abs(V @ S) / np.sqrt((V ** 2) @ (S ** 2))
        t_obs = np.abs(est - h0) / se
    tb = np.where(np.isfinite(tb), tb, 0.0)
    p = (tb >= t_obs[None, :] * (1 - 1e-10)).mean(axis=0)
    q = np.quantile(tb, level, axis=0, method="higher")
    ok = se > 0
    p = np.where(ok, p, np.nan)
    return WildScoreResult(p_value=p, conf_low=np.where(ok, est - q * se, np.nan),
                           conf_high=np.where(ok, est + q * se, np.nan), n_draws=int(V.shape[0]),
                           enumerated=enumerated, weights=weights.lower(), seed=None if enumerated else seed)
