"""Schemas of the aggregate tables a user may bring: published values (the tidy layout of
``data/raw/published/``) and count cells (:mod:`evaluering.cellschema`) as CSV/Excel/Parquet.

Aggregate tables may be quoted in messages (``echo_values``); count cells may not (a
small cell count can point at a person).

>>> PUBLISHED.kind, CELLS.kind
('published', 'cells')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..cellschema import ACCEPTED_LEVELS, CELL_COLUMNS, LEVELS
from .schema import Column, RawTable, Schema, parse_table, read_raw

__all__ = ["PUBLISHED", "PRINTED_AVERAGES", "CELLS", "read_published_values", "read_cells", "raw_from_frame"]

_LEVEL_CHOICES = {lv: lv for lv in ACCEPTED_LEVELS}   # with region (area criteria)


def _check_published(frame, ctx) -> None:
    import pandas as pd

    units = frame["unit"] if "unit" in frame.columns else [None] * len(frame)
    for i, (unit, value) in enumerate(zip(units, frame["value"])):
        if pd.isna(value):
            continue
        if value < 0:
            ctx.add(i, "value", f"negative value{ctx.value(value)}")
        elif isinstance(unit, str) and unit.lower().startswith(("pct", "procent", "%")) and value > 100:
            ctx.add(i, "value", f"a percentage above 100{ctx.value(value)}")


PUBLISHED = Schema(
    "published",
    [
        Column("table", "table", "text", aliases=("tabel",)),
        Column("indicator", "indicator", "text", aliases=("indikator",)),
        Column("level", "level", "choice", aliases=("niveau",), choices=_LEVEL_CHOICES),
        Column("area", "area", "text", aliases=("område",)),
        Column("area_name", "area_name", "text", aliases=("områdenavn",), required=False, optional=True),
        Column("year", "year", "int", aliases=("år",), min=1980, max=2100,
               min_message="not a plausible year", max_message="not a plausible year"),
        Column("value", "value", "float", aliases=("værdi",), required=False, suppressible=True),
        Column("count", "count", "int", aliases=("antal",), required=False, optional=True, suppressible=True,
               min=0),
        Column("unit", "unit", "text", aliases=("enhed",), required=False, optional=True),
        Column("source", "source", "text", aliases=("kilde",)),
    ],
    key=("table", "indicator", "level", "area", "year"),
    echo_values=True,
    checks=[_check_published],
    description="published values (tidy)",
)


def _check_averages(frame, ctx) -> None:
    for i, (a, b) in enumerate(zip(frame["first_year"], frame["last_year"])):
        if b < a:
            ctx.add(i, "last_year", "last_year is before first_year")


PRINTED_AVERAGES = Schema(
    "printed-averages",
    [
        Column("table", "table", "text"),
        Column("indicator", "indicator", "text"),
        Column("level", "level", "choice", choices=_LEVEL_CHOICES),
        Column("area", "area", "text"),
        Column("area_name", "area_name", "text", required=False, optional=True),
        Column("first_year", "first_year", "int", min=1980, max=2100),
        Column("last_year", "last_year", "int", min=1980, max=2100),
        Column("printed_value", "printed_value", "float"),
        Column("unit", "unit", "text", required=False, optional=True),
        Column("source", "source", "text"),
    ],
    key=("table", "indicator", "level", "area", "first_year", "last_year"),
    echo_values=True,
    checks=[_check_averages],
)


def _event_measures() -> set[str]:
    """Measures counting events (poisson indicators): their numerator may exceed persons."""
    from ..cells.measures import load_measures

    # counts of events and sums (kr.) declared in domain/measures.yaml may exceed the persons
    declared = {m.id for m in load_measures()[0].values() if m.distribution in ("poisson", "mean")}
    try:
        from ..catalogue import builtin_catalogue
        cat = builtin_catalogue().values()
        # events (poisson) and amounts (a mean's sum of kr. and its sum of squares) exceed persons
        return declared | ({ind.measure for ind in cat if ind.distribution in ("poisson", "mean")}
                | {ind.squares_measure for ind in cat if ind.distribution == "mean" and ind.squares_measure})
    except Exception:  # pragma: no cover - catalogue not importable
        return declared | {"sigtelser", "afgoerelser"}


def _check_cells(frame, ctx) -> None:
    import pandas as pd

    events = _event_measures()
    for i, (num, den, measure) in enumerate(zip(frame["numerator"], frame["denominator"], frame["measure"])):
        if measure in events:
            continue
        if not pd.isna(den) and not pd.isna(num) and num > den:
            ctx.add(i, "numerator", "numerator above denominator (more cases than persons in the cell)")
    # a measure in an area-year uses M/K rows or one 'all' row, never both
    groups: dict[tuple, set] = {}
    first: dict[tuple, int] = {}
    for i, key in enumerate(zip(frame["level"], frame["area"], frame["year"], frame["age_band"],
                                frame["measure"], frame["sex"])):
        k, sex = key[:5], key[5]
        groups.setdefault(k, set()).add("all" if sex == "all" else "MK")
        if len(groups[k]) == 2 and k not in first:
            first[k] = i
            ctx.add(i, "sex", "the same measure, area and year has both 'all' and M/K rows")


CELLS = Schema(
    "cells",
    [
        Column("level", "level", "choice", choices=_LEVEL_CHOICES),
        Column("area", "area", "text"),
        Column("year", "year", "int", min=1980, max=2100, min_message="not a plausible year",
               max_message="not a plausible year"),
        Column("age_band", "age_band", "text"),
        Column("sex", "sex", "choice", choices={"M": "M", "K": "K", "all": "all", "mænd": "M", "kvinder": "K",
                                                 "i alt": "all", "alle": "all"}),
        Column("measure", "measure", "text"),
        Column("numerator", "numerator", "int", min=0),
        Column("denominator", "denominator", "int", required=False, min=0, min_message="negative population"),
        Column("source", "source", "text"),
        Column("synthetic", "synthetic", "bool"),
    ],
    key=("level", "area", "year", "age_band", "sex", "measure"),
    checks=[_check_cells],
    description="count cells",
)
assert tuple(c.name for c in CELLS.columns) == CELL_COLUMNS


def raw_from_frame(path: Path, frame) -> RawTable:
    """A :class:`RawTable` from a DataFrame read from Parquet (row ``n`` = record ``n``,
    counting the header as 1 like a CSV export of it would)."""
    rows = [["" if v is None or (isinstance(v, float) and v != v) else v for v in rec]
            for rec in frame.astype(object).itertuples(index=False, name=None)]
    return RawTable(Path(path), [str(c) for c in frame.columns], rows, list(range(2, len(rows) + 2)),
                    1, None, None, decimal=".", fmt="parquet")


def _raw_any(path: str | Path) -> RawTable:
    from ..errors import InputError

    path = Path(path)
    if path.suffix.lower() == ".parquet":
        import pandas as pd

        from ..cells.inputs import check_input_file
        check_input_file(path)      # missing, empty, truncated: as `validate` says it
        try:
            frame = pd.read_parquet(path)
        except FileNotFoundError:
            raise InputError(path, "file not found") from None
        except Exception as err:
            raise InputError(path, f"not a readable Parquet file ({type(err).__name__})") from None
        return raw_from_frame(path, frame)
    return read_raw(path)


def read_published_values(path: str | Path, collect: bool = False) -> Any:
    """A published-values table (tidy: table, indicator, level, area, year, value, ...).

    Suppressed values (``..``, ``x``, ``<5``) read as missing with ``value_note`` saying why.
    """
    return parse_table(_raw_any(path), PUBLISHED, collect=collect)


def _fast_cells(frame) -> Any:
    """The checks of :data:`CELLS` as column operations, for a frame that already has the
    contract's types (a Parquet file written by this package): the checked cells, or None
    when anything is unusual; then the row-by-row reader finds and names the problem."""
    import numpy as np
    import pandas as pd

    from ..cellschema import CELL_COLUMNS, check_cells

    if list(frame.columns) != list(CELL_COLUMNS) or len(frame) == 0:
        return None
    text = ("level", "area", "age_band", "sex", "measure", "source")
    for c in text:
        s = frame[c]
        if not (pd.api.types.is_string_dtype(s) or s.dtype == object) or s.isna().any():
            return None
        if any(not isinstance(v, str) or v != v.strip() or v == "" for v in s.unique()):
            return None
    for c in ("year", "numerator", "denominator"):
        if not pd.api.types.is_integer_dtype(frame[c]):
            return None
    if not pd.api.types.is_bool_dtype(frame["synthetic"]) or frame["synthetic"].isna().any():
        return None
    year, num, den = frame["year"], frame["numerator"], frame["denominator"]
    if year.isna().any() or not year.between(1980, 2100).all() or num.isna().any() or (num < 0).any():
        return None
    if (den.dropna() < 0).any():
        return None
    if not frame["level"].isin(ACCEPTED_LEVELS).all() or not frame["sex"].isin(["M", "K", "all"]).all():
        return None
    events = _event_measures()
    person = ~frame["measure"].isin(list(events)).to_numpy() & den.notna().to_numpy()
    if (num.to_numpy()[person] > den.to_numpy(dtype="float64", na_value=np.nan)[person]).any():
        return None
    is_all = (frame["sex"] == "all").to_numpy()
    mixed = set(frame["measure"][is_all].unique()) & set(frame["measure"][~is_all].unique())
    if mixed:   # a measure with both 'all' and M/K rows: fine unless in the same area and year
        group = ["level", "area", "year", "age_band", "measure"]
        sub = frame[frame["measure"].isin(mixed)]
        kinds = sub[group].assign(_all=(sub["sex"] == "all").to_numpy()).drop_duplicates()
        if kinds.duplicated(group).any():
            return None
    from ..errors import InputError
    try:
        return check_cells(frame.reset_index(drop=True), where="cells")   # duplicate keys, ...
    except InputError:
        return None


def read_cells(path: str | Path, collect: bool = False) -> Any:
    """Count cells from CSV/Excel/Parquet, checked row by row, then by
    :func:`evaluering.cellschema.check_cells`. A Parquet file with the contract's types is
    checked column-wise (the same rules); any problem is then found and named row by row."""
    from ..cellschema import check_cells

    path = Path(path)
    if path.suffix.lower() == ".parquet":
        import pandas as pd

        from ..cells.inputs import check_input_file
        check_input_file(path)
        try:
            frame = pd.read_parquet(path)
        except Exception:
            frame = None
        fast = _fast_cells(frame) if frame is not None else None
        if fast is not None:
            # no per-row ``lines``: a Parquet row's line is its position + 2, and pandas deep-copies
            # ``attrs`` on every operation (a list of 10^5 lines made each report minutes slower)
            fast.attrs.update(source=str(path), kind="cells")
            return fast
    frame = parse_table(_raw_any(path), CELLS, collect=collect)
    return check_cells(frame, where=str(path))


def _decimals(text: Any, decimal: str) -> int:
    """Decimals of a value as printed in the file (``"4,2"`` with decimal comma: 1)."""
    if not isinstance(text, str):
        if isinstance(text, float) and text == text and not text.is_integer():
            return len(repr(text).split(".")[1])
        return 0
    t = text.strip().rstrip("%").strip()
    return len(t.split(decimal, 1)[1]) if decimal in t else 0


def read_published_dir(directory: str | Path) -> tuple[Any, Any, dict[str, Any]]:
    """Every table of a published-figures folder, read with the same checked readers as
    ``evaluering validate``: ``(values, printed_averages, other)``.

    A CSV with ``printed_value`` is printed averages, one with ``indicator`` and ``value``
    (or ``indikator``/``værdi``) yearly values; ``;`` or ``,`` separated, UTF-8 or cp1252,
    ``..``/``x`` markers read as missing. ``values`` has a ``decimals`` column (as printed),
    ``printed_averages`` a ``printed_decimals`` column; ``source_file`` names the file.
    Other tables are kept as text by file stem.
    """
    import pandas as pd

    from .schema import normalize_header

    values, averages, other = [], [], {}
    for path in sorted(Path(directory).glob("*.csv")):
        raw = read_raw(path)
        heads = {normalize_header(h) for h in raw.headers}
        if "printed_value" in heads:
            frame = parse_table(raw, PRINTED_AVERAGES)
            pos = [normalize_header(h) for h in raw.headers].index("printed_value")
            frame["printed_decimals"] = [_decimals(r[pos] if pos < len(r) else "", raw.decimal) for r in raw.rows]
            frame["source_file"] = path.name
            averages.append(frame)
        elif heads & {"value", "værdi"} and heads & {"indicator", "indikator"}:
            frame = parse_table(raw, PUBLISHED)
            norm = [normalize_header(h) for h in raw.headers]
            pos = norm.index("value") if "value" in norm else norm.index("værdi")
            frame["decimals"] = [_decimals(r[pos] if pos < len(r) else "", raw.decimal) for r in raw.rows]
            frame["source_file"] = path.name
            values.append(frame)
        else:
            other[path.stem] = pd.DataFrame([[str(v) for v in r] + [""] * (len(raw.headers) - len(r))
                                             for r in raw.rows], columns=raw.headers)
    return values, averages, other
