"""Event-study design: leads and lags relative to the start period, reference period -1.

The end points are binned: every period at or before ``-leads`` shares the lead dummy
``-leads`` and every period at or after ``lags`` shares the lag dummy ``lags``. Never-treated
units have no dummies. The joint pre-trend test is a cluster-robust Wald test that all lead
coefficients (-leads .. -2) are zero: with CR2 clubSandwich's HTZ test (Hotelling T^2 with
estimated df), with CR0/CR1 ``F = b' V^-1 b / q`` against ``F(q, G - 1)``.

>>> import numpy as np
>>> X, names, ev = event_design(np.array([2015, 2016, 2017, 2018]), np.array([2017] * 4), 2, 1)
>>> names, X.tolist()
(['e<=-2', 'e=0', 'e>=1'], [[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["event_design", "pretrend_test", "default_window"]


def default_window(time: np.ndarray, start: np.ndarray, max_leads: int = 5, max_lags: int = 5) -> tuple[int, int]:
    """Leads and lags covered by the data, capped at ``max_leads``/``max_lags``."""
    treated = start > 0
    if not treated.any():
        return 2, 0
    rel = time[treated] - start[treated]
    leads = int(min(max_leads, max(2, -rel.min())))
    lags = int(min(max_lags, max(0, rel.max())))
    return leads, lags


def _label(e: int, leads: int, lags: int) -> str:
    if e == -leads:
        return f"e<={e}"
    if e == lags:
        return f"e>={e}"
    return f"e={e}"


def event_design(time: np.ndarray, start: np.ndarray, leads: int, lags: int):
    """Event-time dummies ``(X, names, event_times)``; reference period -1 omitted.

    ``leads >= 2`` (the first lead bins everything before it) and ``lags >= 0`` (the last
    lag bins everything after it).
    """
    if leads < 2 or lags < 0:
        raise ValueError("leads must be at least 2 and lags at least 0")
    time = np.asarray(time)
    start = np.asarray(start)
    treated = start > 0
    rel = np.where(treated, time - start, 0)
    rel = np.clip(rel, -leads, lags)
    events = [e for e in range(-leads, lags + 1) if e != -1]
    X = np.zeros((time.shape[0], len(events)))
    for j, e in enumerate(events):
        X[:, j] = (treated & (rel == e)).astype(float)
    names = [_label(e, leads, lags) for e in events]
    return X, names, np.array(events)


def pretrend_test(beta: np.ndarray, V: np.ndarray, events: np.ndarray, n_clusters: int, vcov=None) -> dict:
    """Joint Wald test that the lead coefficients (event time <= -2) are zero; HTZ when
    ``vcov`` is a CR2 :class:`~evaluering.did.vcov.ClusterVcov`."""
    pre = np.nonzero(events <= -2)[0]
    pre = pre[np.abs(np.diag(V)[pre]) > 0]
    if pre.size == 0:
        return {"statistic": float("nan"), "df1": 0, "df2": float(n_clusters - 1), "p_value": float("nan")}
    if vcov is not None and vcov.kind == "CR2":
        from .vcov import htz_test

        C = np.zeros((pre.size, beta.shape[0]))
        C[np.arange(pre.size), pre] = 1.0
        out = htz_test(vcov, C, beta)
        return {k: (float(v) if isinstance(v, (float, np.floating)) else v) for k, v in out.items()}
    b = beta[pre]
    W = float(b @ np.linalg.pinv(V[np.ix_(pre, pre)]) @ b)
    q = int(pre.size)
    F = W / q
    return {"statistic": F, "df1": q, "df2": float(n_clusters - 1),
            "p_value": float(stats.f.sf(F, q, n_clusters - 1)), "test": "Wald F(q, G-1)"}
