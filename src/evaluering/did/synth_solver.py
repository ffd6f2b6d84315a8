"""Frank-Wolfe weights of synthetic control and synthetic DiD (Arkhangelsky et al. 2021).

:func:`fw_weights` minimises ``||A x - b||^2 / n + zeta^2 ||x||^2`` over the simplex by
Frank-Wolfe with an exact line search, as the R package ``synthdid`` (``sc.weight.fw``) does:
the same start (uniform unless given), the same stopping rule (an iteration that lowers the
objective by less than ``min_decrease^2``, or ``max_iter`` iterations), the same optional
intercept (columns centred). The work per iteration is O(k) for k weights: the Gram matrix
``A'A`` is formed once and ``A'A x`` is updated along the step.

>>> import numpy as np
>>> Y = np.array([[1.0, 2.0, 1.5], [3.0, 0.0, 1.5], [2.0, 2.0, 2.0]])  # last column = target
>>> np.round(fw_weights(Y, zeta=0.0, intercept=False, max_iter=10000, min_decrease=1e-12), 6).tolist()
[0.5, 0.5]
"""

from __future__ import annotations

import numpy as np

__all__ = ["fw_weights", "fw_weights_batch", "sparsify", "collapsed_form"]


def sparsify(v: np.ndarray) -> np.ndarray:
    """Weights at or below a quarter of the largest set to 0, the rest renormalised (synthdid's
    ``sparsify_function``).

    >>> sparsify(np.array([0.6, 0.3, 0.1])).round(4).tolist()
    [0.6667, 0.3333, 0.0]
    """
    v = np.asarray(v, dtype=float).copy()
    v[v <= v.max() / 4.0] = 0.0
    return v / v.sum()


def collapsed_form(Y: np.ndarray, n0: int, t0: int) -> np.ndarray:
    """The ``(n0 + 1) x (t0 + 1)`` matrix of synthdid: control rows and the treated mean, pre
    columns and the post mean."""
    top = np.column_stack([Y[:n0, :t0], Y[:n0, t0:].mean(axis=1)])
    bottom = np.append(Y[n0:, :t0].mean(axis=0), Y[n0:, t0:].mean())
    return np.vstack([top, bottom])


def fw_weights(Y: np.ndarray, zeta: float, intercept: bool = True, start: np.ndarray | None = None,
               min_decrease: float = 1e-3, max_iter: int = 1000) -> np.ndarray:
    """Simplex weights on the first ``k = ncol(Y) - 1`` columns of ``Y`` that best reproduce
    its last column, with ridge penalty ``zeta^2 * ||x||^2`` (rows are the ``n`` fitting points)."""
    Y = np.asarray(Y, dtype=float)
    n, k = Y.shape[0], Y.shape[1] - 1
    x = np.full(k, 1.0 / k) if start is None else np.asarray(start, dtype=float).copy()
    if intercept:
        Y = Y - Y.mean(axis=0, keepdims=True)
    A, b = Y[:, :k], Y[:, k]
    G = A.T @ A
    c = A.T @ b
    bb = float(b @ b)
    eta = n * zeta ** 2
    z2 = zeta ** 2
    dg = np.diag(G).tolist()
    cl = c.tolist()
    # row i of MT is the half gradient at vertex i: h(e_i) = G_i + eta e_i - c
    MT = np.ascontiguousarray((G + eta * np.eye(k) - c[:, None]).T)
    thresh = min_decrease ** 2
    prev = prev2 = 0.0
    t = 0
    xv = x.copy()
    while t < max_iter and (t < 2 or prev2 - prev > thresh):
        if t % 64 == 0:  # exact recomputation of the tracked quantities (no drift)
            Gx = G @ xv
            h = Gx - c + eta * xv
            xx, xGx, cx = float(xv @ xv), float(xv @ Gx), float(c @ xv)
        t += 1
        i = int(h.argmin())
        xi = xv.item(i)
        hi = h.item(i)
        Gxi = hi + cl[i] - eta * xi
        gd = hi - (xGx - cx + eta * xx)           # half_grad . (e_i - x)
        dd = xx - 2 * xi + 1.0                    # ||e_i - x||^2
        denom = dg[i] - 2 * Gxi + xGx + eta * dd
        if dd > 0 and denom > 0:
            s = -gd / denom
            s = 1.0 if s > 1.0 else (0.0 if s < 0.0 else s)
            if s > 0:
                r = 1.0 - s
                xx = r * r * xx + 2 * s * r * xi + s * s
                xGx = r * r * xGx + 2 * s * r * Gxi + s * s * dg[i]
                cx = r * cx + s * cl[i]
                xv *= r
                xv[i] += s
                h = r * h + s * MT[i]
        prev2, prev = prev, z2 * xx + (xGx - 2 * cx + bb) / n
    return xv


