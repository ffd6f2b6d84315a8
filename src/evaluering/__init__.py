"""evaluering: evaluation of Danish boligsociale helhedsplaner.

Indicators from count cells, success criteria with exact uncertainty,
difference-in-differences with few-cluster inference, disclosure control and yearly
reports. Heavy dependencies are imported only when a function that needs them runs,
so ``import evaluering`` stays cheap.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: public name -> module that defines it (imported on first use)
_LAZY: dict[str, str] = {
    "load_plan": "evaluering.plan",
    "find_plan": "evaluering.plan",
    "list_plans": "evaluering.plan",
    "Plan": "evaluering.plan",
    "EvalueringError": "evaluering.errors",
    "InputError": "evaluering.errors",
    "check_cells": "evaluering.cellschema",
}

__all__ = ["__version__", *sorted(_LAZY)]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'evaluering' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
