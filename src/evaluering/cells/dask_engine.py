"""Dask engine: the same base counts as the DuckDB engine, for users who outgrow one machine.

Events are reduced to one row per person-year with events (number of sigtelser and
afgørelser, suspected-or-charged under the three laws) and broadcast to every partition of
the person-years; each partition is joined and reduced to base counts, and the partial
counts are summed. With no scheduler address a local cluster is started (threads in one
process, ``threads`` workers' threads, ``memory_limit`` per worker). Cells are then made by
the same :func:`evaluering.cells.rollup.rollup`, so both engines give identical cells.

>>> from evaluering.cells.dask_engine import base_counts_dask      # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from ..errors import EvalueringError, InputError
from .duckdb_engine import _fail, _not_int, bad_date_predicate, check_person_rows, fail_duplicate_persons
from .inputs import csv_delimiter
from .measures import EVENT_VALUES, REGISTER_COLUMNS, code_aliases, conviction_decisions
from .schema import (EVENT_COLUMNS, EVENT_OPTIONAL, KIND_ALIASES, LAW_ALIASES, PERSON_COLUMNS, PERSON_REQUIRED,
                     YOUTH_LAWS, resolve_columns, resolve_person_columns)

__all__ = ["base_counts_dask"]

_KEYS = ["kind", "area", "year", "sex_raw"]
_CHECKS = ["persons", "bad_person_id", "bad_age", "matched_person_years"]


def _read(path: Path, fmt: str):
    import dask.dataframe as dd

    if fmt == "parquet":
        target = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
        return dd.read_parquet(target)
    return dd.read_csv(str(path), sep=csv_delimiter(path), dtype=str, keep_default_na=False,
                       na_values=[""], encoding="utf-8-sig", blocksize="64MB")


def _text(s: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(s):
        return pd.to_numeric(s, errors="coerce").astype("Int64").astype("string")
    return s.astype("string")


def _int(s: pd.Series) -> pd.Series:
    num = pd.to_numeric(s, errors="coerce")
    return num.where(num == num.round()).astype("Int64")


def _events_part(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    out["person_id"] = _int(df["person_id"])
    d = df["date"]
    if pd.api.types.is_datetime64_any_dtype(d):
        date = d
    else:
        txt = d.astype("string").str.strip()
        date = pd.to_datetime(txt, format="%Y-%m-%d", errors="coerce")
        for fmt in ("%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S"):
            date = date.fillna(pd.to_datetime(txt, format=fmt, errors="coerce"))
    out["year"] = date.dt.year.astype("Int64")
    out["law"] = df["law"].astype("string").str.strip().str.lower().map(LAW_ALIASES)
    out["kind"] = df["kind"].astype("string").str.strip().str.lower().map(KIND_ALIASES)
    if "decision" in df:
        from .reference import decision_bad

        dec = df["decision"].astype("string").str.strip().str.lower()
        out["decision"] = dec.mask(dec == "").map(code_aliases("decision")).astype("string")
        out["decision_bad"] = decision_bad(df["decision"]).astype("int64")
    else:
        out["decision"] = pd.Series(pd.NA, index=df.index, dtype="string")
        out["decision_bad"] = 0
    return out


def _normalized_persons(df: pd.DataFrame, has_age: bool, register_columns) -> pd.DataFrame:
    from .reference import normalize_register_column, register_value_bad

    pid = _int(df["person_id"])
    year = _int(df["year"])
    age = _int(df["age"]) if has_age else year - _int(df["birth_year"])
    p = pd.DataFrame({
        "person_id": pid, "year": year,
        "estate_id": _text(df["estate_id"]) if "estate_id" in df else pd.Series(pd.NA, index=df.index, dtype="string"),
        "municipality": _text(df["municipality"]) if "municipality" in df else pd.Series(pd.NA, index=df.index, dtype="string"),
        "sex_raw": _text(df["sex"]), "age": age,
    })
    for c in register_columns:
        p[c] = normalize_register_column(c, df[c])
        p[f"bad__{c}"] = register_value_bad(c, df[c]).astype("int64")
    return p


def _persons_part(df: pd.DataFrame, ev: pd.DataFrame, has_age: bool, plan, register_columns,
                  first: int | None) -> pd.DataFrame:
    p = _normalized_persons(df, has_age, register_columns)
    j = p.merge(ev, on=["person_id", "year"], how="left")
    j["matched_person_years"] = j["n_sigtelse"].notna().astype("int64")
    for c in EVENT_VALUES:
        j[c] = j[c].fillna(0).astype("int64")
    age = j["age"]
    values = plan.pandas_row_values(j.reset_index(drop=True))
    v = pd.DataFrame(values, index=j.index)
    v["persons"] = 1
    v["bad_person_id"] = j["person_id"].isna().astype("int64")
    v["bad_age"] = (age.isna() | (age < 0) | (age > 130)).fillna(True).astype("int64")
    v["matched_person_years"] = j["matched_person_years"]
    for c in register_columns:
        v[f"bad__{c}"] = j[f"bad__{c}"]
    sums = ["persons", "bad_person_id", "bad_age", "matched_person_years", *plan.base_value_columns(),
            *(f"bad__{c}" for c in register_columns)]
    frames = []
    for kind, col in (("municipality", "municipality"), ("estate", "estate_id")):
        rows = v.assign(kind=kind, area=j[col], year=j["year"], sex_raw=j["sex_raw"])
        if kind == "estate":
            rows = rows[j["estate_id"].notna()]
        g = rows.groupby(_KEYS, dropna=False, as_index=False, sort=False)[sums].sum()
        if kind == "estate":
            for c in sums:
                if c in _CHECKS[1:] or c.startswith("bad__"):
                    g[c] = 0
        frames.append(g)
    out = pd.concat(frames, ignore_index=True)
    out["area"] = out["area"].astype("string")
    out["sex_raw"] = out["sex_raw"].astype("string")
    out["kind"] = out["kind"].astype("string")
    out["year"] = out["year"].astype("Int64")
    for c in sums:
        out[c] = out[c].astype("int64")
    return out[_KEYS + sums]


def _cohort_rows_part(df: pd.DataFrame, ev: pd.DataFrame, has_age: bool, plan, register_columns,
                      ids: set) -> pd.DataFrame:
    """Normalised rows of cohort members with their measure values (for the cohort levels)."""
    p = _normalized_persons(df, has_age, register_columns)
    p = p[p["person_id"].isin(list(ids))]
    j = p.merge(ev, on=["person_id", "year"], how="left").reset_index(drop=True)
    for c in EVENT_VALUES:
        j[c] = j[c].fillna(0).astype("int64")
    values = plan.pandas_row_values(j)
    out = j[["person_id", "year", "estate_id", "sex_raw"]].copy()
    for k in plan.base_value_columns():
        out[k] = values[k]
    return out


def _cohort_members(df: pd.DataFrame, years: tuple[int, ...]) -> pd.Series:
    est = _text(df["estate_id"]).str.strip() if "estate_id" in df else pd.Series(pd.NA, index=df.index, dtype="string")
    sel = _int(df["year"]).isin(list(years)).fillna(False).astype(bool) & est.notna() & (est != "")
    return _int(df["person_id"])[sel.to_numpy(dtype=bool)].rename("person_id")


def _masks_part(df: pd.DataFrame, first: int) -> pd.DataFrame:
    pid = _int(df["person_id"])
    year = _int(df["year"])
    ok = pid.notna() & year.notna()
    out = pd.DataFrame({
        "person_id": pid[ok].astype("int64"),
        "municipality": (_text(df["municipality"]) if "municipality" in df else pd.Series(pd.NA, index=df.index, dtype="string"))[ok],
        "estate_id": (_text(df["estate_id"]) if "estate_id" in df else pd.Series(pd.NA, index=df.index, dtype="string"))[ok],
        "sex_raw": _text(df["sex"])[ok],
        "o": np.left_shift(np.int64(1), (year[ok] - first).astype("int64").to_numpy()),
    })
    for c in ("municipality", "estate_id"):
        t = out[c].str.strip()
        out[c] = t.mask(t == "")
    return out


@contextlib.contextmanager
def _client(scheduler: str | None, memory_limit: str | None, threads: int | None):
    import logging

    from dask.distributed import Client, LocalCluster

    quiet = [logging.getLogger(n) for n in ("distributed", "distributed.scheduler", "distributed.worker",
                                            "distributed.core", "distributed.http.proxy",
                                            "distributed.shuffle._scheduler_plugin", "bokeh")]
    saved = [(lg, lg.level) for lg in quiet]
    for lg in quiet:
        lg.setLevel(logging.ERROR)
    try:
        yield from _client_inner(scheduler, memory_limit, threads, Client, LocalCluster)
    finally:
        for lg, level in saved:
            lg.setLevel(level)


def _client_inner(scheduler, memory_limit, threads, Client, LocalCluster):
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except Exception as err:
            raise EvalueringError(f"cannot connect to the Dask scheduler {scheduler} ({type(err).__name__})") from None
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(n_workers=1, threads_per_worker=threads or 2, processes=False,
                           memory_limit=memory_limit or "auto", dashboard_address=":0")
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def base_counts_dask(persons: str | Path, persons_fmt: str, events: str | Path, events_fmt: str,
                     origin: dict[str, Path] | None = None, scheduler: str | None = None,
                     memory_limit: str | None = None, threads: int | None = None, progress: bool = False,
                     check_duplicates: bool = True, estates: pd.DataFrame | None = None,
                     only: tuple[str, ...] | None = None, cohort_years: tuple[int, ...] = ()):
    """Base counts as :func:`evaluering.cells.duckdb_engine.base_counts_duckdb` returns them."""
    import dask

    from .measures import measure_plan
    from .movers import mask_type, movers_from_masks

    persons, events = Path(persons), Path(events)
    origin = origin or {"persons": persons, "events": events}
    pdf = _read(persons, persons_fmt)
    edf = _read(events, events_fmt)
    pcols = resolve_person_columns(origin["persons"], list(pdf.columns), tuple(REGISTER_COLUMNS))
    if "birth_year" not in pcols and "age" not in pcols:
        raise InputError(origin["persons"], "missing column 'birth_year' (or 'age')", row=1, column="birth_year")
    ecols = resolve_columns(origin["events"], list(edf.columns), EVENT_COLUMNS + EVENT_OPTIONAL, EVENT_COLUMNS)
    pdf = pdf[list(pcols.values())].rename(columns={v: k for k, v in pcols.items()})
    edf = edf[list(ecols.values())].rename(columns={v: k for k, v in ecols.items()})
    register_columns = tuple(c for c in REGISTER_COLUMNS if c in pcols)
    plan = measure_plan(set(register_columns), only=only)
    inputs = SimpleNamespace(persons=persons, persons_fmt=persons_fmt, events=events, events_fmt=events_fmt,
                             pcols=pcols, ecols=ecols, origin=origin)
    with _client(scheduler, memory_limit, threads):
        en = edf.map_partitions(_events_part, meta={"person_id": "Int64", "year": "Int64", "law": "string",
                                                    "kind": "string", "decision": "string",
                                                    "decision_bad": "int64"})
        checks = en.isna().sum().compute()
        if checks["person_id"]:
            _fail(inputs, "events", "person_id", lambda df: _not_int(df[ecols["person_id"].lower()]),
                  "person id missing or not a whole number")
        if checks["year"]:
            _fail(inputs, "events", "date", bad_date_predicate(ecols["date"].lower()),
                  "date missing or not a date (use YYYY-MM-DD or DD.MM.YYYY)")
        for key, aliases in (("law", LAW_ALIASES), ("kind", KIND_ALIASES)):
            if checks[key]:
                accepted = ", ".join(sorted(set(aliases.values())))
                _fail(inputs, "events", key,
                      lambda df, k=key, a=aliases: ~df[ecols[k].lower()].astype("string").str.strip().str.lower().isin(list(a)),
                      f"{key} missing or not one of: {accepted}")
        if "decision" in ecols and int(en["decision_bad"].sum().compute()):
            from .reference import decision_bad

            _fail(inputs, "events", "decision", lambda df: decision_bad(df[ecols["decision"].lower()]),
                  "decision: unknown code (use " + ", ".join(sorted(set(code_aliases("decision").values()))) + ")")
        three = en["law"].isin(list(YOUTH_LAWS))
        convict = en["decision"].isna() | en["decision"].isin(list(conviction_decisions()))
        en = en.assign(is_sigt=(en["kind"] == "sigtelse").astype("int64"),
                       is_afg=(en["kind"] == "afgoerelse").astype("int64"),
                       sm=(en["kind"].isin(["mistanke", "sigtelse"]) & three).astype("int64"),
                       dom=((en["kind"] == "afgoerelse") & three & convict).astype("int64"))
        ev = (en.groupby(["person_id", "year"]).agg({"is_sigt": "sum", "is_afg": "sum", "sm": "max", "dom": "sum"})
              .compute().reset_index().rename(columns={"is_sigt": "n_sigtelse", "is_afg": "n_afgoerelse",
                                                       "sm": "youth_event", "dom": "n_dom"}))
        n_events = int(en.shape[0].compute())
        sums = ["persons", "bad_person_id", "bad_age", "matched_person_years", *plan.base_value_columns(),
                *(f"bad__{c}" for c in register_columns)]
        meta = pd.DataFrame({"kind": pd.Series(dtype="string"), "area": pd.Series(dtype="string"),
                             "year": pd.Series(dtype="Int64"), "sex_raw": pd.Series(dtype="string"),
                             **{c: pd.Series(dtype="int64") for c in sums}})
        parts = pdf.map_partitions(_persons_part, ev, "age" in pcols, plan, register_columns, None, meta=meta)
        agg = parts.groupby(_KEYS, dropna=False, sort=False)[sums].sum(split_out=1)
        if progress and sys.stderr.isatty():
            from dask.distributed import get_client, progress as show_progress

            future = get_client().compute(agg)
            show_progress(future)
            base = future.result().reset_index()
        else:
            base = agg.compute().reset_index()
        base = base[["kind", "area", "year", "sex_raw", *sums]]
        check_person_rows(inputs, base, pcols)
        dup = 0
        if check_duplicates:
            key = pdf[["person_id", "year"]]
            n_rows, n_unique = dask.compute(key.shape[0], key.drop_duplicates(split_out=1).shape[0])
            dup = int(n_rows) - int(n_unique)
        movers = None
        years = base["year"].dropna()
        if plan.movers and not years.empty:
            first, last = int(years.min()), int(years.max())
            if mask_type(first, last) != "BIGINT":
                plan = measure_plan(set(register_columns), only=only, movers=False)
            else:
                mmeta = pd.DataFrame({"person_id": pd.Series(dtype="int64"), "municipality": pd.Series(dtype="string"),
                                      "estate_id": pd.Series(dtype="string"), "sex_raw": pd.Series(dtype="string"),
                                      "o": pd.Series(dtype="int64")})
                masks = (pdf.map_partitions(_masks_part, first, meta=mmeta)
                         .groupby(["person_id", "municipality", "estate_id", "sex_raw"], dropna=False)["o"]
                         .sum(split_out=1).compute().reset_index())
                movers = movers_from_masks(masks, first, last, estates)
        coh = None
        if cohort_years:
            from .cohort import cohort_base_pandas

            members = pdf.map_partitions(_cohort_members, tuple(cohort_years),
                                         meta=pd.Series(dtype="Int64", name="person_id")).compute()
            ids = set(pd.to_numeric(members, errors="coerce").dropna().astype("int64"))
            cmeta = pd.DataFrame({"person_id": pd.Series(dtype="Int64"), "year": pd.Series(dtype="Int64"),
                                  "estate_id": pd.Series(dtype="string"), "sex_raw": pd.Series(dtype="string"),
                                  **{c: pd.Series(dtype="int64") for c in plan.base_value_columns()}})
            rows = pdf.map_partitions(_cohort_rows_part, ev, "age" in pcols, plan, register_columns, ids,
                                      meta=cmeta).compute().reset_index(drop=True)
            rows["estate_id"] = rows["estate_id"].str.strip().mask(rows["estate_id"].str.strip() == "")
            vals = {c: rows[c].to_numpy() for c in plan.base_value_columns()}
            coh = cohort_base_pandas(rows, vals, tuple(cohort_years))
    if dup:
        fail_duplicate_persons(inputs, pcols)
    muni_rows = base["kind"] == "municipality"
    stats = {
        "events": n_events,
        "person_years": int(base.loc[muni_rows, "persons"].sum()),
        "event_person_years": int(len(ev)),
        "event_person_years_without_residence": int(len(ev) - base["matched_person_years"].sum()),
    }
    base = base.drop(columns=["bad_person_id", "bad_age", "matched_person_years",
                              *(f"bad__{c}" for c in register_columns)])
    base = base[base["kind"].eq("municipality") | base["area"].notna()]
    if coh is not None and len(coh):
        base = pd.concat([base, coh[base.columns]], ignore_index=True)
    return base, stats, pcols, {"plan": plan, "movers": movers}
