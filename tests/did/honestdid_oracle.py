"""The ``honestdid`` 0.1.1 port (test-only oracle) loaded so that it runs under NumPy >= 2.4.

The port converts 1x1 matrix products with ``float(...)``, which NumPy 2.4 refuses for arrays
with ``ndim > 0``. The module source is loaded unchanged except that the builtin ``float(x)``
calls go through a helper taking the single element; ``dtype=float`` is untouched. Returns
``None`` when the package is not installed.
"""

from __future__ import annotations

import builtins
import importlib.util
import re
import types

import numpy as np


def _scalar(x=0.0):
    if isinstance(x, (str, bytes)):
        return builtins.float(x)
    return builtins.float(np.asarray(x, dtype=builtins.float).reshape(-1)[0])


def load():
    spec = importlib.util.find_spec("honestdid.core")
    if spec is None or spec.origin is None:
        return None
    src = open(spec.origin, encoding="utf-8").read()
    src = re.sub(r"(?<![\w.])float\(", "_scalar(", src)
    mod = types.ModuleType("honestdid_core_np24")
    mod.__dict__["_scalar"] = _scalar
    exec(compile(src, spec.origin, "exec"), mod.__dict__)
    return mod
