"""Register microdata -> count cells (the only step that ever sees person rows).

Public API: :func:`count_cells` (DuckDB or Dask engine), :func:`reference_cells` (a
straightforward pandas computation, for checking), :func:`read_estates`,
:func:`write_cells`, :func:`read_cells`. See ``docs/cells.md``.
"""

from __future__ import annotations

from .api import CellsResult, count_cells, is_synthetic_file, SYNTHETIC_SOURCE
from .estates import read_estates
from .rollup import MEASURES
from .writer import read_cells, write_cells

__all__ = ["count_cells", "CellsResult", "reference_cells", "read_estates", "write_cells", "read_cells",
           "MEASURES", "is_synthetic_file", "SYNTHETIC_SOURCE"]


def __getattr__(name):
    if name == "reference_cells":
        from .reference import reference_cells

        return reference_cells
    raise AttributeError(name)
