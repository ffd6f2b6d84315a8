"""``count_cells``: register files -> count cells, the one entry point of this package.

>>> import evaluering.cells as ec                                          # doctest: +SKIP
>>> res = ec.count_cells("persons.parquet", "events.parquet", "estates.csv",
...                      out="data/processed/cells.parquet")               # doctest: +SKIP
>>> res.cells.head()                                                       # doctest: +SKIP
"""

from __future__ import annotations

from evaluering.fmt import number as _n  # Danish thousands point

import contextlib
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..cellschema import LEVELS
from ..errors import EvalueringError, InputError
from .estates import read_estates
from .inputs import locate, sas_to_parquet
from .rollup import rollup
from .schema import SEX_ALIASES, input_format

__all__ = ["count_cells", "CellsResult", "ENGINES", "is_synthetic_file", "SYNTHETIC_SOURCE"]

log = logging.getLogger(__name__)
ENGINES = ("duckdb", "dask")
SYNTHETIC_SOURCE = "Syntetiske data"
SYNTHETIC_KEY = b"evaluering.synthetic"


@dataclass
class CellsResult:
    """Cells and run totals (never person-level values)."""

    cells: pd.DataFrame
    stats: dict = field(default_factory=dict)
    path: Path | None = None

    def _repr_html_(self) -> str:  # pragma: no cover - display only
        s = "".join(f"<tr><td>{k}</td><td>{_n(v)}</td></tr>" for k, v in self.stats.items() if isinstance(v, int))
        where = f"<p>Skrevet til <code>{self.path}</code></p>" if self.path else ""
        return f"<h4>Tælleceller: {_n(len(self.cells))} rækker</h4>{where}<table>{s}</table>"


def is_synthetic_file(path: str | Path) -> bool:
    """True when a Parquet file was written by the synthetic generator (schema metadata)."""
    p = Path(path)
    if p.is_dir():
        files = sorted(p.rglob("*.parquet"))
        if not files:
            return False
        p = files[0]
    if input_format(p) != "parquet":
        return False
    import pyarrow.parquet as pq

    meta = pq.read_schema(p).metadata or {}
    return meta.get(SYNTHETIC_KEY) == b"true"


def _exists(path: Path) -> None:
    from .inputs import check_input_file   # the checks `evaluering validate` runs too
    check_input_file(path)


