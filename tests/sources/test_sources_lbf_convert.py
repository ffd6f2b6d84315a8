"""LBF importer and the conversion of real sources into report inputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from evaluering.errors import InputError
from evaluering.sources.convert import (DstRecipe, convert, population_from_folk1a, statbank_cells)
from evaluering.sources.dst import read_bulk
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


def test_population_and_statbank_cells_by_hand():
    folk = read_bulk(DST / "folk1a_bulk.csv")
    pop = population_from_folk1a(folk, ["15+", "10-17"])
    p = pop.set_index(["level", "area", "year", "age_band", "sex"])["persons"]
    # fixture: 851, men, 2015K1, age a -> 610 + 7a; ages 15..18 in the fixture
    assert p[("municipality", "0851", 2015, "15+", "M")] == sum(610 + 7 * a for a in range(15, 19))
    # 2016K1 adds 11; 10-17 = ages 10..17
    assert p[("country", "DK", 2016, "10-17", "K")] == sum(2950 + 7 * a + 11 for a in range(10, 18))
    assert p[("country", "DK", 2016, "10-17", "all")] == sum(3100 + 2950 + 14 * a + 22 for a in range(10, 18))
    warnings = []
    cells = statbank_cells(read_bulk(DST / "straf44_bulk.csv"), pop, DstRecipe("afgoerelser", "STRAF44", "15+"), warnings)
    c = cells.set_index(["level", "area", "year", "sex"])
    # STRAF44 fixture: 851, M: 60 + 3*len("15-17") + 5 = 80 per age group, two groups
    assert c.loc[("municipality", "0851", 2015, "M"), "numerator"] == 160
    assert c.loc[("municipality", "0851", 2015, "M"), "denominator"] == sum(610 + 7 * a for a in range(15, 19))
    # the one suppressed value (851, K, 18-24, 2016) leaves its cell out instead of a 0
    assert ("municipality", "0851", 2016, "K") not in c.index
    assert any("suppressed" in w and "not set to 0" in w for w in warnings)
    s22 = statbank_cells(read_bulk(DST / "straf22_bulk.csv"), pop,
                         DstRecipe("sigtelser", "STRAF22", "15+", filters={"anmsigt": ["SIGT"]}))
    s = s22.set_index(["level", "area", "year", "sex"])
    assert s.loc[("municipality", "0851", 2016, "all"), "numerator"] == 2500 * 4 + 37


def test_statbank_cells_refuse_an_ambiguous_sum():
    folk = read_bulk(DST / "folk1a_bulk.csv")
    pop = population_from_folk1a(folk, ["15+"])
    num = read_bulk(DST / "straf22_bulk.csv")
    with pytest.raises(InputError, match="ANMSIGT"):
        statbank_cells(num, pop, DstRecipe("sigtelser", "STRAF22", "15+"))


def test_convert_builds_report_inputs(tmp_path, statbank_cache):
    logs = tmp_path / "logs"
    shutil.copytree(ROOT / "data" / "raw" / "logs", logs, ignore=shutil.ignore_patterns("*.md"))
    out = tmp_path / "real"
    res = convert("aalborg-oest", out, dst_cache=statbank_cache, lbf=[LBF / "indikator6_long.xlsx"], logs=logs)
    assert res.cells == 11 and res.published_values == 16 and res.suppressed_values == 1
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
    # StatBank fixture: 851 afgørelser 2015 = 80 (M, two age groups) * 2 + 75 * 2 (K); FOLK1A 15+ both sexes
    persons = sum(610 + 7 * a for a in range(15, 19)) + sum(590 + 7 * a for a in range(15, 19))
    # the printed T1 value (12,4) is shown; the value computed from the StatBank cells sits beside it
    assert cell["value"].iloc[0] == 12.4 and bool(cell["published"].iloc[0])
    assert cell["computed_value"].iloc[0] == pytest.approx(1000 * (160 + 150) / persons)
