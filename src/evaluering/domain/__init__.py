"""The domain as data: the indicator catalogue (``catalogue.yaml``), one file per focus area
(indsatsområde, ``focus_areas/*.yaml``), the official area criteria (``area_criteria.yaml``)
and their loaders (:mod:`evaluering.domain.focus`).

>>> from evaluering.domain import DOMAIN_DIR
>>> (DOMAIN_DIR / "catalogue.yaml").is_file()
True
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DOMAIN_DIR"]

#: the folder of the domain's data files (package data)
DOMAIN_DIR = Path(__file__).resolve().parent
