"""The yearly evaluation report of one plan, section by section.

The notebook ``notebooks/yearly_report.ipynb`` stays thin: it loads a :class:`YearlyReport`
from its parameters and displays one section per cell. Every section returns HTML (Danish,
Danish number formatting, small counts suppressed) and adds its figures to the payload that
:meth:`YearlyReport.record` hands to the report runner (``<plan>.json``).

>>> from evaluering.yearly import YearlyReport                     # doctest: +SKIP
>>> report = YearlyReport.load("aalborg-oest", 2020)                # doctest: +SKIP
>>> report.summary()                                                # doctest: +SKIP
"""

from __future__ import annotations

from .report import YearlyReport

__all__ = ["YearlyReport"]
