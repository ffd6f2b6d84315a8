"""The examples in the engine's docstrings run and give what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["catalogue", "intervals", "indicators", "published", "criteria", "activities", "holidays",
           "budget", "evaluation"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    mod = importlib.import_module(f"evaluering.{name}")
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert res.failed == 0
    assert name == "evaluation" or res.attempted > 0
