"""Two-group two-period DiD with covariates: outcome regression, IPW and doubly robust.

The 2x2 building blocks of Callaway & Sant'Anna with covariates, as R ``DRDID`` (the
kernels R ``did`` calls): for a panel ``reg_did_panel``, ``std_ipw_did_panel`` and
``drdid_panel`` (Sant'Anna & Zhao 2020, the locally efficient doubly robust estimator
with a logit propensity score and a linear outcome model of the control change); for
repeated cross sections ``reg_did_rc``, ``std_ipw_did_rc`` and ``drdid_rc`` (the locally
efficient DR estimator of their section 3.2). Each returns the estimate and its influence
function (one value per observation, R ``DRDID`` scaling: ``se = sd(psi) / sqrt(n)``).

Weights are normalized to mean one. The design ``X`` must hold the intercept. The
propensity score is capped at ``1 - 1e-6`` and controls with a score at or above
``trim_level`` (0.995) are trimmed, as in ``DRDID``.

With an intercept-only design every method reduces to the difference of weighted means
of the changes (estimate and influence function):

>>> import numpy as np
>>> dy = np.array([1.0, 2.0, 0.5, 0.0, 1.0]); d = np.array([1, 1, 0, 0, 0.0])
>>> att, psi = panel_2x2(dy, d, np.ones((5, 1)), np.ones(5), "dr")
>>> round(att, 10)
1.0
"""

from __future__ import annotations

import numpy as np

__all__ = ["panel_2x2", "rc_2x2", "EST_METHODS", "logit"]

EST_METHODS = ("dr", "ipw", "reg")
TRIM_LEVEL = 0.995


def logit(X: np.ndarray, d: np.ndarray, w: np.ndarray, tol: float = 1e-10, max_iter: int = 100) -> np.ndarray:
    """Weighted logit ``d ~ X`` (frequency weights ``w``) by Newton-Raphson; the coefficients.

    Starts at the intercept-only fit and stops after a step below ``tol`` (relative):
    Newton converges quadratically, so the coefficients are then exact to ~1e-20.

    >>> X = np.column_stack([np.ones(4), [0.0, 1.0, 2.0, 3.0]])
    >>> logit(X, np.array([0, 1, 0, 1.0]), np.ones(4)).round(6).tolist()  # = statsmodels GLM
    [-1.362276, 0.908184]
    """
    b = np.zeros(X.shape[1])
    m = float(np.sum(w * d) / np.sum(w))
    if 0 < m < 1 and np.allclose(X[:, 0], 1.0):
        b[0] = np.log(m / (1 - m))  # start at the intercept-only fit: fewer Newton steps
    converged, step = False, np.full(X.shape[1], np.inf)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for _ in range(max_iter):
            p = 1.0 / (1.0 + np.exp(-(X @ b)))
            H = X.T @ ((w * p * (1.0 - p))[:, None] * X)
            try:
                step = np.linalg.solve(H, X.T @ (w * (d - p)))
            except np.linalg.LinAlgError:
                break
            b = b + step
            if not np.all(np.isfinite(b)):
                break
            if float(np.max(np.abs(step))) <= tol * (1.0 + float(np.max(np.abs(b)))):
                converged = True
                break
    if not converged and not (np.all(np.isfinite(b)) and float(np.max(np.abs(step))) < 1e-8):
        raise ValueError("propensity-score modellen konvergerer ikke (kovariaterne adskiller behandlede "
                         "og kontroller fuldstændigt: manglende overlap)")
    return b


def _inv(A: np.ndarray, what: str) -> np.ndarray:
    """Inverse with R's reciprocal-condition guard (1-norm): singular -> ValueError."""
    try:
        inv = np.linalg.inv(A)
    except np.linalg.LinAlgError:
        inv = None
    if inv is not None:
        rc = 1.0 / (np.abs(A).sum(axis=0).max() * np.abs(inv).sum(axis=0).max())
    if inv is None or not np.isfinite(rc) or rc < np.finfo(float).eps:
        raise ValueError(f"{what}-designet er singulært (fjern eller omskalér kovariater)")
    return inv


