"""Writes the bad-input corpus of tests/data/bad/ (run once; the files are kept in git).

Each file breaks one rule; tests/sources/test_sources_bad_corpus.py lists the expected line,
column and message of each. All values are invented test fixtures, not real data.

    python tests/data/bad/make_corpus.py
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
SSP_H = "År;Kvartal;Område;Niveau;Antal sager"
MEET_H = "Dato;Mødetype;Åbent møde;Ferieplan for;Målgruppe identificeret"
COURSE_H = "Forløb nr.;Startdato;Kontakt opnået;Tilknytning"
EVENT_H = "Dato;Tema;Deltagere"
MILE_H = "Kriterium;Dato;Status;Dokumentation"
CELLS_H = "level,area,year,age_band,sex,measure,numerator,denominator,source,synthetic"
PUB_H = "table,indicator,level,area,area_name,year,value,count,unit,source"


def text(name: str, lines: list[str], encoding: str = "utf-8", bom: bool = False, eol: str = "\n") -> None:
    data = (eol.join(lines) + eol).encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    (HERE / name).write_bytes(data)


def xlsx(name: str, rows: list[list]) -> None:
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(HERE / name)


def main() -> None:
    ok = ["2018;1;AO-01;1;3", "2018;1;AO-01;2;1"]
    # --- SSP log
    text("ssp_negative_count.csv", [SSP_H, ok[0], "2018;1;AO-02;1;-2"])
    text("ssp_unknown_area.csv", [SSP_H, ok[0], ok[1], "2018;2;ZZ-99;1;4"])
    text("ssp_year_outside_plan.csv", [SSP_H, ok[0], "2012;3;AO-03;1;4"])
    text("ssp_duplicate_key.csv", [SSP_H, ok[0], ok[1], "2018;1;AO-01;1;5"])
    text("ssp_non_numeric.csv", [SSP_H, ok[0], "2018;2;AO-01;1;tre"])
    text("ssp_decimal_count.csv", [SSP_H, ok[0], "2018;2;AO-01;1;2,5"])
    text("ssp_quarter_5.csv", [SSP_H, "2018;5;AO-01;1;3"])
    text("ssp_level_0.csv", [SSP_H, ok[0], ok[1], "2018;2;AO-01;0;3"])
    text("ssp_missing_column.csv", ["År;Kvartal;Område;Antal sager", "2018;1;AO-01;3"])
    text("ssp_extra_column.csv", ["År;Kvartal;Område;Niveau;Antal sager;Navn", "2018;1;AO-01;1;3;Anders"])
    text("ssp_empty.csv", [""], eol="")
    text("ssp_header_only.csv", [SSP_H])
    text("ssp_cp1252_unknown_area.csv", [SSP_H, ok[0], "2019;4;Østerå;2;1"], encoding="cp1252")
    text("ssp_bom_missing_year.csv", [SSP_H, ok[0], ";2;AO-04;1;3"], bom=True, eol="\r\n")
    text("ssp_too_many_fields.csv", ["År,Kvartal,Område,Niveau,Antal sager", "2018,1,AO-01,1,3",
                                     "2018,2,AO-01,1,1,5"])
    text("ssp_year_text.csv", [SSP_H, ok[0], ok[1], "2018a;3;AO-01;1;3"])
    text("ssp_duplicate_header.csv", ["År;Kvartal;Område;Niveau;Antal sager;År", "2018;1;AO-01;1;3;2018"])
    text("ssp_is_meetings_file.csv", [MEET_H, "14.03.2018;Netværksmøde;ja;;nej"])
    text("ssp_blank_lines_negative.csv", [SSP_H, "", ok[0], "", "2018;3;AO-05;2;-1"])
    text("ssp_no_header.csv", [ok[0], ok[1], "2018;2;AO-01;1;4"])
    text("ssp_unbalanced_quote_header.csv", ['År;Kvartal;"Område;Niveau;Antal sager', ok[0], "2018;2;AO-07;1;4"])
    # --- meetings log
    text("meetings_impossible_date.csv", [MEET_H, "14.03.2018;Netværksmøde;ja;;nej", "31.02.2018;Netværksmøde;nej;;nej"])
    text("meetings_text_date.csv", [MEET_H, "i går;Netværksmøde;ja;;nej"])
    text("meetings_bad_bool.csv", [MEET_H, "14.03.2018;Netværksmøde;måske;;nej"])
    text("meetings_unknown_holiday.csv", [MEET_H, "14.03.2018;Netværksmøde;ja;pinseferie;nej"])
    text("meetings_duplicate.csv", [MEET_H, "14.03.2018;Netværksmøde;ja;;nej", "2018-05-02;Netværksmøde;nej;;ja",
                                    "2018-03-14;Netværksmøde;nej;;nej"])
    text("meetings_implausible_year.csv", [MEET_H, "14.03.1899;Netværksmøde;ja;;nej"])
    text("meetings_missing_kind.csv", [MEET_H, "14.03.2018;;ja;;nej"], encoding="cp1252")
    # --- courses log
    text("courses_duplicate_no.csv", [COURSE_H, "1;01.03.2018;ja;forening", "2;02.03.2018;nej;",
                                      "2;05.03.2018;ja;fritidsjob"])
    text("courses_bad_attachment.csv", [COURSE_H, "1;01.03.2018;ja;skole"])
    text("courses_zero_no.csv", [COURSE_H, "0;01.03.2018;ja;forening"])
    # --- events log (Excel)
    xlsx("events_negative_participants.xlsx", [["Dato", "Tema", "Deltagere"], ["2018-09-12", "Radikalisering", 14],
                                               ["2019-09-11", "Bandekonflikter", -3]])
    xlsx("events_text_participants.xlsx", [["Dato", "Tema", "Deltagere"], [None, None, None],
                                           ["12.09.2018", "Radikalisering", "ti"]])
    xlsx("events_empty_sheet.xlsx", [])
    xlsx("events_header_only.xlsx", [["Dato", "Tema", "Deltagere"]])
    # --- milestones log
    text("milestones_unknown_criterion.csv", [MILE_H, "K3;15.12.2018;opnået;Referat 12.12.2018",
                                              "K9;01.06.2019;delvist;"])
    text("milestones_bad_status.csv", [MILE_H, "K3;15.12.2018;færdig;"])
    # --- count cells
    text("cells_numerator_above_denominator.csv", [CELLS_H, "estate,AO-01,2018,10-17,all,sigtede,3,40,test,true",
                                                   "estate,AO-02,2018,10-17,all,sigtede,12,9,test,true"])
    text("cells_negative_denominator.csv", [CELLS_H, "estate,AO-01,2018,10-17,all,sigtede,0,-40,test,true"])
    text("cells_unknown_level.csv", [CELLS_H, "estate,AO-01,2018,10-17,all,sigtede,3,40,test,true",
                                     "afdeling,AO-02,2018,10-17,all,sigtede,1,30,test,true"])
    text("cells_all_and_sex.csv", [CELLS_H, "estate,AO-01,2018,10-17,all,sigtede,3,40,test,true",
                                   "estate,AO-01,2018,10-17,M,sigtede,2,21,test,true"])
    # --- published values (aggregate: values may be echoed)
    src = '"Boligsociale Data, Landsbyggefonden"'
    text("published_pct_over_100.csv", [PUB_H, f"T2,andel,plan,aalborg-oest,Aalborg Øst,2014,4.0,,pct. af 10-17-årige,{src}",
                                        f"T2,andel,plan,aalborg-oest,Aalborg Øst,2015,420,24,pct. af 10-17-årige,{src}"])
    text("published_text_value.csv", [PUB_H, f"T2,andel,plan,aalborg-oest,Aalborg Øst,2014,fire,,pct.,{src}"])
    # --- wrong kind of file
    (HERE / "not_a_table_pdf.csv").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    (HERE / "binary_garbage.csv").write_bytes(bytes(range(256)) * 4)
    text("json_not_csv.csv", ['{"table": "FOLK1A", "rows": []}'])
    text("unknown_headers.csv", ["Navn;Adresse;Telefon", "x;y;z"])
    (HERE / "word_document.xlsx").write_bytes(_zip({"word/document.xml": "<w/>"}))
    # --- LBF exports (aggregate: values may be echoed)
    lbf_h = ["Niveau", "Område", "Områdenavn", "Indikator", "År", "Værdi"]
    xlsx("lbf_unknown_level.xlsx", [["Indikator 6 (testfil)"], [], lbf_h,
                                     ["Kommune", 851, "Aalborg Kommune", "6", 2014, 0.8],
                                     ["Bydel", 99, "Øst", "6", 2015, 1.5]])
    xlsx("lbf_text_value.xlsx", [lbf_h, ["Kommune", 851, "Aalborg Kommune", "6", 2014, "ca. 1"]])
    xlsx("lbf_duplicate.xlsx", [lbf_h, ["Kommune", 851, "Aalborg Kommune", "6", 2014, 0.8],
                                ["Kommune", "0851", "Aalborg Kommune", "6", 2014, 0.9]])
    xlsx("lbf_negative.xlsx", [["Niveau", "Område", "Indikator", 2012, 2013],
                               ["Hele landet", None, "6", 1.0, -1.0]])
    xlsx("lbf_missing_indicator.xlsx", [["Niveau", "Område", "År", "Værdi"], ["Kommune", 851, 2014, 0.8]])
    # --- StatBank answers (aggregate)
    bulk = "\ufeffOMRÅDE;KØN;ALDER;TID;INDHOLD"
    text("dst_text_value.csv", [bulk, "851;1;15;2016K1;1234", "851;2;15;2016K1;mange"], eol="\r\n")
    text("dst_no_indhold.csv", ["\ufeffOMRÅDE;KØN;ALDER;TID", "851;1;15;2016K1"])
    text("dst_error_body.csv", ['{"errorTypeCode":"EXTRACT-NOTFOUND","message":"Tabellen blev ikke fundet."}'])
    text("dst_duplicate_row.csv", [bulk, "851;1;15;2016K1;1234", "851;1;15;2016K1;1240"])
    # --- register extracts (person-level: values never echoed)
    text("register_persons_bad_sex.csv", ["person_id,year,estate_id,birth_year,sex", "101,2018,AO-01,2004,M",
                                          "102,2018,AO-01,2003,Q"])
    text("register_events_bad_law.csv", ["person_id;date;law;kind", "101;2018-03-01;straffeloven;sigtelse",
                                         "102;2018-04-01;færdselsloven;sigtelse"])
    # --- plan file
    text("plan_missing_id.yaml", ["schema_version: 1", "name: Test", "municipality: {code: '851'}",
                                  "period: {start: 2017-02-01, end: 2020-12-31}", "estates: [{id: A}]"])
    text("plan_end_before_start.yaml", ["id: test", "name: Test", "municipality: {code: '851'}",
                                        "period:", "  start: 2020-02-01", "  end: 2017-12-31", "estates: [{id: A}]"])
    more()


PLAN = (HERE.parents[2] / "data" / "raw" / "plans" / "aalborg-oest.yaml").read_text(encoding="utf-8")
PANEL_H = "unit,time,start,count,population"
ESTATE_H = "estate_id,plan_id,plan_part,municipality"


def plan_variant(name: str, old: str, new: str, count: int = 1) -> None:
    """The bundled plan with one change (``old`` must occur in it)."""
    assert old in PLAN, old
    (HERE / name).write_text(PLAN.replace(old, new, count), encoding="utf-8")


def parquet(name: str, columns: dict, truncate: bool = False) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq
    path = HERE / name
    pq.write_table(pa.table(columns), path)
    if truncate:
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])


def cells_columns(**change) -> dict:
    cols = {"level": ["estate", "estate", "estate"], "area": ["AO-01", "AO-02", "AO-03"],
            "year": [2018, 2018, 2018], "age_band": ["10-17"] * 3, "sex": ["all"] * 3,
            "measure": ["sigtede"] * 3, "numerator": [3, 1, 2], "denominator": [40, 30, 35],
            "source": ["test"] * 3, "synthetic": [True] * 3}
    cols.update(change)
    return cols


def more() -> None:
    """The second part of the corpus (issue 14): plans, more logs, published tables, cells,
    estate maps, register extracts, DiD panels. All values invented."""
    # --- plan files: the bundled plan with one mistake each
    plan_variant("plan_duplicate_key.yaml", "\nperiod:", "\nname: Et andet navn\nperiod:")
    plan_variant("plan_impossible_date.yaml", "start: 2017-02-01", "start: 2017-02-31")
    plan_variant("plan_inf_budget.yaml", "amount_kr: 114000", "amount_kr: .inf")
    plan_variant("plan_misspelt_budget.yaml", "\nbudget:", "\nbudgett:")
    plan_variant("plan_thousands_points.yaml", "amount_kr: 894000", "amount_kr: 1.200.000")
    plan_variant("plan_unknown_criterion_kind.yaml", "kind: relative_change", "kind: relativ_aendring")
    plan_variant("plan_unknown_indicator.yaml", "indicator: andel_sigtede_10_17", "indicator: andel_sigtet_10_17")
    plan_variant("plan_unknown_metric.yaml", "metric: open_meetings", "metric: open_meeting")
    plan_variant("plan_unknown_nested_key.yaml", "    printed: {", "    printet: {")
    plan_variant("plan_nan_target.yaml", "change_pct: -20}", "change_pct: .nan}")
    plan_variant("plan_text_year.yaml", "target: {year: 2020, change_pct: -25}", "target: {year: '2020', change_pct: -25}")
    plan_variant("plan_unknown_comparison_level.yaml", "comparison_levels: [municipality, public_housing, country]",
                 "comparison_levels: [municipality, almene, country]")
    plan_variant("plan_invalid_yaml.yaml", "comparison_levels: [municipality, public_housing, country]",
                 "comparison_levels: [municipality, public_housing, country")
    (HERE / "plan_utf16.yaml").write_bytes(PLAN.encode("utf-16"))
    lol = ["id: laughs", "name: Billion laughs", "municipality: {code: '851'}",
           "period: {start: 2017-02-01, end: 2020-12-31}", "estates: [{id: A}]",
           'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lol.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    lol += ["resources:", "  laughs: *l9"]
    text("plan_billion_laughs.yaml", lol + ["# " + "x" * 60] * 92)
    text("plan_recursive_alias.yaml", ["id: loop", "name: Loop", "municipality: {code: '851'}",
                                       "period: {start: 2017-02-01, end: 2020-12-31}", "estates: &e [{id: A, name: *e}]"])
    text("plan_not_a_mapping.yaml", ["- id: a", "- id: b"])
    # --- logs
    text("milestones_quoted_newline.csv", [MILE_H, 'K3;15.12.2018;opnået;"Referat 12.12.2018', 'godkendt i styregruppen"',
                                           "", "K3b;01.06.2019;færdig;"])
    text("ssp_headerless_names.csv", ["Anders Hansen;Birgitte Jensen;Carl Nielsen", "Dorte Berg;Erik Holm;Frida Lund"])
    text("ssp_long_field.csv", [SSP_H, "2018;1;AO-01;1;3", "2018;2;AO-01;1;" + "9" * 20000])
    text("meetings_utf16.csv", [MEET_H, "14.03.2018;Netværksmøde;ja;;nej"], encoding="utf-16")
    text("courses_inf_number.csv", [COURSE_H, "1;01.03.2018;ja;forening", "inf;02.03.2018;nej;"])
    xlsx("events_long_field.xlsx", [["Dato", "Tema", "Deltagere"], ["2018-09-12", "T" * 12000, 14]])
    (HERE / "events_zip_bomb.xlsx").write_bytes(_zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<w/>",
                                                      "xl/worksheets/sheet1.xml": " " * 250_000_000}))
    # --- published tables (aggregate: values may be echoed)
    text("published_inf_value.csv", [PUB_H, "T2,andel,plan,aalborg-oest,Aalborg Øst,2014,inf,,pct.,kilde"])
    text("published_1e999.csv", [PUB_H, "T2,andel,plan,aalborg-oest,Aalborg Øst,2014,4.0,,pct.,kilde",
                                 "T2,andel,plan,aalborg-oest,Aalborg Øst,2015,1e999,,pct.,kilde"])
    text("published_year_1899.csv", [PUB_H, "T2,andel,plan,aalborg-oest,Aalborg Øst,1899,4.0,,pct.,kilde"])
    text("published_semicolon_text.csv", [PUB_H.replace(",", ";"), "T2;andel;plan;aalborg-oest;Aalborg Øst;2014;4,2;;pct.;kilde",
                                          "T2;andel;plan;aalborg-oest;Aalborg Øst;2015;fire komma to;;pct.;kilde"])
    text("printed_averages_last_before_first.csv",
         ["table,indicator,level,area,area_name,first_year,last_year,printed_value,unit,source",
          "T2,andel,plan,aalborg-oest,Aalborg Øst,2015,2012,3.4,pct.,kilde"])
    # --- count cells (not echoed: a small count can point at a person)
    text("cells_inf_numerator.csv", [CELLS_H, "estate,AO-01,2018,10-17,all,sigtede,inf,40,test,true"])
    text("cells_1e999_denominator.csv", [CELLS_H, "estate,AO-01,2018,10-17,all,sigtede,3,40,test,true",
                                         "estate,AO-02,2018,10-17,all,sigtede,3,1e999,test,true"])
    text("cells_year_1899.csv", [CELLS_H, "estate,AO-01,1899,10-17,all,sigtede,3,40,test,true"])
    text("cells_year_2999.csv", [CELLS_H, "estate,AO-01,2018,10-17,all,sigtede,3,40,test,true",
                                 "estate,AO-01,2999,10-17,all,sigtede,3,40,test,true"])
    parquet("cells_truncated.parquet", cells_columns(), truncate=True)
    parquet("cells_text_numerator.parquet", cells_columns(numerator=["3", "1", "tre"]))
    parquet("cells_decimal_numerator.parquet", cells_columns(numerator=[3.0, 1.5, 2.0]))
    parquet("cells_text_synthetic.parquet", cells_columns(synthetic=["true", "måske", "true"]))
    parquet("cells_negative_numerator.parquet", cells_columns(numerator=[3, -1, 2]))
    # --- estate maps
    text("estates_empty.csv", [""], eol="")
    text("estates_header_only.csv", [ESTATE_H])
    text("estates_ragged.csv", [ESTATE_H, "AO-01,aalborg-oest,himmerland,0851", "AO-02,aalborg-oest,himmerland,0851,x,y"])
    text("estates_duplicate.csv", [ESTATE_H, "AO-01,aalborg-oest,,0851", "AO-02,aalborg-oest,,0851", "AO-01,aalborg-oest,,0851"])
    text("estates_missing_id.csv", [ESTATE_H, "AO-01,aalborg-oest,,0851", ",aalborg-oest,,0851"])
    text("estates_part_without_plan.csv", [ESTATE_H, "AO-01,aalborg-oest,himmerland,0851", "AO-02,,himmerland,0851"])
    text("estates_part_in_two_plans.csv", [ESTATE_H, "AO-01,aalborg-oest,p1,0851", "B-01,andet,p1,0101"])
    text("estates_bad_start_year.csv", [ESTATE_H + ",start_year", "AO-01,aalborg-oest,,0851,2017", "AO-02,aalborg-oest,,0851,snart"])
    text("estates_utf16.csv", [ESTATE_H, "AO-01,aalborg-oest,,0851"], encoding="utf-16")
    # --- register extracts (person-level: values never echoed)
    text("register_persons_utf16.csv", ["person_id,year,estate_id,birth_year,sex", "101,2018,AO-01,2004,M"],
         encoding="utf-16")
    parquet("register_persons_truncated.parquet", {"person_id": [101, 102], "year": [2018, 2018],
                                                   "estate_id": ["AO-01", "AO-01"], "birth_year": [2004, 2003],
                                                   "sex": ["M", "K"]}, truncate=True)
    text("register_persons_no_sex.csv", ["person_id,year,estate_id,birth_year", "101,2018,AO-01,2004"])
    text("register_events_bad_date.csv", ["person_id;date;law;kind", "101;2018-03-01;straffeloven;sigtelse",
                                          "102;2018-02-31;straffeloven;sigtelse"])
    text("register_persons_age_text.csv", ["person_id,year,estate_id,age,sex", "101,2018,AO-01,14,M",
                                           "102,2018,AO-01,fjorten,K"])
    text("register_persons_blank_lines.csv", ["person_id,year,estate_id,birth_year,sex", "101,2018,AO-01,2004,M", "",
                                              "102,2018,AO-01,2003,K", "", "", "103,2018,AO-02,2005,X"])
    text("register_events_quoted_newline.csv", ["person_id,date,law,kind", '101,2018-03-01,"straffe', 'loven",sigtelse',
                                                "102,2018-04-01,straffeloven,sigtelse", "103,2018-04-02,straffeloven,dom"])
    # --- DiD panels
    panel = ["A,2016,2017,3,40", "A,2017,2017,2,41", "B,2016,0,4,50", "B,2017,0,5,52"]
    text("panel_long_field.csv", [PANEL_H, panel[0], "A" * 20000 + ",2017,2017,2,41"])
    text("panel_ragged.csv", [PANEL_H, panel[0], "A,2017,2017,2"])
    text("panel_count_over_population.csv", [PANEL_H, panel[0], panel[1], "B,2016,0,60,50"])
    text("panel_text_time.csv", [PANEL_H, panel[0], "A,sidste år,2017,2,41"])
    text("panel_duplicate_period.csv", [PANEL_H, panel[0], panel[1], "A,2017,2017,1,41"])
    text("panel_quoted_newline.csv", [PANEL_H, '"A\nA",2016,2017,3,40', panel[2], "B,2017,0,-5,52"])
    text("panel_blank_lines.csv", [PANEL_H, "", panel[0], "", "", "A,2017,2017,2,x"])
    text("panel_start_changes.csv", [PANEL_H, panel[0], "A,2017,2018,2,41"])
    text("panel_duplicate_header.csv", ["unit,time,start,count,count", panel[0]])
    # --- StatBank cache answer damaged
    (HERE / "dst_binary_garbage.csv").write_bytes("\ufeffOMRÅDE;KØN;ALDER;TID;INDHOLD\r\n".encode("utf-8")
                                                  + b"851;1;\x00\xff\xfe garbage")


def _zip(files: dict[str, str]) -> bytes:
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()


if __name__ == "__main__":
    main()
