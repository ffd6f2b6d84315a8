"""Synthetic aggregate cells for the comparison levels of the small profile.

The bundled register holds only the residents of about 40 estates, so the municipality
(Aalborg Kommune), almene boligsektor and hele landet levels cannot come from its persons.
They are made here directly as cells: realistic populations by year and sex; in years with a
published figure the total numerator is ``round(published rate x population)`` (so the
synthetic rate rounds to the published one), in other years a seeded binomial (persons) or
Poisson (events) draw around the profile's level. Men get 75 % of the 10-17 numerator and
80 % of the 15+ numerators (binomial split).

>>> cells = aggregate_cells("aalborg-oest", seed=1)
>>> sorted(cells["level"].unique())
['country', 'municipality', 'public_housing']
>>> bool(cells["synthetic"].all())
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..cellschema import CELL_COLUMNS, check_cells
from .profiles import PROFILES, Profile

__all__ = ["aggregate_cells"]

SOURCE = "Syntetiske data"
_SEX_SHARE = (("M", 0.497), ("K", 0.503))
_MALE_SHARE_OF_COUNT = {"10-17": 0.75, "15+": 0.80}


def aggregate_cells(profile: str | Profile = "aalborg-oest", seed: int | None = None) -> pd.DataFrame:
    """Cells for the profile's aggregate levels (M/K rows, bands 10-17 and 15+)."""
    prof = PROFILES[profile] if isinstance(profile, str) else profile
    rng = np.random.default_rng([prof.seed if seed is None else int(seed), 7])
    rows = []

    def emit(level, area, year, band, measure, rate, pops, pinned, persons):
        total_pop = sum(pops.values())
        if pinned:
            k = int(round(rate * total_pop))
        elif persons:
            k = int(rng.binomial(total_pop, min(rate, 1.0)))
        else:
            k = int(rng.poisson(rate * total_pop))
        k_m = int(round(k * _MALE_SHARE_OF_COUNT[band])) if pinned else int(rng.binomial(k, _MALE_SHARE_OF_COUNT[band]))
        for sex, num in (("M", k_m), ("K", k - k_m)):
            rows.append((level, area, year, band, sex, measure, num, pops[sex]))

    for (level, area), spec in prof.aggregates.items():
        for year in prof.years:
            total = spec["population"][year]
            youth = {s: int(round(total * sh * spec["youth_pct_of_population"] / 100)) for s, sh in _SEX_SHARE}
            adult = {s: int(round(total * sh * spec["adult_pct_of_population"] / 100)) for s, sh in _SEX_SHARE}
            emit(level, area, year, "10-17", "sigtet_mistaenkt", spec["youth_share"][year] / 100, youth,
                 year in spec.get("youth_published", ()), True)
            for measure in ("afgoerelser", "sigtede", "sigtelser"):
                emit(level, area, year, "15+", measure, spec["adult_rates"][measure][year] / 1000, adult,
                     year in spec.get("adult_published", ()), measure == "sigtede")
    cells = pd.DataFrame(rows, columns=["level", "area", "year", "age_band", "sex", "measure", "numerator", "denominator"])
    cells["source"] = SOURCE
    cells["synthetic"] = True
    return check_cells(cells[list(CELL_COLUMNS)])
