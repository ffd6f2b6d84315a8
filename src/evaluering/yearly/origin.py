"""Where each shown value comes from, marked the same way in every table and figure.

Three origins: ``published`` (printed in the source document, shown as printed), ``computed``
(computed from real count cells or logs) and ``synthetic`` (synthetic register data, or the
bundled example logs). A table value carries a superscript mark (:data:`MARKS`); a figure
draws the three with different markers (:data:`MARKERS`), and every caption says which is
which (:func:`legend`).

>>> origin(published=True, synthetic=False), origin(False, True), origin(False, False)
('published', 'synthetic', 'computed')
>>> mark("synthetic")
'<sup>s</sup>'
"""

from __future__ import annotations

__all__ = ["ORIGINS", "MARKS", "MARKERS", "origin", "mark", "legend", "figure_legend", "row_origin"]

ORIGINS = ("published", "computed", "synthetic")
#: superscript in tables ("" for values computed from real data)
MARKS = {"published": "o", "computed": "", "synthetic": "s"}
#: (matplotlib marker, filled) in figures
MARKERS = {"published": ("o", True), "computed": ("o", False), "synthetic": ("s", False)}
_NAMES = {"published": "offentliggjort tal (som trykt i kilden)",
          "computed": "beregnet fra tælleceller eller logs",
          "synthetic": "syntetiske data eller eksempellogs"}


def origin(published: bool, synthetic: bool) -> str:
    """The origin of one value: published wins (a printed figure is shown as printed)."""
    if bool(published):
        return "published"
    return "synthetic" if bool(synthetic) else "computed"


def row_origin(row, example: bool = False) -> str:
    """The origin of a series row (a dict or Series with ``published``/``synthetic``);
    ``example``: the value comes from the bundled example logs."""
    pub = row.get("published", False)
    syn = row.get("synthetic", False)
    pub = False if pub is None or pub != pub else bool(pub)
    syn = False if syn is None or syn != syn else bool(syn)
    return origin(pub, syn or example)


def mark(kind: str) -> str:
    """The superscript of an origin in a table (``""`` for computed values)."""
    m = MARKS.get(kind, "")
    return f"<sup>{m}</sup>" if m else ""


def legend(kinds=ORIGINS) -> str:
    """The table legend: ``'o: offentliggjort tal ...; s: syntetiske data ...'``."""
    parts = [f"{MARKS[k]}: {_NAMES[k]}" for k in ORIGINS if k in kinds and MARKS[k]]
    if "computed" in kinds:
        parts.append(f"uden mærke: {_NAMES['computed']}")
    return "; ".join(parts)


def figure_legend(kinds=ORIGINS) -> str:
    """The figure caption's key to the markers."""
    words = {"published": "udfyldte cirkler", "computed": "åbne cirkler", "synthetic": "åbne firkanter"}
    return "; ".join(f"{words[k]}: {_NAMES[k]}" for k in ORIGINS if k in kinds) + "."
