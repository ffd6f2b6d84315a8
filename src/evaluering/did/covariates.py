"""Covariates of the Callaway-Sant'Anna estimator: checked columns aligned with the panel.

Covariates are unit-level pre-treatment values. On count cells the unit is the estate and a
covariate is an estate-year composition share (for example the share aged 10-17, the share
of men or of non-Western immigrants and descendants), a ratio of sums over the estate-year
cell; R ``did`` uses the value of the base period of each comparison.

:func:`covariate_matrix` reads the named columns of a raw panel, checks them (numbers,
no gaps) and aligns them with the rows of :func:`~evaluering.did.panel.prepare_panel`;
:func:`composition_shares` builds estate-year shares from count cells.

>>> import pandas as pd
>>> raw = pd.DataFrame({"u": ["a", "a", "b", "b"], "t": [1, 2, 1, 2], "s": [2, 2, 0, 0],
...                     "y": [1.0, 2.0, 1.0, 1.0], "x": ["0.2", "0.3", "0.5", "0.4"]})
>>> from evaluering.did.panel import prepare_panel
>>> df = prepare_panel(raw, "u", "t", "s", outcome="y")
>>> covariate_matrix(raw, df, ["x"], "u", "t").ravel().tolist()
[0.2, 0.3, 0.5, 0.4]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["covariate_matrix", "parse_covariates", "composition_shares"]


def parse_covariates(spec) -> list[str]:
    """``"a,b, c"`` or a list -> ``["a", "b", "c"]`` (empty -> ``[]``).

    >>> parse_covariates("andel_10_17, andel_maend")
    ['andel_10_17', 'andel_maend']
    """
    if spec is None:
        return []
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    return [str(x).strip() for x in items if str(x).strip()]


def covariate_matrix(raw: pd.DataFrame, df: pd.DataFrame, names, unit: str, time: str,
                     where: str = "panel") -> np.ndarray:
    """The covariate columns ``names`` of ``raw`` as a float matrix aligned with ``df``
    (the prepared panel: columns ``unit``, ``time``). Raises :class:`InputError`
    (``file:row:column``) for a missing column or a value that is not a number."""
    names = parse_covariates(names)
    lines = np.asarray(raw.attrs.get("lines", np.arange(len(raw)) + 2))
    for c in names:
        if c not in raw.columns:
            raise InputError(where, f"kovariaten {c!r} findes ikke i panelet", row=1, column=c)
    vals = np.empty((len(raw), len(names)))
    for j, c in enumerate(names):
        v = pd.to_numeric(raw[c], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(v)
        if bad.any():
            i = int(np.nonzero(bad)[0][0])
            raise InputError(where, "kovariaten skal være et tal", row=int(lines[i]), column=c)
        vals[:, j] = v
    tnum = pd.to_numeric(raw[time], errors="coerce").to_numpy()
    key = pd.MultiIndex.from_arrays([raw[unit].to_numpy(), tnum.astype(np.int64)])
    pos = pd.Series(np.arange(len(raw)), index=key)
    pos = pos[~pos.index.duplicated()]
    want = pd.MultiIndex.from_arrays([df["unit"].to_numpy(), df["time"].to_numpy().astype(np.int64)])
    idx = pos.reindex(want).to_numpy()
    return vals[idx.astype(np.int64)]


def composition_shares(cells: pd.DataFrame, measure: str, groups: dict[str, dict]) -> pd.DataFrame:
    """Estate-year shares from count cells: for each name in ``groups`` the population of
    the cells matching the filter (``{"age_band": [...], "sex": [...]}``) over the
    population of the cells matching its ``"within"`` filter (default: every cell of
    ``measure``), a ratio of sums over the estate-year.

    >>> cells = pd.DataFrame({"level": "estate", "area": "A", "year": 2016, "measure": "beboere",
    ...     "age_band": ["10-17", "18-29", "10-17", "18-29"], "sex": ["M", "M", "K", "K"],
    ...     "numerator": [1, 1, 1, 1], "denominator": [10, 30, 20, 40]})
    >>> composition_shares(cells, "beboere", {"andel_10_17": {"age_band": ["10-17"]},
    ...     "andel_maend": {"sex": ["M"]}, "andel_maend_18_29": {"sex": ["M"], "within": {"age_band": ["18-29"]}}}
    ...     ).round(3).values.tolist()
    [['A', 2016, 0.3, 0.4, 0.429]]
    """
    sel = cells[(cells["level"] == "estate") & (cells["measure"] == measure)]
    if sel.empty:
        raise InputError("cells", f"ingen celler for målet {measure!r}", column="measure")
    sel = sel.assign(area=sel["area"].astype(str))
    index = sel.groupby(["area", "year"])["denominator"].sum().index
    out = pd.DataFrame(index=index)

    def pop(filt: dict) -> pd.Series:
        m = np.ones(len(sel), dtype=bool)
        for col, allowed in filt.items():
            m &= sel[col].isin(list(allowed)).to_numpy()
        return sel[m].groupby(["area", "year"])["denominator"].sum().reindex(index, fill_value=0)

    for name, filt in groups.items():
        filt = dict(filt)
        within = filt.pop("within", {})
        total = pop(within)
        out[name] = pop({**within, **filt}) / total.where(total > 0)
    return out.reset_index().rename(columns={"area": "unit", "year": "time"})
