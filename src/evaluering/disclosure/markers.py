"""The marking convention: how counts, suppressed values and person identifiers are named.

Everything the library writes follows one convention so that :mod:`evaluering.disclosure.audit`
can recognise counts in any generated file:

* HTML table cells rendered by :func:`evaluering.disclosure.to_html` carry
  ``class="ev-count" data-count="24"`` for a published count, ``class="ev-rate"`` for a rate
  and ``class="ev-suppressed" data-suppressed="primary|secondary"`` (with the reason text, never
  the value) for a suppressed one.
* JSON keys and CSV columns that hold counts are named ``numerator``, ``denominator``,
  ``count``, ``persons`` or end in ``_count`` / ``_persons`` (Danish: ``personer``,
  ``antal_personer``, ``taeller``, ``naevner``). A suppressed value is ``null`` (JSON) or empty
  (CSV) with a sibling ``<name>_reason`` holding ``"< 3"`` or ``"diskretioneret"``.

>>> is_count_name("numerator"), is_count_name("Sigtede_count"), is_count_name("rate")
(True, True, False)
>>> is_identifier_name("CPR-nr"), is_identifier_name("area")
(True, False)
>>> primary_reason(3), SECONDARY
('< 3', 'diskretioneret')
>>> mask_cpr("010203-1234")
'01****-****'
"""

from __future__ import annotations

import re

__all__ = [
    "SECONDARY", "primary_reason", "is_reason", "normalize_name", "is_count_name",
    "is_identifier_name", "is_name_column", "is_person_attribute", "CPR_PATTERN", "mask_cpr",
    "COUNT_CLASS", "RATE_CLASS", "SUPPRESSED_CLASS", "COUNT_ATTR", "SUPPRESSED_ATTR",
    "REASON_SUFFIX", "IGNORED_COUNT_NAMES",
]

#: reason text of a secondary (complementary) suppression
SECONDARY = "diskretioneret"
#: suffix of the sibling key/column that carries the reason of a suppressed value
REASON_SUFFIX = "_reason"

COUNT_CLASS = "ev-count"
RATE_CLASS = "ev-rate"
SUPPRESSED_CLASS = "ev-suppressed"
COUNT_ATTR = "data-count"
SUPPRESSED_ATTR = "data-suppressed"

_COUNT_NAMES = frozenset({
    "numerator", "denominator", "count", "persons", "n_persons", "personer", "antal_personer",
    "taeller", "tæller", "naevner", "nævner", "antal_sigtede",
})
_COUNT_SUFFIXES = ("_count", "_persons", "_personer", "_antal", "_tæller", "_taeller", "_nævner", "_naevner")
#: Danish and short prefixes of count names: ``antal_sigtede``, ``befolkning_10_17``, ``n_unge``
_COUNT_PREFIXES = ("antal_", "befolkning", "n_", "count_", "persons_", "personer_")
#: bare Danish words that head a count column in a printed table
_COUNT_WORDS = frozenset({"antal", "n", "befolkning", "population", "sigtede", "unge", "borgere",
                          "beboere", "deltagere", "tilfælde", "sager"})
#: what a count of ``n_*`` counts when it is not persons (models, files, areas)
_NON_PERSON_WORDS = ("year", "years", "aar", "år", "unit", "units", "cluster", "clusters", "obs", "boot",
                     "perm", "draws", "iter", "cells", "celler", "rows", "plans", "planer", "estates",
                     "afdelinger", "meetings", "møder", "moeder", "events", "arrangementer", "files",
                     "pages", "leads", "lags", "periods", "perioder", "groups", "params")
#: names that end like counts but never count persons (notebook and tool metadata)
IGNORED_COUNT_NAMES = frozenset({"execution_count", "cell_count", "page_count", "word_count",
                                 "retry_count", "row_count", "column_count", "file_count"})

_IDENTIFIER_NAMES = frozenset({
    "person_id", "personid", "person", "pnr", "p_nr", "cpr", "cpr_nr", "cprnr", "cpr_nummer",
    "cpr_number", "personnummer", "fornavn", "efternavn", "mellemnavn", "first_name",
    "last_name", "full_name", "fulde_navn", "foedselsdato", "fødselsdato", "birth_date",
    "birthdate", "date_of_birth", "pid", "person_nr", "personnr", "cpr_no",
})
_IDENTIFIER_SUFFIXES = ("_cpr", "_pnr", "_person_id")
_NAME_COLUMNS = frozenset({"navn", "name", "personnavn", "person_name"})
_PERSON_ATTRIBUTES = frozenset({"age", "alder", "sex", "koen", "køn", "gender", "birth_year",
                                "foedselsaar", "fødselsår"})

#: a Danish CPR number, ``ddmmyy-xxxx`` or ``ddmmyyxxxx``, not part of a longer number/word
CPR_PATTERN = re.compile(
    r"(?<![\w.,/+=-])(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}-?\d{4}(?![\w/+=]|[.,]\d|-\d)"
)


def primary_reason(threshold: int) -> str:
    """The reason text of a primary suppression: ``'< 3'`` for threshold 3.

    >>> primary_reason(5)
    '< 5'
    """
    return f"< {int(threshold)}"


def is_reason(text) -> bool:
    """True for a suppression reason text (``'< 3'``, ``'< 5'``, ``'diskretioneret'``).

    >>> is_reason("< 5"), is_reason("4,2")
    (True, False)
    """
    return isinstance(text, str) and (text.strip() == SECONDARY or re.fullmatch(r"<\s*\d+", text.strip()) is not None)


def normalize_name(name) -> str:
    """Lower-case a column/key name and join its words with ``_``.

    >>> normalize_name(" Antal personer ")
    'antal_personer'
    """
    return re.sub(r"[^\wæøå]+", "_", str(name).strip().lower()).strip("_")


def is_count_name(name) -> bool:
    """True when a key/column name says it holds a count of persons or events: English and
    Danish names (``numerator``, ``antal_sigtede``, ``sigtede_antal``, ``tæller``,
    ``befolkning_10_17``, ``n_unge``, a table header ``Antal``), not a count of model
    units, years or files (``n_years``, ``n_treated_units``, ``execution_count``).

    >>> [is_count_name(x) for x in ("Antal", "antal_unge", "unge_antal", "Befolkning 10-17", "n_unge", "n_years")]
    [True, True, True, True, True, False]
    """
    n = normalize_name(name)
    if n in IGNORED_COUNT_NAMES:
        return False
    if n.startswith(("n_", "antal_")) and any(w in n.split("_")[1:] for w in _NON_PERSON_WORDS):
        return False
    return (n in _COUNT_NAMES or n in _COUNT_WORDS or n.endswith(_COUNT_SUFFIXES)
            or n.startswith(_COUNT_PREFIXES))


def is_identifier_name(name) -> bool:
    """True when a key/column name says it holds a person identifier (CPR, id, name, birth date)."""
    n = normalize_name(name)
    return n in _IDENTIFIER_NAMES or n.endswith(_IDENTIFIER_SUFFIXES) or n.startswith("cpr_")


def is_name_column(name) -> bool:
    """True for a generic name column (``navn``/``name``): personal only beside person attributes."""
    return normalize_name(name) in _NAME_COLUMNS


def is_person_attribute(name) -> bool:
    """True for a column that describes one person (age, sex, birth year)."""
    return normalize_name(name) in _PERSON_ATTRIBUTES


def mask_cpr(text: str) -> str:
    """Mask a CPR-like string, keeping only its first two digits.

    >>> mask_cpr("0102031234")
    '01********'
    """
    return text[:2] + re.sub(r"\d", "*", text[2:])
