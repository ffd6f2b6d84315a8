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
['country', 'municipality', 'public_housing', 'region']
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


#: populations (~2015) and growth of the aggregate areas other than the profile's own
_EXTRA_AREAS = {
    ("municipality", "0167"): ("Hvidovre Kommune", 51_500, 0.006),
    ("municipality", "0621"): ("Kolding Kommune", 90_500, 0.008),
    ("region", "1081"): ("Region Nordjylland", 580_000, 0.003),
    ("region", "1083"): ("Region Syddanmark", 1_200_000, 0.003),
    ("region", "1084"): ("Region Hovedstaden", 1_720_000, 0.009),
}


def _register_measure_cells(rng, prof: Profile, level: str, area: str, population: dict[int, int]) -> list[tuple]:
    """Cells of the register measures (not the crime ones) for one aggregate area."""
    from ..cells.measures import load_measures
    from .profiles import AGGREGATE_LEVELS, BAND_SHARES, MUNICIPALITY_NONWESTERN, REGION_INCOME

    measures, _ = load_measures()
    levels = dict(AGGREGATE_LEVELS["country"])
    if level == "public_housing":
        levels.update(AGGREGATE_LEVELS["public_housing"])
    if level in ("municipality", "region"):
        levels.update(AGGREGATE_LEVELS[level])
    if level == "municipality" and area in MUNICIPALITY_NONWESTERN:
        levels["ikke_vestlige"] = MUNICIPALITY_NONWESTERN[area]
    if level == "region":
        levels["bruttoindkomst"] = REGION_INCOME.get(area, levels["bruttoindkomst"])
    if level == "municipality":
        from ..cells.measures import municipality_regions

        levels["bruttoindkomst"] = REGION_INCOME.get(municipality_regions().get(int(area), ""), 375_000) * 0.97
    rows = []
    for year in prof.years:
        total = population[year]
        for mid, m in measures.items():
            if mid in ("sigtelser", "sigtede", "afgoerelser", "sigtet_mistaenkt", "bruttoindkomst_kvadratsum"):
                continue
            band_total = total
            if mid in ("tilflyttere", "fraflyttere") and year == prof.years[0]:
                continue        # as in the engines: no movers in the first year of the data
            if mid == "fraflyttere":
                band_total = population.get(year - 1, total)
            share = BAND_SHARES[m.age_band] / 100 * (0.97 if mid == "kun_grundskole" else 1.0)
            for sex, sh in _SEX_SHARE:
                den = int(round(band_total * sh * share))
                if mid == "beboere":
                    num = den
                elif mid == "bruttoindkomst":
                    mean = levels["bruttoindkomst"] * (1.08 if sex == "M" else 0.92) * (1.01 ** (year - 2015))
                    num = int(round(den * mean))
                    sq = int(round(den * mean * mean * (1 + 0.55 ** 2) / 1000))
                    rows.append((level, area, year, m.age_band, sex, "bruttoindkomst_kvadratsum", sq, den))
                else:
                    num = int(rng.binomial(den, min(levels[mid] / 100, 1.0)))
                rows.append((level, area, year, m.age_band, sex, mid, num, den))
    return rows


def aggregate_cells(profile: str | Profile = "aalborg-oest", seed: int | None = None) -> pd.DataFrame:
    """Cells for the profile's aggregate levels (M/K rows): the crime measures (bands 10-17
    and 15+) calibrated to the published figures, and the register measures of
    ``domain/measures.yaml`` at the levels of :data:`~evaluering.synth.profiles.AGGREGATE_LEVELS`;
    also the municipalities of the other bundled plans and the regions of all three."""
    prof = PROFILES[profile] if isinstance(profile, str) else profile
    rng = np.random.default_rng([prof.seed if seed is None else int(seed), 7])
    rows = []
    specs = dict(prof.aggregates)
    country = prof.aggregates[("country", "DK")]
    for key, (name, pop2015, growth) in _EXTRA_AREAS.items():
        if key in specs:
            continue
        specs[key] = {**country, "name": name, "youth_published": (), "adult_published": (),
                      "population": {y: int(round(pop2015 * (1 + growth) ** (y - 2015), -2)) for y in prof.years}}

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

    for (level, area), spec in specs.items():
        for year in prof.years:
            total = spec["population"][year]
            youth = {s: int(round(total * sh * spec["youth_pct_of_population"] / 100)) for s, sh in _SEX_SHARE}
            adult = {s: int(round(total * sh * spec["adult_pct_of_population"] / 100)) for s, sh in _SEX_SHARE}
            emit(level, area, year, "10-17", "sigtet_mistaenkt", spec["youth_share"][year] / 100, youth,
                 year in spec.get("youth_published", ()), True)
            for measure in ("afgoerelser", "sigtede", "sigtelser"):
                emit(level, area, year, "15+", measure, spec["adult_rates"][measure][year] / 1000, adult,
                     year in spec.get("adult_published", ()), measure == "sigtede")
    reg_rng = np.random.default_rng([prof.seed if seed is None else int(seed), 8])
    for (level, area), spec in specs.items():
        rows.extend(_register_measure_cells(reg_rng, prof, level, area, spec["population"]))
    cells = pd.DataFrame(rows, columns=["level", "area", "year", "age_band", "sex", "measure", "numerator", "denominator"])
    cells["source"] = SOURCE
    cells["synthetic"] = True
    return check_cells(cells[list(CELL_COLUMNS)])
