"""Reading register files: DuckDB scans, SAS conversion, and finding the row of a problem.

The engines validate with cheap aggregate queries; only when a problem is found does
:func:`locate` stream through the file again to name its first row (1-based line number for
CSV with the header as line 1; 1-based record number for Parquet and SAS7BDAT). Messages
never contain the offending value.

>>> sql_string("it's")
"'it''s'"
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

from ..errors import InputError
from .schema import input_format

__all__ = ["sql_string", "duckdb_scan", "sas_to_parquet", "iter_chunks", "locate", "csv_delimiter"]


def sql_string(s: str | Path) -> str:
    """A SQL string literal."""
    return "'" + str(s).replace("'", "''") + "'"


def csv_delimiter(path: str | Path) -> str:
    """``;`` or ``,``, whichever the header line has more of."""
    with open(path, "rb") as fh:
        head = fh.readline().decode("utf-8-sig", errors="replace")
    return ";" if head.count(";") > head.count(",") else ","


def duckdb_scan(path: str | Path, fmt: str) -> str:
    """A DuckDB table expression reading ``path``."""
    p = Path(path)
    if fmt == "parquet":
        target = str(p / "**" / "*.parquet") if p.is_dir() else str(p)
        return f"read_parquet({sql_string(target)})"
    if fmt == "csv":
        return (f"read_csv({sql_string(p)}, header=true, delim={sql_string(csv_delimiter(p))}, "
                f"sample_size=-1)")
    raise ValueError(fmt)


def sas_to_parquet(path: str | Path, dest: Path, chunk_rows: int = 1_000_000) -> Path:
    """Convert a SAS7BDAT file to Parquet in chunks (bounded memory); returns ``dest``."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    import pyreadstat

    from ..sources.register import sas_reader, sas_whole_numbers

    writer = None
    try:
        for df, _meta in pyreadstat.read_file_in_chunks(sas_reader(path), str(path), chunksize=chunk_rows):
            table = pa.Table.from_pandas(sas_whole_numbers(df), preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(dest, table.schema)
            writer.write_table(table.cast(writer.schema))
    except Exception as err:  # pyreadstat errors carry no person values, but keep it short
        raise InputError(path, f"cannot read the SAS file ({type(err).__name__})") from None
    finally:
        if writer is not None:
            writer.close()
    if writer is None:
        raise InputError(path, "the SAS file has no rows")
    return dest


def iter_chunks(path: str | Path, fmt: str | None = None, chunk_rows: int = 500_000) -> Iterator[tuple[int, pd.DataFrame]]:
    """Yield ``(first_row_number, frame)`` with row numbers as :func:`locate` reports them."""
    fmt = fmt or input_format(path)
    p = Path(path)
    if fmt == "parquet":
        import pyarrow.dataset as ds

        start = 1
        for batch in ds.dataset(str(p), format="parquet").to_batches(batch_size=chunk_rows):
            df = batch.to_pandas()
            yield start, df
            start += len(df)
    elif fmt == "csv":
        start = 2
        for df in pd.read_csv(p, sep=csv_delimiter(p), dtype=str, keep_default_na=False,
                              na_values=[""], chunksize=chunk_rows, encoding="utf-8-sig"):
            yield start, df
            start += len(df)
    elif fmt == "sas7bdat":
        import pyreadstat

        start = 1
        from ..sources.register import sas_reader, sas_whole_numbers

        for df, _ in pyreadstat.read_file_in_chunks(sas_reader(p), str(p), chunksize=chunk_rows):
            yield start, sas_whole_numbers(df)
            start += len(df)
    else:
        raise ValueError(fmt)


def locate(path: str | Path, fmt: str, predicate: Callable[[pd.DataFrame], pd.Series],
           origin: str | Path | None = None) -> int | None:
    """The row number of the first row where ``predicate(chunk)`` is True, else ``None``.

    ``predicate`` gets each chunk with lower-case column names. ``origin`` is the file named
    to the user when ``path`` is a converted copy.
    """
    for start, df in iter_chunks(path, fmt):
        df = df.rename(columns={c: str(c).lower().strip() for c in df.columns})
        mask = pd.Series(predicate(df), index=df.index).fillna(False).astype(bool).to_numpy()
        if mask.any():
            return start + int(mask.argmax())
    return None
