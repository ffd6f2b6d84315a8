"""Good log files in every accepted form read to the same tidy frame."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from evaluering.errors import InputError
from evaluering.sources import (read_courses, read_events, read_meetings, read_milestones, read_ssp)
from evaluering.sources.schema import Problems

SSP_ROWS = [("2017", "2", "AO-01", "1", "3"), ("2017", "2", "AO-06", "2", "1"),
            ("2018", "1", "himmerland", "1", "12"), ("2019", "4", "aalborg-oest", "2", "1.107")]


def write(path, header, rows, sep=";", encoding="utf-8", bom=False, eol="\n"):
    text = eol.join([sep.join(header), *[sep.join(r) for r in rows]]) + eol
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


@pytest.mark.parametrize("sep,encoding,bom,eol", [(";", "utf-8", False, "\n"), (";", "utf-8", True, "\r\n"),
                                                  (";", "cp1252", False, "\r\n"), ("\t", "utf-8", False, "\n")])
def test_ssp_encodings_and_separators(tmp_path, sep, encoding, bom, eol):
    p = write(tmp_path / "ssp.csv", ["År", "Kvartal", "Område", "Niveau", "Antal sager"], SSP_ROWS, sep, encoding, bom, eol)
    f = read_ssp(p)
    assert list(f.columns) == ["year", "quarter", "area", "level", "cases"]
    assert f["cases"].tolist() == [3, 1, 12, 1107]          # "1.107" is a Danish thousands point
    assert f["area"].tolist() == ["AO-01", "AO-06", "himmerland", "aalborg-oest"]
    assert f["year"].dtype == "int64"
    assert f.attrs["lines"] == [2, 3, 4, 5]


def test_ssp_comma_separated_uses_decimal_point(tmp_path):
    rows = [("2018", "1", "AO-01", "1", '"1,107"')]
    p = write(tmp_path / "ssp.csv", ["År", "Kvartal", "Område", "Niveau", "Antal sager"], rows, ",")
    assert read_ssp(p)["cases"].tolist() == [1107]


def test_ssp_headers_case_and_spaces_ignored(tmp_path):
    p = write(tmp_path / "ssp.csv", ["  år ", "KVARTAL", "område", "Niveau", "antal  sager"], SSP_ROWS[:1])
    assert read_ssp(p)["cases"].tolist() == [3]


def test_ssp_excel(tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["År", "Kvartal", "Område", "Niveau", "Antal sager"])
    ws.append([2018, 1, "AO-01", 1, 3])
    ws.append([None, None, None, None, None])
    ws.append([2018.0, 2, "AO-02", 2, "1.107"])
    wb.save(tmp_path / "ssp.xlsx")
    f = read_ssp(tmp_path / "ssp.xlsx")
    assert f["cases"].tolist() == [3, 1107]
    assert f.attrs["lines"] == [2, 4]


def test_ssp_plan_restricts_ids(tmp_path):
    from evaluering.plan import Estate, Plan
    plan = Plan(id="p2", name="P2", path=tmp_path / "p2.yaml", municipality_code="0101",
                municipality_name="K", start=dt.date(2019, 1, 1), end=dt.date(2022, 12, 31),
                estates=[Estate("E1", "E1")])
    p = write(tmp_path / "ssp.csv", ["År", "Kvartal", "Område", "Niveau", "Antal sager"],
              [("2019", "1", "E1", "1", "2"), ("2019", "1", "AO-01", "1", "2")])
    with pytest.raises(InputError) as e:
        read_ssp(p, plan=plan)
    assert (e.value.row, e.value.column) == (3, "Område") and "plan 'p2'" in e.value.message
    q = write(tmp_path / "ssp2.csv", ["År", "Kvartal", "Område", "Niveau", "Antal sager"],
              [("2023", "1", "E1", "1", "2")])
    with pytest.raises(InputError, match="2019-2022"):
        read_ssp(q, plan=plan)


def test_collect_reports_several_problems_in_line_order(tmp_path):
    p = write(tmp_path / "ssp.csv", ["År", "Kvartal", "Område", "Niveau", "Antal sager"],
              [("2018", "9", "AO-01", "1", "3"), ("2018", "1", "AO-01", "1", "-1"), ("x", "1", "AO-01", "1", "2")])
    with pytest.raises(Problems) as e:
        read_ssp(p, collect=True)
    assert [(x.row, x.column) for x in e.value.errors] == [(2, "Kvartal"), (3, "Antal sager"), (4, "År")]


def test_meetings(tmp_path):
    p = write(tmp_path / "m.csv", ["Dato", "Mødetype", "Åbent møde", "Ferieplan for", "Målgruppe identificeret"],
              [("14.03.2018", "Netværksmøde", "ja", "Påskeferie", "nej"),
               ("2018-06-20", "Netværksmøde", "Nej", "sommer", "x"),
               ("03-10-2018", "Åbent netværksmøde", "1", "", "")], encoding="cp1252")
    f = read_meetings(p)
    assert f["date"].tolist() == [pd.Timestamp("2018-03-14"), pd.Timestamp("2018-06-20"), pd.Timestamp("2018-10-03")]
    assert f["open"].tolist() == [True, False, True]
    assert f["holiday_plan_for"].tolist()[:2] == ["påskeferie", "sommerferie"]
    assert pd.isna(f["holiday_plan_for"].iloc[2])
    assert f["target_group_identified"].tolist() == [False, True, False]
    assert f["kind"].tolist()[2] == "Åbent netværksmøde"


def test_meetings_plan_period(tmp_path):
    p = write(tmp_path / "m.csv", ["Dato", "Mødetype", "Åbent møde", "Ferieplan for", "Målgruppe identificeret"],
              [("14.03.2016", "Netværksmøde", "ja", "", "nej")])
    read_meetings(p)                          # plausible date, no plan given
    with pytest.raises(InputError, match="plan period of 'aalborg-oest'"):
        read_meetings(p, plan="aalborg-oest")


def test_courses_events_milestones(tmp_path):
    c = write(tmp_path / "c.csv", ["Forløb nr.", "Startdato", "Kontakt opnået", "Tilknytning"],
              [("1", "01.03.2018", "ja", "Forening"), ("2", "2018-03-02", "nej", ""), ("3", "5.3.2018", "ja", "fritidsjob")])
    f = read_courses(c)
    assert f["course_no"].tolist() == [1, 2, 3]
    assert f["attachment"].tolist() == ["forening", "nej", "fritidsjob"]
    assert f["contact"].tolist() == [True, False, True]
    e = write(tmp_path / "e.csv", ["Dato", "Tema", "Deltagere"], [("12.09.2018", "Radikalisering", "14")])
    assert read_events(e)["participants"].tolist() == [14]
    m = write(tmp_path / "m.csv", ["Kriterium", "Dato", "Status", "Dokumentation"],
              [("K3", "15.12.2018", "Opnaaet", "Referat"), ("K3", "01.06.2020", "ikke opnået", "")])
    f = read_milestones(m)
    assert f["status"].tolist() == ["opnået", "ikke opnået"]
    assert pd.isna(f["evidence"].iloc[1])


def test_error_is_one_line_with_danish_column(tmp_path):
    p = write(tmp_path / "e.csv", ["Dato", "Tema", "Deltagere"], [("12.09.2018", "Radikalisering", "-4")])
    with pytest.raises(InputError) as e:
        read_events(p)
    assert str(e.value) == f"{p}:2:Deltagere: negative count"


def test_excel_sep_hint_line(tmp_path):
    p = tmp_path / "ssp.csv"
    p.write_text("sep=,\nÅr,Kvartal,Område,Niveau,Antal sager\n2018,1,AO-01,1,3\n2018,1,AO-02,1,-1\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_ssp(p)
    assert (e.value.row, e.value.column) == (4, "Antal sager")


def test_bundled_templates_are_recognised():
    """The empty templates in data/raw/templates/ carry exactly the headers of docs/logs.md."""
    from pathlib import Path

    from evaluering.sources.validate import guess_kind
    root = Path(__file__).resolve().parents[2] / "data" / "raw" / "templates"
    expected = {"ssp_sager": "ssp", "netvaerksmoeder": "meetings", "ungeforloeb": "courses",
                "opkvalificering": "events", "milepaele": "milestones", "kvalitative_resultater": "qualitative"}
    files = [p for p in root.glob("*") if p.suffix in (".csv", ".xlsx")]
    if not files:
        pytest.skip("no templates bundled")
    for p in files:
        assert guess_kind(p) == expected[p.stem], p.name


def test_validate_folder(tmp_path, capsys, monkeypatch):
    import shutil
    from pathlib import Path

    from evaluering.cli import main
    root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(root)
    for name in ("ssp_negative_count.csv", "meetings_bad_bool.csv"):
        shutil.copy(root / "tests" / "data" / "bad" / name, tmp_path / name)
    (tmp_path / "milepaele.csv").write_text("Kriterium;Dato;Status;Dokumentation\nK3;29.11.2018;opnået;Referat\n"
                                           "K3;10.12.2020;opnået;Forankret\nK1;01.01.2019;delvist;\n",
                                           encoding="utf-8")
    (tmp_path / "README.md").write_text("not checked")
    assert main(["validate", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"{tmp_path / 'milepaele.csv'}: OK: milestones log, 3 rows, criteria K1, K3"]
    assert err.splitlines() == [f"{tmp_path / 'meetings_bad_bool.csv'}:2:Åbent møde: expected ja or nej",
                                f"{tmp_path / 'ssp_negative_count.csv'}:3:Antal sager: negative count"]
