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

__all__ = ["RIResult", "randomization_inference", "count_assignments"]


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
    total = count_assignments(start)
    exact = total <= n_perm
    if exact:
        assign = _all_assignments(start)
        observed = int(np.nonzero((assign == start[None, :]).all(axis=1))[0][0])
    else:
        rng = np.random.default_rng(seed)
        assign = np.stack([start] + [rng.permutation(start) for _ in range(n_perm)])
        observed = 0
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
    valid = sxx > 1e-12 * max(sxx.max(), 1e-300)

    def tstats(h: float) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            b = (sxy - h * sxd) / sxx
            score = S1 - h * S2 - b[None, :] * S3
            se = np.sqrt((score ** 2).sum(axis=0)) / sxx
            return np.where(valid, np.abs(b / se), 0.0)

    def pval(h: float) -> float:
        t = tstats(h)
        return float(np.mean(t >= t[observed] * (1 - 1e-10)))

    estimate = float(sxy[observed] / sxx[observed])
    p = pval(h0)
    lo = hi = float("nan")
    if ci:
        from .wild import _invert

        se_obs = estimate / max(tstats(0.0)[observed], 1e-300) if estimate != 0 else 1.0
        lo, hi = _invert(pval, estimate, abs(se_obs), 1 - level)
    return RIResult(p_value=p, conf_low=float(lo), conf_high=float(hi), n_assignments=int(assign.shape[0]),
                    exact=exact, seed=None if exact else seed, estimate=estimate)
