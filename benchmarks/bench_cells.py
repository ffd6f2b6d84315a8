"""Benchmark: 100 million person-years (+ events) -> all count cells (every measure of
domain/measures.yaml, the movers included) with the DuckDB engine.

Target (issues 7, 12): at most 10 s and 3 GB peak memory on a 2-core machine. Prints wall
time and CPU seconds (other jobs may share the cores: CPU seconds / 2 estimates a quiet run). The input is made
by the national synthetic generator and cached in ``benchmarks/.cache/`` (not committed).
The baseline is the straightforward pandas implementation
(:func:`evaluering.cells.reference_cells`) on a subsample of the same input in the same run,
scaled per person-year. Prints one ``BENCH`` line; exits 1 when a target is missed.

The measured run skips the exact duplicate person-year check (``--no-duplicate-check`` on the
command line); ``--check-duplicates`` includes it.

Usage: ``python benchmarks/bench_cells.py [--persons N] [--sample-rows R] [--check-duplicates]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

TARGET_S = 10.0
TARGET_GB = 3.0


def _input(persons: int, years: tuple[int, int]) -> Path:
    from evaluering.synth.national import generate_national

    cache = HERE / ".cache" / f"cells-{persons}-{years[0]}-{years[1]}"
    truth = cache / "truth.json"
    if not truth.exists():
        print(f"generating the input once into {cache} ...", file=sys.stderr, flush=True)
        generate_national(persons, years, cache, seed=1, chunk_rows=5_000_000, progress=sys.stderr.isatty())
    return cache


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024   # Linux: KiB


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=5_800_000)   # x ~17 years of residence = 100M rows
    ap.add_argument("--years", default="2003-2022")
    ap.add_argument("--sample-rows", type=int, default=2_000_000)
    ap.add_argument("--check-duplicates", action="store_true",
                    help="also run the exact duplicate person-year check (the CLI default; about +2 s)")
    args = ap.parse_args(argv)
    years = tuple(int(x) for x in args.years.split("-"))
    data = _input(args.persons, years)
    truth = json.loads((data / "truth.json").read_text())
    rows, events = truth["person_years"], truth["events"]

    from evaluering.cells import count_cells

    load = os.getloadavg()[0]
    cpu0 = _cpu_s()
    t0 = time.perf_counter()
    res = count_cells(data / "persons.parquet", data / "events.parquet", data / "estates.csv",
                      engine="duckdb", memory_limit="2.5GB", progress=False, check_duplicates=args.check_duplicates)
    seconds = time.perf_counter() - t0
    cpu = _cpu_s() - cpu0
    peak = _peak_gb()
    n_cells = len(res.cells)
    n_measures = int(res.cells["measure"].nunique())

    # baseline: pandas on the first sample_rows person-years (whole row groups) and their events
    import pandas as pd
    import pyarrow.parquet as pq

    from evaluering.cells.reference import reference_cells

    pf = pq.ParquetFile(data / "persons.parquet")
    groups, n = [], 0
    while n < args.sample_rows and len(groups) < pf.num_row_groups:
        n += pf.metadata.row_group(len(groups)).num_rows
        groups.append(len(groups))
    persons = pf.read_row_groups(groups).to_pandas()
    for c in ("estate_id", "municipality", "sex"):
        persons[c] = persons[c].astype("string")
    ids = persons["person_id"].unique()
    ev = pd.read_parquet(data / "events.parquet", filters=[("person_id", "<=", int(ids.max()))])
    ev = ev[ev["person_id"].isin(ids)]
    for c in ("law", "kind"):
        ev[c] = ev[c].astype("string")
    estates = pd.read_csv(data / "estates.csv", dtype=str)
    t1 = time.perf_counter()
    reference_cells(persons, ev, estates)
    base_s = time.perf_counter() - t1
    scaled = base_s / len(persons) * rows
    ok = seconds <= TARGET_S and peak <= TARGET_GB
    print(f"BENCH cells engine=duckdb person_years={rows} events={events} cells={n_cells} measures={n_measures} "
          f"time_s={seconds:.2f} cpu_s={cpu:.1f} load1={load:.1f} peak_gb={peak:.2f} target_s={TARGET_S:g} target_gb={TARGET_GB:g} "
          f"pandas_sample_rows={len(persons)} pandas_s={base_s:.2f} pandas_scaled_s={scaled:.1f} "
          f"ratio={scaled / seconds:.1f}x dupcheck={'on' if args.check_duplicates else 'off'} {'OK' if ok else 'MISSED'}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
