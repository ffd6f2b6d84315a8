"""Real public StatBank answers (tests/data/dst/real/, origins and fidelity in its SOURCES.md)
served from a local 127.0.0.1 server, through ``fetch-dst`` and ``convert`` into count cells.

The expected numbers are summed by hand from the answer files in the tests (csv module, not
the code under test) or quoted from the source (STRAF22 København 2025: ANM 68 802, SIG
11 763). Where a real answer has no partner (STRAF22 København 2025 has no recorded FOLK1A),
the partner is an INVENTED answer from tests/data/dst/ and the test says so.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from pathlib import Path

import pandas as pd
import pytest
from statbank_server import DST, REAL, TABLEINFO, FakeStatBank

from evaluering.cli import main
from evaluering.errors import InputError
from evaluering.sources.convert import population_from_folk1a
from evaluering.sources.dst import (DstError, Query, StatBankClient, cached_queries, complete_variables,
                                    parse_bulk, parse_var_args, read_bulk, to_codes)

ROOT = Path(__file__).resolve().parents[2]
JONASREX = REAL / "folk1a_csv_code_jonasrex.csv"
FOLK1A_INFO = json.loads(TABLEINFO["FOLK1A"].read_text(encoding="utf-8"))
STRAF22_INFO = json.loads(TABLEINFO["STRAF22"].read_text(encoding="utf-8"))

#: the selection of the jonasrex answer (its notebook's URL; age 38 was typed as "3")
JONASREX_VARS = ["OMRÅDE=000,084,147,400,085,083,082,081,851,461,561,751", "KØN=1,2",
                 "ALDER=" + ",".join(str(a) for a in range(0, 101) if a != 38), "CIVILSTAND=TOT",
                 "Tid=" + ",".join(f"{y}K1" for y in range(2008, 2021))]


def _hand_sum(path: Path, area: str, tid: str, ages: range, sexes=("1", "2")) -> int:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    return sum(int(r["INDHOLD"]) for r in rows if r["OMRÅDE"] == area and r["TID"] == tid
               and r["KØN"] in sexes and r["ALDER"].isdigit() and int(r["ALDER"]) in ages)


@pytest.fixture
def server():
    made = []

    def make(**kw):
        s = FakeStatBank(**kw)
        made.append(s)
        return s
    yield make
    for s in made:
        s.close()


def _fetch(server_url: str, cache: Path, table: str, *var: str, extra=()) -> int:
    args = ["fetch-dst", table, "--cache", str(cache), "--base-url", server_url, "--retries", "0"]
    for v in var:
        args += ["--var", v]
    return main(args + list(extra))


# -- FOLK1A: the jonasrex answer (exact bytes) ------------------------------------------------

def test_folk1a_real_answer_through_fetch_dst_gives_hand_summed_populations(server, tmp_path, capsys):
    s = server(data={"FOLK1A": JONASREX}, tableinfo={"FOLK1A": TABLEINFO["FOLK1A"]})
    cache = tmp_path / "dst"
    assert _fetch(s.url, cache, "FOLK1A", *JONASREX_VARS) == 0
    assert capsys.readouterr().out.startswith("OK: FOLK1A, 31200 values (0 suppressed/missing), fetched")
    body = s.requests[-1][1]
    # every variable of the real tableinfo is selected, CIVILSTAND as its total
    assert [v["code"] for v in body["variables"]] == sorted(v["id"] for v in FOLK1A_INFO["variables"])
    path = cached_queries(cache, "FOLK1A")[0]["path"]
    assert path.read_bytes() == JONASREX.read_bytes()
    folk = read_bulk(path)
    pop = population_from_folk1a(folk, ["10-17"], info=FOLK1A_INFO)
    p = pop.set_index(["level", "area", "year", "age_band", "sex"])["persons"]
    # Aalborg (851), 1 January 2020 (2020K1), ages 10-17, summed from the file by hand
    assert p[("municipality", "0851", 2020, "10-17", "all")] == _hand_sum(JONASREX, "851", "2020K1", range(10, 18))
    assert p[("municipality", "0851", 2020, "10-17", "all")] == 17661
    assert p[("municipality", "0851", 2008, "10-17", "M")] == _hand_sum(JONASREX, "851", "2008K1", range(10, 18), ("1",))
    assert p[("country", "DK", 2014, "10-17", "K")] == _hand_sum(JONASREX, "000", "2014K1", range(10, 18), ("2",))
    # regions (081-085) are not municipalities: no cells for them
    assert set(pop["area"]) == {"DK", "0147", "0400", "0461", "0561", "0751", "0851"}
    # 15+ needs ages 38 and 101-125, which this answer lacks: an error, not a smaller denominator
    with pytest.raises(InputError) as e:
        population_from_folk1a(folk, ["15+"], info=FOLK1A_INFO)
    assert "mangler 26 aldersgruppe(r) i 15+" in e.value.message and ": 38, 101, 102," in e.value.message


def test_folk1a_real_answer_lacking_ages_is_refused_by_fetch_for_a_star_selection(server, tmp_path, capsys):
    """The README's command asks ALDER=*; the jonasrex answer has ages 0-100 without 38."""
    s = server(data={"FOLK1A": JONASREX}, tableinfo={"FOLK1A": TABLEINFO["FOLK1A"]})
    cache = tmp_path / "dst"
    code = _fetch(s.url, cache, "FOLK1A", "OMRÅDE=000,851", "KØN=1,2", "ALDER=*", "CIVILSTAND=TOT", "Tid=*")
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "svaret mangler 27 af de valgte værdier af ALDER: IALT, 38, 101, 102" in err
    assert not list(cache.glob("FOLK1A/*.csv"))          # nothing cached


