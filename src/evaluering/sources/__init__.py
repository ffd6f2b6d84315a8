"""Readers of real input data: local logs, Danmarks Statistik StatBank, Landsbyggefonden.

Every reader checks its input against a declared schema (:mod:`evaluering.sources.schema`)
and raises :class:`~evaluering.errors.InputError` (``file:row:column: what is wrong``).
Modules: ``logs`` (SSP and activity logs), ``lbf`` (LBF exports), ``dst`` (StatBank client
and cache), ``tables`` (published values, count cells), ``register`` (register extract
checks), ``validate`` (one file, any kind), ``convert`` (real sources -> report inputs; the function is exported as
``convert_sources`` because ``convert`` names the module).

>>> from evaluering.sources import read_ssp, validate_file
>>> validate_file("missing.csv", "ssp").lines()
['missing.csv: file not found']
"""

from __future__ import annotations

import importlib

from .logs import (LOG_SCHEMAS, read_courses, read_events, read_log, read_meetings,
                   read_milestones, read_ssp)
from .schema import Column, Problems, Schema, read_raw, read_table

#: names imported on first use (name -> module)
_LAZY = {
    "validate_file": "evaluering.sources.validate",
    "guess_kind": "evaluering.sources.validate",
    "read_lbf": "evaluering.sources.lbf",
    "StatBankClient": "evaluering.sources.dst",
    "DstError": "evaluering.sources.dst",
    "read_bulk": "evaluering.sources.dst",
    "read_published_values": "evaluering.sources.tables",
    "read_cells": "evaluering.sources.tables",
    "convert_sources": ("evaluering.sources.convert", "convert"),
}

__all__ = [
    "read_ssp", "read_meetings", "read_courses", "read_events", "read_milestones", "read_log",
    "LOG_SCHEMAS", "Column", "Schema", "Problems", "read_raw", "read_table", *sorted(_LAZY),
]


def __getattr__(name: str):
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'evaluering.sources' has no attribute {name!r}")
    module, attr = target if isinstance(target, tuple) else (target, name)
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value
