"""DuckDB engine: register files -> base counts, streaming from the files.

One pass over the events builds, per person and year, the number of sigtelser and
afgørelser and whether the person was suspected or charged under the three laws of the
10-17 measure. The person-years are joined to them (hash join, events on the build side;
only person-years with events come out) for the numerators, and grouped without a join for
the denominators: by (municipality, year, raw sex, age class) over all rows
(``kind = 'municipality'``) and by (estate, year, raw sex, age class) over estate residents
(``kind = 'estate'``). That *base* table is small (at most (estates + municipalities) x
years x 2 x 5 rows) and :mod:`evaluering.cells.rollup` turns it
into cells for every level. Validation rides along in the same pass (null and range
counts); a problem is then located in the file by :func:`evaluering.cells.inputs.locate`.

>>> BASE_COLUMNS[:5]
('kind', 'area', 'year', 'sex_raw', 'age_class')
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pandas as pd

from ..errors import InputError
from .inputs import duckdb_scan, locate, sql_string
from .schema import EVENT_COLUMNS, KIND_ALIASES, LAW_ALIASES, PERSON_COLUMNS, PERSON_REQUIRED, YOUTH_LAWS, resolve_columns

__all__ = ["base_counts_duckdb", "BASE_COLUMNS", "AGE_CLASSES"]

log = logging.getLogger(__name__)

BASE_COLUMNS = ("kind", "area", "year", "sex_raw", "age_class", "persons",
                "sigtelser", "sigtede", "afgoerelser", "sigtet_mistaenkt")
#: age classes of the base table: 0 under 10, 1 10-14, 2 15-17, 3 18+, -1 no valid age
AGE_CLASSES = {0: "0-9", 1: "10-14", 2: "15-17", 3: "18+", -1: "invalid"}


def _case_map(expr: str, aliases: dict[str, str]) -> str:
    whens = " ".join(f"WHEN {sql_string(k)} THEN {sql_string(v)}" for k, v in aliases.items())
    return f"CASE lower(trim(CAST({expr} AS VARCHAR))) {whens} ELSE NULL END"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class DuckInputs:
    """The three inputs opened in one DuckDB connection, with normalised views."""

    def __init__(self, con, persons, persons_fmt, events, events_fmt, origin: dict[str, Path]):
        self.con = con
        self.persons, self.persons_fmt = Path(persons), persons_fmt
        self.events, self.events_fmt = Path(events), events_fmt
        self.origin = origin
        p_scan = duckdb_scan(persons, persons_fmt)
        e_scan = duckdb_scan(events, events_fmt)
        p_types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {p_scan}").fetchall()}
        e_types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {e_scan}").fetchall()}
        self.pcols = resolve_columns(origin["persons"], list(p_types), PERSON_COLUMNS, PERSON_REQUIRED)
        if "birth_year" not in self.pcols and "age" not in self.pcols:
            raise InputError(origin["persons"], "missing column 'birth_year' (or 'age')", row=1, column="birth_year")
        self.ecols = resolve_columns(origin["events"], list(e_types), EVENT_COLUMNS, EVENT_COLUMNS)
        pc, ec = self.pcols, self.ecols

        def as_int(col, kind="INTEGER"):
            t = p_types[pc[col]].upper()
            if t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"):
                return _q(pc[col])          # already whole numbers: no per-row cast
            return f"TRY_CAST({_q(pc[col])} AS {kind})"

        def as_text(col):
            t = p_types[pc[col]].upper()
            if t == "VARCHAR":
                return _q(pc[col])
            if t in ("DOUBLE", "FLOAT") or t.startswith("DECIMAL"):
                return f"CAST(TRY_CAST({_q(pc[col])} AS BIGINT) AS VARCHAR)"
            return f"CAST({_q(pc[col])} AS VARCHAR)"

        age = as_int("age") if "age" in pc else f"{as_int('year')} - {as_int('birth_year')}"
        estate = as_text("estate_id") if "estate_id" in pc else "NULL::VARCHAR"
        muni = as_text("municipality") if "municipality" in pc else "NULL::VARCHAR"
        con.execute(f"""CREATE OR REPLACE TEMP VIEW persons_n AS SELECT
            {as_int('person_id', 'BIGINT')} AS person_id, {as_int('year')} AS year,
            {estate} AS estate_id, {muni} AS municipality,
            {age} AS age, {as_text('sex')} AS sex_raw
            FROM {p_scan}""")
        dtype = e_types[ec["date"]].upper()
        d = _q(ec["date"])
        if "DATE" in dtype or "TIMESTAMP" in dtype:
            date = f"CAST({d} AS DATE)"
        else:
            date = (f"COALESCE(TRY_CAST({d} AS DATE), TRY_STRPTIME(CAST({d} AS VARCHAR), '%d.%m.%Y')::DATE, "
                    f"TRY_STRPTIME(CAST({d} AS VARCHAR), '%d-%m-%Y')::DATE)")
        con.execute(f"""CREATE OR REPLACE TEMP VIEW events_n AS SELECT
            TRY_CAST({_q(ec['person_id'])} AS BIGINT) AS person_id,
            {date} AS date,
            {_case_map(_q(ec['law']), LAW_ALIASES)} AS law,
            {_case_map(_q(ec['kind']), KIND_ALIASES)} AS kind
            FROM {e_scan}""")


def _fail(inputs: DuckInputs, which: str, column_key: str, predicate, message: str):
    path = inputs.persons if which == "persons" else inputs.events
    fmt = inputs.persons_fmt if which == "persons" else inputs.events_fmt
    cols = inputs.pcols if which == "persons" else inputs.ecols
    column = cols.get(column_key, column_key)
    row = locate(path, fmt, predicate)
    raise InputError(inputs.origin[which], message, row=row, column=column)


def _not_int(s: pd.Series) -> pd.Series:
    num = pd.to_numeric(s, errors="coerce")
    return num.isna() | (num != num.round())



def check_person_rows(inputs, base: pd.DataFrame, pcols: dict) -> None:
    """Raise an InputError at the first bad person row that the aggregate ``base`` flags
    (missing person id or year, age outside 0-130). Shared by both engines."""
    if base["bad_person_id"].sum():
        _fail(inputs, "persons", "person_id", lambda df: _not_int(df[pcols["person_id"].lower()]),
              "person id missing or not a whole number")
    if base["year"].isna().any():
        _fail(inputs, "persons", "year", lambda df: _not_int(df[pcols["year"].lower()]),
              "year missing or not a whole number")
    if (base["age_class"] == -1).any():
        key = "age" if "age" in pcols else "birth_year"

        def bad_age(df):
            if "age" in pcols:
                a = pd.to_numeric(df[pcols["age"].lower()], errors="coerce")
            else:
                a = (pd.to_numeric(df[pcols["year"].lower()], errors="coerce")
                     - pd.to_numeric(df[pcols["birth_year"].lower()], errors="coerce"))
            return a.isna() | (a < 0) | (a > 130) | _not_int(df[pcols[key].lower()])
        _fail(inputs, "persons", key, bad_age, f"{key} missing, not a whole number or age outside 0-130")


def fail_duplicate_persons(inputs, pcols: dict) -> None:
    """Raise an InputError at the first repeated (person, year) row, scanning in file order."""
    seen: set = set()

    def is_dup(df):
        keys = zip(pd.to_numeric(df[pcols["person_id"].lower()]), pd.to_numeric(df[pcols["year"].lower()]))
        out = []
        for k in keys:
            out.append(k in seen)
            seen.add(k)
        return pd.Series(out, index=df.index)
    _fail(inputs, "persons", "person_id", is_dup,
          "a second row for the same person and year (one row per person-year: the residence on 1 January)")

def bad_date_predicate(col: str):
    """A chunk predicate: the date in ``col`` is missing or unreadable."""
    def bad(df):
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s) or s.map(lambda v: hasattr(v, "year")).all():
            return s.isna()
        txt = s.astype("string").str.strip()
        ok = pd.to_datetime(txt, format="%Y-%m-%d", errors="coerce").notna()
        for fmt in ("%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S"):
            ok |= pd.to_datetime(txt, format=fmt, errors="coerce").notna()
        return ~ok
    return bad


def _check_events(con, inputs: DuckInputs) -> dict[str, int]:
    ec = inputs.ecols
    n, bad_pid, bad_date, bad_law, bad_kind = con.execute("""SELECT count(*),
        count(*) FILTER (WHERE person_id IS NULL), count(*) FILTER (WHERE date IS NULL),
        count(*) FILTER (WHERE law IS NULL), count(*) FILTER (WHERE kind IS NULL) FROM events_n""").fetchone()
    if bad_pid:
        _fail(inputs, "events", "person_id", lambda df: _not_int(df[ec["person_id"].lower()]),
              "person id missing or not a whole number")
    if bad_date:
        _fail(inputs, "events", "date", bad_date_predicate(ec["date"].lower()),
              "date missing or not a date (use YYYY-MM-DD or DD.MM.YYYY)")
    for key, aliases, count in (("law", LAW_ALIASES, bad_law), ("kind", KIND_ALIASES, bad_kind)):
        if count:
            accepted = ", ".join(sorted(set(aliases.values())))
            _fail(inputs, "events", key,
                  lambda df, k=key, a=aliases: ~df[ec[k].lower()].astype("string").str.strip().str.lower().isin(list(a)),
                  f"{key} missing or not one of: {accepted}")
    return {"events": int(n)}


def _count_duplicate_persons(con, base: pd.DataFrame) -> int:
    """Persons with two rows in one year, exactly, without grouping by person-year.

    Per person, the sum of ``2**(year - first)`` over the rows equals their bitwise OR exactly
    when no year repeats, so one group-by over persons (not person-years) suffices.
    """
    years = base["year"].dropna()
    if years.empty:
        return 0
    first, last = int(years.min()), int(years.max())
    span = last - first
    if span <= 62:
        kind = "BIGINT"
    elif span <= 126:
        kind = "HUGEINT"
    else:
        return int(con.execute("SELECT count(*) FROM (SELECT person_id, year FROM persons_n "
                               "GROUP BY ALL HAVING count(*) > 1)").fetchone()[0])
    return int(con.execute(f"""SELECT count(*) FILTER (WHERE s <> o) FROM (
        SELECT sum(1::{kind} << (year - {first})) AS s, bit_or(1::{kind} << (year - {first})) AS o
        FROM persons_n WHERE person_id IS NOT NULL AND year IS NOT NULL GROUP BY person_id)""").fetchone()[0])


def base_counts_duckdb(persons: str | Path, persons_fmt: str, events: str | Path, events_fmt: str,
                       origin: dict[str, Path] | None = None, memory_limit: str | None = None,
                       threads: int | None = None, progress: bool = False,
                       check_duplicates: bool = True, temp_dir: str | Path | None = None):
    """Base counts of the register inputs (see :data:`BASE_COLUMNS`) and run statistics.

    Returns ``(base, stats, person_columns)``: the base counts, run totals (never a
    person-level value) and the persons file's column names by canonical name.
    """
    import duckdb

    origin = origin or {"persons": Path(persons), "events": Path(events)}
    con = duckdb.connect(":memory:")
    try:
        if memory_limit:
            con.execute(f"SET memory_limit = {sql_string(memory_limit)}")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        if temp_dir:
            con.execute(f"SET temp_directory = {sql_string(temp_dir)}")
        con.execute("SET preserve_insertion_order = false")
        if progress and sys.stderr.isatty():
            con.execute("SET enable_progress_bar = true")
            con.execute("SET enable_progress_bar_print = true")
        else:
            con.execute("SET enable_progress_bar = false")
        inputs = DuckInputs(con, persons, persons_fmt, events, events_fmt, origin)
        stats = _check_events(con, inputs)
        youth_laws = ", ".join(sql_string(x) for x in YOUTH_LAWS)
        year_type = con.execute("SELECT typeof(year) FROM persons_n LIMIT 1").fetchone()
        year_type = year_type[0] if year_type and year_type[0] != "NULL" else "INTEGER"
        con.execute(f"""CREATE TEMP TABLE ev AS SELECT person_id, CAST(year(date) AS {year_type}) AS year,
            CAST(count(*) FILTER (WHERE kind = 'sigtelse') AS INTEGER) AS n_sigt,
            CAST(count(*) FILTER (WHERE kind = 'afgoerelse') AS INTEGER) AS n_afg,
            CAST(max(CASE WHEN kind IN ('mistanke', 'sigtelse') AND law IN ({youth_laws}) THEN 1 ELSE 0 END) AS INTEGER) AS sm
            FROM events_n GROUP BY ALL""")
        age_class = ("CASE WHEN age > 130 THEN -1 WHEN age >= 18 THEN 3 WHEN age >= 15 THEN 2 WHEN age >= 10 THEN 1 "
                     "WHEN age >= 0 THEN 0 ELSE -1 END")
        con.execute(f"""CREATE OR REPLACE TEMP VIEW pn AS SELECT person_id, year, estate_id, municipality, sex_raw,
                {age_class} AS age_class FROM persons_n""")
        # numerators: only the person-years with events (hash join, events on the build side)
        con.execute(f"""CREATE TEMP TABLE nums AS SELECT p.municipality, p.estate_id, p.year, p.sex_raw,
                {age_class.replace('age', 'p.age')} AS age_class,
                sum(e.n_sigt) AS sigtelser, count(*) FILTER (WHERE e.n_sigt > 0) AS sigtede,
                sum(e.n_afg) AS afgoerelser, sum(e.sm) AS sigtet_mistaenkt, count(*) AS matched
            FROM persons_n p JOIN ev e ON p.person_id = e.person_id AND p.year = e.year GROUP BY ALL""")
        # denominators (and validation counts): every person-year, by municipality and by estate
        base = con.execute("""WITH dens AS (
                SELECT 'municipality' AS kind, municipality AS area, year, sex_raw, age_class, count(*) AS persons,
                    count(*) - count(person_id) AS bad_person_id
                FROM pn GROUP BY ALL
                UNION ALL
                SELECT 'estate' AS kind, estate_id AS area, year, sex_raw, age_class, count(*), 0
                FROM pn WHERE estate_id IS NOT NULL GROUP BY ALL),
            n AS (
                SELECT 'municipality' AS kind, municipality AS area, year, sex_raw, age_class, sum(sigtelser) AS sigtelser,
                    sum(sigtede) AS sigtede, sum(afgoerelser) AS afgoerelser, sum(sigtet_mistaenkt) AS sigtet_mistaenkt,
                    sum(matched) AS matched_person_years
                FROM nums GROUP BY ALL
                UNION ALL
                SELECT 'estate', estate_id, year, sex_raw, age_class, sum(sigtelser), sum(sigtede), sum(afgoerelser),
                    sum(sigtet_mistaenkt), 0
                FROM nums WHERE estate_id IS NOT NULL GROUP BY ALL)
            SELECT d.kind, d.area, d.year, d.sex_raw, d.age_class, CAST(d.persons AS BIGINT) AS persons,
                CAST(coalesce(n.sigtelser, 0) AS BIGINT) AS sigtelser, CAST(coalesce(n.sigtede, 0) AS BIGINT) AS sigtede,
                CAST(coalesce(n.afgoerelser, 0) AS BIGINT) AS afgoerelser,
                CAST(coalesce(n.sigtet_mistaenkt, 0) AS BIGINT) AS sigtet_mistaenkt,
                CAST(d.bad_person_id AS BIGINT) AS bad_person_id,
                CAST(coalesce(n.matched_person_years, 0) AS BIGINT) AS matched_person_years
            FROM dens d LEFT JOIN n ON d.kind = n.kind AND d.area IS NOT DISTINCT FROM n.area
                AND d.year IS NOT DISTINCT FROM n.year AND d.sex_raw IS NOT DISTINCT FROM n.sex_raw
                AND d.age_class = n.age_class""").df()
        pc = inputs.pcols
        check_person_rows(inputs, base, pc)
        if check_duplicates and _count_duplicate_persons(con, base):
            fail_duplicate_persons(inputs, pc)
        n_ev_py = con.execute("SELECT count(*) FROM ev").fetchone()[0]
        muni_rows = base["kind"] == "municipality"
        stats.update({
            "person_years": int(base.loc[muni_rows, "persons"].sum()),
            "event_person_years": int(n_ev_py),
            "event_person_years_without_residence": int(n_ev_py - base["matched_person_years"].sum()),
        })
        base = base.drop(columns=["bad_person_id", "matched_person_years"])
        return base, stats, inputs.pcols
    finally:
        con.close()
