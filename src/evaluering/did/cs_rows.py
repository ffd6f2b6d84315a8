"""The tidy rows of a Callaway-Sant'Anna result, with analytic or multiplier-bootstrap
standard errors and simultaneous bands.

Rows: ``ATT`` (simple aggregation), for each of dynamic / group / calendar the overall
value and one row per level, and one row per ATT(g,t). With the bootstrap every standard
error comes from one matrix of multipliers (seeded); as R ``did`` the overall values get
pointwise normal intervals and the levels of an aggregation, and the ATT(g,t), get the
uniform band of their family (critical value in ``bands``).

>>> import numpy as np, pandas as pd
>>> from evaluering.did.cs import att_gt
>>> rows = [(u, t, 3 if u < 3 else 0) for u in range(8) for t in range(1, 5)]
>>> df = pd.DataFrame(rows, columns=["u", "t", "g"]); df["y"] = np.sin(df.index.to_numpy())
>>> tab, bands, notes = cs_rows(att_gt(df["y"], df["u"], df["t"], df["g"]), bootstrap=True, seed=1)
>>> sorted(bands)
['attgt', 'calendar', 'dynamic', 'group']
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["cs_rows"]

_KEY = {"dynamic": "event_time", "group": "group", "calendar": "time"}
_LABEL = {"dynamic": "e", "group": "g", "calendar": "t"}


def cs_rows(res, bootstrap: bool = False, biters: int = 999, cband: bool = True, seed: int | None = None,
            weights: str = "rademacher", level: float = 0.95):
    """``(rows, bands, notes)`` for :class:`~evaluering.did.results.DidResult`."""
    from .mboot import band_crit, multiplier_bootstrap

    alpha = 1 - level
    z = float(stats.norm.ppf(1 - alpha / 2))
    rows, infs, family = [], [], []

    def add(row, se, inf, fam=None):
        row["std_error"] = float(se)
        rows.append(row); infs.append(inf); family.append(fam)

    att, inf = res.simple()
    add({"term": "ATT", "kind": "att", "estimate": att}, res._se(inf), inf)
    for kind in ("dynamic", "group", "calendar"):
        agg = res.aggregate(kind)
        add({"term": f"{kind}:overall", "kind": f"{kind}_overall", "estimate": agg.att}, agg.se, agg.inf)
        levels, atts, ses = (agg.table[c].to_numpy() for c in ("level", "att", "se"))
        for j in range(len(levels)):
            add({"term": f"{kind}:{_LABEL[kind]}={int(levels[j])}", "kind": kind, _KEY[kind]: int(levels[j]),
                 "estimate": float(atts[j])}, ses[j], agg.level_inf[:, j], kind)
    ses = res.se
    for k in range(len(res.att)):
        g, t = int(res.group[k]), int(res.time[k])
        add({"term": f"ATT(g={g},t={t})", "kind": "attgt", "group": g, "time": t, "event_time": t - g,
             "estimate": float(res.att[k])}, ses[k], res.inf[:, k], "attgt")
    bands = {}
    if bootstrap:
        # one multiplier matrix for every row; each family's band from its own columns
        mb = multiplier_bootstrap(np.column_stack(infs), biters=biters, weights=weights, seed=seed, alpha=alpha,
                                  n=res.n_units)
        fam = np.array(family, dtype=object)
        for row, se in zip(rows, mb.se):
            row["std_error"] = float(se)
        if cband:
            for name in ("dynamic", "group", "calendar", "attgt"):
                cols = np.nonzero(fam == name)[0]
                crit = band_crit(_sub(mb, cols, alpha), alpha)
                bands[name] = crit
                for c in cols:
                    r = rows[c]
                    if np.isfinite(r["std_error"]):
                        r["conf_low"] = r["estimate"] - crit * r["std_error"]
                        r["conf_high"] = r["estimate"] + crit * r["std_error"]
        notes = [f"Standardfejl fra multiplikator-bootstrap ({biters} træk, {weights}-vægte, klynger = enheder, "
                 f"seed {seed})" + ("; simultane bånd for ATT(g,t) og niveauerne i hver aggregering "
                                    f"(kritisk værdi {_fmt(bands.get('attgt', z))} for ATT(g,t))." if cband
                                    else "; punktvise intervaller.")]
    else:
        notes = ["Standardfejl fra influensfunktioner (analytiske); normalfordelte intervaller."]
    return rows, bands, notes


def _sub(mb, cols, alpha):
    """The sup-t critical value of a subset of the bootstrapped columns."""
    from .mboot import MbootResult, sup_t

    return MbootResult(se=mb.se[cols], crit=sup_t(mb.bres[:, cols], mb.sigma[cols], alpha), bres=mb.bres[:, cols],
                       n_clusters=mb.n_clusters, biters=mb.biters, weights=mb.weights, seed=mb.seed)


def _fmt(x: float) -> str:
    from ..fmt import number

    return number(x, 2)
