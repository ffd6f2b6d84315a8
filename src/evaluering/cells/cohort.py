"""Resident-panel (cohort) cells: the residents of an estate in a baseline year, followed.

For a baseline year ``B`` and an estate ``E`` the cohort ``E@B`` is the persons living in
``E`` on 1 January ``B``. Three levels, each with every counted measure of
``domain/measures.yaml`` (not the movers), for every year ``t >= B``:

=====================  ==================================================================
level                  persons and the year their values are taken from
=====================  ==================================================================
cohort                 the cohort, wherever they live in ``t`` (values of ``t``): the
                       resident-panel design
cohort_stayers         those of them who live in ``E`` in ``t`` (values of ``t``)
cohort_stayers_base    the same stayers, with their values of ``B`` (cell year ``t``)
=====================  ==================================================================

With the estate's own cells this decomposes a change between ``B`` and ``t`` into stayers,
movers in (``estate(t) - cohort_stayers``) and movers out (``estate(B) -
cohort_stayers_base``): :mod:`evaluering.did.composition`. The DuckDB and the pandas code
below compute the same base rows (kind = level, area = ``"E@B"``), rolled up by
:func:`evaluering.cells.rollup.rollup`.

>>> cohort_area("AO-01", 2016)
'AO-01@2016'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["COHORT_LEVELS", "cohort_area", "cohort_base_duckdb", "cohort_base_pandas", "default_cohort_years"]

COHORT_LEVELS = ("cohort", "cohort_stayers", "cohort_stayers_base")


def cohort_area(estate: str, year: int) -> str:
    """The area id of a cohort."""
    return f"{estate}@{int(year)}"


def default_cohort_years(estates: pd.DataFrame) -> tuple[int, ...]:
    """The year before each start year in the estate map (the plans' baselines)."""
    s = pd.to_numeric(estates.get("start_year"), errors="coerce").dropna() if "start_year" in estates else pd.Series([])
    return tuple(sorted({int(x) - 1 for x in s}))


def cohort_base_duckdb(con, plan, years: tuple[int, ...], join_events: str) -> pd.DataFrame:
    """Base rows of the cohort levels from the ``persons_n`` view (and ``ev`` table)."""
    if not years:
        return pd.DataFrame()
    aggs = ",\n            ".join(plan.sql_aggregates())
    yl = ", ".join(str(int(y)) for y in years)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE coh AS SELECT person_id AS c_pid, estate_id AS c_estate, year AS c_year
        FROM persons_n WHERE estate_id IS NOT NULL AND person_id IS NOT NULL AND year IN ({yl})""")
    # cohort and stayers, values of year t
    a = con.execute(f"""SELECT c_estate || '@' || CAST(c_year AS VARCHAR) AS area, year, sex_raw,
            coalesce(estate_id = c_estate, false) AS stay, count(*) AS persons,
            {aggs}
        FROM persons_n {join_events} JOIN coh ON person_id = c_pid AND year >= c_year
        GROUP BY ALL""").df()
    # stayers with their values of the baseline year (cell year t)
    con.execute("""CREATE OR REPLACE TEMP TABLE stays AS SELECT person_id AS s_pid, estate_id AS s_estate, year AS s_year
        FROM persons_n WHERE estate_id IS NOT NULL AND person_id IN (SELECT c_pid FROM coh)""")
    b = con.execute(f"""SELECT estate_id || '@' || CAST(year AS VARCHAR) AS area, s_year AS year, sex_raw,
            count(*) AS persons, {aggs}
        FROM persons_n {join_events} JOIN stays ON person_id = s_pid AND estate_id = s_estate AND s_year >= year
        WHERE year IN ({yl}) GROUP BY ALL""").df()
    return _combine(a, b)


def _combine(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    values = [c for c in a.columns if c not in ("area", "year", "sex_raw", "stay")]
    coh = a.groupby(["area", "year", "sex_raw"], dropna=False, as_index=False)[values].sum().assign(kind="cohort")
    st = a[a["stay"]].drop(columns="stay").assign(kind="cohort_stayers")
    base = b.assign(kind="cohort_stayers_base")
    out = pd.concat([coh, st, base], ignore_index=True)
    out = out[["kind", "area", "year", "sex_raw", *values]]
    for c in values:
        out[c] = out[c].astype("int64")
    out["area"] = out["area"].astype("string")
    out["sex_raw"] = out["sex_raw"].astype("string")
    out["year"] = out["year"].astype("int64")
    return out


def cohort_base_pandas(rows: pd.DataFrame, values: dict[str, np.ndarray], years: tuple[int, ...]) -> pd.DataFrame:
    """The same base rows from normalised person-years ``rows`` (person_id, year,
    estate_id, sex_raw) and their measure ``values`` (aligned arrays)."""
    if not years:
        return pd.DataFrame()
    r = rows[["person_id", "year", "estate_id", "sex_raw"]].reset_index(drop=True)
    v = pd.DataFrame(values)
    v["persons"] = 1
    cols = ["persons", *values]
    coh = r[r["estate_id"].notna() & r["year"].isin(list(years)) & r["person_id"].notna()]
    coh = coh.rename(columns={"person_id": "c_pid", "estate_id": "c_estate", "year": "c_year"})[["c_pid", "c_estate", "c_year"]]
    j = pd.concat([r, v[cols]], axis=1).merge(coh, left_on="person_id", right_on="c_pid")
    j = j[j["year"] >= j["c_year"]]
    j["stay"] = (j["estate_id"] == j["c_estate"]).fillna(False).astype(bool)
    j["area"] = j["c_estate"].astype(str) + "@" + j["c_year"].astype("int64").astype(str)
    a = j.groupby(["area", "year", "sex_raw", "stay"], dropna=False, as_index=False)[cols].sum()
    stays = r[r["estate_id"].notna() & r["person_id"].isin(coh["c_pid"])][["person_id", "estate_id", "year"]]
    stays = stays.rename(columns={"person_id": "s_pid", "estate_id": "s_estate", "year": "s_year"})
    base_rows = pd.concat([r, v[cols]], axis=1)
    base_rows = base_rows[base_rows["year"].isin(list(years)) & base_rows["estate_id"].notna()]
    k = base_rows.merge(stays, left_on=["person_id", "estate_id"], right_on=["s_pid", "s_estate"])
    k = k[k["s_year"] >= k["year"]]
    k["area"] = k["estate_id"].astype(str) + "@" + k["year"].astype("int64").astype(str)
    b = (k.drop(columns=["year"]).rename(columns={"s_year": "year"})
         .groupby(["area", "year", "sex_raw"], dropna=False, as_index=False)[cols].sum())
    return _combine(a, b)