def _pscore(X, d, w, trim_level):
    b = logit(X, d, w)
    ps = 1.0 / (1.0 + np.exp(-(X @ b)))
    if np.max(ps[d == 0], initial=0.0) >= 0.999 and X.shape[1] > 1:
        pass  # R warns; trimming below handles it
    ps = np.minimum(ps, 1 - 1e-6)
    trim = np.where(d == 1, True, ps < trim_level)
    n = X.shape[0]
    hess = _inv(X.T @ ((w * ps * (1 - ps))[:, None] * X), "propensity score") * n
    alr_ps = ((w * (d - ps))[:, None] * X) @ hess  # asymptotic linear representation
    return ps, trim.astype(float), alr_ps


def _wols(y, X, w, mask):
    """WLS of ``y`` on ``X`` among ``mask``: fitted values and the asymptotic linear rep."""
    n = X.shape[0]
    wm = w * mask
    XtWX = X.T @ (wm[:, None] * X)
    inv = _inv(XtWX / n, "udfaldsregressions")
    beta = inv @ (X.T @ (wm * y)) / n
    fit = X @ beta
    alr = ((wm * (y - fit))[:, None] * X) @ inv
    return fit, alr


def _normalize(w):
    w = np.asarray(w, dtype=float)
    return w / w.mean()


def panel_2x2(dy, d, X, w, method: str = "dr", trim_level: float = TRIM_LEVEL):
    """ATT and influence function from the changes ``dy`` of a two-period panel."""
    dy = np.asarray(dy, dtype=float)
    d = np.asarray(d, dtype=float)
    X = np.asarray(X, dtype=float)
    w = _normalize(w)
    n = dy.shape[0]
    if method == "reg":
        out, alr = _wols(dy, X, w, 1 - d)
        wt = w * d
        mt = wt.mean()
        eta_t = np.mean(wt * dy) / mt
        eta_c = np.mean(wt * out) / mt
        inf_t = (wt * dy - wt * eta_t) / mt
        inf_c = (wt * out - wt * eta_c + alr @ (wt @ X / X.shape[0])) / mt
        return float(eta_t - eta_c), inf_t - inf_c
    if method not in ("dr", "ipw"):
        raise ValueError(f"unknown est_method {method!r} (use dr, ipw or reg)")
    ps, trim, alr_ps = _pscore(X, d, w, trim_level)
    wt = trim * w * d
    wc = trim * w * ps * (1 - d) / (1 - ps)
    mt, mc = wt.mean(), wc.mean()
    if mt <= 0 or mc <= 0:
        raise ValueError("no treated or no control weight left after trimming")
    if method == "ipw":
        eta_t = np.mean(wt * dy) / mt
        eta_c = np.mean(wc * dy) / mc
        inf_t = (wt * dy - wt * eta_t) / mt
        M2 = (wc * (dy - eta_c)) @ X / X.shape[0]
        inf_c = (wc * dy - wc * eta_c + alr_ps @ M2) / mc
        return float(eta_t - eta_c), inf_t - inf_c
    out, alr_ols = _wols(dy, X, w, 1 - d)
    r = dy - out
    eta_t = np.mean(wt * r) / mt
    eta_c = np.mean(wc * r) / mc
    M1 = wt @ X / X.shape[0]
    inf_t = (wt * r - wt * eta_t - alr_ols @ M1) / mt
    M2 = (wc * (r - eta_c)) @ X / X.shape[0]
    M3 = wc @ X / X.shape[0]
    inf_c = (wc * r - wc * eta_c + alr_ps @ M2 - alr_ols @ M3) / mc
    return float(eta_t - eta_c), inf_t - inf_c


