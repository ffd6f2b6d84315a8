"""Benchmark: DiD from 5 million person-rows (500 estates x 15 years) in Parquet.

Our pipeline: DuckDB aggregates the person rows to estate-year cells (count, population),
then the weighted TWFE with CR2 (Satterthwaite df) runs on 7,500 cells; Callaway-Sant'Anna
runs on the same cells. Baseline in the same run: pyfixest ``feols("y ~ d | estate + year")``
on the 5 million person rows (read from the same Parquet file). The estimates must agree to
1e-10 (cells reproduce the person-level fit exactly).

Time: the best of 5 repetitions after imports (the first, cold run is printed as well).
Memory: the peak resident set size (``ru_maxrss``) of a fresh subprocess that imports the
libraries and runs the pipeline, so the figure includes the interpreter and imports.

Targets: TWFE+CR2 end to end <= 0.5 s, peak RSS <= 0.4 GB, CS <= 0.5 s, >= 10x pyfixest.
The data are generated once (seeded) and cached in ``benchmarks/.cache/`` (not committed).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
DATA = CACHE / "did_persons_5m.parquet"
N_ESTATES, YEARS, N_ROWS, SEED = 500, list(range(2008, 2023)), 5_000_000, 20170201

AGG_SQL = """
SELECT estate, year, any_value(start) AS start, sum(y)::BIGINT AS count, count(*) AS population
FROM read_parquet(?) GROUP BY estate, year ORDER BY estate, year
"""


def generate() -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    sys.path.insert(0, str(HERE.parent / "src"))
    from evaluering.atomic import atomic_path

    rng = np.random.default_rng(SEED)
    T = len(YEARS)
    sizes = rng.integers(400, 934, size=N_ESTATES * T)
    sizes = np.floor(sizes / sizes.sum() * N_ROWS).astype(np.int64)
    sizes[-1] += N_ROWS - sizes.sum()
    start = np.zeros(N_ESTATES, dtype=np.int16)
    start[:60] = 2015
    start[60:110] = 2018
    estate_of_cell = np.repeat(np.arange(N_ESTATES), T)
    year_of_cell = np.tile(np.array(YEARS), N_ESTATES)
    level = rng.normal(0.04, 0.01, N_ESTATES)
    p_cell = (level[estate_of_cell] + 0.001 * (year_of_cell - 2008)
              - 0.012 * ((start[estate_of_cell] > 0) & (year_of_cell >= start[estate_of_cell])))
    p_cell = np.clip(p_cell + rng.normal(0, 0.004, p_cell.shape), 0.001, 0.5)
    estate = np.repeat(estate_of_cell, sizes).astype(np.int32)
    year = np.repeat(year_of_cell, sizes).astype(np.int16)
    y = (rng.random(N_ROWS) < np.repeat(p_cell, sizes)).astype(np.int8)
    table = pa.table({"estate": estate, "year": year, "start": start[estate], "y": y})
    with atomic_path(DATA, suffix=".parquet") as tmp:
        pq.write_table(table, tmp, row_group_size=1_000_000)


def worker() -> None:
    """Run in a fresh process: imports, then the timed pipeline; prints one JSON line."""
    import resource

    import duckdb

    from evaluering import did

    def pipeline():
        con = duckdb.connect()
        cells = con.execute(AGG_SQL, [str(DATA)]).df()
        con.close()
        res = did.twfe(cells, unit="estate", time="year", start="start", count="count",
                       population="population", vcov="CR2")
        return cells, res

    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        cells, res = pipeline()
        times.append(time.perf_counter() - t0)
    cs_times = []
    for _ in range(5):
        t0 = time.perf_counter()
        cs = did.callaway_santanna(cells, unit="estate", time="year", start="start", count="count",
                                   population="population")
        cs_times.append(time.perf_counter() - t0)
    row = res.tidy().iloc[0]
    print(json.dumps({
        "times": times, "cs_times": cs_times, "att": float(row["estimate"]), "se": float(row["std_error"]),
        "df": float(row["df"]), "cs_att": cs.att, "n_cells": len(cells),
        "persons": int(cells["population"].sum()),
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2,
    }))


def main() -> int:
    if not DATA.is_file():
        print(f"generating {DATA.relative_to(HERE.parent)} (once)", flush=True)
        generate()
    proc = subprocess.run([sys.executable, __file__, "--worker"], capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        print("BENCH did FAILED (worker)")
        return 1
    ours = json.loads(proc.stdout.strip().splitlines()[-1])

    import pandas as pd
    import pyfixest as pf

    t0 = time.perf_counter()
    persons = pd.read_parquet(DATA)
    persons["d"] = ((persons["start"] > 0) & (persons["year"] >= persons["start"])).astype("float64")
    persons["y"] = persons["y"].astype("float64")
    tol = {"demeaner": pf.MapDemeaner(fixef_tol=1e-12)} if hasattr(pf, "MapDemeaner") else {"fixef_tol": 1e-12}
    fit = pf.feols("y ~ d | estate + year", data=persons, vcov={"CRV1": "estate"}, **tol)
    pf_time = time.perf_counter() - t0
    pf_att = float(fit.coef()["d"])

    best, first = min(ours["times"]), ours["times"][0]
    cs_best = min(ours["cs_times"])
    ratio = pf_time / best
    diff = abs(ours["att"] - pf_att)
    ok = best <= 0.5 and ours["peak_rss_gb"] <= 0.4 and cs_best <= 0.5 and ratio >= 10 and diff <= 1e-10
    print(f"BENCH did rows={ours['persons']} cells={ours['n_cells']} twfe_cr2_s={best:.3f} "
          f"(first {first:.3f}) cs_s={cs_best:.3f} peak_rss_gb={ours['peak_rss_gb']:.3f} "
          f"pyfixest_s={pf_time:.2f} ratio={ratio:.1f}x att={ours['att']:.12f} "
          f"att_pyfixest={pf_att:.12f} diff={diff:.1e} cr2_se={ours['se']:.6f} cr2_df={ours['df']:.1f} "
          f"{'OK' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    if "--worker" in sys.argv:
        worker()
        sys.exit(0)
    sys.exit(main())
