"""The yearly report built from real-source inputs instead of the bundled CSVs: a StatBank
cache filled by ``evaluering fetch-dst`` from a local server on 127.0.0.1, an LBF export and
the local logs, converted by ``evaluering convert``.

Which answers are real: the recorded real StatBank answers (tests/data/dst/real/) cannot
make Aalborg's cells on their own (the real FOLK1A answer lacks age 38 and ages 101-125, so
no 15+ population; the real STRAF22 values are København's), so the report test runs the
README's documented ``fetch-dst`` commands against the INVENTED answers of tests/data/dst/
(served with the real FOLK1A and STRAF22 tableinfo), and a second test takes the real
STRAF22 København 2025 answer through ``fetch-dst`` and ``convert`` as separate processes.
The LBF export holds the delaftale's printed table T2; nothing is synthetic, so the report
must not carry the synthetic-data notice, and its first criterion comes from the LBF export.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from statbank_server import DST, REAL, TABLEINFO, FakeStatBank

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, code: int | None = 0) -> subprocess.CompletedProcess:
    env = dict(os.environ)    # this tree's code, whatever the environment's editable install points at
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    proc = subprocess.run([sys.executable, "-m", "evaluering", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, env=env)
    assert code is None or proc.returncode == code, proc.stderr[-3000:]
    return proc


def _readme_fetch_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### From real sources"):]
    section = section[:section.index("\n## ")]
    return [shlex.split(line, comments=True)[1:] for line in section.splitlines()
            if line.strip().startswith("evaluering fetch-dst")]


def _report_has_allow_missing() -> bool:
    """Whether ``report`` has ``--allow-missing`` (missing inputs refused unless given)."""
    import argparse

    from evaluering.commands import report as report_command
    parser = argparse.ArgumentParser()
    report_command.add_arguments(parser)
    return "--allow-missing" in parser._option_string_actions


@pytest.fixture
def server():
    s = FakeStatBank()
    yield s
    s.close()


def test_report_from_statbank_lbf_and_logs(tmp_path, server):
    cache = tmp_path / "dst"
    commands = _readme_fetch_commands()
    assert [c[1] for c in commands] == ["FOLK1A", "STRAF22", "STRAF44"]
    for args in commands:
        _cli(*args, "--cache", str(cache), "--base-url", server.url)
    for args in commands:                                      # the documented later runs: --offline
        assert "from the cache" in _cli(*args, "--cache", str(cache), "--offline").stdout
    logs = tmp_path / "logs"
    shutil.copytree(ROOT / "data" / "raw" / "logs", logs, ignore=shutil.ignore_patterns("*.md"))
    real = tmp_path / "real"
    _cli("convert", "--plan", "aalborg-oest", "--out", str(real), "--dst-cache", str(cache),
         "--lbf", str(ROOT / "tests" / "data" / "lbf" / "indikator6_long.xlsx"), "--logs", str(logs))
    cells = pd.read_parquet(real / "cells.parquet")
    afg = cells[(cells["measure"] == "afgoerelser") & (cells["area"] == "0851") & (cells["year"] == 2015)]
    # INVENTED answers (make_invented.py): 851 men 10, women 5 per age group (17 groups);
    # FOLK1A 851 15+ men 610 + 7a, women 590 + 7a for ages 15-99
    assert afg.set_index("sex")["numerator"].to_dict() == {"M": 170, "K": 85}
    assert afg.set_index("sex")["denominator"].to_dict() == {
        "M": sum(610 + 7 * a for a in range(15, 100)), "K": sum(590 + 7 * a for a in range(15, 100))}
    out = tmp_path / "reports"
    report = ["report", "--plan", "aalborg-oest", "--year", "2020", "--plans", str(real / "plans"),
              "--out", str(out), "--no-pdf", "--force"]
    first = _cli(*report, code=None)
    if first.returncode == 2 and _report_has_allow_missing():
        # a missing input (e.g. no estate-level cells in open data) is refused, unless told to go on
        assert ":estates:" in first.stderr and "--allow-missing" in first.stderr
        _cli(*report, "--allow-missing")
        html = (out / "2020" / "aalborg-oest.html").read_text(encoding="utf-8")
        assert "Manglende data." in html
    else:
        assert first.returncode == 0, first.stderr[-3000:]
    html = (out / "2020" / "aalborg-oest.html").read_text(encoding="utf-8")
    figures = json.loads((out / "2020" / "aalborg-oest.json").read_text(encoding="utf-8"))["figures"]
    assert figures["plan"]["synthetic"] is False
    assert "Syntetiske data" not in html
    k1 = next(c for c in figures["criteria"] if c["id"] == "K1")
    assert k1["baseline_value"] == 4.2 and abs(k1["target_value"] - 3.15) < 1e-12
    # no estate-level cells in open data: the report says there is no effect estimate
    assert figures["effect"]["available"] is False
    assert "Intet effektestimat" in html


def test_real_statbank_answer_through_fetch_dst_and_convert(tmp_path):
    """The real STRAF22 København 2025 values (SIG 11 763, ANM 68 802) with an INVENTED FOLK1A
    København 2025K1 answer as the denominator, each step a separate process."""
    s = FakeStatBank(data={"STRAF22": REAL / "straf22_values_am-dashboard_ASSEMBLED.csv",
                           "FOLK1A": DST / "folk1a_bulk_kbh2025.csv"},
                     tableinfo={"STRAF22": TABLEINFO["STRAF22"], "FOLK1A": TABLEINFO["FOLK1A"]})
    try:
        cache = tmp_path / "dst"
        _cli("fetch-dst", "STRAF22", "--var", "OMRÅDE=101", "--var", "OVERTRÆD=1", "--var", "ANMSIGT=ANM,SIG",
             "--var", "Tid=2025", "--cache", str(cache), "--base-url", s.url)
        _cli("fetch-dst", "FOLK1A", "--var", "OMRÅDE=101", "--var", "KØN=1,2", "--var", "ALDER=*",
             "--var", "CIVILSTAND=TOT", "--var", "Tid=2025K1", "--cache", str(cache), "--base-url", s.url)
    finally:
        s.close()
    assert _cli("validate", str(next((cache / "STRAF22").glob("*.csv")))).stdout.startswith("OK: StatBank table, 2 values")
    real = tmp_path / "real"
    _cli("convert", "--plan", "aalborg-oest", "--out", str(real), "--dst-cache", str(cache))
    cells = pd.read_parquet(real / "cells.parquet")
    assert cells[["level", "area", "year", "age_band", "sex", "measure", "numerator"]].values.tolist() == [
        ["municipality", "0101", 2025, "15+", "all", "sigtelser", 11763]]
    assert cells["denominator"].tolist() == [sum(5000 - 30 * a + 5100 - 30 * a for a in range(15, 100))]