def test_convert_of_the_real_folk1a_answer_names_the_missing_ages(server, tmp_path, capsys):
    s = server(data={"FOLK1A": JONASREX}, tableinfo={"FOLK1A": TABLEINFO["FOLK1A"]})
    cache = tmp_path / "dst"
    assert _fetch(s.url, cache, "FOLK1A", *JONASREX_VARS) == 0
    capsys.readouterr()
    out = tmp_path / "real"
    assert main(["convert", "--plan", "aalborg-oest", "--out", str(out), "--dst-cache", str(cache)]) == 2
    err = capsys.readouterr().err
    assert re.search(r"\.csv:ALDER: FOLK1A mangler 26 aldersgruppe\(r\) i 15\+ for område 000, tid 2008K1, køn 1: 38, 101", err)
    assert not out.exists()


# -- STRAF22: the real København 2025 values ------------------------------------------------

def _kbh_server(server, straf22: Path | bytes = REAL / "straf22_values_am-dashboard_ASSEMBLED.csv"):
    data = straf22 if isinstance(straf22, Path) else (lambda body: (200, straf22))
    return server(data={"STRAF22": data, "FOLK1A": DST / "folk1a_bulk_kbh2025.csv"},
                  tableinfo={"STRAF22": TABLEINFO["STRAF22"], "FOLK1A": TABLEINFO["FOLK1A"]})


def _fetch_kbh(url, cache):
    assert _fetch(url, cache, "STRAF22", "OMRÅDE=101", "OVERTRÆD=1", "ANMSIGT=ANM,SIG", "Tid=2025") == 0
    assert _fetch(url, cache, "FOLK1A", "OMRÅDE=101", "KØN=1,2", "ALDER=*", "CIVILSTAND=TOT", "Tid=2025K1") == 0


def test_straf22_real_values_become_sigtelser_cells(server, tmp_path, capsys):
    s = _kbh_server(server)
    cache = tmp_path / "dst"
    _fetch_kbh(s.url, cache)
    straf = read_bulk(cached_queries(cache, "STRAF22")[0]["path"])
    got = {r.anmsigt: r.value for r in straf.itertuples()}
    assert got == {"ANM": 68802.0, "SIG": 11763.0}           # as quoted by the source
    out = tmp_path / "real"
    capsys.readouterr()
    assert main(["convert", "--plan", "aalborg-oest", "--out", str(out), "--dst-cache", str(cache)]) == 0
    printed = capsys.readouterr().out
    assert "no STRAF44 in the StatBank cache" in printed
    cells = pd.read_parquet(out / "cells.parquet")
    assert len(cells) == 1
    c = cells.iloc[0]
    # numerator: the real SIG value (ANM is not a charge); denominator: the INVENTED FOLK1A answer
    # for København 2025K1 (men 5000 - 30a, women 5100 - 30a for ages 15-99, 0 above)
    assert (c["level"], c["area"], c["year"], c["age_band"], c["sex"], c["measure"]) == \
        ("municipality", "0101", 2025, "15+", "all", "sigtelser")
    assert c["numerator"] == 11763
    assert c["denominator"] == sum(5000 - 30 * a + 5100 - 30 * a for a in range(15, 100))
    assert not c["synthetic"]


