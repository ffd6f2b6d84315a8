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

Second line (``BENCH did_cs``): doubly robust Callaway-Sant'Anna with 3 covariates (the
estate-year shares of persons aged 10-17, of men and of non-Western persons, averaged by
DuckDB in the same aggregation) and 999 multiplier-bootstrap draws with uniform bands, end
to end from the 5 million person rows (target <= 1 s). It is the repeated cross-section
estimator on the population-weighted estate-year cells (``panel_type=False``, clusters =
estates), which equals the person-level repeated cross-section estimator exactly (see
tests/did/test_did_cs_covariates.py). Baseline: diff-diff ``CallawaySantAnna(panel=False,
cluster="estate", estimation_method="dr", n_bootstrap=999)`` on the person rows with the
same covariates. diff-diff needs minutes per million rows, so it runs on a random sample of
persons (``--diffdiff-fraction``, default 0.1 = 500,000 rows) and its time is scaled
linearly to 5 million rows (conservative: its time grows faster than linearly); the estimates
are compared on the sample (ours recomputed on the sample's cells). Target >= 10x.
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
DATA = CACHE / "did_persons_5m_cov.parquet"
N_ESTATES, YEARS, N_ROWS, SEED = 500, list(range(2008, 2023)), 5_000_000, 20170201

AGG_SQL = """
SELECT estate, year, any_value(start) AS start, sum(y)::BIGINT AS count, count(*) AS population
FROM read_parquet(?) GROUP BY estate, year ORDER BY estate, year
"""
COVARIATES = ["share_10_17", "share_male", "share_nonwestern"]
AGG_COV_SQL = """
SELECT estate, year, any_value(start) AS start, sum(y)::BIGINT AS count, count(*) AS population,
       avg(young) AS share_10_17, avg(male) AS share_male, avg(nonwestern) AS share_nonwestern
FROM read_parquet(?) GROUP BY estate, year ORDER BY estate, year
"""


def rng_shares(rng, n_estates: int, n_years: int, mean: float, sd: float):
    """Estate-year shares: an estate level plus a small yearly drift (estate-major order)."""
    import numpy as np

    level = rng.normal(mean, sd, n_estates)
    drift = rng.normal(0, sd / 5, (n_estates, n_years)).cumsum(axis=1)
    return (level[:, None] + drift).ravel()


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
    # person attributes (a separate stream: the outcome is the same as without them)
    rc = np.random.default_rng(SEED + 1)
    p_young = np.repeat(np.clip(rng_shares(rc, N_ESTATES, T, 0.15, 0.04), 0.01, 0.6), sizes)
    p_nonw = np.repeat(np.clip(rng_shares(rc, N_ESTATES, T, 0.45, 0.15), 0.01, 0.95), sizes)
    young = (rc.random(N_ROWS) < p_young).astype(np.int8)
    male = (rc.random(N_ROWS) < 0.5).astype(np.int8)
    nonwestern = (rc.random(N_ROWS) < p_nonw).astype(np.int8)
    table = pa.table({"estate": estate, "year": year, "start": start[estate], "y": y, "young": young,
                      "male": male, "nonwestern": nonwestern})
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
    def cs_pipeline():
        con = duckdb.connect()
        cells = con.execute(AGG_COV_SQL, [str(DATA)]).df()
        con.close()
        return did.callaway_santanna(cells, unit="estate", time="year", start="start", count="count",
                                     population="population", covariates=COVARIATES, est_method="dr",
                                     bootstrap="multiplier", biters=999, seed=SEED, panel_type=False)

    dr_times = []
    for _ in range(5):
        t0 = time.perf_counter()
        dr = cs_pipeline()
        dr_times.append(time.perf_counter() - t0)
    row = res.tidy().iloc[0]
    print(json.dumps({
        "times": times, "cs_times": cs_times, "dr_times": dr_times, "dr_att": dr.att,
        "dr_se": float(dr.tidy().iloc[0]["std_error"]), "dr_band": dr.bands.get("attgt"), "att": float(row["estimate"]), "se": float(row["std_error"]),
        "df": float(row["df"]), "cs_att": cs.att, "n_cells": len(cells),
        "persons": int(cells["population"].sum()),
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2,
    }))


def diffdiff_run(fraction: float) -> dict:
    """diff-diff on a random sample of the person rows; ours on the same sample's cells."""
    import warnings

    import numpy as np
    from diff_diff import CallawaySantAnna

    from evaluering import did

    import pandas as pd

    persons = pd.read_parquet(DATA)
    persons = persons[np.random.default_rng(SEED).random(len(persons)) < fraction].reset_index(drop=True)
    key = ["estate", "year"]
    cells = (persons.groupby(key, as_index=False)
             .agg(start=("start", "first"), count=("y", "sum"), population=("y", "size"),
                  share_10_17=("young", "mean"), share_male=("male", "mean"), share_nonwestern=("nonwestern", "mean")))
    persons = persons[key + ["start", "y"]].merge(cells[key + COVARIATES], on=key)
    persons["id"] = np.arange(len(persons))
    persons["y"] = persons["y"].astype("float64")
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = CallawaySantAnna(estimation_method="dr", n_bootstrap=999, seed=SEED, cband=True, panel=False,
                               cluster="estate").fit(persons, outcome="y", unit="id", time="year",
                                                     first_treat="start", covariates=COVARIATES)
    dd_time = time.perf_counter() - t0
    ours = did.callaway_santanna(cells, unit="estate", time="year", start="start", count="count",
                                 population="population", covariates=COVARIATES, est_method="dr",
                                 panel_type=False)
    return {"rows": len(persons), "time": dd_time, "att": float(fit.overall_att), "se": float(fit.overall_se),
            "ours_att": ours.att, "ours_se": float(ours.tidy().iloc[0]["std_error"])}


def main() -> int:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--diffdiff-fraction", type=float, default=0.1,
                    help="share of the person rows diff-diff runs on (its time is scaled to all rows)")
    args = ap.parse_args()
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

    dd = diffdiff_run(args.diffdiff_fraction)
    dd_scaled = dd["time"] * ours["persons"] / dd["rows"]
    dr_best = min(ours["dr_times"])
    dr_ratio = dd_scaled / dr_best
    dd_diff = abs(dd["att"] - dd["ours_att"])
    ok_cs = dr_best <= 1.0 and dr_ratio >= 10 and dd_diff <= 1e-6
    print(f"BENCH did_cs rows={ours['persons']} cells={ours['n_cells']} covariates=3 biters=999 "
          f"dr_cs_s={dr_best:.3f} (first {ours['dr_times'][0]:.3f}) att={ours['dr_att']:.9f} "
          f"se_boot={ours['dr_se']:.6f} band_crit={ours['dr_band']:.3f} diffdiff_rows={dd['rows']} "
          f"diffdiff_s={dd['time']:.1f} diffdiff_scaled_s={dd_scaled:.1f} ratio={dr_ratio:.0f}x "
          f"sample_att={dd['ours_att']:.9f} sample_att_diffdiff={dd['att']:.9f} diff={dd_diff:.1e} "
          f"sample_se={dd['ours_se']:.6f} sample_se_diffdiff_boot={dd['se']:.6f} {'OK' if ok_cs else 'MISSED'}")
    return 0 if (ok and ok_cs) else 1


if __name__ == "__main__":
    if "--worker" in sys.argv:
        worker()
        sys.exit(0)
    sys.exit(main())
