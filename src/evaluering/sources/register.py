"""Validate register extracts (persons, events) without loading them whole.

The column contract is :mod:`evaluering.cells.schema` (owned by the cells engine); this
module only checks a file against it, chunk by chunk, for ``evaluering validate``. Register
rows are person-level: messages name the file, row and column and what is wrong, never a
value.

>>> sorted(REGISTER_SCHEMAS)
['register-events', 'register-persons']
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from .schema import Column, Problems, Schema, _Collector

__all__ = ["read_register", "REGISTER_SCHEMAS", "sas_whole_numbers", "sas_reader"]

#: header-only schemas used to guess a file's kind (the checks are in :func:`read_register`)
REGISTER_SCHEMAS: dict[str, Schema] = {
    "register-persons": Schema("register-persons", [
        Column("person_id", "person_id"), Column("year", "year"), Column("sex", "sex"),
        Column("estate_id", "estate_id", optional=True), Column("birth_year", "birth_year", optional=True),
        Column("age", "age", optional=True), Column("municipality", "municipality", optional=True)]),
    "register-events": Schema("register-events", [
        Column("person_id", "person_id"), Column("date", "date"), Column("law", "law"), Column("kind", "kind")]),
}

_DUPLICATE_CHECK_MAX = 20_000_000


def sas_whole_numbers(df):
    """SAS stores every number as a double: a numeric column whose values are all whole
    (sex ``1.0``/``2.0``, ids ``12.0``, years ``2015.0``) becomes a nullable integer column,
    so that codes read as ``1``, ``2``, ``12`` everywhere (text, joins, aliases). Columns with
    a fraction, and all other types, are kept.

    >>> import pandas as pd
    >>> out = sas_whole_numbers(pd.DataFrame({"sex": [1.0, 2.0, None], "x": [1.5, 2.0, 3.0]}))
    >>> out["sex"].astype("string").tolist(), str(out["x"].dtype)
    (['1', '2', <NA>], 'float64')
    """
    import numpy as np
    import pandas as pd

    out = df
    for c in df.columns:
        s = df[c]
        if not pd.api.types.is_float_dtype(s):
            continue
        v = s.to_numpy(dtype="float64", na_value=np.nan)
        ok = ~np.isnan(v)
        if ok.any() and np.all(np.isfinite(v[ok])) and np.all(v[ok] == np.round(v[ok])) \
                and np.all(np.abs(v[ok]) < 2 ** 53):
            if out is df:
                out = df.copy()
            out[c] = s.astype("Int64")
    return out


def sas_reader(path):
    """The pyreadstat reader of a SAS file: ``read_xport`` for ``.xpt``, else ``read_sas7bdat``."""
    import pyreadstat

    return pyreadstat.read_xport if str(path).lower().endswith(".xpt") else pyreadstat.read_sas7bdat


def read_register(path: str | Path, kind: str, collect: bool = False, chunk_rows: int = 500_000):
    """Check a register extract; returns a small frame of per-column summaries (no person
    values): ``column, non_missing``; ``attrs["rows"]`` is the record count.

    Raises :class:`InputError` (or :class:`Problems` with ``collect``) naming row and column.
    """
    import pandas as pd

    from ..cells.inputs import iter_chunks, row_of
    from ..cells.schema import (EVENT_COLUMNS, KIND_ALIASES, LAW_ALIASES, PERSON_COLUMNS, SEX_ALIASES,
                                input_format)

    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found")
    fmt = input_format(path)
    if fmt == "csv":
        # encoding, emptiness and binary checks of the robust reader
        from .schema import read_raw
        head = path.read_bytes()[:65536]
        if not head.strip():
            raise InputError(path, "the file is empty")
        if b"\x00" in head or head.startswith(b"%PDF"):
            read_raw(path)  # raises the precise message
    col = _Collector(path, collect, 20)
    persons = kind == "register-persons"
    wanted = PERSON_COLUMNS if persons else EVENT_COLUMNS
    required = ("person_id", "year", "sex") if persons else EVENT_COLUMNS
    rows = 0
    names: dict[str, str] = {}
    non_missing: dict[str, int] = {}
    seen: set = set()
    dup_checked = True
    try:
        chunks = iter_chunks(path, fmt, chunk_rows)
        for start, df in chunks:
            if not names:
                lower = {str(c).lower().strip(): str(c) for c in df.columns}
                names = {w: lower[w] for w in wanted if w in lower}
                for r in required:
                    if r not in names:
                        col.add(1, r, f"missing column '{r}' (expected: {', '.join(wanted)})")
                if persons and "birth_year" not in names and "age" not in names:
                    col.add(1, "birth_year", "needs a 'birth_year' or an 'age' column")
                col.done()
            rows += len(df)
            for w, c in names.items():
                non_missing[w] = non_missing.get(w, 0) + int(df[c].notna().sum())

            def report(mask, w, message):
                mask = pd.Series(mask, index=df.index).fillna(False).astype(bool).to_numpy()
                if mask.any():
                    for i in mask.nonzero()[0][:5]:
                        col.add(row_of(start, df, int(i)), names[w], message)

            def as_int(w):
                s = df[names[w]]
                num = pd.to_numeric(s.astype("string").str.strip(), errors="coerce")
                bad = s.notna() & (num.isna() | (num % 1 != 0))
                return num, bad

            pid, bad = as_int("person_id")
            # the messages of the cell engines (evaluering.cells), so that both say the same
            report(df[names["person_id"]].isna() | bad, "person_id", "person id missing or not a whole number")
            if persons:
                year, bad = as_int("year")
                report(df[names["year"]].isna() | bad, "year", "year missing or not a whole number")
                report(~bad & year.notna() & ~year.between(1980, 2100), "year", "not a plausible year")
                sex = df[names["sex"]].astype("string").str.strip().str.lower()
                report(~sex.isin(list(SEX_ALIASES)), "sex", "unknown sex code (use M/K or 1/2)")
                w = "age" if "age" in names else "birth_year"
                v, bad = as_int(w)
                age = v if w == "age" else year - v
                report(df[names[w]].isna() | bad | ~age.between(0, 130), w,
                       f"{w} missing, not a whole number or age outside 0-130")
                if rows <= _DUPLICATE_CHECK_MAX:
                    keys = list(zip(pid.tolist(), year.tolist()))
                    for i, k in enumerate(keys):
                        if k in seen:
                            col.add(row_of(start, df, i), names["person_id"], "a second row for the same person and year "
                                    "(one row per person-year: the residence on 1 January)")
                        seen.add(k)
                else:
                    dup_checked = False
            else:
                d = pd.to_datetime(df[names["date"]].astype("string").str.strip(), errors="coerce",
                                   format="mixed", dayfirst=True)
                report(d.isna(), "date", "date missing or not a date (use YYYY-MM-DD or DD.MM.YYYY)")
                for w, aliases in (("law", LAW_ALIASES), ("kind", KIND_ALIASES)):
                    code = df[names[w]].astype("string").str.strip().str.lower()
                    report(~code.isin(list(aliases)), w,
                           f"{w} missing or not one of: {', '.join(sorted(set(aliases.values())))}")
    except (Problems, InputError):
        raise
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text; save the register extract as UTF-8") from None
    except Exception as err:  # parser errors of pandas/pyarrow: no values in the message
        raise InputError(path, f"cannot read the file ({type(err).__name__})") from None
    if rows == 0:
        col.add(2, None, "no data rows: the file has a header only")
    col.done()
    out = pd.DataFrame({"column": [names[w] for w in names], "non_missing": [non_missing.get(w, 0) for w in names]})
    out.attrs.update({"rows": rows, "kind": kind, "duplicates_checked": dup_checked})
    return out
