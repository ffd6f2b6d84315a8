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


class LinearAttacker:
    """A linear program over named unknowns >= 0: equations, inequalities, then the feasible
    interval of any linear expression (scipy linprog, HiGHS).

    >>> a = LinearAttacker(); a.var("x"); a.var("y")
    >>> a.eq({"x": 1, "y": 1}, 5); a.le({"x": 1}, 2)
    >>> a.interval({"y": 1})
    (3.0, 5.0)
    """

    def __init__(self):
        self.names: dict = {}
        self.A_eq, self.b_eq, self.A_ub, self.b_ub = [], [], [], []

    def var(self, name) -> None:
        self.names.setdefault(name, len(self.names))

    def _row(self, expr: dict) -> np.ndarray:
        for k in expr:
            self.var(k)
        return expr

    def eq(self, expr: dict, rhs: float) -> None:
        self.A_eq.append(self._row(expr))
        self.b_eq.append(float(rhs))

    def le(self, expr: dict, rhs: float) -> None:
        self.A_ub.append(self._row(expr))
        self.b_ub.append(float(rhs))

    def between(self, expr: dict, lo: float, hi: float) -> None:
        self.le(expr, hi)
        self.le({k: -v for k, v in expr.items()}, -lo)

    def _matrix(self, rows) -> np.ndarray | None:
        if not rows:
            return None
        m = np.zeros((len(rows), len(self.names)))
        for i, r in enumerate(rows):
            for k, v in r.items():
                m[i, self.names[k]] += v
        return m

    def interval(self, expr: dict) -> tuple[float, float]:
        for k in expr:
            self.var(k)
        A_eq, A_ub = self._matrix(self.A_eq), self._matrix(self.A_ub)
        out = []
        for sign in (1.0, -1.0):
            c = np.zeros(len(self.names))
            for k, v in expr.items():
                c[self.names[k]] += sign * v
            r = linprog(c, A_eq=A_eq, b_eq=np.array(self.b_eq) if A_eq is not None else None,
                        A_ub=A_ub, b_ub=np.array(self.b_ub) if A_ub is not None else None,
                        bounds=[(0, None)] * len(self.names), method="highs")
            assert r.status in (0, 3), r.message
            out.append(-sign * math.inf if r.status == 3 else sign * r.fun)
        return float(out[0]), float(out[1])
