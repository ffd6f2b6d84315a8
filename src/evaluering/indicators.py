"""Indicators from count cells: ratios of sums, pooled up the area hierarchy, with exact
intervals; published figures take precedence in the series shown to users.

A value is ``sum(numerator) / sum(denominator) * scale`` over every cell of the area-year
(both sexes, every sub-row), never a mean of rates. When a level is absent from the cells it
is pooled by summing the level below: estate -> plan_part -> plan (the plan file's
``estates`` give the map); a pooled row is made only when every estate (or part) of the
area is present that year.

Intervals (95 % by default): shares (``distribution: binomial``) get Clopper-Pearson
(``lower``/``upper``, exact) and Wilson (``wilson_lower``/``wilson_upper``); rates and
counts (``poisson``) get Garwood's exact Poisson interval.

>>> import pandas as pd
>>> from evaluering.catalogue import get_indicator
>>> cells = pd.DataFrame({"level": "plan", "area": "p", "year": 2015, "age_band": "10-17",
...     "sex": ["M", "K"], "measure": "sigtet_mistaenkt", "numerator": [15, 9],
...     "denominator": [290, 281], "source": "test", "synthetic": False})
>>> s = indicator_series(cells, get_indicator("andel_sigtede_10_17"))
>>> round(float(s["value"].iloc[0]), 2), int(s["numerator"].iloc[0]), int(s["denominator"].iloc[0])
(4.2, 24, 571)
"""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype

from . import intervals
from .catalogue import Indicator

__all__ = ["SERIES_COLUMNS", "aggregate_cells", "pool_hierarchy", "add_intervals",
           "indicator_series", "with_published", "shown_series", "multi_year_average", "averages_table",
           "ssp_cells", "series_value"]

SERIES_COLUMNS = [
    "indicator", "level", "area", "area_name", "year", "numerator", "denominator", "value",
    "lower", "upper", "wilson_lower", "wilson_upper", "method", "pooled_from", "source",
    "synthetic", "published", "denominator_derived", "denominator_low", "denominator_high",
    "computed_value",
]
AGG_COLUMNS = ["level", "area", "year", "numerator", "denominator", "source", "synthetic"]


def _column_array(s: pd.Series):
    """The values of a column in an array that keeps their dtype: the ExtensionArray of an
    extension dtype (``string``, ``Int64``), else the NumPy array."""
    return s.array if isinstance(s.dtype, ExtensionDtype) else s.to_numpy()


def _as_float(s: pd.Series, rows: np.ndarray | None = None) -> np.ndarray:
    """A count column (or its ``rows``) as float64 with NaN for missing values."""
    if s.dtype.kind in "iuf":   # NumPy or nullable numbers: no parsing needed
        values = s.to_numpy("float64", na_value=np.nan)
        return values if rows is None else values[rows]
    if rows is not None:
        s = s.iloc[rows]
    return pd.to_numeric(s).astype("Float64").to_numpy("float64", na_value=np.nan)


