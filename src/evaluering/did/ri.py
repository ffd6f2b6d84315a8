"""Randomization inference for the TWFE effect: re-assign treatment across units.

Under the sharp null "the effect is ``h0`` for everyone", the outcome without treatment is
``y - h0 * D`` and is fixed; every re-assignment of the units' start periods (the cohort
sizes kept) gives a test statistic. The statistic is the cluster-studentized coefficient
(CR0 t; studentizing keeps the test robust when the sharp null is only approximately true).
When the number of distinct assignments is at most ``n_perm`` all are enumerated (exact
p-value), else ``n_perm`` seeded draws plus the observed one. The interval inverts the test.
All fits are vectorized: the two-way residualization of the permuted treatment columns is
done once, and every quantity is linear in ``h0``.

>>> import numpy as np
>>> rng = np.random.default_rng(5)
>>> u = np.repeat(np.arange(6), 4); t = np.tile(np.arange(4), 6)
>>> start = np.where(np.arange(6) < 2, 2, 0)
>>> y = (start[u] > 0) * (t >= 2) * 1.0 + rng.normal(size=24)
>>> res = randomization_inference(y, u, t, start, ci=False)
>>> res.exact, res.n_assignments
(True, 15)
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .twfe import FixedEffects

__all__ = ["RIResult", "randomization_inference", "count_assignments", "assignments", "linear_ri", "linear_ri_sums"]


@dataclass
class RIResult:
    p_value: float
    conf_low: float
    conf_high: float
    n_assignments: int
    exact: bool
    seed: int | None
    estimate: float


def count_assignments(starts) -> int:
    """Distinct re-assignments of the unit start periods (a multinomial coefficient).

    >>> count_assignments([2017] * 2 + [0] * 4)
    15
    """
    _, counts = np.unique(np.asarray(starts), return_counts=True)
    total, out = int(counts.sum()), 1
    for c in counts:
        out *= math.comb(total, int(c))
        total -= int(c)
    return out


def _all_assignments(starts: np.ndarray) -> np.ndarray:
    values, counts = np.unique(starts, return_counts=True)
    n = starts.shape[0]
    out = []

    def rec(free: tuple[int, ...], k: int, cur: np.ndarray):
        if k == len(values) - 1:
            cur = cur.copy(); cur[list(free)] = values[k]
            out.append(cur)
            return
        for pos in itertools.combinations(free, int(counts[k])):
            nxt = cur.copy(); nxt[list(pos)] = values[k]
            rest = tuple(x for x in free if x not in set(pos))
            rec(rest, k + 1, nxt)

    rec(tuple(range(n)), 0, np.zeros(n, dtype=starts.dtype))
    return np.array(out)


def randomization_inference(y, unit, time, start, weights=None, time_values=None, h0: float = 0.0,
                            n_perm: int = 9999, seed: int | None = 20170201, level: float = 0.95,
                            ci: bool = True, chunk: int = 2000) -> RIResult:
    """RI p-value for the TWFE effect ``= h0`` and (``ci=True``) the inverted interval.

    ``unit``/``time`` are integer codes, ``start`` the first treated period per *unit*
    (indexed by unit code; 0 = never), ``time_values`` the periods behind the time codes
    (default: the codes themselves). Clusters are units.
    """
    y = np.asarray(y, dtype=float)
    unit = np.asarray(unit, dtype=np.int64)
    time = np.asarray(time, dtype=np.int64)
    start = np.asarray(start)
    tv = np.asarray(time if time_values is None else time_values)
    if tv.shape[0] != y.shape[0]:
        tv = np.asarray(time_values)[time]
    fe = FixedEffects(unit, time, weights)
    n_units = fe.n_units
    assign, observed, exact = assignments(start, n_perm, seed)
    w = fe.w
    d_obs = ((start[unit] > 0) & (tv >= start[unit])).astype(float)
    yt = fe.resid(y)
    dt_obs = fe.resid(d_obs)
    C = sparse.csr_matrix((np.ones(y.shape[0]), (unit, np.arange(y.shape[0]))), shape=(n_units, y.shape[0]))
    parts = {k: [] for k in ("sxx", "sxy", "sxd", "S1", "S2", "S3")}
    for s in range(0, assign.shape[0], chunk):
        a = assign[s:s + chunk]                      # (P, units)
        su = a[:, unit].T                            # (N, P) start of each row's unit
        D = ((su > 0) & (tv[:, None] >= su)).astype(float)
        Dt = fe.resid(D)
        wD = w[:, None] * Dt
        parts["sxx"].append(np.einsum("ij,ij->j", wD, Dt))
        parts["sxy"].append(wD.T @ yt)
        parts["sxd"].append(wD.T @ dt_obs)
        parts["S1"].append(C @ (wD * yt[:, None]))
        parts["S2"].append(C @ (wD * dt_obs[:, None]))
        parts["S3"].append(C @ (wD * Dt))
    sxx, sxy, sxd = (np.concatenate(parts[k]) for k in ("sxx", "sxy", "sxd"))
    S1, S2, S3 = (np.hstack(parts[k]) for k in ("S1", "S2", "S3"))
    # b(h) = A - h B and the CR0 cluster scores / sxx are C - h D: linear in h
    A, B = sxy / sxx, sxd / sxx
    C = (S1 - A[None, :] * S3) / sxx[None, :]
    D = (S2 - B[None, :] * S3) / sxx[None, :]
    valid = sxx > 1e-12 * max(sxx.max(), 1e-300)
    p, lo, hi = linear_ri(np.where(valid, A, 0.0), np.where(valid, B, 0.0), np.where(valid, C, 0.0),
                          np.where(valid, D, 0.0), observed, h0=h0, level=level, ci=ci)
    return RIResult(p_value=p, conf_low=lo, conf_high=hi, n_assignments=int(assign.shape[0]),
                    exact=exact, seed=None if exact else seed, estimate=float(A[observed]))


def assignments(start, n_perm: int = 9999, seed: int | None = 20170201) -> tuple[np.ndarray, int, bool]:
    """Re-assignments of the unit start periods (cohort sizes kept): every distinct one when
    there are at most ``n_perm`` (exact), else the observed plus ``n_perm`` seeded draws.
    Returns ``(assignments x units, index of the observed one, exact)``.

    >>> a, obs, exact = assignments(np.array([3, 0, 0]))
    >>> a.tolist(), obs, exact
    ([[0, 0, 3], [0, 3, 0], [3, 0, 0]], 2, True)
    """
    start = np.asarray(start)
    if count_assignments(start) <= n_perm:
        assign = _all_assignments(start)
        observed = int(np.nonzero((assign == start[None, :]).all(axis=1))[0][0])
        return assign, observed, True
    rng = np.random.default_rng(seed)
    return np.stack([start] + [rng.permutation(start) for _ in range(n_perm)]), 0, False


def linear_ri(A, B, C, D, observed: int, h0: float = 0.0, level: float = 0.95, ci: bool = True):
    """Studentized RI p-value and inverted interval for an estimator linear in the outcome.

    Under the sharp null "effect ``h``" the estimate of assignment ``p`` is ``A_p - h B_p``
    (``B``: the estimator applied to the observed treatment indicator) and its cluster
    scores (columns, ``se = ||scores||``) are ``C_p - h D_p``. The statistic is
    ``|A_p - h B_p| / ||C_p - h D_p||``; assignments with zero scores count as 0.
    Returns ``(p, conf_low, conf_high)``.

    >>> A = np.array([1.0, 0.1, -0.2]); B = np.ones(3); C = np.full((2, 3), 0.5); D = np.zeros((2, 3))
    >>> round(linear_ri(A, B, C, D, 0, ci=False)[0], 4)
    0.3333
    """
    C, D = np.asarray(C, dtype=float), np.asarray(D, dtype=float)
    return linear_ri_sums(A, B, (C ** 2).sum(axis=0), (C * D).sum(axis=0), (D ** 2).sum(axis=0), observed,
                          h0=h0, level=level, ci=ci)


def linear_ri_sums(A, B, cc, cd, dd, observed: int, h0: float = 0.0, level: float = 0.95, ci: bool = True):
    """:func:`linear_ri` from the score sums ``cc = ||C_p||^2``, ``cd = C_p'D_p``, ``dd = ||D_p||^2``
    (``||C_p - h D_p||^2 = cc - 2 h cd + h^2 dd``): many rows at a few numbers per assignment.

    >>> round(linear_ri_sums([1.0, 0.1, -0.2], [1, 1, 1], [0.5] * 3, [0] * 3, [0] * 3, 0, ci=False)[0], 4)
    0.3333
    """
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    cc, cd, dd = (np.asarray(v, dtype=float) for v in (cc, cd, dd))

    def tstats(h: float) -> np.ndarray:
        scale = cc + h * h * dd
        with np.errstate(divide="ignore", invalid="ignore"):
            se = np.sqrt(np.clip(cc - 2 * h * cd + h * h * dd, 0.0, None))
            t = np.abs(A - h * B) / se
        # zero scores (up to the rounding of the expanded square) count as 0
        return np.where(np.isfinite(t) & (se > 1e-7 * np.sqrt(scale)), t, 0.0)

    def pval(h: float) -> float:
        t = tstats(h)
        return float(np.mean(t >= t[observed] * (1 - 1e-10)))

    estimate = float(A[observed])
    p = pval(h0)
    lo = hi = float("nan")
    if ci:
        from .wild import _invert

        se_obs = float(np.sqrt(max(cc[observed], 0.0)))
        lo, hi = _invert(pval, estimate, abs(se_obs) if se_obs > 0 else 1.0, 1 - level)
    return p, float(lo), float(hi)