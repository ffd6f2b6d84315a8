"""Base counts -> count cells for every area level (shared by the DuckDB and Dask engines).

Pooling is a sum of numerators and of denominators over the estates of an area; nothing is
averaged. Measures and their populations:

=================  ======  =====================================================================
measure            band    numerator
=================  ======  =====================================================================
sigtelser          15+     number of charges (kind ``sigtelse``, all laws) in the year
sigtede            15+     persons with at least one charge in the year
afgoerelser        15+     number of decisions (kind ``afgoerelse``, all laws) in the year
sigtet_mistaenkt   10-17   persons suspected or charged at least once under straffeloven,
                           våbenloven or lov om euforiserende stoffer (counted once)
=================  ======  =====================================================================

The denominator is the number of persons of the band living in the area on 1 January.
The roll-up itself is a few SQL statements on an in-memory DuckDB over the (small) base
table, sorted, so that every engine's base gives byte-identical cells.

>>> MEASURES["sigtet_mistaenkt"]
'10-17'
"""

from __future__ import annotations

import pandas as pd

from ..cellschema import CELL_COLUMNS, LEVELS, check_cells
from ..errors import InputError
from .schema import SEX_ALIASES

__all__ = ["MEASURES", "rollup", "normalize_base"]

MEASURES: dict[str, str] = {"sigtelser": "15+", "sigtede": "15+", "afgoerelser": "15+",
                            "sigtet_mistaenkt": "10-17"}
_BAND_CLASSES = {"10-17": (1, 2), "15+": (2, 3)}


def normalize_base(base: pd.DataFrame) -> pd.DataFrame:
    """Strip area codes (empty = none) so that engines reading the same values agree."""
    base = base.copy()
    area = base["area"].astype("string").str.strip()
    base["area"] = area.mask(area == "")
    base["year"] = base["year"].astype("int64")
    base["age_class"] = base["age_class"].astype("int64")
    for c in ("persons", "sigtelser", "sigtede", "afgoerelser", "sigtet_mistaenkt"):
        base[c] = base[c].astype("int64")
    return base


def rollup(base: pd.DataFrame, estates: pd.DataFrame, levels=LEVELS, source: str = "DST register",
           synthetic: bool = False, sex_error=None) -> pd.DataFrame:
    """Count cells (:mod:`evaluering.cellschema`) from base counts and the estate map.

    ``base`` has one row per (kind, area, year, sex_raw, age_class): ``kind`` is
    ``municipality`` (all persons, ``area`` = their municipality or missing) or ``estate``
    (estate residents, ``area`` = estate id). ``sex_error(column)`` returns the exception to
    raise for an unknown sex code.

    >>> base = pd.DataFrame({"kind": ["estate", "estate"], "area": ["A", "A"],
    ...     "year": [2015, 2015], "sex_raw": ["M", "M"], "age_class": [1, 3], "persons": [10, 30],
    ...     "sigtelser": [0, 4], "sigtede": [0, 2], "afgoerelser": [0, 1], "sigtet_mistaenkt": [1, 0]})
    >>> est = pd.DataFrame({"estate_id": ["A"], "plan_id": ["P"], "plan_part": [None]})
    >>> c = rollup(base, est, levels=("estate", "plan"))
    >>> c.loc[c.measure == "sigtede", ["level", "numerator", "denominator"]].values.tolist()
    [['estate', 2, 30], ['plan', 2, 30]]
    """
    import duckdb
    import pyarrow as pa

    from ..cellschema import empty_cells
    from .inputs import sql_string

    levels = [lv for lv in LEVELS if lv in tuple(levels)]
    base = base[["kind", "area", "year", "sex_raw", "age_class", "persons", *MEASURES]]
    est = estates[["estate_id", "plan_id", "plan_part"]].astype(object).where(estates[["estate_id", "plan_id", "plan_part"]].notna(), None)
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET threads = 2")
        con.register("base_df", pa.Table.from_pandas(base, preserve_index=False))
        con.register("est_df", pa.Table.from_pandas(est, preserve_index=False))
        sex_case = " ".join(f"WHEN {sql_string(k)} THEN {sql_string(v)}" for k, v in SEX_ALIASES.items())
        con.execute(f"""CREATE TEMP TABLE b AS SELECT CAST(kind AS VARCHAR) AS kind,
                NULLIF(trim(CAST(area AS VARCHAR)), '') AS area, CAST(year AS BIGINT) AS year,
                CASE lower(trim(CAST(sex_raw AS VARCHAR))) {sex_case} ELSE NULL END AS sex,
                CAST(age_class AS INTEGER) AS age_class, persons, sigtelser, sigtede, afgoerelser, sigtet_mistaenkt
            FROM base_df WHERE age_class BETWEEN 1 AND 3""")
        if con.execute("SELECT count(*) FROM b WHERE sex IS NULL").fetchone()[0]:
            if sex_error is None:
                raise InputError(None, "unknown sex code (use M/K or 1/2)", column="sex")
            raise sex_error("sex")
        cols = "year, sex, age_class, persons, sigtelser, sigtede, afgoerelser, sigtet_mistaenkt"
        bcols = ", ".join(f"b.{c}" for c in cols.split(", "))
        part = {
            "estate": f"SELECT 'estate' AS level, area, {cols} FROM b WHERE kind = 'estate' AND area IS NOT NULL",
            "plan_part": f"SELECT 'plan_part' AS level, m.plan_part AS area, {bcols} FROM b JOIN est_df m ON b.area = m.estate_id "
                         "WHERE b.kind = 'estate' AND m.plan_part IS NOT NULL",
            "plan": f"SELECT 'plan' AS level, m.plan_id AS area, {bcols} FROM b JOIN est_df m ON b.area = m.estate_id "
                    "WHERE b.kind = 'estate' AND m.plan_id IS NOT NULL",
            "municipality": f"SELECT 'municipality' AS level, area, {cols} FROM b WHERE kind = 'municipality' AND area IS NOT NULL",
            "public_housing": f"SELECT 'public_housing' AS level, 'almen' AS area, {cols} FROM b WHERE kind = 'estate' AND area IS NOT NULL",
            "country": f"SELECT 'country' AS level, 'DK' AS area, {cols} FROM b WHERE kind = 'municipality'",
        }
        if not levels:
            return empty_cells()
        con.execute("CREATE TEMP TABLE la AS " + " UNION ALL ".join(part[lv] for lv in levels))
        selects = []
        for band, classes in _BAND_CLASSES.items():
            measures = [m for m, b in MEASURES.items() if b == band]
            sums = ", ".join(f"sum({m}) AS {m}" for m in measures)
            in_classes = ", ".join(str(c) for c in classes)
            grouped = (f"SELECT level, area, year, sex, sum(persons) AS denominator, {sums} FROM la "
                       f"WHERE age_class IN ({in_classes}) GROUP BY ALL")
            selects.append(f"SELECT level, area, year, {sql_string(band)} AS age_band, sex, measure, numerator, denominator "
                           f"FROM (UNPIVOT ({grouped}) ON {', '.join(measures)} INTO NAME measure VALUE numerator)")
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
