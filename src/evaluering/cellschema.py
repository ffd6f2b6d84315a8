"""The count-cell contract: the one table every step after ingestion works on.

A count cell is one row of ``(level, area, year, age_band, sex, measure, numerator,
denominator, source, synthetic)``. A rate is ``sum(numerator) / sum(denominator)`` over the
cells of its area, never a mean of rates. No person-level row ever appears here.

Columns
-------
level        area level: ``estate`` (boligafdeling), ``plan_part`` (one helhedsplan of a plan
             file that has several), ``plan`` (all estates of a plan file), ``municipality``
             (kommune), ``region`` (DST region, 1081-1085), ``public_housing`` (almene
             boligsektor), ``country`` (hele landet); ``cohort``, ``cohort_stayers``,
             ``cohort_stayers_base`` are the resident-panel levels (docs/cells.md)
area         area id at that level: estate id, plan id, municipality code (``"0851"``),
             region code (``"1081"``), ``"almen"``, ``"DK"``; a cohort ``"AO-01@2016"``
year         calendar year (int)
age_band     ``"10-17"``, ``"15+"``, ... as named in the indicator catalogue
sex          ``"M"``, ``"K"`` or ``"all"`` (a source without sex); a measure in an area-year uses
             either M/K rows or one ``all`` row, never both
measure      numerator measure id (``sigtede``, ``sigtelser``, ``afgoerelser``,
             ``sigtet_mistaenkt``, ``ssp_sager_niveau_1_2``, ...)
numerator    count (int >= 0): persons or events, as the measure defines
denominator  persons in the cell's population (int >= 0), or missing for a pure count
             (SSP cases)
source       where the cell comes from (``"Syntetiske data"``, ``"DST register"``, ...)
synthetic    True when the cell comes from synthetic data

>>> import pandas as pd
>>> empty_cells().columns.tolist() == list(CELL_COLUMNS)
True
"""

from __future__ import annotations

import pandas as pd

__all__ = ["CELL_COLUMNS", "LEVELS", "LEVEL_LABELS_DA", "KEY_COLUMNS", "empty_cells", "check_cells"]

CELL_COLUMNS: tuple[str, ...] = (
    "level", "area", "year", "age_band", "sex", "measure",
    "numerator", "denominator", "source", "synthetic",
)
KEY_COLUMNS: tuple[str, ...] = ("level", "area", "year", "age_band", "sex", "measure")
LEVELS: tuple[str, ...] = ("estate", "plan_part", "plan", "municipality", "region", "public_housing", "country",
                           "cohort", "cohort_stayers", "cohort_stayers_base")
#: levels a checked cell table may hold (``region``: DST region code 1081-1085, the reference of the
#: income criterion of almenboligloven § 61 a)
ACCEPTED_LEVELS: tuple[str, ...] = LEVELS
LEVEL_LABELS_DA: dict[str, str] = {
    "estate": "Boligafdeling",
    "plan_part": "Helhedsplan",
    "plan": "Helhedsplansområde",
    "municipality": "Kommune",
    "region": "Region",
    "public_housing": "Almene boligsektor",
    "country": "Hele landet",
    "cohort": "Beboerkohorte",
    "cohort_stayers": "Blivende beboere",
    "cohort_stayers_base": "Blivende beboere (basisår)",
}
DTYPES: dict[str, str] = {
    "level": "string", "area": "string", "year": "int64", "age_band": "string", "sex": "string",
    "measure": "string", "numerator": "Int64", "denominator": "Int64", "source": "string",
    "synthetic": "bool",
}
_DTYPE_OBJECTS = {c: pd.api.types.pandas_dtype(t) for c, t in DTYPES.items()}


def empty_cells() -> pd.DataFrame:
    """An empty cell table with the right columns and dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=DTYPES[c]) for c in CELL_COLUMNS})


def check_cells(cells: pd.DataFrame, where: str = "cells") -> pd.DataFrame:
    """Check the contract; return the cells with canonical dtypes.

    Raises :class:`~evaluering.errors.InputError` naming the column of the first problem.
    """
    from .errors import InputError

    missing = [c for c in CELL_COLUMNS if c not in cells.columns]
    if missing:
        raise InputError(where, f"missing column(s) {', '.join(missing)}", column=missing[0])
    # a shallow copy is enough (copy-on-write) when the columns are already the contract's
    out = cells.copy(deep=False) if list(cells.columns) == list(CELL_COLUMNS) else cells.loc[:, list(CELL_COLUMNS)]
    recast = {c: t for c, t in _DTYPE_OBJECTS.items() if out[c].dtype != t}
    if recast:   # cells read from a checked table need none
        out = out.astype(recast)
    bad_level = ~out["level"].isin(ACCEPTED_LEVELS)
    if bad_level.any():
        raise InputError(where, f"unknown level {out.loc[bad_level, 'level'].iloc[0]!r}", column="level")
    if (out["numerator"] < 0).any():
        raise InputError(where, "negative count", column="numerator")
    if (out["denominator"] < 0).any():
        raise InputError(where, "negative population", column="denominator")
    if out.duplicated(list(KEY_COLUMNS)).any():
        raise InputError(where, "duplicate cell key (level, area, year, age_band, sex, measure)", column="measure")
    return out
