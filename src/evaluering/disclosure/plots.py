"""Plots never show a point, bar or label that a table would suppress.

* :func:`mask_for_plot`: the published values as floats with NaN where suppressed (matplotlib
  and seaborn leave a gap: no point, a zero-height bar is never drawn as 0 but left out).
* :func:`bar_labels`: the formatted value or the reason text per row; :func:`label_bars`
  writes them over vertical bars (the reason at the baseline where a bar is left out).
* :func:`check_plot` / :func:`assert_plot_safe`: every value a figure draws (line points,
  bar heights, scatter points, error bars, filled bands, number labels) must be a published
  value of the table, or one the caller allows (a target line, a baseline).

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt, pandas as pd
>>> from evaluering.disclosure import suppress_table
>>> res = suppress_table(pd.DataFrame({"year": [2019, 2020, 2021], "count": [12, 2, 9]}), "count")
>>> df = mask_for_plot(res)
>>> fig, ax = plt.subplots()
>>> _ = ax.plot(df["year"], df["count"])
>>> check_plot(fig, res)
[]
>>> _ = ax.plot([2020], [2])          # the suppressed value, drawn by mistake
>>> check_plot(fig, res)
['line 2: y=2 is not a published value']
>>> plt.close(fig)
"""

from __future__ import annotations

import math
import re
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from .markers import is_reason

__all__ = ["mask_for_plot", "bar_labels", "label_bars", "published_values", "check_plot", "assert_plot_safe"]

_NUMBER = re.compile(r"[-−]?\d{1,3}(?:\.\d{3})+(?:,\d+)?|[-−]?\d+(?:,\d+)?")


def _value_cols(table, cols) -> list[str]:
    if cols is not None:
        return [cols] if isinstance(cols, str) else list(cols)
    return [*table.count_cols, *table.rate_cols, *table.diff_cols]


def mask_for_plot(table, cols: Sequence[str] | str | None = None, dropna: bool = False) -> pd.DataFrame:
    """The table's data with value columns as float and NaN where suppressed.

    With ``dropna=True`` rows whose value columns are all suppressed are dropped (for bar
    charts where a gap is not wanted).
    """
    vcols = _value_cols(table, cols)
    out = table.data.copy()
    for c in vcols:
        v = pd.to_numeric(out[c], errors="coerce").astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        v[table.reasons[c].notna().to_numpy()] = np.nan
        out[c] = v
    if dropna:
        out = out.dropna(subset=vcols, how="all")
    return out


def bar_labels(table, col: str, decimals: int | None = None) -> list[str]:
    """Bar labels: the Danish-formatted value, or the reason (``'< 3'``) where suppressed.

    >>> import pandas as pd
    >>> from evaluering.disclosure import suppress_table
    >>> bar_labels(suppress_table(pd.DataFrame({"a": ["x", "y"], "n": [1, 1500]}), "n"), "n")
    ['< 3', '1.500']
    """
    from .. import fmt

    if decimals is None:
        decimals = 0 if col in table.count_cols else 1
    return [r if r is not None else fmt.number(v, decimals)
            for v, r in zip(table.data[col].tolist(), table.reasons[col].tolist())]


def label_bars(ax, bars, table, col: str, decimals: int | None = None, **kwargs) -> list:
    """Label vertical bars: the value on top, the reason text at the baseline where suppressed.

    (``ax.bar_label`` leaves a bar with a missing height unlabelled.) Returns the annotations.
    """
    out = []
    for rect, label, reason in zip(bars, bar_labels(table, col, decimals), table.reasons[col].tolist()):
        h = rect.get_height()
        y = 0.0 if reason is not None or h != h else h
        out.append(ax.annotate(label, (rect.get_x() + rect.get_width() / 2, y), xytext=(0, 3),
                               textcoords="offset points", ha="center", va="bottom", **kwargs))
    return out


def published_values(table, cols=None) -> np.ndarray:
    """All published (not suppressed, not missing) values of the value columns, as floats."""
    df = mask_for_plot(table, cols)
    vals = np.concatenate([df[c].to_numpy(dtype="float64") for c in _value_cols(table, cols)]) \
        if _value_cols(table, cols) else np.zeros(0)
    return vals[~np.isnan(vals)]


