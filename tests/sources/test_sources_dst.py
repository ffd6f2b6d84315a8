"""StatBank client against a local http.server on 127.0.0.1 serving the INVENTED answers of
tests/data/dst/ (numbers made up by formula in the real answers' shape, for edge cases) with
the real tableinfo of FOLK1A and STRAF22 (tests/data/dst/real/); never the internet. The
real answers themselves are tested in test_sources_dst_real.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from statbank_server import FakeStatBank

from evaluering.cli import main
from evaluering.sources.dst import DstError, Query, StatBankClient, cached_queries, parse_bulk, read_bulk

FIX = Path(__file__).resolve().parents[1] / "data" / "dst"


@pytest.fixture
def statbank():
    s = FakeStatBank()
    yield s
    s.close()


def client(statbank, tmp_path, **kw):
    kw.setdefault("sleep", lambda s: None)
    return StatBankClient(base_url=statbank.url, cache_dir=tmp_path / "dst", timeout=2, **kw)


def test_fetch_folk1a_then_offline_from_cache(statbank, tmp_path):
    c = client(statbank, tmp_path)
    f = c.fetch("FOLK1A", {"OMRÅDE": ["851", "000"], "KØN": ["1", "2"], "ALDER": ["*"], "Tid": ["*"]})
    assert list(f.columns) == ["område", "køn", "alder", "civilstand", "tid", "value", "note"]
    # fixture: 2 areas x 2 sexes x 126 ages x 2 years (K1) + 851's 2016K2 rows
    assert len(f) == 2 * 2 * 127 * 2 + 2 * 127
    # 000, men, age 9, 2015K1: 3100 + 7*9; ages 100+ are real zeros in FOLK1A (zero_is_count)
    row = f[(f["område"] == "000") & (f["køn"] == "1") & (f["alder"] == "9") & (f["tid"] == "2015K1")]
    assert row["value"].tolist() == [3163.0]
    assert f.loc[f["alder"] == "120", "value"].eq(0).all() and f["note"].isna().all()
    # first the tableinfo (cached), then the data with every variable selected
    assert [e for e, _ in statbank.requests] == ["tableinfo", "data"]
    endpoint, body = statbank.requests[1]
    assert endpoint == "data" and body["format"] == "BULK" and body["table"] == "FOLK1A"
    assert body["valuePresentation"] == "Code" and body["lang"] == "da"
    assert {"code": "OMRÅDE", "values": ["000", "851"]} in body["variables"]
    assert {"code": "CIVILSTAND", "values": ["TOT"]} in body["variables"]       # filled from tableinfo
    assert sorted(v["code"] for v in body["variables"]) == ["ALDER", "CIVILSTAND", "KØN", "OMRÅDE", "Tid"]
    # the raw answer is cached byte for byte with its query
    cached = cached_queries(tmp_path / "dst", "FOLK1A")
    assert len(cached) == 1
    assert cached[0]["path"].read_bytes() == (FIX / "folk1a_bulk.csv").read_bytes()
    assert cached[0]["query"] == body
    # offline: no request, same frame; the selection order and the case of names do not matter
    off = StatBankClient(base_url="http://127.0.0.1:9/v1", cache_dir=tmp_path / "dst", offline=True)
    g = off.fetch("folk1a", {"TID": ["*"], "ALDER": ["*"], "KØN": ["2", "1"], "område": ["000", "851"]})
    assert g.equals(f)
    assert len(statbank.requests) == 2


def test_variables_are_completed_from_tableinfo_or_refused(statbank, tmp_path):
    c = client(statbank, tmp_path)
    # STRAF22: OVERTRÆD filled with its total TOT; ANMSIGT cannot be eliminated
    with pytest.raises(DstError, match=r"variablen ANMSIGT skal vælges.*--var 'ANMSIGT=\*'"):
        c.fetch("STRAF22", {"OMRÅDE": ["851"], "Tid": ["*"]})
    with pytest.raises(DstError, match="værdien 'SIGT' findes ikke for ANMSIGT"):
        c.fetch("STRAF22", {"OMRÅDE": ["851"], "ANMSIGT": ["SIGT"], "Tid": ["*"]})
    with pytest.raises(DstError, match="variablen 'FOO' findes ikke i tabellen"):
        c.fetch("FOLK1A", {"FOO": ["1"], "Tid": ["*"]})
    with pytest.raises(DstError, match="variablen Tid skal vælges"):
        c.fetch("FOLK1A", {"OMRÅDE": ["851"]})
    assert [e for e, _ in statbank.requests] == ["tableinfo", "tableinfo"]      # nothing sent to /data
    f = c.fetch("STRAF22", {"OMRÅDE": ["000", "851"], "ANMSIGT": ["ANM", "SIG"], "Tid": ["*"]})
    body = statbank.requests[-1][1]
    assert {"code": "OVERTRÆD", "values": ["TOT"]} in body["variables"]
    assert len(f) == 9


def test_suppressed_is_missing_with_reason_not_zero(statbank, tmp_path):
    f = client(statbank, tmp_path).fetch("STRAF22")
    sup = f[f["overtræd"] == "1"]
    assert sup["value"].isna().all() and sup["note"].tolist() == ["suppressed (..)"]
    assert (f["value"].dropna() > 0).all()
    g = client(statbank, tmp_path).fetch("STRAF44")
    # one '..' and one '0' (STRAF44's tableinfo: suppressedDataValue "0"): both missing
    assert int(g["value"].isna().sum()) == 2
    zero = g[(g["område"] == "000") & (g["køn"] == "K") & (g["alder"] == "80-") & (g["tid"] == "2015")]
    assert zero["value"].isna().all()
    assert zero["note"].tolist() == ["0 eller diskretioneret (tabellens suppressedDataValue er 0)"]
    assert (g["value"].dropna() > 0).all()
    # the decision type AFGØRELSE was filled with its total 000
    assert {"code": "AFGØRELSE", "values": ["000"]} in statbank.requests[-1][1]["variables"]


def test_offline_cache_miss_is_one_line_error(tmp_path):
    c = StatBankClient(cache_dir=tmp_path, offline=True)
    with pytest.raises(DstError, match="findes ikke i cachen .*(offline)"):
        c.fetch("FOLK1A")


def test_api_error_body(statbank, tmp_path):
    with pytest.raises(DstError) as e:
        client(statbank, tmp_path).fetch("XYZ123", {"Tid": ["*"]})
    msg = str(e.value)
    # the real body of an unknown table, recorded from the service
    assert msg == ("XYZ123 tableinfo: Statistikbanken afviste forespørgslen (HTTP 400): "
                   "Tabel findes ikke: INVALIDTABLE999 (EXTRACT-NOTFOUND)")
    assert len(statbank.requests) == 1                    # a 4xx is not retried
    assert not (tmp_path / "dst" / "XYZ123").exists()    # nothing cached


def test_api_error_body_with_status_200(statbank, tmp_path):
    statbank.script["data"].append((200, (FIX / "real" / "error_400_invalid_variable.json").read_bytes(), 0))
    with pytest.raises(DstError, match="Statistikbanken afviste forespørgslen: Kan ikke finde variablen: INVALIDVAR"):
        client(statbank, tmp_path).fetch("STRAF44")


def test_retries_with_exponential_backoff_then_success(statbank, tmp_path):
    waits = []
    statbank.script["data"] += [(503, b"busy", 0), (500, b'{"errorTypeCode":"X","message":"intern"}', 0)]
    c = client(statbank, tmp_path, retries=3, backoff=0.5, sleep=waits.append)
    f = c.fetch("STRAF44")
    assert len(f) > 0 and [e for e, _ in statbank.requests] == ["tableinfo", "data", "data", "data"]
    assert waits == [0.5, 1.0]


def test_retries_are_bounded(statbank, tmp_path):
    waits = []
    statbank.script["data"] += [(503, b"busy", 0)] * 10
    c = client(statbank, tmp_path, retries=4, backoff=1, max_backoff=3, sleep=waits.append)
    with pytest.raises(DstError, match="svarede ikke efter 5 forsøg.*HTTP 503"):
        c.fetch("STRAF44")
    assert waits == [1, 2, 3, 3]
    assert len(statbank.requests) == 1 + 5


def test_timeout(statbank, tmp_path):
    statbank.script["data"] += [(200, b"late", 1.5), (200, b"late", 1.5)]
    c = StatBankClient(base_url=statbank.url, cache_dir=tmp_path, timeout=0.3, retries=1, sleep=lambda s: None)
    with pytest.raises(DstError, match="svarede ikke efter 2 forsøg.*tidsgrænsen"):
        c.fetch("STRAF44")


def test_connection_refused(tmp_path):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    c = StatBankClient(base_url=f"http://127.0.0.1:{port}/v1", cache_dir=tmp_path, retries=1, sleep=lambda x: None)
    with pytest.raises(DstError, match="svarede ikke efter 2 forsøg"):
        c.fetch("FOLK1A")


def test_broken_answer_is_not_cached(statbank, tmp_path):
    statbank.script["data"].append((200, "\ufeffOMRÅDE;TID;INDHOLD\n851;2016;abc\n".encode(), 0))
    with pytest.raises(Exception) as e:
        client(statbank, tmp_path).fetch("STRAF44")
    assert e.value.message == "not a number: 'abc'" and e.value.row == 2      # as written, before translation
    assert not list((tmp_path / "dst").glob("*/*.csv"))


def test_answer_missing_a_selected_value_is_refused_and_not_cached(statbank, tmp_path):
    # 851's rows cut out of the answer: an error, not a smaller table
    text = (FIX / "straf44_bulk.csv").read_text(encoding="utf-8-sig")
    cut = "\ufeff" + "\r\n".join(l for l in text.splitlines() if not l.startswith("851;")) + "\r\n"
    statbank.script["data"].append((200, cut.encode(), 0))
    with pytest.raises(Exception, match="svaret mangler 1 af de valgte værdier af OMRÅDE: 851"):
        client(statbank, tmp_path).fetch("STRAF44")
    assert not list((tmp_path / "dst").glob("*/*.csv"))


def test_tableinfo_cached_and_corrupt_cache(statbank, tmp_path):
    c = client(statbank, tmp_path)
    info = c.tableinfo("folk1a")
    assert [v["id"] for v in info["variables"]] == ["OMRÅDE", "KØN", "ALDER", "CIVILSTAND", "Tid"]
    off = StatBankClient(cache_dir=tmp_path / "dst", offline=True)
    assert off.tableinfo("FOLK1A") == info
    (tmp_path / "dst" / "FOLK1A" / "tableinfo.json").write_bytes(b'{"id": "FOLK1A", "varia')
    with pytest.raises(DstError, match="tabelinfo i cachen er ødelagt"):
        off.tableinfo("FOLK1A")


def test_cache_key_is_stable_and_selection_sensitive():
    a = Query.make("FOLK1A", {"OMRÅDE": ["851", "000"], "Tid": ["*"]})
    b = Query.make("folk1a", {"Tid": ["*"], "OMRÅDE": ["000", "851"]})
    c = Query.make("FOLK1A", {"OMRÅDE": ["851"], "Tid": ["*"]})
    assert a.key() == b.key() != c.key()


def test_parse_bulk_decimal_comma_and_bom():
    f = parse_bulk("\ufeffOMRÅDE;TID;INDHOLD\r\n851;2016;12,5\r\n000;2016;1.234,5\r\n".encode())
    assert f["value"].tolist() == [12.5, 1234.5]
    assert read_bulk(FIX / "straf44_bulk.csv")["value"].notna().sum() == 4 * 2 * 19 - 1


def test_cli_fetch_dst(statbank, tmp_path, capsys):
    cache = tmp_path / "cache"
    assert main(["fetch-dst", "FOLK1A", "--var", "OMRÅDE=851,000", "--var", "KØN=1,2", "--var", "ALDER=*",
                 "--var", "Tid=*", "--cache", str(cache), "--base-url", statbank.url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: FOLK1A, 1270 values (0 suppressed/missing), fetched")
    assert "(udfyldt med total: CIVILSTAND=TOT)" in out
    assert main(["fetch-dst", "FOLK1A", "--var", "OMRÅDE=851,000", "--var", "KØN=1,2", "--var", "ALDER=*",
                 "--var", "Tid=*", "--cache", str(cache), "--offline"]) == 0
    assert "from the cache" in capsys.readouterr().out
    assert main(["fetch-dst", "STRAF22", "--cache", str(cache), "--offline"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "offline" in err and "Traceback" not in err
    assert main(["fetch-dst", "NOPE1", "--cache", str(cache), "--base-url", statbank.url, "--retries", "0"]) == 2
    assert "Tabel findes ikke" in capsys.readouterr().err
    assert main(["fetch-dst", "FOLK1A", "--info", "--cache", str(cache), "--base-url", statbank.url]) == 0
    assert "OMRÅDE: område [000=Hele landet, 084=Region Hovedstaden" in capsys.readouterr().out
    # validate recognises a cached answer
    assert main(["validate", str(next((cache / "FOLK1A").glob("*.csv")))]) == 0
    assert capsys.readouterr().out.startswith("OK: StatBank table, 1270 values")


def test_bad_arguments_are_one_danish_line(capsys, tmp_path):
    assert main(["fetch-dst", "FOLK1A", "--var", "OMRÅDE", "--cache", str(tmp_path), "--offline"]) == 2
    assert "--var skal have formen NAVN=V1,V2 (fik 'OMRÅDE')" in capsys.readouterr().err
    assert main(["fetch-dst", "FOLK/1A", "--cache", str(tmp_path), "--offline"]) == 2
    assert "ikke et tabel-id i Statistikbanken: 'FOLK/1A'" in capsys.readouterr().err
