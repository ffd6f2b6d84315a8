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


def _zip(files: dict[str, str]) -> bytes:
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()


if __name__ == "__main__":
    main()
