"""Secondary (complementary) suppression on a system of linked cells.

A table is modelled as cells ``x_i >= 0`` tied by additive relations
``x_parent = sum(x_children)`` (row and column totals, estate -> plan_part -> plan, the sex
split). A published cell is known to an attacker; a suppressed cell is an unknown. The
attacker's best knowledge of a suppressed cell is its *feasible interval*: the minimum and
maximum of ``x_i`` over all non-negative solutions of the relations with the published cells
fixed (two linear programs, :func:`feasible_interval`).

The protection rule: every sensitive cell (primary suppressed, ``0 < x < threshold``) must have a
feasible interval at least ``protection`` wide (default: the threshold). Since the interval
starts at or above 0, its upper end is then at least ``protection``: the attacker cannot even
tell that the cell is small.

The method (:func:`protect`), per connected block of relations:

1. *Singleton rule*: a relation with exactly one suppressed cell gives that cell away, so
   suppress one more cell of the relation, the cheapest: a leaf before a total, a cell of at
   least ``protection`` before a smaller one (a suppressed 0 or 1 gives little room), then
   the smallest value.
2. *LP check*: compute the feasible interval of every sensitive cell with
   :func:`scipy.optimize.linprog` (HiGHS). For the first one that is too narrow, try the
   cheapest published cells of relations that hold a suppressed cell, and suppress the first
   that makes it wide enough (else the one that widens it most). Go to 1.
3. *Release*: a complementary cell whose interval has width 0 is determined by what is
   published anyway; publishing it reveals nothing new, so it is released (shown). Hence
   no suppressed cell can be pinned to one value.

The bounds are those of the LP relaxation. For two-way tables with totals and for hierarchies
the constraint matrix is totally unimodular, so the bounds are integers and equal the bounds an
attacker gets with integer programming.

>>> s = LinkedCells()
>>> a, b, t = s.add(2), s.add(9), s.add(11)
>>> s.relate(t, [a, b])
>>> res = protect(s, np.array([True, False, False]), protection=3)
>>> res.suppressed.tolist(), res.secondary.tolist()
([True, True, False], [False, True, False])
>>> # a + b = 11 is published, but b has 9 of room: a lies anywhere in [0, 11]
>>> feasible_interval(s, 0, res.suppressed)
(0.0, 11.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["LinkedCells", "Protection", "protect", "feasible_interval", "components"]

_TOL = 1e-7


@dataclass
class LinkedCells:
    """Cells and the additive relations between them.

    ``hidden`` cells are never published (an unshown remainder such as the estates a table
    leaves out); ``forced`` cells are known to everyone and never suppressed; ``upper`` is an
    upper bound the attacker knows (a numerator is at most its published denominator).
    """

    values: list[float] = field(default_factory=list)
    hidden: list[bool] = field(default_factory=list)
    forced: list[bool] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    relations: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)

    def add(self, value, *, hidden: bool = False, forced: bool = False, upper: float = math.inf) -> int:
        """Add a cell; returns its index."""
        v = float(value) if value is not None and not _isnan(value) else math.nan
        if not math.isnan(v) and float(upper) < v:  # inconsistent knowledge (a count above its base)
            upper = math.inf
        self.values.append(v)
        self.hidden.append(bool(hidden or math.isnan(v)))
        self.forced.append(bool(forced))
        self.upper.append(float(upper))
        return len(self.values) - 1

    def relate(self, parent: int, children) -> None:
        """Add the relation ``x[parent] = sum(x[children])``."""
        self.relations.append((int(parent), tuple(int(c) for c in children)))

    def relate_sum(self, parent: int, children, *, incomplete: bool = False) -> int | None:
        """Relate a total to the cells present of its parts, adding a remainder when needed.

        When parts are missing (``incomplete``) or the parts do not add up, the difference is
        a cell of its own: a hidden remainder if it is >= 0 (returned, so the caller can mark it
        sensitive when it is small), or a known constant when the
        parts add up to more than the total (persons counted in two parts; assuming the
        attacker knows the overlap is the safe side). Returns the remainder index or None.
        """
        children = list(children)
        vals = [self.values[i] for i in [parent, *children]]
        rem = None
        if not any(math.isnan(v) for v in vals):
            diff = vals[0] - sum(vals[1:])
            if diff < -_TOL:
                rem = self.add(diff, forced=True)
            elif incomplete or diff > _TOL:
                rem = self.add(diff, hidden=True)
        elif incomplete:
            rem = self.add(math.nan, hidden=True)
        self.relate(parent, children + ([rem] if rem is not None else []))
        return rem

    def __len__(self) -> int:
        return len(self.values)


@dataclass(frozen=True)
class Protection:
    """The outcome of :func:`protect` (boolean arrays over the cells)."""

    suppressed: np.ndarray
    secondary: np.ndarray
    unprotected: tuple[int, ...] = ()


def _isnan(x) -> bool:
    try:
        return bool(np.isnan(float(x)))
    except (TypeError, ValueError):
        return True


def components(system: LinkedCells) -> list[list[int]]:
    """Connected blocks of cells (cells linked through relations), each a sorted index list."""
    parent = list(range(len(system)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for p, ch in system.relations:
        for c in ch:
            a, b = find(p), find(c)
            if a != b:
                parent[a] = b
    groups: dict[int, list[int]] = {}
    for i in range(len(system)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


class _Block:
    """One connected block with dense matrices for fast repeated LPs."""

    def __init__(self, system: LinkedCells, idx: list[int], rels: list | None = None):
        self.idx = np.array(idx)
        pos = {g: k for k, g in enumerate(idx)}
        if rels is None:
            rels = [(p, ch) for p, ch in system.relations if p in pos]
        self.rels = [(pos[p], tuple(pos[c] for c in ch)) for p, ch in rels]
        self.A = np.zeros((len(self.rels), len(idx)))
        for r, (p, ch) in enumerate(self.rels):
            self.A[r, p] += 1.0
            for c in ch:
                self.A[r, c] -= 1.0
        self.values = np.array([system.values[g] for g in idx])
        self.upper = np.array([system.upper[g] for g in idx])
        self.forced = np.array([system.forced[g] for g in idx])
        self.is_parent = np.zeros(len(idx), bool)
        for p, _ in self.rels:
            self.is_parent[p] = True

    def interval(self, j: int, unknown: np.ndarray) -> tuple[float, float]:
        from scipy.optimize import linprog

        if not unknown[j]:
            return float(self.values[j]), float(self.values[j])
        u = np.flatnonzero(unknown)
        k = int(np.searchsorted(u, j))
        A_u = self.A[:, u]
        known = ~unknown
        b = -self.A[:, known] @ np.nan_to_num(self.values[known])
        rows = np.any(A_u != 0, axis=1)
        A_u, b = A_u[rows], b[rows]
        lo_b = np.where(self.forced[u], self.values[u], 0.0)
        hi_b = np.where(self.forced[u], self.values[u], self.upper[u])
        bounds = [(float(lo), None if math.isinf(hi) else float(hi)) for lo, hi in zip(lo_b, hi_b)]
        if A_u.shape[0] == 0:
            return float(lo_b[k]), float(hi_b[k])
        out = []
        for sign in (1.0, -1.0):
            c = np.zeros(len(u))
            c[k] = sign
            res = linprog(c, A_eq=A_u, b_eq=b, bounds=bounds, method="highs")
            if res.status == 3:
                out.append(-sign * math.inf)
            elif res.status != 0:  # infeasible: the published figures contradict each other
                raise ValueError(f"disclosure LP failed: {res.message}")
            else:
                out.append(sign * res.fun)
        return float(out[0]), float(out[1])


def _width_lp(block: "_Block", j: int, unknown: np.ndarray) -> float:
    """``max x_j - min x_j`` in one LP: maximise ``x_j - y_j`` over two feasible copies."""
    from scipy.optimize import linprog

    if not unknown[j]:
        return 0.0
    u = np.flatnonzero(unknown)
    k = int(np.searchsorted(u, j))
    A_u = block.A[:, u]
    known = ~unknown
    b = -block.A[:, known] @ np.nan_to_num(block.values[known])
    rows = np.any(A_u != 0, axis=1)
    A_u, b = A_u[rows], b[rows]
    lo_b = np.where(block.forced[u], block.values[u], 0.0)
    hi_b = np.where(block.forced[u], block.values[u], block.upper[u])
    if A_u.shape[0] == 0:
        return float(hi_b[k] - lo_b[k])
    m = len(u)
    A2 = np.zeros((2 * A_u.shape[0], 2 * m))
    A2[: A_u.shape[0], :m] = A_u
    A2[A_u.shape[0]:, m:] = A_u
    b2 = np.concatenate([b, b])
    bounds = [(float(lo), None if math.isinf(hi) else float(hi)) for lo, hi in zip(lo_b, hi_b)] * 2
    c = np.zeros(2 * m)
    c[k], c[m + k] = -1.0, 1.0
    res = linprog(c, A_eq=A2, b_eq=b2, bounds=bounds, method="highs")
    if res.status == 3:
        return math.inf
    if res.status != 0:
        raise ValueError(f"disclosure LP failed: {res.message}")
    return float(-res.fun)


def feasible_interval(system: LinkedCells, cell: int, suppressed) -> tuple[float, float]:
    """The attacker's interval ``(min, max)`` of ``cell`` given which cells are suppressed.

    ``suppressed`` is a boolean array over all cells (hidden cells count as suppressed).
    """
    suppressed = np.asarray(suppressed, bool) | np.array(system.hidden, bool)
    for comp in components(system):
        if cell in comp:
            block = _Block(system, comp)
            return block.interval(comp.index(cell), suppressed[comp])
    raise IndexError(cell)


def protect(system: LinkedCells, sensitive, protection: float = 3.0,
            max_candidates: int = 12, progress: bool | None = None, keep=None) -> Protection:
    """Choose complementary suppressions so every sensitive cell keeps a wide interval.

    ``sensitive`` is a boolean array (primary cells and sensitive hidden remainders). Returns
    a :class:`Protection` whose ``suppressed`` covers primary and secondary cells (not the
    hidden ones) and ``unprotected`` lists sensitive cells no pattern could protect.
    ``progress``: a tqdm bar over the blocks (None: only on a terminal). ``keep``: cells that
    stay suppressed whatever the pattern (an earlier release suppressed them); they are never
    shown again, even when the published figures would determine them.
    """
    from tqdm import tqdm

    n = len(system)
    sensitive = np.asarray(sensitive, bool)
    hidden = np.array(system.hidden, bool) if n else np.zeros(0, bool)
    keep = np.zeros(n, bool) if keep is None else np.asarray(keep, bool)
    unknown_all = sensitive | hidden | keep
    secondary_all = keep & ~sensitive
    unprotected: list[int] = []
    comps = components(system)
    comp_of = np.empty(n, int)
    for k, comp in enumerate(comps):
        comp_of[comp] = k
    rels_of: list[list] = [[] for _ in comps]
    for rel in system.relations:
        rels_of[comp_of[rel[0]]].append(rel)
    work = [k for k, comp in enumerate(comps) if len(comp) > 1 and (sensitive[comp].any() or keep[comp].any())]
    for k in tqdm(work, desc="diskretionering", unit="blok", leave=False,
                  disable=(not progress) if progress is not None else None):
        comp = comps[k]
        comp_sens = sensitive[comp]
        if len(comp) == 1:
            continue
        block = _Block(system, comp, rels_of[k])
        U = unknown_all[comp].copy()
        sec = np.zeros(len(comp), bool)
        kept = keep[comp]
        sens = np.flatnonzero(comp_sens)
        forced = block.forced

        def key(i):
            v = block.values[i]
            return (bool(block.is_parent[i]), bool(v < protection), float(v), int(i))

        passed: set[int] = set()  # more suppression only widens intervals: a pass stays a pass
        while True:
            _singletons(block, U, sec, comp_sens | kept, forced, key)
            failing = None
            for j in sens:
                if j in passed:
                    continue
                w = _width_lp(block, j, U)
                if w < protection - _TOL:
                    failing, width = j, w
                    break
                passed.add(j)
            if failing is None:
                break
            cands = sorted({m for p, ch in block.rels for m in (p, *ch)
                            if not U[m] and not forced[m] and any(U[x] for x in (p, *ch))}, key=key)
            if not cands:  # nothing left to suppress in this block: report, check the rest
                unprotected.append(int(block.idx[failing]))
                passed.add(failing)
                continue
            best, best_w = None, width
            for c in cands[:max_candidates]:
                U[c] = True
                w = _width_lp(block, failing, U)
                U[c] = False
                if w >= protection - _TOL:
                    best = c
                    break
                if w > best_w + _TOL:
                    best, best_w = c, w
            if best is None:
                best = cands[0]
            U[best] = True
            sec[best] = True
        # release complementary cells that the published figures determine anyway
        pinned = []
        for s in np.flatnonzero(sec & ~kept):
            if _width_lp(block, s, U) < _TOL:
                pinned.append(s)
        for s in pinned:
            sec[s] = False
        U[pinned] = False
        unknown_all[comp] = U
        secondary_all[comp] = sec | (kept & ~comp_sens)
    suppressed = unknown_all & ~hidden
    return Protection(suppressed=suppressed, secondary=secondary_all & suppressed,
                      unprotected=tuple(unprotected))


def _singletons(block: _Block, U, sec, sens, forced, key) -> None:
    changed = True
    while changed:
        changed = False
        for p, ch in block.rels:
            members = (p, *ch)
            unk = [m for m in members if U[m]]
            if len(unk) != 1 or not (sens[unk[0]] or sec[unk[0]]):
                continue
            cands = [m for m in members if not U[m] and not forced[m]]
            if cands:
                c = min(cands, key=key)
                U[c] = True
                sec[c] = True
                changed = True