def _group_rows(keys: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group rows by several key arrays, groups in sorted key order (as ``groupby(sort=True)``).

    Returns ``(rows, group, first)``: the rows with no missing key, the group number of
    each of them and, per group, the position in ``rows`` of its first row.
    """
    codes, sizes = [], []
    for k in keys:
        c, uniques = pd.factorize(k, sort=True)
        codes.append(c)
        sizes.append(max(len(uniques), 1))
    rows = np.flatnonzero(np.logical_and.reduce([c >= 0 for c in codes]))
    combined = np.ravel_multi_index([c[rows] for c in codes], sizes)
    _, first, group = np.unique(combined, return_index=True, return_inverse=True)
    return rows, group.reshape(-1), first


def _joined_sources(source: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """The sorted distinct sources of each group joined by ``"; "`` (object array)."""
    codes, uniques = pd.factorize(source, sort=True)
    pairs = np.unique(group * (len(uniques) + 1) + codes + 1)
    pair_group, pair_code = np.divmod(pairs, len(uniques) + 1)
    names = np.asarray(uniques, dtype=object)
    if len(pairs) == n_groups:   # one source per group: no joining needed
        out = np.full(n_groups, np.nan, dtype=object)
        known = pair_code > 0
        out[pair_group[known]] = names[pair_code[known] - 1]
        return out
    found: list[list[str]] = [[] for _ in range(n_groups)]
    for g, c in zip(pair_group.tolist(), pair_code.tolist()):
        if c > 0:
            found[g].append(names[c - 1])
    return np.array(["; ".join(f) if f else np.nan for f in found], dtype=object)


def _aggregate(cells: pd.DataFrame, indicator: Indicator) -> dict[str, Any] | None:
    """The columns of :func:`aggregate_cells` (arrays), or None when no cell matches."""
    match = (cells["measure"] == indicator.measure) & (cells["age_band"] == indicator.age_band)
    picked = np.flatnonzero(match.to_numpy(bool, na_value=False))
    if not len(picked):
        return None
    keys = [_column_array(cells[k])[picked] for k in ("level", "area", "year")]
    rows, group, first = _group_rows(keys)
    n_groups = len(first)
    if not n_groups:
        return None
    numerator = _as_float(cells["numerator"], picked)[rows]
    denominator = _as_float(cells["denominator"], picked)[rows]
    den_missing = np.bincount(group, weights=np.isnan(denominator), minlength=n_groups) > 0
    synthetic = cells["synthetic"].to_numpy(bool, na_value=False)[picked][rows]
    den = np.bincount(group, weights=np.nan_to_num(denominator, nan=0.0), minlength=n_groups)
    den[den_missing] = np.nan
    if not indicator.has_denominator:
        den[:] = np.nan
    source = cells["source"]
    if not isinstance(source.dtype, pd.StringDtype):
        source = source.astype(str)
    source = _column_array(source)[picked]
    start = rows[first]
    return {
        "level": keys[0][start], "area": keys[1][start], "year": keys[2][start],
        "numerator": np.bincount(group, weights=np.nan_to_num(numerator, nan=0.0), minlength=n_groups),
        "denominator": den,
        "source": _joined_sources(source[rows], group, n_groups),
        "synthetic": np.bincount(group, weights=synthetic, minlength=n_groups) > 0,
    }


def aggregate_cells(cells: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """Sum the cells of ``indicator`` (its measure and age band) per level, area and year.

    Returns columns level, area, year, numerator, denominator (NaN for a count without
    denominator), source, synthetic.
    """
    columns = _aggregate(cells, indicator)
    if columns is None:
        return pd.DataFrame(columns=AGG_COLUMNS)
    columns["source"] = pd.array(columns["source"], dtype="str")
    return pd.DataFrame(columns)


def _pool_members(plan) -> list[tuple[str, str, str, list[str]]]:
    """(level, area, pooled from level, member ids): each part from its estates, the plan
    from its estates and, failing that, from its parts."""
    members = []
    for part in plan.parts:
        ests = [e.id for e in plan.estates if e.part == part.id]
        if ests:
            members.append(("plan_part", part.id, "estate", ests))
    members.append(("plan", plan.id, "estate", plan.estate_ids))
    if plan.parts:
        members.append(("plan", plan.id, "plan_part", [p.id for p in plan.parts]))
    return members


def _pooled_rows(agg: dict[str, Any], plan) -> list[dict]:
    """The rows :func:`pool_hierarchy` adds, from the aggregated columns ``agg``: a member
    area-year is pooled when every member has a row that year and the area-year itself
    has none."""
    level, area, year, source = (agg[k].tolist() for k in ("level", "area", "year", "source"))
    numerator = np.asarray(agg["numerator"], dtype="float64")
    denominator = np.asarray(agg["denominator"], dtype="float64")
    synthetic = np.asarray(agg["synthetic"], dtype=bool)
    at: dict[tuple, list[int]] = {}      # (level, area, year) -> its rows
    for i, key in enumerate(zip(level, area, year)):
        at.setdefault(key, []).append(i)
    have = set(at)
    years = sorted(set(year))
    new = []
    for to_level, to_area, from_level, ids in _pool_members(plan):
        wanted = set(ids)
        for y in years:
            if (to_level, to_area, y) in have:
                continue
            rows = sorted(i for a in wanted for i in at.get((from_level, a, y), ()))
            if len(rows) != len(ids):
                continue
            dens = denominator[rows]
            new.append({"level": to_level, "area": to_area, "year": y,
                        "numerator": np.nansum(numerator[rows]),
                        "denominator": dens.sum() if not np.isnan(dens).any() else np.nan,
                        "source": "; ".join(sorted({source[i] for i in rows})),
                        "synthetic": bool(synthetic[rows].any()), "pooled_from": from_level})
            have.add((to_level, to_area, y))
    return new


def pool_hierarchy(agg: pd.DataFrame, plan) -> pd.DataFrame:
    """Add plan_part and plan rows missing from ``agg`` by summing the level below.

    A part is pooled from its estates, the plan from its estates (or else from its parts);
    only when every member is present in that year. Adds a ``pooled_from`` column.
    """
    agg = agg.copy()
    agg["pooled_from"] = ""
    if plan is None or agg.empty:
        return agg
    new = _pooled_rows({k: agg[k].to_numpy() for k in AGG_COLUMNS}, plan)
    if new:
        agg = pd.concat([agg, pd.DataFrame(new)], ignore_index=True)
    return agg


def _interval_row(k, n, ind: Indicator, conf: float) -> tuple[float, float, float, float, float, str]:
    """(value, lower, upper, wilson_lower, wilson_upper, method) on the indicator's scale."""
    nan = math.nan
    if k is None or pd.isna(k):
        return nan, nan, nan, nan, nan, ""
    if not ind.has_denominator:
        lo, hi = intervals.garwood(k, conf)
        return float(k), lo, hi, nan, nan, "Garwood (eksakt Poisson)"
    if n is None or pd.isna(n) or n <= 0:
        return nan, nan, nan, nan, nan, ""
    s = ind.scale
    if ind.distribution == "binomial":
        lo, hi = intervals.clopper_pearson(k, n, conf)
        wl, wh = intervals.wilson(k, n, conf)
        return k / n * s, lo * s, hi * s, wl * s, wh * s, "Clopper-Pearson (eksakt binomial)"
    lo, hi = intervals.poisson_rate(k, n, conf)
    return k / n * s, lo * s, hi * s, nan, nan, "Garwood (eksakt Poisson)"


def _interval_columns(k: np.ndarray, n: np.ndarray, ind: Indicator, conf: float) -> dict[str, np.ndarray]:
    """value, lower, upper, wilson_lower, wilson_upper and method for counts ``k`` and
    denominators ``n`` (float arrays, NaN when missing)."""
    from scipy.special import betaincinv, gammaincinv

    a = 1 - conf
    nan = np.full(len(k), np.nan)
    with np.errstate(all="ignore"):
        if not ind.has_denominator:
            ok = ~np.isnan(k)
            value = k.copy()
            lo = np.where(k > 0, gammaincinv(np.maximum(k, 1e-300), a / 2), 0.0)
            hi = gammaincinv(k + 1, 1 - a / 2)
            wl = wh = nan
            method = "Garwood (eksakt Poisson)"
        else:
            ok = ~np.isnan(k) & ~np.isnan(n) & (n > 0)
            s = ind.scale
            value = k / n * s
            if ind.distribution == "binomial":
                lo = np.where(k > 0, betaincinv(np.maximum(k, 1e-300), n - k + 1, a / 2), 0.0) * s
                hi = np.where(k < n, betaincinv(k + 1, np.maximum(n - k, 1e-300), 1 - a / 2), 1.0) * s
                z = intervals.z_value(conf)
                p = k / n
                den = 1 + z * z / n
                centre = (p + z * z / (2 * n)) / den
                half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
                wl = np.where(k == 0, 0.0, np.maximum(0.0, centre - half)) * s
                wh = np.where(k == n, 1.0, np.minimum(1.0, centre + half)) * s
                method = "Clopper-Pearson (eksakt binomial)"
            else:
                lo = np.where(k > 0, gammaincinv(np.maximum(k, 1e-300), a / 2), 0.0) / n * s
                hi = gammaincinv(k + 1, 1 - a / 2) / n * s
                wl = wh = nan
                method = "Garwood (eksakt Poisson)"
    out = {name: np.where(ok, arr, np.nan) for name, arr in
           (("value", value), ("lower", lo), ("upper", hi), ("wilson_lower", wl), ("wilson_upper", wh))}
    out["method"] = np.where(ok, method, "")
    return out


def add_intervals(df: pd.DataFrame, ind: Indicator, conf: float = 0.95) -> pd.DataFrame:
    """Add value, lower, upper, wilson_lower, wilson_upper and method columns (vectorised;
    the same formulas as :mod:`evaluering.intervals`)."""
    out = df.copy()
    k = pd.to_numeric(out["numerator"]).astype("float64").to_numpy()
    n = pd.to_numeric(out["denominator"]).astype("float64").to_numpy()
    for name, arr in _interval_columns(k, n, ind, conf).items():
        out[name] = arr
    return out


def _area_names(plan) -> dict[tuple[str, str], str]:
    from .cellschema import LEVEL_LABELS_DA

    names: dict[tuple[str, str], str] = {}
    if plan is not None:
        names[("plan", plan.id)] = plan.name
        names[("municipality", plan.municipality_code)] = plan.municipality_name
        for p in plan.parts:
            names[("plan_part", p.id)] = p.name
        for e in plan.estates:
            names[("estate", e.id)] = e.name
    names[("public_housing", "almen")] = LEVEL_LABELS_DA["public_housing"]
    names[("country", "DK")] = LEVEL_LABELS_DA["country"]
    return names


def _sort_codes(values) -> np.ndarray:
    """Integer codes in the sort order of ``values``, missing values last."""
    codes, uniques = pd.factorize(values, sort=True)
    codes[codes < 0] = len(uniques)
    return codes


def _display_order(level: list, area, year) -> np.ndarray:
    """The row order of a series: level from estate to country (unknown levels last), then
    area and year; stable, like ``sort_values``."""
    from .cellschema import LEVELS

    rank = {lv: i for i, lv in enumerate(LEVELS)}
    level_rank = np.array([rank.get(lv, len(LEVELS)) for lv in level], dtype=np.int64)
    return np.lexsort((_sort_codes(year), _sort_codes(area), level_rank))


#: columns a series gets when its rows do not say otherwise (computed rows)
_SERIES_DEFAULTS = {"published": False, "denominator_derived": False, "denominator_low": np.nan,
                    "denominator_high": np.nan, "computed_value": np.nan, "pooled_from": ""}


def _constant_column(value, n: int):
    """A column of ``n`` times ``value``, with the dtype pandas gives a scalar."""
    if isinstance(value, str):
        return pd.array([value] * n, dtype="str")
    return np.full(n, value)


def _complete(columns: dict[str, Any], ind: Indicator, plan) -> dict[str, Any]:
    """``columns`` (arrays of equal length by column name) with the indicator, the area
    names (where not given) and the default columns of :data:`SERIES_COLUMNS`; whole years."""
    names = _area_names(plan)
    n = len(columns["level"])
    given = columns["area_name"].tolist() if "area_name" in columns else [None] * n
    area_name = [g if isinstance(g, str) and g else names.get((lv, a), a)
                 for g, lv, a in zip(given, columns["level"].tolist(), columns["area"].tolist())]
    out = {**columns, "indicator": _constant_column(ind.id, n),
           "area_name": (pd.array(area_name, dtype="str") if all(isinstance(a, str) for a in area_name)
                         else _column_array(pd.Series(area_name, dtype=None)))}
    for col, value in _SERIES_DEFAULTS.items():
        if col not in out:
            out[col] = _constant_column(value, n)
    if out["year"].dtype != np.int64:
        out["year"] = out["year"].astype(int)
    return out


def _displayed(columns: dict[str, Any]) -> pd.DataFrame:
    """The :data:`SERIES_COLUMNS` of complete ``columns`` as a frame in display order."""
    order = _display_order(columns["level"].tolist(), columns["area"], columns["year"])
    out = {}
    for col in SERIES_COLUMNS:
        values = columns[col][order]
        # pd.DataFrame() would read an object array of text as str: keep object columns
        out[col] = pd.Series(values, dtype=object) if values.dtype == object else values
    return pd.DataFrame(out)


def _finish(df: pd.DataFrame, ind: Indicator, plan) -> pd.DataFrame:
    """Name the areas, add the missing default columns, sort for display and keep
    :data:`SERIES_COLUMNS`."""
    return _displayed(_complete({c: _column_array(df[c]) for c in df.columns}, ind, plan))


def _append_rows(columns: dict[str, Any], rows: list[dict]) -> dict[str, Any]:
    """``columns`` (arrays of equal length) with ``rows`` added at the end."""
    if not rows:
        return columns
    out = {}
    for name, values in columns.items():
        added = [r[name] for r in rows]
        if isinstance(values, np.ndarray):
            out[name] = np.concatenate([values, np.array(added, dtype=values.dtype)])
        else:
            out[name] = pd.array([*values.tolist(), *added], dtype=values.dtype)
    return out


def _summed(cells: pd.DataFrame, indicator: Indicator, plan) -> dict[str, Any] | None:
    """The summed numerators and denominators of an indicator per level, area and year,
    pooled up the plan's hierarchy and, for ``pool_years: 2``, over the year and the year
    before; None when no cell is of the indicator."""
    columns = _aggregate(cells, indicator)
    if columns is None:
        return None
    columns["pooled_from"] = np.full(len(columns["year"]), "", dtype=object)
    if plan is not None:
        columns = _append_rows(columns, _pooled_rows(columns, plan))
    if indicator.pool_years > 1:
        columns = _pool_years(columns, indicator.pool_years)
    return columns


def _pool_years(columns: dict[str, Any], n_years: int) -> dict[str, Any]:
    """Each area-year as the sum over it and the ``n_years - 1`` years before (a row is kept
    only when all of them are present): the law's "gennemsnit over de seneste 2 år" as a
    ratio of sums.

    >>> c = {"level": np.array(["plan"] * 3, dtype=object), "area": np.array(["p"] * 3, dtype=object),
    ...      "year": np.array([2018, 2019, 2020]), "numerator": np.array([1.0, 3.0, 5.0]),
    ...      "denominator": np.array([10.0, 10.0, 30.0]), "source": np.array(["s"] * 3, dtype=object),
    ...      "synthetic": np.array([False] * 3), "pooled_from": np.array([""] * 3, dtype=object)}
    >>> out = _pool_years(c, 2)
    >>> out["year"].tolist(), out["numerator"].tolist(), out["denominator"].tolist()
    ([2019, 2020], [4.0, 8.0], [20.0, 40.0])
    """
    keys = list(zip(columns["level"].tolist(), columns["area"].tolist(), columns["year"].tolist()))
    at = {k: i for i, k in enumerate(keys)}
    keep, num, den, synth = [], [], [], []
    numerator = np.asarray(columns["numerator"], dtype="float64")
    denominator = np.asarray(columns["denominator"], dtype="float64")
    synthetic = np.asarray(columns["synthetic"], dtype=bool)
    for i, (lv, a, y) in enumerate(keys):
        rows = [at.get((lv, a, y - k)) for k in range(n_years)]
        if any(r is None for r in rows):
            continue
        keep.append(i)
        num.append(numerator[rows].sum())
        den.append(denominator[rows].sum())
        synth.append(bool(synthetic[rows].any()))
    idx = np.array(keep, dtype=np.int64)
    out = {k: (v[idx] if hasattr(v, "__getitem__") and not isinstance(v, str) else v) for k, v in columns.items()}
    out["numerator"] = np.array(num, dtype="float64")
    out["denominator"] = np.array(den, dtype="float64")
    out["synthetic"] = np.array(synth, dtype=bool)
    return out


def _mean_columns(cells: pd.DataFrame, columns: dict[str, Any], indicator: Indicator, plan,
                  conf: float) -> dict[str, np.ndarray]:
    """value, lower, upper, ... of a mean (``distribution: mean``): the sum of amounts over
    the persons, with a t-interval from the sum of squared amounts (``squares_measure``, in
    units of 1000 kr.^2); ``relative_to: region`` divides by the region's mean (x 100)."""
    import dataclasses

    from scipy import stats

    sq_cols = _summed(cells, dataclasses.replace(indicator, measure=indicator.squares_measure), plan)
    sq_of = {} if sq_cols is None else dict(zip(_keys(sq_cols), np.asarray(sq_cols["numerator"], dtype=float)))
    keys = _keys(columns)
    k = np.asarray(columns["numerator"], dtype="float64")
    n = np.asarray(columns["denominator"], dtype="float64")
    sq = np.array([sq_of.get(key, np.nan) for key in keys], dtype="float64") * 1000.0
    with np.errstate(all="ignore"):
        mean = k / n
        var = np.maximum(sq - n * mean * mean, 0.0) / (n - 1)
        se = np.sqrt(var / n)
        t = stats.t.ppf(0.5 + conf / 2, np.maximum(n - 1, 1))
        lo, hi = mean - t * se, mean + t * se
        method = "t-interval for gennemsnittet (sum af kvadrerede beløb)"
        if indicator.relative_to == "region":
            from .area_criteria import region_of

            region = region_of(plan) if plan is not None else None
            ref = {y: m for (lv, a, y), m in zip(keys, mean) if lv == "region" and a == region}
            base = np.array([ref.get(y, np.nan) for (_, _, y) in keys], dtype="float64")
            mean, lo, hi = (x / base * indicator.scale for x in (mean, lo, hi))
            method = "t-interval for områdets gennemsnit / regionens gennemsnit (regionens usikkerhed ses bort fra)"
    ok = ~np.isnan(mean) & (n > 1)
    nan = np.full(len(k), np.nan)
    out = {name: np.where(ok, arr, np.nan) for name, arr in
           (("value", mean), ("lower", lo), ("upper", hi), ("wilson_lower", nan), ("wilson_upper", nan))}
    out["method"] = np.where(ok, method, "")
    return out


def _computed(cells: pd.DataFrame, indicator: Indicator, plan, conf: float) -> dict[str, Any] | None:
    """The computed rows of :func:`indicator_series` as arrays by column name, not yet named
    or sorted; None when no cell is of the indicator."""
    columns = _summed(cells, indicator, plan)
    if columns is None or not len(columns["year"]):
        return None
    if indicator.distribution == "mean":
        columns.update(_mean_columns(cells, columns, indicator, plan, conf))
    else:
        columns.update(_interval_columns(columns["numerator"], columns["denominator"], indicator, conf))
    for name in ("source", "pooled_from", "method"):
        columns[name] = pd.array(columns[name], dtype="str")
    return columns


def indicator_series(cells: pd.DataFrame, indicator: Indicator, plan=None,
                     conf: float = 0.95) -> pd.DataFrame:
    """The computed series of one indicator for every level, area and year in ``cells``
    (plus pooled plan_part and plan rows when ``plan`` is given). Columns: SERIES_COLUMNS.
    """
    columns = _computed(cells, indicator, plan, conf)
    if columns is None:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    return _displayed(_complete(columns, indicator, plan))


def _published_rows(pub: pd.DataFrame, picked: np.ndarray, indicator: Indicator, conf: float) -> list[dict]:
    """One series row per published value (the rows ``picked`` of ``pub``; see
    :func:`with_published`)."""
    from .published import implied_denominator

    cols = {c: pub[c].to_numpy(dtype=object)[picked].tolist()
            for c in ("level", "area", "area_name", "year", "value", "count", "source")}
    cols["decimals"] = (pub["decimals"].to_numpy(dtype=object)[picked].tolist() if "decimals" in pub.columns
                        else [1] * len(picked))
    rows = []
    for level, area, area_name, year, value, count, source, decimals in zip(*cols.values()):
        num = den = lo_n = hi_n = np.nan
        derived = False
        if not pd.isna(count):
            num = float(count)
            if indicator.has_denominator:
                lo_n, den, hi_n = implied_denominator(int(count), float(value), indicator.scale,
                                                      int(decimals))
                derived = True
        if derived:
            _, lo, hi, wl, wh, method = _interval_row(num, den, indicator, conf)
            method += "; nævner udledt af trykt andel og antal"
        elif not pd.isna(num) and not indicator.has_denominator:
            _, lo, hi, wl, wh, method = _interval_row(num, den, indicator, conf)
        else:
            lo = hi = wl = wh = np.nan
            method = ""
        rows.append({"level": level, "area": str(area), "area_name": area_name,
                     "year": int(year), "numerator": num, "denominator": den,
                     "value": float(value), "lower": lo, "upper": hi, "wilson_lower": wl,
                     "wilson_upper": wh, "method": method, "pooled_from": "", "source": source,
                     "synthetic": False, "published": True, "denominator_derived": derived,
                     "denominator_low": lo_n, "denominator_high": hi_n})
    return rows


def _published_frame(published, indicator: Indicator, conf: float) -> pd.DataFrame | None:
    """The published values of ``indicator`` as series rows, or None when there are none."""
    pub = published.values if hasattr(published, "values") else published
    if pub is None or not len(pub):
        return None
    picked = np.flatnonzero((pub["indicator"] == indicator.id).to_numpy(bool, na_value=False))
    if not len(picked):
        return None
    return pd.DataFrame(_published_rows(pub, picked, indicator, conf))


def _keys(columns) -> list[tuple]:
    """The (level, area, year) of every row of a frame or of arrays by column name."""
    return list(zip(columns["level"].tolist(), columns["area"].tolist(), columns["year"].tolist()))


def _replace_computed(computed: dict[str, Any], pubdf: pd.DataFrame) -> np.ndarray:
    """Give the published rows ``pubdf`` their ``computed_value`` from the ``computed``
    columns; returns the positions of the computed rows no published row replaces."""
    computed_keys, pub_keys = _keys(computed), _keys(pubdf)
    value_of = dict(zip(computed_keys, computed["value"].tolist()))
    pubdf["computed_value"] = [value_of.get(k, np.nan) for k in pub_keys]
    replaced = set(pub_keys)
    return np.flatnonzero(np.array([k not in replaced for k in computed_keys], dtype=bool))


def _stack(first: dict[str, Any], rows: np.ndarray, second: pd.DataFrame) -> dict[str, Any]:
    """The columns of ``second`` with the ``rows`` of ``first`` (arrays by column name, a
    superset of ``second``'s columns) on top, with the dtypes ``pd.concat`` gives."""
    out = {}
    for col in second.columns:
        a, b = first[col][rows], _column_array(second[col])
        if a.dtype != b.dtype or a.dtype == object:   # let pandas find the common dtype
            both = [pd.Series(a, dtype=a.dtype), pd.Series(b, dtype=b.dtype)]
            out[col] = _column_array(pd.concat(both, ignore_index=True))
        elif isinstance(a, np.ndarray):
            out[col] = np.concatenate([a, b])
        else:   # the ExtensionArray interface's concatenation of one dtype
            out[col] = type(a)._concat_same_type([a, b])
    return out


def with_published(series: pd.DataFrame, published, indicator: Indicator, plan=None,
                   conf: float = 0.95) -> pd.DataFrame:
    """Replace computed rows by published ones for the same level, area and year.

    The published value is shown as printed (``published=True``, its ``source``); the
    computed value, if any, stays in ``computed_value``. A published share with a count
    gets the implied denominator (central value, ``denominator_derived=True``, the range in
    ``denominator_low``/``denominator_high``) and intervals from it; a published value
    without a count has no interval.
    """
    pubdf = _published_frame(published, indicator, conf)
    if pubdf is None:
        return series
    if series.empty:
        return _finish(pubdf, indicator, plan)
    columns = {c: _column_array(series[c]) for c in series.columns}
    kept = _replace_computed(columns, pubdf)
    if not len(kept):
        return _finish(pubdf, indicator, plan)
    if not set(pubdf.columns) <= set(columns):
        return _finish(pd.concat([series.iloc[kept], pubdf], ignore_index=True), indicator, plan)
    return _displayed(_complete(_stack(columns, kept, pubdf), indicator, plan))


def shown_series(cells: pd.DataFrame, published, indicator: Indicator, plan=None,
                 conf: float = 0.95) -> pd.DataFrame:
    """The series shown to users: ``with_published(indicator_series(cells, indicator, plan,
    conf), published, indicator, plan, conf)``, computed without sorting twice."""
    columns = _computed(cells, indicator, plan, conf)
    pubdf = _published_frame(published, indicator, conf)
    if columns is None:
        return pd.DataFrame(columns=SERIES_COLUMNS) if pubdf is None else _finish(pubdf, indicator, plan)
    columns = _complete(columns, indicator, plan)
    if pubdf is None:
        return _displayed(columns)
    kept = _replace_computed(columns, pubdf)
    if not len(kept):
        return _finish(pubdf, indicator, plan)
    return _displayed(_complete(_stack(columns, kept, pubdf), indicator, plan))


def series_value(series: pd.DataFrame, level: str, area: str, year: int) -> pd.Series | None:
    """The row of one level/area/year, or None."""
    sel = series[(series["level"] == level) & (series["area"] == str(area)) & (series["year"] == year)]
    return None if sel.empty else sel.iloc[0]


def _average(level: str, area: str, first_year: int, last_year: int, scale: float | None,
             value: np.ndarray, numerator: np.ndarray, denominator: np.ndarray) -> dict:
    """:func:`multi_year_average` from the rows of the area inside the years (arrays)."""
    n = last_year - first_year + 1
    complete = len(value) == n and not pd.isna(value).any()
    # fsum: 2.7 + 2.5 + 4.0 + 4.2 is 13.4 exactly as printed, so the mean prints as 3.35
    mean = math.fsum(value) / n if complete else math.nan
    pooled = math.nan
    if complete and scale is not None and not pd.isna(numerator).any():
        if not pd.isna(denominator).any() and denominator.sum() > 0:
            pooled = float(numerator.sum() / denominator.sum() * scale)
        elif scale == 1:
            pooled = float(numerator.sum() / n)
    return {"level": level, "area": str(area), "first_year": first_year, "last_year": last_year,
            "n_years": int(len(value)), "complete": bool(complete), "mean_of_rates": mean,
            "pooled_rate": pooled,
            "label_mean_of_rates": "gennemsnit af årlige værdier (den offentliggjorte konvention)",
            "label_pooled_rate": "samlet rate: sum af tællere / sum af nævnere"}


def multi_year_average(series: pd.DataFrame, level: str, area: str, first_year: int,
                       last_year: int, scale: float | None = None) -> dict:
    """Both multi-year averages of one area, labelled.

    ``mean_of_rates`` is the published convention (the mean of the yearly values);
    ``pooled_rate`` is sum of numerators over sum of denominators (NaN when a year lacks
    counts). ``complete`` says whether every year is present.

    >>> s = pd.DataFrame({"level": "plan", "area": "p", "year": [2012, 2013],
    ...     "value": [2.0, 4.0], "numerator": [2, 8], "denominator": [100, 200]})
    >>> a = multi_year_average(s, "plan", "p", 2012, 2013, scale=100)
    >>> a["mean_of_rates"], round(a["pooled_rate"], 3)
    (3.0, 3.333)
    """
    sel = series[(series["level"] == level) & (series["area"] == str(area))
                 & series["year"].between(first_year, last_year)]
    return _average(level, area, first_year, last_year, scale, sel["value"].to_numpy(),
                    sel["numerator"].to_numpy(), sel["denominator"].to_numpy())


def averages_table(series: pd.DataFrame, indicator: Indicator, first_year: int,
                   last_year: int) -> pd.DataFrame:
    """:func:`multi_year_average` for every level and area of a series."""
    if series.empty:
        return pd.DataFrame()
    year = series["year"].to_numpy()
    in_years = (year >= first_year) & (year <= last_year)
    rows_of: dict[tuple, list[int]] = {}     # (level, area) -> its rows inside the years
    name_of: dict[tuple, Any] = {}           # (level, area) -> area name of its first row
    for i, (lv, a, name, inside) in enumerate(zip(series["level"].tolist(), series["area"].tolist(),
                                                  series["area_name"].tolist(), in_years.tolist())):
        name_of.setdefault((lv, a), name)
        rows = rows_of.setdefault((lv, a), [])
        if inside:
            rows.append(i)
    value, numerator, denominator = (series[c].to_numpy() for c in ("value", "numerator", "denominator"))
    out = []
    for (lv, a), rows in rows_of.items():
        r = _average(lv, a, first_year, last_year, indicator.scale, value[rows], numerator[rows],
                     denominator[rows])
        r.update(indicator=indicator.id, area_name=name_of[(lv, a)])
        out.append(r)
    return pd.DataFrame(out)


def _complete_years(ssp: pd.DataFrame) -> tuple[set, list[str]]:
    """The years of the SSP log with rows for all four quarters, and a note (Danish) for
    each other year."""
    quarters: dict[Any, set] = {}
    known_year, known_quarter = ssp["year"].notna().tolist(), ssp["quarter"].notna().tolist()
    for y, q, y_ok, q_ok in zip(ssp["year"].tolist(), ssp["quarter"].tolist(), known_year, known_quarter):
        if y_ok:
            seen = quarters.setdefault(y, set())
            if q_ok:
                seen.add(q)
    complete = {y for y, qs in quarters.items() if len(qs) == 4}
    notes = [f"SSP-loggen for {y} dækker kun {len(quarters[y])} kvartal(er); året indgår ikke"
             for y in sorted(set(quarters) - complete)]
    return complete, notes


def ssp_cells(ssp: pd.DataFrame, plan, levels: Iterable[int] = (1, 2),
              synthetic: bool = False, source: str = "SSP-sekretariatets log") -> tuple[pd.DataFrame, list[str]]:
    """Count cells of ``ssp_sager_niveau_1_2`` from the tidy SSP log.

    A log row names an estate, a part (helhedsplan) or the plan itself. Cells are made at
    every level the row belongs to: estate rows give estate cells; a part's cell sums its
    own rows and its estates' rows; the plan cell sums every row of the plan (cases logged
    only for the whole plan count there). Only complete years (rows for all four quarters)
    are kept; the second return value lists notes (Danish) about left-out years.

    >>> log = pd.DataFrame({"year": 2018, "quarter": [1, 2, 3, 4], "area": "p", "level": 1, "cases": 3})
    >>> class P: id = "p"; estates = []; parts = []
    >>> c, notes = ssp_cells(log, P())
    >>> int(c["numerator"].iloc[0]), c["level"].iloc[0]
    (12, 'plan')
    """
    from .cellschema import DTYPES, check_cells, empty_cells

    if ssp is None or len(ssp) == 0:
        return empty_cells(), []
    complete, notes = _complete_years(ssp)
    part_of = {e.id: e.part for e in plan.estates}
    part_ids = {p.id for p in plan.parts}
    known = {plan.id, *part_ids, *part_of}
    wanted_levels = set(levels)
    cases = _as_float(ssp["cases"])
    sums: dict[tuple[str, str, Any], float] = {}   # (cell level, cell area, year) -> cases
    rows = zip(ssp["level"].tolist(), ssp["year"].tolist(), ssp["area"].astype(str).tolist(), cases.tolist())
    for level, year, area, n in rows:
        if level not in wanted_levels or year not in complete or area not in known:
            continue
        n = 0.0 if math.isnan(n) else n
        part = area if area in part_ids else part_of.get(area)
        targets = [("plan", plan.id)]
        if area in part_of:
            targets.append(("estate", area))
        if part is not None:
            targets.append(("plan_part", part))
        for cell_level, cell_area in targets:
            sums[(cell_level, cell_area, year)] = sums.get((cell_level, cell_area, year), 0.0) + n
    if not sums:
        return empty_cells(), notes
    keys = sorted(sums)
    n = len(keys)
    columns = {
        "level": [k[0] for k in keys], "area": [k[1] for k in keys], "year": [int(k[2]) for k in keys],
        "age_band": ["alle"] * n, "sex": ["all"] * n, "measure": ["ssp_sager_niveau_1_2"] * n,
        "numerator": [int(sums[k]) for k in keys], "denominator": [pd.NA] * n, "source": [source] * n,
        "synthetic": [bool(synthetic)] * n}
    cells = pd.DataFrame({c: pd.array(values, dtype=DTYPES[c]) for c, values in columns.items()})
    return check_cells(cells, "ssp-log"), notes
