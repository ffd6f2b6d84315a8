"""The estimators on a panel: :func:`twfe`, :func:`event_study`, :func:`callaway_santanna`.

Each takes a panel DataFrame and column names (see :func:`~evaluering.did.panel.prepare_panel`)
and returns a :class:`~evaluering.did.results.DidResult`. :data:`ESTIMATORS` maps the names
of the command line (``twfe``, ``event``, ``cs``) to them; :func:`estimate` dispatches.

>>> import numpy as np, pandas as pd
>>> rows = [(u, t, 2017 if u < 3 else 0) for u in range(8) for t in range(2014, 2020)]
>>> p = pd.DataFrame(rows, columns=["unit", "time", "start"])
>>> p["y"] = p["unit"] * 0.1 + (p["time"] - 2014) * 0.2 + 0.5 * ((p["start"] > 0) & (p["time"] >= p["start"]))
>>> round(twfe(p, outcome="y").att, 10)
0.5
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .panel import prepare_panel
from .results import DidResult, finish_table
from .twfe import encode, fit_twfe
from .vcov import VCOV_TYPES, cluster_vcov, default_vcov_type

__all__ = ["twfe", "event_study", "callaway_santanna", "estimate", "ESTIMATORS", "INFERENCE_METHODS"]

INFERENCE_METHODS = ("analytic", "wild", "ri")


def _prepared(panel, unit, time, start, outcome, count, population, weights):
    if {"y", "w", "treated"} <= set(panel.columns) and outcome is None and count is None:
        return panel
    return prepare_panel(panel, unit, time, start, outcome=outcome, count=count,
                         population=population, weights=weights, where=panel.attrs.get("path", "panel"))


def _fit(df: pd.DataFrame, X: np.ndarray, names: list[str]):
    ucode, ulevels = encode(df["unit"].to_numpy())
    tcode, tlevels = encode(df["time"].to_numpy())
    kind = "frequency" if df.attrs.get("weight_kind") == "frequency" else "analytic"
    fit = fit_twfe(df["y"].to_numpy(), X, ucode, tcode, weights=df["w"].to_numpy(), names=names,
                   weight_kind=kind)
    return fit, ucode, tcode, ulevels, tlevels


def _counts(df: pd.DataFrame) -> dict:
    units = df.groupby("unit")["start"].first()
    return {"n_obs": int(len(df)), "n_units": int(units.shape[0]), "n_treated_units": int((units > 0).sum()),
            "n_persons": float(df["w"].sum()) if df.attrs.get("weight_kind") == "frequency" else None}


def _check_vcov(vcov: str | None, n_clusters: int) -> str:
    if vcov is None:
        return default_vcov_type(n_clusters)
    v = vcov.upper()
    if v not in VCOV_TYPES:
        raise ValueError(f"unknown vcov {vcov!r} (use {', '.join(VCOV_TYPES)})")
    return v


def twfe(panel: pd.DataFrame, unit: str = "unit", time: str = "time", start: str = "start",
         outcome: str | None = None, count: str | None = None, population: str | None = None,
         weights: str | None = "auto", vcov: str | None = None, inference: str = "analytic",
         wild_weights: str = "rademacher", n_boot: int = 9999, n_perm: int = 9999,
         seed: int | None = 20170201, level: float = 0.95) -> DidResult:
    """Two-way fixed effects DiD: ``y ~ D | unit + time`` with ``D = 1{time >= start > 0}``.

    ``vcov``: CR0, CR1 (Stata) or CR2 (default below 50 clusters, else CR1), clustered by
    unit. ``inference``: ``analytic`` (t with G-1 or Satterthwaite df), ``wild`` (restricted
    wild cluster bootstrap; interval by test inversion) or ``ri`` (randomization inference).
    """
    if inference not in INFERENCE_METHODS:
        raise ValueError(f"unknown inference {inference!r} (use {', '.join(INFERENCE_METHODS)})")
    df = _prepared(panel, unit, time, start, outcome, count, population, weights)
    if df["treated"].sum() == 0:
        raise ValueError("no treated observations (start > 0 and time >= start)")
    fit, ucode, tcode, _, tlevels = _fit(df, df[["treated"]].to_numpy(), ["ATT"])
    vtype = _check_vcov(vcov, fit.n_clusters)
    V = cluster_vcov(fit, vtype)
    se = float(V.se()[0])
    row = {"term": "ATT", "kind": "att", "estimate": float(fit.coef[0]), "std_error": se,
           "df": V.df(np.array([1.0]))}
    notes = []
    if inference == "wild":
        from .wild import wild_cluster_bootstrap

        wb = wild_cluster_bootstrap(fit, 0, 0.0, weights=wild_weights, n_boot=n_boot, seed=seed, level=level)
        row.update(p_value=wb.p_value, conf_low=wb.conf_low, conf_high=wb.conf_high)
        notes.append(f"Vild cluster-bootstrap (WCR, {wb.weights}): "
                     + ("alle fortegnsvektorer" if wb.enumerated else f"{wb.n_draws} træk, seed {wb.seed}")
                     + f" ({wb.n_draws}).")
    elif inference == "ri":
        from .ri import randomization_inference

        ustart = df.groupby("unit")["start"].first().to_numpy()
        ri = randomization_inference(df["y"].to_numpy(), ucode, tcode, ustart, weights=df["w"].to_numpy(),
                                     time_values=df["time"].to_numpy(), n_perm=n_perm, seed=seed, level=level)
        row.update(p_value=ri.p_value, conf_low=ri.conf_low, conf_high=ri.conf_high)
        notes.append("Randomiseringsinferens: " + ("alle " if ri.exact else f"seed {ri.seed}, ")
                     + f"{ri.n_assignments} tildelinger.")
    table = finish_table(pd.DataFrame([row]), level)
    return DidResult("twfe", table, vcov=vtype, inference=inference, n_clusters=fit.n_clusters, level=level,
                     outcome=outcome or count, notes=notes, **_counts(df))


def event_study(panel: pd.DataFrame, unit: str = "unit", time: str = "time", start: str = "start",
                outcome: str | None = None, count: str | None = None, population: str | None = None,
                weights: str | None = "auto", vcov: str | None = None, leads: int | None = None,
                lags: int | None = None, level: float = 0.95, inference: str = "analytic",
                wild_weights: str = "rademacher", n_boot: int = 9999, n_perm: int = 9999,
                seed: int | None = 20170201) -> DidResult:
    """Event study: TWFE with event-time dummies (reference -1, binned end points).

    The ``ATT`` row is the equally weighted mean of the post coefficients (event time >= 0);
    ``tests["pretrend"]`` is the joint Wald test of the leads. ``inference="wild"``: WCR
    bootstrap p-values and intervals for every row; ``"ri"``: randomization inference for
    the ``ATT`` row (see :mod:`evaluering.did.event_inference`).

    >>> rows = [(u, t, 2017 if u < 3 else 0) for u in range(8) for t in range(2013, 2020)]
    >>> p = pd.DataFrame(rows, columns=["unit", "time", "start"])
    >>> p["y"] = p["unit"] + 0.4 * ((p["start"] > 0) & (p["time"] >= p["start"]))
    >>> res = event_study(p, outcome="y", leads=3, lags=2)
    >>> res.tidy()["term"].tolist(), round(res.att, 10)
    (['ATT', 'e<=-3', 'e=-2', 'e=0', 'e=1', 'e>=2'], 0.4)
    """
    from .event import default_window, event_design, pretrend_test

    df = _prepared(panel, unit, time, start, outcome, count, population, weights)
    dl, dg = default_window(df["time"].to_numpy(), df["start"].to_numpy())
    leads = dl if leads is None else int(leads)
    lags = dg if lags is None else int(lags)
    X, names, events = event_design(df["time"].to_numpy(), df["start"].to_numpy(), leads, lags)
    fit, *_ = _fit(df, X, names)
    vtype = _check_vcov(vcov, fit.n_clusters)
    V = cluster_vcov(fit, vtype)
    cov = V.cov()
    rows = []
    for j, (name, e) in enumerate(zip(names, events)):
        c = np.zeros(len(names)); c[j] = 1
        rows.append({"term": name, "kind": "event", "event_time": int(e), "estimate": float(fit.coef[j]),
                     "std_error": float(np.sqrt(max(cov[j, j], 0))), "df": V.df(c)})
    post = (events >= 0).astype(float)
    c = post / post.sum()
    rows.insert(0, {"term": "ATT", "kind": "att", "estimate": float(c @ fit.coef),
                    "std_error": float(np.sqrt(max(c @ cov @ c, 0))), "df": V.df(c)})
    tests = {"pretrend": pretrend_test(fit.coef, cov, events, fit.n_clusters, vcov=V)}
    notes = [f"Referenceperiode -1; endepunkterne {names[0]} og {names[-1]} er samlet (binned)."]
    if inference not in INFERENCE_METHODS:
        raise ValueError(f"unknown inference {inference!r} (use {', '.join(INFERENCE_METHODS)})")
    if inference == "wild":
        from .event_inference import event_wild_rows

        n_draws, enum = event_wild_rows(fit, rows, events, weights=wild_weights, n_boot=n_boot, seed=seed,
                                        level=level)
        notes.append(f"Vild cluster-bootstrap (WCR, {wild_weights}) for hver række: "
                     + ("alle fortegnsvektorer" if enum else f"{n_draws} træk, seed {seed}") + f" ({n_draws}).")
    elif inference == "ri":
        from .event_inference import event_ri

        ri = event_ri(df["y"].to_numpy(), df["unit"].to_numpy(), df["time"].to_numpy(), df["start"].to_numpy(),
                      df["w"].to_numpy(), leads, lags, n_perm=n_perm, seed=seed, level=level)
        rows[0].update(p_value=ri["p_value"], conf_low=ri["conf_low"], conf_high=ri["conf_high"])
        notes.append("Randomiseringsinferens for ATT (studentiseret): " + ("alle " if ri["exact"] else f"seed {seed}, ")
                     + f"{ri['n_assignments']} tildelinger.")
    if fit.rank < fit.Zs.shape[1]:
        notes.append("Designet er ikke af fuld rang: nogle koefficienter er ikke identificeret.")
    return DidResult("event", finish_table(pd.DataFrame(rows), level), vcov=vtype, n_clusters=fit.n_clusters,
                     level=level, inference=inference, outcome=outcome or count, tests=tests, notes=notes, **_counts(df))


def callaway_santanna(panel: pd.DataFrame, unit: str = "unit", time: str = "time", start: str = "start",
                      outcome: str | None = None, count: str | None = None, population: str | None = None,
                      weights: str | None = "auto", control: str = "never", level: float = 0.95,
                      covariates=None, est_method: str = "dr", bootstrap: str | None = None,
                      biters: int = 999, cband: bool = True, seed: int | None = 20170201,
                      multiplier_weights: str = "rademacher", allow_unbalanced_panel: bool = False,
                      panel_type: bool = True, inference: str = "analytic", wild_weights: str = "rademacher",
                      n_boot: int = 9999, n_perm: int = 9999) -> DidResult:
    """Callaway & Sant'Anna ATT(g,t) with the four aggregations; ``ATT`` is the simple
    aggregation.

    ``covariates`` (column names or ``"a,b"``): unit-level pre-treatment covariates, used
    through ``est_method`` ``dr`` (doubly robust, the default as in R ``did``), ``ipw`` or
    ``reg``. Standard errors are analytic (influence functions, normal intervals) or, with
    ``bootstrap="multiplier"``, from the multiplier bootstrap (``biters`` draws, Rademacher
    weights as R ``did`` or ``multiplier_weights="mammen"``, clustered by unit) with
    simultaneous bands (``cband``: sup-t critical value for ATT(g,t) and for the levels of
    each aggregation), as R ``did`` by default.
    ``inference="wild"`` or ``"ri"`` adds wild cluster bootstrap or randomization-inference
    p-values and intervals (see :mod:`evaluering.did.cs_inference`).

    >>> rows = [(u, t, 2017 if u < 3 else 0) for u in range(8) for t in range(2013, 2020)]
    >>> p = pd.DataFrame(rows, columns=["unit", "time", "start"])
    >>> p["y"] = p["unit"] + 0.1 * p["time"] + 0.4 * ((p["start"] > 0) & (p["time"] >= p["start"]))
    >>> round(callaway_santanna(p, outcome="y", control="notyet").att, 10)
    0.4
    """
    from .cs import att_gt
    from .covariates import covariate_matrix, parse_covariates

    if inference not in INFERENCE_METHODS:
        raise ValueError(f"unknown inference {inference!r} (use {', '.join(INFERENCE_METHODS)})")
    if bootstrap not in (None, "none", "analytic", "multiplier"):
        raise ValueError(f"unknown bootstrap {bootstrap!r} (use multiplier)")
    names = parse_covariates(covariates)
    reserved = {"unit", "time", "start", "y", "w", "treated", "_line"}
    if set(names) & reserved:
        raise ValueError(f"en kovariat må ikke hedde {', '.join(sorted(set(names) & reserved))}")
    df = _prepared(panel, unit, time, start, outcome, count, population, weights)
    X = None
    if names:
        X = covariate_matrix(panel, df, names, unit, time, where=panel.attrs.get("path", "panel")) \
            if not set(names) <= set(df.columns) else df[names].to_numpy(dtype=float)
    res = att_gt(df["y"], df["unit"], df["time"], df["start"], weights=df["w"], control=control,
                 covariates=X, est_method=est_method, panel=panel_type,
                 allow_unbalanced_panel=allow_unbalanced_panel)
    from .cs_rows import cs_rows

    rows, bands, notes = cs_rows(res, bootstrap == "multiplier", biters=biters, cband=cband, seed=seed,
                                 weights=multiplier_weights, level=level)
    if names:
        notes.insert(0, f"Kovariater: {', '.join(names)} (basisperiodens værdier); metode: "
                     + {"dr": "dobbelt robust (Sant'Anna & Zhao 2020)", "ipw": "IPW", "reg": "udfaldsregression"}[est_method]
                     + ".")
    if not res.panel:
        notes.append("Ubalanceret panel: estimatorer for gentagne tværsnit, influensfunktioner summeret pr. enhed.")
    W, q, p = res.pretest()
    tests = {"pretrend": {"statistic": W, "df1": q, "p_value": p}}
    if res.dropped_units:
        notes.append(f"{res.dropped_units} enheder udeladt (ufuldstændigt panel eller behandlet fra første periode).")
    table = finish_table(pd.DataFrame(rows), level)
    if inference != "analytic":
        from .cs_inference import cs_wild, cs_ri

        if inference == "wild":
            out = cs_wild(res, table, weights=wild_weights, n_boot=n_boot, seed=seed, level=level)
        else:
            out = cs_ri(res, table, n_perm=n_perm, seed=seed, level=level)
        table = out.table
        notes.append(out.note)
    counts = _counts(df)
    boot = bootstrap == "multiplier"
    result = DidResult("cs", table, control=control, level=level, outcome=outcome or count, tests=tests,
                       notes=notes, n_clusters=res.n_units, vcov="multiplier-bootstrap" if boot else None,
                       inference=inference if inference != "analytic" or not boot else "multiplier", **counts)
    result.bands = bands
    return result


#: command-line name -> estimator
ESTIMATORS = {"twfe": twfe, "event": event_study, "cs": callaway_santanna}


def estimate(panel: pd.DataFrame, estimator: str = "twfe", **kwargs) -> DidResult:
    """Run the estimator named ``twfe``, ``event`` or ``cs`` (see :data:`ESTIMATORS`).

    >>> p = pd.DataFrame({"unit": [1, 1, 2, 2], "time": [1, 2, 1, 2], "start": [2, 2, 0, 0],
    ...                   "y": [1.0, 2.0, 1.0, 1.5]})
    >>> round(estimate(p, "twfe", outcome="y", vcov="CR0").att, 10)
    0.5
    """
    try:
        fun = ESTIMATORS[estimator]
    except KeyError:
        raise ValueError(f"unknown estimator {estimator!r} (use {', '.join(ESTIMATORS)})") from None
    return fun(panel, **kwargs)
