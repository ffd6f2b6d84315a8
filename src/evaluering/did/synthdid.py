"""Synthetic DiD (Arkhangelsky et al. 2021) and synthetic control (Abadie et al. 2010) for one
plan with few treated estates, with placebo inference.

On an estate-year panel (outcome = the rate ``count / population`` per estate-year, a ratio of
sums within the cell) with one start year for the treated estates:

- :func:`synthdid`: unit weights omega (with intercept, ridge ``zeta = (N1 T1)^(1/4) sigma``) and
  time weights lambda, as the R package ``synthdid`` (``synthdid_estimate``: Frank-Wolfe,
  sparsified restart); ``tau = (omega_tr - omega)' Y (lambda_post - lambda)``.
- :func:`synthetic_control`: unit weights without intercept on the pre-period outcomes
  (``sc_estimate``: V = identity on the pre-period outcomes), ``tau`` = mean post gap.
- :func:`did_matrix`: the plain DiD of the same matrix (equal weights), for comparison.

Inference: the placebo variance of Arkhangelsky et al. (Algorithm 4, synthdid's
``vcov(method = "placebo")``): N1 controls are relabelled as treated, the weights re-fitted
(warm start), ``se = sqrt((B-1)/B) sd(tau_b)``; normal interval. For synthetic control also the
in-space placebo p-value (Abadie et al. 2010): the rank of the treated post/pre RMSPE ratio
among those of every control refitted as the treated unit. Population weights do not enter the
weights (they are chosen by the fit); the treated trajectory is the mean of the treated estates'
rates, as in synthdid.

>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> Y = rng.normal(size=(12, 8)).cumsum(axis=1)
>>> Y[10:, 5:] += 2.0
>>> fit = fit_matrix(Y, n0=10, t0=5)
>>> round(float(fit.omega.sum()), 10), round(float(fit.lam.sum()), 10)
(1.0, 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .synth_solver import collapsed_form, fw_weights, fw_weights_batch, sparsify, sparsify_rows

__all__ = ["fit_matrix", "placebo_se", "insample_placebo", "did_matrix", "SynthFit", "panel_matrix",
           "SYNTH_METHODS"]

SYNTH_METHODS = ("synthdid", "sc", "did")


@dataclass
class SynthFit:
    """Weights and estimate of one fit on the matrix ``Y`` (controls first)."""

    method: str
    tau: float
    omega: np.ndarray
    lam: np.ndarray
    n0: int
    t0: int
    zeta_omega: float
    zeta_lambda: float
    min_decrease: float
    intercept: float = 0.0


def _noise(Y: np.ndarray, n0: int, t0: int) -> float:
    d = np.diff(Y[:n0, :t0], axis=1)
    return float(np.std(d, ddof=1)) if d.size > 1 else 0.0


def _weights(Y, n0, t0, method, zeta_omega, zeta_lambda, min_decrease, omega0=None, lam0=None,
             max_iter=10000, max_iter_pre=100):
    Yc = collapsed_form(Y, n0, t0)
    if method == "synthdid":
        lam = fw_weights(Yc[:n0, :], zeta_lambda, True, lam0, min_decrease, max_iter_pre)
        lam = fw_weights(Yc[:n0, :], zeta_lambda, True, sparsify(lam), min_decrease, max_iter)
    elif method == "sc":
        lam = np.zeros(t0)
    else:
        lam = np.full(t0, 1.0 / t0)
    if method == "did":
        omega = np.full(n0, 1.0 / n0)
    else:
        intercept = method == "synthdid"
        omega = fw_weights(Yc[:, :t0].T, zeta_omega, intercept, omega0, min_decrease, max_iter_pre)
        omega = fw_weights(Yc[:, :t0].T, zeta_omega, intercept, sparsify(omega), min_decrease, max_iter)
    return omega, lam


def _tau(Y, n0, t0, omega, lam) -> float:
    n1, t1 = Y.shape[0] - n0, Y.shape[1] - t0
    uw = np.concatenate([-omega, np.full(n1, 1.0 / n1)])
    tw = np.concatenate([-lam, np.full(t1, 1.0 / t1)])
    return float(uw @ Y @ tw)


def fit_matrix(Y: np.ndarray, n0: int, t0: int, method: str = "synthdid", *, zeta_omega: float | None = None,
               zeta_lambda: float | None = None, min_decrease: float | None = None, omega0=None,
               lam0=None) -> SynthFit:
    """Fit ``method`` (``synthdid``, ``sc`` or ``did``) on ``Y`` (units x periods; the first
    ``n0`` rows are controls, the first ``t0`` columns pre-treatment). Defaults as synthdid."""
    if method not in SYNTH_METHODS:
        raise ValueError(f"unknown method {method!r} (use {', '.join(SYNTH_METHODS)})")
    Y = np.asarray(Y, dtype=float)
    n1, t1 = Y.shape[0] - n0, Y.shape[1] - t0
    noise = _noise(Y, n0, t0)
    if zeta_omega is None:
        zeta_omega = ((n1 * t1) ** 0.25 if method == "synthdid" else 1e-6) * noise
    if zeta_lambda is None:
        zeta_lambda = 1e-6 * noise
    if min_decrease is None:
        min_decrease = 1e-5 * noise
    omega, lam = _weights(Y, n0, t0, method, zeta_omega, zeta_lambda, min_decrease, omega0, lam0)
    tau = _tau(Y, n0, t0, omega, lam)
    # the synthetic trajectory's level shift (synthdid's plot): lambda-weighted pre gap
    pre_gap = float((Y[n0:, :t0].mean(axis=0) - omega @ Y[:n0, :t0]) @ lam) if method != "sc" else 0.0
    return SynthFit(method, tau, omega, lam, n0, t0, zeta_omega, zeta_lambda, min_decrease, pre_gap)


def _collapsed_batch(Ys: np.ndarray, n0: int, t0: int) -> np.ndarray:
    B = Ys.shape[0]
    out = np.empty((B, n0 + 1, t0 + 1))
    out[:, :n0, :t0] = Ys[:, :n0, :t0]
    out[:, :n0, t0] = Ys[:, :n0, t0:].mean(axis=2)
    out[:, n0, :t0] = Ys[:, n0:, :t0].mean(axis=1)
    out[:, n0, t0] = Ys[:, n0:, t0:].mean(axis=(1, 2))
    return out


def _taus_batch(fit: SynthFit, Ys: np.ndarray, n0: int, omega0: np.ndarray) -> np.ndarray:
    """Refit ``fit``'s method on each matrix of ``Ys`` (B x N x T, ``n0`` controls first) with
    its regularisation, warm-started from ``omega0`` (B x n0) and the fit's lambda."""
    B, t0 = Ys.shape[0], fit.t0
    Yc = _collapsed_batch(Ys, n0, t0)
    md, mi, pre = fit.min_decrease, 10000, 100
    if fit.method == "synthdid":
        L = Yc[:, :n0, :]
        lam = fw_weights_batch(L, fit.zeta_lambda, True, np.tile(fit.lam, (B, 1)), md, pre)
        lam = fw_weights_batch(L, fit.zeta_lambda, True, sparsify_rows(lam), md, mi)
    elif fit.method == "sc":
        lam = np.zeros((B, t0))
    else:
        lam = np.full((B, t0), 1.0 / t0)
    if fit.method == "did":
        omega = np.full((B, n0), 1.0 / n0)
    else:
        O = np.transpose(Yc[:, :, :t0], (0, 2, 1))
        icpt = fit.method == "synthdid"
        omega = fw_weights_batch(O, fit.zeta_omega, icpt, omega0, md, pre)
        omega = fw_weights_batch(O, fit.zeta_omega, icpt, sparsify_rows(omega), md, mi)
    n1, t1 = Ys.shape[1] - n0, Ys.shape[2] - t0
    uw = np.concatenate([-omega, np.full((B, n1), 1.0 / n1)], axis=1)
    tw = np.concatenate([-lam, np.full((B, t1), 1.0 / t1)], axis=1)
    return np.einsum("bn,bnt,bt->b", uw, Ys, tw)


