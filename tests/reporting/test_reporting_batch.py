"""The batch: every plan's report, failures isolated and listed, re-runs skip unchanged
plans, atomic output survives a killed run, index.html and summary.csv."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evaluering.plan import load_plan
from evaluering.reporting.batch import run_batch

from reporting_helpers import LIGHT, ROOT, write_plan

pytestmark = pytest.mark.slow


def _batch(plans, out, **kw):
    return run_batch(2020, plans_dir=plans, out=out, notebook=LIGHT, pdf=False, progress=False,
                     project_root=ROOT, keep_kernels=True, **kw)


def test_batch_publishes_good_plans_lists_failures_and_skips_unchanged(plans, tmp_path, frozen_library):
    out = tmp_path / "reports"
    batch = _batch(plans, out)
    year_dir = out / "2020"
    assert batch.exit_code == 1
    assert {r.plan_id: r.status for r in batch.results} == {"plan-a": "ok", "plan-b": "ok", "plan-fejl": "failed"}
    failed = batch.failed[0]
    assert failed.error == "celle 4: RuntimeError: testfejl: planen er markeret til at fejle"
    # the failing plan is never published; its executed notebook is kept for debugging
    assert not any(year_dir.glob("plan-fejl.*"))
    assert (year_dir / "_fejlede" / "plan-fejl.ipynb").is_file()
    for plan_id in ("plan-a", "plan-b"):
        for ext in ("html", "ipynb", "json"):
            assert (year_dir / f"{plan_id}.{ext}").is_file()
        record = json.loads((year_dir / f"{plan_id}.json").read_text(encoding="utf-8"))
        assert record["plan_id"] == plan_id and record["year"] == 2020
        expected = [c["id"] for c in load_plan(plans / f"{plan_id}.yaml").section("criteria")]
        assert [c["id"] for c in record["figures"]["criteria"]] == expected and expected
        assert record["provenance"]["parameters"]["plan_id"] == plan_id
        assert oct((year_dir / f"{plan_id}.html").stat().st_mode & 0o777) == "0o644"

    # index.html: every plan, its criteria statuses, links, the failure with its cell
    index = (year_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="plan-a.html"' in index and 'href="plan-b.html"' in index
    assert 'href="plan-fejl.html"' not in index
    assert "celle 4: RuntimeError: testfejl" in index
    assert index.count("ikke vurderet") == 2 * len(record["figures"]["criteria"])

    # summary.csv: one row per plan and criterion, one row for the failed plan
    rows = list(csv.DictReader((year_dir / "summary.csv").open(encoding="utf-8")))
    n_crit = len(record["figures"]["criteria"])
    assert len(rows) == 2 * n_crit + 1
    assert {r["criterion_id"] for r in rows if r["plan_id"] == "plan-a"} == \
        {c["id"] for c in record["figures"]["criteria"]}
    assert [r["report_status"] for r in rows if r["plan_id"] == "plan-fejl"] == ["fejlet"]

    # a re-run skips what is unchanged; a changed plan file is rendered again
    html_before = (year_dir / "plan-a.html").read_bytes()
    again = _batch(plans, out)
    assert {r.plan_id: r.status for r in again.results} == {"plan-a": "skipped", "plan-b": "skipped",
                                                            "plan-fejl": "failed"}
    with (plans / "plan-b.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\n# changed\n")
    third = _batch(plans, out)
    assert {r.plan_id: r.status for r in third.results}["plan-b"] == "ok"
    assert {r.plan_id: r.status for r in third.results}["plan-a"] == "skipped"
    forced = _batch(plans, out, force=True)
    assert {r.plan_id: r.status for r in forced.results}["plan-a"] == "ok"
    assert (year_dir / "plan-a.html").read_bytes() == html_before      # reproducible


def test_a_plan_that_starts_failing_is_unpublished(plans, tmp_path, frozen_library):
    out = tmp_path / "reports"
    (plans / "plan-fejl.yaml").unlink()
    assert _batch(plans, out).exit_code == 0
    write_plan(plans, "plan-b", fail=True)
    batch = _batch(plans, out)
    assert batch.exit_code == 1
    assert not (out / "2020" / "plan-b.html").exists()
    assert (out / "2020" / "plan-a.html").exists()


def test_a_broken_plan_file_is_a_failure_not_a_crash(plans, tmp_path, frozen_library):
    (plans / "plan-fejl.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    batch = _batch(plans, tmp_path / "reports")
    failed = {r.plan_id: r.error for r in batch.failed}
    assert list(failed) == ["plan-fejl"]
    assert "plan-fejl.yaml:" in failed["plan-fejl"] and "invalid YAML" in failed["plan-fejl"]


def _cli(*args, **kw):
    return [sys.executable, "-m", "evaluering", "-q", *args]


def test_killed_batch_leaves_no_half_written_report_and_the_next_run_completes(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    ids = [f"plan-{i}" for i in range(5)]
    for plan_id in ids:
        write_plan(plans, plan_id)
    write_plan(plans, "plan-fejl", fail=True)
    out = tmp_path / "reports"
    year_dir = out / "2020"
    args = ["batch", "--year", "2020", "--plans", str(plans), "--out", str(out), "--notebook", str(LIGHT),
            "--no-pdf", "--workers"]
    proc = subprocess.Popen(_cli(*args, "1"), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any(year_dir.glob("plan-*.json")):
            time.sleep(0.05)
        time.sleep(0.3)  # somewhere inside the next plan
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the batch, its kernel, everything it started
        proc.wait()
    assert any(year_dir.glob("plan-*.json")), "the batch did not get going"
    # every visible file is complete
    for html in year_dir.glob("plan-*.html"):
        assert html.read_text(encoding="utf-8").endswith("</html>\n")
    for js in year_dir.glob("plan-*.json"):
        json.loads(js.read_text(encoding="utf-8"))
    # the next run (two worker processes) completes everything, cleans the killed run's
    # temporaries, reports the failing plan on stderr and exits non-zero
    done = subprocess.run(_cli(*args, "2"), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "fejl: plan plan-fejl: celle 4: RuntimeError: testfejl: planen er markeret til at fejle"]
    assert done.stdout.startswith("6 planer: ")
    assert done.stdout.splitlines()[0].endswith(", 1 fejlede")
    for plan_id in ids:
        assert (year_dir / f"{plan_id}.html").read_text(encoding="utf-8").endswith("</html>\n")
        assert json.loads((year_dir / f"{plan_id}.json").read_text(encoding="utf-8"))["plan_id"] == plan_id
    assert not (year_dir / "plan-fejl.html").exists()
    assert not [p.name for p in year_dir.iterdir() if p.name.startswith(".")]
    assert (year_dir / "index.html").is_file() and (year_dir / "summary.csv").is_file()


def test_batch_on_a_local_dask_cluster(plans, tmp_path):
    (plans / "plan-fejl.yaml").unlink()
    batch = _batch(plans, tmp_path / "reports", scheduler="local", workers=1)
    assert batch.exit_code == 0
    assert sorted(r.plan_id for r in batch.results if r.status == "ok") == ["plan-a", "plan-b"]
    assert (tmp_path / "reports" / "2020" / "plan-b.html").is_file()


def test_cli_report_prints_where_the_files_are_and_errors_are_one_line(tmp_path, plans):
    out = tmp_path / "reports"
    done = subprocess.run(_cli("report", "--plan", "plan-a", "--year", "2020", "--plans", str(plans),
                               "--out", str(out), "--notebook", str(LIGHT), "--no-pdf"),
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines == [f"html  {out / '2020' / 'plan-a.html'}", f"xlsx  {out / '2020' / 'plan-a.xlsx'}",
                     f"docx  {out / '2020' / 'plan-a.docx'}", f"ipynb {out / '2020' / 'plan-a.ipynb'}",
                     f"json  {out / '2020' / 'plan-a.json'}"]
    bad = subprocess.run(_cli("report", "--plan", "ukendt", "--year", "2020", "--plans", str(plans),
                              "--out", str(out), "--notebook", str(LIGHT)),
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1 and "unknown plan 'ukendt'" in bad.stderr
    failing = subprocess.run(_cli("report", "--plan", "plan-fejl", "--year", "2020", "--plans", str(plans),
                                  "--out", str(out), "--notebook", str(LIGHT), "--no-pdf"),
                             cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert failing.returncode == 2
    assert failing.stderr.strip() == ("evaluering report: plan plan-fejl: celle 4: RuntimeError: "
                                      "testfejl: planen er markeret til at fejle")
