"""Base counts -> count cells for every area level (shared by the DuckDB and Dask engines).

Pooling is a sum of numerators and of denominators over the estates (or municipalities) of
an area; nothing is averaged. The measures and their populations are declared in
``domain/measures.yaml`` (:mod:`evaluering.cells.measures`); the base table has one
population column (``pop_k``) and one numerator column (``n_<measure>``) per measure, and
``persons`` (all residents). Movers come from :mod:`evaluering.cells.movers`: tilflyttere
over the residents of the year, fraflyttere over the residents of the year before.
Cells whose population is empty are not written.

The roll-up itself is a few SQL statements on an in-memory DuckDB over the (small) base
table, sorted, so that every engine's base gives byte-identical cells.

>>> MEASURES["sigtet_mistaenkt"]
'10-17'
"""

from __future__ import annotations

import pandas as pd

from ..cellschema import CELL_COLUMNS, LEVELS, check_cells
from ..errors import InputError
from .measures import MeasurePlan, load_measures, measure_plan, municipality_regions
from .schema import SEX_ALIASES

__all__ = ["MEASURES", "rollup", "normalize_base"]

#: measure id -> age band, for every declared measure
MEASURES: dict[str, str] = {k: m.age_band for k, m in load_measures()[0].items()}

BASE_LEVELS = tuple(lv for lv in LEVELS if lv not in ("cohort", "cohort_stayers", "cohort_stayers_base"))


def normalize_base(base: pd.DataFrame) -> pd.DataFrame:
    """Strip area codes (empty = none) so that engines reading the same values agree."""
    base = base.copy()
    area = base["area"].astype("string").str.strip()
    base["area"] = area.mask(area == "")
    base["year"] = base["year"].astype("int64")
    for c in base.columns:
        if c == "persons" or c.startswith("pop_") or c.startswith("n_"):
            base[c] = base[c].astype("int64")
    return base


