"""Helpers of the reporting tests: paths of the fixture notebooks and plan files."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
LIGHT = FIXTURES / "light_report.ipynb"
HEAVY = FIXTURES / "heavy_report.ipynb"
FAILING = FIXTURES / "failing_report.ipynb"
PLAN_SOURCE = ROOT / "data" / "raw" / "plans" / "aalborg-oest.yaml"


def write_plan(folder: Path, plan_id: str, fail: bool = False) -> Path:
    """A copy of the bundled plan with another id (``fail``: the light fixture raises)."""
    text = PLAN_SOURCE.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^id:\s*\S+", f"id: {plan_id}" + ("\ntest_fail: true" if fail else ""), text, count=1)
    path = folder / f"{plan_id}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


