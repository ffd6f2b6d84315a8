"""Danish number formatting for reports: decimal comma, thousands point.

>>> number(4.2, 1)
'4,2'
>>> number(1107000)
'1.107.000'
>>> pct(4.2)
'4,2 %'
>>> kr(1107000)
'1.107.000 kr.'
>>> number(float("nan"))
'–'
"""

from __future__ import annotations

import math

__all__ = ["number", "pct", "kr", "per1000", "signed", "MISSING"]

#: what a missing (not suppressed) value prints as
MISSING = "–"


def _is_missing(x) -> bool:
    if x is None:
        return True
    try:
        return bool(math.isnan(x))
    except TypeError:
        try:
            import pandas as pd
            return bool(pd.isna(x))
        except Exception:
            return False


def number(x, decimals: int = 0, missing: str = MISSING) -> str:
    """``x`` with Danish separators and ``decimals`` decimals (half away from zero)."""
    if _is_missing(x):
        return missing
    x = float(x)
    q = 10 ** decimals
    rounded = math.floor(abs(x) * q + 0.5 + 1e-9) / q
    sign = "-" if x < 0 and rounded != 0 else ""
    whole = int(rounded)
    text = f"{whole:,}".replace(",", ".")
    if decimals > 0:
        frac = f"{rounded - whole:.{decimals}f}"[2:]
        text += "," + frac
    return sign + text


def signed(x, decimals: int = 1, missing: str = MISSING) -> str:
    """Like :func:`number` with an explicit sign: ``'+1,5'``, ``'-0,3'``."""
    if _is_missing(x):
        return missing
    s = number(x, decimals)
    return s if s.startswith("-") else "+" + s


def pct(x, decimals: int = 1, missing: str = MISSING) -> str:
    """A percentage already on the 0-100 scale: ``pct(4.2) == '4,2 %'``."""
    return missing if _is_missing(x) else f"{number(x, decimals)} %"


def per1000(x, decimals: int = 1, missing: str = MISSING) -> str:
    """A rate per 1.000: ``'65,1 pr. 1.000'``."""
    return missing if _is_missing(x) else f"{number(x, decimals)} pr. 1.000"


def kr(x, decimals: int = 0, missing: str = MISSING) -> str:
    """An amount in kroner: ``'1.107.000 kr.'``."""
    return missing if _is_missing(x) else f"{number(x, decimals)} kr."