def sparsify_rows(V: np.ndarray) -> np.ndarray:
    """:func:`sparsify` applied to each row of ``V``."""
    V = np.asarray(V, dtype=float).copy()
    V[V <= V.max(axis=1, keepdims=True) / 4.0] = 0.0
    return V / V.sum(axis=1, keepdims=True)


def fw_weights_batch(Y: np.ndarray, zeta: float, intercept: bool = True, start: np.ndarray | None = None,
                     min_decrease: float = 1e-3, max_iter: int = 1000) -> np.ndarray:
    """:func:`fw_weights` for a stack of problems ``Y`` (B x n x (k+1)) run in lock step (each
    stops by its own rule); returns B x k weights. The placebo replications use it."""
    Y = np.asarray(Y, dtype=float)
    B, n, k = Y.shape[0], Y.shape[1], Y.shape[2] - 1
    x = np.full((B, k), 1.0 / k) if start is None else np.array(start, dtype=float)
    if intercept:
        Y = Y - Y.mean(axis=1, keepdims=True)
    A, b = Y[:, :, :k], Y[:, :, k]
    G = np.einsum("bni,bnj->bij", A, A)
    c = np.einsum("bni,bn->bi", A, b)
    bb = np.einsum("bn,bn->b", b, b)
    eta = n * zeta ** 2
    z2 = zeta ** 2
    dg = np.einsum("bii->bi", G).ravel()
    MT = (G + eta * np.eye(k)[None] - c[:, None, :]).reshape(B * k, k)
    cf = c.ravel()
    thresh = min_decrease ** 2
    base = np.arange(B) * k
    active = np.ones(B, dtype=bool)
    prev = np.zeros(B)
    for t in range(max_iter):
        if t % 64 == 0:
            Gx = np.einsum("bij,bj->bi", G, x)
            h = Gx - c + eta * x
            xx = np.einsum("bi,bi->b", x, x)
            xGx = np.einsum("bi,bi->b", x, Gx)
            cx = np.einsum("bi,bi->b", c, x)
            xf = x.reshape(-1)
        idx = h.argmin(axis=1)
        idx += base
        xi = xf[idx]
        hi = h.ravel()[idx]
        dgi = dg[idx]
        ci = cf[idx]
        Gxi = hi + ci - eta * xi
        gd = hi - (xGx - cx + eta * xx)
        dd = xx - 2 * xi + 1.0
        denom = dgi - 2 * Gxi + xGx + eta * dd
        ok = active & (dd > 0) & (denom > 0)
        s = np.divide(-gd, denom, out=np.zeros(B), where=ok)
        np.clip(s, 0.0, 1.0, out=s)
        r = 1.0 - s
        rr, sr2, ss = r * r, 2 * s * r, s * s
        xx = rr * xx + sr2 * xi + ss
        xGx = rr * xGx + sr2 * Gxi + ss * dgi
        cx = r * cx + s * ci
        rc = r[:, None]
        x *= rc
        xf[idx] += s
        h *= rc
        h += s[:, None] * MT[idx]
        val = z2 * xx + (xGx - 2 * cx + bb) / n
        if t >= 1:
            active &= (prev - val) > thresh
            if not active.any():
                break
        prev = np.where(active, val, prev)
    return x
