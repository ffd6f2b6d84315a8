"""The register inputs: expected columns, accepted codes, and where a bad value sits.

Three inputs (Parquet, CSV or SAS7BDAT; column names case-insensitive):

persons  one row per person and year: the residence on 1 January (as in BEF).
         ``person_id`` (integer), ``year`` (integer), ``estate_id`` (text; empty = not living
         in a boligafdeling of the map), ``municipality`` (text, kommunekode, optional: needed
         for the municipality level), ``birth_year`` (integer) or ``age`` (integer, age in
         the year), ``sex`` (``M``/``K``; also ``1``/``2`` as in DST's KOEN, ``F`` for K)
events   one row per register event.
         ``person_id``, ``date`` (date), ``law`` (``straffeloven``, ``vaabenloven``,
         ``euforiserende_stoffer``, ``anden``; Danish spellings accepted), ``kind``
         (``mistanke``, ``sigtelse``, ``afgoerelse``; Danish spellings accepted)
         optional register columns (docs/cells.md): ``status``, ``education``,
         ``in_education``, ``income``, ``origin``, ``dagtilbud``, ``grade9_dansk``,
         ``grade9_matematik``; events optionally ``decision``
estates  the estate map: ``estate_id``, ``plan_id`` (empty: not in a plan), ``plan_part``
         (empty: the plan has one part), ``municipality``; optional ``start_year``

>>> normalize_code("Våbenloven", LAW_ALIASES)
'vaabenloven'
>>> normalize_code("Afgørelse", KIND_ALIASES)
'afgoerelse'
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError

__all__ = ["resolve_person_columns", "PERSON_COLUMNS", "EVENT_COLUMNS", "EVENT_OPTIONAL", "ESTATE_COLUMNS", "LAW_ALIASES", "KIND_ALIASES",
           "SEX_ALIASES", "YOUTH_LAWS", "input_format", "normalize_code", "resolve_columns"]

PERSON_COLUMNS = ("person_id", "year", "estate_id", "municipality", "birth_year", "age", "sex")
PERSON_REQUIRED = ("person_id", "year", "sex")
EVENT_COLUMNS = ("person_id", "date", "law", "kind")
#: optional event columns: ``decision`` (dom, boede, tiltalefrafald, frifindelse, ...)
EVENT_OPTIONAL = ("decision",)
ESTATE_COLUMNS = ("estate_id", "plan_id", "plan_part", "municipality", "start_year")
ESTATE_REQUIRED = ("estate_id", "plan_id")

LAW_ALIASES: dict[str, str] = {
    "straffeloven": "straffeloven", "straffelov": "straffeloven", "strfl": "straffeloven",
    "vaabenloven": "vaabenloven", "våbenloven": "vaabenloven", "våbenlov": "vaabenloven",
    "vaabenlov": "vaabenloven",
    "euforiserende_stoffer": "euforiserende_stoffer", "lov om euforiserende stoffer": "euforiserende_stoffer",
    "euforiserende stoffer": "euforiserende_stoffer", "lef": "euforiserende_stoffer",
    "anden": "anden", "andre særlove": "anden", "anden særlov": "anden", "særlov": "anden",
    "other": "anden",
}
KIND_ALIASES: dict[str, str] = {
    "mistanke": "mistanke", "mistænkt": "mistanke", "mistaenkt": "mistanke",
    "sigtelse": "sigtelse", "sigtet": "sigtelse",
    "afgoerelse": "afgoerelse", "afgørelse": "afgoerelse", "afgorelse": "afgoerelse",
}
SEX_ALIASES: dict[str, str] = {"m": "M", "1": "M", "k": "K", "f": "K", "2": "K"}
#: laws of the 10-17 measure (LBF indikator 6)
YOUTH_LAWS = ("straffeloven", "vaabenloven", "euforiserende_stoffer")

_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".txt": "csv",
            ".sas7bdat": "sas7bdat", ".xpt": "sas7bdat"}


def normalize_code(value, aliases: dict[str, str]) -> str | None:
    """The canonical code of ``value`` (case and spaces ignored), or ``None``."""
    if value is None:
        return None
    return aliases.get(str(value).strip().lower())


def input_format(path: str | Path) -> str:
    """``parquet``, ``csv`` or ``sas7bdat`` from the file name (a folder = Parquet dataset).

    >>> input_format("x/persons.sas7bdat")
    'sas7bdat'
    """
    p = Path(path)
    if p.is_dir():
        return "parquet"
    fmt = _FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise InputError(p, "unknown file type (use .parquet, .csv, .sas7bdat or .xpt)")
    return fmt


def resolve_columns(path, present: list[str], wanted: tuple[str, ...], required: tuple[str, ...]) -> dict[str, str]:
    """Map canonical column names to the names in the file (case-insensitive).

    >>> resolve_columns("p.csv", ["PERSON_ID", "Year", "sex"], ("person_id", "year", "sex"), ("person_id",))
    {'person_id': 'PERSON_ID', 'year': 'Year', 'sex': 'sex'}
    """
    lower = {c.lower().strip(): c for c in present}
    out = {w: lower[w] for w in wanted if w in lower}
    for r in required:
        if r not in out:
            raise InputError(path, f"missing column '{r}' (expected: {', '.join(wanted)})", row=1, column=r)
    return out


def resolve_person_columns(path, present: list[str], optional: tuple[str, ...] = ()) -> dict[str, str]:
    """:func:`resolve_columns` for the persons file plus the ``optional`` register columns
    present (the error message names only the base columns).

    >>> resolve_person_columns("p.csv", ["person_id", "year", "sex", "Status"], ("status",))["status"]
    'Status'
    """
    out = resolve_columns(path, present, PERSON_COLUMNS, PERSON_REQUIRED)
    lower = {c.lower().strip(): c for c in present}
    out.update({c: lower[c] for c in optional if c in lower})
    return out
