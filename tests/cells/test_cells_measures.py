"""The measures of domain/measures.yaml on a hand-made register with the optional columns:
every expected cell counted by hand; the three engines give identical cells."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from evaluering.cells import count_cells, reference_cells
from evaluering.cells.measures import load_measures, measure_plan, municipality_regions, region_names
from evaluering.cellschema import KEY_COLUMNS

ESTATES = pd.DataFrame({"estate_id": ["A", "B"], "plan_id": ["P", None], "plan_part": [None, None],
                        "municipality": ["0851", "0851"]})
_COLS = ["person_id", "year", "estate_id", "municipality", "birth_year", "sex", "status", "education",
         "in_education", "income", "origin", "dagtilbud", "grade9_dansk", "grade9_matematik"]
PERSONS = pd.DataFrame([
    (1, 2015, "A", "0851", 1980, "M", "kontanthjaelp", "grundskole", False, 150000, "ikke_vestlig", None, None, None),
    (1, 2016, "A", "0851", 1980, "M", "beskaeftiget", "grundskole", False, 260000, "ikke_vestlig", None, None, None),
    (1, 2017, "B", "0851", 1980, "M", "134", "grundskole", False, 270000, "ikke_vestlig", None, None, None),
    (2, 2015, "A", "0851", 1990, "K", "under_uddannelse", "ungdomsuddannelse", True, 90000, "dansk", None, None, None),
    (2, 2016, "A", "0851", 1990, "K", "SU", "ungdomsuddannelse", True, 95000, "dansk", None, None, None),
    (3, 2015, "B", "0851", 2000, "M", None, "grundskole", False, 0, "vestlig", None, 4, 2),
    (3, 2016, "A", "0851", 2000, "M", None, "grundskole", False, 12000, "vestlig", None, None, None),
    (3, 2017, "A", "0851", 2000, "M", "beskaeftiget", "grundskole", False, 180000, "vestlig", None, None, None),
    (4, 2015, "A", "0851", 2012, "K", "barn", None, False, None, "ikke_vestlig", True, None, None),
    (4, 2016, "A", "0851", 2012, "K", "barn", None, False, None, "ikke_vestlig", False, None, None),
    (4, 2017, "A", "0851", 2012, "K", "barn", None, False, None, "ikke_vestlig", True, None, None),
    (5, 2015, None, "0101", 1970, "K", "ledig", "ukendt", False, 200000, "ikke_vestlig", None, None, None),
    (5, 2016, "A", "0851", 1970, "K", "foertidspension", "ukendt", False, 210000, "ikke_vestlig", None, None, None),
    (5, 2017, "A", "0851", 1970, "K", "beskaeftiget", "ukendt", False, 220000, "ikke_vestlig", None, None, None),
    (6, 2016, "A", "0851", 2001, "M", None, "grundskole", True, 5000, "ikke_vestlig", None, 7, 0),
    (6, 2017, "A", "0851", 2001, "M", None, "grundskole", True, 8000, "ikke_vestlig", None, None, None),
], columns=_COLS)
EVENTS = pd.DataFrame([
    (1, "2015-03-01", "straffeloven", "afgoerelse", "dom"),
    (5, "2016-05-01", "straffeloven", "afgoerelse", "frifindelse"),
    (2, "2016-06-01", "euforiserende_stoffer", "afgoerelse", None),     # no decision given: a conviction
    (3, "2016-07-01", "anden", "afgoerelse", "dom"),                     # another law: not counted
], columns=["person_id", "date", "law", "kind", "decision"])


def cell(cells, level, area, year, band, sex, measure):
    sel = cells[(cells.level == level) & (cells.area == area) & (cells.year == year) & (cells.age_band == band)
                & (cells.sex == sex) & (cells.measure == measure)]
    assert len(sel) == 1, (level, area, year, band, sex, measure)
    return int(sel.numerator.iloc[0]), int(sel.denominator.iloc[0])


def absent(cells, level, area, year, sex, measure):
    return cells[(cells.level == level) & (cells.area == area) & (cells.year == year) & (cells.sex == sex)
                 & (cells.measure == measure)].empty


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("measures")
    p = PERSONS.copy()
    for c in ("estate_id", "status", "education", "origin"):
        p[c] = p[c].astype("string")
    p["income"] = p["income"].astype("Int64")
    p["dagtilbud"] = p["dagtilbud"].astype("boolean")
    p.to_parquet(d / "p.parquet", index=False)
    e = EVENTS.assign(date=pd.to_datetime(EVENTS.date).dt.date, decision=EVENTS.decision.astype("string"))
    e.to_parquet(d / "e.parquet", index=False)
    ESTATES.to_csv(d / "m.csv", index=False)
    PERSONS.to_csv(d / "p.csv", index=False, sep=";")
    EVENTS.to_csv(d / "e.csv", index=False)
    return d


@pytest.fixture(scope="module")
def cells(files):
    return count_cells(files / "p.parquet", files / "e.parquet", files / "m.csv").cells


def test_register_measures_counted_by_hand(cells):
    c = cells
    assert cell(c, "estate", "A", 2015, "alle", "K", "beboere") == (2, 2)
    assert cell(c, "estate", "A", 2015, "18-64", "M", "uden_for_arbejde_uddannelse") == (1, 1)   # kontanthjælp
    assert cell(c, "estate", "A", 2015, "18-64", "K", "uden_for_arbejde_uddannelse") == (0, 1)   # SU
    assert cell(c, "estate", "A", 2016, "18-64", "K", "uden_for_arbejde_uddannelse") == (1, 2)   # førtidspension
    assert cell(c, "estate", "A", 2015, "30-59", "M", "kun_grundskole") == (1, 1)
    # person 5's education is unknown: not in the population of kun_grundskole
    assert absent(c, "estate", "A", 2016, "K", "kun_grundskole")
    assert cell(c, "estate", "A", 2015, "25", "K", "ungdomsuddannelse_25") == (1, 1)
    assert cell(c, "estate", "A", 2015, "15-64", "M", "bruttoindkomst") == (150_000, 1)
    assert cell(c, "estate", "A", 2015, "15-64", "M", "bruttoindkomst_kvadratsum") == (150_000 ** 2 // 1000, 1)
    assert absent(c, "estate", "A", 2015, "K", "bruttoindkomst")          # the only K 15-64 is a student
    assert cell(c, "estate", "A", 2016, "15-64", "M", "bruttoindkomst") == (260_000 + 12_000, 2)
    assert cell(c, "estate", "A", 2015, "alle", "K", "ikke_vestlige") == (1, 2)
    assert cell(c, "estate", "A", 2015, "1-5", "K", "dagtilbud_1_5") == (1, 1)
    assert cell(c, "estate", "A", 2016, "1-5", "K", "dagtilbud_1_5") == (0, 1)
    assert cell(c, "estate", "B", 2015, "15-24", "M", "neet") == (1, 1)          # no status, not in education
    assert cell(c, "estate", "A", 2016, "15-24", "M", "neet") == (1, 2)          # 3 yes; 6 in education
    assert cell(c, "estate", "B", 2015, "9. klasse", "M", "dansk_matematik_2") == (1, 1)
    assert cell(c, "estate", "A", 2016, "9. klasse", "M", "dansk_matematik_2") == (0, 1)   # 0 in matematik
    assert cell(c, "estate", "A", 2016, "16-64", "M", "beskaeftigede") == (1, 2)
    assert cell(c, "estate", "B", 2017, "16-64", "M", "beskaeftigede") == (1, 1)   # SOCIO13 code 134
    assert cell(c, "municipality", "0851", 2016, "16-64", "K", "beskaeftigede") == (0, 2)
    assert cell(c, "region", "1081", 2017, "18-64", "K", "uden_for_arbejde_uddannelse") == (0, 1)
    assert cell(c, "region", "1084", 2015, "18-64", "K", "uden_for_arbejde_uddannelse") == (1, 1)   # ledig


def test_convictions_by_hand(cells):
    c = cells
    assert cell(c, "estate", "A", 2015, "18+", "M", "domfaeldte") == (1, 1)
    # frifindelse is not a conviction (dom and bøde are); a missing decision counts as one; another law does not
    assert cell(c, "estate", "A", 2016, "18+", "K", "domfaeldte") == (1, 2)
    assert cell(c, "estate", "A", 2016, "15+", "M", "afgoerelser") == (1, 3)


def test_movers_by_hand(cells):
    c = cells
    assert absent(c, "estate", "A", 2015, "M", "tilflyttere")                  # the first year has no year before
    assert cell(c, "estate", "A", 2016, "alle", "M", "tilflyttere") == (2, 3)  # 3 from B, 6 new in Denmark
    assert cell(c, "estate", "A", 2016, "alle", "K", "tilflyttere") == (1, 3)  # 5 from Copenhagen
    assert cell(c, "estate", "A", 2016, "alle", "K", "fraflyttere") == (0, 2)
    assert cell(c, "estate", "A", 2017, "alle", "M", "fraflyttere") == (1, 3)  # 1 to B
    assert cell(c, "estate", "A", 2017, "alle", "K", "fraflyttere") == (1, 3)  # 2 left the register
    assert cell(c, "estate", "A", 2017, "alle", "M", "tilflyttere") == (0, 2)
    assert absent(c, "estate", "A", 2018, "M", "fraflyttere")                  # no year after the last
    assert cell(c, "public_housing", "almen", 2016, "alle", "M", "tilflyttere") == (1, 3)   # B -> A stays almen
    assert cell(c, "municipality", "0851", 2016, "alle", "K", "tilflyttere") == (1, 3)
    assert cell(c, "municipality", "0101", 2016, "alle", "K", "fraflyttere") == (1, 1)
    assert cell(c, "region", "1081", 2016, "alle", "K", "tilflyttere") == (1, 3)
    assert cell(c, "country", "DK", 2016, "alle", "K", "tilflyttere") == (0, 3)
    assert cell(c, "country", "DK", 2016, "alle", "M", "tilflyttere") == (1, 3)
    assert cell(c, "country", "DK", 2017, "alle", "K", "fraflyttere") == (1, 3)
    assert cell(c, "plan", "P", 2017, "alle", "M", "fraflyttere") == (1, 3)


def _sorted(c):
    return c.sort_values(list(KEY_COLUMNS)).reset_index(drop=True)


def test_three_engines_identical(files, cells):
    ref = reference_cells(files / "p.parquet", files / "e.parquet", files / "m.csv")
    pd.testing.assert_frame_equal(_sorted(cells), _sorted(ref))
    dask = count_cells(files / "p.parquet", files / "e.parquet", files / "m.csv", engine="dask", threads=1).cells
    pd.testing.assert_frame_equal(dask, cells)


def test_csv_register_columns_give_the_same_cells(files, cells):
    res = count_cells(files / "p.csv", files / "e.csv", files / "m.csv")
    pd.testing.assert_frame_equal(res.cells, cells)


def test_absent_inputs_skip_their_measures_with_a_log_line(files, tmp_path, caplog):
    PERSONS[_COLS[:6]].to_csv(tmp_path / "p.csv", index=False)
    with caplog.at_level(logging.INFO, logger="evaluering.cells.measures"):
        c = count_cells(tmp_path / "p.csv", files / "e.csv", files / "m.csv").cells
    assert set(c.measure) == {"beboere", "sigtelser", "sigtede", "afgoerelser", "sigtet_mistaenkt", "domfaeldte",
                              "tilflyttere", "fraflyttere"}
    assert "kun_grundskole" in caplog.text and "education" in caplog.text


def test_unknown_code_is_a_located_error(files, tmp_path):
    from evaluering.errors import InputError

    bad = PERSONS.copy()
    bad.loc[4, "education"] = "phd"
    bad.to_csv(tmp_path / "p.csv", index=False)
    with pytest.raises(InputError) as err:
        count_cells(tmp_path / "p.csv", files / "e.csv", files / "m.csv")
    assert err.value.row == 6 and "education" in str(err.value) and "phd" not in str(err.value)


def test_every_measure_declared_once_with_a_known_kind():
    measures, doc = load_measures()
    contract = {"beboere", "sigtelser", "sigtede", "afgoerelser", "sigtet_mistaenkt", "domfaeldte",
                "uden_for_arbejde_uddannelse", "neet", "beskaeftigede", "kun_grundskole", "ungdomsuddannelse_25",
                "dansk_matematik_2", "bruttoindkomst", "bruttoindkomst_kvadratsum", "dagtilbud_1_5", "ikke_vestlige",
                "tilflyttere", "fraflyttere"}
    assert contract <= set(measures)
    assert measure_plan({"status", "education", "in_education", "income", "origin", "dagtilbud",
                         "grade9_dansk", "grade9_matematik"}).skipped == {}


def test_adding_a_measure_is_yaml_only(tmp_path, files):
    """A new measure on existing columns: a few lines of YAML, the same three engines."""
    import yaml

    from evaluering.cells import measures as m

    doc = yaml.safe_load(m.MEASURES_FILE.read_text(encoding="utf-8"))
    doc["measures"]["folkepensionister"] = {"label": "Folkepensionister", "age_band": "65+", "ages": [65, 130],
                                            "inputs": ["status"], "numerator": {"count": "status == 'folkepension'"}}
    path = tmp_path / "measures.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    plan = measure_plan({"status"}, path=path)
    assert "folkepensionister" in plan.measures
    assert "folkepension" in plan.sql_aggregates()[-1] or any("folkepension" in a for a in plan.sql_aggregates())


def test_98_municipalities_in_5_regions():
    regions = municipality_regions()
    assert len(regions) == 98
    assert set(regions.values()) == {"1081", "1082", "1083", "1084", "1085"} == set(region_names())
    counts = pd.Series(list(regions.values())).value_counts().to_dict()
    # Hovedstaden 29, Sjælland 17, Syddanmark 22, Midtjylland 19, Nordjylland 11
    assert counts == {"1084": 29, "1083": 22, "1082": 19, "1085": 17, "1081": 11}
    assert regions[851] == "1081" and regions[101] == "1084" and regions[621] == "1083" and regions[167] == "1084"


@pytest.fixture(scope="module")
def cohort_cells(files):
    levels = ("estate", "cohort", "cohort_stayers", "cohort_stayers_base")
    return count_cells(files / "p.parquet", files / "e.parquet", files / "m.csv", levels=levels,
                       cohort_years=(2015,)).cells


def test_cohort_levels_by_hand(cohort_cells):
    c = cohort_cells
    # cohort A@2015 = persons 1, 2, 4; in 2017 person 1 lives in B (employed), 2 has left
    assert cell(c, "cohort", "A@2015", 2017, "alle", "M", "beboere") == (1, 1)
    assert cell(c, "cohort", "A@2015", 2017, "16-64", "M", "beskaeftigede") == (1, 1)
    assert absent(c, "cohort_stayers", "A@2015", 2017, "M", "beboere")          # 1 moved out of A
    assert cell(c, "cohort_stayers", "A@2015", 2017, "alle", "K", "beboere") == (1, 1)   # 4 stayed
    assert cell(c, "cohort_stayers", "A@2015", 2016, "alle", "K", "beboere") == (2, 2)   # 2 and 4
    # stayers of 2016 measured in 2015: person 1 was on kontanthjælp in 2015
    assert cell(c, "cohort_stayers_base", "A@2015", 2016, "18-64", "M", "uden_for_arbejde_uddannelse") == (1, 1)
    assert cell(c, "cohort", "B@2015", 2016, "15-24", "M", "neet") == (1, 1)      # person 3 followed into A
    assert cell(c, "cohort", "A@2015", 2015, "alle", "K", "beboere") == cell(c, "estate", "A", 2015, "alle", "K", "beboere")


def test_cohort_levels_three_engines(files, cohort_cells):
    levels = ("estate", "cohort", "cohort_stayers", "cohort_stayers_base")
    ref = reference_cells(files / "p.parquet", files / "e.parquet", files / "m.csv", levels=levels, cohort_years=(2015,))
    pd.testing.assert_frame_equal(_sorted(cohort_cells), _sorted(ref))
    dask = count_cells(files / "p.parquet", files / "e.parquet", files / "m.csv", engine="dask", threads=1,
                       levels=levels, cohort_years=(2015,)).cells
    pd.testing.assert_frame_equal(dask, cohort_cells)


def test_decomposition_against_a_hand_calculation(cohort_cells):
    from evaluering.did.composition import decompose

    d = decompose(cohort_cells, ["A"], "uden_for_arbejde_uddannelse", "18-64", 2015, 2016)
    # 2015, A, 18-64: persons 1 (kontanthjælp) and 2 (SU): 1 of 2 outside
    # 2016: 1 (employed), 2 (SU), 5 (førtidspension, moved in): 1 of 3
    # stayers 1 and 2: 1 of 2 in 2015, 0 of 2 in 2016; movers in: person 5 (1 of 1); nobody moved out
    assert d.counts == {"area0": (1, 2), "area1": (1, 3), "stay0": (1, 2), "stay1": (0, 2), "in": (1, 1),
                        "out": (0, 0)}
    assert d.change == pytest.approx(1 / 3 - 1 / 2)
    assert d.stayers == pytest.approx(0 - 1 / 2)
    assert d.movers_in == pytest.approx(1 / 3 * (1 - 0))
    assert d.movers_out == 0
    assert d.stayers + d.movers_in + d.movers_out == pytest.approx(d.change)
    # 2015 -> 2017: person 1 moved to B (out), 2 left Denmark (out), 5 and 3 moved in
    d = decompose(cohort_cells, ["A"], "beboere", "alle", 2015, 2017)
    assert d.counts["stay1"] == (1, 1) and d.counts["out"] == (2, 2) and d.counts["in"] == (3, 3)