def placebo_se(fit: SynthFit, Y: np.ndarray, replications: int = 200, seed: int | None = 20170201,
               progress: bool = False) -> tuple[float, np.ndarray]:
    """Placebo standard error and the placebo estimates (Arkhangelsky et al. Algorithm 4).

    Each replication permutes the controls, makes the last N1 of them placebo-treated and refits
    with the fit's regularisation, warm-started from its weights. Needs more controls than
    treated units. The draws follow ``numpy.random.default_rng(seed).permutation`` as the Python
    port of synthdid does, so the same seed gives the same placebos there. The replications run
    in lock step (one vectorised Frank-Wolfe over all of them), in one batch.
    """
    Y = np.asarray(Y, dtype=float)
    n0 = fit.n0
    n1 = Y.shape[0] - n0
    if n0 <= n1:
        raise ValueError("placebo inference needs more comparison units than treated units")
    rng = np.random.default_rng(seed)
    m0 = n0 - n1
    perms = np.array([rng.permutation(n0) for _ in range(replications)])
    draws = np.empty(replications)
    chunks = range(0, replications, 500)
    if progress:
        from tqdm.auto import tqdm

        chunks = tqdm(chunks, desc="placebo", leave=False)
    for lo in chunks:
        P = perms[lo:lo + 500]
        W = fit.omega[P[:, :m0]]
        tot = W.sum(axis=1, keepdims=True)
        omega0 = np.where(tot > 0, W / np.where(tot > 0, tot, 1.0), 1.0 / m0)
        draws[lo:lo + 500] = _taus_batch(fit, Y[P], m0, omega0)
    se = float(np.sqrt((replications - 1) / replications) * np.std(draws, ddof=1)) if replications > 1 else np.nan
    return se, draws


