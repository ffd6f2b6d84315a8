"""A local stand-in for ``https://api.statbank.dk/v1`` on 127.0.0.1 (ephemeral port, one
daemon thread, bounded: each connection times out after a few seconds and the server is
shut down by the fixture that made it). It serves recorded answers from files; the tests
choose which (invented ones from tests/data/dst/, real ones from tests/data/dst/real/).

>>> s = FakeStatBank(data={}, tableinfo={})
>>> s.url.startswith("http://127.0.0.1:")
True
>>> s.close()
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Mapping

DST = Path(__file__).resolve().parent / "data" / "dst"
REAL = DST / "real"

#: invented answers (tests/data/dst/) per table, with the tableinfo served for each table
INVENTED_DATA = {"FOLK1A": DST / "folk1a_bulk.csv", "STRAF22": DST / "straf22_bulk.csv",
                 "STRAF44": DST / "straf44_bulk.csv"}
TABLEINFO = {"FOLK1A": REAL / "tableinfo_folk1a_dst-skills.json",
             "STRAF22": REAL / "tableinfo_straf22_en_am-dashboard-dk.json",
             "STRAF44": DST / "tableinfo_straf44_INVENTED.json"}
NOT_FOUND = REAL / "error_400_table_not_found.json"


class FakeStatBank:
    """Serves POST /v1/data and /v1/tableinfo.

    ``data``: table -> answer file, or a callable ``(body) -> (status, bytes)``;
    ``tableinfo``: table -> file. ``script`` holds queued ``(status, body, delay)`` answers per
    endpoint that come first. Unknown tables get the real 400 body "Tabel findes ikke";
    another path than /v1/data or /v1/tableinfo the real 404 body. ``requests`` records
    ``(endpoint, body)``.
    """

    def __init__(self, data: Mapping[str, Path | Callable] | None = None,
                 tableinfo: Mapping[str, Path] | None = None, timeout: float = 5.0):
        self.data = dict(INVENTED_DATA if data is None else data)
        self.tableinfo = dict(TABLEINFO if tableinfo is None else tableinfo)
        self.requests: list[tuple[str, dict]] = []
        self.script: dict[str, list[tuple[int, bytes, float]]] = {"data": [], "tableinfo": []}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def setup(self):
                super().setup()
                self.connection.settimeout(timeout)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0) or 0)
                raw = self.rfile.read(min(length, 1_000_000))
                try:
                    body = json.loads(raw.decode("utf-8"))
                except ValueError:
                    body = {}
                parts = self.path.rstrip("/").split("/")
                endpoint = parts[-1] if len(parts) == 3 and parts[1] == "v1" else ""
                outer.requests.append((endpoint, body))
                if outer.script.get(endpoint):
                    status, payload, delay = outer.script[endpoint].pop(0)
                else:
                    status, payload, delay = (*outer.recorded(endpoint, body), 0)
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

    def recorded(self, endpoint: str, body: dict) -> tuple[int, bytes]:
        table = str(body.get("table", "")).upper()
        if endpoint == "tableinfo" and table in self.tableinfo:
            return 200, Path(self.tableinfo[table]).read_bytes()
        if endpoint == "data" and table in self.data:
            source = self.data[table]
            if callable(source):
                return source(body)
            return 200, Path(source).read_bytes()
        if endpoint not in ("data", "tableinfo"):
            return 404, (REAL / "error_404_endpoint.json").read_bytes()
        return 400, NOT_FOUND.read_bytes()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
