"""Disclosure control of one output table: :func:`suppress_table`.

The table is a DataFrame with key columns (area, year, sex, ...) and value columns: counts
(``count_cols``), rates computed from counts (``rate_cols``) and differences between rows
(``differences``, e.g. a year-on-year change). What links the cells, and so what an attacker
can use, is declared:

* ``totals``: ``{count_col: [part cols]}`` for a total column (``{"i_alt": ["M", "K"]}``) or
  ``{key_col: label}`` for a total row (``{"area": "I alt"}``: per value of the other keys,
  the row labelled ``I alt`` is the sum of the other rows);
* ``hierarchy``: ``{key_col: {child: parent}}``, e.g. estate -> plan_part -> plan
  (:func:`evaluering.disclosure.hierarchy_from_plan`); a parent row is the sum of its
  children present (children the table leaves out form a hidden remainder, itself checked);
* ``differences``: ``{diff_col: (value_col, order_col)}``: ``diff`` at a row is ``value`` minus
  ``value`` of the previous row in ``order_col`` order (other keys equal); or
  ``{diff_col: (value_col, other_value_col)}`` for a difference of two value columns of the
  same row (``ændring = n_2020 - n_2019``).

Primary cells are counts with ``0 < n < threshold``; secondary cells are chosen by
:func:`evaluering.disclosure.secondary.protect` (greedy complementary suppression checked by
linear programming). A rate is suppressed when any count it is computed from is, and a
difference when either of its two values is: a published rate or difference is then a function
of published counts only and can reveal nothing more than they do.

>>> import pandas as pd
>>> df = pd.DataFrame({"area": ["A", "B", "C", "I alt"], "count": [2, 9, 14, 25],
...                    "population": [40, 120, 200, 360]})
>>> res = suppress_table(df, count_cols=["count", "population"], totals={"area": "I alt"})
>>> res.data["count"].tolist()
[<NA>, <NA>, 14, 25]
>>> res.reasons["count"].tolist()
['< 3', 'diskretioneret', None, None]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import EvalueringError
from .markers import REASON_SUFFIX, SECONDARY, primary_reason
from .primary import check_threshold, primary_mask
from .rounding import round_count
from .secondary import LinkedCells, protect

__all__ = ["suppress_table", "SuppressedTable", "METHODS"]

METHODS = ("suppress", "round")
_YEAR_NAMES = {"year", "år", "aar", "aargang", "periode", "period", "month", "måned"}


@dataclass(frozen=True)
class SuppressedTable:
    """A table safe to publish.

    ``data`` holds the published values (suppressed ones missing, never 0); ``reasons`` has
    the same shape with ``'< 3'`` (primary), ``'diskretioneret'`` (secondary) or ``None``.
    It renders in JupyterLab with the reason text in place of each suppressed value.
    """

    data: pd.DataFrame
    reasons: pd.DataFrame
    threshold: int
    method: str
    count_cols: tuple[str, ...]
    rate_cols: tuple[str, ...] = ()
    diff_cols: tuple[str, ...] = ()
    protection: float = 3.0
    base: int | None = None
    unprotected: tuple[tuple[object, str], ...] = ()
    formats: dict = field(default_factory=dict)

    @property
    def suppressed(self) -> pd.DataFrame:
        """Boolean frame: True where a value is suppressed."""
        return self.reasons.notna()

    @property
    def n_primary(self) -> int:
        """Number of primary suppressions (reason ``'< N'``) among counts, rates and differences."""
        return int((self.reasons == primary_reason(self.threshold)).to_numpy().sum())

    @property
    def n_secondary(self) -> int:
        """Number of secondary suppressions (reason ``'diskretioneret'``)."""
        return int((self.reasons == SECONDARY).to_numpy().sum())

    def display(self, formats: Mapping | None = None) -> pd.DataFrame:
        """Strings as a report shows them: Danish numbers, the reason text where suppressed."""
        from .render import display_frame

        return display_frame(self, formats=formats)

    def to_html(self, **kwargs) -> str:
        """HTML ``<table>`` with the marking convention (see :func:`evaluering.disclosure.to_html`)."""
        from .render import to_html

        return to_html(self, **kwargs)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return (f"SuppressedTable({len(self.data)} rows, method={self.method!r}, threshold={self.threshold}, "
                f"primary={self.n_primary}, secondary={self.n_secondary})")

    def to_records(self) -> list[dict]:
        """JSON-ready rows: a suppressed value is ``None`` with a sibling ``<col>_reason``.

        >>> import pandas as pd
        >>> r = suppress_table(pd.DataFrame({"area": ["A"], "count": [1]}), count_cols=["count"])
        >>> r.to_records()
        [{'area': 'A', 'count': None, 'count_reason': '< 3'}]
        """
        out = []
        cols = list(self.data.columns)
        for i in range(len(self.data)):
            rec: dict = {}
            for c in cols:
                reason = self.reasons.iat[i, cols.index(c)]
                value = self.data.iat[i, cols.index(c)]
                rec[str(c)] = _json_value(value)
                if reason is not None and not (isinstance(reason, float) and np.isnan(reason)):
                    rec[str(c)] = None
                    rec[f"{c}{REASON_SUFFIX}"] = reason
            out.append(rec)
        return out

    def to_frame(self) -> pd.DataFrame:
        """``data`` with a ``<col>_reason`` column after every column that has a suppression."""
        out = {}
        for c in self.data.columns:
            out[c] = self.data[c]
            if self.reasons[c].notna().any():
                out[f"{c}{REASON_SUFFIX}"] = self.reasons[c]
        return pd.DataFrame(out, index=self.data.index)

    def write_json(self, path) -> None:
        """Write :meth:`to_records` as JSON, atomically."""
        import json

        from ..atomic import write_text

        write_text(path, json.dumps(self.to_records(), ensure_ascii=False, indent=2) + "\n")

    def write_csv(self, path) -> None:
        """Write :meth:`to_frame` as CSV (suppressed values empty, reasons beside), atomically."""
        from ..atomic import write_text

        write_text(path, self.to_frame().to_csv(index=False))


def _json_value(v):
    if v is None or v is pd.NA:
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if np.isnan(v) else float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def _groups(df: pd.DataFrame, cols: list[str]) -> list[list[int]]:
    if not cols:
        return [list(range(len(df)))]
    keys = df[cols].astype(str).agg("\x1f".join, axis=1) if len(cols) > 1 else df[cols[0]].astype(str)
    groups: dict[str, list[int]] = {}
    for pos, k in enumerate(keys.tolist()):
        groups.setdefault(k, []).append(pos)
    return list(groups.values())


def _other_keys(df: pd.DataFrame, keys: list[str], k: str) -> list[str]:
    """Keys to group by when relating rows along ``k``: the keys other than ``k`` that ``k``
    does not determine (``level`` and ``area_name`` follow ``area`` and must not split a
    plan from its estates)."""
    out = []
    for x in keys:
        if x == k:
            continue
        if df.groupby(df[k].astype(str), sort=False)[x].nunique(dropna=False).max() <= 1 \
                and df[x].nunique(dropna=False) > 1:
            continue
        out.append(x)
    return out


def _as_list(x) -> list[str]:
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    return list(x)


def suppress_table(df: pd.DataFrame, count_cols: Sequence[str] | str,
                   rate_cols: Mapping[str, str | tuple[str, str]] | None = None, *,
                   threshold: int = 3, totals: Mapping | None = None,
                   hierarchy: Mapping[str, Mapping] | None = None,
                   differences: Mapping[str, tuple[str, str]] | None = None,
                   keys: Sequence[str] | None = None, method: str = "suppress",
                   protection: float | None = None, base: int | None = None) -> SuppressedTable:
    """Make ``df`` safe to publish; returns a :class:`SuppressedTable`.

    ``rate_cols`` maps a rate column to the count column it is computed from, or to a
    ``(numerator, denominator)`` pair; ``keys`` are the columns that identify a row (default:
    the non-numeric columns not named as values, plus ``year``/``år`` and the columns named
    in ``totals``, ``hierarchy`` and ``differences``; pass ``keys`` for anything else). ``method="round"`` rounds counts to
    a multiple of ``base`` (default: the threshold) instead of suppressing; rates from counts
    below the threshold are still suppressed. ``protection`` is the minimum width of an
    attacker's interval for a primary cell (default: the threshold).

    >>> import pandas as pd
    >>> df = pd.DataFrame({"year": [2014, 2015, 2016], "count": [5, 2, 7],
    ...                    "change": [None, -3, 5]})
    >>> suppress_table(df, "count", differences={"change": ("count", "year")}).reasons["change"].tolist()
    [None, 'diskretioneret', 'diskretioneret']
    """
    threshold = check_threshold(threshold)
    if method not in METHODS:
        raise EvalueringError(f"unknown disclosure method {method!r}; use one of {', '.join(METHODS)}")
    count_cols = _as_list(count_cols)
    rate_map = {r: (_as_list(src)) for r, src in (rate_cols or {}).items()}
    differences = dict(differences or {})
    totals = dict(totals or {})
    hierarchy = dict(hierarchy or {})
    protection = float(threshold if protection is None else protection)
    needed = set(count_cols) | set(rate_map) | {c for s in rate_map.values() for c in s} | set(differences) \
        | {v for v, _ in differences.values()} | {o for _, o in differences.values()} | set(hierarchy)
    for k, v in totals.items():
        needed.add(k)
        if k in count_cols:
            needed.update(_as_list(v))
    missing = sorted(c for c in needed if c not in df.columns)
    if missing:
        raise EvalueringError(f"suppress_table: no column {missing[0]!r} in the table")
    for k, v in totals.items():
        if k in count_cols:
            bad = [c for c in _as_list(v) if c not in count_cols]
            if bad:
                raise EvalueringError(f"suppress_table: total column {k!r} adds up {bad[0]!r}, which is not a count column")
    for c in count_cols:
        if (pd.to_numeric(df[c], errors="coerce") < 0).any():
            raise EvalueringError(f"suppress_table: negative count in column {c!r}")
    for r, src in rate_map.items():
        bad = [s for s in src if s not in count_cols]
        if bad:
            raise EvalueringError(f"suppress_table: rate {r!r} is computed from {bad[0]!r}, which is not a count column")
    value_cols = set(count_cols) | set(rate_map) | set(differences)
    if keys is None:
        keys = [c for c in df.columns if c not in value_cols and (
            not pd.api.types.is_numeric_dtype(df[c]) or str(c).lower() in _YEAR_NAMES
            or c in hierarchy or c in totals or any(c == o for _, o in differences.values()))]
    keys = list(keys)

    work = df.reset_index(drop=True)
    n = len(work)
    counts = {c: pd.to_numeric(work[c], errors="coerce").astype("float64").to_numpy() for c in count_cols}
    primary = {c: primary_mask(counts[c], threshold).to_numpy() for c in count_cols}
    suppressed = {c: np.zeros(n, bool) for c in count_cols}
    secondary = {c: np.zeros(n, bool) for c in count_cols}
    unprotected: list[tuple[object, str]] = []
    if method == "round":
        b = int(base or threshold)
        rounded = {c: np.array([np.nan if (r := round_count(v, b)) is None else r for v in counts[c]])
                   for c in count_cols}
    else:
        b = None
        rounded = counts
        system = LinkedCells()
        var = {}
        upper_of = {}
        for src in rate_map.values():
            if len(src) == 2:
                upper_of[src[0]] = src[1]
        for c in count_cols:
            for r in range(n):
                up = np.inf
                den = upper_of.get(c)
                if den is not None and not primary[den][r] and not np.isnan(counts[den][r]):
                    up = counts[den][r]
                var[(r, c)] = system.add(counts[c][r], upper=up)
        sensitive_extra: list[int] = []

        def relate(parent_var, child_vars, incomplete=False):
            rem = system.relate_sum(parent_var, child_vars, incomplete=incomplete)
            if rem is not None and 0 < system.values[rem] < threshold and system.hidden[rem]:
                sensitive_extra.append(rem)

        for k, spec in totals.items():
            if k in count_cols:  # a total column
                parts = _as_list(spec)
                for r in range(n):
                    relate(var[(r, k)], [var[(r, p)] for p in parts])
            else:  # a total row, labelled `spec` in key column k
                for g in _groups(work, _other_keys(work, keys, k)):
                    tot = [r for r in g if work.at[r, k] == spec]
                    if not tot:
                        continue
                    if len(tot) > 1:
                        raise EvalueringError(f"suppress_table: two total rows {spec!r} in column {k!r} for the same keys")
                    parts = [r for r in g if r != tot[0]]
                    for c in count_cols:
                        relate(var[(tot[0], c)], [var[(r, c)] for r in parts])
        for k, parent_of in hierarchy.items():
            children: dict = {}
            for child, par in parent_of.items():
                children.setdefault(par, []).append(child)
            for g in _groups(work, _other_keys(work, keys, k)):
                present = {}
                for r in g:
                    label = work.at[r, k]
                    if label in present:
                        raise EvalueringError(f"suppress_table: area {label!r} appears twice in column {k!r} for the same keys")
                    present[label] = r
                for par, r_par in present.items():
                    if par not in children:
                        continue
                    rows, incomplete = _descendants(par, children, present)
                    for c in count_cols:
                        relate(var[(r_par, c)], [var[(r, c)] for r in rows], incomplete=incomplete)
        sens = np.zeros(len(system), bool)
        for c in count_cols:
            for r in range(n):
                sens[var[(r, c)]] = primary[c][r]
        sens[sensitive_extra] = True
        prot = protect(system, sens, protection=protection)
        for c in count_cols:
            for r in range(n):
                suppressed[c][r] = prot.suppressed[var[(r, c)]]
                secondary[c][r] = prot.secondary[var[(r, c)]]
        inv = {v: rc for rc, v in var.items()}
        unprotected = [inv.get(u, (None, "remainder")) for u in prot.unprotected]
        if unprotected:
            import warnings

            warnings.warn(f"suppress_table: {len(unprotected)} suppressed cell(s) keep an interval narrower "
                          f"than {protection:g} (known bounds limit them); see .unprotected", stacklevel=2)

    data = df.copy()
    reasons = pd.DataFrame(None, index=df.index, columns=df.columns, dtype=object)
    p_reason, s_reason = primary_reason(threshold), SECONDARY
    for c in count_cols:
        vals = rounded[c].copy()
        if method == "suppress":
            vals[suppressed[c]] = np.nan
            reasons[c] = np.where(primary[c] & suppressed[c], p_reason,
                                  np.where(suppressed[c], s_reason, None))
        whole = np.all(np.isnan(vals) | (vals == np.round(vals)))
        data[c] = pd.array(vals, dtype="Float64")
        data.loc[np.isnan(vals), c] = pd.NA
        if whole:
            data[c] = data[c].astype("Int64")
    for rc, src in rate_map.items():
        prim = np.zeros(n, bool)
        supp = np.zeros(n, bool)
        for s in src:
            prim |= primary[s]
            supp |= suppressed[s] | primary[s]
        vals = pd.to_numeric(work[rc], errors="coerce").astype("float64").to_numpy().copy()
        vals[supp] = np.nan
        data[rc] = vals
        reasons[rc] = np.where(prim, p_reason, np.where(supp, s_reason, None))
    for dc, (vc, order) in differences.items():
        vals = pd.to_numeric(work[dc], errors="coerce").astype("float64").to_numpy().copy()
        src_supp = reasons[vc].notna().to_numpy()
        if order in value_cols:  # a difference of two value columns of the same row
            hit = src_supp | reasons[order].notna().to_numpy()
            if method == "round" and vc in count_cols and order in count_cols:
                vals = np.where(hit, vals, rounded[vc] - rounded[order])
            vals[hit] = np.nan
            data[dc] = vals
            reasons[dc] = np.where(hit, s_reason, None)
            continue
        hit = np.zeros(n, bool)
        for g in _groups(work, [x for x in keys if x not in (order, dc)]):
            g = sorted(g, key=lambda r: work.at[r, order])
            for prev, cur in zip(g[:-1], g[1:]):
                if src_supp[prev] or src_supp[cur]:
                    hit[cur] = True
                elif method == "round" and vc in count_cols:
                    vals[cur] = rounded[vc][cur] - rounded[vc][prev]
            if g and src_supp[g[0]]:
                hit[g[0]] = True
        vals[hit] = np.nan
        data[dc] = vals
        reasons[dc] = np.where(hit, s_reason, None)
    for c in reasons.columns:
        reasons[c] = reasons[c].astype(object).where(reasons[c].notna(), None)
    return SuppressedTable(data=data, reasons=reasons, threshold=threshold, method=method,
                           count_cols=tuple(count_cols), rate_cols=tuple(rate_map),
                           diff_cols=tuple(differences), protection=protection, base=b,
                           unprotected=tuple(unprotected))


def _descendants(parent, children: dict, present: dict) -> tuple[list[int], bool]:
    """Rows of the nearest present descendants of ``parent``; True if some leaf is missing."""
    rows: list[int] = []
    incomplete = False
    for child in children.get(parent, []):
        if child in present:
            rows.append(present[child])
        elif child in children:
            sub, inc = _descendants(child, children, present)
            rows.extend(sub)
            incomplete |= inc
        else:
            incomplete = True
    return rows, incomplete