def test_straf22_shown_zero_is_suppressed_and_no_cells_is_an_error(server, tmp_path, capsys):
    """STRAF22's tableinfo: suppressedDataValue "0". The real file with SIG set to 0 (modified
    in this test): the value is missing, not 0 charges, and convert then makes no cell."""
    real = (REAL / "straf22_values_am-dashboard_ASSEMBLED.csv").read_bytes()
    s = _kbh_server(server, real.replace(b"SIG;2025;11763", b"SIG;2025;0"))
    cache = tmp_path / "dst"
    _fetch_kbh(s.url, cache)
    straf = read_bulk(cached_queries(cache, "STRAF22")[0]["path"])
    sig = straf[straf["anmsigt"] == "SIG"]
    assert sig["value"].isna().all() and "diskretioneret" in sig["note"].iloc[0]
    capsys.readouterr()
    out = tmp_path / "real"
    assert main(["convert", "--plan", "aalborg-oest", "--out", str(out), "--dst-cache", str(cache)]) == 2
    err = capsys.readouterr().err
    assert ":1:INDHOLD: 0 tællingsceller for målet 'sigtelser' fra STRAF22 og FOLK1A" in err
    assert "not set to 0" in err and not out.exists()


# -- real error bodies ----------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("error_400_invalid_format.json", "Format ikke angivet, eller ikke gyldigt. (REQUEST-MISSING)"),
    ("error_400_invalid_value.json", "Kan ikke finde værdien: 999999 (OMRÅDE) (EXTRACT-NOTFOUND)"),
    ("error_400_invalid_variable.json", "Kan ikke finde variablen: INVALIDVAR (EXTRACT-NOTFOUND)"),
    ("error_400_malformed_json.json", "Medsend gyldigt JSON-objekt når der postes. (REQUEST-EMPTY)"),
    ("error_400_missing_table.json", "Der er ikke angivet nogen tabel-id. (REQUEST-MISSING)"),
    ("error_400_table_not_found.json", "Tabel findes ikke: INVALIDTABLE999 (EXTRACT-NOTFOUND)"),
])
def test_real_400_bodies_give_one_danish_line(server, tmp_path, name, expected):
    body = (REAL / name).read_bytes()
    s = server(data={"FOLK1A": lambda b: (400, body)}, tableinfo={"FOLK1A": TABLEINFO["FOLK1A"]})
    c = StatBankClient(base_url=s.url, cache_dir=tmp_path, retries=0, sleep=lambda x: None)
    with pytest.raises(DstError) as e:
        c.fetch("FOLK1A")
    assert str(e.value) == f"FOLK1A: Statistikbanken afviste forespørgslen (HTTP 400): {expected}"


