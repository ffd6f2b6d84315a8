"""Small HTML builders for the yearly report: escaped text, tables, notices.

Numbers are formatted by the caller (:mod:`evaluering.fmt`); this module only builds
markup. Count cells carry ``class="count"`` and ``data-count`` so that
``evaluering audit`` can check them.

>>> table(["A", "B"], [["1", "x<y"]])
'<table class="ev-table"><thead><tr><th>A</th><th>B</th></tr></thead><tbody><tr><td>1</td><td>x&lt;y</td></tr></tbody></table>'
"""

from __future__ import annotations

import html as _html
from typing import Iterable, Sequence

from ..theme import status_css

__all__ = ["esc", "table", "notice", "Cell", "count_cell", "section_intro", "css"]


class Cell(str):
    """Pre-built HTML for one table cell's content (not escaped again)."""


def esc(text) -> str:
    """Escape text for HTML."""
    return _html.escape("" if text is None else str(text))


def count_cell(value: int | None, text: str, reason: str | None = None) -> Cell:
    """A count rendered with the audit's marker; a suppressed count shows its reason."""
    if value is None:
        return Cell(f'<span class="suppressed" title="diskretioneret">{esc(reason or "diskretioneret")}</span>')
    return Cell(f'<span class="count" data-count="{int(value)}">{esc(text)}</span>')


def table(header: Sequence[str], rows: Iterable[Sequence], caption: str | None = None,
          cls: str = "ev-table", numeric_cols: Sequence[int] = ()) -> str:
    """An HTML table; cells that are :class:`Cell` are inserted as they are."""
    numeric = set(numeric_cols)
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = []
    for row in rows:
        tds = []
        for i, v in enumerate(row):
            content = v if isinstance(v, Cell) else esc(v)
            attr = ' class="num"' if i in numeric else ""
            tds.append(f"<td{attr}>{content}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    if len(header) > 14 and "ev-landscape" not in cls:
        cls += " ev-landscape"   # printed on a landscape page (a long plan period's years)
    return f'<table class="{cls}">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def notice(text: str, kind: str = "info") -> str:
    """A highlighted box (``kind``: info, warning, synthetic)."""
    return f'<div class="ev-notice ev-{esc(kind)}">{text}</div>'


def section_intro(text: str) -> str:
    return f'<p class="ev-intro">{text}</p>'


def css() -> str:
    """The report's own styles (inline, no external resources)."""
    return """<style>
.ev-table{border-collapse:collapse;margin:0.5em 0 1em 0;font-size:0.92em}
.jp-RenderedHTMLCommon table.ev-table,table.ev-table{table-layout:auto}
.ev-table td small{font-size:0.8em;color:#444}
.ev-table th,.ev-table td{border:1px solid #bbb;padding:3px 8px;text-align:left !important;vertical-align:top}
.ev-criteria{width:100%}
.ev-table th{background:#eef3f8}
.ev-table td.num{text-align:right !important;white-space:nowrap;padding:3px 5px}
.ev-table caption{caption-side:top;text-align:left;font-weight:bold;padding:4px 0}
.ev-notice{border-left:6px solid #0072B2;background:#eef3f8;padding:8px 12px;margin:8px 0}
.ev-warning{border-left-color:#D55E00;background:#fbeee6}
.ev-synthetic{border-left-color:#CC79A7;background:#f8eef4;font-weight:bold}
.status{padding:1px 6px;border-radius:3px;white-space:nowrap}
STATUS_CSS
.suppressed{color:#555;font-style:italic}
figure.ev-figure{margin:1em 0}
.ev-toc-list li{display:flex;gap:1em;max-width:40em}
.ev-toc-list li a{flex:1}
.ev-toc-page{min-width:2em;text-align:right}
.ev-rules{color:#333}
.ev-period td{white-space:normal}
.ev-prov{font-size:0.75em;vertical-align:super;color:#444}
figure.ev-figure figcaption{font-size:0.88em;color:#333;max-width:46em}
</style>""".replace("STATUS_CSS", status_css())
