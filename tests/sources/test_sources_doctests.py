"""Run the docstring examples of evaluering.sources (pytest does not collect them by default)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["evaluering.sources", "evaluering.sources.schema", "evaluering.sources.logs", "evaluering.sources.tables",
           "evaluering.sources.validate", "evaluering.sources.dst", "evaluering.sources.lbf",
           "evaluering.sources.convert", "evaluering.sources.register"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