def test_real_404_body_names_the_address(server, tmp_path, capsys):
    s = server(data={}, tableinfo={})
    wrong = s.url + "/wrong"
    assert main(["fetch-dst", "FOLK1A", "--cache", str(tmp_path), "--base-url", wrong, "--retries", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith(f"FOLK1A tableinfo: adressen findes ikke hos Statistikbanken (tjek --base-url, fx "
                        f"https://api.statbank.dk/v1) (HTTP 404 fra {wrong}/tableinfo): Siden kan ikke findes. "
                        f"(REQUEST-NOTFOUND)")


# -- format quirks of real answers ----------------------------------------------------------

def test_text_presentation_bom_crlf_and_quarters():
    raw = (REAL / "folk1a_csv_text_razz7.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    f = parse_bulk(raw, source="razz7")
    assert list(f.columns) == ["område", "civilstand", "tid", "value", "note"]
    assert len(f) == 52 and f["tid"].iloc[0] == "2008K1" and f["value"].iloc[0] == 5475791
    coded = to_codes(f, FOLK1A_INFO, "razz7")
    assert set(coded["område"]) == {"000"} and set(coded["civilstand"]) == {"TOT"}
    frag = to_codes(parse_bulk((REAL / "folk1a_bulk_text_fragment_dst-skills.csv").read_bytes()), FOLK1A_INFO)
    assert frag[["køn", "alder", "civilstand"]].values.tolist() == [["1", "IALT", "TOT"], ["2", "IALT", "TOT"],
                                                                     ["TOT", "IALT", "TOT"]]
    # Mænd + Kvinder = I alt in the real fragment
    assert frag["value"].iloc[0] + frag["value"].iloc[1] == frag["value"].iloc[2] == 5822763
    with pytest.raises(InputError, match="ukendte værdier af OMRÅDE .*Atlantis"):
        to_codes(f.assign(område="Atlantis"), FOLK1A_INFO, "razz7")


def test_decimal_comma_in_danish_and_point_in_english(server, tmp_path):
    da = parse_bulk((REAL / "metrox1_bulk_da_dstapi.csv").read_bytes())
    assert da["value"].tolist() == [37.7, 105.0, 95.2, 93.0, 63.0, 17.9]
    # the English answer (reconstructed from a parsed display) through fetch-dst --lang en;
    # METROX1's tableinfo here is INVENTED (two variables, the answer's codes)
    info = tmp_path / "metrox1_info_INVENTED.json"
    info.write_text(json.dumps({"id": "METROX1", "variables": [
        {"id": "SÆSON", "elimination": True, "values": [{"id": "Non-seasonally adjusted", "text": "x"}]},
        {"id": "Tid", "time": True, "values": [{"id": "2020U46", "text": "2020U46"}]}]}), encoding="utf-8")
    s = server(data={"METROX1": REAL / "metrox1_bulk_en_dstapi_RECONSTRUCTED.csv"}, tableinfo={"METROX1": info})
    cache = tmp_path / "dst"
    assert main(["fetch-dst", "METROX1", "--var", "SÆSON=*", "--var", "Tid=*", "--lang", "en", "--cache", str(cache),
                 "--base-url", s.url]) == 0
    assert s.requests[-1][1]["lang"] == "en"
    en = read_bulk(cached_queries(cache, "METROX1")[0]["path"])
    assert en["value"].tolist() == [56.2, 55.5, 58.3, 57.6, 46.9, 40.6, 33.2]
    # the same bytes read as Danish would take '.' for a thousands point where it could be one
    assert parse_bulk(b"T;TID;INDHOLD\n1;2020;1.500\n", decimal=".")["value"].tolist() == [1.5]
    assert parse_bulk(b"T;TID;INDHOLD\n1;2020;1.500\n")["value"].tolist() == [1500.0]


@pytest.mark.parametrize("name", ["statbank_web_strafna3.csv", "statbank_web_folk2.csv", "statbank_web_folk1c.csv"])
def test_headerless_statbank_web_exports_are_named(name, capsys):
    path = REAL / name
    with pytest.raises(InputError) as e:
        read_bulk(path)
    assert e.value.row == 1 and "Statistikbanken-webeksport uden overskrift" in e.value.message
    assert main(["validate", "--kind", "dst", str(path)]) == 2
    assert "webeksport uden overskrift" in capsys.readouterr().err


# -- the documented commands ------------------------------------------------------------------

DOCS = [ROOT / "README.md", ROOT / "docs" / "sources.md", ROOT / "data" / "raw" / "dst" / "README.md"]


def documented_commands() -> list[tuple[str, list[str]]]:
    """Every ``evaluering fetch-dst`` line of the README and the docs, as argument lists."""
    out = []
    for doc in DOCS:
        for line in doc.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line.startswith("evaluering fetch-dst") and "--info" not in line:
                args = shlex.split(line, comments=True)[1:]
                out.append((doc.name, args))
    return out


def test_documented_commands_exist_in_every_doc():
    cmds = documented_commands()
    assert {doc for doc, _ in cmds} == {d.name for d in DOCS}
    assert {args[1] for _, args in cmds} == {"FOLK1A", "STRAF22", "STRAF44"}


@pytest.mark.parametrize("doc, args", documented_commands(), ids=lambda x: x if isinstance(x, str) else x[1])
def test_documented_command_builds_a_complete_valid_query(doc, args, server, tmp_path, capsys):
    table = args[1]
    var = [args[i + 1] for i, a in enumerate(args) if a == "--var"]
    info = json.loads(TABLEINFO[table].read_text(encoding="utf-8"))
    # against the table's tableinfo (real for FOLK1A and STRAF22, INVENTED for STRAF44):
    # every variable selected, every value code known
    full = complete_variables(table, parse_var_args(var), info)
    assert list(full) == [v["id"] for v in info["variables"]]
    if table == "STRAF22":
        assert sorted(full["ANMSIGT"]) == ["ANM", "SIG"]
    if table == "FOLK1A":
        assert full["CIVILSTAND"] == ["TOT"]
    # and the command runs: fetch-dst with these arguments against the local server (invented answers)
    s = server()
    assert main(args + ["--cache", str(tmp_path / "dst"), "--base-url", s.url]) == 0, capsys.readouterr().err
    sent = {v["code"]: v["values"] for v in s.requests[-1][1]["variables"]}
    assert sent == {k: sorted(v) for k, v in full.items()}
    assert Query.make(table, full).body()["variables"] == s.requests[-1][1]["variables"]
