"""DuckDB engine: register files -> base counts, streaming from the files.

One pass over the events builds, per person and year, the event values of the measures
(number of sigtelser and afgørelser, suspected-or-charged under the three laws, convictions).
One pass over the person-years joins them (hash join, events on the build side) and
aggregates every measure of ``domain/measures.yaml`` at once, compiled to SQL by
:mod:`evaluering.cells.measures` (a population and a numerator column per measure), with
two grouping sets: (municipality, year, raw sex) over all rows (``kind = 'municipality'``)
and (estate, year, raw sex) (``kind = 'estate'``). That *base* table is small and
:mod:`evaluering.cells.rollup` turns it into cells for every level. The movers
(tilflyttere, fraflyttere) come from one more pass that groups the person-years by person
and residence into bit masks of years (:mod:`evaluering.cells.movers`); it also gives the
exact duplicate person-year check for free. Validation rides along (null and range counts);
a problem is then located in the file by :func:`evaluering.cells.inputs.locate`.

>>> BASE_KEYS
('kind', 'area', 'year', 'sex_raw')
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pandas as pd

from ..errors import InputError
from .inputs import duckdb_scan, locate, sql_string
from .measures import REGISTER_COLUMNS, code_aliases, conviction_decisions
from .profile import Packing, achievable_profiles, lookup_masks, profile_sql
from .schema import (EVENT_COLUMNS, EVENT_OPTIONAL, KIND_ALIASES, LAW_ALIASES, PERSON_COLUMNS, PERSON_REQUIRED,
                     YOUTH_LAWS, resolve_columns, resolve_person_columns)

__all__ = ["base_counts_duckdb", "BASE_KEYS"]

log = logging.getLogger(__name__)

BASE_KEYS = ("kind", "area", "year", "sex_raw")
_INT_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
_TRUE = ("true", "1", "ja", "j", "yes", "y", "t", "sand")
_FALSE = ("false", "0", "nej", "n", "no", "f", "falsk")


def _case_map(expr: str, aliases: dict[str, str]) -> str:
    whens = " ".join(f"WHEN {sql_string(k)} THEN {sql_string(v)}" for k, v in aliases.items())
    return f"CASE lower(trim(CAST({expr} AS VARCHAR))) {whens} ELSE NULL END"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class DuckInputs:
    """The three inputs opened in one DuckDB connection, with normalised views.

    ``persons_n`` has ``person_id, year, estate_id, municipality, age, sex_raw`` and the
    optional register columns present in the file (normalised: codes canonical, booleans,
    whole numbers), each with a ``<column>__bad`` flag for a value that could not be read.
    """

    def __init__(self, con, persons, persons_fmt, events, events_fmt, origin: dict[str, Path]):
        self.con = con
        self.persons, self.persons_fmt = Path(persons), persons_fmt
        self.events, self.events_fmt = Path(events), events_fmt
        self.origin = origin
        p_scan = duckdb_scan(persons, persons_fmt)
        e_scan = duckdb_scan(events, events_fmt)
        p_types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {p_scan}").fetchall()}
        e_types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {e_scan}").fetchall()}
        self.pcols = resolve_person_columns(origin["persons"], list(p_types), tuple(REGISTER_COLUMNS))
        if "birth_year" not in self.pcols and "age" not in self.pcols:
            raise InputError(origin["persons"], "missing column 'birth_year' (or 'age')", row=1, column="birth_year")
        self.ecols = resolve_columns(origin["events"], list(e_types), EVENT_COLUMNS + EVENT_OPTIONAL, EVENT_COLUMNS)
        pc, ec = self.pcols, self.ecols
        self.register_columns = tuple(c for c in REGISTER_COLUMNS if c in pc)

        def ptype(col):
            return p_types[pc[col]].upper()

        def as_int(col, kind="INTEGER"):
            if ptype(col) in _INT_TYPES:
                return _q(pc[col])          # already whole numbers: no per-row cast
            return f"TRY_CAST({_q(pc[col])} AS {kind})"

        def as_text(col):
            t = ptype(col)
            if t == "VARCHAR":
                return _q(pc[col])
            if t in ("DOUBLE", "FLOAT") or t.startswith("DECIMAL"):
                return f"CAST(TRY_CAST({_q(pc[col])} AS BIGINT) AS VARCHAR)"
            return f"CAST({_q(pc[col])} AS VARCHAR)"

        def present(col):
            q = _q(pc[col])
            if ptype(col) == "VARCHAR":
                return f"({q} IS NOT NULL AND trim({q}) <> '')"
            return f"({q} IS NOT NULL)"

        age = as_int("age") if "age" in pc else f"{as_int('year')} - {as_int('birth_year')}"
        estate = as_text("estate_id") if "estate_id" in pc else "NULL::VARCHAR"
        muni = as_text("municipality") if "municipality" in pc else "NULL::VARCHAR"
        extra = []
        codes = [c for c in self.register_columns if REGISTER_COLUMNS[c] == "code" and ptype(c) == "VARCHAR"]
        canonical = set()
        if codes:   # one cheap scan: columns that already hold canonical codes need no per-row mapping
            lists = con.execute("SELECT " + ", ".join(f"list(DISTINCT {_q(pc[c])})" for c in codes)
                                + f" FROM {p_scan}").fetchall()[0]
            for c, values in zip(codes, lists):
                canon = set(code_aliases(c).values())
                if all(v is None or v in canon for v in values):
                    canonical.add(c)
        for col in self.register_columns:
            kind, q = REGISTER_COLUMNS[col], _q(pc[col])
            if kind == "code" and col in canonical:
                val = q
            elif kind == "code":
                val = _case_map(q, code_aliases(col))
            elif kind == "bool":
                if ptype(col) == "BOOLEAN":
                    val = q
                else:
                    t = ", ".join(sql_string(x) for x in _TRUE)
                    f = ", ".join(sql_string(x) for x in _FALSE)
                    txt = f"lower(trim(CAST({q} AS VARCHAR)))"
                    val = f"CASE WHEN {txt} IN ({t}) THEN true WHEN {txt} IN ({f}) THEN false ELSE NULL END"
            elif kind == "int":
                val = q if ptype(col) in _INT_TYPES else f"TRY_CAST({q} AS BIGINT)"
            else:
                val = q if ptype(col) in _INT_TYPES + ("DOUBLE", "FLOAT") else f"TRY_CAST({q} AS DOUBLE)"
            extra.append(f"{val} AS {col}")
            if val != q:
                extra.append(f"({present(col)} AND ({val}) IS NULL) AS {col}__bad")
        extra_sql = "".join(", " + e for e in extra)
        con.execute(f"""CREATE OR REPLACE TEMP VIEW persons_n AS SELECT
            {as_int('person_id', 'BIGINT')} AS person_id, {as_int('year')} AS year,
            {estate} AS estate_id, {muni} AS municipality,
            {age} AS age, {as_text('sex')} AS sex_raw{extra_sql}
            FROM {p_scan}""")
        self.bad_columns = tuple(c for c in self.register_columns if f"AS {c}__bad" in extra_sql)
        dtype = e_types[ec["date"]].upper()
        d = _q(ec["date"])
        if "DATE" in dtype or "TIMESTAMP" in dtype:
            date = f"CAST({d} AS DATE)"
        else:
            date = (f"COALESCE(TRY_CAST({d} AS DATE), TRY_STRPTIME(CAST({d} AS VARCHAR), '%d.%m.%Y')::DATE, "
                    f"TRY_STRPTIME(CAST({d} AS VARCHAR), '%d-%m-%Y')::DATE)")
        if "decision" in ec:
            dq = _q(ec["decision"])
            decision = _case_map(dq, code_aliases("decision"))
            decision_bad = (f"(({dq}) IS NOT NULL AND trim(CAST({dq} AS VARCHAR)) <> '' AND ({decision}) IS NULL)")
        else:
            decision, decision_bad = "NULL::VARCHAR", "false"
        con.execute(f"""CREATE OR REPLACE TEMP VIEW events_n AS SELECT
            TRY_CAST({_q(ec['person_id'])} AS BIGINT) AS person_id,
            {date} AS date,
            {_case_map(_q(ec['law']), LAW_ALIASES)} AS law,
            {_case_map(_q(ec['kind']), KIND_ALIASES)} AS kind,
            {decision} AS decision, {decision_bad} AS decision__bad
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
    (missing person id or year, age outside 0-130, an unreadable register value). Shared
    by both engines."""
    if base["bad_person_id"].sum():
        _fail(inputs, "persons", "person_id", lambda df: _not_int(df[pcols["person_id"].lower()]),
              "person id missing or not a whole number")
    if base["year"].isna().any():
        _fail(inputs, "persons", "year", lambda df: _not_int(df[pcols["year"].lower()]),
              "year missing or not a whole number")
    if base["bad_age"].sum():
        key = "age" if "age" in pcols else "birth_year"

        def bad_age(df):
            if "age" in pcols:
                a = pd.to_numeric(df[pcols["age"].lower()], errors="coerce")
            else:
                a = (pd.to_numeric(df[pcols["year"].lower()], errors="coerce")
                     - pd.to_numeric(df[pcols["birth_year"].lower()], errors="coerce"))
            return a.isna() | (a < 0) | (a > 130) | _not_int(df[pcols[key].lower()])
        _fail(inputs, "persons", key, bad_age, f"{key} missing, not a whole number or age outside 0-130")
    for col in REGISTER_COLUMNS:
        if f"bad__{col}" in base and base[f"bad__{col}"].sum():
            from .reference import register_value_bad

            src = pcols[col].lower()
            _fail(inputs, "persons", col, lambda df, c=col, s=src: register_value_bad(c, df[s]),
                  _BAD_MESSAGE[REGISTER_COLUMNS[col]].format(col=col))


_BAD_MESSAGE = {"code": "{col}: unknown code (see docs/cells.md)", "bool": "{col}: not a yes/no value (use true/false, 1/0, ja/nej)",
                "int": "{col}: not a whole number", "number": "{col}: not a number"}


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
    n, bad_pid, bad_date, bad_law, bad_kind, bad_decision = con.execute("""SELECT count(*),
        count(*) FILTER (WHERE person_id IS NULL), count(*) FILTER (WHERE date IS NULL),
        count(*) FILTER (WHERE law IS NULL), count(*) FILTER (WHERE kind IS NULL),
        count(*) FILTER (WHERE decision__bad) FROM events_n""").fetchone()
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
    if bad_decision:
        from .reference import decision_bad

        _fail(inputs, "events", "decision", lambda df: decision_bad(df[ec["decision"].lower()]),
              "decision: unknown code (use " + ", ".join(sorted(set(code_aliases("decision").values()))) + ")")
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


def _measure_aggregates(con, plan, rows: int) -> tuple[str, str, str, str, list[str]]:
    """SQL of the measures in the person-year pass: ``(profile, group keys, join, aggregates,
    base columns)``.

    Each row gets the bit profile of :meth:`~evaluering.cells.measures.MeasurePlan.sql_profile`
    (from list look-ups when the conditions allow, :mod:`.profile`). When every profile a row
    can have is known, a small table ``pk`` gives each profile's counters packed into a few
    BIGINT words (:class:`~.profile.Packing`): the pass sums the words per (estate,
    municipality, year, sex) and the base columns are read back from the sums. Otherwise the
    pass also groups by the profile and the base columns are sums over its bits.
    """
    import pyarrow as pa

    profile, bits, sums = plan.sql_profile()
    found = lookup_masks(plan, bits)
    profiles = achievable_profiles(*found) if found else None
    if found:
        profile = profile_sql(*found)
    if profiles is None:
        aggs = "".join(f", sum({e}) AS s_{k[2:]}" for k, e in sums.items())
        return profile, ", profile", "", aggs, plan.sql_decode(bits, sums)
    pack = Packing.of(bits, rows)
    words = [f"w_{i}" for i in range(pack.n_words)]
    table = pd.DataFrame(pack.words(profiles, bits), columns=words, dtype="int64")
    table.insert(0, "p", pd.Series(profiles, dtype="int64"))
    con.register("pk_df", pa.Table.from_pandas(table, preserve_index=False))
    con.execute("CREATE OR REPLACE TEMP TABLE pk AS SELECT * FROM pk_df")
    con.unregister("pk_df")
    aggs = "".join(f", sum({w}) AS {w}" for w in words)
    pops = {c: plan.population_of(c[2:]) for c in sums}
    aggs += "".join(f", sum({e}) FILTER (WHERE profile & {1 << bits[pops[k]]} <> 0) AS s_{k[2:]}" for k, e in sums.items())
    decode = pack.sql_unpack() + [f"coalesce(sum(s_{k[2:]}), 0) AS {k}" for k in sums]
    return profile, "", " LEFT JOIN pk ON profile = pk.p", aggs, decode


def base_counts_duckdb(persons: str | Path, persons_fmt: str, events: str | Path, events_fmt: str,
                       origin: dict[str, Path] | None = None, memory_limit: str | None = None,
                       threads: int | None = None, progress: bool = False,
                       check_duplicates: bool = True, temp_dir: str | Path | None = None,
                       estates: pd.DataFrame | None = None, only: tuple[str, ...] | None = None,
                       cohort_years: tuple[int, ...] = ()):
    """Base counts of the register inputs and run statistics.

    Returns ``(base, stats, person_columns, extra)``: the base counts (:data:`BASE_KEYS`,
    then a population and a numerator column per measure), run totals (never a person-level
    value), the persons file's column names by canonical name, and ``extra`` with the
    ``plan`` (:class:`~evaluering.cells.measures.MeasurePlan`) and the ``movers`` counts.
    """
    import duckdb

    from .measures import measure_plan
    from .movers import movers_duckdb

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
        plan = measure_plan(set(inputs.register_columns), only=only)
        stats = _check_events(con, inputs)
        youth_laws = ", ".join(sql_string(x) for x in YOUTH_LAWS)
        convict = ", ".join(sql_string(x) for x in conviction_decisions())
        year_type = con.execute("SELECT typeof(year) FROM persons_n LIMIT 1").fetchone()
        year_type = year_type[0] if year_type and year_type[0] != "NULL" else "INTEGER"
        con.execute(f"""CREATE TEMP TABLE ev AS SELECT person_id AS e_pid, CAST(year(date) AS {year_type}) AS e_year,
            CAST(count(*) FILTER (WHERE kind = 'sigtelse') AS INTEGER) AS n_sigtelse,
            CAST(count(*) FILTER (WHERE kind = 'afgoerelse') AS INTEGER) AS n_afgoerelse,
            CAST(max(CASE WHEN kind IN ('mistanke', 'sigtelse') AND law IN ({youth_laws}) THEN 1 ELSE 0 END) AS INTEGER) AS youth_event,
            CAST(count(*) FILTER (WHERE kind = 'afgoerelse' AND law IN ({youth_laws})
                                  AND (decision IS NULL OR decision IN ({convict}))) AS INTEGER) AS n_dom
            FROM events_n GROUP BY ALL""")
        rows = con.execute("SELECT count(*) FROM persons_n").fetchall()[0][0]
        profile, group, join, aggs, decode = _measure_aggregates(con, plan, rows)
        bad = "".join(f", ({c}__bad) AS b__{c}" for c in inputs.bad_columns)
        bad_keys = "".join(f", b__{c}" for c in inputs.bad_columns)
        # every measure in one pass: the person-years left-joined to their event values and
        # aggregated per (estate, municipality, year, sex) (see _measure_aggregates)
        con.execute(f"""CREATE TEMP TABLE prof AS SELECT estate_id, municipality, year, sex_raw{group},
                (person_id IS NULL) AS bad_pid, (age IS NULL OR age < 0 OR age > 130) AS bad_age_row,
                (e_pid IS NOT NULL) AS matched{bad_keys},
                count(*) AS cnt{aggs}
            FROM (SELECT *{bad}
                  FROM (SELECT *, {profile} AS profile FROM persons_n LEFT JOIN ev ON person_id = e_pid AND year = e_year){join})
            GROUP BY ALL""")
        badsum = "".join(f", coalesce(sum(cnt) FILTER (WHERE b__{c}), 0) AS bad__{c}" for c in inputs.bad_columns)
        base = con.execute(f"""SELECT CASE WHEN GROUPING(estate_id) = 0 THEN 'estate' ELSE 'municipality' END AS kind,
                CASE WHEN GROUPING(estate_id) = 0 THEN estate_id ELSE municipality END AS area,
                year, sex_raw, {"".join(f"{d}, " for d in decode)}
                sum(cnt) AS rows, coalesce(sum(cnt) FILTER (WHERE bad_pid), 0) AS bad_person_id,
                coalesce(sum(cnt) FILTER (WHERE bad_age_row), 0) AS bad_age,
                coalesce(sum(cnt) FILTER (WHERE matched), 0) AS matched_person_years{badsum}
            FROM prof
            GROUP BY GROUPING SETS ((municipality, year, sex_raw), (estate_id, year, sex_raw))""").df()
        base = base[(base["kind"] == "municipality") | base["area"].notna()].reset_index(drop=True)
        est = base["kind"] == "estate"
        base.loc[est, ["bad_person_id", "bad_age", "matched_person_years"]] = 0
        for c in inputs.bad_columns:
            base.loc[est, f"bad__{c}"] = 0
        pc = inputs.pcols
        check_person_rows(inputs, base, pc)
        movers, dup = None, None
        if plan.movers:
            movers, dup = movers_duckdb(con, base, estates)
            if movers is None:
                plan = measure_plan(set(inputs.register_columns), only=only, movers=False)
        if check_duplicates:
            if dup is None:
                dup = _count_duplicate_persons(con, base)
            if dup:
                fail_duplicate_persons(inputs, pc)
        n_ev_py = con.execute("SELECT count(*) FROM ev").fetchone()[0]
        muni_rows = base["kind"] == "municipality"
        stats.update({
            "person_years": int(base.loc[muni_rows, "rows"].sum()),
            "event_person_years": int(n_ev_py),
            "event_person_years_without_residence": int(n_ev_py - base["matched_person_years"].sum()),
        })
        base = base.rename(columns={"rows": "persons"}).drop(columns=["bad_person_id", "bad_age", "matched_person_years",
                                  *(f"bad__{c}" for c in inputs.bad_columns)])
        if cohort_years:
            from .cohort import cohort_base_duckdb

            coh = cohort_base_duckdb(con, plan, tuple(cohort_years), "LEFT JOIN ev ON person_id = e_pid AND year = e_year")
            base = pd.concat([base, coh[base.columns]], ignore_index=True)
        return base, stats, inputs.pcols, {"plan": plan, "movers": movers}
    finally:
        con.close()
