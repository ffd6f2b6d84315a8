"""Fixtures of the reporting tests: small plan folders and fixture notebooks (the tests do
not depend on the real report notebook)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporting_helpers import write_plan


@pytest.fixture
def plans(tmp_path) -> Path:
    """Three plans: ``plan-a``, ``plan-b`` and ``plan-fejl`` (fails in the light fixture)."""
    folder = tmp_path / "plans"
    folder.mkdir()
    write_plan(folder, "plan-a")
    write_plan(folder, "plan-b")
    write_plan(folder, "plan-fejl", fail=True)
    return folder


@pytest.fixture
def frozen_library(monkeypatch):
    """Other engineers edit the library while tests run: pin its fingerprint so that the
    skip-unchanged logic is tested against the inputs only."""
    import evaluering.reporting.provenance as provenance

    monkeypatch.setattr(provenance, "library_fingerprint",
                        lambda: {"version": "test", "source_sha256": "0" * 64})
