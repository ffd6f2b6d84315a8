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

import pandas as pd

from ..errors import EvalueringError, InputError
from .duckdb_engine import _fail, _not_int, bad_date_predicate, check_person_rows, fail_duplicate_persons
from .inputs import csv_delimiter
from .schema import (EVENT_COLUMNS, KIND_ALIASES, LAW_ALIASES, PERSON_COLUMNS, PERSON_REQUIRED, YOUTH_LAWS,
                     resolve_columns)

__all__ = ["base_counts_dask"]

_KEYS = ["kind", "area", "year", "sex_raw", "age_class"]
_SUMS = ["persons", "sigtelser", "sigtede", "afgoerelser", "sigtet_mistaenkt", "bad_person_id",
         "matched_person_years"]


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
    return out


def _persons_part(df: pd.DataFrame, ev: pd.DataFrame, has_age: bool) -> pd.DataFrame:
    pid = _int(df["person_id"])
    year = _int(df["year"])
    age = _int(df["age"]) if has_age else year - _int(df["birth_year"])
    age_class = ((age >= 10).astype("Int64") + (age >= 15).astype("Int64") + (age >= 18).astype("Int64"))
    age_class = age_class.where(age.notna() & (age >= 0) & (age <= 130), -1).fillna(-1).astype("int64")
    p = pd.DataFrame({
        "person_id": pid, "year": year,
        "estate_id": _text(df["estate_id"]) if "estate_id" in df else pd.Series(pd.NA, index=df.index, dtype="string"),
        "municipality": _text(df["municipality"]) if "municipality" in df else pd.Series(pd.NA, index=df.index, dtype="string"),
        "sex_raw": _text(df["sex"]), "age_class": age_class,
    })
    j = p.merge(ev, on=["person_id", "year"], how="left")
    j["matched"] = j["n_sigt"].notna().astype("int64")
    j["n_sigt"] = j["n_sigt"].fillna(0).astype("int64")
    j["n_afg"] = j["n_afg"].fillna(0).astype("int64")
    j["sm"] = j["sm"].fillna(0).astype("int64")
    j["charged"] = (j["n_sigt"] > 0).astype("int64")
    j["bad_pid"] = j["person_id"].isna().astype("int64")
    j["one"] = 1
    frames = []
    for kind, col, rows in (("municipality", "municipality", j), ("estate", "estate_id", j[j["estate_id"].notna()])):
        g = (rows.assign(area=rows[col], kind=kind)
             .groupby(_KEYS, dropna=False, as_index=False, sort=False)
             .agg(persons=("one", "sum"), sigtelser=("n_sigt", "sum"), sigtede=("charged", "sum"),
                  afgoerelser=("n_afg", "sum"), sigtet_mistaenkt=("sm", "sum"), bad_person_id=("bad_pid", "sum"),
                  matched_person_years=("matched", "sum")))
        if kind == "estate":
            g["bad_person_id"] = 0
            g["matched_person_years"] = 0
        frames.append(g)
    out = pd.concat(frames, ignore_index=True)
    out["area"] = out["area"].astype("string")
    out["sex_raw"] = out["sex_raw"].astype("string")
    out["kind"] = out["kind"].astype("string")
    out["year"] = out["year"].astype("Int64")
    return out[_KEYS + _SUMS]


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
                     check_duplicates: bool = True):
    """Base counts as :func:`evaluering.cells.duckdb_engine.base_counts_duckdb` returns them."""
    import dask

    persons, events = Path(persons), Path(events)
    origin = origin or {"persons": persons, "events": events}
    pdf = _read(persons, persons_fmt)
    edf = _read(events, events_fmt)
    pcols = resolve_columns(origin["persons"], list(pdf.columns), PERSON_COLUMNS, PERSON_REQUIRED)
    if "birth_year" not in pcols and "age" not in pcols:
        raise InputError(origin["persons"], "missing column 'birth_year' (or 'age')", row=1, column="birth_year")
    ecols = resolve_columns(origin["events"], list(edf.columns), EVENT_COLUMNS, EVENT_COLUMNS)
    pdf = pdf[list(pcols.values())].rename(columns={v: k for k, v in pcols.items()})
    edf = edf[list(ecols.values())].rename(columns={v: k for k, v in ecols.items()})
    inputs = SimpleNamespace(persons=persons, persons_fmt=persons_fmt, events=events, events_fmt=events_fmt,
                             pcols=pcols, ecols=ecols, origin=origin)
    with _client(scheduler, memory_limit, threads):
        en = edf.map_partitions(_events_part, meta={"person_id": "Int64", "year": "Int64", "law": "string",
                                                    "kind": "string"})
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
        en = en.assign(is_sigt=(en["kind"] == "sigtelse").astype("int64"),
                       is_afg=(en["kind"] == "afgoerelse").astype("int64"),
                       sm=(en["kind"].isin(["mistanke", "sigtelse"]) & en["law"].isin(list(YOUTH_LAWS))).astype("int64"))
        ev = (en.groupby(["person_id", "year"]).agg({"is_sigt": "sum", "is_afg": "sum", "sm": "max"})
              .compute().reset_index().rename(columns={"is_sigt": "n_sigt", "is_afg": "n_afg"}))
        n_events = int(en.shape[0].compute())
        meta = pd.DataFrame({"kind": pd.Series(dtype="string"), "area": pd.Series(dtype="string"),
                             "year": pd.Series(dtype="Int64"), "sex_raw": pd.Series(dtype="string"),
                             "age_class": pd.Series(dtype="int64"),
                             **{c: pd.Series(dtype="int64") for c in _SUMS}})
        parts = pdf.map_partitions(_persons_part, ev, "age" in pcols, meta=meta)
        agg = parts.groupby(_KEYS, dropna=False, sort=False).sum(split_out=1)
        if progress and sys.stderr.isatty():
            from dask.distributed import get_client, progress as show_progress

            future = get_client().compute(agg)
            show_progress(future)
            base = future.result().reset_index()
        else:
            base = agg.compute().reset_index()
        dup = 0
        if check_duplicates:
            key = pdf[["person_id", "year"]]
            n_rows, n_unique = dask.compute(key.shape[0], key.drop_duplicates(split_out=1).shape[0])
            dup = int(n_rows) - int(n_unique)
    check_person_rows(inputs, base, pcols)
    if dup:
        fail_duplicate_persons(inputs, pcols)
    muni_rows = base["kind"] == "municipality"
    stats = {
        "events": n_events,
        "person_years": int(base.loc[muni_rows, "persons"].sum()),
        "event_person_years": int(len(ev)),
        "event_person_years_without_residence": int(len(ev) - base["matched_person_years"].sum()),
    }
    base = base.drop(columns=["bad_person_id", "matched_person_years"])
    base = base[base["kind"].eq("municipality") | base["area"].notna()]
    return base, stats, pcols
