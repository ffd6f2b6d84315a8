"""Hand-made count cells of the contract's measures for the bundled plans (seeded, plausible
Danish levels): estates of each plan, comparison estates in each plan's municipality, the
municipality, region and country. Lets the whole-plan evaluation, the area criteria and the
plan-level report run before the synthetic register makes these measures."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: measure -> (age band, share of the population in the band, rate in a listed estate, national rate)
MEASURES = {
    "uden_for_arbejde_uddannelse": ("18-64", 0.62, 0.42, 0.14),
    "neet": ("15-24", 0.14, 0.16, 0.08),
    "beskaeftigede": ("16-64", 0.64, 0.48, 0.76),
    "kun_grundskole": ("30-59", 0.40, 0.52, 0.17),
    "ungdomsuddannelse_25": ("25", 0.015, 0.55, 0.78),
    "dansk_matematik_2": ("9. klasse", 0.012, 0.78, 0.90),
    "dagtilbud_1_5": ("1-5", 0.07, 0.86, 0.93),
    "domfaeldte": ("18+", 0.72, 0.025, 0.008),
    "ikke_vestlige": ("alle", 1.0, 0.55, 0.09),
    "tilflyttere": ("alle", 1.0, 0.16, 0.10),
    "fraflyttere": ("alle", 1.0, 0.15, 0.10),
}
REGIONS = {"0851": "1081", "0167": "1084", "0621": "1083"}


def plan_cells(plans, years=range(2010, 2024), seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []

    def add(level, area, year, measure, age, num, den):
        rows.append({"level": level, "area": area, "year": year, "age_band": age, "sex": "all",
                     "measure": measure, "numerator": int(num), "denominator": int(den),
                     "source": "Syntetiske data", "synthetic": True})

    for plan in plans:
        muni = str(plan.municipality_code).zfill(4)
        estates = [(e, True) for e in plan.estate_ids] + [(f"CMP-{muni}-{i:02d}", False) for i in range(1, 7)]
        for eid, treated in estates:
            size = int(rng.integers(250, 500))
            for y in years:
                after = treated and y >= plan.start_year
                add("estate", eid, y, "beboere", "alle", size, size)
                for m, (age, share, rate, _) in MEASURES.items():
                    den = max(int(round(size * share)), 1)
                    p = rate * (0.95 if after else 1.0) * (1.0 if treated else 0.9) - 0.002 * (y - 2010)
                    add("estate", eid, y, m, age, rng.binomial(den, min(max(p, 0.001), 0.999)), den)
                persons = int(size * 0.6)
                income = rng.normal(165_000 if treated else 190_000, 4000)
                add("estate", eid, y, "bruttoindkomst", "15-64", income * persons, persons)
                add("estate", eid, y, "bruttoindkomst_kvadratsum", "15-64",
                    persons * (income ** 2 + 90_000 ** 2) / 1000, persons)
        for level, area, size, inc in (("municipality", muni, 100_000, 300_000),
                                       ("region", REGIONS.get(muni, "1081"), 1_000_000, 320_000)):
            for y in years:
                add(level, area, y, "bruttoindkomst", "15-64", inc * size * 0.6, size * 0.6)
                add(level, area, y, "bruttoindkomst_kvadratsum", "15-64", size * 0.6 * (inc ** 2 + 150_000 ** 2) / 1000,
                    size * 0.6)
                for m, (age, share, _, nat) in MEASURES.items():
                    den = int(size * share)
                    add(level, area, y, m, age, round(den * nat), den)
    for y in years:
        for m, (age, share, _, nat) in MEASURES.items():
            den = int(5_900_000 * share)
            add("country", "DK", y, m, age, round(den * nat), den)
    out = pd.DataFrame(rows).drop_duplicates(["level", "area", "year", "age_band", "sex", "measure"])
    from evaluering.cellschema import check_cells

    return check_cells(out.reset_index(drop=True))
