"""Callaway & Sant'Anna (2021) group-time average treatment effects.

``ATT(g, t)`` compares the change in the outcome of the units first treated in ``g`` with the
change of a control group (never treated, or not yet treated by ``max(t, base)``), on a
balanced panel. The base period is "varying" as in R ``did``: ``g - 1`` for post periods,
``t - 1`` for pre periods. Without covariates the regression, IPW and doubly robust
estimators coincide with this difference of weighted means; with covariates each 2x2
comparison uses :mod:`evaluering.did.drdid` (R ``DRDID``). Unbalanced panels use the
repeated cross-section estimators with the influence function summed within unit.

Standard errors are analytic, from the influence functions (R ``did`` with
``bstrap = FALSE``), and the aggregations (simple, dynamic, group, calendar) include the
estimation effect of their weights, as ``did::aggte``. Unit weights must be constant over
time; with a population the unit weight is its mean population over the periods.

>>> import numpy as np, pandas as pd
>>> rows = [(u, t, 2 if u < 2 else 0, float(u + t + (1.0 if (u < 2 and t >= 2) else 0.0)))
...         for u in range(4) for t in range(1, 4)]
>>> df = pd.DataFrame(rows, columns=["unit", "time", "start", "y"])
>>> res = att_gt(df["y"], df["unit"], df["time"], df["start"])
>>> round(res.aggregate("simple").att, 10)
1.0
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["att_gt", "GroupTimeATT", "Aggregation", "CONTROL_GROUPS", "AGGREGATIONS"]

CONTROL_GROUPS = ("never", "notyet")
AGGREGATIONS = ("simple", "dynamic", "group", "calendar")


@dataclass
class Aggregation:
    """One aggregation: the overall ``att`` with its ``se`` and the per-level table."""

    kind: str
    att: float
    se: float
    table: pd.DataFrame  # columns: level, att, se
    inf: np.ndarray = field(repr=False, default=None)
    level_inf: np.ndarray = field(repr=False, default=None)  # units x levels


@dataclass
class GroupTimeATT:
    """ATT(g,t) with influence functions (``inf``: units x (g,t), scaled as R ``did``)."""

    group: np.ndarray
    time: np.ndarray
    att: np.ndarray
    inf: np.ndarray
    n_units: int
    unit_group: np.ndarray
    unit_weight: np.ndarray
    control: str
    periods: np.ndarray
    dropped_units: int = 0
    est_method: str = "dr"
    panel: bool = True
    arrays: tuple = field(repr=False, default=None)  # (Y units x periods, X units x periods x k)

    @property
    def se(self) -> np.ndarray:
        return np.sqrt((self.inf ** 2).mean(axis=0) / self.n_units)

    @property
    def vcov(self) -> np.ndarray:
        return self.inf.T @ self.inf / self.n_units ** 2

    def table(self) -> pd.DataFrame:
        """ATT(g,t) with analytic standard errors (one row per group and period)."""
        return pd.DataFrame({"group": self.group, "time": self.time, "att": self.att,
                             "se": self.se, "post": self.time >= self.group})

    def pretest(self) -> tuple[float, int, float]:
        """Wald test that all pre-treatment ATT(g,t) are zero: (W, df, p), as R ``did``."""
        pre = np.nonzero(self.time < self.group)[0]
        if pre.size == 0:
            return float("nan"), 0, float("nan")
        n = self.n_units
        V = self.inf.T @ self.inf / n
        pv = V[np.ix_(pre, pre)]
        a = self.att[pre]
        W = float(n * a @ np.linalg.pinv(pv) @ a)  # pinv: a degenerate (exact) pre-period is 0
        return W, int(pre.size), float(stats.chi2.sf(W, pre.size))

    # -- aggregation (did::aggte) -------------------------------------------------------
    def _pg(self) -> np.ndarray:
        w = self.unit_weight
        glist, pos = np.unique(self.group, return_inverse=True)
        per = np.array([np.mean(w * (self.unit_group == g)) for g in glist])
        return per[pos]

    def _wif(self, keepers: np.ndarray, pg: np.ndarray, groups: np.ndarray) -> np.ndarray:
        w, G = self.unit_weight, self.unit_group
        ind = np.stack([w * (G == groups[k]) - pg[k] for k in keepers], axis=1)
        s = pg[keepers].sum()
        if1 = ind / s
        if2 = ind.sum(axis=1)[:, None] * (pg[keepers] / s ** 2)[None, :]
        return if1 - if2

    def _se(self, inf: np.ndarray) -> float:
        return float(np.sqrt(np.mean(inf ** 2) / self.n_units))

    def simple(self) -> tuple[float, np.ndarray]:
        """The simple aggregation and its influence function (no table; fast)."""
        keep = np.nonzero(self.group <= self.time)[0]
        pg = self._pg()
        wk = pg[keep] / pg[keep].sum()
        agg_inf = self.inf[:, keep] @ wk + self._wif(keep, pg, self.group) @ self.att[keep]
        return float(self.att[keep] @ wk), agg_inf

    def aggregate(self, kind: str = "simple") -> Aggregation:
        """Aggregate as ``did::aggte(type=kind)``: simple, dynamic, group or calendar."""
        if kind not in AGGREGATIONS:
            raise ValueError(f"unknown aggregation {kind!r} (use {', '.join(AGGREGATIONS)})")
        att, inf, grp, tim = self.att, self.inf, self.group, self.time
        pg = self._pg()
        if kind == "simple":
            value, agg_inf = self.simple()
            return Aggregation("simple", value, self._se(agg_inf), pd.DataFrame(
                {"level": ["overall"], "att": [value], "se": [self._se(agg_inf)]}), agg_inf, agg_inf[:, None])
        levels, values, infs = [], [], []
        if kind == "dynamic":
            e = tim - grp
            for ev in np.unique(e):
                k = np.nonzero(e == ev)[0]
                wk = pg[k] / pg[k].sum()
                levels.append(int(ev)); values.append(float(att[k] @ wk))
                infs.append(inf[:, k] @ wk + self._wif(k, pg, grp) @ att[k])
            sel = np.array(levels) >= 0
        elif kind == "group":
            glist = np.unique(self.group)
            pgo = np.array([np.mean(self.unit_weight * (self.unit_group == g)) for g in glist])
            for g in glist:
                k = np.nonzero((grp == g) & (g <= tim))[0]
                levels.append(int(g)); values.append(float(att[k].mean()))
                infs.append(inf[:, k].mean(axis=1))
            infm = np.stack(infs, axis=1)
            wo = pgo / pgo.sum()
            overall = float(np.array(values) @ wo)
            wif = np.stack([self.unit_weight * (self.unit_group == g) - p for g, p in zip(glist, pgo)], axis=1)
            wif = wif / pgo.sum() - wif.sum(axis=1)[:, None] * (pgo / pgo.sum() ** 2)[None, :]
            agg_inf = infm @ wo + wif @ np.array(values)
            return self._finish("group", levels, values, infm, overall, agg_inf)
        else:  # calendar
            for t1 in np.unique(tim[tim >= grp.min()]):
                k = np.nonzero((tim == t1) & (grp <= tim))[0]
                if k.size == 0:
                    continue
                wk = pg[k] / pg[k].sum()
                levels.append(int(t1)); values.append(float(att[k] @ wk))
                infs.append(inf[:, k] @ wk + self._wif(k, pg, grp) @ att[k])
            sel = np.ones(len(levels), dtype=bool)
        infm = np.stack(infs, axis=1)
        overall = float(np.mean(np.array(values)[sel]))
        agg_inf = infm[:, sel].mean(axis=1)
        return self._finish(kind, levels, values, infm, overall, agg_inf)

    def _finish(self, kind, levels, values, infm, overall, agg_inf) -> Aggregation:
        ses = np.sqrt((infm ** 2).mean(axis=0) / self.n_units)
        table = pd.DataFrame({"level": levels, "att": values, "se": ses})
        return Aggregation(kind, overall, self._se(agg_inf), table, agg_inf, infm)


def _design(cov: np.ndarray | None, rows: np.ndarray) -> np.ndarray:
    ones = np.ones((rows.shape[0], 1))
    return ones if cov is None else np.hstack([ones, cov[rows]])


def att_gt(y, unit, time, start, weights=None, control: str = "never", covariates=None,
           est_method: str = "dr", panel: bool = True, allow_unbalanced_panel: bool = False) -> GroupTimeATT:
    """Group-time ATTs, without or with covariates (one row per unit and period).

    ``start`` is the first treated period of the unit (0 = never treated, constant within
    unit). Units treated in or before the first period are dropped (no pre-period); a start
    after the last period counts as never treated, as in R ``did``. ``weights`` are unit
    weights; a time-varying weight is averaged over periods.

    ``covariates`` (rows x k, aligned with ``y``) enter each 2x2 comparison through
    ``est_method``: ``dr`` (doubly robust, Sant'Anna & Zhao 2020; R ``did``'s default),
    ``ipw`` or ``reg``. On a panel the covariates of the base period are used (R ``did``);
    they are meant to be pre-treatment, unit-level values such as an estate's composition.

    ``panel=True`` (balanced panel): incomplete units are dropped unless
    ``allow_unbalanced_panel`` (then, if the panel is unbalanced, the repeated
    cross-section estimators run on the rows of the two periods and the influence
    function is summed within unit, as R ``did``). ``panel=False`` always uses the repeated
    cross-section estimators with ``unit`` as the cluster; several rows per unit and period
    are allowed then (persons within estates).
    """
    if control not in CONTROL_GROUPS:
        raise ValueError(f"unknown control group {control!r} (use never or notyet)")
    from .drdid import EST_METHODS

    if est_method not in EST_METHODS:
        raise ValueError(f"unknown est_method {est_method!r} (use {', '.join(EST_METHODS)})")
    df = pd.DataFrame({"u": np.asarray(unit), "t": np.asarray(time), "y": np.asarray(y, dtype=float),
                       "g": np.asarray(start), "w": 1.0 if weights is None else np.asarray(weights, dtype=float)})
    cov = None
    if covariates is not None:
        cov = np.asarray(covariates, dtype=float)
        cov = cov.reshape(len(df), -1)
        if not np.all(np.isfinite(cov)):
            raise ValueError("covariates must be finite numbers")
        if cov.shape[1] == 0:
            cov = None
    if panel and df.duplicated(["u", "t"]).any():
        raise ValueError("the panel has more than one row for a unit and period")
    if (df.groupby("u")["g"].nunique() > 1).any():
        raise ValueError("the start period must be constant within unit")
    periods = np.sort(df["t"].unique())
    counts = df.groupby("u")["t"].nunique()
    if panel and (not allow_unbalanced_panel or (counts == len(periods)).all()):
        return _att_gt_panel(df, cov, periods, control, est_method)
    return _att_gt_rc(df, cov, periods, control, est_method, panel)


def _cells(glist, periods):
    """(g, t index, base index) of every group-time effect with a varying base period."""
    for g in glist:
        for ti in range(1, len(periods)):
            t = periods[ti]
            if t >= g:
                before = np.nonzero(periods < g)[0]
                bi = int(before[-1])
            else:
                bi = ti - 1
            yield g, ti, bi


def _control(G: np.ndarray, g, t, base, control: str) -> np.ndarray:
    if control == "never":
        return G == 0
    return (G == 0) | ((G > max(t, base)) & (G != g))


def _att_gt_panel(df, cov, periods, control, est_method) -> GroupTimeATT:
    wide = df.pivot(index="u", columns="t", values="y").reindex(columns=periods)
    complete = wide.notna().all(axis=1)
    dropped = int((~complete).sum())
    meta = df.groupby("u").agg(g=("g", "first"), w=("w", "mean")).loc[wide.index]
    g_unit = meta["g"].to_numpy(dtype=float)
    g_unit = np.where(g_unit > periods.max(), 0, g_unit)
    keep = complete.to_numpy() & ~((g_unit > 0) & (g_unit <= periods.min()))
    dropped += int((~keep).sum()) - int((~complete).sum())
    Y = wide.to_numpy()[keep]
    G = g_unit[keep]
    w = meta["w"].to_numpy()[keep]
    w = w / w.mean()
    n = Y.shape[0]
    Xw = None
    if cov is not None:  # units x periods x k
        pos = pd.MultiIndex.from_arrays([df["u"], df["t"]])
        idx = pd.MultiIndex.from_product([wide.index[keep], periods])
        order = pd.Series(np.arange(len(df)), index=pos).reindex(idx).to_numpy()
        Xw = cov[order].reshape(n, len(periods), cov.shape[1])
    out = panel_core(Y, G, w, Xw, periods, control, est_method)
    out.dropped_units = dropped
    return out


def panel_core(Y, G, w, Xw, periods, control, est_method) -> GroupTimeATT:
    """ATT(g,t) of a balanced panel given as arrays: ``Y`` units x periods, ``G`` the start
    per unit (0 = never), ``w`` unit weights (mean 1), ``Xw`` units x periods x k or None.
    Used directly by randomization inference (start periods re-assigned)."""
    from .drdid import panel_2x2

    n = Y.shape[0]
    glist = np.sort(np.unique(G[G > 0]))
    groups, times, atts, infs = [], [], [], []
    for g, ti, bi in _cells(glist, periods):
        t, base = periods[ti], periods[bi]
        treat = G == g
        ctrl = _control(G, g, t, base, control)
        if not treat.any() or not ctrl.any():
            continue
        sub = treat | ctrl
        dy = Y[sub, ti] - Y[sub, bi]
        ws, d = w[sub], treat[sub]
        if Xw is None:
            m1 = np.mean(ws * d)
            m0 = np.mean(ws * ~d)
            mu1 = np.sum(ws * d * dy) / np.sum(ws * d)
            mu0 = np.sum(ws * ~d * dy) / np.sum(ws * ~d)
            ifs = ws * d * (dy - mu1) / m1 - ws * ~d * (dy - mu0) / m0
            att = mu1 - mu0
        else:
            X = np.hstack([np.ones((int(sub.sum()), 1)), Xw[sub, bi, :]])
            att, ifs = panel_2x2(dy, d.astype(float), X, ws, est_method)
        full = np.zeros(n)
        full[sub] = ifs * (n / sub.sum())
        groups.append(g); times.append(t); atts.append(att); infs.append(full)
    if not atts:
        raise ValueError("no group-time effect can be estimated (no treated or no control units)")
    return GroupTimeATT(group=np.array(groups), time=np.array(times), att=np.array(atts),
                        inf=np.stack(infs, axis=1), n_units=n, unit_group=G, unit_weight=w,
                        control=control, periods=periods, est_method=est_method if Xw is not None else "dr",
                        panel=True, arrays=(Y, Xw))


def _att_gt_rc(df, cov, periods, control, est_method, panel) -> GroupTimeATT:
    """Repeated cross-section estimators; the influence function is summed within unit."""
    from .drdid import rc_2x2

    g_row = df["g"].to_numpy(dtype=float)
    g_row = np.where(g_row > periods.max(), 0, g_row)
    early = (g_row > 0) & (g_row <= periods.min())
    units_all = df["u"].nunique()
    rows = np.nonzero(~early)[0]
    ucode, ulevels = pd.factorize(df["u"].to_numpy()[rows], sort=True)
    n = len(ulevels)
    dropped = units_all - n
    y = df["y"].to_numpy()[rows]
    tt = df["t"].to_numpy()[rows]
    G_row = g_row[rows]
    w_row = df["w"].to_numpy(dtype=float)[rows]
    w_row = w_row / w_row.mean()
    X_all = None if cov is None else cov[rows]
    unit_w = np.bincount(ucode, w_row, minlength=n) / np.bincount(ucode, minlength=n)
    G = np.zeros(n)
    G[ucode] = G_row
    unit_w = unit_w / unit_w.mean()
    glist = np.sort(np.unique(G[G > 0]))
    groups, times, atts, infs = [], [], [], []
    for g, ti, bi in _cells(glist, periods):
        t, base = periods[ti], periods[bi]
        treat = G_row == g
        ctrl = _control(G_row, g, t, base, control)
        sel = (treat | ctrl) & ((tt == t) | (tt == base))
        post = (tt[sel] == t).astype(float)
        d = treat[sel].astype(float)
        if min((d * post).sum(), (d * (1 - post)).sum(), ((1 - d) * post).sum(), ((1 - d) * (1 - post)).sum()) == 0:
            continue
        X = _design(X_all, np.nonzero(sel)[0])
        att, psi = rc_2x2(y[sel], post, d, X, w_row[sel], est_method if cov is not None else "reg")
        full = np.bincount(ucode[sel], psi * (n / sel.sum()), minlength=n)
        groups.append(g); times.append(t); atts.append(att); infs.append(full)
    if not atts:
        raise ValueError("no group-time effect can be estimated (no treated or no control units)")
    return GroupTimeATT(group=np.array(groups), time=np.array(times), att=np.array(atts),
                        inf=np.stack(infs, axis=1), n_units=n, unit_group=G, unit_weight=unit_w,
                        control=control, periods=periods, dropped_units=dropped,
                        est_method=est_method if cov is not None else "dr", panel=False)
