"""Fixtures shared by several test areas."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Tests assert the messages as written in the code (English); the Danish catalogue the users
# see by default is tested in tests/sources/test_sources_messages.py.
os.environ.setdefault("EVALUERING_LANG", "en")


@pytest.fixture
def statbank_cache(tmp_path) -> Path:
    """A StatBank cache as `evaluering fetch-dst` leaves it, from the recorded answers in
    tests/data/dst/ (test fixtures with invented numbers)."""
    from evaluering.sources.dst import Query

    dst = ROOT / "tests" / "data" / "dst"
    cache = tmp_path / "dst"
    for table, fixture, variables in [
        ("FOLK1A", "folk1a_bulk.csv", {"OMRÅDE": ["000", "851"], "KØN": ["1", "2"], "ALDER": ["*"], "Tid": ["*"]}),
        ("STRAF22", "straf22_bulk.csv", {"OMRÅDE": ["000", "851"], "ANMSIGT": ["*"], "Tid": ["*"]}),
        ("STRAF44", "straf44_bulk.csv", {"OMRÅDE": ["000", "851"], "KØN": ["*"], "ALDER": ["*"], "Tid": ["*"]}),
    ]:
        q = Query.make(table, variables)
        (cache / table).mkdir(parents=True)
        shutil.copy(dst / fixture, cache / table / f"{q.key()}.csv")
        (cache / table / f"{q.key()}.query.json").write_text(json.dumps(q.body()), encoding="utf-8")
    return cache