def rollup(base: pd.DataFrame, estates: pd.DataFrame, levels=BASE_LEVELS, source: str = "DST register",
           synthetic: bool = False, sex_error=None, plan: MeasurePlan | None = None,
           movers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Count cells (:mod:`evaluering.cellschema`) from base counts and the estate map.

    ``base`` has one row per (kind, area, year, sex_raw): ``kind`` is ``municipality``
    (all persons, ``area`` = their municipality or missing) or ``estate`` (estate
    residents, ``area`` = estate id). ``sex_error(column)`` returns the exception to raise
    for an unknown sex code.

    >>> plan = measure_plan(only=("sigtede",))
    >>> base = pd.DataFrame({"kind": ["estate", "estate"], "area": ["A", "A"],
    ...     "year": [2015, 2015], "sex_raw": ["M", "1"], "persons": [10, 30],
    ...     "pop_0": [8, 20], "n_sigtede": [1, 1]})
    >>> est = pd.DataFrame({"estate_id": ["A"], "plan_id": ["P"], "plan_part": [None]})
    >>> c = rollup(base, est, levels=("estate", "plan"), plan=plan)
    >>> c[["level", "numerator", "denominator"]].values.tolist()
    [['estate', 2, 28], ['plan', 2, 28]]
    """
    import duckdb
    import pyarrow as pa

    from ..cellschema import empty_cells
    from .inputs import sql_string

    plan = plan or measure_plan()
    levels = [lv for lv in LEVELS if lv in tuple(levels)]
    if not levels or base.empty:
        return empty_cells()
    values = ["persons", *plan.base_value_columns()]
    base = base[["kind", "area", "year", "sex_raw", *values]]
    est = estates[["estate_id", "plan_id", "plan_part"]].astype(object).where(estates[["estate_id", "plan_id", "plan_part"]].notna(), None)
    regions = pd.DataFrame(list(municipality_regions().items()), columns=["code", "region"])
    first, last = int(base["year"].min()), int(base["year"].max())
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET threads = 2")
        con.register("base_df", pa.Table.from_pandas(base, preserve_index=False))
        con.register("est_df", pa.Table.from_pandas(est, preserve_index=False))
        con.register("munireg", pa.Table.from_pandas(regions, preserve_index=False))
        sex_case = " ".join(f"WHEN {sql_string(k)} THEN {sql_string(v)}" for k, v in SEX_ALIASES.items())
        sex_sql = f"CASE lower(trim(CAST(sex_raw AS VARCHAR))) {sex_case} ELSE NULL END"
        vals = ", ".join(values)
        con.execute(f"""CREATE TEMP TABLE b AS SELECT CAST(kind AS VARCHAR) AS kind,
                NULLIF(trim(CAST(area AS VARCHAR)), '') AS area, CAST(year AS BIGINT) AS year,
                {sex_sql} AS sex, {vals} FROM base_df""")
        if con.execute("SELECT count(*) FROM b WHERE sex IS NULL").fetchone()[0]:
            if sex_error is None:
                raise InputError(None, "unknown sex code (use M/K or 1/2)", column="sex")
            raise sex_error("sex")
        cols = f"year, sex, {vals}"
        bcols = ", ".join(f"b.{c}" for c in cols.split(", "))
        part = {
            "estate": f"SELECT 'estate' AS level, area, {cols} FROM b WHERE kind = 'estate' AND area IS NOT NULL",
            "plan_part": f"SELECT 'plan_part' AS level, m.plan_part AS area, {bcols} FROM b JOIN est_df m ON b.area = m.estate_id "
                         "WHERE b.kind = 'estate' AND m.plan_part IS NOT NULL",
            "plan": f"SELECT 'plan' AS level, m.plan_id AS area, {bcols} FROM b JOIN est_df m ON b.area = m.estate_id "
                    "WHERE b.kind = 'estate' AND m.plan_id IS NOT NULL",
            "municipality": f"SELECT 'municipality' AS level, area, {cols} FROM b WHERE kind = 'municipality' AND area IS NOT NULL",
            "region": f"SELECT 'region' AS level, r.region AS area, {bcols} FROM b JOIN munireg r "
                      "ON TRY_CAST(b.area AS INTEGER) = r.code WHERE b.kind = 'municipality'",
            "public_housing": f"SELECT 'public_housing' AS level, 'almen' AS area, {cols} FROM b WHERE kind = 'estate' AND area IS NOT NULL",
            "country": f"SELECT 'country' AS level, 'DK' AS area, {cols} FROM b WHERE kind = 'municipality'",
        }
        for k in ("cohort", "cohort_stayers", "cohort_stayers_base"):
            part[k] = f"SELECT '{k}' AS level, area, {cols} FROM b WHERE kind = '{k}' AND area IS NOT NULL"
        sums = ", ".join(f"sum({c}) AS {c}" for c in values)
        con.execute("CREATE TEMP TABLE la AS SELECT level, area, year, sex, " + sums + " FROM ("
                    + " UNION ALL ".join(part[lv] for lv in levels) + ") GROUP BY ALL")
        selects = []
        for m in plan.counted:
            pop = plan.population_of(m.id)
            selects.append(f"SELECT level, area, year, {sql_string(m.age_band)} AS age_band, sex, "
                           f"{sql_string(m.id)} AS measure, n_{m.id} AS numerator, {pop} AS denominator "
                           f"FROM la WHERE {pop} > 0")
        if plan.movers and movers is not None:
            mv = movers[["level", "area", "year", "sex_raw", "tilflyttere", "fraflyttere"]]
            con.register("mv_df", pa.Table.from_pandas(mv, preserve_index=False))
            con.execute(f"""CREATE TEMP TABLE mv AS SELECT level, area, CAST(year AS BIGINT) AS year, {sex_sql} AS sex,
                    sum(tilflyttere) AS tilflyttere, sum(fraflyttere) AS fraflyttere FROM mv_df GROUP BY ALL""")
            ids = {m.kind: m for m in plan.movers}
            if "moved_in" in ids:
                m = ids["moved_in"]
                selects.append(f"""SELECT la.level, la.area, la.year, {sql_string(m.age_band)} AS age_band, la.sex,
                    {sql_string(m.id)} AS measure, coalesce(mv.tilflyttere, 0) AS numerator, la.persons AS denominator
                    FROM la LEFT JOIN mv ON la.level = mv.level AND la.area = mv.area AND la.year = mv.year
                    AND la.sex = mv.sex WHERE la.year > {first} AND la.persons > 0 AND la.level NOT LIKE 'cohort%'""")
            if "moved_out" in ids:
                m = ids["moved_out"]
                selects.append(f"""SELECT la.level, la.area, la.year + 1 AS year, {sql_string(m.age_band)} AS age_band,
                    la.sex, {sql_string(m.id)} AS measure, coalesce(mv.fraflyttere, 0) AS numerator,
                    la.persons AS denominator
                    FROM la LEFT JOIN mv ON la.level = mv.level AND la.area = mv.area AND la.year + 1 = mv.year
                    AND la.sex = mv.sex WHERE la.year < {last} AND la.persons > 0 AND la.level NOT LIKE 'cohort%'""")
        if not selects:
            return empty_cells()
        order = "CASE level " + " ".join(f"WHEN {sql_string(lv)} THEN {i}" for i, lv in enumerate(LEVELS)) + " END"
        table = con.sql(f"SELECT level, area, year, age_band, sex, measure, CAST(numerator AS BIGINT) AS numerator, "
                        f"CAST(denominator AS BIGINT) AS denominator, "
                        f"{sql_string(source)} AS source, {'true' if synthetic else 'false'} AS synthetic FROM ("
                        + " UNION ALL ".join(selects)
                        + f") ORDER BY {order}, area, year, age_band, sex, measure").to_arrow_table()
    finally:
        con.close()
    if table.num_rows == 0:
        return empty_cells()
    mapping = {pa.string(): pd.StringDtype(), pa.int64(): pd.Int64Dtype(), pa.int32(): pd.Int64Dtype()}
    cells = table.to_pandas(types_mapper=mapping.get)
    return check_cells(cells[list(CELL_COLUMNS)])
