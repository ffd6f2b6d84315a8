"""The unit-time panel of the effect estimators, from count cells or a table.

A panel has one row per unit (estate) and period with ``unit``, ``time``, ``start`` (first
treated period, 0 = never treated) and either an ``outcome`` or a ``count`` and a
``population``; with count and population the outcome is the share ``count / population``
(a ratio of sums over the cell, never a mean of rates), weighted by population.

>>> import pandas as pd
>>> p = pd.DataFrame({"u": ["a", "a", "b", "b"], "t": [1, 2, 1, 2], "s": [2, 2, 0, 0],
...                   "k": [1, 3, 2, 2], "n": [10, 10, 20, 20]})
>>> prepare_panel(p, "u", "t", "s", count="k", population="n")[["y", "w", "treated"]].values.tolist()
[[0.1, 10.0, 0.0], [0.3, 10.0, 1.0], [0.1, 20.0, 0.0], [0.1, 20.0, 0.0]]
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["prepare_panel", "panel_from_cells", "read_panel_csv", "PANEL_COLUMNS"]

_DANISH_NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?$|^-?\d+,\d+$")

#: columns of :func:`panel_from_cells`
PANEL_COLUMNS = ("unit", "time", "start", "count", "population")


def panel_from_cells(cells: pd.DataFrame, measure: str, age_band: str, plan,
                     comparison_estates=None) -> pd.DataFrame:
    """Estate-year panel of one measure and age band from count cells.

    Returns ``unit`` (estate id), ``time`` (year), ``start`` (the plan's start year for its
    estates, honouring ``Estate.start_year``; 0 for comparison estates), ``count`` and
    ``population`` (summed over sex). ``comparison_estates`` (default: the plan's own
    controls, :func:`evaluering.effect_controls.comparison_estates`, never another plan's
    treated estates; for a plan-like object without data paths every other estate) selects
    the controls.

    >>> from types import SimpleNamespace as NS
    >>> plan = NS(start_year=2017, comparison_estates=None,
    ...           estates=[NS(id="A", start_year=None)])
    >>> cells = pd.DataFrame({"level": "estate", "area": ["A", "A", "B", "B"], "year": 2016,
    ...     "age_band": "10-17", "sex": ["M", "K", "M", "K"], "measure": "sigtede",
    ...     "numerator": [1, 2, 0, 1], "denominator": [10, 20, 5, 5]})
    >>> panel_from_cells(cells, "sigtede", "10-17", plan).values.tolist()
    [['A', 2016, 2017, 3, 30], ['B', 2016, 0, 1, 10]]
    """
    need = ("level", "area", "year", "age_band", "sex", "measure", "numerator", "denominator")
    missing = [c for c in need if c not in cells.columns]
    if missing:
        raise InputError("cells", f"missing column(s) {', '.join(missing)}", column=missing[0])
    sel = cells[(cells["level"] == "estate") & (cells["measure"] == measure)
                & (cells["age_band"] == age_band)]
    if sel.empty:
        raise InputError("cells", f"no estate cells for measure {measure!r} and age band {age_band!r}",
                         column="measure")
    if sel["denominator"].isna().any():
        raise InputError("cells", f"measure {measure!r} has no population (denominator)", column="denominator")
    starts = {e.id: (e.start_year if getattr(e, "start_year", None) else plan.start_year) for e in plan.estates}
    if comparison_estates is None:
        comparison_estates = getattr(plan, "comparison_estates", None)
    if comparison_estates is None and hasattr(plan, "estate_ids") and hasattr(plan, "data_path"):
        from ..effect_controls import comparison_estates as plan_controls

        comparison_estates = plan_controls(plan, cells)[0]    # never another plan's treated estates
    areas = sel["area"].astype(str)
    if comparison_estates is not None:
        sel = sel[areas.isin(starts) | areas.isin([str(x) for x in comparison_estates])]
    out = (sel.assign(area=sel["area"].astype(str))
           .groupby(["area", "year"], as_index=False)
           .agg(count=("numerator", "sum"), population=("denominator", "sum")))
    out = out.rename(columns={"area": "unit", "year": "time"})
    out["start"] = out["unit"].map(starts).fillna(0).astype("int64")
    out["time"] = out["time"].astype("int64")
    out["count"] = out["count"].astype("int64")
    out["population"] = out["population"].astype("int64")
    return out.loc[:, list(PANEL_COLUMNS)].sort_values(["unit", "time"], ignore_index=True)


def prepare_panel(panel: pd.DataFrame, unit: str = "unit", time: str = "time", start: str = "start",
                  outcome: str | None = None, count: str | None = None, population: str | None = None,
                  weights: str | None = "auto", where: str = "panel") -> pd.DataFrame:
    """Check a panel and return ``unit, time, start, y, w, treated`` (one row per unit and
    period). ``weights="auto"`` weights by population when the outcome is a share and not at
    all otherwise; ``None``/``"none"`` means unweighted; any other string is a column.
    Rows with zero population are dropped (their share is undefined).
    """
    if (outcome is None) == (count is None):
        raise InputError(where, "give either an outcome column or a count and a population column",
                         column=outcome or count)
    if count is not None and population is None:
        raise InputError(where, "a count needs a population column", column=count)
    cols = [unit, time, start] + ([outcome] if outcome else [count, population])
    if weights not in (None, "auto", "none"):
        cols.append(weights)
    for c in cols:
        if c not in panel.columns:
            raise InputError(where, f"no column {c!r}", row=1, column=c)
    df = pd.DataFrame({"unit": panel[unit].to_numpy(), "time": panel[time].to_numpy(),
                       "start": panel[start].to_numpy()})
    # file line numbers (header is line 1)
    _line = np.asarray(panel.attrs.get("lines", np.arange(len(panel)) + 2))

    def numeric(col: str, integer: bool = False, nonneg: bool = False) -> np.ndarray:
        values = pd.to_numeric(panel[col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values)
        if integer:
            bad |= np.isfinite(values) & (values != np.round(values))
        if nonneg:
            bad |= values < 0
        if bad.any():
            i = int(np.nonzero(bad)[0][0])
            what = "a whole number" if integer else "a number"
            what += " >= 0" if nonneg else ""
            raise InputError(where, f"the value must be {what}", row=int(_line[i]), column=col)
        return values

    df["time"] = numeric(time, integer=True).astype(np.int64)
    df["start"] = numeric(start, integer=True, nonneg=True).astype(np.int64)
    if outcome is not None:
        df["y"] = numeric(outcome)
        w = None
        if weights not in (None, "auto", "none"):
            w = numeric(weights, nonneg=True)
        df["w"] = 1.0 if w is None else w
        kind = "frequency" if w is not None else "unweighted"
    else:
        k = numeric(count, nonneg=True)
        n = numeric(population, nonneg=True)
        over = k > n
        if over.any():
            i = int(np.nonzero(over)[0][0])
            raise InputError(where, "the count exceeds the population", row=int(_line[i]), column=count)
        with np.errstate(divide="ignore", invalid="ignore"):
            df["y"] = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
        if weights == "auto":
            df["w"], kind = n, "frequency"
        elif weights in (None, "none"):
            df["w"], kind = 1.0, "unweighted"
        else:
            df["w"], kind = numeric(weights, nonneg=True), "frequency"
        df["_line"] = _line
        df = df[n > 0]
    if "_line" not in df:
        df["_line"] = _line
    if df["unit"].isna().any():
        i = int(np.nonzero(df["unit"].isna().to_numpy())[0][0])
        raise InputError(where, "missing unit", row=int(df["_line"].iloc[i]), column=unit)
    dup = df.duplicated(["unit", "time"])
    if dup.any():
        i = int(np.nonzero(dup.to_numpy())[0][0])
        raise InputError(where, "a second row for the same unit and period", row=int(df["_line"].iloc[i]), column=time)
    first_start = df.groupby("unit", sort=False)["start"].transform("first")
    if (first_start != df["start"]).any():
        i = int(np.nonzero((first_start != df["start"]).to_numpy())[0][0])
        raise InputError(where, "the start period must be the same in every row of a unit",
                         row=int(df["_line"].iloc[i]), column=start)
    df["treated"] = ((df["start"] > 0) & (df["time"] >= df["start"])).astype(float)
    df = df.sort_values(["unit", "time"], ignore_index=True)
    df.attrs["weight_kind"] = kind
    if df.empty:
        raise InputError(where, "no usable rows", column=outcome or population)
    return df


def read_panel_csv(path: str | Path) -> pd.DataFrame:
    """Read a panel CSV (comma or semicolon separated, UTF-8 with or without BOM or cp1252)
    with the checked reader every input uses (:func:`evaluering.sources.schema.read_raw`:
    limits on size, rows and field length; line numbers right with blank lines and quoted
    line breaks). In a ``;`` file numbers use the decimal comma.

    Raises :class:`InputError` with the file and line when the file cannot be parsed.
    """
    from ..sources.schema import read_raw

    path = Path(path)
    raw = read_raw(path)
    if raw.fmt != "csv":
        raise InputError(path, "not a CSV file (save the panel as CSV)")
    header = [h.strip() for h in raw.headers]
    if len(set(header)) != len(header):
        raise InputError(path, "duplicate column name in the header", row=raw.header_line)
    body, lines = [], []
    for r, line in zip(raw.rows, raw.lines):
        if len(r) != len(header):
            col = header[len(r)] if len(r) < len(header) else None
            raise InputError(path, f"expected {len(header)} fields, found {len(r)}", row=line, column=col)
        cells = [x.strip() for x in r]
        if raw.delimiter == ";":  # Danish CSV: decimal comma
            cells = [x.replace(".", "").replace(",", ".") if _DANISH_NUMBER.match(x) else x for x in cells]
        body.append(cells)
        lines.append(line)
    if not body:
        raise InputError(path, "no data rows", row=raw.header_line + 1)
    df = pd.DataFrame(body, columns=header)
    df.attrs["path"] = str(path)
    df.attrs["lines"] = lines
    return df
