"""The cell measures of ``domain/measures.yaml``, compiled for the engines.

Each measure is declared once (age band, inputs, population, numerator). This module turns
the declarations into

* SQL aggregate expressions for DuckDB (:meth:`MeasurePlan.sql_aggregates`),
* pandas column expressions for the Dask partitions (:meth:`MeasurePlan.pandas_row_values`),

over the same normalised person-year columns, so that the engines compute the same *base*
table (one row per kind, area, year, sex: a numerator and a population column per measure)
and :mod:`evaluering.cells.rollup` makes identical cells from it. The reference engine
evaluates the same expressions with pandas, person row by person row.

>>> plan = measure_plan(available={"status"})
>>> plan.measures["uden_for_arbejde_uddannelse"].age_band
'18-64'
>>> "kun_grundskole" in plan.measures          # needs the education column
False
>>> compile_sql("grade9_dansk >= 2 and not known(income)")
'(coalesce((grade9_dansk >= 2), false) AND (NOT (income IS NOT NULL)))'
"""

from __future__ import annotations

import ast
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["Measure", "MeasurePlan", "measure_plan", "load_measures", "compile_sql", "eval_pandas",
           "MEASURES_FILE", "MUNICIPALITIES_FILE", "municipality_regions", "REGISTER_COLUMNS",
           "EVENT_VALUES", "region_names", "municipality_names"]

log = logging.getLogger(__name__)

DOMAIN = Path(__file__).resolve().parents[1] / "domain"
MEASURES_FILE = DOMAIN / "measures.yaml"
MUNICIPALITIES_FILE = DOMAIN / "municipalities.yaml"

