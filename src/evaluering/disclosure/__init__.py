"""Disclosure control (diskretionering): nothing the product writes can identify a person.

* :func:`suppress_table`: primary suppression of counts ``0 < n < threshold`` (default 3) and of
  every rate computed from them, secondary suppression so no suppressed cell can be recovered
  from totals, the estate -> plan_part -> plan hierarchy or differences shown beside it;
  or rounding (``method="round"``).
* :func:`suppress_cells`: the same on the count-cell table (:mod:`evaluering.cellschema`).
* :func:`to_html`: the suppressed table as HTML with the marking convention the audit reads.
* :func:`mask_for_plot`, :func:`bar_labels`, :func:`check_plot`, :func:`assert_plot_safe`:
  plots never show what a table suppresses.
* :func:`release_for_plans`, :func:`release_evaluations`, :class:`Release`: the one boundary
  every report, status and batch output reads its numbers from, decided over all plans, years
  and activity counts together, kept in the record :class:`Ledger`
  (``data/processed/released/``); :func:`controlled_round` for ``method="round"``.
* :func:`audit_path`: scan generated outputs (HTML, SVG, JSON, CSV, notebooks, text, xlsx, docx)
  for small counts, rates that give them back and person identifiers (``evaluering audit DIR``).

>>> import pandas as pd
>>> from evaluering.disclosure import suppress_table
>>> t = pd.DataFrame({"sex": ["M", "K", "I alt"], "count": [1, 30, 31]})
>>> suppress_table(t, count_cols="count", totals={"sex": "I alt"}).display()["count"].tolist()
['< 3', 'diskretioneret', '31']
"""

from __future__ import annotations

from evaluering._lazy import lazy_exports

_LAZY: dict[str, str] = {
    "suppress_table": "table",
    "SuppressedTable": "table",
    "suppress_cells": "cells",
    "SuppressedCells": "cells",
    "hierarchy_from_plan": "cells",
    "to_html": "render",
    "display_frame": "render",
    "mask_for_plot": "plots",
    "bar_labels": "plots",
    "label_bars": "plots",
    "check_plot": "plots",
    "assert_plot_safe": "plots",
    "Release": "release",
    "release_for_plans": "release",
    "release_evaluations": "release",
    "Ledger": "ledger",
    "controlled_round": "controlled",
    "audit_path": "audit",
    "audit_file": "audit",
    "assert_clean": "audit",
    "Finding": "audit",
    "primary_mask": "primary",
    "round_counts": "rounding",
    "LinkedCells": "secondary",
    "protect": "secondary",
    "feasible_interval": "secondary",
    "SECONDARY": "markers",
    "primary_reason": "markers",
    "is_count_name": "markers",
    "is_identifier_name": "markers",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
