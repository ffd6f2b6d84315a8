"""An independent attacker for the tests: solve the published margins by linear programming.

It knows only what a reader of the output knows: the published values and how the table
adds up (the equations), plus that counts are >= 0. For every suppressed cell it computes the
minimum and maximum the equations allow (scipy.optimize.linprog, HiGHS). It shares no code
with evaluering.disclosure.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import linprog


def intervals(published: dict, equations: list[tuple[dict, float]], extra_unknowns=()) -> dict:
    """``published``: cell -> value or None (suppressed); ``equations``: ({cell: coef}, rhs)
    meaning ``sum(coef * x[cell]) = rhs``; cells not in ``published`` (``extra_unknowns``,
    e.g. an unshown remainder) are unknowns >= 0. Returns suppressed cell -> (lo, hi)."""
    unknown = [c for c, v in published.items() if v is None] + list(extra_unknowns)
    pos = {c: i for i, c in enumerate(unknown)}
    rows, rhs = [], []
    for coefs, b in equations:
        row = np.zeros(len(unknown))
        known = 0.0
        for c, a in coefs.items():
            if c in pos:
                row[pos[c]] += a
            else:
                known += a * published[c]
        if np.any(row != 0):
            rows.append(row)
            rhs.append(b - known)
        else:
            assert abs(b - known) < 1e-9, "published figures contradict the equations"
    out = {}
    for c in unknown:
        if c in extra_unknowns:
            continue
        if not rows:
            out[c] = (0.0, math.inf)
            continue
        res = []
        for sign in (1, -1):
            obj = np.zeros(len(unknown))
            obj[pos[c]] = sign
            r = linprog(obj, A_eq=np.array(rows), b_eq=np.array(rhs), bounds=[(0, None)] * len(unknown),
                        method="highs")
            assert r.status in (0, 3), r.message
            res.append(-sign * math.inf if r.status == 3 else sign * r.fun)
        out[c] = (res[0], res[1])
    return out
