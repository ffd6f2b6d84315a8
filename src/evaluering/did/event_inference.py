"""Few-cluster inference for the event study: wild cluster bootstrap (WCR) and
randomization inference, for every event-time coefficient and the post average (``ATT``).

* wild: :func:`~evaluering.did.wild.wild_cluster_bootstrap` with the coefficient or, for
  the average, the contrast (reparametrized fit, :func:`~evaluering.did.wild.contrast_fit`).
* RI (:func:`event_ri`): the start periods are re-assigned across units; for every
  assignment the event design is rebuilt, and the post average and its CR0 cluster scores
  are computed for the outcome and for the observed treatment indicator, so the sharp null
  "effect ``h`` in every post period" gives a statistic linear in ``h``
  (:func:`~evaluering.did.ri.linear_ri`), with the interval by exact test inversion.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(2)
>>> u = np.repeat(np.arange(6), 5); t = np.tile(np.arange(2010, 2015), 6)
>>> start = np.where(np.arange(6) < 2, 2013, 0)
>>> y = rng.normal(size=30)
>>> out = event_ri(y, u, t, start[u], np.ones(30), leads=2, lags=1, ci=False)
>>> out["exact"], out["n_assignments"]
(True, 15)
"""

from __future__ import annotations

import numpy as np

from .event import event_design
from .ri import assignments, linear_ri
from .twfe import FixedEffects, encode

__all__ = ["event_ri", "event_wild_rows"]


def event_ri(y, unit, time, start, weights, leads: int, lags: int, n_perm: int = 9999,
             seed: int | None = 20170201, level: float = 0.95, h0: float = 0.0, ci: bool = True) -> dict:
    """RI p-value and interval of the event-study post average (rows: unit-periods)."""
    y = np.asarray(y, dtype=float)
    ucode, _ = encode(unit)
    tcode, _ = encode(time)
    time = np.asarray(time)
    start = np.asarray(start)
    fe = FixedEffects(ucode, tcode, weights)
    w = fe.w
    ustart = np.zeros(fe.n_units, dtype=start.dtype)
    ustart[ucode] = start
    assign, observed, exact = assignments(ustart, n_perm, seed)
    d_obs = ((start > 0) & (time >= start)).astype(float)
    yt, dt = fe.resid(y), fe.resid(d_obs)
    P = assign.shape[0]
    A, B = np.zeros(P), np.zeros(P)
    C, D = np.zeros((fe.n_units, P)), np.zeros((fe.n_units, P))
    for p in range(P):
        X, _, events = event_design(time, assign[p][ucode], leads, lags)
        Xt = fe.resid(X)
        M = Xt.T @ (w[:, None] * Xt)
        post = (events >= 0).astype(float)
        c = post / post.sum()
        a = np.linalg.pinv(M) @ c
        r = w * (Xt @ a)
        for v, est, sc in ((yt, A, C), (dt, B, D)):
            beta = np.linalg.pinv(M) @ (Xt.T @ (w * v))
            e = v - Xt @ beta
            est[p] = c @ beta
            sc[:, p] = np.bincount(ucode, r * e, minlength=fe.n_units)
    pv, lo, hi = linear_ri(A, B, C, D, observed, h0=h0, level=level, ci=ci)
    return {"p_value": pv, "conf_low": lo, "conf_high": hi, "n_assignments": int(P), "exact": exact,
            "seed": None if exact else seed, "estimate": float(A[observed])}


def event_wild_rows(fit, rows: list[dict], events: np.ndarray, weights: str = "rademacher",
                    n_boot: int = 9999, seed: int | None = 20170201, level: float = 0.95):
    """WCR p-values and intervals for the ATT row (contrast) and each event coefficient;
    updates ``rows`` in place and returns ``(n_draws, enumerated)``."""
    from .wild import wild_cluster_bootstrap

    post = (events >= 0).astype(float)
    info = None
    for row in rows:
        if row["kind"] == "att":
            wb = wild_cluster_bootstrap(fit, weights=weights, n_boot=n_boot, seed=seed, level=level,
                                        contrast=post / post.sum())
        else:
            j = int(np.nonzero(events == row["event_time"])[0][0])
            wb = wild_cluster_bootstrap(fit, j, weights=weights, n_boot=n_boot, seed=seed, level=level)
        row.update(p_value=wb.p_value, conf_low=wb.conf_low, conf_high=wb.conf_high)
        info = (wb.n_draws, wb.enumerated)
    return info
