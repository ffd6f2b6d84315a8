"""Controlled rounding: counts to multiples of a base with published totals that stay additive.

Conventional rounding rounds each figure on its own, so a total need not equal the sum of its
rounded parts (and the difference tells an attacker something). Here every published count is
rounded to one of the two multiples of ``base`` next to it (an exact multiple stays), and a
total whose parts are all published is the sum of its rounded parts:

1. Relations whose parts are all published are processed from the bottom up (a total after
   its parts). The parts of a relation not rounded yet are rounded *together*: each down to a
   multiple of ``base``, then as many of them up as needed for the sum to be the multiple next
   to the true sum (largest remainders first, ties by position), so the total moves at most
   one base.
2. A total is the sum of its rounded parts; a count in no such relation is rounded to the
   nearest multiple (halves up).

With ``base >= threshold`` no published count lies strictly between 0 and the threshold.
Forced cells (figures already published elsewhere, e.g. printed in a source document) keep
their value. Totals of parts that are themselves totals can move more than one base (the sum of
their parts' moves); the rates next to them are computed from the rounded counts.

>>> from evaluering.disclosure.secondary import LinkedCells
>>> s = LinkedCells()
>>> a, b, c, t = s.add(2), s.add(4), s.add(7), s.add(13)
>>> s.relate(t, [a, b, c])
>>> controlled_round(s, 3).tolist()
[3.0, 3.0, 6.0, 12.0]
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["controlled_round", "round_group"]


def round_group(values, base: int) -> list[float]:
    """Round ``values`` to adjacent multiples of ``base`` so that their sum is the multiple of
    ``base`` nearest to the true sum (halves up).

    >>> round_group([1, 1, 1, 1], 3)
    [3.0, 0.0, 0.0, 0.0]
    >>> round_group([2, 4, 7], 3)
    [3.0, 3.0, 6.0]
    """
    v = np.asarray(values, dtype=float)
    down = np.floor(v / base) * base
    rem = v - down
    target = math.floor(v.sum() / base + 0.5) * base
    ups = int(round((target - down.sum()) / base))
    order = sorted(range(len(v)), key=lambda i: (-rem[i], i))
    out = down.copy()
    for i in order[:max(0, ups)]:
        if rem[i] > 0:
            out[i] += base
    return out.tolist()


def controlled_round(system, base: int) -> np.ndarray:
    """Rounded values of every cell of a :class:`~evaluering.disclosure.secondary.LinkedCells`
    (hidden cells: NaN). See the module docstring."""
    base = int(base)
    if base < 1:
        raise ValueError("base must be >= 1")
    vals = np.array(system.values, dtype=float)
    hidden = np.array(system.hidden, bool)
    forced = np.array(system.forced, bool)
    n = len(vals)
    out = np.full(n, np.nan)
    out[forced] = vals[forced]
    rels = [(p, ch) for p, ch in system.relations
            if not hidden[p] and ch and not any(hidden[c] or math.isnan(vals[c]) for c in ch)]
    parent_of_rel = {}
    for k, (p, _) in enumerate(rels):
        parent_of_rel.setdefault(p, []).append(k)
    done = [False] * len(rels)
    progress = True
    while progress and not all(done):
        progress = False
        for k, (p, ch) in enumerate(rels):
            if done[k]:
                continue
            # ready when no part is the total of a relation still open
            if any(not done[j] for c in ch for j in parent_of_rel.get(c, [])):
                continue
            free = [c for c in ch if math.isnan(out[c])]
            if free:
                r = round_group([vals[c] for c in free], base)
                for c, x in zip(free, r):
                    out[c] = x
            if math.isnan(out[p]):
                out[p] = float(sum(out[c] for c in ch))
            done[k] = True
            progress = True
    rest = np.isnan(out) & ~hidden & ~np.isnan(vals)
    out[rest] = np.floor(vals[rest] / base + 0.5) * base
    return out
