"""Difference-in-differences on count cells, with exact few-cluster inference.

Estimators (on an estate-year panel built from count cells or read from a CSV):

- :func:`twfe`: two-way fixed effects (2x2 DiD as the special case), weighted by population
  when the outcome is a share; CR0 / CR1 (Stata) / CR2 (Bell-McCaffrey, Satterthwaite df,
  the default below 50 clusters); wild cluster bootstrap or randomization inference.
- :func:`event_study`: leads and lags (reference -1, binned end points), joint pre-trend test.
- :func:`callaway_santanna`: ATT(g,t), never / not-yet-treated controls, simple / dynamic /
  group / calendar aggregations; covariates (doubly robust, IPW, regression), unbalanced
  panels, multiplier bootstrap with uniform bands, wild and randomization inference.

Cell-level weighted fits reproduce the person-level regression exactly, variances included
(see :mod:`evaluering.did.vcov`).

>>> import pandas as pd
>>> from evaluering import did
>>> p = pd.DataFrame({"unit": [1, 1, 2, 2, 3, 3], "time": [1, 2] * 3, "start": [2, 2, 0, 0, 0, 0],
...                   "y": [1.0, 3.0, 1.0, 1.5, 2.0, 2.5]})
>>> round(did.twfe(p, outcome="y", vcov="CR0").att, 6)
1.5
"""

from __future__ import annotations

from .api import ESTIMATORS, INFERENCE_METHODS, callaway_santanna, estimate, event_study, twfe
from .covariates import composition_shares
from .cs import att_gt
from .mboot import multiplier_bootstrap
from .panel import panel_from_cells, prepare_panel, read_panel_csv
from .results import DidResult
from .ri import randomization_inference
from .twfe import fit_twfe
from .vcov import VCOV_TYPES, cluster_vcov, default_vcov_type
from .wild import wild_cluster_bootstrap

__all__ = [
    "twfe", "event_study", "callaway_santanna", "estimate", "ESTIMATORS", "INFERENCE_METHODS",
    "att_gt", "panel_from_cells", "prepare_panel", "read_panel_csv", "DidResult",
    "randomization_inference", "fit_twfe", "cluster_vcov", "default_vcov_type", "VCOV_TYPES",
    "wild_cluster_bootstrap", "multiplier_bootstrap", "composition_shares",
]
