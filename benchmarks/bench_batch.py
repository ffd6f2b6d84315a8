"""Benchmark: 100 plans' yearly reports with warm kernels, against plain papermill.

Target: the batch (2 workers, warm kernels, HTML + ipynb + JSON, no PDF) writes 100
reports in at most 60 s. The baseline is plain papermill (its default engine, a new
kernel per plan) timed on a few plans in the same run and scaled to 100 plans, both
serially and as if split perfectly over 2 processes. The benchmark also checks that the
warm-kernel HTML is byte-identical to the fresh-kernel HTML for the same plans.

Plan files: 100 copies of ``data/raw/plans/aalborg-oest.yaml`` with other ids, in
``benchmarks/.cache/``. Notebook: ``notebooks/yearly_report.ipynb`` when it exists and runs,
else the fixture ``tests/reporting/fixtures/heavy_report.ipynb`` (pandas, seaborn,
statsmodels, a figure), named in the BENCH line.

``BENCH_BATCH_NOTEBOOK=fixture`` benchmarks the fixture (the infrastructure alone);
``BENCH_BATCH_PLANS`` / ``BENCH_BATCH_BASELINE`` change the numbers of plans.

Prints one line ``BENCH batch ...``; exits 1 when the target or the identity check fails.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

N_PLANS = int(os.environ.get("BENCH_BATCH_PLANS", "100"))
N_BASELINE = int(os.environ.get("BENCH_BATCH_BASELINE", "3"))
WORKERS = 2
TARGET_S = 60.0 * N_PLANS / 100
YEAR = 2020


def make_plans(folder: Path, n: int) -> list[str]:
    source = (ROOT / "data" / "raw" / "plans" / "aalborg-oest.yaml").read_text(encoding="utf-8")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    ids = [f"bench-{i:03d}" for i in range(n)]
    for plan_id in ids:
        text = re.sub(r"(?m)^id:\s*\S+", f"id: {plan_id}", source, count=1)
        (folder / f"{plan_id}.yaml").write_text(text, encoding="utf-8")
    return ids


def choose_notebook(plans: Path) -> tuple[Path, str]:
    from evaluering.reporting.batch import plan_jobs
    from evaluering.reporting.render import render_report

    lead = ROOT / "notebooks" / "yearly_report.ipynb"
    fixture = ROOT / "tests" / "reporting" / "fixtures" / "heavy_report.ipynb"
    if os.environ.get("BENCH_BATCH_NOTEBOOK") == "fixture":
        return fixture, "fixture"
    if lead.is_file():
        out = Path(tempfile.mkdtemp(prefix="bench-probe-"))
        jobs, _ = plan_jobs(YEAR, plans_dir=plans, out=out, notebook=lead, warm=False, only=["bench-000"])
        result = render_report(jobs[0])
        shutil.rmtree(out, ignore_errors=True)
        if result.ok:
            return lead, "yearly_report"
        print(f"note: notebooks/yearly_report.ipynb fails ({result.error}); using the fixture", file=sys.stderr)
        return fixture, "fixture(yearly_report fails)"
    return fixture, "fixture"


def plain_papermill(notebook: Path, plan_ids: list[str], plans: Path) -> list[float]:
    import papermill as pm

    from evaluering.reporting.params import build_parameters

    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for plan_id in plan_ids:
            params = build_parameters(plan_id, YEAR, plans_dir=plans, project_root=ROOT)
            t0 = time.perf_counter()
            pm.execute_notebook(str(notebook), str(Path(tmp) / f"{plan_id}.ipynb"), parameters=params,
                                progress_bar=False, cwd=str(ROOT))
            times.append(time.perf_counter() - t0)
    return times


def main() -> int:
    import logging

    logging.disable(logging.WARNING)
    from evaluering.reporting.batch import plan_jobs, run_batch
    from evaluering.reporting.render import render_report

    cache = ROOT / "benchmarks" / ".cache" / "batch"
    plans = cache / "plans"
    ids = make_plans(plans, N_PLANS)
    notebook, label = choose_notebook(plans)

    base = plain_papermill(notebook, ids[:N_BASELINE], plans)
    per_plan = statistics.mean(base)
    baseline_serial = per_plan * N_PLANS
    baseline_2proc = baseline_serial / WORKERS

    out = cache / "reports"
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    batch = run_batch(YEAR, plans_dir=plans, out=out, notebook=notebook, workers=WORKERS, pdf=False,
                      force=True, progress=False)
    warm_s = time.perf_counter() - t0
    failed = len(batch.failed)

    # the same plans in a fresh kernel each: the HTML must be byte-identical. Other people
    # may edit the library meanwhile (its source hash is in the report's provenance): a
    # plan whose batch report was made with other library code is checked again with a
    # used warm kernel and a fresh kernel back to back.
    from evaluering.reporting.provenance import library_fingerprint
    from evaluering.reporting.render import shutdown_kernels

    check_ids = [ids[0], ids[len(ids) // 2], ids[-1]]
    fresh_out = cache / "fresh"
    shutil.rmtree(fresh_out, ignore_errors=True)
    identical, rechecked = 0, 0
    for plan_id in check_ids:
        warm_html = (out / str(YEAR) / f"{plan_id}.html").read_bytes()
        for attempt in range(3):
            (fresh_job,), _ = plan_jobs(YEAR, plans_dir=plans, out=fresh_out, notebook=notebook, warm=False,
                                        force=True, only=[plan_id])
            fresh = render_report(fresh_job)
            fresh_html = Path(fresh_job.paths()["html"]).read_bytes() if fresh.ok else b""
            if fresh_html == warm_html:
                identical += 1
                break
            if attempt == 2:
                break
            rechecked += 1
            lib = library_fingerprint()
            other = ids[1] if plan_id != ids[1] else ids[2]
            warm_jobs, _ = plan_jobs(YEAR, plans_dir=plans, out=cache / "warm", notebook=notebook, force=True,
                                     only=[other, plan_id])
            for job in sorted(warm_jobs, key=lambda j: j.plan_id != other):   # the other plan first
                render_report(job)
            shutdown_kernels()
            warm_html = (cache / "warm" / str(YEAR) / f"{plan_id}.html").read_bytes()
            if library_fingerprint() != lib:
                continue

    # a re-run with nothing changed skips every plan (checked only when nobody edited the
    # library since the batch: its source hash is part of every plan's run key)
    import json

    made_with = json.loads((out / str(YEAR) / f"{ids[0]}.json").read_text(encoding="utf-8"))
    library_changed = made_with["provenance"]["library"] != library_fingerprint()
    skipped, rerun_s = 0, 0.0
    if not library_changed:
        t1 = time.perf_counter()
        rerun = run_batch(YEAR, plans_dir=plans, out=out, notebook=notebook, workers=WORKERS, pdf=False,
                          progress=False)
        rerun_s = time.perf_counter() - t1
        skipped = rerun.counts()["skipped"]
        library_changed = made_with["provenance"]["library"] != library_fingerprint()

    ok = warm_s <= TARGET_S and failed == 0 and identical == len(check_ids) and \
        (skipped == N_PLANS or library_changed)
    print(f"BENCH batch notebook={label} plans={N_PLANS} workers={WORKERS} cores={os.cpu_count()} "
          f"warm={warm_s:.1f}s ({warm_s / N_PLANS:.2f}s/plan) target<={TARGET_S:.0f}s "
          f"papermill={per_plan:.2f}s/plan (n={len(base)}) scaled_serial={baseline_serial:.0f}s "
          f"scaled_2proc={baseline_2proc:.0f}s speedup_vs_serial={baseline_serial / warm_s:.1f}x "
          f"speedup_vs_2proc={baseline_2proc / warm_s:.1f}x failed={failed} "
          f"html_identical={identical}/{len(check_ids)} (rechecked={rechecked}) "
          + (f"rerun_skipped={skipped}/{N_PLANS} rerun={rerun_s:.1f}s " if not library_changed
             else "rerun_skipped=n/a(library edited meanwhile) ")
          + f"{'OK' if ok else 'MISSED'}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
