"""StatBank client against a local http.server on 127.0.0.1 serving the recorded answers of
tests/data/dst/ (hand-written fixtures in the documented format; never the internet)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from evaluering.cli import main
from evaluering.sources.dst import DstError, Query, StatBankClient, cached_queries, parse_bulk, read_bulk

FIX = Path(__file__).resolve().parents[1] / "data" / "dst"


class FakeStatBank:
    """Serves /v1/data and /v1/tableinfo; ``script`` holds queued (status, body, delay)
    answers per endpoint, falling back to the recorded fixture for the table."""

    def __init__(self):
        self.requests: list[tuple[str, dict]] = []
        self.script: dict[str, list[tuple[int, bytes, float]]] = {"data": [], "tableinfo": []}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length).decode("utf-8"))
                endpoint = self.path.rstrip("/").rsplit("/", 1)[-1]
                outer.requests.append((endpoint, body))
                if outer.script.get(endpoint):
                    status, payload, delay = outer.script[endpoint].pop(0)
                else:
                    status, payload, delay = outer.recorded(endpoint, body)
                time.sleep(delay)
                try:
                    self.send_response(status)
                    ctype = "application/json" if payload.lstrip().startswith(b"{") else "text/csv; charset=utf-8"
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def recorded(self, endpoint, body):
        table = body.get("table", "").upper()
        if endpoint == "tableinfo" and table == "FOLK1A":
            return 200, (FIX / "tableinfo_folk1a.json").read_bytes(), 0
        if endpoint == "data":
            f = FIX / f"{table.lower()}_bulk.csv"
            if f.exists():
                return 200, f.read_bytes(), 0
        return 400, (FIX / "error_unknown_table.json").read_bytes(), 0

    def close(self):
        self.server.shutdown()
        self.server.server_close()


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
    assert list(f.columns) == ["område", "køn", "alder", "tid", "value", "note"]
    assert len(f) == 2 * 2 * 10 * 2
    # first data line of the fixture: 000;1;9;2015K1;3163  (3100 + 7*9)
    row = f[(f["område"] == "000") & (f["køn"] == "1") & (f["alder"] == "9") & (f["tid"] == "2015K1")]
    assert row["value"].tolist() == [3163.0]
    endpoint, body = statbank.requests[0]
    assert endpoint == "data" and body["format"] == "BULK" and body["table"] == "FOLK1A"
    assert body["valuePresentation"] == "Code"
    assert {"code": "OMRÅDE", "values": ["000", "851"]} in body["variables"]
    # the raw answer is cached byte for byte with its query
    cached = cached_queries(tmp_path / "dst", "FOLK1A")
    assert len(cached) == 1
    assert cached[0]["path"].read_bytes() == (FIX / "folk1a_bulk.csv").read_bytes()
    assert cached[0]["query"] == body
    # offline: no request, same frame; the selection order does not matter
    off = StatBankClient(base_url="http://127.0.0.1:9/v1", cache_dir=tmp_path / "dst", offline=True)
    g = off.fetch("folk1a", {"Tid": ["*"], "ALDER": ["*"], "KØN": ["2", "1"], "OMRÅDE": ["000", "851"]})
    assert g.equals(f)
    assert len(statbank.requests) == 1


def test_suppressed_is_missing_with_reason_not_zero(statbank, tmp_path):
    f = client(statbank, tmp_path).fetch("STRAF22", {"OMRÅDE": ["000", "851"], "Tid": ["*"]})
    sup = f[f["overtræd"] == "1"]
    assert sup["value"].isna().all() and sup["note"].tolist() == ["suppressed (..)"]
    assert (f["value"].dropna() > 0).all()
    g = client(statbank, tmp_path).fetch("STRAF44")
    assert int(g["value"].isna().sum()) == 1


def test_offline_cache_miss_is_one_line_error(tmp_path):
    c = StatBankClient(cache_dir=tmp_path, offline=True)
    with pytest.raises(DstError, match="not in the cache .*(offline)"):
        c.fetch("FOLK1A")


def test_api_error_body(statbank, tmp_path):
    with pytest.raises(DstError) as e:
        client(statbank, tmp_path).fetch("XYZ123", {"Tid": ["*"]})
    msg = str(e.value)
    assert "HTTP 400" in msg and "Tabellen XYZ123 blev ikke fundet. (EXTRACT-NOTFOUND)" in msg
    assert "\n" not in msg
    assert len(statbank.requests) == 1                    # a 4xx is not retried
    assert not (tmp_path / "dst" / "XYZ123").exists()    # nothing cached


def test_api_error_body_with_status_200(statbank, tmp_path):
    statbank.script["data"].append((200, (FIX / "error_bad_variable.json").read_bytes(), 0))
    with pytest.raises(DstError, match="StatBank error: Variablen 'FOO' findes ikke"):
        client(statbank, tmp_path).fetch("FOLK1A", {"FOO": ["1"]})


def test_retries_with_exponential_backoff_then_success(statbank, tmp_path):
    waits = []
    statbank.script["data"] += [(503, b"busy", 0), (500, b'{"errorTypeCode":"X","message":"intern"}', 0)]
    c = client(statbank, tmp_path, retries=3, backoff=0.5, sleep=waits.append)
    f = c.fetch("STRAF44")
    assert len(f) > 0 and len(statbank.requests) == 3
    assert waits == [0.5, 1.0]


def test_retries_are_bounded(statbank, tmp_path):
    waits = []
    statbank.script["data"] += [(503, b"busy", 0)] * 10
    c = client(statbank, tmp_path, retries=4, backoff=1, max_backoff=3, sleep=waits.append)
    with pytest.raises(DstError, match="failed after 5 attempt.*HTTP 503"):
        c.fetch("STRAF44")
    assert waits == [1, 2, 3, 3]
    assert len(statbank.requests) == 5


def test_timeout(statbank, tmp_path):
    statbank.script["data"] += [(200, b"late", 1.5), (200, b"late", 1.5)]
    c = StatBankClient(base_url=statbank.url, cache_dir=tmp_path, timeout=0.3, retries=1, sleep=lambda s: None)
    with pytest.raises(DstError, match="failed after 2 attempt.*timed out"):
        c.fetch("STRAF44")


def test_connection_refused(tmp_path):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    c = StatBankClient(base_url=f"http://127.0.0.1:{port}/v1", cache_dir=tmp_path, retries=1, sleep=lambda x: None)
    with pytest.raises(DstError, match="failed after 2 attempt"):
        c.fetch("FOLK1A")


def test_broken_answer_is_not_cached(statbank, tmp_path):
    statbank.script["data"].append((200, "\ufeffOMRÅDE;TID;INDHOLD\n851;2016;abc\n".encode(), 0))
    with pytest.raises(Exception, match="not a number"):
        client(statbank, tmp_path).fetch("STRAF44")
    assert not list((tmp_path / "dst").glob("*/*.csv"))


def test_tableinfo_cached(statbank, tmp_path):
    c = client(statbank, tmp_path)
    info = c.tableinfo("folk1a")
    assert [v["id"] for v in info["variables"]] == ["OMRÅDE", "KØN", "ALDER", "Tid"]
    off = StatBankClient(cache_dir=tmp_path / "dst", offline=True)
    assert off.tableinfo("FOLK1A") == info


def test_cache_key_is_stable_and_selection_sensitive():
    a = Query.make("FOLK1A", {"OMRÅDE": ["851", "000"], "Tid": ["*"]})
    b = Query.make("folk1a", {"Tid": ["*"], "OMRÅDE": ["000", "851"]})
    c = Query.make("FOLK1A", {"OMRÅDE": ["851"], "Tid": ["*"]})
    assert a.key() == b.key() != c.key()


def test_parse_bulk_decimal_comma_and_bom():
    f = parse_bulk("\ufeffOMRÅDE;TID;INDHOLD\r\n851;2016;12,5\r\n000;2016;1.234,5\r\n".encode())
    assert f["value"].tolist() == [12.5, 1234.5]
    assert read_bulk(FIX / "straf44_bulk.csv")["value"].notna().sum() == 15


def test_cli_fetch_dst(statbank, tmp_path, capsys):
    cache = tmp_path / "cache"
    assert main(["fetch-dst", "FOLK1A", "--var", "OMRÅDE=851,000", "--var", "KØN=1,2", "--var", "ALDER=*",
                 "--var", "Tid=*", "--cache", str(cache), "--base-url", statbank.url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: FOLK1A, 80 values (0 suppressed/missing), fetched")
    assert main(["fetch-dst", "FOLK1A", "--var", "OMRÅDE=851,000", "--var", "KØN=1,2", "--var", "ALDER=*",
                 "--var", "Tid=*", "--cache", str(cache), "--offline"]) == 0
    assert "from the cache" in capsys.readouterr().out
    assert main(["fetch-dst", "STRAF22", "--cache", str(cache), "--offline"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "offline" in err and "Traceback" not in err
    assert main(["fetch-dst", "NOPE1", "--cache", str(cache), "--base-url", statbank.url, "--retries", "0"]) == 2
    assert "EXTRACT-NOTFOUND" in capsys.readouterr().err
    assert main(["fetch-dst", "FOLK1A", "--info", "--cache", str(cache), "--base-url", statbank.url]) == 0
    assert "OMRÅDE: område [000=Hele landet, 851=Aalborg]" in capsys.readouterr().out
    # validate recognises a cached answer
    assert main(["validate", str(next((cache / "FOLK1A").glob("*.csv")))]) == 0
    assert capsys.readouterr().out.startswith("OK: StatBank table, 80 values")