def count_cells(persons: str | Path, events: str | Path, estates: str | Path | pd.DataFrame,
                out: str | Path | None = None, *, engine: str = "duckdb", scheduler: str | None = None,
                memory_limit: str | None = None, threads: int | None = None,
                levels: tuple[str, ...] | None = None, source: str | None = None,
                synthetic: bool | None = None, progress: bool = True,
                check_duplicates: bool = True, measures: tuple[str, ...] | None = None,
                cohort_years: tuple[int, ...] | None = None) -> CellsResult:
    """Aggregate register files to count cells; write them to ``out`` (Parquet, atomic).

    ``persons``/``events``: Parquet (file or folder), CSV or SAS7BDAT; ``estates``: the estate
    map (file or DataFrame). ``levels`` defaults to every level the inputs support
    (``municipality`` and ``region`` need a ``municipality`` column in ``persons``; the
    resident-panel levels ``cohort*`` are made only when asked for). ``measures`` limits the
    measures (default: every measure of ``domain/measures.yaml`` whose register columns are
    present; the others are skipped with a log line). ``cohort_years``: the baseline years
    of the resident-panel levels (default: the year before each start year of the estate
    map; :mod:`evaluering.cells.cohort`). ``synthetic``/``source``
    default to what the persons file says (files from ``evaluering synth`` are synthetic and
    their cells get source "Syntetiske data").

    >>> res = count_cells("p.parquet", "e.parquet", "estates.csv", levels=("estate", "plan"))  # doctest: +SKIP
    """
    if engine not in ENGINES:
        raise EvalueringError(f"unknown engine '{engine}' (use {' or '.join(ENGINES)})")
    persons, events = Path(persons), Path(events)
    _exists(persons)
    _exists(events)
    p_fmt, e_fmt = input_format(persons), input_format(events)
    est = estates if isinstance(estates, pd.DataFrame) else read_estates(estates)
    est_path = None if isinstance(estates, pd.DataFrame) else Path(estates)
    if levels is not None:
        unknown = [lv for lv in levels if lv not in LEVELS]
        if unknown:
            raise EvalueringError(f"unknown level '{unknown[0]}' (use {', '.join(LEVELS)})")
    if synthetic is None:
        synthetic = is_synthetic_file(persons)
    if source is None:
        source = SYNTHETIC_SOURCE if synthetic else "DST register"
    origin = {"persons": persons, "events": events}
    from .cohort import COHORT_LEVELS, default_cohort_years

    wants_cohort = levels is not None and any(lv in COHORT_LEVELS for lv in levels)
    if not wants_cohort:
        cohort_years = ()
    elif cohort_years is None:
        cohort_years = default_cohort_years(est)

    with contextlib.ExitStack() as stack:
        tmp = None
        scan = {"persons": (persons, p_fmt), "events": (events, e_fmt)}
        for key, (path, fmt) in list(scan.items()):
            if fmt == "sas7bdat":
                tmp = tmp or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="evaluering-sas-")))
                scan[key] = (sas_to_parquet(path, tmp / f"{key}.parquet"), "parquet")
        (pp, pf), (ep, ef) = scan["persons"], scan["events"]
        if engine == "duckdb":
            from .duckdb_engine import base_counts_duckdb

            base, stats, pcols, extra = base_counts_duckdb(pp, pf, ep, ef, origin=origin, memory_limit=memory_limit,
                                                           threads=threads, progress=progress,
                                                           check_duplicates=check_duplicates, estates=est,
                                                           only=measures, cohort_years=tuple(cohort_years))
        else:
            from .dask_engine import base_counts_dask

            base, stats, pcols, extra = base_counts_dask(pp, pf, ep, ef, origin=origin, scheduler=scheduler,
                                                         memory_limit=memory_limit, threads=threads,
                                                         progress=progress, check_duplicates=check_duplicates,
                                                         estates=est, only=measures,
                                                         cohort_years=tuple(cohort_years))

        def fail(column_key: str, message: str, predicate):
            column = pcols.get(column_key, column_key)
            row = locate(pp, pf, predicate)
            return InputError(origin["persons"], message, row=row, column=column)

        from .rollup import normalize_base

        base = normalize_base(base)
        known = set(est["estate_id"].dropna())
        in_base = set(base.loc[base["kind"] == "estate", "area"].dropna().unique())
        if in_base - known:
            col = pcols["estate_id"].lower()
            where = est_path or "the estate map"
            raise fail("estate_id", f"estate id not in the estate map ({where})",
                       lambda df: df[col].notna() & (df[col].astype("string").str.strip() != "")
                       & ~df[col].astype("string").str.strip().isin(known))
        has_muni = "municipality" in pcols
        from .rollup import BASE_LEVELS

        if levels is None:
            levels = tuple(lv for lv in BASE_LEVELS if lv not in ("municipality", "region") or has_muni)
        else:
            for lv in ("municipality", "region"):
                if lv in levels and not has_muni:
                    raise InputError(origin["persons"], f"the {lv} level needs a 'municipality' column",
                                     row=1, column="municipality")
        sex_col = pcols["sex"].lower()

        def sex_error(_column):
            return fail("sex", "unknown sex code (use M/K or 1/2)",
                        lambda df: ~df[sex_col].astype("string").str.strip().str.lower().isin(list(SEX_ALIASES)))

        cells = rollup(base, est, levels=levels, source=source, synthetic=synthetic, sex_error=sex_error,
                       plan=extra["plan"], movers=extra["movers"])
    from .measures import log_skipped

    log_skipped(extra["plan"])
    stats["cells"] = len(cells)
    path = None
    if out is not None:
        from .writer import write_cells

        path = write_cells(cells, out)
    return CellsResult(cells=cells, stats=stats, path=path)
