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
from typing import Iterable

import numpy as np
import pandas as pd

from . import intervals
from .catalogue import Indicator

__all__ = ["SERIES_COLUMNS", "aggregate_cells", "pool_hierarchy", "add_intervals",
           "indicator_series", "with_published", "multi_year_average", "averages_table",
           "ssp_cells", "series_value"]

SERIES_COLUMNS = [
    "indicator", "level", "area", "area_name", "year", "numerator", "denominator", "value",
    "lower", "upper", "wilson_lower", "wilson_upper", "method", "pooled_from", "source",
    "synthetic", "published", "denominator_derived", "denominator_low", "denominator_high",
    "computed_value",
]


def aggregate_cells(cells: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """Sum the cells of ``indicator`` (its measure and age band) per level, area and year.

    Returns columns level, area, year, numerator, denominator (NaN for a count without
    denominator), source, synthetic.
    """
    sel = cells[(cells["measure"] == indicator.measure) & (cells["age_band"] == indicator.age_band)]
    cols = ["level", "area", "year", "numerator", "denominator", "source", "synthetic"]
    if sel.empty:
        return pd.DataFrame(columns=cols)
    sel = sel.assign(numerator=pd.to_numeric(sel["numerator"]).astype("Float64").to_numpy("float64", na_value=np.nan),
                     denominator=pd.to_numeric(sel["denominator"]).astype("Float64").to_numpy("float64", na_value=np.nan))
    keys = ["level", "area", "year"]
    sel = sel.assign(_den_missing=np.isnan(sel["denominator"]), source=sel["source"].astype(str))
    g = sel.groupby(keys, sort=True)
    out = g.agg(numerator=("numerator", "sum"), denominator=("denominator", "sum"),
                _den_missing=("_den_missing", "any"), synthetic=("synthetic", "any"))
    out.loc[out["_den_missing"], "denominator"] = np.nan
    # the sources of each area-year, sorted and joined; most have one, which needs no join
    src_rows = sel[keys + ["source"]].drop_duplicates().sort_values(keys + ["source"])
    several = src_rows.duplicated(keys, keep=False)
    src = src_rows[~several].set_index(keys)["source"]
    if several.any():
        src = pd.concat([src, src_rows[several].groupby(keys, sort=True)["source"].agg("; ".join)])
    out = out.join(src).reset_index()
    if not indicator.has_denominator:
        out["denominator"] = np.nan
    return out[cols]


def pool_hierarchy(agg: pd.DataFrame, plan) -> pd.DataFrame:
    """Add plan_part and plan rows missing from ``agg`` by summing the level below.

    A part is pooled from its estates, the plan from its estates (or else from its parts);
    only when every member is present in that year. Adds a ``pooled_from`` column.
    """
    agg = agg.copy()
    agg["pooled_from"] = ""
    if plan is None or agg.empty:
        return agg
    have = set(zip(agg["level"], agg["area"], agg["year"]))
    members: list[tuple[str, str, str, list[str]]] = []
    for part in plan.parts:
        ests = [e.id for e in plan.estates if e.part == part.id]
        if ests:
            members.append(("plan_part", part.id, "estate", ests))
    members.append(("plan", plan.id, "estate", plan.estate_ids))
    if plan.parts:
        members.append(("plan", plan.id, "plan_part", [p.id for p in plan.parts]))
    new = []
    years = sorted(agg["year"].unique())
    for level, area, from_level, ids in members:
        for year in years:
            if (level, area, year) in have:
                continue
            rows = agg[(agg["level"] == from_level) & (agg["area"].isin(ids)) & (agg["year"] == year)]
            if len(rows) != len(ids):
                continue
            den = rows["denominator"].sum() if rows["denominator"].notna().all() else np.nan
            new.append({"level": level, "area": area, "year": year,
                        "numerator": rows["numerator"].sum(), "denominator": den,
                        "source": "; ".join(sorted(set(rows["source"]))),
                        "synthetic": bool(rows["synthetic"].any()), "pooled_from": from_level})
            have.add((level, area, year))
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


def add_intervals(df: pd.DataFrame, ind: Indicator, conf: float = 0.95) -> pd.DataFrame:
    """Add value, lower, upper, wilson_lower, wilson_upper and method columns (vectorised;
    the same formulas as :mod:`evaluering.intervals`)."""
    from scipy.special import betaincinv, gammaincinv

    out = df.copy()
    k = pd.to_numeric(out["numerator"]).astype("float64").to_numpy()
    n = pd.to_numeric(out["denominator"]).astype("float64").to_numpy()
    a = 1 - conf
    nan = np.full(len(out), np.nan)
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
    for name, arr in (("value", value), ("lower", lo), ("upper", hi), ("wilson_lower", wl),
                      ("wilson_upper", wh)):
        out[name] = np.where(ok, arr, np.nan)
    out["method"] = np.where(ok, method, "")
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


def _finish(df: pd.DataFrame, ind: Indicator, plan) -> pd.DataFrame:
    names = _area_names(plan)
    df = df.copy()
    df["indicator"] = ind.id
    if "area_name" not in df.columns:
        df["area_name"] = None
    df["area_name"] = [n if isinstance(n, str) and n else names.get((lv, a), a)
                       for n, lv, a in zip(df["area_name"], df["level"], df["area"])]
    defaults = {"published": False, "denominator_derived": False, "denominator_low": np.nan,
                "denominator_high": np.nan, "computed_value": np.nan, "pooled_from": ""}
    for col, val in defaults.items():
        if col not in df.columns:
            df[col] = val
    from .cellschema import LEVELS
    order = {lv: i for i, lv in enumerate(LEVELS)}
    df = df.assign(_o=df["level"].map(order)).sort_values(["_o", "area", "year"]).drop(columns="_o")
    df["year"] = df["year"].astype(int)
    return df[SERIES_COLUMNS].reset_index(drop=True)


def indicator_series(cells: pd.DataFrame, indicator: Indicator, plan=None,
                     conf: float = 0.95) -> pd.DataFrame:
    """The computed series of one indicator for every level, area and year in ``cells``
    (plus pooled plan_part and plan rows when ``plan`` is given). Columns: SERIES_COLUMNS.
    """
    agg = pool_hierarchy(aggregate_cells(cells, indicator), plan)
    if agg.empty:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    return _finish(add_intervals(agg, indicator, conf), indicator, plan)


def with_published(series: pd.DataFrame, published, indicator: Indicator, plan=None,
                   conf: float = 0.95) -> pd.DataFrame:
    """Replace computed rows by published ones for the same level, area and year.

    The published value is shown as printed (``published=True``, its ``source``); the
    computed value, if any, stays in ``computed_value``. A published share with a count
    gets the implied denominator (central value, ``denominator_derived=True``, the range in
    ``denominator_low``/``denominator_high``) and intervals from it; a published value
    without a count has no interval.
    """
    from .published import implied_denominator

    pub = published.values if hasattr(published, "values") else published
    pub = pub[pub["indicator"] == indicator.id] if pub is not None and len(pub) else None
    if pub is None or pub.empty:
        return series
    rows = []
    for _, p in pub.iterrows():
        count = p["count"]
        num = den = lo_n = hi_n = np.nan
        derived = False
        if not pd.isna(count):
            num = float(count)
            if indicator.has_denominator:
                lo_n, den, hi_n = implied_denominator(int(count), float(p["value"]), indicator.scale,
                                                      int(p.get("decimals", 1)))
                derived = True
        if derived:
            _, lo, hi, wl, wh, method = _interval_row(num, den, indicator, conf)
            method += "; nævner udledt af trykt andel og antal"
        elif not pd.isna(num) and not indicator.has_denominator:
            _, lo, hi, wl, wh, method = _interval_row(num, den, indicator, conf)
        else:
            lo = hi = wl = wh = np.nan
            method = ""
        rows.append({"level": p["level"], "area": str(p["area"]), "area_name": p["area_name"],
                     "year": int(p["year"]), "numerator": num, "denominator": den,
                     "value": float(p["value"]), "lower": lo, "upper": hi, "wilson_lower": wl,
                     "wilson_upper": wh, "method": method, "pooled_from": "", "source": p["source"],
                     "synthetic": False, "published": True, "denominator_derived": derived,
                     "denominator_low": lo_n, "denominator_high": hi_n})
    pubdf = pd.DataFrame(rows)
    key = ["level", "area", "year"]
    if not series.empty:
        comp = series.set_index(key)["value"]
        pubdf["computed_value"] = [comp.get(tuple(k), np.nan) for k in pubdf[key].itertuples(index=False)]
        keys = set(map(tuple, pubdf[key].itertuples(index=False)))
        keep = [tuple(k) not in keys for k in series[key].itertuples(index=False)]
        series = series[keep]
        merged = pd.concat([series, pubdf], ignore_index=True) if len(series) else pubdf
    else:
        merged = pubdf
    return _finish(merged, indicator, plan)


def series_value(series: pd.DataFrame, level: str, area: str, year: int) -> pd.Series | None:
    """The row of one level/area/year, or None."""
    sel = series[(series["level"] == level) & (series["area"] == str(area)) & (series["year"] == year)]
    return None if sel.empty else sel.iloc[0]


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
    n = last_year - first_year + 1
    complete = len(sel) == n and sel["value"].notna().all()
    # fsum: 2.7 + 2.5 + 4.0 + 4.2 is 13.4 exactly as printed, so the mean prints as 3.35
    mean = math.fsum(sel["value"]) / n if complete else math.nan
    pooled = math.nan
    if complete and scale is not None and sel["numerator"].notna().all():
        if sel["denominator"].notna().all() and sel["denominator"].sum() > 0:
            pooled = float(sel["numerator"].sum() / sel["denominator"].sum() * scale)
        elif scale == 1:
            pooled = float(sel["numerator"].sum() / n)
    return {"level": level, "area": str(area), "first_year": first_year, "last_year": last_year,
            "n_years": int(len(sel)), "complete": bool(complete), "mean_of_rates": mean,
            "pooled_rate": pooled,
            "label_mean_of_rates": "gennemsnit af årlige værdier (den offentliggjorte konvention)",
            "label_pooled_rate": "samlet rate: sum af tællere / sum af nævnere"}


def averages_table(series: pd.DataFrame, indicator: Indicator, first_year: int,
                   last_year: int) -> pd.DataFrame:
    """:func:`multi_year_average` for every level and area of a series."""
    if series.empty:
        return pd.DataFrame()
    pairs = series[["level", "area", "area_name"]].drop_duplicates(["level", "area"])
    rows = []
    for lv, a, name in pairs.itertuples(index=False):
        r = multi_year_average(series, lv, a, first_year, last_year, indicator.scale)
        r.update(indicator=indicator.id, area_name=name)
        rows.append(r)
    return pd.DataFrame(rows)


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
    from .cellschema import check_cells, empty_cells

    if ssp is None or len(ssp) == 0:
        return empty_cells(), []
    notes = []
    part_of = {e.id: e.part for e in plan.estates}
    quarters = ssp.groupby("year")["quarter"].nunique()
    complete = set(quarters[quarters == 4].index)
    for y in sorted(set(quarters.index) - complete):
        notes.append(f"SSP-loggen for {y} dækker kun {quarters[y]} kvartal(er); året indgår ikke")
    known = {plan.id, *(p.id for p in plan.parts), *part_of}
    df = ssp[ssp["level"].isin(list(levels)) & ssp["year"].isin(complete) & ssp["area"].astype(str).isin(known)]
    if df.empty:
        return empty_cells(), notes
    df = df.assign(area=df["area"].astype(str))
    frames = []
    est = df[df["area"].isin(part_of)]
    if len(est):
        frames.append(est.assign(cell_level="estate", cell_area=est["area"]))
    part_ids = {p.id for p in plan.parts}
    part = df["area"].map(lambda a: a if a in part_ids else part_of.get(a))
    in_part = df[part.notna()]
    if len(in_part):
        frames.append(in_part.assign(cell_level="plan_part", cell_area=part[part.notna()]))
    frames.append(df.assign(cell_level="plan", cell_area=plan.id))
    allrows = pd.concat(frames, ignore_index=True)
    g = allrows.groupby(["cell_level", "cell_area", "year"])["cases"].sum().reset_index()
    cells = pd.DataFrame({
        "level": g["cell_level"], "area": g["cell_area"], "year": g["year"].astype(int),
        "age_band": "alle", "sex": "all", "measure": "ssp_sager_niveau_1_2",
        "numerator": g["cases"].astype(int), "denominator": pd.NA, "source": source,
        "synthetic": bool(synthetic)})
    return check_cells(cells, "ssp-log"), notes
