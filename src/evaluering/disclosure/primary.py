"""Primary suppression: counts of 1 to ``threshold - 1`` and everything computed from them.

A count of 0 identifies nobody and is shown; a count below the threshold (default 3, the
rule of Danmarks Statistik) is suppressed, and so is every rate or share computed from it.

>>> import pandas as pd
>>> primary_mask(pd.Series([0, 1, 2, 3, None]), threshold=3).tolist()
[False, True, True, False, False]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import EvalueringError

__all__ = ["primary_mask", "check_threshold"]


def check_threshold(threshold) -> int:
    """Return the threshold as an int >= 1, or raise :class:`EvalueringError`.

    >>> check_threshold(5)
    5
    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or threshold < 1:
        raise EvalueringError(f"the disclosure threshold must be a whole number >= 1, got {threshold!r}")
    return int(threshold)


def primary_mask(values, threshold: int = 3) -> pd.Series:
    """True where ``0 < value < threshold`` (missing values are not primary cells)."""
    threshold = check_threshold(threshold)
    v = pd.to_numeric(pd.Series(values), errors="coerce").astype("float64")
    return ((v > 0) & (v < threshold)).fillna(False).astype(bool)
