"""Rounding as the alternative to suppression: counts to the nearest multiple of a base.

With a base at least the threshold, no published count lies between 0 and the threshold:
1 and 2 become 0 or 3 (base 3). Each figure, totals included, is rounded on its own
(conventional rounding, not controlled rounding), so totals need not equal the sum of their
rounded parts; the report says "Antal er afrundet til nærmeste 3".

>>> round_counts([0, 1, 2, 4, 5, 24], base=3)
[0, 0, 3, 3, 6, 24]
>>> round_counts([1, 2, 3, 7, 8], base=5)
[0, 0, 5, 5, 10]
"""

from __future__ import annotations

import math

__all__ = ["round_counts", "round_count"]


def round_count(x, base: int):
    """One count to the nearest multiple of ``base`` (halves round up); missing stays missing."""
    if x is None:
        return None
    try:
        if math.isnan(float(x)):
            return None
    except TypeError:
        return None
    return int(math.floor(float(x) / base + 0.5)) * base


def round_counts(values, base: int = 3) -> list:
    """Round every count in ``values`` to the nearest multiple of ``base``."""
    if int(base) < 1:
        raise ValueError("base must be >= 1")
    return [round_count(v, int(base)) for v in values]
