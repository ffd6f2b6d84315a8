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
    """A StatBank cache as `evaluering fetch-dst` leaves it, from the INVENTED answers in
    tests/data/dst/ (numbers made up by formula) and the tableinfo served with them."""
    from evaluering.sources.dst import Query

    dst = ROOT / "tests" / "data" / "dst"
    cache = tmp_path / "dst"
    for table, fixture, info, variables in [
        ("FOLK1A", "folk1a_bulk.csv", "real/tableinfo_folk1a_dst-skills.json",
         {"OMRÅDE": ["000", "851"], "KØN": ["1", "2"], "ALDER": ["*"], "CIVILSTAND": ["TOT"], "Tid": ["*"]}),
        ("STRAF22", "straf22_bulk.csv", "real/tableinfo_straf22_en_am-dashboard-dk.json",
         {"OMRÅDE": ["000", "851"], "OVERTRÆD": ["TOT", "1"], "ANMSIGT": ["ANM", "SIG"], "Tid": ["*"]}),
        ("STRAF44", "straf44_bulk.csv", "tableinfo_straf44_INVENTED.json",
         {"OMRÅDE": ["000", "851"], "OVERTRÆD": ["TOT"], "AFGØRELSE": ["000"], "KØN": ["M", "K"],
          "ALDER": ["*"], "Tid": ["*"]}),
    ]:
        q = Query.make(table, variables)
        (cache / table).mkdir(parents=True)
        shutil.copy(dst / fixture, cache / table / f"{q.key()}.csv")
        shutil.copy(dst / info, cache / table / "tableinfo.json")
        (cache / table / f"{q.key()}.query.json").write_text(json.dumps(q.body()), encoding="utf-8")
    return cache
