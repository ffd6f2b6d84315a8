"""Write count cells to Parquet atomically (a reader never sees half a file).

>>> import tempfile, pathlib
>>> from evaluering.cellschema import empty_cells
>>> p = pathlib.Path(tempfile.mkdtemp()) / "cells.parquet"
>>> write_cells(empty_cells(), p) == p
True
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..atomic import atomic_path
from ..cellschema import check_cells

__all__ = ["write_cells", "read_cells"]


def write_cells(cells: pd.DataFrame, dest: str | Path) -> Path:
    """Check ``cells`` against the contract and write them to ``dest`` (Parquet, atomic)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    cells = check_cells(cells)
    table = pa.Table.from_pandas(cells.reset_index(drop=True), preserve_index=False)
    dest = Path(dest)
    with atomic_path(dest, suffix=".parquet") as tmp:
        pq.write_table(table, tmp, compression="zstd")
    return dest


def read_cells(path: str | Path) -> pd.DataFrame:
    """Read a cell file written by :func:`write_cells`, with canonical dtypes."""
    return check_cells(pd.read_parquet(path), where=str(path))
