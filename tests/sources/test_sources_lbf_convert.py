"""LBF importer and the conversion of real sources into report inputs. The StatBank answers
here are the INVENTED fixtures of tests/data/dst/ (formulas in make_invented.py); the real
answers are tested in test_sources_dst_real.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from evaluering.errors import InputError
from evaluering.sources.convert import (DstRecipe, convert, population_from_folk1a, statbank_cells)
from evaluering.sources.dst import parse_bulk, read_bulk
from evaluering.sources.lbf import read_lbf

ROOT = Path(__file__).resolve().parents[2]
LBF = ROOT / "tests" / "data" / "lbf"
DST = ROOT / "tests" / "data" / "dst"
PUBLISHED = ROOT / "data" / "raw" / "published" / "andel_sigtede_10_17.csv"


def published_t2():
    df = pd.read_csv(PUBLISHED, dtype={"area": str})
    return {(r.level, r.area, int(r.year)): float(r.value) for r in df.itertuples()}


@pytest.mark.parametrize("name", ["indikator6_wide.xlsx", "indikator6_long.xlsx", "indikator6_long_cp1252.csv"])
def test_lbf_layouts_reproduce_the_published_table(name):
    f = read_lbf(LBF / name)
    got = {(r.level, r.area, int(r.year)): r.value for r in f.itertuples() if pd.notna(r.value)}
    assert got == published_t2()                      # same 16 printed values, same area ids
    assert set(f["indicator"]) == {"andel_sigtede_10_17"}


def test_lbf_suppressed_values_are_missing_with_reason():
    f = read_lbf(LBF / "indikator6_wide.xlsx")
    est = f[f["level"] == "estate"].sort_values("year")
    assert est["value"].isna().all()
    assert est["value_note"].tolist() == ["suppressed (..)", "suppressed (fewer than 5)", "suppressed (x)",
                                          "not available (-)"]
    long = read_lbf(LBF / "indikator6_long.xlsx")
    row = long[long["level"] == "estate"].iloc[0]
    assert pd.isna(row["value"]) and pd.isna(row["count"]) and row["count_note"] == "suppressed (fewer than 5)"
    plan2015 = long[(long["level"] == "plan") & (long["year"] == 2015)].iloc[0]
    assert plan2015["count"] == 24
    # the line numbers point into the sheet (title lines above the header)
    assert long.attrs["lines"][0] == 4


def test_lbf_count_above_base(tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Niveau", "Område", "Indikator", "År", "Værdi", "Antal", "Grundlag"])
    ws.append(["Afdeling", "AO-01", "6", 2015, 4.0, 30, 20])
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(InputError) as e:
        read_lbf(tmp_path / "x.xlsx")
    assert (e.value.row, e.value.column) == (2, "Antal") and "above its base" in e.value.message


def _info(name):
    import json
    return json.loads((DST / name).read_text(encoding="utf-8"))


FOLK1A_INFO = "real/tableinfo_folk1a_dst-skills.json"
STRAF44_INFO = "tableinfo_straf44_INVENTED.json"


def test_population_and_statbank_cells_by_hand():
    """On the INVENTED fixtures (formulas in tests/data/dst/make_invented.py)."""
    folk = read_bulk(DST / "folk1a_bulk.csv")
    pop = population_from_folk1a(folk, ["15+", "10-17"], info=_info(FOLK1A_INFO))
    p = pop.set_index(["level", "area", "year", "age_band", "sex"])["persons"]
    # 851, men, 2015K1, age a -> 610 + 7a for ages 0-99, 0 for 100-125
    assert p[("municipality", "0851", 2015, "15+", "M")] == sum(610 + 7 * a for a in range(15, 100))
    # 2016K1 adds 11 (the 2016K2 rows, +1011, are not 1 January); 10-17 = ages 10..17
    assert p[("municipality", "0851", 2016, "10-17", "K")] == sum(590 + 7 * a + 11 for a in range(10, 18))
    assert p[("country", "DK", 2016, "10-17", "all")] == sum(3100 + 2950 + 14 * a + 22 for a in range(10, 18))
    warnings = []
    straf44 = parse_bulk((DST / "straf44_bulk.csv").read_bytes(), suppressed_value="0")   # its tableinfo's
    cells = statbank_cells(straf44, pop, DstRecipe("afgoerelser", "STRAF44", "15+"), warnings, info=_info(STRAF44_INFO))
    c = cells.set_index(["level", "area", "year", "sex"])
    # STRAF44 fixture: 851 men 10 per age group, 17 groups 15..80-; TOT and unknown age (UA) not added
    assert c.loc[("municipality", "0851", 2015, "M"), "numerator"] == 170
    assert c.loc[("municipality", "0851", 2015, "M"), "denominator"] == sum(610 + 7 * a for a in range(15, 100))
    assert c.loc[("country", "DK", 2016, "K"), "numerator"] == 50 * 17
    # the '..' (851 K 80- 2016) and the '0' of suppressedDataValue (000 K 80- 2015) leave their cells out
    assert ("municipality", "0851", 2016, "K") not in c.index
    assert ("country", "DK", 2015, "K") not in c.index and ("country", "DK", 2015, "M") in c.index
    assert any("suppressed" in w and "not set to 0" in w for w in warnings)
    s22 = statbank_cells(read_bulk(DST / "straf22_bulk.csv"), pop,
                         DstRecipe("sigtelser", "STRAF22", "15+", filters={"anmsigt": ["SIG"]}))
    s = s22.set_index(["level", "area", "year", "sex"])
    # OVERTRÆD not filtered: only its total TOT is used (the suppressed OVERTRÆD=1 row is not added)
    assert s.loc[("municipality", "0851", 2016, "all"), "numerator"] == 2500 * 4 + 37


def test_suppressed_zero_in_a_cache_is_missing(statbank_cache):
    from evaluering.sources.dst import cached_queries
    q = cached_queries(statbank_cache, "STRAF44")[0]
    f = read_bulk(q["path"])                       # tableinfo beside it: suppressedDataValue "0"
    zero = f[(f["område"] == "000") & (f["køn"] == "K") & (f["alder"] == "80-") & (f["tid"] == "2015")]
    assert zero["value"].isna().all() and "diskretioneret" in zero["note"].iloc[0]
    folk = read_bulk(cached_queries(statbank_cache, "FOLK1A")[0]["path"])
    assert (folk.loc[folk["alder"] == "125", "value"] == 0).all()   # FOLK1A: zeros are counts


def test_unfiltered_variable_never_multiplies_the_population():
    folk = read_bulk(DST / "folk1a_bulk.csv")
    # the same answer with CIVILSTAND split (U + G = TOT): only TOT may be summed
    extra = folk.copy()
    u, g = extra.copy(), extra.copy()
    u["civilstand"], g["civilstand"] = "U", "G"
    u["value"], g["value"] = extra["value"] - 5, 5.0
    both = pd.concat([extra, u, g], ignore_index=True)
    p1 = population_from_folk1a(folk, ["15+"], info=_info(FOLK1A_INFO))
    p2 = population_from_folk1a(both, ["15+"], info=_info(FOLK1A_INFO))
    assert p1.equals(p2)
    only_parts = pd.concat([u, g], ignore_index=True)
    with pytest.raises(InputError) as e:
        population_from_folk1a(only_parts, ["15+"], info=_info(FOLK1A_INFO))
    assert e.value.column == "CIVILSTAND" and "summing over CIVILSTAND (2 values, no total code)" in e.value.message


def test_missing_age_is_an_error_not_a_smaller_denominator():
    folk = read_bulk(DST / "folk1a_bulk.csv")
    cut = folk[~((folk["område"] == "851") & (folk["alder"] == "38"))]
    with pytest.raises(InputError) as e:
        population_from_folk1a(cut, ["15+"], info=_info(FOLK1A_INFO))
    assert e.value.column == "ALDER" and "mangler 1 aldersgruppe(r) i 15+ for område 851" in e.value.message
    assert ": 38;" in e.value.message
    # 10-17 does not need age 38
    assert len(population_from_folk1a(cut, ["10-17"], info=_info(FOLK1A_INFO)))
    # a numerator age group missing too
    num = read_bulk(DST / "straf44_bulk.csv")
    num = num[~((num["område"] == "851") & (num["alder"] == "30-39"))]
    pop = population_from_folk1a(folk, ["15+"], info=_info(FOLK1A_INFO))
    with pytest.raises(InputError, match="STRAF44 mangler 1 aldersgruppe"):
        statbank_cells(num, pop, DstRecipe("afgoerelser", "STRAF44", "15+"), info=_info(STRAF44_INFO))


def test_statbank_cells_refuse_an_ambiguous_sum():
    folk = read_bulk(DST / "folk1a_bulk.csv")
    pop = population_from_folk1a(folk, ["15+"])
    num = read_bulk(DST / "straf22_bulk.csv")
    with pytest.raises(InputError, match="ANMSIGT"):
        statbank_cells(num, pop, DstRecipe("sigtelser", "STRAF22", "15+"))


def test_convert_with_no_cells_for_a_measure_is_an_error(tmp_path, statbank_cache, capsys):
    """Years of STRAF44 that FOLK1A does not have: 0 cells for 'afgoerelser' is exit 2."""
    from evaluering.cli import main
    from evaluering.sources.dst import cached_queries
    q = cached_queries(statbank_cache, "STRAF44")[0]["path"]
    q.write_bytes(q.read_bytes().replace(b";2015;", b";2009;").replace(b";2016;", b";2010;"))
    out = tmp_path / "real"
    code = main(["convert", "--plan", "aalborg-oest", "--out", str(out), "--dst-cache", str(statbank_cache)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists() and "Traceback" not in err
    assert f"{q}:1:INDHOLD: 0 tællingsceller for målet 'afgoerelser' fra STRAF44 og FOLK1A" in err
    assert "no FOLK1A population" in err


def test_convert_builds_report_inputs(tmp_path, statbank_cache):
    logs = tmp_path / "logs"
    shutil.copytree(ROOT / "data" / "raw" / "logs", logs, ignore=shutil.ignore_patterns("*.md"))
    out = tmp_path / "real"
    res = convert("aalborg-oest", out, dst_cache=statbank_cache, lbf=[LBF / "indikator6_long.xlsx"], logs=logs)
    # afgørelser: 2 areas x 2 years x M/K = 8, minus the 2 with a suppressed part; sigtelser: 2 x 2
    assert res.cells == 6 + 4 and res.published_values == 16 and res.suppressed_values == 1
    assert sorted(res.logs) == ["courses", "events", "meetings", "milestones", "qualitative", "ssp"]
    from evaluering.cellschema import check_cells
    from evaluering.plan import load_plan
    from evaluering.published import load_published
    check_cells(pd.read_parquet(out / "cells.parquet"))
    pub = load_published(out / "published")
    got = {(r.level, r.area, int(r.year)): r.value for r in pub.values.itertuples()}
    assert got == published_t2()
    plan = load_plan(res.plan_file)
    assert plan.data["synthetic"] is False
    assert plan.data_path("cells") == (out / "cells.parquet").resolve() or plan.data_path("cells") == out / "cells.parquet"
    assert Path(plan.data_path("ssp_log")).name == "ssp_sager.csv"


def test_convert_bad_log_writes_nothing(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    shutil.copy(ROOT / "tests" / "data" / "bad" / "ssp_negative_count.csv", logs / "ssp.csv")
    out = tmp_path / "real"
    with pytest.raises(InputError) as e:
        convert("aalborg-oest", out, lbf=[LBF / "indikator6_wide.xlsx"], logs=logs)
    assert e.value.row == 3 and e.value.column == "Antal sager"
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["logs"]     # no temporary folder left


def test_convert_cli(tmp_path, capsys):
    from evaluering.sources.convert import main
    out = tmp_path / "real"
    assert main(["--plan", "aalborg-oest", "--out", str(out), "--lbf", str(LBF / "indikator6_wide.xlsx")]) == 0
    assert capsys.readouterr().out.startswith("OK: 0 count cells, 16 published values (4 suppressed)")
    assert main(["--plan", "aalborg-oest", "--out", str(out), "--lbf", str(ROOT / "tests/data/bad/lbf_negative.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "lbf_negative.xlsx:2:2013: negative value" in err and "Traceback" not in err
    assert (out / "published" / "lbf_values.csv").exists()    # the earlier output is untouched


def test_convert_with_printed_tables_feeds_the_evaluation(tmp_path, statbank_cache):
    """The documented sequence without the notebook: convert, then evaluate the derived plan."""
    from evaluering.evaluation import evaluate
    out = tmp_path / "real"
    res = convert("aalborg-oest", out, dst_cache=statbank_cache, lbf=[LBF / "indikator6_long.xlsx"],
                  logs=ROOT / "data" / "raw" / "logs", printed=ROOT / "data" / "raw" / "published")
    assert any("16 printed value(s) replaced by the LBF export (equal)" in w for w in res.warnings)
    names = sorted(p.name for p in (out / "published").iterdir())
    assert names == ["kriminalitet_15plus.csv", "lbf_suppressed.csv", "lbf_values.csv", "naerpoliti_2015.csv",
                     "printed_averages.csv"]
    # the printed T1 table is carried over unchanged
    assert (out / "published" / "kriminalitet_15plus.csv").read_text(encoding="utf-8") == \
        (ROOT / "data" / "raw" / "published" / "kriminalitet_15plus.csv").read_text(encoding="utf-8-sig")
    ev = evaluate(res.plan_file, 2020)
    k1 = ev.criteria.set_index("id").loc["K1"]
    assert k1["baseline_value"] == 4.2 and k1["baseline_count"] == 24       # from the LBF export
    assert k1["baseline_source"] == "Boligsociale Data, Landsbyggefonden"
    assert k1["target_value"] == pytest.approx(3.15)
    assert not ev.synthetic
    assert ev.to_dict()["criteria"]                                        # JSON-able
    afg = ev.series["afgoerelser_15plus"]
    cell = afg[(afg["level"] == "municipality") & (afg["year"] == 2015)]
    # INVENTED StatBank fixture: 851 afgørelser 2015 = 10 (M) + 5 (K) per age group, 17 groups;
    # FOLK1A 15+ both sexes (ages 15-99 by formula, 100-125 are 0)
    persons = sum(610 + 7 * a for a in range(15, 100)) + sum(590 + 7 * a for a in range(15, 100))
    # the printed T1 value (12,4) is shown; the value computed from the StatBank cells sits beside it
    assert cell["value"].iloc[0] == 12.4 and bool(cell["published"].iloc[0])
    assert cell["computed_value"].iloc[0] == pytest.approx(1000 * (170 + 85) / persons)


def test_corrupt_statbank_cache_is_a_located_error(tmp_path, statbank_cache, capsys):
    from evaluering.cli import main
    q = next((statbank_cache / "STRAF44").glob("*.query.json"))
    q.write_text('{"table": "STRAF44", "varia', encoding="utf-8")
    assert main(["convert", "--plan", "aalborg-oest", "--out", str(tmp_path / "o"), "--dst-cache",
                 str(statbank_cache)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"evaluering convert: {q}:1:") and err.count("\n") == 1 and "Traceback" not in err
    with pytest.raises(InputError) as e:
        convert("aalborg-oest", tmp_path / "o", dst_cache=statbank_cache)
    assert e.value.path == str(q) and e.value.message == "not a readable StatBank cache file (JSONDecodeError)"
    info = statbank_cache / "FOLK1A" / "tableinfo.json"
    q.unlink()
    info.write_bytes(b"\x00\x01 not json")
    assert main(["convert", "--plan", "aalborg-oest", "--out", str(tmp_path / "o"), "--dst-cache",
                 str(statbank_cache)]) == 2
    assert "tabelinfo i cachen er ødelagt" in capsys.readouterr().err


def test_text_presentation_answer_gives_the_same_cells_as_codes(tmp_path, statbank_cache):
    """The invented FOLK1A answer rewritten in text presentation (texts of the real tableinfo)."""
    import json as _json
    from evaluering.sources.dst import cached_queries, to_codes
    info = _info(FOLK1A_INFO)
    texts = {v["id"]: {x["id"]: x["text"] for x in v["values"]} for v in info["variables"]}
    folk = read_bulk(cached_queries(statbank_cache, "FOLK1A")[0]["path"])
    text = folk.copy()
    for col, var in (("område", "OMRÅDE"), ("køn", "KØN"), ("alder", "ALDER"), ("civilstand", "CIVILSTAND")):
        text[col] = [texts[var][c] for c in folk[col]]
    assert text["område"].iloc[0] == "Hele landet" and text["alder"].iloc[1] == "0 år"
    back = to_codes(text, info)
    pd.testing.assert_frame_equal(back, folk)
    assert _json.dumps(population_from_folk1a(back, ["15+"], info=info).to_dict()) == \
        _json.dumps(population_from_folk1a(folk, ["15+"], info=info).to_dict())