def rc_2x2(y, post, d, X, w, method: str = "dr", trim_level: float = TRIM_LEVEL):
    """ATT and influence function from repeated cross sections (``post`` = 0/1 period)."""
    y = np.asarray(y, dtype=float)
    post = np.asarray(post, dtype=float)
    d = np.asarray(d, dtype=float)
    X = np.asarray(X, dtype=float)
    w = _normalize(w)
    pre = 1 - post
    if method == "reg":
        out_pre, alr_pre = _wols(y, X, w, (1 - d) * pre)
        out_post, alr_post = _wols(y, X, w, (1 - d) * post)
        w_tpre, w_tpost, wt = w * d * pre, w * d * post, w * d
        m_pre, m_post, mt = w_tpre.mean(), w_tpost.mean(), wt.mean()
        eta_pre = np.mean(w_tpre * y) / m_pre
        eta_post = np.mean(w_tpost * y) / m_post
        cont = wt * (out_post - out_pre)
        eta_c = np.mean(cont) / mt
        inf_pre = (w_tpre * y - w_tpre * eta_pre) / m_pre
        inf_post = (w_tpost * y - w_tpost * eta_post) / m_post
        mom = wt @ X / X.shape[0]
        inf_c = (cont - wt * eta_c + alr_post @ mom - alr_pre @ mom) / mt
        return float(eta_post - eta_pre - eta_c), inf_post - inf_pre - inf_c
    if method not in ("dr", "ipw"):
        raise ValueError(f"unknown est_method {method!r} (use dr, ipw or reg)")
    ps, trim, alr_ps = _pscore(X, d, w, trim_level)
    odds = ps / (1 - ps)
    w_tpre, w_tpost = trim * w * d * pre, trim * w * d * post
    w_cpre, w_cpost = trim * w * odds * (1 - d) * pre, trim * w * odds * (1 - d) * post

    def part(wgt, resid):
        m = wgt.mean()
        eta = wgt * resid / m
        att = eta.mean()
        return att, eta - wgt * att / m, m

    if method == "ipw":
        a_tpre, i_tpre, _ = part(w_tpre, y)
        a_tpost, i_tpost, _ = part(w_tpost, y)
        a_cpre, i_cpre, m_cpre = part(w_cpre, y)
        a_cpost, i_cpost, m_cpost = part(w_cpost, y)
        M2_pre = (w_cpre * (y - a_cpre)) @ X / X.shape[0] / m_cpre
        M2_post = (w_cpost * (y - a_cpost)) @ X / X.shape[0] / m_cpost
        inf_c = i_cpost - i_cpre + alr_ps @ (M2_post - M2_pre)
        att = (a_tpost - a_tpre) - (a_cpost - a_cpre)
        return float(att), (i_tpost - i_tpre) - inf_c
    out_cpre, alr_cpre = _wols(y, X, w, (1 - d) * pre)
    out_cpost, alr_cpost = _wols(y, X, w, (1 - d) * post)
    out_tpre, alr_tpre = _wols(y, X, w, d * pre)
    out_tpost, alr_tpost = _wols(y, X, w, d * post)
    out_c = post * out_cpost + pre * out_cpre
    r = y - out_c
    a_tpre, i_tpre, m_tpre = part(w_tpre, r)
    a_tpost, i_tpost, m_tpost = part(w_tpost, r)
    a_cpre, i_cpre, m_cpre = part(w_cpre, r)
    a_cpost, i_cpost, m_cpost = part(w_cpost, r)
    w_d, w_dt1, w_dt0 = trim * w * d, w_tpost, w_tpre
    a_dpost, i_dpost, m_d = part(w_d, out_tpost - out_cpost)
    a_dt1, i_dt1, m_dt1 = part(w_dt1, out_tpost - out_cpost)
    a_dpre, i_dpre, _ = part(w_d, out_tpre - out_cpre)
    a_dt0, i_dt0, m_dt0 = part(w_dt0, out_tpre - out_cpre)
    att = (a_tpost - a_tpre) - (a_cpost - a_cpre) + (a_dpost - a_dt1) - (a_dpre - a_dt0)
    M1_post = -(w_tpost * post) @ X / X.shape[0] / m_tpost
    M1_pre = -(w_tpre * pre) @ X / X.shape[0] / m_tpre
    inf_t_or = alr_cpost @ M1_post - alr_cpre @ M1_pre
    M2_pre = (w_cpre * (r - a_cpre)) @ X / X.shape[0] / m_cpre
    M2_post = (w_cpost * (r - a_cpost)) @ X / X.shape[0] / m_cpost
    inf_c_ps = alr_ps @ (M2_post - M2_pre)
    M3_post = -(w_cpost * post) @ X / X.shape[0] / m_cpost
    M3_pre = -(w_cpre * pre) @ X / X.shape[0] / m_cpre
    inf_c_or = alr_cpost @ M3_post - alr_cpre @ M3_pre
    inf_eff = (i_dpost - i_dt1) - (i_dpre - i_dt0)
    mom_post = (w_d / m_d - w_dt1 / m_dt1) @ X / X.shape[0]
    mom_pre = (w_d / m_d - w_dt0 / m_dt0) @ X / X.shape[0]
    inf_or = (alr_tpost - alr_cpost) @ mom_post - (alr_tpre - alr_cpre) @ mom_pre
    inf_t = i_tpost - i_tpre + inf_t_or
    inf_c = i_cpost - i_cpre + inf_c_ps + inf_c_or
    return float(att), inf_t - inf_c + inf_eff + inf_or
