"""Lookup-mask profile: the bit profile of a person-year from a few list look-ups.

The DuckDB engine gives each person-year a *profile*: one bit per population and per
counted numerator of a :class:`~evaluering.cells.measures.MeasurePlan`
(:meth:`MeasurePlan.sql_profile`, whose bit numbering is used here). Evaluating those ~25
conditions per row was most of the person-year pass. Here
each condition is split into its ``and``-ed terms, each reading one value (age, a code, a
yes/no value, a number, an event value). Each value is replaced by a small *class* index
that decides every comparison the terms make with it: a code by its position among the
canonical codes, a yes/no value by missing/false/true, a number by where it lies among the
constants it is compared with (missing, below the first, equal to it, between the first and
the second, ...). Per value a look-up list gives, for each class, the *mask* of the bits
whose terms on that value hold (bits not reading the value are set); the profile is the
bitwise AND of one look-up per value. The lists are built by evaluating the declared terms
with pandas (:func:`~evaluering.cells.measures.eval_pandas`, as the reference engine does)
on one representative value per class.

:func:`lookup_masks` returns ``None`` when a term reads two values or a number other than
in a comparison with a constant or ``known()`` (arithmetic, a comparison of two columns);
the engine then evaluates the conditions per row (:meth:`MeasurePlan.sql_profile`).

The masks also give every profile a row can have (:func:`achievable_profiles`: a few
hundred or thousand). The engine joins each row's profile to its counters packed into a
few BIGINT words (:class:`Packing`) and sums those per (estate, municipality, year, sex),
instead of grouping by the profile too (a hash table of ~30 times more groups).

>>> from evaluering.cells.measures import measure_plan
>>> plan = measure_plan(only=("sigtede",))
>>> sql, bits, _ = plan.sql_profile()
>>> bits
{'pop_0': 0, 'n_sigtede': 1}
>>> value_classes("n_sigtelse", ["n_sigtelse > 0"])         # missing, < 0, 0, > 0
('CASE WHEN n_sigtelse IS NULL THEN 0 WHEN n_sigtelse < 0 THEN 1 WHEN n_sigtelse = 0 THEN 2 ELSE 3 END', [None, -1, 0, 1])
>>> print(profile_sql(*lookup_masks(plan, bits))[:60])
CAST(([0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,3,3,3,3,3,3,3,3,3,3,3,3
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import pandas as pd

from .measures import REGISTER_COLUMNS, MeasurePlan, _as_bool, code_aliases, eval_pandas

__all__ = ["profile_sql", "lookup_masks", "value_classes", "conditions", "achievable_profiles", "Packing"]

_NOT_VALUES = ("true", "false", "known", "max0")
MAX_PROFILES = 100_000   # beyond, the engine groups by the profile instead of packing it
_AGES = range(0, 131)     # see check_person_rows: any other age is an input error


def _names(expr: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(expr, mode="eval"))
            if isinstance(n, ast.Name) and n.id not in _NOT_VALUES}


def _kind(name: str) -> str:
    """code, bool or number (age, the event values and the numeric register columns)."""
    kind = REGISTER_COLUMNS.get(name, "number")
    return "number" if kind == "int" else kind


def _constants(exprs: list[str], name: str) -> list | None:
    """The constants a numeric value is compared with, or None when it is used otherwise."""
    found, used = set(), 0
    for expr in exprs:
        tree = ast.parse(expr, mode="eval")
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare):
                operands = [node.left, *node.comparators]
                for a, b in zip(operands, operands[1:]):
                    for x, y in ((a, b), (b, a)):
                        if isinstance(x, ast.Name) and x.id == name:
                            if not (isinstance(y, ast.Constant) and isinstance(y.value, (int, float))
                                    and not isinstance(y.value, bool)):
                                return None
                            found.add(y.value)
                            used += 1
            elif isinstance(node, ast.Call) and node.func.id == "known":
                if isinstance(node.args[0], ast.Name) and node.args[0].id == name:
                    used += 1
        total = sum(1 for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name)
        if total > used:
            return None
        used = 0
    return sorted(found)


def value_classes(name: str, exprs: list[str]) -> tuple[str, list] | None:
    """``(index_sql, representatives)`` for one value read by ``exprs``, or None.

    ``index_sql`` gives 0 for a missing value (age: the age itself); ``representatives[k]``
    is a value of class k.

    >>> value_classes("grade9_dansk", ["grade9_dansk >= 2 and grade9_dansk <= 7"])[1]
    [None, 1, 2, 4.5, 7, 8]
    """
    kind = _kind(name)
    if name == "age":     # a whole number 0-130 (the engines reject other ages): indexed as is
        return "age", list(_AGES)
    if kind == "code":
        codes = sorted(set(code_aliases(name).values()))
        items = ", ".join("'" + c.replace("'", "''") + "'" for c in codes)
        return f"coalesce(list_position([{items}], {name}), 0)", [None, *codes]
    if kind == "bool":
        return f"CASE WHEN {name} THEN 2 WHEN NOT {name} THEN 1 ELSE 0 END", [None, False, True]
    consts = _constants(exprs, name)
    if consts is None:
        return None
    whens, reps = [f"WHEN {name} IS NULL THEN 0"], [None]
    for i, c in enumerate(consts):
        below = c - 1 if i == 0 else (consts[i - 1] + c) / 2
        whens += [f"WHEN {name} < {c!r} THEN {len(reps)}", f"WHEN {name} = {c!r} THEN {len(reps) + 1}"]
        reps += [below, c]
    reps.append(consts[-1] + 1 if consts else 0)
    return f"CASE {' '.join(whens)} ELSE {len(reps) - 1} END", reps


def conditions(plan: MeasurePlan) -> dict[str, str]:
    """Base column -> the condition of its bit (populations; count numerators within theirs)."""
    out = dict(plan.populations())
    for m in plan.counted:
        if m.kind == "count":
            out[f"n_{m.id}"] = f"({plan.expand(m.population_expr())}) and ({plan.numerator_expr(m)})"
    return out


def _terms(expr: str) -> list[str]:
    """The ``and``-ed terms of ``expr`` (as expressions)."""
    node = ast.parse(expr, mode="eval").body
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        return [t for v in node.values for t in _terms(ast.unparse(v))]
    return [ast.unparse(node)]


def _frame(name: str, values: list) -> pd.DataFrame:
    """The representative values of one name, with the pandas dtype the engines use."""
    dtype = {"code": "string", "bool": "boolean"}.get(_kind(name), "Float64")
    return pd.DataFrame({name: pd.Series(values, dtype=dtype)})


def _holds(terms: list[str]) -> bool:
    """Constant terms (no values read) all true."""
    return all(bool(eval_pandas(t, pd.DataFrame(index=pd.RangeIndex(1)))) for t in terms)


def lookup_masks(plan: MeasurePlan, bits: dict[str, int]) -> tuple[int, list[tuple[str, list[int]]]] | None:
    """``(constant, [(index_sql, masks), ...])``: the profile of a row is ``constant`` AND,
    per value read, ``masks[index]``; or None when a condition does not split into
    single-value terms."""
    by_value: dict[str | None, dict[str, list[str]]] = {}
    for col, expr in conditions(plan).items():
        for term in _terms(expr):
            names = _names(term)
            if len(names) > 1:
                return None
            by_value.setdefault(next(iter(names), None), {}).setdefault(col, []).append(term)
    everything = sum(1 << b for b in bits.values())
    const = everything & ~sum(1 << bits[c] for c, t in by_value.pop(None, {}).items() if not _holds(t))
    exprs = [t for terms in by_value.values() for ts in terms.values() for t in ts]
    out = []
    for name, terms in sorted(by_value.items()):
        classes = value_classes(name, exprs)
        if classes is None:
            return None
        index_sql, reps = classes
        frame = _frame(name, reps)
        masks = [everything] * len(reps)
        for col, ts in terms.items():
            ok = _as_bool(eval_pandas(" and ".join(f"({t})" for t in ts), frame), len(frame))
            masks = [m if o else m & ~(1 << bits[col]) for m, o in zip(masks, ok)]
        out.append((index_sql, masks))
    return const, out


def profile_sql(const: int, lookups: list[tuple[str, list[int]]]) -> str:
    """The profile expression of :func:`lookup_masks`' result: an AND of list look-ups."""
    parts = [f"([{','.join(str(m & const) for m in masks)}])[({index_sql}) + 1]" for index_sql, masks in lookups]
    return f"CAST({' & '.join(parts) or const} AS BIGINT)"


