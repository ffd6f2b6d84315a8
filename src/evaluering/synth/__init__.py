"""Synthetic register data: seeded, calibrated to the source document, with a known effect.

* :func:`generate_register` / :func:`write_register`: the bundled small profile
  (``aalborg-oest``: the plan's 9 estates and 31 comparison estates, 2010-2022);
* :func:`aggregate_cells`: synthetic cells for the municipality, almene and national levels;
* :func:`generate_national`: a national-scale register streamed to Parquet in chunks.

Everything made here is marked synthetic ("Syntetiske data").
"""

from __future__ import annotations

from .aggregates import aggregate_cells
from .profiles import PROFILES, Profile
from .register import GENERATOR_VERSION, generate_register
from .writer import write_register

__all__ = ["generate_register", "write_register", "aggregate_cells", "generate_national", "PROFILES",
           "Profile", "GENERATOR_VERSION"]


def __getattr__(name):
    if name == "generate_national":
        from .national import generate_national

        return generate_national
    raise AttributeError(name)
