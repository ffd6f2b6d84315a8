"""Movers (tilflyttere, fraflyttere) from person-year histories, for every level at once.

The person-years are grouped once by (person, municipality, estate, raw sex) into a bit
mask of the years present (bit ``k`` = year ``first + k``). For each level the masks of a
person's residences in one area are OR-ed: ``b``. The person moved into the area in year
``k`` when bit ``k`` is set and bit ``k - 1`` is not (``b & ~(b << 1)``; not in the first
year of the data), and moved out in year ``k`` when bit ``k - 1`` is set and bit ``k`` is
not (``(b << 1) & ~b``; not after the last year). A person absent from the register in a
year (not yet born, emigrated) counts as living in no area. Both engines build the masks
(DuckDB with ``bit_or``; Dask with a sum, equal when there are no duplicate person-years)
and run the same SQL below, so their movers are identical. The same grouping gives the
exact duplicate person-year check: per person, the sum of the masks equals their OR
exactly when no year repeats.

>>> import pandas as pd
>>> g = pd.DataFrame({"person_id": [1, 1], "municipality": ["0851", "0851"],
...     "estate_id": ["A", None], "sex_raw": ["M", "M"], "s": [0b011, 0b100], "o": [0b011, 0b100]})
>>> m = movers_from_masks(g, first=2015, last=2017, estates=None)
>>> m[m.level == "estate"][["area", "year", "tilflyttere", "fraflyttere"]].values.tolist()
[['A', 2017, 0, 1]]
"""

from __future__ import annotations

import logging

import pandas as pd

__all__ = ["movers_duckdb", "movers_from_masks", "mask_type"]

log = logging.getLogger(__name__)


def mask_type(first: int, last: int) -> str | None:
    """The SQL integer type holding one bit per year (and one spare), or None when too long."""
    span = last - first
    if span <= 61:
        return "BIGINT"
    if span <= 125:
        return "HUGEINT"
    return None


def _years(base: pd.DataFrame) -> tuple[int, int] | None:
    years = base["year"].dropna()
    if years.empty:
        return None
    return int(years.min()), int(years.max())


def movers_duckdb(con, base: pd.DataFrame, estates: pd.DataFrame | None):
    """``(movers, duplicate_persons)`` from the ``persons_n`` view of ``con``."""
    span = _years(base)
    if span is None:
        return _empty(), 0
    first, last = span
    kind = mask_type(first, last)
    if kind is None:
        log.info("tilflyttere og fraflyttere udelades: mere end 125 år i registeret")
        return None, None
    con.execute(f"""CREATE OR REPLACE TEMP TABLE g AS SELECT person_id, municipality, estate_id, sex_raw,
            sum(CAST(1 AS {kind}) << CAST(year - {first} AS INTEGER)) AS s,
            bit_or(CAST(1 AS {kind}) << CAST(year - {first} AS INTEGER)) AS o
        FROM persons_n WHERE person_id IS NOT NULL AND year IS NOT NULL GROUP BY ALL""")
    dup = con.execute("""SELECT count(*) FROM (SELECT person_id, sum(s) AS ss, bit_or(o) AS oo FROM g
        GROUP BY person_id) WHERE ss <> oo""").fetchall()[0][0]
    return _movers_sql(con, "g", first, last, kind, estates), int(dup)


def movers_from_masks(groups: pd.DataFrame, first: int, last: int, estates: pd.DataFrame | None) -> pd.DataFrame:
    """Movers from a pandas table of masks (``person_id, municipality, estate_id, sex_raw, o``)."""
    import duckdb

    kind = mask_type(first, last)
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET threads = 2")
        g = groups[["person_id", "municipality", "estate_id", "sex_raw", "o"]].copy()
        for c in ("municipality", "estate_id", "sex_raw"):
            g[c] = g[c].astype(object).where(g[c].notna(), None)
        g["o"] = g["o"].astype("int64")
        con.register("g_df", g)
        con.execute(f"CREATE TEMP TABLE g AS SELECT person_id, municipality, estate_id, sex_raw, "
                    f"CAST(o AS {kind}) AS o FROM g_df")
        return _movers_sql(con, "g", first, last, kind, estates)
    finally:
        con.close()


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"level": pd.Series(dtype="string"), "area": pd.Series(dtype="string"),
                         "year": pd.Series(dtype="int64"), "sex_raw": pd.Series(dtype="string"),
                         "tilflyttere": pd.Series(dtype="int64"), "fraflyttere": pd.Series(dtype="int64")})


