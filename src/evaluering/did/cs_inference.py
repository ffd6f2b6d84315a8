"""Few-cluster inference for Callaway-Sant'Anna: wild cluster bootstrap and randomization
inference.

* :func:`cs_wild`: the wild cluster bootstrap-t of the influence functions (clusters =
  units; Rademacher or Webb weights, every sign vector when ``2^G <= n_boot``) for every row
  of the result (see :func:`~evaluering.did.wild.wild_score_bootstrap`).
* :func:`cs_ri`: randomization inference for the headline ATT and every aggregation row
  (simple; dynamic = the CS event study, group and calendar, overall and per level; the
  ATT(g,t) rows keep their analytic values). The
  start periods are re-assigned across units (cohort sizes kept; exact when feasible, see
  :func:`~evaluering.did.ri.assignments`); the statistic is the studentized row. Every CS
  estimator (reg, IPW, DR; fixed covariates and weights) is linear in the outcome, so under
  the sharp null "effect ``h``" (outcome ``y - h D``) both the estimate and its influence
  function are linear in ``h`` and the interval inverts the test exactly
  (:func:`~evaluering.did.ri.linear_ri`). Needs a balanced panel.

>>> import numpy as np, pandas as pd
>>> from evaluering.did.cs import att_gt
>>> rng = np.random.default_rng(4)
>>> rows = [(u, t, 3 if u < 2 else 0) for u in range(6) for t in range(1, 5)]
>>> df = pd.DataFrame(rows, columns=["u", "t", "g"]); df["y"] = rng.normal(size=len(df))
>>> out = ri_simple(att_gt(df["y"], df["u"], df["t"], df["g"]), ci=False)
>>> out["exact"], out["n_assignments"]
(True, 15)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["cs_wild", "cs_ri", "ri_simple", "ri_rows", "row_influence", "row_values"]


@dataclass
class InferenceOut:
    table: pd.DataFrame
    note: str


def row_values(res, terms) -> tuple[np.ndarray, np.ndarray]:
    """Estimates (rows) and influence functions (units x rows) of the named rows of a CS tidy
    table (``ATT``, ``dynamic:overall``, ``dynamic:e=2``, ``group:g=2016``, ``ATT(g=..,t=..)``);
    a row the result does not have (an assignment without that level) is 0."""
    est, cols = {}, {}
    value, inf = res.simple()
    est["ATT"], cols["ATT"] = value, inf
    wanted = {str(t).split(":")[0] for t in terms}
    for kind in ("dynamic", "group", "calendar"):
        if kind not in wanted:
            continue
        agg = res.aggregate(kind)
        est[f"{kind}:overall"], cols[f"{kind}:overall"] = agg.att, agg.inf
        lab = {"dynamic": "e", "group": "g", "calendar": "t"}[kind]
        for j, (lev, v) in enumerate(zip(agg.table["level"], agg.table["att"])):
            est[f"{kind}:{lab}={int(lev)}"], cols[f"{kind}:{lab}={int(lev)}"] = float(v), agg.level_inf[:, j]
    if any(str(t).startswith("ATT(g=") for t in terms):
        for k, (g, t) in enumerate(zip(res.group, res.time)):
            est[f"ATT(g={int(g)},t={int(t)})"], cols[f"ATT(g={int(g)},t={int(t)})"] = float(res.att[k]), res.inf[:, k]
    zero = np.zeros(res.n_units)
    return (np.array([est.get(t, 0.0) for t in terms], dtype=float),
            np.column_stack([cols.get(t, zero) for t in terms]))


def row_influence(res, table: pd.DataFrame) -> np.ndarray:
    """Influence functions (units x rows) of the rows of a CS tidy table, in table order."""
    return row_values(res, list(table["term"]))[1]


def cs_wild(res, table: pd.DataFrame, weights: str = "rademacher", n_boot: int = 9999,
            seed: int | None = 20170201, level: float = 0.95) -> InferenceOut:
    """Wild cluster bootstrap-t p-values and intervals for every row (pointwise)."""
    from .wild import wild_score_bootstrap

    S = row_influence(res, table) / res.n_units
    est = table["estimate"].to_numpy(dtype=float)
    wb = wild_score_bootstrap(S, est, weights=weights, n_boot=n_boot, seed=seed, level=level)
    tab = table.copy()
    tab["p_value"], tab["conf_low"], tab["conf_high"] = wb.p_value, wb.conf_low, wb.conf_high
    tab["df"] = np.nan
    note = (f"Vild cluster-bootstrap-t af influensfunktionerne ({wb.weights}, klynger = enheder): "
            + ("alle fortegnsvektorer" if wb.enumerated else f"{wb.n_draws} træk, seed {wb.seed}")
            + f" ({wb.n_draws}); punktvise intervaller.")
    return InferenceOut(tab, note)


def ri_simple(res, n_perm: int = 9999, seed: int | None = 20170201, level: float = 0.95, h0: float = 0.0,
              ci: bool = True) -> dict:
    """RI p-value and inverted interval of the simple aggregation of ``res`` (a balanced panel)."""
    from .cs import panel_core
    from .ri import assignments, linear_ri

    if not res.panel or res.arrays is None:
        raise ValueError("randomiseringsinferens for cs kræver et balanceret panel")
    Y, Xw = res.arrays
    G = res.unit_group
    periods = res.periods
    Dobs = ((G[:, None] > 0) & (periods[None, :] >= G[:, None])).astype(float)
    assign, observed, exact = assignments(G, n_perm, seed)
    n = res.n_units
    if Xw is None:  # no covariates: all assignments at once
        A, C = simple_over_assignments(Y, res.unit_weight, assign, periods, res.control)
        B, D = simple_over_assignments(Dobs, res.unit_weight, assign, periods, res.control)
        pv, lo, hi = linear_ri(A, B, C / n, D / n, observed, h0=h0, level=level, ci=ci)
        return {"p_value": pv, "conf_low": lo, "conf_high": hi, "n_assignments": int(assign.shape[0]),
                "exact": exact, "seed": None if exact else seed, "estimate": float(A[observed])}
    A = np.empty(assign.shape[0])
    B = np.empty(assign.shape[0])
    C = np.zeros((n, assign.shape[0]))
    D = np.zeros((n, assign.shape[0]))
    for p, gp in enumerate(assign):
        try:
            ry = panel_core(Y, gp, res.unit_weight, Xw, periods, res.control, res.est_method)
            rd = panel_core(Dobs, gp, res.unit_weight, Xw, periods, res.control, res.est_method)
        except ValueError:  # an assignment without an estimable effect: statistic 0
            A[p] = B[p] = 0.0
            continue
        (A[p], iy), (B[p], idd) = ry.simple(), rd.simple()
        C[:, p], D[:, p] = iy / n, idd / n
    pv, lo, hi = linear_ri(A, B, C, D, observed, h0=h0, level=level, ci=ci)
    return {"p_value": pv, "conf_low": lo, "conf_high": hi, "n_assignments": int(assign.shape[0]),
            "exact": exact, "seed": None if exact else seed, "estimate": float(A[observed])}


def simple_over_assignments(Y: np.ndarray, w: np.ndarray, assign: np.ndarray, periods: np.ndarray,
                            control: str) -> tuple[np.ndarray, np.ndarray]:
    """The simple aggregation without covariates and its influence function (units x
    assignments) for every row of ``assign`` (assignments x units) at once; the same
    arithmetic as :func:`~evaluering.did.cs.panel_core` plus ``GroupTimeATT.simple``."""
    from .cs import _cells

    P, n = assign.shape
    glist = np.sort(np.unique(assign[0][assign[0] > 0]))
    pg = {g: (w[None, :] * (assign == g)).mean(axis=1) for g in glist}  # P per group
    atts, infs, pgs = [], [], []
    for g, ti, bi in _cells(glist, periods):
        t, base = periods[ti], periods[bi]
        if t < g:
            continue  # only post cells enter the simple aggregation
        T = (assign == g).astype(float)
        if control == "never":
            Cm = (assign == 0).astype(float)
        else:
            Cm = ((assign == 0) | ((assign > max(t, base)) & (assign != g))).astype(float)
        n_sub = (T + Cm).sum(axis=1)
        dy = Y[:, ti] - Y[:, bi]
        wT, wC = T * w[None, :], Cm * w[None, :]
        s1, s0 = wT.sum(axis=1), wC.sum(axis=1)
        mu1, mu0 = wT @ dy / s1, wC @ dy / s0
        m1, m0 = s1 / n_sub, s0 / n_sub
        inf = (wT * (dy[None, :] - mu1[:, None]) / m1[:, None]
               - wC * (dy[None, :] - mu0[:, None]) / m0[:, None]) * (n / n_sub)[:, None]
        atts.append(mu1 - mu0); infs.append(inf); pgs.append(pg[g])
    att = np.stack(atts, axis=1)          # P x K
    pgk = np.stack(pgs, axis=1)           # P x K
    ssum = pgk.sum(axis=1)
    wk = pgk / ssum[:, None]
    est = (att * wk).sum(axis=1)
    inf_att = sum(infs[k] * wk[:, k:k + 1] for k in range(len(infs)))   # P x n
    groups_k = [g for g, ti, bi in _cells(glist, periods) if periods[ti] >= g]
    ind = np.stack([w[None, :] * (assign == g) - pgk[:, [k]] for k, g in enumerate(groups_k)], axis=2)  # P x n x K
    wif = ind / ssum[:, None, None] - ind.sum(axis=2, keepdims=True) * (pgk / ssum[:, None] ** 2)[:, None, :]
    inf_w = np.einsum("pnk,pk->pn", wif, att)
    return est, (inf_att + inf_w).T


def ri_rows(res, terms, n_perm: int = 9999, seed: int | None = 20170201, level: float = 0.95,
            h0: float = 0.0, ci: bool = True, progress: bool | None = None) -> dict:
    """RI p-values and inverted intervals for the named rows of ``res`` (a balanced panel).

    For every assignment of the start periods the CS estimator runs on the outcome and on the
    observed treatment indicator (same covariates and weights), so each row's estimate and
    influence function are linear in the sharp-null effect ``h`` (:func:`~evaluering.did.ri.
    linear_ri_sums` keeps three score sums per row and assignment). Returns ``{"p_value",
    "conf_low", "conf_high"}`` (arrays in ``terms`` order), ``n_assignments``, ``exact``, ``seed``
    and ``estimate`` (the observed assignment's rows: the table's estimates). ``progress``:
    a tqdm bar; ``None`` shows it above 2000 assignments.
    """
    from .cs import panel_core
    from .ri import assignments, linear_ri_sums

    if not res.panel or res.arrays is None:
        raise ValueError("randomiseringsinferens for cs kræver et balanceret panel")
    terms = list(terms)
    Y, Xw = res.arrays
    G = res.unit_group
    periods = res.periods
    Dobs = ((G[:, None] > 0) & (periods[None, :] >= G[:, None])).astype(float)
    assign, observed, exact = assignments(G, n_perm, seed)
    n, R, P = res.n_units, len(terms), assign.shape[0]
    A, B, CC, CD, DD = (np.zeros((R, P)) for _ in range(5))
    it = range(P)
    if progress or (progress is None and P > 2000):
        from tqdm.auto import tqdm

        it = tqdm(it, desc="randomiseringsinferens", leave=False)
    for p in it:
        gp = assign[p]
        try:
            ry = panel_core(Y, gp, res.unit_weight, Xw, periods, res.control, res.est_method)
            rd = panel_core(Dobs, gp, res.unit_weight, Xw, periods, res.control, res.est_method)
            ey, iy = row_values(ry, terms)
            ed, idd = row_values(rd, terms)
        except ValueError:  # an assignment without an estimable effect: statistic 0
            continue
        iy, idd = iy / n, idd / n
        A[:, p], B[:, p] = ey, ed
        CC[:, p], CD[:, p], DD[:, p] = (iy * iy).sum(axis=0), (iy * idd).sum(axis=0), (idd * idd).sum(axis=0)
    out = np.array([linear_ri_sums(A[r], B[r], CC[r], CD[r], DD[r], observed, h0=h0, level=level, ci=ci)
                    for r in range(R)]).reshape(R, 3)
    return {"p_value": out[:, 0], "conf_low": out[:, 1], "conf_high": out[:, 2], "n_assignments": int(P),
            "exact": exact, "seed": None if exact else seed, "estimate": A[:, observed].copy()}


def cs_ri(res, table: pd.DataFrame, n_perm: int = 9999, seed: int | None = 20170201,
          level: float = 0.95, progress: bool | None = None) -> InferenceOut:
    """Randomization-inference p-values and intervals for the ``ATT`` row and every aggregation
    row (simple, dynamic, group, calendar: overall and per level); ATT(g,t) rows keep the analytic
    values."""
    tab = table.copy()
    agg = tab.index[~tab["term"].astype(str).str.startswith("ATT(g=")]
    terms = tab.loc[agg, "term"].tolist()
    out = ri_rows(res, terms, n_perm=n_perm, seed=seed, level=level, progress=progress)
    tab.loc[agg, "p_value"], tab.loc[agg, "conf_low"], tab.loc[agg, "conf_high"] = (
        out["p_value"], out["conf_low"], out["conf_high"])
    if "df" in tab:
        tab.loc[agg, "df"] = np.nan
    # a pre-period row (dynamic e < 0) is a placebo: its p-value tests "no effect"; an interval
    # for the post-period effect h says nothing there
    pre = [i for i in agg if str(tab.loc[i, "term"]).startswith("dynamic:e=-")]
    tab.loc[pre, ["conf_low", "conf_high"]] = np.nan
    note = ("Randomiseringsinferens for ATT og alle aggregeringer (studentiseret, starttidspunkter omfordelt): "
            + ("alle " if out["exact"] else f"seed {out['seed']}, ") + f"{out['n_assignments']} tildelinger; "
            "førperioderne (e < 0) er placebotest uden interval; ATT(g,t)-rækkerne har analytiske intervaller.")
    return InferenceOut(tab, note)
