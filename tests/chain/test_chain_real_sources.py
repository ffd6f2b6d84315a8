"""The yearly report built from real-source inputs instead of the bundled CSVs: a StatBank
cache, an LBF export and the local logs, converted by ``evaluering convert``.

The StatBank answers and the LBF export are the test fixtures of tests/data/ (the LBF export
holds the delaftale's printed table T2); nothing here is synthetic, so the report must not
carry the synthetic-data notice, and its first criterion must come from the LBF export.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DST = ROOT / "tests" / "data" / "dst"


def _cli(*args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "evaluering", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_report_from_statbank_lbf_and_logs(tmp_path, statbank_cache):
    logs = tmp_path / "logs"
    shutil.copytree(ROOT / "data" / "raw" / "logs", logs, ignore=shutil.ignore_patterns("*.md"))
    real = tmp_path / "real"
    _cli("convert", "--plan", "aalborg-oest", "--out", str(real), "--dst-cache", str(statbank_cache),
         "--lbf", str(ROOT / "tests" / "data" / "lbf" / "indikator6_long.xlsx"), "--logs", str(logs))
    out = tmp_path / "reports"
    _cli("report", "--plan", "aalborg-oest", "--year", "2020", "--plans", str(real / "plans"),
         "--out", str(out), "--no-pdf", "--force")
    html = (out / "2020" / "aalborg-oest.html").read_text(encoding="utf-8")
    figures = json.loads((out / "2020" / "aalborg-oest.json").read_text(encoding="utf-8"))["figures"]
    assert figures["plan"]["synthetic"] is False
    assert "Syntetiske data" not in html
    k1 = next(c for c in figures["criteria"] if c["id"] == "K1")
    assert k1["baseline_value"] == 4.2 and abs(k1["target_value"] - 3.15) < 1e-12
    # no estate-level cells in open data: the report says there is no effect estimate
    assert figures["effect"]["available"] is False
    assert "Intet effektestimat" in html
