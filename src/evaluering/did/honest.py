"""Sensitivity of an event study to violations of parallel trends (Rambachan & Roth 2023).

:func:`honest` takes the event-study coefficients and their covariance (from
:func:`~evaluering.did.event_study`, or arrays) and returns robust confidence intervals for
``theta = l' tau_post`` under a restriction on the post-period trend difference ``delta``:

- ``method="smoothness"`` (Delta^SD(M)): the slope of ``delta`` changes by at most ``M`` between
  consecutive periods (``M = 0``: a linear trend carried on). Interval: the optimal fixed-length
  confidence interval (FLCI), HonestDiD's default for Delta^SD: the affine estimator
  ``l_pre' beta_pre + l' beta_post`` with the shortest half-length ``sd * cv_alpha(maxbias / sd)``,
  ``cv_alpha(t)`` the 1 - alpha quantile of ``|N(t, 1)|`` (computed exactly here; HonestDiD
  simulates it with 10^6 draws).
- ``method="relative_magnitude"`` (Delta^RM(Mbar)): every post-period first difference of
  ``delta`` is at most ``Mbar`` times the largest pre-period one (``Mbar = 1``: no bigger than the
  worst pre-period violation). Interval: HonestDiD's default for Delta^RM, the union over the
  location and sign of the largest pre-period difference of the conditional-least-favourable
  hybrid (``"C-LF"``) moment-inequality confidence sets of Andrews, Roth & Pakes (2023), or the
  purely conditional ones (``rm_method="Conditional"``); see :mod:`evaluering.did.honest_rm`.

The **breakdown value** is the largest ``M`` (``Mbar``) at which the interval still excludes 0,
found by bisection (it is 0 when even the parallel-trends interval contains 0).

The coefficient vector is ordered pre periods first (earliest first, reference period
omitted), then post periods; intervals use the normal distribution, as HonestDiD does.

>>> import numpy as np
>>> beta = np.array([0.01, -0.02, 0.5, 0.6])
>>> sigma = np.diag([0.04, 0.04, 0.05, 0.06]) ** 2
>>> r = honest(beta, sigma=sigma, num_pre=2, method="smoothness", m=[0.0, 0.05], l_vec=[1, 0])
>>> r.tidy()["excludes_zero"].tolist()
[True, True, True]
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

__all__ = ["honest", "HonestResult", "flci", "folded_normal_cv", "HONEST_METHODS", "DEFAULT_MBAR"]

HONEST_METHODS = ("smoothness", "relative_magnitude")

#: default Mbar grid (HonestDiD's README example, with 0 = parallel trends after the start)
DEFAULT_MBAR = (0.0, 0.5, 1.0, 1.5, 2.0)

LABELS = {"relative_magnitude": "relative størrelser (Mbar)", "smoothness": "glathed (M)"}


def _Phi(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def _phi(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def folded_normal_cv(t: float, alpha: float = 0.05) -> float:
    """The 1 - alpha quantile of ``|N(t, 1)|`` (Newton on ``Phi(c - t) - Phi(-c - t) = 1 - alpha``).

    >>> round(folded_normal_cv(0.0), 6) == round(float(stats.norm.ppf(0.975)), 6)
    True
    """
    t = abs(float(t))
    c = max(t + stats.norm.ppf(1 - alpha), stats.norm.ppf(1 - alpha / 2))
    for _ in range(100):
        f = _Phi(c - t) - _Phi(-c - t) - (1 - alpha)
        d = _phi(c - t) + _phi(c + t)
        step = f / d
        c -= step
        if abs(step) < 1e-13 * max(1.0, c):
            break
    return float(c)


def _cv_slope(c: float, t: float) -> float:
    """d cv_alpha(t) / dt."""
    a, b = _phi(c - t), _phi(c + t)
    return (a - b) / (a + b)


def _sd_pieces(sigma: np.ndarray, num_pre: int, l_vec: np.ndarray):
    S_pre = sigma[:num_pre, :num_pre]
    S_pp = sigma[:num_pre, num_pre:] @ l_vec
    s_post = float(l_vec @ sigma[num_pre:, num_pre:] @ l_vec)
    K = num_pre
    W2L = np.eye(K) - np.eye(K, k=-1)  # l_pre = W2L @ w
    return S_pre, S_pp, s_post, W2L


def flci(beta: np.ndarray, sigma: np.ndarray, num_pre: int, l_vec: np.ndarray, M: float,
         alpha: float = 0.05) -> dict:
    """The optimal FLCI under Delta^SD(M): ``{"lb", "ub", "estimate", "half_length", "l_pre"}``.

    The weights ``w`` (cumulated pre-period weights, ``sum w = sum_t t l_t``) minimise
    ``sd(w) cv_alpha(M bias(w) / sd(w))`` with ``bias(w) = c + sum_k |cumsum(w)_k|``, a convex
    problem (Armstrong & Kolesar 2018), solved by SLSQP from the minimum-bias and
    minimum-variance starts.
    """
    beta = np.asarray(beta, float)
    sigma = np.asarray(sigma, float)
    l_vec = np.asarray(l_vec, float)
    K, P = num_pre, l_vec.size
    S_pre, S_pp, s_post, W2L = _sd_pieces(sigma, K, l_vec)
    t = np.arange(1, P + 1)
    target = float(t @ l_vec)
    const = sum(abs(float(np.arange(1, s + 1) @ l_vec[P - s:])) for s in range(1, P + 1)) - target
    Q = W2L.T @ S_pre @ W2L
    q = 2 * W2L.T @ S_pp
    L = np.tril(np.ones((K, K)))

    def var(w):
        return max(float(w @ Q @ w + q @ w + s_post), 1e-300)

    def bias(w):
        return const + float(np.abs(L @ w).sum())

    def half(z):
        u, w = z[:K], z[K:]
        sd = math.sqrt(var(w))
        r = M * (const + u.sum()) / sd
        c = folded_normal_cv(r, alpha)
        g = _cv_slope(c, r)
        grad_w = (2 * Q @ w + q) / (2 * sd) * (c - r * g)
        return sd * c, np.r_[np.full(K, M * g), grad_w]

    cons = [{"type": "eq", "fun": lambda z: z[K:].sum() - target, "jac": lambda z: np.r_[np.zeros(K), np.ones(K)]},
            {"type": "ineq", "fun": lambda z: np.r_[z[:K] - L @ z[K:], z[:K] + L @ z[K:]],
             "jac": lambda z: np.block([[np.eye(K), -L], [np.eye(K), L]])}]
    # starts: all weight on the last pre period (minimum bias) and the minimum-variance weights
    w_bias = np.zeros(K); w_bias[-1] = target
    A = np.block([[2 * Q, np.ones((K, 1))], [np.ones((1, K)), np.zeros((1, 1))]])
    try:
        w_var = np.linalg.lstsq(A, np.r_[-q, target], rcond=None)[0][:K]
    except np.linalg.LinAlgError:  # pragma: no cover
        w_var = w_bias
    best = None
    for w0 in (w_bias, w_var):
        z0 = np.r_[np.abs(L @ w0) + 1e-9, w0]
        res = optimize.minimize(half, z0, jac=True, method="SLSQP", constraints=cons,
                                options={"ftol": 1e-14, "maxiter": 500})
        z = res.x
        w = z[K:]
        # re-evaluate at the exact |cumsum| (slacks may sit above it)
        val = math.sqrt(var(w)) * folded_normal_cv(M * bias(w) / math.sqrt(var(w)), alpha)
        if best is None or val < best[0]:
            best = (val, w)
    hl, w = best
    l_pre = W2L @ w
    est = float(l_pre @ beta[:K] + l_vec @ beta[K:K + P])
    return {"lb": est - hl, "ub": est + hl, "estimate": est, "half_length": hl, "l_pre": l_pre}


def _original_ci(beta, sigma, num_pre, l_vec, alpha):
    est = float(l_vec @ beta[num_pre:])
    se = float(np.sqrt(l_vec @ sigma[num_pre:, num_pre:] @ l_vec))
    z = stats.norm.ppf(1 - alpha / 2)
    return est, se, est - z * se, est + z * se


@dataclass(repr=False)
class HonestResult:
    """Robust confidence intervals per ``M`` (``Mbar``) and the breakdown value."""

    method: str
    table: pd.DataFrame
    breakdown: float | None
    l_vec: np.ndarray
    alpha: float = 0.05
    notes: list = field(default_factory=list)

    def tidy(self) -> pd.DataFrame:
        """One row for the original (parallel trends) interval and one per ``M``: ``method, M,
        conf_low, conf_high, excludes_zero``."""
        return self.table.copy()

    def to_dict(self) -> dict:
        tab = self.table.astype(object).where(self.table.notna(), None)
        return {"method": self.method, "alpha": self.alpha, "breakdown": self.breakdown,
                "l_vec": [float(x) for x in self.l_vec], "table": tab.to_dict(orient="records")}

    def summary(self) -> str:
        lines = [f"Følsomhed for brud på parallelle tendenser (Rambachan & Roth 2023): {LABELS[self.method]}",
                 self.table.to_string(index=False, float_format=lambda x: f"{x:.4f}"),
                 f"nedbrudsværdi: {'–' if self.breakdown is None else f'{self.breakdown:.4f}'}"]
        return "\n".join(lines + self.notes)

    __str__ = __repr__ = summary

    def _repr_html_(self) -> str:
        tab = self.table.to_html(index=False, float_format=lambda x: f"{x:.4f}", na_rep="–", border=0)
        bd = "–" if self.breakdown is None else f"{self.breakdown:.4f}"
        return (f"<div class='evaluering-honest'><strong>{html.escape(LABELS[self.method])}</strong>{tab}"
                f"<div>nedbrudsværdi: {bd}</div></div>")

    def plot(self, ax=None, scale: float = 1.0):
        """Robust intervals against ``M`` (the original interval first). Returns the Axes."""
        if ax is None:
            from matplotlib.figure import Figure

            ax = Figure(figsize=(6, 3.5)).add_subplot()
        t = self.table
        x = np.arange(len(t))
        mid = scale * (t["conf_low"] + t["conf_high"]) / 2
        ax.errorbar(x, mid, yerr=[mid - scale * t["conf_low"], scale * t["conf_high"] - mid], fmt="none",
                    capsize=4, color="C0")
        ax.set_xticks(x, ["original" if k == "original" else f"{m:g}" for k, m in zip(t["kind"], t["M"])])
        ax.axhline(0, color="0.6", lw=0.8)
        ax.set_xlabel("Mbar" if self.method == "relative_magnitude" else "M")
        return ax


def _from_result(result):
    t = result.tidy()
    ev = t[t["kind"] == "event"].sort_values("event_time")
    if ev.empty or getattr(result, "cov", None) is None:
        raise ValueError("honest() needs an event-study result (did.event_study) with its covariance")
    names = ev["term"].tolist()
    beta = ev["estimate"].to_numpy(float)
    sigma = result.cov.loc[names, names].to_numpy(float)
    num_pre = int((ev["event_time"] < 0).sum())
    return beta, sigma, num_pre


def honest(result, method: str = "smoothness", mbar=None, m=None, alpha: float = 0.05, l_vec=None,
           sigma=None, num_pre: int | None = None, grid_points: int = 1000, seed: int = 0,
           rm_method: str = "C-LF") -> HonestResult:
    """Robust intervals for an event study under Delta^SD(M) or Delta^RM(Mbar), and the breakdown value.

    ``result``: a :func:`~evaluering.did.event_study` result, or the coefficient vector (then
    ``sigma`` and ``num_pre``). ``l_vec``: weights on the post periods; default for
    smoothness: their mean (the event study's ATT); for relative magnitudes: the first post
    period (HonestDiD's default). ``m`` default: 0 and four steps up to the standard error of
    ``l' beta_post``; ``mbar`` default: :data:`DEFAULT_MBAR`. ``grid_points``, ``seed`` and
    ``rm_method`` (``"C-LF"`` or ``"Conditional"``) only concern relative magnitudes (the test
    grid, the seed of the 1000 least-favourable draws).

    >>> import numpy as np
    >>> b = np.array([0.004, -0.003, 0.05, 0.06]); S = np.diag([0.006, 0.006, 0.008, 0.01]) ** 2
    >>> r = honest(b, sigma=S, num_pre=2, method="relative_magnitude", mbar=[0.5, 1.0])
    >>> r.tidy()["excludes_zero"].tolist(), r.breakdown > 1
    ([True, True, True], True)
    """
    if method not in HONEST_METHODS:
        raise ValueError(f"unknown method {method!r} (use {', '.join(HONEST_METHODS)})")
    if sigma is None:
        beta, sigma, num_pre = _from_result(result)
    else:
        beta = np.asarray(result, float)
        sigma = np.asarray(sigma, float)
        if num_pre is None:
            raise ValueError("num_pre is needed with a coefficient vector")
    n_post = beta.size - num_pre
    if num_pre < 1 or n_post < 1:
        raise ValueError("need at least one pre and one post coefficient")
    if l_vec is None:
        l_vec = np.full(n_post, 1.0 / n_post) if method == "smoothness" else np.eye(n_post)[0]
    l_vec = np.asarray(l_vec, float)
    if l_vec.size != n_post:
        raise ValueError(f"l_vec must have {n_post} entries (one per post period)")
    est, se, lo0, hi0 = _original_ci(beta, sigma, num_pre, l_vec, alpha)
    if method == "smoothness":
        grid = [0.0] + [se * k / 4 for k in range(1, 5)] if m is None else list(m)

        def ci(M):
            r = flci(beta, sigma, num_pre, l_vec, M, alpha)
            return r["lb"], r["ub"]
    else:
        from .honest_rm import rm_interval

        grid = list(DEFAULT_MBAR if mbar is None else mbar)
        if any(float(x) < 0 for x in grid):
            raise ValueError("mbar must be >= 0")
        cache: dict = {}

        def ci(M):
            if M not in cache:
                cache[M] = rm_interval(beta, sigma, num_pre, l_vec, M, alpha=alpha, method=rm_method,
                                       grid_points=grid_points, seed=seed)
            return cache[M]

    rows = [{"method": method, "kind": "original", "M": np.nan, "conf_low": lo0, "conf_high": hi0}]
    for M in grid:
        lb, ub = ci(float(M))
        rows.append({"method": method, "kind": "robust", "M": float(M), "conf_low": lb, "conf_high": ub})
    tab = pd.DataFrame(rows)
    tab["excludes_zero"] = (tab["conf_low"] > 0) | (tab["conf_high"] < 0)
    breakdown = _breakdown(ci, tab, grid)
    notes = [f"l_vec = {np.round(l_vec, 4).tolist()}; {int(num_pre)} førperioder, {int(n_post)} efterperioder; "
             f"normalfordelte intervaller, alpha = {alpha:g}."]
    if method == "relative_magnitude":
        notes.append(f"Betingede konfidensmængder ({rm_method}, Andrews, Roth & Pakes 2023) som i HonestDiD.")
    return HonestResult(method, tab, breakdown, l_vec, alpha, notes)


def _excl(lb, ub) -> bool:
    return bool(lb > 0 or ub < 0)


def _breakdown(ci, tab: pd.DataFrame, grid, rel_tol: float = 5e-3) -> float | None:
    """Largest M with an interval excluding 0, by bisection past the last grid point that does."""
    rob = tab[tab["kind"] == "robust"].sort_values("M")
    ex = rob["excludes_zero"].to_numpy()
    Ms = rob["M"].to_numpy()
    if not ex.any():
        return 0.0 if not _excl(*ci(0.0)) else None
    if ex.all():
        lo = float(Ms[-1])
        hi = max(2 * lo, 1e-12)
        for _ in range(30):
            if not _excl(*ci(hi)):
                break
            lo, hi = hi, 2 * hi
        else:
            return math.inf
    else:
        k = int(np.nonzero(~ex)[0][0])
        if k == 0:
            return 0.0
        lo, hi = float(Ms[k - 1]), float(Ms[k])
    while hi - lo > rel_tol * max(hi, 1e-12):
        mid = 0.5 * (lo + hi)
        if _excl(*ci(mid)):
            lo = mid
        else:
            hi = mid
    return lo
