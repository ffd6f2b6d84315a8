"""Landsbyggefonden Boligsociale Data / Beboerdata exports (Excel or CSV) -> tidy values.

Two layouts are read, on the first sheet (or ``sheet=``), with up to 30 title lines above
the header row:

*long*: one row per area, year and indicator::

    Niveau | Område | Områdenavn | Indikator | År | Værdi | Antal | Grundlag | Enhed

*wide*: one row per area (and indicator), one column per year::

    Niveau | Område | Områdenavn | Indikator | 2012 | 2013 | 2014 | 2015

Column mapping (headers matched case-insensitively; aliases in brackets):

=============  ===========================================================================
tidy column    LBF header
=============  ===========================================================================
level          ``Niveau`` [Geografi, Type]: Afdeling/Boligafdeling -> ``estate``;
               Helhedsplan -> ``plan_part``; Helhedsplansområde/Helhedsplaner -> ``plan``;
               Kommune -> ``municipality``; Almene boligsektor/Alment byggeri/Almen ->
               ``public_housing``; Hele landet/Landsplan/National -> ``country``
area           ``Område`` [Områdenr., Afdelingsnr., Kode, Id]; a kommune code is padded to 4
               digits (``851`` -> ``0851``); empty for almen/hele landet -> ``almen``/``DK``
area_name      ``Områdenavn`` [Navn] (optional)
indicator      ``Indikator`` [Indikatornavn, Nøgletal]; ``6``/``Indikator 6`` or a label
               naming 10-17-årige sigtede -> ``andel_sigtede_10_17``; else a slug of the label.
               A file without the column takes ``indicator=`` from the caller.
year           ``År`` [Årstal] (long), or the 4-digit year headers (wide)
value          ``Værdi`` [Andel, Andel (%), Pct., Rate] (float; decimal comma)
count          ``Antal`` [Antal personer] (optional, whole number)
denominator    ``Grundlag`` [Antal i alt, Befolkning, Population] (optional)
unit           ``Enhed`` (optional)
=============  ===========================================================================

Suppressed values (``..``, ``-``, ``x``, ``<5``, ``*``, ``diskr.``) become missing values
with the reason in ``value_note`` (``count_note``), never 0. Values of this aggregate table
may be quoted in error messages.

>>> level_of("Boligafdeling"), level_of("Hele landet"), level_of("Kommune")
('estate', 'country', 'municipality')
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import InputError
from .schema import (SUPPRESSED_MARKERS, RawTable, _Collector, _fold, _is_blank, _shown,
                     normalize_header, parse_float, parse_int, read_raw)

__all__ = ["read_lbf", "looks_like_lbf", "level_of", "LEVEL_WORDS", "INDICATOR_IDS", "HEADERS"]

LEVEL_WORDS: dict[str, str] = {
    "afdeling": "estate", "boligafdeling": "estate", "afd.": "estate", "afd": "estate",
    "helhedsplan": "plan_part", "boligsocial helhedsplan": "plan_part",
    "helhedsplansområde": "plan", "helhedsplansområder": "plan", "helhedsplaner": "plan", "plan": "plan",
    "kommune": "municipality", "kommunen": "municipality",
    "almene boligsektor": "public_housing", "den almene boligsektor": "public_housing",
    "alment byggeri": "public_housing", "almen": "public_housing", "almene boliger": "public_housing",
    "hele landet": "country", "landsplan": "country", "national": "country", "landet": "country",
    "danmark": "country",
}

def _lbf_indicator_ids() -> dict[str, str]:
    """LBF indicator numbers/labels -> catalogue ids, from the focus-area files (``lbf:``)."""
    from ..domain.focus import load_focus_areas

    out: dict[str, str] = {}
    for area in load_focus_areas().values():
        for key, ind in area.lbf.items():
            out.setdefault(_fold(key), ind)
    return out


#: LBF indicator numbers/labels -> catalogue ids (``lbf:`` of domain/focus_areas/*.yaml)
INDICATOR_IDS: dict[str, str] = _lbf_indicator_ids()

HEADERS: dict[str, tuple[str, ...]] = {
    "level": ("Niveau", "Geografi", "Type", "Geografisk niveau"),
    "area": ("Område", "Områdenr.", "Områdenr", "Afdelingsnr.", "Afdelingsnr", "Kode", "Id", "Områdekode"),
    "area_name": ("Områdenavn", "Navn"),
    "indicator": ("Indikator", "Indikatornavn", "Nøgletal"),
    "year": ("År", "Årstal"),
    "value": ("Værdi", "Andel", "Andel (%)", "Pct.", "Procent", "Rate"),
    "count": ("Antal", "Antal personer"),
    "denominator": ("Grundlag", "Antal i alt", "Befolkning", "Population"),
    "unit": ("Enhed",),
}
_NEED_LONG = ("level", "year", "value")
_NEED_WIDE = ("level",)
_YEAR = re.compile(r"^(19[89]\d|20\d\d)(\.0)?$")


def level_of(word: Any) -> str | None:
    """The cellschema level of an LBF level word, or None."""
    return LEVEL_WORDS.get(normalize_header(word))


def _indicator_id(label: str) -> str:
    f = _fold(label)
    if f in INDICATOR_IDS:
        return INDICATOR_IDS[f]
    m = re.match(r"^(indikator\s*)?(\d+)$", f)
    if m and m.group(2) in INDICATOR_IDS:
        return INDICATOR_IDS[m.group(2)]
    if "10-17" in f and ("sigte" in f or "mistaen" in f):
        return "andel_sigtede_10_17"
    slug = re.sub(r"[^a-z0-9]+", "_", f).strip("_")
    return slug or "indikator"


def _find_header(raw_rows: list[list[Any]]) -> tuple[int, dict[str, int], list[int]] | None:
    """(row index, tidy name -> position, year column positions) of the header row."""
    lookup = {normalize_header(h): name for name, hs in HEADERS.items() for h in hs}
    for idx, row in enumerate(raw_rows[:30]):
        pos: dict[str, int] = {}
        years = []
        for j, cell in enumerate(row):
            h = normalize_header(cell)
            if h in lookup and lookup[h] not in pos:
                pos[lookup[h]] = j
            elif _YEAR.match(h):
                years.append(j)
        if "level" in pos and ("year" in pos or years) and ("value" in pos or years):
            return idx, pos, years
    return None


def _all_rows(path: Path, sheet: str | int | None) -> tuple[list[list[Any]], list[int], RawTable]:
    raw = read_raw(path, sheet=sheet)
    # read_raw takes the first non-blank row as the header; LBF files may have title lines
    rows = [raw.headers, *raw.rows]
    lines = [raw.header_line, *raw.lines]
    return rows, lines, raw


def looks_like_lbf(path: str | Path, sheet: str | int | None = None) -> bool:
    """True when the file has an LBF header row (level and year/value columns)."""
    try:
        rows, _, _ = _all_rows(Path(path), sheet)
    except InputError:
        return False
    return _find_header(rows) is not None


def _area(level: str, area: Any, name: Any) -> str | None:
    a = "" if _is_blank(area) else str(area).strip()
    if isinstance(area, float) and area.is_integer():
        a = str(int(area))
    if level == "municipality" and a.isdigit():
        return a.zfill(4)
    if level == "public_housing" and not a:
        return "almen"
    if level == "country" and not a:
        return "DK"
    return a or None


def read_lbf(path: str | Path, sheet: str | int | None = None, indicator: str | None = None,
             source: str = "Boligsociale Data, Landsbyggefonden", collect: bool = False):
    """Read an LBF export; tidy columns ``level, area, area_name, indicator,
    indicator_label, year, value, value_note, count, count_note, denominator, unit, source``.

    ``frame.attrs["lines"]`` holds each value's line (spreadsheet row) in the file.
    """
    import pandas as pd

    path = Path(path)
    rows, lines, raw = _all_rows(path, sheet)
    found = _find_header(rows)
    if found is None:
        raise InputError(path, "no LBF header row found in the first 30 lines (need a 'Niveau' column and "
                         "'År' + 'Værdi' columns or one column per year)", row=raw.header_line)
    hidx, pos, year_cols = found
    header = ["" if c is None else " ".join(str(c).split()) for c in rows[hidx]]
    header_line = lines[hidx]
    wide = "year" not in pos
    col = _Collector(path, collect, 20)
    if "indicator" not in pos and indicator is None:
        col.add(header_line, "Indikator", "missing column 'Indikator' (or give the indicator)")
    if wide and "value" in pos:
        col.add(header_line, header[pos["value"]], "both year columns and a value column; use one layout")
    col.done()
    decimal = raw.decimal
    out: list[dict[str, Any]] = []
    out_lines: list[int] = []
    data_rows = list(zip(rows[hidx + 1:], lines[hidx + 1:]))
    if not data_rows:
        raise InputError(path, "no data rows below the header", row=header_line + 1)

    def cell(row, name):
        j = pos.get(name)
        return row[j] if j is not None and j < len(row) else None

    def number(v, line, name, kind):
        if _is_blank(v):
            return None, "missing (empty)"
        if isinstance(v, str) and v.strip().casefold() in SUPPRESSED_MARKERS:
            return None, SUPPRESSED_MARKERS[v.strip().casefold()]
        try:
            x = parse_int(v, decimal) if kind == "int" else parse_float(v, decimal)
        except ValueError as err:
            col.add(line, name, f"{err} (found '{_shown(v)}')")
            return None, None
        if x < 0:
            col.add(line, name, f"negative value '{_shown(v)}'")
        return x, None

    for row, line in data_rows:
        if all(_is_blank(v) for v in row):
            continue
        lv_word = cell(row, "level")
        level = level_of(lv_word) if not _is_blank(lv_word) else None
        if level is None:
            if _is_blank(lv_word):
                col.add(line, header[pos["level"]], "missing level")
            else:
                col.add(line, header[pos["level"]], f"unknown level '{_shown(lv_word)}' (use afdeling, helhedsplan, "
                        f"kommune, almene boligsektor or hele landet)")
            continue
        area = _area(level, cell(row, "area"), cell(row, "area_name"))
        if area is None:
            col.add(line, header[pos["area"]] if "area" in pos else "Område", "missing area id")
            continue
        name = cell(row, "area_name")
        label = cell(row, "indicator") if "indicator" in pos else indicator
        if _is_blank(label):
            col.add(line, header[pos["indicator"]], "missing indicator")
            continue
        label = str(label).strip()
        unit = cell(row, "unit")
        base = {"level": level, "area": area, "area_name": None if _is_blank(name) else str(name).strip(),
                "indicator": _indicator_id(label), "indicator_label": label,
                "unit": None if _is_blank(unit) else str(unit).strip(), "source": source}
        if wide:
            for j in year_cols:
                v = row[j] if j < len(row) else None
                value, note = number(v, line, header[j], "float")
                out.append({**base, "year": int(float(header[j])), "value": value, "value_note": note,
                            "count": None, "count_note": None, "denominator": None})
                out_lines.append(line)
            continue
        y = cell(row, "year")
        try:
            year = parse_int(y, decimal) if not _is_blank(y) else None
        except ValueError:
            year = None
        if year is None or not 1980 <= year <= 2100:
            col.add(line, header[pos["year"]], "not a year" if not _is_blank(y) else "missing year")
            continue
        value, vnote = number(cell(row, "value"), line, header[pos["value"]], "float")
        count, cnote = (number(cell(row, "count"), line, header[pos["count"]], "int")
                        if "count" in pos else (None, None))
        den, _ = (number(cell(row, "denominator"), line, header[pos["denominator"]], "int")
                  if "denominator" in pos else (None, None))
        if count is not None and den is not None and count > den:
            col.add(line, header[pos["count"]], f"count above its base '{header[pos['denominator']]}'")
        if "count" not in pos:
            cnote = None
        out.append({**base, "year": year, "value": value, "value_note": vnote, "count": count,
                    "count_note": cnote if "count" in pos else None, "denominator": den})
        out_lines.append(line)
    # duplicate keys
    seen: dict[tuple, int] = {}
    for rec, line in zip(out, out_lines):
        k = (rec["level"], rec["area"], rec["indicator"], rec["year"])
        if k in seen:
            where = header[pos["year"]] if "year" in pos else str(rec["year"])
            col.add(line, where, f"duplicate value for {_shown(rec['area'])}, {_shown(rec['indicator'])}, {rec['year']} "
                    f"(also line {seen[k]})")
        else:
            seen[k] = line
    col.done()
    if not out:
        raise InputError(path, "no values in the file", row=header_line + 1)
    frame = pd.DataFrame(out)
    for c in ("level", "area", "area_name", "indicator", "indicator_label", "value_note", "count_note", "unit", "source"):
        frame[c] = frame[c].astype("string")
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    for c in ("count", "denominator"):
        frame[c] = pd.array([None if pd.isna(v) else int(v) for v in frame[c]], dtype="Int64")
    frame.attrs.update({"source": str(path), "lines": out_lines, "kind": "lbf"})
    return frame
