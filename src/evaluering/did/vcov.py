"""Cluster-robust variances of a :class:`~evaluering.did.twfe.TwfeFit`: CR0, CR1, CR2.

Conventions (cluster = estate unless told otherwise)

``CR0``  ``B (sum_g X_g' e_g e_g' X_g) B`` with ``B = (X'WX)^-1`` (weights in the scores).
``CR1``  Stata / R estimatr ``se_type = "stata"``: CR0 times ``G/(G-1) * (N-1)/(N-K)``
         with K counting *every* fixed-effect parameter (units + T-1 periods + regressors).
         On cells with frequency (population) weights N is the number of persons, the sum
         of the weights, so the factor equals the person-level regression's; with analytic
         weights N is the number of rows.
``CR2``  Bell-McCaffrey: scores ``X_g' A_g e_g`` with ``A_g = (I - H_gg)^(-1/2)``
         (Moore-Penrose; the hat matrix includes the absorbed unit dummies), as R
         clubSandwich with the working model ``Phi = W^-1`` (inverse-variance weights) and
         estimatr ``CR2``. Degrees of freedom by Satterthwaite (Pustejovsky & Tipton 2018).

Why cells equal persons: with treatment and fixed effects constant within a cell, the
person-level residual vector of a cluster splits into its cell sums and within-cell
deviations; ``(I - H_gg)^(-1/2)`` acts as the identity on the deviations, which are
orthogonal to every column of ``X``. Every score, and the Satterthwaite moments, depend on
the residuals only through ``sqrt(n_c) * mean residual of cell c``, which is the
sqrt-weight transformed residual of the cell regression. ``tests/did`` checks this.

t reference: ``G - 1`` degrees of freedom for CR0/CR1, Satterthwaite for CR2.

>>> import numpy as np
>>> from evaluering.did.twfe import fit_twfe
>>> rng = np.random.default_rng(1)
>>> u = np.repeat(np.arange(6), 4); t = np.tile(np.arange(4), 6)
>>> d = ((u < 3) & (t >= 2)).astype(float)
>>> fit = fit_twfe(d + rng.normal(size=24), d, u, t)
>>> v = cluster_vcov(fit, "CR2")
>>> bool(v.se()[0] > 0) and bool(v.df(np.array([1.0])) > 1)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["VCOV_TYPES", "ClusterVcov", "cluster_vcov", "default_vcov_type", "cluster_groups", "htz_test"]

VCOV_TYPES = ("CR0", "CR1", "CR2")
_TOL = 1e-12


def default_vcov_type(n_clusters: int) -> str:
    """CR2 below 50 clusters, else CR1.

    >>> default_vcov_type(40), default_vcov_type(500)
    ('CR2', 'CR1')
    """
    return "CR2" if n_clusters < 50 else "CR1"


def cluster_groups(cluster: np.ndarray) -> list[np.ndarray]:
    """Row indices of each cluster, clusters in sorted order.

    >>> [g.tolist() for g in cluster_groups(np.array([1, 0, 1]))]
    [[1], [0, 2]]
    """
    order = np.argsort(cluster, kind="stable")
    cuts = np.nonzero(np.diff(cluster[order]))[0] + 1
    return np.split(order, cuts)


def _pinv_sqrt(m: np.ndarray) -> np.ndarray:
    """Moore-Penrose inverse square root of symmetric PSD matrices (stacked: ``(..., n, n)``),
    eigenvalues below 1e-12 set to zero (as clubSandwich's ``matrix_power``)."""
    vals, vecs = np.linalg.eigh(m)
    p = np.where(vals > _TOL, 1.0 / np.sqrt(np.where(vals > _TOL, vals, 1.0)), 0.0)
    return (vecs * p[..., None, :]) @ np.swapaxes(vecs, -1, -2)


def _blocks(groups: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Clusters batched by size: ``(cluster positions, row index matrix (m, size))``."""
    sizes = np.array([g.shape[0] for g in groups])
    out = []
    for size in np.unique(sizes):
        pos = np.nonzero(sizes == size)[0]
        out.append((pos, np.stack([groups[i] for i in pos])))
    return out


def _unit_projection(fit, idx: np.ndarray) -> np.ndarray:
    """Blocks of the (transformed) unit-dummy projection for clusters ``idx`` (m, n_g)."""
    u = fit.fe.unit[idx]
    s = fit.fe.sw[idx]
    same = u[..., :, None] == u[..., None, :]
    return same * (s[..., :, None] * s[..., None, :]) / fit.fe.wsum_u[u][..., :, None]


def _hat_blocks(fit, idx: np.ndarray) -> np.ndarray:
    Zg = fit.Zs[idx]
    return _unit_projection(fit, idx) + np.einsum("msk,kl,mtl->mst", Zg, fit.bread, Zg, optimize=True)


@dataclass
class ClusterVcov:
    """A cluster-robust variance of all non-absorbed parameters (regressors first, then
    time dummies). ``V`` is the full matrix; ``k`` the number of regressors."""

    kind: str
    V: np.ndarray
    k: int
    n_clusters: int
    factor: float
    _fit: object
    _adjust: list | None
    _groups: list

    def se(self) -> np.ndarray:
        """Standard errors of the regressors."""
        return np.sqrt(np.clip(np.diag(self.V)[: self.k], 0, None))

    def cov(self) -> np.ndarray:
        """Variance matrix of the regressors."""
        return self.V[: self.k, : self.k]

    def df(self, contrast: np.ndarray) -> float:
        """Degrees of freedom for the t test of ``contrast' beta`` (contrast over the
        regressors): ``G - 1`` for CR0/CR1, Satterthwaite for CR2."""
        if self.kind != "CR2":
            return float(self.n_clusters - 1)
        return satterthwaite_df(self._fit, contrast, self._adjust, self._groups)


def cluster_vcov(fit, kind: str = "CR2") -> ClusterVcov:
    """Cluster-robust variance of a TWFE fit (see the module docstring for conventions)."""
    kind = kind.upper()
    if kind not in VCOV_TYPES:
        raise ValueError(f"unknown vcov type {kind!r} (use {', '.join(VCOV_TYPES)})")
    Zs, e = fit.Zs, fit.resid * fit.fe.sw
    groups = cluster_groups(fit.cluster)
    G = len(groups)
    adjust = None
    scores = np.empty((G, Zs.shape[1]))
    blocks = _blocks(groups)
    if kind == "CR2":
        adjust = []
        for pos, idx in blocks:
            h = _hat_blocks(fit, idx)
            A = _pinv_sqrt(np.eye(idx.shape[1])[None] - h)
            adjust.append(A)
            ae = np.einsum("mst,mt->ms", A, e[idx])
            scores[pos] = np.einsum("msk,ms->mk", Zs[idx], ae)
    else:
        for pos, idx in blocks:
            scores[pos] = np.einsum("msk,ms->mk", Zs[idx], e[idx])
    meat = scores.T @ scores
    V = fit.bread @ meat @ fit.bread
    factor = 1.0
    if kind == "CR1":
        n, k = fit.n_obs, fit.n_params
        if n <= k or G < 2:
            raise ValueError("CR1 needs more observations than parameters and two clusters")
        factor = G / (G - 1) * (n - 1) / (n - k)
        V = V * factor
    return ClusterVcov(kind=kind, V=V, k=fit.X.shape[1], n_clusters=G, factor=factor,
                       _fit=fit, _adjust=adjust, _groups=blocks)


def satterthwaite_df(fit, contrast, adjust, groups) -> float:
    """Satterthwaite degrees of freedom of a CR2 test of ``contrast' beta``.

    ``groups`` are the size batches of :func:`_blocks`, ``adjust`` the matching stacks of
    the CR2 adjustment matrices ``A_g``.

    ``df = (sum_g M_gg)^2 / sum_gh M_gh^2`` with ``M_gh = p_g' (I - H)_gh p_h`` and
    ``p_g = A_g X_g B c`` (working model: identity in the sqrt-weight space). The cross
    terms use ``(I - H)_gh = -Z_g B Z_h'`` for g != h (the unit projection is
    block-diagonal), so no N x N matrix is formed.
    """
    c = np.zeros(fit.Zs.shape[1])
    contrast = np.atleast_1d(np.asarray(contrast, dtype=float))
    c[: contrast.shape[0]] = contrast
    bc = fit.bread @ c
    # F = bread = L L' (bread is PSD); q_g = L' Z_g' p_g
    vals, vecs = np.linalg.eigh(fit.bread)
    L = vecs * np.sqrt(np.clip(vals, 0, None))
    G = sum(pos.shape[0] for pos, _ in groups)
    a = np.empty(G)
    Q = np.empty((G, fit.Zs.shape[1]))
    for (pos, idx), A in zip(groups, adjust):
        Zg = fit.Zs[idx]
        p = np.einsum("mst,mt->ms", A, Zg @ bc)
        Pp = np.einsum("mst,mt->ms", _unit_projection(fit, idx), p)
        a[pos] = np.einsum("ms,ms->m", p, p) - np.einsum("ms,ms->m", p, Pp)
        Q[pos] = np.einsum("msk,ms->mk", Zg, p) @ L
    qq = np.einsum("ij,ij->i", Q, Q)
    num = (a.sum() - qq.sum()) ** 2
    gram = Q.T @ Q
    den = (a ** 2).sum() - 2 * (a * qq).sum() + (gram ** 2).sum()
    return float(num / den)


def htz_test(vc: ClusterVcov, C, beta, null=None) -> dict:
    """Joint CR2 Wald test of ``C beta = null`` with clubSandwich's HTZ small-sample
    correction (Hotelling's T^2 approximation, Pustejovsky & Tipton 2018).

    ``Q = (C b - null)' (C V C')^-1 (C b - null)``; ``nu = q (q+1) / sum(Var)`` from the
    total variance of the standardized CR2 variance under the working model;
    ``F = (nu - q + 1) / (nu q) * Q`` against ``F(q, nu - q + 1)``. With one constraint it is
    the Satterthwaite t test (F = t^2, df2 = the Satterthwaite df).
    """
    from scipy import stats

    if vc.kind != "CR2":
        raise ValueError("the HTZ test needs the CR2 variance")
    fit = vc._fit
    C = np.atleast_2d(np.asarray(C, dtype=float))
    q, K = C.shape[0], fit.Zs.shape[1]
    Cfull = np.zeros((q, K))
    Cfull[:, : C.shape[1]] = C
    BC = fit.bread @ Cfull.T
    vals, vecs = np.linalg.eigh(fit.bread)
    L = vecs * np.sqrt(np.clip(vals, 0, None))
    G = vc.n_clusters
    a = np.empty((G, q, q))
    Qm = np.empty((G, q, K))
    for (pos, idx), A in zip(vc._groups, vc._adjust):
        Zg = fit.Zs[idx]
        P = np.einsum("mst,mtq->msq", A, Zg @ BC)
        PU = _unit_projection(fit, idx)
        a[pos] = np.einsum("msq,msr->mqr", P, P) - np.einsum("msq,mst,mtr->mqr", P, PU, P)
        Qm[pos] = np.einsum("msk,msq->mqk", Zg, P) @ L
    # P[s, t, g, h] = u_gs' u_ht = delta_gh a_g[s, t] - q_gs . q_ht
    Parr = -np.einsum("gsk,htk->stgh", Qm, Qm)
    g = np.arange(G)
    Parr[:, :, g, g] += np.moveaxis(a, 0, -1)
    Omega = np.einsum("stgg->st", Parr)
    Om = _pinv_sqrt(Omega)
    B = np.einsum("as,stgh,tb->abgh", Om, Parr, Om)
    var = np.einsum("stgh,tsgh->st", B, B) + np.einsum("ssgh,ttgh->st", B, B)
    nu = q * (q + 1) / var.sum()
    b = C @ np.asarray(beta, dtype=float)[: C.shape[1]] - (0 if null is None else np.asarray(null, dtype=float))
    Vc = C @ vc.cov()[: C.shape[1], : C.shape[1]] @ C.T
    Q = float(b @ np.linalg.pinv(Vc) @ b)
    delta = max((nu - q + 1) / nu, 0.0)
    df2 = nu - q + 1
    F = delta * Q / q
    p = float(stats.f.sf(F, q, df2)) if df2 > 0 else float("nan")
    return {"statistic": F, "df1": q, "df2": float(df2), "p_value": p, "test": "HTZ"}
