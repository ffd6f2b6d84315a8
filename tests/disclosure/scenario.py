"""The hidden-cell scenario of issue 13, rebuilt from the bundled data with genuinely small cells.

A project folder with:

* plan ``aalborg-oest`` (the bundled plan: nine estates in two parts) and plan ``aalborg-oest-b``
  with seven of those estates (AO-01..AO-07, no parts): two overlapping plans, one's estates a
  subset of the other's;
* the 10-17-year-olds suspected or charged in the part ``alabu-lejerbo`` (AO-06..AO-09) set to
  **2 persons in 2020** (AO-06) and **2 in 2019** (1 in AO-07, 1 in AO-08); plan and part cells
  are left to be pooled from the estates;
* the youth-course log with **2 courses started in 2020** (1 with contact, attached).

``build_project(tmp)`` writes it; the tests run ``evaluering batch`` for 2019 and 2020 and
``evaluering status --format json`` through the command line, as a user would.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
PLAN_A, PLAN_B = "aalborg-oest", "aalborg-oest-b"
YEARS = (2019, 2020)
MEASURE, AGE = "sigtet_mistaenkt", "10-17"
#: the small cells planted: (year, estate, sex) -> persons; the other estates of the part get 0
SMALL = {(2020, "AO-06", "M"): 2, (2019, "AO-07", "K"): 1, (2019, "AO-08", "M"): 1}
SMALL_PART = ("AO-06", "AO-07", "AO-08", "AO-09")
COURSES_2020 = 2


def cli(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "evaluering", *args], cwd=root, capture_output=True,
                          text=True, timeout=900)
    if check and proc.returncode != 0:
        raise AssertionError(f"evaluering {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc


def _plan_b(text: str) -> str:
    """Plan B from plan A's file: another id and name, estates AO-01..AO-07, no parts."""
    out, skip = [], False
    for line in text.splitlines():
        if line.startswith("id: "):
            line = f"id: {PLAN_B}"
        elif line.startswith("name: "):
            line = "name: Helhedsplan Aalborg Øst B (overlappende)"
        if line.startswith("parts:"):
            skip = True
            continue
        if skip and (line.startswith("  ") or line.startswith("#") or not line.strip()):
            continue
        skip = False
        if line.strip().startswith("- {id: AO-0") and ("AO-08" in line or "AO-09" in line):
            continue
        if line.strip().startswith("ssp_log:"):  # the SSP log names AO-08 and AO-09
            continue
        if "part: " in line and line.strip().startswith("- {id: AO-"):
            line = line.replace(", part: himmerland", "").replace(", part: alabu-lejerbo", "")
        out.append(line)
    return "\n".join(out) + "\n"


def build_project(dest: Path) -> Path:
    """Write the scenario project under ``dest``; returns its root."""
    if not (ROOT / "data" / "processed" / "cells.parquet").is_file():
        cli(ROOT, "build")
    root = dest / "projekt"
    (root / "data" / "raw").mkdir(parents=True)
    for sub in ("published", "logs", "templates"):
        shutil.copytree(ROOT / "data" / "raw" / sub, root / "data" / "raw" / sub)
    if (ROOT / "data" / "raw" / "synthetic" / "truth.json").is_file():
        (root / "data" / "raw" / "synthetic").mkdir()
        shutil.copy(ROOT / "data" / "raw" / "synthetic" / "truth.json", root / "data" / "raw" / "synthetic")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    plans = root / "data" / "raw" / "plans"
    plans.mkdir()
    text = (ROOT / "data" / "raw" / "plans" / f"{PLAN_A}.yaml").read_text(encoding="utf-8")
    (plans / f"{PLAN_A}.yaml").write_text(text, encoding="utf-8")
    (plans / f"{PLAN_B}.yaml").write_text(_plan_b(text), encoding="utf-8")
    # cells: estates only below the comparison levels, small cells planted
    cells = pd.read_parquet(ROOT / "data" / "processed" / "cells.parquet")
    cells = cells[~cells["level"].isin(["plan", "plan_part"])].copy()
    hit = (cells["measure"] == MEASURE) & (cells["age_band"] == AGE) & cells["area"].isin(SMALL_PART)
    for year in {y for y, _, _ in SMALL}:
        cells.loc[hit & (cells["year"] == year), "numerator"] = 0
    # the resident panel of the same estates must fit: no stayer among the few charged
    cohort_hit = ((cells["measure"] == MEASURE) & (cells["age_band"] == AGE)
                  & (cells["level"] == "cohort_stayers")
                  & cells["area"].str.split("@").str[0].isin(SMALL_PART))
    for year in {y for y, _, _ in SMALL}:
        cells.loc[cohort_hit & (cells["year"] == year), "numerator"] = 0
    for (year, estate, sex), n in SMALL.items():
        row = hit & (cells["year"] == year) & (cells["area"] == estate) & (cells["sex"] == sex)
        assert row.sum() == 1
        cells.loc[row, "numerator"] = n
    (root / "data" / "processed").mkdir(parents=True)
    cells.reset_index(drop=True).to_parquet(root / "data" / "processed" / "cells.parquet", index=False)
    # the youth-course log: 2 courses started in 2020, one with contact and attached
    log = root / "data" / "raw" / "logs" / "ungeforloeb.csv"
    lines = log.read_text(encoding="utf-8").splitlines()
    head, body = lines[0], [ln for ln in lines[1:] if ln.strip()]
    keep = [ln for ln in body if ";2020-" not in ln]
    new = [f"{900 + i};2020-0{3 + i}-10;{'ja' if i == 0 else 'nej'};{'forening' if i == 0 else ''}"
           for i in range(COURSES_2020)]
    log.write_text("\n".join([head, *keep, *new]) + "\n", encoding="utf-8")
    return root
