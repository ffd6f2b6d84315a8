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
    from .mboot import band_crit, draw_multipliers, multiplier_bootstrap

    alpha = 1 - level
    z = float(stats.norm.ppf(1 - alpha / 2))
    n = res.n_units
    V = draw_multipliers(n, biters, weights, seed) if bootstrap else None

    def boot(inf):
        return multiplier_bootstrap(inf, biters=biters, weights=weights, seed=seed, alpha=alpha, draws=V, n=n)

    rows, bands = [], {}

    def add(row, se, crit=None):
        row["std_error"] = float(se)
        if crit is not None and np.isfinite(se):
            row["conf_low"] = row["estimate"] - crit * se
            row["conf_high"] = row["estimate"] + crit * se
        rows.append(row)

    simple = res.aggregate("simple")
    se = boot(simple.inf).se[0] if bootstrap else simple.se
    add({"term": "ATT", "kind": "att", "estimate": simple.att}, se)
    for kind in ("dynamic", "group", "calendar"):
        agg = res.aggregate(kind)
        se_all = boot(agg.inf).se[0] if bootstrap else agg.se
        add({"term": f"{kind}:overall", "kind": f"{kind}_overall", "estimate": agg.att}, se_all)
        crit, ses = None, agg.table["se"].to_numpy()
        if bootstrap:
            mb = boot(agg.level_inf)
            ses = mb.se
            if cband:
                crit = band_crit(mb, alpha)
                bands[kind] = crit
        for (_, r), s in zip(agg.table.iterrows(), ses):
            add({"term": f"{kind}:{_LABEL[kind]}={int(r['level'])}", "kind": kind, _KEY[kind]: int(r["level"]),
                 "estimate": float(r["att"])}, s, crit)
    tab = res.table()
    ses, crit = tab["se"].to_numpy(), None
    if bootstrap:
        mb = boot(res.inf)
        ses = mb.se
        if cband:
            crit = band_crit(mb, alpha)
            bands["attgt"] = crit
    for (_, r), s in zip(tab.iterrows(), ses):
        add({"term": f"ATT(g={int(r['group'])},t={int(r['time'])})", "kind": "attgt", "group": int(r["group"]),
             "time": int(r["time"]), "event_time": int(r["time"] - r["group"]), "estimate": float(r["att"])}, s, crit)
    if bootstrap:
        notes = [f"Standardfejl fra multiplikator-bootstrap ({biters} træk, {weights}-vægte, klynger = enheder, "
                 f"seed {seed})" + ("; simultane bånd for ATT(g,t) og niveauerne i hver aggregering "
                                    f"(kritisk værdi {_fmt(bands.get('attgt', z))} for ATT(g,t))." if cband
                                    else "; punktvise intervaller.")]
    else:
        notes = ["Standardfejl fra influensfunktioner (analytiske); normalfordelte intervaller."]
    return rows, bands, notes


def _fmt(x: float) -> str:
    from ..fmt import number

    return number(x, 2)
