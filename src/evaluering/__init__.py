"""evaluering: evaluation of Danish boligsociale helhedsplaner.

Indicators from count cells, success criteria with exact uncertainty,
difference-in-differences with few-cluster inference, disclosure control and yearly
reports. Heavy dependencies are imported only when a function that needs them runs,
so ``import evaluering`` stays cheap.
"""

from __future__ import annotations

from evaluering._lazy import lazy_exports

__version__ = "0.1.0"

#: public name -> module that defines it (imported on first use)
_LAZY: dict[str, str] = {
    # plans and errors
    "load_plan": "evaluering.plan",
    "find_plan": "evaluering.plan",
    "list_plans": "evaluering.plan",
    "Plan": "evaluering.plan",
    "EvalueringError": "evaluering.errors",
    "InputError": "evaluering.errors",
    # count cells and indicators
    "check_cells": "evaluering.cellschema",
    "load_catalogue": "evaluering.catalogue",
    "get_indicator": "evaluering.catalogue",
    "indicator_series": "evaluering.indicators",
    "with_published": "evaluering.indicators",
    "load_published": "evaluering.published",
    # evaluation
    "evaluate": "evaluering.evaluation",
    "Evaluation": "evaluering.evaluation",
    "YearlyReport": "evaluering.yearly",
    # effect estimates
    "twfe": "evaluering.did",
    "event_study": "evaluering.did",
    "callaway_santanna": "evaluering.did",
    "panel_from_cells": "evaluering.did",
    # disclosure control
    "suppress_table": "evaluering.disclosure",
    "suppress_cells": "evaluering.disclosure",
    "audit_path": "evaluering.disclosure",
}

__all__ = ["__version__", *sorted(_LAZY)]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
