"""Relative magnitudes, Delta^RM(Mbar), for :func:`evaluering.did.honest` (Rambachan & Roth 2023).

Delta^RM(Mbar): every post-period first difference of the trend difference ``delta`` is at most
``Mbar`` times the largest pre-period first difference (the reference period -1 counts, with
``delta_{-1} = 0``). The set is a union over the location ``s`` of that largest pre-period
difference and its sign; for each ``(s, sign)`` it is a polyhedron ``A delta <= 0``, and the
confidence set for ``theta = l' tau_post`` is the union of the moment-inequality confidence sets
of Andrews, Roth & Pakes (2023) over the ``2 * num_pre`` polyhedra, as HonestDiD's
``computeConditionalCS_DeltaRM`` builds it (defaults: ``hybrid_flag="LF"``, i.e. method
``"C-LF"``, ``hybrid_kappa = alpha / 10``, post-period moments only, the test inverted on 1000
points of ``[-20 sd, 20 sd]``).

The ARP test of ``E[y_T - X_T d] <= 0`` uses ``eta = min_d max_j (y_T - X_T d)_j / sd_j``. Here
``eta`` is computed from the vertices of the dual polytope ``{x >= 0, sd'x = 1, X_T'x = 0}``
(enumerated once per polyhedron; ``eta = max_v v'y``), which gives the LP value, the optimal
dual vector and the conditioning interval ``[v_lo, v_up]`` in closed form for every grid point at
once (HonestDiD solves an LP per point and bisects for ``v_lo, v_up``). The least-favourable
first-stage critical value is the ``1 - kappa`` quantile of ``eta`` under ``y ~ N(0, Sigma)``
with 1000 draws from ``numpy.random.RandomState(seed).multivariate_normal``, the draws the
Python port of HonestDiD uses (so results agree with it draw for draw). The interval
end points are refined by bisection between the grid points (HonestDiD reports the grid
points), and the grid is widened when the set reaches its edge (HonestDiD warns then).

>>> import numpy as np
>>> beta = np.array([0.01, -0.01, 0.3, 0.35])
>>> sigma = np.diag([0.03, 0.03, 0.04, 0.05]) ** 2
>>> lo, hi = rm_interval(beta, sigma, 2, np.array([1.0, 0.0]), 0.5)
>>> bool(lo > 0.15 and hi < 0.45)
True
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy import stats

__all__ = ["rm_interval", "rm_constraints", "MAX_BASES"]

#: the vertex enumeration looks at C(m, k + 1) bases (m moments, k nuisance parameters);
#: above this the event study has too many post periods for it
MAX_BASES = 400_000


def rm_constraints(num_pre: int, num_post: int, mbar: float, s: int, max_positive: bool) -> np.ndarray:
    """``A`` of Delta^RM_{s,sign}(Mbar) = {delta : A delta <= 0} (HonestDiD ``.create_A_RM``).

    Columns: the pre periods then the post periods (the reference period dropped); ``s`` in
    ``-(num_pre - 1), ..., 0`` is the pre-period first difference that bounds the rest.
    One pre period, ``s = 0``, ``+``: with ``delta_0 = 0`` the bound is ``b = -delta_{-1}``, and
    ``delta_1 <= Mbar b``, ``-delta_1 <= Mbar b``, ``delta_{-1} <= b`` give the rows below
    (the trivial ``b <= b`` row is dropped):

    >>> rm_constraints(1, 1, 1.0, 0, True).tolist()
    [[1.0, 1.0], [2.0, -0.0], [1.0, -1.0]]
    """
    T = num_pre + num_post
    At = np.zeros((T, T + 1))
    for r in range(T):
        At[r, r], At[r, r + 1] = -1.0, 1.0
    v = np.zeros(T + 1)
    i = num_pre + s - 1
    v[i], v[i + 1] = -1.0, 1.0
    if not max_positive:
        v = -v
    ub = np.vstack([np.tile(v, (num_pre, 1)), np.tile(mbar * v, (num_post, 1))])
    A = np.vstack([At - ub, -At - ub])
    A = A[(A ** 2).sum(axis=1) > 1e-10]
    return np.delete(A, num_pre, axis=1)


def _gamma(l_vec: np.ndarray) -> np.ndarray:
    """An invertible matrix with first row ``l'`` and unit rows for the other coordinates, the
    pivots HonestDiD's RREF of ``[l, I]`` picks (every unit vector except the last coordinate
    where ``l`` is non-zero). The confidence set does not depend on this choice: it only
    reparametrizes the nuisance directions ``{tau : l'tau = 0}``.

    >>> _gamma(np.array([0.5, 0.5])).tolist()
    [[0.5, 0.5], [1.0, 0.0]]
    """
    P = l_vec.size
    last = int(np.nonzero(l_vec)[0][-1])
    return np.vstack([l_vec] + [np.eye(P)[j] for j in range(P) if j != last])


def _dual_vertices(sd: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Vertices of ``{x >= 0, sd'x = 1, X'x = 0}`` (rows), by enumerating bases."""
    m, k = X.shape
    if k == 0:
        return np.diag(1.0 / sd)
    W = np.column_stack([sd, X])
    n_b = math.comb(m, k + 1)
    if n_b > MAX_BASES:
        raise ValueError(f"relative magnitudes: {n_b} bases to enumerate (too many post periods; "
                         f"at most about 9 are supported)")
    combos = np.array(list(itertools.combinations(range(m), k + 1)), dtype=int)
    Ms = np.transpose(W[combos], (0, 2, 1))  # (n_b, k+1, k+1): W_B'
    scale = np.abs(W).max()
    det = np.linalg.det(Ms / scale)
    ok = np.abs(det) > 1e-10
    combos, Ms = combos[ok], Ms[ok]
    e1 = np.zeros(k + 1)
    e1[0] = 1.0
    xb = np.linalg.solve(Ms, np.broadcast_to(e1, (len(Ms), k + 1))[..., None])[..., 0]
    keep = (xb >= -1e-10).all(axis=1)
    V = np.zeros((int(keep.sum()), m))
    np.put_along_axis(V, combos[keep], np.clip(xb[keep], 0, None), axis=1)
    if len(V) == 0:  # pragma: no cover - the polytope is never empty here (all rows bound theta)
        raise ValueError("relative magnitudes: empty dual polytope")
    key = np.round(V / np.abs(V).max(), 10)
    _, first = np.unique(key, axis=0, return_index=True)
    return V[np.sort(first)]


class _Problem:
    """One polyhedron ``(s, sign)``: the moments ``y(theta) = Y - a theta`` and their dual vertices."""

    def __init__(self, beta, sigma, A, num_pre, l_vec, alpha, kappa, seed, sims, lf: bool):
        P = l_vec.size
        post = slice(num_pre, num_pre + P)
        if P > 1:
            rows = np.nonzero((A[:, post] != 0).any(axis=1))[0]
            agi = A[:, post] @ np.linalg.inv(_gamma(l_vec))
            a, X = agi[:, 0], agi[:, 1:]
        else:
            rows = np.nonzero(A[:, -1] != 0)[0]
            a, X = A[:, num_pre] / l_vec[0], np.zeros((A.shape[0], 0))
        self.nuisance = P > 1
        self.Y = (A @ beta)[rows]
        self.a = a[rows]
        S = (A @ sigma @ A.T)[np.ix_(rows, rows)]
        self.S = S
        sd = np.sqrt(np.diag(S))
        self.V = _dual_vertices(sd, X[rows])
        sb2 = np.einsum("ij,jk,ik->i", self.V, S, self.V)
        self.sb = np.sqrt(np.clip(sb2, 0, None))
        C = (S @ self.V.T) / np.where(sb2 > 0, sb2, np.inf)  # c_g = S v_g / v_g'S v_g (columns)
        self.VC = self.V @ C  # VC[v, g] = v'c_g
        self.alpha = alpha
        if lf:
            xi = np.random.RandomState(seed).multivariate_normal(np.zeros(len(rows)), S, size=sims)
            self.lf_cv = float(np.quantile((self.V @ xi.T).max(axis=0), 1 - kappa))
            self.size = (alpha - kappa) / (1 - kappa)
        else:
            self.lf_cv = math.inf
            self.size = alpha

    def accept(self, theta: np.ndarray) -> np.ndarray:
        """1 where the (hybrid) conditional test does not reject ``theta``."""
        y = self.Y[:, None] - self.a[:, None] * theta[None, :]
        vals = self.V @ y
        g = vals.argmax(axis=0)
        eta = vals[g, np.arange(theta.size)]
        sb = self.sb[g]
        vc = self.VC[:, g]
        num = vals - vc * eta
        den = 1.0 - vc
        tol = 1e-10
        with np.errstate(divide="ignore", invalid="ignore"):
            r = num / den
        vlo = np.where(den > tol, r, -np.inf).max(axis=0)
        vup = np.where(den < -tol, r, np.inf).min(axis=0)
        if self.nuisance:  # the second stage conditions on passing the first (HonestDiD, nuisance case)
            vup = np.minimum(vup, self.lf_cv)
        with np.errstate(divide="ignore", invalid="ignore"):
            zlo, zup, stat = vlo / sb, vup / sb, eta / sb
        reject = np.zeros(theta.size, bool)
        first = eta > self.lf_cv
        degenerate = sb < 1e-12
        reject |= degenerate & (eta > 0)
        inside = (zlo <= stat) & (stat <= zup) & ~first & ~degenerate
        if inside.any():
            lo, hi = zlo[inside], zup[inside]
            p = 1 - self.size
            q = np.where(lo >= hi, lo, stats.truncnorm.ppf(p, lo, hi))
            q = np.where(np.isneginf(lo) & np.isposinf(hi), stats.norm.ppf(p), q)
            reject[inside] = stat[inside] > np.maximum(0.0, q)
        reject |= first
        return ~reject


def _problems(beta, sigma, num_pre, l_vec, mbar, alpha, kappa, seed, sims, lf):
    return [_Problem(beta, sigma, rm_constraints(num_pre, l_vec.size, mbar, s, pos), num_pre, l_vec,
                     alpha, kappa, seed, sims, lf)
            for s in range(-(num_pre - 1), 1) for pos in (True, False)]


def rm_interval(beta, sigma, num_pre: int, l_vec, mbar: float, alpha: float = 0.05,
                method: str = "C-LF", grid_points: int = 1000, seed: int = 0, sims: int = 1000,
                refine: bool = True) -> tuple[float, float]:
    """The robust confidence interval ``(lb, ub)`` for ``l' tau_post`` under Delta^RM(Mbar).

    ``method``: ``"C-LF"`` (conditional with the least-favourable first stage, HonestDiD's
    default) or ``"Conditional"``. ``(nan, nan)`` when no grid point is accepted.
    """
    if method not in ("C-LF", "Conditional"):
        raise ValueError("method must be 'C-LF' or 'Conditional'")
    beta = np.asarray(beta, float)
    sigma = np.asarray(sigma, float)
    l_vec = np.asarray(l_vec, float)
    probs = _problems(beta, sigma, num_pre, l_vec, float(mbar), alpha, alpha / 10, seed, sims, method == "C-LF")

    def accept(theta):
        theta = np.atleast_1d(np.asarray(theta, float))
        out = np.zeros(theta.size, bool)
        for p in probs:
            out |= p.accept(theta)
        return out

    P = l_vec.size
    sd = float(np.sqrt(l_vec @ sigma[num_pre:num_pre + P, num_pre:num_pre + P] @ l_vec))
    half = 20 * sd
    for _ in range(6):
        grid = np.linspace(-half, half, grid_points)
        acc = accept(grid)
        if not acc.any():
            return math.nan, math.nan
        if not (acc[0] or acc[-1]) or not refine:
            break
        half *= 2
    else:
        return (-math.inf if acc[0] else float(grid[acc][0])), (math.inf if acc[-1] else float(grid[acc][-1]))
    i, j = np.nonzero(acc)[0][[0, -1]]
    lb, ub = float(grid[i]), float(grid[j])
    if refine:
        lb, ub = _edges(accept, float(grid[i - 1]) if i > 0 else None, lb,
                        ub, float(grid[j + 1]) if j < grid.size - 1 else None)
    return lb, ub


def _edges(accept, lo_out, lo_in, hi_in, hi_out, points: int = 200, rounds: int = 2):
    """Refine the accepted end points between a rejected and an accepted value: ``rounds``
    fine grids of ``points`` in one test call each (resolution ``step / points**rounds``)."""
    for _ in range(rounds):
        a = np.linspace(lo_out, lo_in, points + 1) if lo_out is not None else np.empty(0)
        b = np.linspace(hi_in, hi_out, points + 1) if hi_out is not None else np.empty(0)
        acc = accept(np.r_[a, b])
        if a.size:
            k = int(np.argmax(acc[:a.size]))  # first accepted point (the last one is)
            lo_out, lo_in = float(a[k - 1]) if k > 0 else lo_out, float(a[k])
        if b.size:
            k = b.size - 1 - int(np.argmax(acc[a.size:][::-1]))  # last accepted point
            hi_in, hi_out = float(b[k]), float(b[k + 1]) if k < b.size - 1 else hi_out
    return lo_in, hi_in
