"""Lazy exports for the package and its subpackages: a name is imported on first use.

>>> g = {"__name__": "evaluering.demo"}
>>> getattr_, dir_ = lazy_exports("evaluering.demo", {"number": "evaluering.fmt"}, g)
>>> getattr_("number")(1107000)
'1.107.000'
"""

from __future__ import annotations

import importlib
from typing import Callable

__all__ = ["lazy_exports"]


def lazy_exports(package: str, names: dict[str, str], namespace: dict) -> tuple[Callable, Callable]:
    """Return ``(__getattr__, __dir__)`` for a module whose public ``names`` map to the module
    defining them: a dotted path, or a submodule name relative to ``package``."""

    def __getattr__(name: str):
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        target = module if "." in module else f"{package}.{module}"
        value = getattr(importlib.import_module(target), name)
        namespace[name] = value
        return value

    def __dir__():
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__