def _movers_sql(con, g: str, first: int, last: int, kind: str, estates: pd.DataFrame | None) -> pd.DataFrame:
    import pyarrow as pa

    from .measures import municipality_regions

    span = last - first
    regions = pd.DataFrame(list(municipality_regions().items()), columns=["code", "region"])
    con.register("munireg", pa.Table.from_pandas(regions, preserve_index=False))
    if estates is not None and len(estates):
        est = estates[["estate_id", "plan_id", "plan_part"]].astype(object)
        est = est.where(est.notna(), None)
    else:
        est = pd.DataFrame({"estate_id": pd.Series([], dtype=object), "plan_id": pd.Series([], dtype=object),
                            "plan_part": pd.Series([], dtype=object)})
    con.register("est_map", pa.Table.from_pandas(est, preserve_index=False))
    parts = [
        f"SELECT 'estate' AS level, estate_id AS area, sex_raw, person_id, bit_or(o) AS b FROM {g} "
        "WHERE estate_id IS NOT NULL GROUP BY ALL",
        f"SELECT 'plan_part', m.plan_part, x.sex_raw, x.person_id, bit_or(x.o) FROM {g} x JOIN est_map m "
        "ON x.estate_id = m.estate_id WHERE m.plan_part IS NOT NULL GROUP BY ALL",
        f"SELECT 'plan', m.plan_id, x.sex_raw, x.person_id, bit_or(x.o) FROM {g} x JOIN est_map m "
        "ON x.estate_id = m.estate_id WHERE m.plan_id IS NOT NULL GROUP BY ALL",
        f"SELECT 'municipality', municipality, sex_raw, person_id, bit_or(o) FROM {g} "
        "WHERE municipality IS NOT NULL GROUP BY ALL",
        f"SELECT 'region', r.region, x.sex_raw, x.person_id, bit_or(x.o) FROM {g} x JOIN munireg r "
        "ON TRY_CAST(trim(x.municipality) AS INTEGER) = r.code GROUP BY ALL",
        f"SELECT 'public_housing', 'almen', sex_raw, person_id, bit_or(o) FROM {g} "
        "WHERE estate_id IS NOT NULL GROUP BY ALL",
        f"SELECT 'country', 'DK', sex_raw, person_id, bit_or(o) FROM {g} GROUP BY ALL",
    ]
    one = f"CAST(1 AS {kind})"
    full = f"(({one} << {span + 1}) - {one})"
    table = con.execute(f"""WITH lm AS ({' UNION ALL '.join(parts)}),
        t AS (SELECT level, NULLIF(trim(CAST(area AS VARCHAR)), '') AS area, sex_raw,
                     (b & ~(b << 1)) & ~{one} AS tin, ((b << 1) & ~b) & {full} AS tout FROM lm),
        bits AS (SELECT level, area, sex_raw, 1 AS dir, tin AS m FROM t WHERE tin <> 0
                 UNION ALL SELECT level, area, sex_raw, 2, tout FROM t WHERE tout <> 0),
        single AS (SELECT level, area, sex_raw, dir, CAST(round(log2(CAST(m AS DOUBLE))) AS INTEGER) AS k
                   FROM bits WHERE m & (m - {one}) = 0),
        multi AS (SELECT level, area, sex_raw, dir, CAST(r.k AS INTEGER) AS k FROM bits, range(0, {span + 1}) r(k)
                  WHERE m & (m - {one}) <> 0 AND (m >> CAST(r.k AS INTEGER)) & {one} = {one})
        SELECT level, area, CAST({first} + k AS BIGINT) AS year, CAST(sex_raw AS VARCHAR) AS sex_raw,
            CAST(count(*) FILTER (WHERE dir = 1) AS BIGINT) AS tilflyttere,
            CAST(count(*) FILTER (WHERE dir = 2) AS BIGINT) AS fraflyttere
        FROM (SELECT * FROM single UNION ALL SELECT * FROM multi) WHERE area IS NOT NULL GROUP BY ALL""").df()
    for c in ("level", "area", "sex_raw"):
        table[c] = table[c].astype("string")
    return table