def achievable_profiles(const: int, lookups: list[tuple[str, list[int]]], limit: int = MAX_PROFILES) -> list[int] | None:
    """Every profile a row can have (sorted), or None when there are more than ``limit``.

    >>> achievable_profiles(0b111, [("a", [0b011, 0b111]), ("b", [0b101, 0b101])])
    [1, 5]
    """
    found = {const}
    for _, masks in lookups:
        found = {p & m for p in found for m in set(masks)}
        if len(found) > limit:
            return None
    return sorted(found)


@dataclass(frozen=True)
class Packing:
    """Base columns packed as ``width``-bit counters into BIGINT words, so that one sum per
    word per group counts them all (a counter never exceeds the number of rows, so no
    counter carries into the next).

    >>> bits = {"pop_0": 0, "n_a": 1, "n_b": 2}
    >>> pk = Packing.of(bits, rows=1000)
    >>> pk.width, pk.slots
    (10, {'pop_0': (0, 0), 'n_a': (0, 10), 'n_b': (0, 20)})
    >>> pk.words([0b101], bits)
    [[1048577]]
    """

    width: int
    slots: dict[str, tuple[int, int]]     # column -> (word, shift)

    @classmethod
    def of(cls, bits: dict[str, int], rows: int) -> "Packing":
        width = max(1, int(rows).bit_length())
        per_word = 62 // width + 1          # shifts 0, width, ... up to bit 62 (BIGINT, >= 0)
        slots = {c: (i // per_word, (i % per_word) * width) for i, c in enumerate(sorted(bits, key=bits.get))}
        return cls(width=width, slots=slots)

    @property
    def n_words(self) -> int:
        return 1 + max((w for w, _ in self.slots.values()), default=-1)

    def words(self, profiles: list[int], bits: dict[str, int]) -> list[list[int]]:
        """Per profile (bits numbered by ``bits``), the word values: each set bit's counter is one."""
        out = []
        for p in profiles:
            row = [0] * self.n_words
            for col, b in bits.items():
                if p >> b & 1:
                    word, shift = self.slots[col]
                    row[word] |= 1 << shift
            out.append(row)
        return out

    def sql_unpack(self, word: str = "w_{}") -> list[str]:
        """``expr AS column`` items reading each counter from the summed words."""
        mask = (1 << self.width) - 1
        return [f"CAST((sum({word.format(w)}) >> {s}) & {mask} AS BIGINT) AS {c}" for c, (w, s) in self.slots.items()]
