"""Write a generated register to a folder: Parquet person-years and events, the estate map
(CSV) and ``truth.json`` (the known effect and the seed), each file atomically.

The Parquet files carry the schema metadata ``evaluering.synthetic = true`` so that cells
made from them are marked synthetic ("Syntetiske data") without anyone having to remember.

>>> import tempfile                                                      # doctest: +SKIP
>>> write_register(generate_register(), tempfile.mkdtemp())              # doctest: +SKIP
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..atomic import atomic_path, write_text

__all__ = ["write_register", "write_parquet_synthetic", "SYNTHETIC_METADATA"]

SYNTHETIC_METADATA = {b"evaluering.synthetic": b"true", b"evaluering.source": "Syntetiske data".encode()}


def write_parquet_synthetic(df: pd.DataFrame, dest: str | Path) -> None:
    """Write ``df`` to Parquet with the synthetic marker in the schema metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **SYNTHETIC_METADATA})
    with atomic_path(dest, suffix=".parquet") as tmp:
        pq.write_table(table, tmp, compression="zstd")


def write_register(register: dict, out_dir: str | Path) -> dict[str, Path]:
    """Write ``persons.parquet``, ``events.parquet``, ``estates.csv`` and ``truth.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {k: out / n for k, n in (("persons", "persons.parquet"), ("events", "events.parquet"),
                                      ("estates", "estates.csv"), ("truth", "truth.json"))}
    write_parquet_synthetic(register["persons"], paths["persons"])
    write_parquet_synthetic(register["events"], paths["events"])
    write_text(paths["estates"], register["estates"].to_csv(index=False, lineterminator="\n"))
    # truth.json last: its presence marks a complete register
    write_text(paths["truth"], json.dumps(register["truth"], indent=2, ensure_ascii=False) + "\n")
    return paths