def _rmspe_ratio(Y: np.ndarray, n0: int, t0: int, fit: SynthFit) -> float:
    gap = Y[n0:].mean(axis=0) - fit.omega @ Y[:n0] - fit.intercept
    pre = np.sqrt(np.mean(gap[:t0] ** 2))
    post = np.sqrt(np.mean(gap[t0:] ** 2))
    return float(post / pre) if pre > 0 else np.inf


def insample_placebo(fit: SynthFit, Y: np.ndarray) -> tuple[float, np.ndarray, float]:
    """In-space placebo test of Abadie et al. (2010): ``(p_value, placebo_ratios, ratio)``.

    Every control in turn is the treated unit, the other controls its donors; the statistic is
    the post/pre root mean squared prediction error ratio; ``p = (1 + #{placebo >= treated}) /
    (1 + n0)``. With several treated units the treated mean is the treated series.
    """
    Y = np.asarray(Y, dtype=float)
    n0, t0 = fit.n0, fit.t0
    ratio = _rmspe_ratio(Y, n0, t0, fit)
    ratios = np.empty(n0)
    for j in range(n0):
        idx = np.r_[np.delete(np.arange(n0), j), j]
        Yj = Y[idx]
        fj = fit_matrix(Yj, n0 - 1, t0, fit.method)
        ratios[j] = _rmspe_ratio(Yj, n0 - 1, t0, fj)
    p = float((1 + np.sum(ratios >= ratio - 1e-12 * abs(ratio))) / (1 + n0))
    return p, ratios, ratio


def did_matrix(Y: np.ndarray, n0: int, t0: int) -> float:
    """Plain difference-in-differences of the matrix (equal unit and period weights)."""
    return fit_matrix(Y, n0, t0, "did").tau


def panel_matrix(df: pd.DataFrame) -> tuple[np.ndarray, list, list, int, int, int]:
    """``(Y, units, periods, n0, t0, start)`` from a prepared panel (``unit, time, start, y``):
    controls first, then treated units; one start year; balanced."""
    starts = df.loc[df["start"] > 0].groupby("unit")["start"].first()
    if starts.empty:
        raise ValueError("no treated units (start > 0)")
    if starts.nunique() > 1:
        raise ValueError("synthetic control and synthetic DiD need one common start year for the treated units")
    start = int(starts.iloc[0])
    wide = df.pivot_table(index="unit", columns="time", values="y", aggfunc="first")
    if wide.isna().any().any():
        raise ValueError("the panel must be balanced (every unit observed in every period)")
    treated = set(starts.index)
    units = [u for u in wide.index if u not in treated] + [u for u in wide.index if u in treated]
    wide = wide.loc[units]
    periods = list(wide.columns)
    t0 = int(sum(1 for t in periods if t < start))
    n0 = len(units) - len(treated)
    if t0 < 2 or t0 == len(periods):
        raise ValueError("need at least two periods before and one after the start year")
    if n0 < 2:
        raise ValueError("need at least two comparison units")
    return wide.to_numpy(dtype=float), units, periods, n0, t0, start