#: optional person-year columns of the register (beyond person_id, year, estate_id,
#: municipality, birth_year/age, sex) and their kind
REGISTER_COLUMNS: dict[str, str] = {
    "status": "code", "education": "code", "origin": "code", "in_education": "bool", "dagtilbud": "bool",
    "income": "int", "grade9_dansk": "number", "grade9_matematik": "number",
}
#: per person-year values derived from the events
EVENT_VALUES = ("n_sigtelse", "n_afgoerelse", "youth_event", "n_dom")
_BASE_VALUES = ("age",)
_CODE_LIST = re.compile(r"@([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Measure:
    """One declared measure (see ``domain/measures.yaml``)."""

    id: str
    label: str
    age_band: str
    ages: tuple[int, int] | None
    inputs: tuple[str, ...]
    population: str | None
    kind: str                 # count | sum | moved_in | moved_out
    expr: str | None
    distribution: str = "binomial"

    @property
    def movers(self) -> bool:
        return self.kind in ("moved_in", "moved_out")

    def population_expr(self) -> str:
        """The denominator's condition as one expression (age band and population)."""
        parts = []
        if self.ages is not None:
            parts.append(f"age >= {self.ages[0]} and age <= {self.ages[1]}")
        if self.population:
            parts.append(f"({self.population})")
        return " and ".join(parts) or "true"


@dataclass
class MeasurePlan:
    """The measures the inputs support, with the base-table columns they need."""

    measures: dict[str, Measure]
    skipped: dict[str, tuple[str, ...]] = field(default_factory=dict)
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def counted(self) -> list[Measure]:
        """The measures aggregated from person rows (not the movers)."""
        return [m for m in self.measures.values() if not m.movers]

    @property
    def movers(self) -> list[Measure]:
        return [m for m in self.measures.values() if m.movers]

    def populations(self) -> dict[str, str]:
        """Population column name -> expression (identical populations share a column)."""
        out: dict[str, str] = {}
        for m in self.counted:
            expr = self.expand(m.population_expr())
            if expr not in out.values():
                out[f"pop_{len(out)}"] = expr
        return out

    def population_of(self, measure: str) -> str:
        expr = self.expand(self.measures[measure].population_expr())
        return next(k for k, v in self.populations().items() if v == expr)

    def expand(self, expr: str) -> str:
        """Replace ``@name`` code lists by literal lists."""
        def sub(m):
            name = m.group(1)
            if name not in self.codes:
                raise ValueError(f"unknown code list @{name} in domain/measures.yaml")
            return "[" + ", ".join(repr(c) for c in self.codes[name]) + "]"
        return _CODE_LIST.sub(sub, expr)

    def numerator_expr(self, m: Measure) -> str:
        return self.expand(m.expr)

    # ---- DuckDB -------------------------------------------------------------------------
    def sql_aggregates(self) -> list[str]:
        """``agg AS column`` items of the base GROUP BY (populations, then numerators)."""
        items = []
        pops = self.populations()
        for col, expr in pops.items():
            items.append(f"count(*) FILTER (WHERE {compile_sql(expr)}) AS {col}")
        for m in self.counted:
            pop = compile_sql(self.expand(m.population_expr()))
            num = compile_sql(self.numerator_expr(m))
            if m.kind == "count":
                items.append(f"count(*) FILTER (WHERE {pop} AND {num}) AS n_{m.id}")
            else:
                items.append(f"coalesce(sum(CAST({num} AS BIGINT)) FILTER (WHERE {pop}), 0) AS n_{m.id}")
        return items

    def sql_profile(self) -> tuple[str, dict[str, int], dict[str, str]]:
        """The per-row *profile*: one bit per population and per counted numerator.

        Returns ``(profile_expr, bits, sums)``: an INTEGER expression, the bit of each base
        column (``pop_k``, ``n_<count measure>``), and the value expression of each sum
        measure (``n_<sum measure>``, summed unconditionally; its population bit selects the
        rows). Grouping the person-years by (area, year, sex, profile) with ``count(*)`` and
        the sums is one cheap hash aggregate; :meth:`sql_decode` turns the groups into the
        base columns, identical to :meth:`sql_aggregates`.
        """
        bits, parts = {}, []
        for col, expr in self.populations().items():
            bits[col] = len(bits)
            parts.append((col, compile_sql(expr)))
        for m in self.counted:
            if m.kind == "count":
                bits[f"n_{m.id}"] = len(bits)
                pop = compile_sql(self.expand(m.population_expr()))
                parts.append((f"n_{m.id}", f"({pop} AND {compile_sql(self.numerator_expr(m))})"))
        sums = self.sql_sum_values()
        if len(bits) > 62:
            raise ValueError("too many measures for one profile (62)")
        expr = " | ".join(f"(CASE WHEN {e} THEN {1 << bits[c]} ELSE 0 END)" for c, e in parts) or "0"
        return f"CAST({expr} AS BIGINT)", bits, sums

    def sql_sum_values(self) -> dict[str, str]:
        """``n_<sum measure>`` -> its per-row value (a BIGINT, 0 when missing), unfiltered."""
        return {f"n_{m.id}": f"coalesce(CAST({compile_sql(self.numerator_expr(m))} AS BIGINT), 0)"
                for m in self.counted if m.kind == "sum"}

    def sql_decode(self, bits: dict[str, int], sums: dict[str, str], count: str = "cnt") -> list[str]:
        """Aggregates over profile groups giving the base columns."""
        items = []
        for col in self.populations():
            items.append(f"coalesce(sum({count}) FILTER (WHERE profile & {1 << bits[col]} <> 0), 0) AS {col}")
        for m in self.counted:
            c = f"n_{m.id}"
            if c in bits:
                items.append(f"coalesce(sum({count}) FILTER (WHERE profile & {1 << bits[c]} <> 0), 0) AS {c}")
            else:
                pop = bits[self.population_of(m.id)]
                items.append(f"coalesce(sum(s_{m.id}) FILTER (WHERE profile & {1 << pop} <> 0), 0) AS {c}")
        return items

    # ---- pandas -------------------------------------------------------------------------
    def pandas_row_values(self, df: pd.DataFrame) -> dict[str, np.ndarray]:
        """Per row: 0/1 population indicators and numerator values (int64 arrays)."""
        out: dict[str, np.ndarray] = {}
        masks = {}
        for col, expr in self.populations().items():
            masks[expr] = _as_bool(eval_pandas(expr, df), len(df))
            out[col] = masks[expr].astype("int64")
        for m in self.counted:
            pop = masks[self.expand(m.population_expr())]
            val = eval_pandas(self.numerator_expr(m), df)
            if m.kind == "count":
                out[f"n_{m.id}"] = (pop & _as_bool(val, len(df))).astype("int64")
            else:
                v = _as_int(val, len(df))
                out[f"n_{m.id}"] = np.where(pop, v, 0).astype("int64")
        return out

    def base_value_columns(self) -> list[str]:
        return [*self.populations(), *(f"n_{m.id}" for m in self.counted)]

    def needs(self) -> set[str]:
        """Register columns the plan's measures read."""
        return {c for m in self.measures.values() for c in m.inputs}


@lru_cache(maxsize=4)
def _load(path: str) -> dict:
    import yaml

    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_measures(path: str | Path | None = None) -> tuple[dict[str, Measure], dict]:
    """All declared measures and the raw document (codes, aliases)."""
    doc = _load(str(path or MEASURES_FILE))
    out = {}
    for mid, spec in (doc.get("measures") or {}).items():
        num = spec.get("numerator") or {}
        kinds = [k for k in ("count", "sum", "moved_in", "moved_out") if k in num]
        if len(kinds) != 1:
            raise ValueError(f"domain/measures.yaml: measure {mid}: numerator needs one of count, sum, moved_in, moved_out")
        kind = kinds[0]
        ages = spec.get("ages")
        inputs = tuple(spec.get("inputs") or ())
        unknown = [c for c in inputs if c not in REGISTER_COLUMNS]
        if unknown:
            raise ValueError(f"domain/measures.yaml: measure {mid}: unknown input column {unknown[0]}")
        out[mid] = Measure(id=mid, label=str(spec.get("label", mid)), age_band=str(spec["age_band"]),
                           ages=(int(ages[0]), int(ages[1])) if ages else None, inputs=inputs,
                           population=spec.get("population"), kind=kind,
                           expr=None if kind.startswith("moved") else str(num[kind]),
                           distribution=str(spec.get("distribution", "binomial")))
        for e in (out[mid].population, out[mid].expr):
            if e:
                _check_names(mid, e, set(inputs))
    return out, doc


def _check_names(mid: str, expr: str, inputs: set[str]) -> None:
    tree = ast.parse(_CODE_LIST.sub(lambda m: "__codes__", expr), mode="eval")
    allowed = set(inputs) | set(_BASE_VALUES) | set(EVENT_VALUES) | {"true", "false", "known", "max0", "__codes__"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in allowed:
            raise ValueError(f"domain/measures.yaml: measure {mid}: '{node.id}' is not an input of the measure")


def measure_plan(available: set[str] | None = None, only: tuple[str, ...] | None = None,
                 path: str | Path | None = None, movers: bool = True) -> MeasurePlan:
    """The measures whose inputs are all in ``available`` (register column names).

    Measures left out are in ``skipped`` (measure -> missing columns); :func:`log_skipped`
    says so in one log line.
    """
    measures, doc = load_measures(path)
    available = set(available or ())
    keep, skipped = {}, {}
    for mid, m in measures.items():
        if only is not None and mid not in only:
            continue
        if m.movers and not movers:
            skipped[mid] = ("person-year history",)
            continue
        missing = tuple(c for c in m.inputs if c not in available)
        if missing:
            skipped[mid] = missing
        else:
            keep[mid] = m
    codes = {k: tuple(str(c) for c in v) for k, v in (doc.get("codes") or {}).items()}
    return MeasurePlan(measures=keep, skipped=skipped, codes=codes)


def log_skipped(plan: MeasurePlan) -> None:
    """One log line naming the measures left out and the register columns they need."""
    if plan.skipped:
        log.info("måltal udeladt, registerudtrækket mangler kolonner: %s",
                 "; ".join(f"{m} ({', '.join(c)})" for m, c in plan.skipped.items()))


def code_aliases(column: str) -> dict[str, str]:
    """Accepted spellings (lower case) -> canonical code for a code column.

    >>> code_aliases("status")["330"]
    'kontanthjaelp'
    """
    _, doc = load_measures()
    canon = {"status": doc["status_codes"], "education": doc["education_codes"],
             "origin": doc["origin_codes"], "decision": doc["decision_codes"]}[column]
    out = {str(c).lower(): str(c) for c in canon}
    if column == "status":
        out.update({str(k).lower(): str(v) for k, v in (doc.get("status_aliases") or {}).items()})
    if column == "origin":
        out.update({"ikke-vestlig": "ikke_vestlig", "ikkevestlig": "ikke_vestlig", "dk": "dansk"})
    if column == "education":
        out.update({"videregående": "videregaaende"})
    if column == "decision":
        out.update({"bøde": "boede", "tiltalefrafald": "tiltalefrafald"})
    return out


def conviction_decisions() -> tuple[str, ...]:
    _, doc = load_measures()
    return tuple(doc.get("conviction_decisions") or ("dom",))


@lru_cache(maxsize=1)
def _municipalities() -> dict:
    return _load(str(MUNICIPALITIES_FILE))


def municipality_regions() -> dict[int, str]:
    """Kommunekode (as a number) -> regionskode.

    >>> municipality_regions()[851]
    '1081'
    """
    return {int(m["code"]): str(m["region"]) for m in _municipalities()["municipalities"]}


def municipality_names() -> dict[str, str]:
    """Kommunekode (3 digits) -> name."""
    return {str(m["code"]): str(m["name"]) for m in _municipalities()["municipalities"]}


def region_names() -> dict[str, str]:
    """Regionskode -> name.

    >>> region_names()["1084"]
    'Region Hovedstaden'
    """
    return {str(k): str(v) for k, v in _municipalities()["regions"].items()}


# ---- expressions ------------------------------------------------------------------------
_CMP_SQL = {ast.Eq: "=", ast.NotEq: "<>", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_BIN_SQL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "//"}


def _lit_sql(node) -> str:
    v = node.value
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    return repr(v)


def compile_sql(expr: str) -> str:
    """A DuckDB expression for ``expr`` (two-valued: a comparison with NULL is false)."""
    return _sql(ast.parse(expr, mode="eval").body)


def _sql(n) -> str:
    if isinstance(n, ast.BoolOp):
        op = " AND " if isinstance(n.op, ast.And) else " OR "
        return "(" + op.join(_sql(v) for v in n.values) + ")"
    if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Not):
        return f"(NOT {_sql(n.operand)})"
    if isinstance(n, ast.Compare):
        parts, left = [], n.left
        for op, right in zip(n.ops, n.comparators):
            if isinstance(op, (ast.In, ast.NotIn)):
                items = ", ".join(_lit_sql(e) for e in right.elts)
                inner = f"coalesce(({_sql(left)} IN ({items})), false)"
                parts.append(inner if isinstance(op, ast.In) else f"(NOT {inner})")
            else:
                parts.append(f"coalesce(({_sql(left)} {_CMP_SQL[type(op)]} {_sql(right)}), false)")
            left = right
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"
    if isinstance(n, ast.BinOp):
        return f"({_sql(n.left)} {_BIN_SQL[type(n.op)]} {_sql(n.right)})"
    if isinstance(n, ast.Call):
        name = n.func.id
        arg = _sql(n.args[0])
        if name == "known":
            return f"({arg} IS NOT NULL)"
        if name == "max0":
            return f"greatest(CAST({arg} AS BIGINT), 0)"
        raise ValueError(f"unknown function {name}")
    if isinstance(n, ast.Name):
        if n.id in ("true", "false"):
            return n.id
        return n.id
    if isinstance(n, ast.Constant):
        return _lit_sql(n)
    raise ValueError(f"unsupported expression: {ast.dump(n)}")


def eval_pandas(expr: str, df: pd.DataFrame):
    """Evaluate ``expr`` on the normalised columns of ``df`` (bool or integer Series/scalar)."""
    return _pd(ast.parse(expr, mode="eval").body, df)


def _as_bool(v, n: int) -> np.ndarray:
    if isinstance(v, (bool, np.bool_)):
        return np.full(n, bool(v))
    s = pd.Series(v)
    if s.dtype == bool:
        return s.to_numpy()
    return s.astype("boolean").fillna(False).to_numpy(dtype=bool)


def _as_int(v, n: int) -> np.ndarray:
    if np.isscalar(v):
        return np.full(n, int(v), dtype="int64")
    return pd.Series(v).astype("Int64").fillna(0).to_numpy(dtype="int64")


def _pd(n, df):
    if isinstance(n, ast.BoolOp):
        vals = [_as_bool(_pd(v, df), len(df)) for v in n.values]
        out = vals[0]
        for v in vals[1:]:
            out = (out & v) if isinstance(n.op, ast.And) else (out | v)
        return out
    if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Not):
        return ~_as_bool(_pd(n.operand, df), len(df))
    if isinstance(n, ast.Compare):
        out, left = np.ones(len(df), dtype=bool), n.left
        for op, right in zip(n.ops, n.comparators):
            lv = _pd(left, df)
            if isinstance(op, (ast.In, ast.NotIn)):
                items = [e.value for e in right.elts]
                r = _as_bool(pd.Series(lv).isin(items), len(df)) & pd.Series(lv).notna().to_numpy()
                r = r if isinstance(op, ast.In) else ~r
            else:
                rv = _pd(right, df)
                s = pd.Series(lv) if not np.isscalar(lv) else lv
                res = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b,
                       ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b,
                       ast.GtE: lambda a, b: a >= b}[type(op)](s, rv)
                r = _as_bool(res, len(df))
                if not np.isscalar(lv):   # SQL: a comparison with a missing value is false
                    r = r & pd.Series(lv).notna().to_numpy()
                    if isinstance(op, ast.NotEq):
                        pass
            out = out & r
            left = right
        return out
    if isinstance(n, ast.BinOp):
        a, b = _pd(n.left, df), _pd(n.right, df)
        a = pd.Series(a).astype("Int64") if not np.isscalar(a) else a
        b = pd.Series(b).astype("Int64") if not np.isscalar(b) else b
        if isinstance(n.op, ast.Add):
            return a + b
        if isinstance(n.op, ast.Sub):
            return a - b
        if isinstance(n.op, ast.Mult):
            return a * b
        return a // b
    if isinstance(n, ast.Call):
        v = _pd(n.args[0], df)
        if n.func.id == "known":
            return pd.Series(v).notna().to_numpy()
        if n.func.id == "max0":
            return pd.Series(v).astype("Int64").clip(lower=0)
        raise ValueError(n.func.id)
    if isinstance(n, ast.Name):
        if n.id == "true":
            return True
        if n.id == "false":
            return False
        return df[n.id].reset_index(drop=True)
    if isinstance(n, ast.Constant):
        return n.value
    raise ValueError(f"unsupported expression: {ast.dump(n)}")
