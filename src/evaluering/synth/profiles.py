"""Calibration profiles of the synthetic register (what the generator aims at, and why).

A profile holds the levels the synthetic data is calibrated to, each with its source. The
bundled profile ``aalborg-oest`` follows the published figures of the source document
("Delaftale for indsatsområdet Kriminalpræventiv indsats", Aalborg Øst; see
``data/raw/published/``):

* share of 10-17-year-olds suspected or charged (LBF Boligsociale Data, indikator 6):
  plan areas 2.7/2.5/4.0/4.2 % in 2012-2015 (24 persons in 2015), almene boligsektor
  2.3/2.4/2.1/2.0 %, Aalborg Kommune 1.1/1.0/0.8/0.8 %, hele landet 1.0/1.0/0.9/0.9 %;
* persons 15+ per 1,000 (BL-tal 2016): sigtelser, sigtede and afgørelser for Himmerland,
  Alabu/Lejerbo and Aalborg Kommune, 2013-2016.

Levels the document does not give (comparison estates' 15+ rates, almene and national 15+
rates, years outside the published ones) are plausible values, marked ``assumed`` below.

>>> p = PROFILES["aalborg-oest"]
>>> p.youth_share_plan[2015], p.effect_pp
(4.2, -1.2)
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Profile", "PROFILES", "COMPARISON_MUNICIPALITIES", "REGISTER_LEVELS", "AGGREGATE_LEVELS",
           "PLAN_EFFECTS", "REGION_INCOME"]

YEARS = tuple(range(2010, 2024))

# ---- the register columns (status, education, income, origin, dagtilbud, grades) -------------
# Levels of the synthetic register by group of estates: "plan" (the estates of a bundled plan:
# areas on or near the § 61 a list) and "comparison" (other almene estates). Assumed plausible
# levels, each with its anchor:
# * outside work and education, 18-64: ~ 40-45 % in listed areas (the 2018-2021 lists: the
#   listed areas lie at 40-60 % against ~ 20-25 % nationally; Transport- og Boligministeriet,
#   "Liste over parallelsamfund" 1.12.2018-2021); comparison estates ~ 27 %;
# * employment (RAS, 16-64): ~ 45 % in listed areas, ~ 55-60 % in other almene estates,
#   ~ 75 % nationally (DST RAS200);
# * NEET 15-24: ~ 20 % in listed areas against ~ 8 % nationally (DST/AE, "unge uden
#   uddannelse og job");
# * non-Western immigrants and descendants: ~ 60 % in plan estates (listed parallelsamfund
#   50-80 %), ~ 38 % in comparison estates, ~ 9 % nationally (FOLK1E);
# * only grundskole, 30-59 (education known): ~ 50 % in plan estates (listed: 40-60 %),
#   ~ 35 % in comparison estates, ~ 20 % nationally (HFUDD11); education taken abroad and
#   not approved is "ukendt" for ~ 25 % of non-Western immigrants;
# * gross income 15-64 excl. students: ~ 205,000 kr. in plan estates, ~ 50-60 % of the
#   region (the list criterion is < 55 %), ~ 250,000 kr. in comparison estates; region and
#   national levels in REGION_INCOME / AGGREGATE_LEVELS (INDKP101: ~ 345,000-420,000 kr.);
# * children 1-5 in dagtilbud: ~ 78 % in plan estates, ~ 85 % in comparison estates, ~ 87 %
#   nationally (BOERN2 / DST "pasningsgrad");
# * 9th-graders with >= 2 in dansk and matematik: ~ 70 % in plan estates, ~ 80 % comparison,
#   ~ 88 % nationally (Børne- og Undervisningsministeriet, karakterstatistik).
# status thresholds per age band: (employed, outside, in education, other inside)
REGISTER_LEVELS: dict[str, dict] = {
    "plan": {
        "status": {(15, 17): (0.06, 0.04, 0.88, 0.02), (18, 24): (0.30, 0.22, 0.40, 0.08),
                   (25, 64): (0.46, 0.44, 0.04, 0.06)},
        "origin": {"ikke_vestlig": 0.60, "vestlig": 0.05},
        "education": {"ikke_vestlig": (0.25, 0.45, 0.22, 0.08), "other": (0.0, 0.38, 0.45, 0.17)},
        "income": {"employed": 260_000, "outside": 150_000, "education": 90_000, "other": 200_000,
                   "pension": 180_000},
        "dagtilbud_1_5": 0.78,
        "dansk_matematik_2": 0.70,
    },
    "comparison": {
        "status": {(15, 17): (0.07, 0.03, 0.88, 0.02), (18, 24): (0.38, 0.15, 0.40, 0.07),
                   (25, 64): (0.60, 0.28, 0.04, 0.08)},
        "origin": {"ikke_vestlig": 0.38, "vestlig": 0.05},
        "education": {"ikke_vestlig": (0.20, 0.38, 0.30, 0.12), "other": (0.0, 0.25, 0.50, 0.25)},
        "income": {"employed": 300_000, "outside": 160_000, "education": 95_000, "other": 220_000,
                   "pension": 190_000},
        "dagtilbud_1_5": 0.85,
        "dansk_matematik_2": 0.80,
    },
}
#: average gross income 15-64 excl. students by region (kr.), assumed from INDKP101 levels
REGION_INCOME = {"1081": 345_000, "1082": 360_000, "1083": 355_000, "1084": 420_000, "1085": 365_000}
#: the known effects of the bundled plans by focus-area outcome (percentage points on the
#: yearly probability, treated person-years from the plan's start year). aalborg-oest keeps
#: its -1.2 pp on sigtet_mistaenkt (profile.effect_pp).
PLAN_EFFECTS: dict[str, dict[str, float]] = {
    "aalborg-oest": {"sigtet_mistaenkt": -1.2, "uden_for_arbejde_uddannelse": -3.0, "fraflyttere": -2.0,
                     "dagtilbud_1_5": 5.0},
    "hvidovre-syd": {"uden_for_arbejde_uddannelse": -4.0, "fraflyttere": -2.0},
    "kolding-nord": {"neet": -4.0, "beskaeftigede": 3.0},
}
DEFAULT_EFFECTS = {"uden_for_arbejde_uddannelse": -3.0, "fraflyttere": -2.0}
# Aggregate (municipality, region, almene, country) levels of the new measures, as shares (%)
# or kr.; assumed plausible levels with the DST tables named above. Municipality levels use
# the "country" row unless given.
AGGREGATE_LEVELS: dict[str, dict[str, float]] = {
    "country": {"uden_for_arbejde_uddannelse": 21.0, "neet": 8.0, "beskaeftigede": 75.0, "kun_grundskole": 20.0,
                "ungdomsuddannelse_25": 80.0, "dansk_matematik_2": 88.0, "dagtilbud_1_5": 87.0,
                "ikke_vestlige": 9.0, "tilflyttere": 1.9, "fraflyttere": 1.6, "domfaeldte": 1.0,
                "bruttoindkomst": 375_000},
    "public_housing": {"uden_for_arbejde_uddannelse": 34.0, "neet": 14.0, "beskaeftigede": 58.0,
                       "kun_grundskole": 33.0, "ungdomsuddannelse_25": 65.0, "dansk_matematik_2": 80.0,
                       "dagtilbud_1_5": 84.0, "ikke_vestlige": 26.0, "tilflyttere": 13.0, "fraflyttere": 12.5,
                       "domfaeldte": 2.0, "bruttoindkomst": 255_000},
    "municipality": {"tilflyttere": 5.5, "fraflyttere": 5.2},
    "region": {"tilflyttere": 3.0, "fraflyttere": 2.8},
}
MUNICIPALITY_NONWESTERN = {"0851": 7.0, "0167": 17.0, "0621": 8.5}
#: share of the population in each age band (%), Denmark ~ 2015-2020 (FOLK1A)
BAND_SHARES = {"alle": 100.0, "1-5": 5.6, "10-17": 9.6, "15+": 82.5, "15-24": 12.8, "15-64": 64.0,
               "16-64": 62.7, "18+": 80.0, "18-64": 61.2, "25": 1.35, "30-59": 39.0, "9. klasse": 1.15}

#: comparison estates CMP-01..CMP-31 by municipality (kommunekode), in order
COMPARISON_MUNICIPALITIES: tuple[tuple[str, int], ...] = (
    ("0851", 4),   # Aalborg
    ("0101", 6),   # København
    ("0751", 5),   # Aarhus
    ("0461", 4),   # Odense
    ("0561", 3),   # Esbjerg
    ("0167", 3),   # Hvidovre
    ("0165", 3),   # Albertslund
    ("0621", 3),   # Kolding
)


def _fill(published: dict[int, float], years=YEARS, default: float | None = None) -> dict[int, float]:
    """Published values where there are some, else their mean (or ``default``)."""
    mean = sum(published.values()) / len(published) if default is None else default
    return {y: published.get(y, round(mean, 2)) for y in years}


@dataclass(frozen=True)
class Profile:
    """Calibration targets of one synthetic register profile (rates in % or per 1,000)."""

    name: str
    plan_file: str
    seed: int
    years: tuple[int, ...]
    #: residents of each plan estate (sizes chosen so that the plan has ~570 10-17-year-olds)
    plan_estate_sizes: tuple[int, ...]
    comparison_size_range: tuple[int, int]
    #: known effect: percentage points on the yearly probability that a 10-17-year-old in a
    #: plan estate is suspected or charged, from the plan's start year on
    effect_pp: float
    #: share of 10-17 suspected/charged, plan area (%); published 2012-2015 are pinned exactly
    youth_share_plan: dict[int, float]
    youth_share_plan_pinned: tuple[int, ...]
    #: published counts of persons, used instead of share x population where given
    youth_count_plan: dict[int, int]
    #: counterfactual level of the plan area after the published years (%), assumed
    youth_share_plan_base: float
    #: comparison estates (%): near the almene level
    youth_share_comparison: dict[int, float]
    #: persons 15+ per 1,000, by plan part and measure; published 2013-2016 are pinned
    adult_rates_part: dict[str, dict[str, dict[int, float]]]
    adult_rates_pinned: tuple[int, ...]
    adult_rates_comparison: dict[str, float]
    #: aggregate comparison levels: (level, area) -> population by year, youth share (%) and
    #: 15+ rates per 1,000
    aggregates: dict[tuple[str, str], dict] = field(default_factory=dict)


_HIMMERLAND = {  # BL-tal 2016, per 1,000 persons 15+
    "sigtelser": {2013: 89.2, 2014: 108.8, 2015: 76.6, 2016: 65.1},
    "sigtede": {2013: 37.3, 2014: 35.2, 2015: 40.9, 2016: 34.1},
    "afgoerelser": {2013: 36.0, 2014: 27.3, 2015: 34.4, 2016: 37.6},
}
_ALABU = {
    "sigtelser": {2013: 101.7, 2014: 128.6, 2015: 55.5, 2016: 63.8},
    "sigtede": {2013: 43.5, 2014: 42.5, 2015: 28.4, 2016: 28.9},
    "afgoerelser": {2013: 45.3, 2014: 46.1, 2015: 28.4, 2016: 25.4},
}
_AALBORG_15 = {
    "sigtelser": {2013: 25.8, 2014: 29.3, 2015: 27.0, 2016: 23.0},
    "sigtede": {2013: 11.3, 2014: 11.6, 2015: 12.1, 2016: 10.5},
    "afgoerelser": {2013: 10.6, 2014: 11.8, 2015: 12.4, 2016: 10.9},
}

# Common year pattern of the comparison estates (%), around the almene level 2.2 (assumed
# outside 2012-2015, a mild decline as nationally).
_COMPARISON_YOUTH = {2010: 2.3, 2011: 2.3, 2012: 2.3, 2013: 2.4, 2014: 2.1, 2015: 2.0, 2016: 2.1,
                     2017: 2.1, 2018: 2.0, 2019: 2.0, 2020: 1.9, 2021: 1.9, 2022: 1.9, 2023: 1.9}


def _aggregates() -> dict[tuple[str, str], dict]:
    def pop(start: int, growth: float) -> dict[int, int]:
        return {y: int(round(start * (1 + growth) ** (y - 2010), -2)) for y in YEARS}

    return {
        ("municipality", "0851"): {
            "name": "Aalborg Kommune",
            "population": pop(199_000, 0.0085),         # ~205,000 in 2013, ~220,000 in 2022
            "youth_pct_of_population": 9.4,
            "adult_pct_of_population": 83.0,
            "youth_share": _fill({2012: 1.1, 2013: 1.0, 2014: 0.8, 2015: 0.8}, default=0.85),
            "youth_published": (2012, 2013, 2014, 2015),
            "adult_rates": {m: _fill(v) for m, v in _AALBORG_15.items()},
            "adult_published": (2013, 2014, 2015, 2016),
        },
        ("public_housing", "almen"): {
            "name": "Almene boligsektor",
            "population": pop(990_000, 0.004),
            "youth_pct_of_population": 10.2,
            "adult_pct_of_population": 79.0,
            "youth_share": _fill({2012: 2.3, 2013: 2.4, 2014: 2.1, 2015: 2.0}, default=2.05),
            "youth_published": (2012, 2013, 2014, 2015),
            # assumed: about twice the national 15+ levels
            "adult_rates": {"sigtelser": _fill({}, default=48.0), "sigtede": _fill({}, default=21.0),
                            "afgoerelser": _fill({}, default=20.0)},
        },
        ("country", "DK"): {
            "name": "Hele landet",
            "population": pop(5_535_000, 0.0045),       # ~5.6-5.9 million
            "youth_pct_of_population": 9.6,
            "adult_pct_of_population": 82.5,
            "youth_share": _fill({2012: 1.0, 2013: 1.0, 2014: 0.9, 2015: 0.9}, default=0.9),
            "youth_published": (2012, 2013, 2014, 2015),
            # assumed national 15+ levels
            "adult_rates": {"sigtelser": _fill({}, default=24.0), "sigtede": _fill({}, default=10.5),
                            "afgoerelser": _fill({}, default=10.0)},
        },
    }


PROFILES: dict[str, Profile] = {
    "aalborg-oest": Profile(
        name="aalborg-oest",
        plan_file="aalborg-oest.yaml",
        seed=20170201,
        years=YEARS,
        plan_estate_sizes=(630, 525, 605, 555, 495, 650, 515, 580, 565),
        comparison_size_range=(250, 900),
        effect_pp=-1.2,
        youth_share_plan=_fill({2012: 2.7, 2013: 2.5, 2014: 4.0, 2015: 4.2}),
        youth_share_plan_pinned=(2012, 2013, 2014, 2015),
        youth_count_plan={2015: 24},
        youth_share_plan_base=3.35,
        youth_share_comparison=_COMPARISON_YOUTH,
        adult_rates_part={
            "himmerland": {m: _fill(v) for m, v in _HIMMERLAND.items()},
            "alabu-lejerbo": {m: _fill(v) for m, v in _ALABU.items()},
        },
        adult_rates_pinned=(2013, 2014, 2015, 2016),
        adult_rates_comparison={"sigtelser": 60.0, "sigtede": 25.0, "afgoerelser": 24.0},
        aggregates=_aggregates(),
    ),
}
