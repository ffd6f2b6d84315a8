"""Fixtures: the hand-made register (cells_handmade.py) written as files."""

from __future__ import annotations

import pandas as pd
import pytest

from cells_handmade import ESTATES, EVENTS, PERSONS


@pytest.fixture
def register(tmp_path):
    """The hand-made register as Parquet persons/events and a CSV estate map."""
    p = tmp_path / "persons.parquet"
    e = tmp_path / "events.parquet"
    m = tmp_path / "estates.csv"
    persons = PERSONS.copy()
    persons["estate_id"] = persons["estate_id"].astype("string")
    persons.to_parquet(p, index=False)
    ev = EVENTS.copy()
    ev["date"] = pd.to_datetime(ev["date"]).dt.date
    ev.to_parquet(e, index=False)
    ESTATES.to_csv(m, index=False)
    return {"persons": p, "events": e, "estates": m, "dir": tmp_path}


@pytest.fixture
def register_csv(tmp_path):
    """The same register as CSV files (events with Danish dates, ';'-separated)."""
    p = tmp_path / "persons.csv"
    e = tmp_path / "events.csv"
    m = tmp_path / "estates.csv"
    PERSONS.to_csv(p, index=False)
    ev = EVENTS.copy()
    ev["date"] = pd.to_datetime(ev["date"]).dt.strftime("%d.%m.%Y")
    ev.to_csv(e, index=False, sep=";")
    ESTATES.to_csv(m, index=False)
    return {"persons": p, "events": e, "estates": m, "dir": tmp_path}
