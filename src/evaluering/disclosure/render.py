"""Render a :class:`~evaluering.disclosure.SuppressedTable` for reports (HTML, strings).

Counts and rates use Danish number formatting (:mod:`evaluering.fmt`); a suppressed value
shows its reason (``< 3``, ``diskretioneret``), never a number. Cells follow the marking
convention of :mod:`evaluering.disclosure.markers` so the audit recognises them.

>>> import pandas as pd
>>> from evaluering.disclosure import suppress_table
>>> res = suppress_table(pd.DataFrame({"area": ["A", "B"], "count": [2, 1200]}), count_cols="count")
>>> html = to_html(res)
>>> '<td class="ev-count" data-count="1200">1.200</td>' in html
True
>>> '<td class="ev-suppressed" data-suppressed="primary"' in html and 'data-count="2"' not in html
True
"""

from __future__ import annotations

import html as _html
from typing import Callable, Mapping

import pandas as pd

from .. import fmt
from .markers import COUNT_ATTR, COUNT_CLASS, RATE_CLASS, SECONDARY, SUPPRESSED_ATTR, SUPPRESSED_CLASS

__all__ = ["to_html", "display_frame", "format_value", "footnote"]


def _formatter(table, col, formats: Mapping | None) -> Callable:
    spec = (formats or {}).get(col, table.formats.get(col) if table.formats else None)
    if callable(spec):
        return spec
    if isinstance(spec, int):
        return lambda x: fmt.number(x, spec)
    if col in table.count_cols:
        return lambda x: fmt.number(x, 0)
    if col in table.rate_cols:
        return lambda x: fmt.number(x, 1)
    if col in table.diff_cols:
        return lambda x: fmt.signed(x, 1 if col not in table.count_cols else 0)
    return lambda x: fmt.MISSING if x is None or (not isinstance(x, str) and pd.isna(x)) else str(x)


def format_value(table, col, value, reason=None, formats: Mapping | None = None) -> str:
    """The text of one value: the reason when suppressed, else the formatted number."""
    if reason is not None:
        return reason
    return _formatter(table, col, formats)(value)


def display_frame(table, formats: Mapping | None = None) -> pd.DataFrame:
    """A frame of strings: formatted values with the reason text in place of suppressed ones."""
    out = {}
    for j, c in enumerate(table.data.columns):
        f = _formatter(table, c, formats)
        out[c] = [table.reasons.iat[i, j] if table.reasons.iat[i, j] is not None else f(table.data.iat[i, j])
                  for i in range(len(table.data))]
    return pd.DataFrame(out, index=table.data.index)


def footnote(table) -> str:
    """The Danish explanation printed under a table."""
    if table.method == "round":
        return f"Antal er afrundet til nærmeste {table.base}. Andele beregnet på under {table.threshold} personer er udeladt („< {table.threshold}“)."
    return (f"„< {table.threshold}“: færre end {table.threshold} personer, udeladt af hensyn til "
            f"diskretionering. „{SECONDARY}“: udeladt, så de udeladte tal ikke kan regnes "
            f"tilbage fra totaler eller forskelle.")


def to_html(table, formats: Mapping | None = None, caption: str | None = None,
            labels: Mapping[str, str] | None = None, note: bool = True) -> str:
    """HTML table of a suppressed table with the marking convention.

    ``labels`` renames column headers (Danish labels); ``formats`` maps a column to a number
    of decimals or a callable. A published count cell is
    ``<td class="ev-count" data-count="24">24</td>``; a suppressed one is
    ``<td class="ev-suppressed" data-suppressed="primary">&lt; 3</td>``.
    """
    labels = dict(labels or {})
    cols = list(table.data.columns)
    rows = []
    head = "".join(f'<th scope="col">{_html.escape(str(labels.get(c, c)))}</th>' for c in cols)
    for i in range(len(table.data)):
        tds = []
        for j, c in enumerate(cols):
            reason = table.reasons.iat[i, j]
            value = table.data.iat[i, j]
            if reason is not None:
                kind = "secondary" if reason == SECONDARY else "primary"
                tds.append(f'<td class="{SUPPRESSED_CLASS}" {SUPPRESSED_ATTR}="{kind}" '
                           f'title="udeladt (diskretionering)">{_html.escape(reason)}</td>')
                continue
            text = _html.escape(_formatter(table, c, formats)(value))
            if c in table.count_cols:
                attr = f' {COUNT_ATTR}="{int(value)}"' if not pd.isna(value) else ""
                tds.append(f'<td class="{COUNT_CLASS}"{attr}>{text}</td>')
            elif c in table.rate_cols or c in table.diff_cols:
                tds.append(f'<td class="{RATE_CLASS}">{text}</td>')
            else:
                tds.append(f"<td>{text}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    cap = f"<caption>{_html.escape(caption)}</caption>" if caption else ""
    foot = (f'<p class="ev-disclosure-note">{_html.escape(footnote(table))}</p>'
            if note and (table.method == "round" or table.reasons.notna().to_numpy().any()) else "")
    return (f'<table class="ev-table ev-disclosure" data-threshold="{table.threshold}">{cap}'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{foot}")