def _matches(y: float, ok: np.ndarray, tol: float) -> bool:
    if math.isnan(y) or math.isinf(y):
        return True
    return bool(np.any(np.abs(ok - y) <= tol * np.maximum(1.0, np.abs(ok))))


def _parse_number(token: str) -> tuple[float, int]:
    t = token.replace("−", "-").replace(".", "")
    decimals = len(t.split(",")[1]) if "," in t else 0
    return float(t.replace(",", ".")), decimals


def _axes(fig_or_ax) -> list:
    if hasattr(fig_or_ax, "get_axes"):
        return list(fig_or_ax.get_axes())
    if isinstance(fig_or_ax, (list, tuple, np.ndarray)):
        return [a for x in np.ravel(fig_or_ax) for a in _axes(x)]
    return [fig_or_ax]


def check_plot(fig_or_ax, table, cols=None, allow: Iterable[float] = (), tol: float = 1e-6) -> list[str]:
    """Problems of a figure: drawn values that are not published values of ``table``.

    Checks line points (y), bar heights/widths, scatter points (y), error-bar and band
    vertices (y), and every number in a text label (rounded as printed). ``allow`` adds
    values that may be drawn (a target, a baseline). Returns an empty list when safe.
    """
    from matplotlib.collections import LineCollection, PathCollection, PolyCollection
    from matplotlib.patches import Rectangle

    ok = np.concatenate([published_values(table, cols), np.asarray(list(allow), float), [0.0]])
    problems: list[str] = []
    for a_i, ax in enumerate(_axes(fig_or_ax)):
        where = f"axes {a_i + 1}, " if len(_axes(fig_or_ax)) > 1 else ""
        for k, line in enumerate(ax.get_lines()):
            for y in np.asarray(line.get_ydata(), dtype="float64").ravel():
                if not _matches(y, ok, tol):
                    problems.append(f"{where}line {k + 1}: y={y:g} is not a published value")
        for k, patch in enumerate(p for p in ax.patches if isinstance(p, Rectangle)):
            h, w = patch.get_height(), patch.get_width()
            if not (_matches(h, ok, tol) or _matches(w, ok, tol)):
                problems.append(f"{where}bar {k + 1}: height={h:g} is not a published value")
        for k, coll in enumerate(ax.collections):
            ys: np.ndarray
            if isinstance(coll, PathCollection):
                ys = np.asarray(coll.get_offsets(), dtype="float64").reshape(-1, 2)[:, 1]
            elif isinstance(coll, LineCollection):
                segs = coll.get_segments()
                ys = np.concatenate([np.asarray(s, float)[:, 1] for s in segs]) if segs else np.zeros(0)
            elif isinstance(coll, PolyCollection):
                paths = coll.get_paths()
                ys = np.concatenate([p.vertices[:, 1] for p in paths]) if paths else np.zeros(0)
            else:
                continue
            for y in ys:
                if not _matches(y, ok, tol):
                    problems.append(f"{where}collection {k + 1}: y={y:g} is not a published value")
                    break
        for k, text in enumerate(ax.texts):
            s = text.get_text().strip()
            if not s or is_reason(s):
                continue
            for token in _NUMBER.findall(s):
                value, decimals = _parse_number(token)
                half = 0.5 * 10 ** -decimals + 1e-9
                if not np.any(np.abs(np.round(ok, decimals) - value) <= half):
                    problems.append(f"{where}label {k + 1}: '{token}' is not a published value")
    return problems


def assert_plot_safe(fig_or_ax, table, cols=None, allow: Iterable[float] = (), tol: float = 1e-6) -> None:
    """Raise ``AssertionError`` listing the problems :func:`check_plot` finds."""
    problems = check_plot(fig_or_ax, table, cols=cols, allow=allow, tol=tol)
    if problems:
        raise AssertionError("plot shows suppressed or unpublished values: " + "; ".join(problems))
