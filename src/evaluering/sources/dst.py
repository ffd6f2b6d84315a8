"""Danmarks Statistik StatBank client (``https://api.statbank.dk/v1/``) with a local cache.

Requests are POSTed as JSON to ``/tableinfo`` and ``/data`` (format ``BULK``: ``;``-separated,
UTF-8 with BOM, decimal comma, ``..`` for a suppressed value). Every raw response is stored
under the cache folder (default ``data/raw/dst/``) as::

    <cache>/<TABLE>/tableinfo.json          the /tableinfo answer (variables and value codes)
    <cache>/<TABLE>/<key>.csv               the raw /data answer, byte for byte
    <cache>/<TABLE>/<key>.query.json        the request body that produced it

``<key>`` is the first 16 hex digits of the SHA-256 of the canonical request body (sorted
variables and values), so the same query always maps to the same file. Offline mode reads
the cache only. Requests have a timeout and are retried with exponential back-off
(bounded) on connection errors, timeouts, HTTP 429 and 5xx; API error bodies
(``{"errorTypeCode": ..., "message": ...}``) become one-line :class:`DstError` messages.

Suppressed values are returned as missing with a reason in ``note``, never as 0.

>>> q = Query.make("FOLK1A", {"OMRÅDE": ["851", "000"], "Tid": ["2017K1"]})
>>> q.body()["variables"]
[{'code': 'OMRÅDE', 'values': ['000', '851']}, {'code': 'Tid', 'values': ['2017K1']}]
>>> len(q.key())
16
>>> frame = parse_bulk("\\ufeffOMRÅDE;TID;INDHOLD\\n851;2017K1;1.234\\n000;2017K1;..\\n".encode())
>>> frame["value"].tolist()[0], frame["note"].tolist()[1]
(1234.0, 'suppressed (..)')
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from ..errors import EvalueringError, InputError
from .schema import SUPPRESSED_MARKERS, parse_float

__all__ = ["BASE_URL", "TABLES", "Query", "DstError", "StatBankClient", "parse_bulk", "read_bulk",
           "default_cache_dir", "parse_var_args", "cached_queries"]

log = logging.getLogger(__name__)

BASE_URL = "https://api.statbank.dk/v1"

#: the tables the product uses, with default selections (variables not named are
#: eliminated by StatBank, i.e. summed to their total, where the table allows it)
TABLES: dict[str, dict[str, Any]] = {
    "FOLK1A": {
        "title": "Befolkningen den 1. i kvartalet efter område, køn, alder, civilstand og tid",
        "variables": {"OMRÅDE": ["000", "851"], "KØN": ["1", "2"], "ALDER": ["*"], "Tid": ["*"]},
    },
    "STRAF22": {
        "title": "Anmeldte forbrydelser og sigtelser efter område, overtrædelsens art, anmeldte og sigtede og tid",
        "variables": {"OMRÅDE": ["000", "851"], "ANMSIGT": ["*"], "Tid": ["*"]},
    },
    "STRAF44": {
        "title": "Strafferetlige afgørelser efter område, overtrædelsens art, afgørelsestype, alder, køn og tid",
        "variables": {"OMRÅDE": ["000", "851"], "KØN": ["*"], "ALDER": ["*"], "Tid": ["*"]},
    },
}


class DstError(EvalueringError):
    """A StatBank request failed (HTTP error, API error body, timeout, cache miss offline)."""


def default_cache_dir() -> Path:
    """``data/raw/dst/`` of the project."""
    from ..plan import project_root
    return project_root() / "data" / "raw" / "dst"


@dataclass(frozen=True)
class Query:
    """One ``/data`` request: table, variable selections, language, value presentation."""

    table: str
    variables: tuple[tuple[str, tuple[str, ...]], ...]
    lang: str = "da"
    value_presentation: str = "Code"

    @classmethod
    def make(cls, table: str, variables: Mapping[str, Sequence[str]] | None = None,
             lang: str = "da", value_presentation: str = "Code") -> "Query":
        """A query with variables and values sorted (so equal selections share a cache key)."""
        table = table.strip().upper()
        if not table.replace("_", "").isalnum():
            raise DstError(f"not a StatBank table id: '{table}'")
        if variables is None:
            variables = TABLES.get(table, {}).get("variables", {"Tid": ["*"]})
        items = tuple(sorted((str(k), tuple(sorted(str(v) for v in vals))) for k, vals in variables.items()))
        return cls(table, items, lang, value_presentation)

    def body(self) -> dict[str, Any]:
        """The JSON body of the ``/data`` POST."""
        return {
            "table": self.table,
            "format": "BULK",
            "lang": self.lang,
            "valuePresentation": self.value_presentation,
            "variables": [{"code": k, "values": list(v)} for k, v in self.variables],
        }

    def key(self) -> str:
        """The cache key: 16 hex digits of the SHA-256 of the canonical body."""
        canon = json.dumps(self.body(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]


def parse_var_args(items: Sequence[str] | None) -> dict[str, list[str]]:
    """``["OMRÅDE=851,000", "Tid=*"]`` -> ``{"OMRÅDE": ["851", "000"], "Tid": ["*"]}``.

    >>> parse_var_args(["OMRÅDE=851,000", "Tid=*"])
    {'OMRÅDE': ['851', '000'], 'Tid': ['*']}
    """
    out: dict[str, list[str]] = {}
    for item in items or []:
        if "=" not in item:
            raise DstError(f"--var needs KEY=V1,V2 (got '{item}')")
        key, _, values = item.partition("=")
        vals = [v.strip() for v in values.split(",") if v.strip()]
        if not key.strip() or not vals:
            raise DstError(f"--var needs KEY=V1,V2 (got '{item}')")
        out.setdefault(key.strip(), []).extend(vals)
    return out


def _api_error(body: bytes) -> str | None:
    """The message of a StatBank JSON error body, or None."""
    text = body.decode("utf-8-sig", errors="replace").strip()
    if not text.startswith("{"):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or not ({"errorTypeCode", "message"} & set(data)):
        return None
    message = " ".join(str(data.get("message", "")).split())[:300] or "no message"
    code = data.get("errorTypeCode")
    return f"{message} ({code})" if code else message


class StatBankClient:
    """Fetch StatBank tables with a cache.

    ``offline=True`` never touches the network. ``retries`` extra attempts follow the
    first, after ``backoff * 2**n`` seconds (at most ``max_backoff``). ``sleep`` is
    injectable for tests.

    >>> c = StatBankClient(cache_dir="/nonexistent", offline=True)
    >>> c.fetch("FOLK1A")                                  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    evaluering.sources.dst.DstError: FOLK1A: not in the cache ... (offline)...
    """

    def __init__(self, base_url: str = BASE_URL, cache_dir: str | Path | None = None, offline: bool = False,
                 timeout: float = 30.0, retries: int = 3, backoff: float = 1.0, max_backoff: float = 16.0,
                 refresh: bool = False, sleep: Callable[[float], None] = time.sleep):
        self.base_url = base_url.rstrip("/")
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.offline = offline
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.refresh = refresh
        self.sleep = sleep

    # -- paths ------------------------------------------------------------------------
    def data_path(self, query: Query) -> Path:
        return self.cache_dir / query.table / f"{query.key()}.csv"

    def info_path(self, table: str) -> Path:
        return self.cache_dir / table.upper() / "tableinfo.json"

    # -- HTTP -------------------------------------------------------------------------
    def _post(self, endpoint: str, body: dict[str, Any], what: str) -> bytes:
        url = f"{self.base_url}/{endpoint}"
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        last = "no attempt"
        for attempt in range(self.retries + 1):
            if attempt:
                delay = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
                log.info("StatBank %s: retry %d/%d in %.1f s (%s)", what, attempt, self.retries, delay, last)
                self.sleep(delay)
            req = urllib.request.Request(url, data=data, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8",
                                                  "Accept": "*/*", "User-Agent": "evaluering"})
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    payload = resp.read()
            except urllib.error.HTTPError as err:
                payload = err.read() if err.fp is not None else b""
                api = _api_error(payload)
                if err.code == 429 or err.code >= 500:
                    last = f"HTTP {err.code}" + (f": {api}" if api else "")
                    continue
                raise DstError(f"{what}: HTTP {err.code} from {url}" + (f": {api}" if api else f" ({err.reason})")) from None
            except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError) as err:
                reason = getattr(err, "reason", err)
                last = "timed out" if isinstance(reason, (socket.timeout, TimeoutError)) else f"{type(reason).__name__}: {reason}"
                continue
            api = _api_error(payload)
            if api is not None:
                raise DstError(f"{what}: StatBank error: {api}")
            return payload
        raise DstError(f"{what}: {url} failed after {self.retries + 1} attempt(s) ({last})")

    # -- public -----------------------------------------------------------------------
    def tableinfo(self, table: str) -> dict[str, Any]:
        """The table's metadata (``variables`` with ``id``, ``text``, ``values``); cached."""
        table = table.strip().upper()
        path = self.info_path(table)
        if path.is_file() and not self.refresh:
            return json.loads(path.read_text(encoding="utf-8-sig"))
        if self.offline:
            raise DstError(f"{table}: table info not in the cache {path.parent} (offline)")
        payload = self._post("tableinfo", {"table": table, "format": "JSON", "lang": "da"}, f"{table} tableinfo")
        try:
            info = json.loads(payload.decode("utf-8-sig"))
        except ValueError:
            raise DstError(f"{table} tableinfo: the answer is not JSON") from None
        from ..atomic import write_bytes
        write_bytes(path, payload)
        return info

    def fetch_raw(self, query: Query) -> tuple[bytes, Path, bool]:
        """The raw BULK bytes of ``query``: ``(bytes, cache path, from_cache)``."""
        path = self.data_path(query)
        if path.is_file() and not self.refresh:
            return path.read_bytes(), path, True
        if self.offline:
            raise DstError(f"{query.table}: not in the cache {path.parent} for this selection (offline); "
                           f"fetch it once with network: evaluering fetch-dst {query.table}")
        payload = self._post("data", query.body(), query.table)
        parse_bulk(payload, source=f"{query.table} answer")   # refuse to cache a broken answer
        from ..atomic import write_bytes, write_text
        write_bytes(path, payload)
        write_text(path.with_suffix(".query.json"),
                   json.dumps(query.body(), ensure_ascii=False, indent=2, sort_keys=True) + "\n")
        return payload, path, False

    def fetch(self, table: str, variables: Mapping[str, Sequence[str]] | None = None, **kw):
        """Fetch (or read from the cache) one table as a tidy frame.

        Columns: one per variable (lower-case code, value codes as text), ``value``
        (float, missing where suppressed) and ``note`` (why a value is missing).
        """
        query = Query.make(table, variables, **kw)
        payload, path, _ = self.fetch_raw(query)
        frame = parse_bulk(payload, source=str(path))
        frame.attrs.update({"table": query.table, "cache": str(path), "query": query.body()})
        return frame


def parse_bulk(data: bytes, source: str = "<StatBank answer>"):
    """Parse a BULK/CSV StatBank answer (``;``, BOM, decimal comma, ``..`` suppressed).

    Raises :class:`InputError` with the line of a malformed row; values of the aggregate
    table may be quoted.
    """
    import csv

    import pandas as pd

    api = _api_error(data)
    if api is not None:
        raise InputError(source, f"a StatBank error answer, not data: {api}", row=1)
    from .schema import _decode, _sniff_binary

    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InputError(source, "empty StatBank answer")
    _sniff_binary(Path(source), data[:8192])
    text, _ = _decode(Path(source), data)
    if not text.strip():
        raise InputError(source, "empty StatBank answer")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    numbered: list[tuple[int, list[str]]] = []
    prev = 0
    try:
        for r in reader:
            start, prev = prev + 1, reader.line_num
            if any(c.strip() for c in r):
                numbered.append((start, r))
    except csv.Error as err:
        raise InputError(source, f"broken CSV ({err})", row=prev + 1) from None
    if not numbered:
        raise InputError(source, "empty StatBank answer")
    header_line, first = numbered[0]
    header = [h.strip() for h in first]
    if len(header) < 2 or header[-1].upper() != "INDHOLD":
        raise InputError(source, "not a StatBank BULK/CSV answer (the last column must be INDHOLD)", row=header_line,
                         column=header[-1] if header and len(header[-1]) <= 40 else None)
    dims = [h.lower() for h in header[:-1]]
    if len(set(dims)) != len(dims):
        raise InputError(source, "a variable appears twice in the header", row=header_line)
    out: dict[str, list] = {d: [] for d in dims}
    values, notes = [], []
    seen: dict[tuple, int] = {}
    for line, row in numbered[1:]:
        if len(row) != len(header):
            raise InputError(source, f"the row has {len(row)} fields, the header {len(header)}", row=line)
        key = tuple(c.strip() for c in row[:-1])
        if key in seen:
            raise InputError(source, f"duplicate row (same as line {seen[key]})", row=line, column=header[-2])
        seen[key] = line
        for d, v in zip(dims, key):
            out[d].append(v)
        raw = row[-1].strip()
        if raw.casefold() in SUPPRESSED_MARKERS or raw == "":
            values.append(float("nan"))
            notes.append(SUPPRESSED_MARKERS.get(raw.casefold(), "missing (empty)"))
            continue
        try:
            values.append(parse_float(raw, ","))
        except ValueError:
            shown = raw if len(raw) <= 20 else raw[:19] + "…"
            raise InputError(source, f"not a number: '{shown}'", row=line, column=header[-1]) from None
        notes.append(None)
    frame = pd.DataFrame({d: pd.Series(v, dtype="string") for d, v in out.items()})
    frame["value"] = pd.Series(values, dtype="float64")
    frame["note"] = pd.Series(notes, dtype="string")
    return frame


def read_bulk(path: str | Path):
    """A cached StatBank answer (a file) as a tidy frame; see :func:`parse_bulk`."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found")
    return parse_bulk(path.read_bytes(), source=str(path))


def cached_queries(cache_dir: str | Path | None = None, table: str | None = None) -> list[dict[str, Any]]:
    """The queries in a cache: ``[{"table", "path", "query"}]`` (sorted by path)."""
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    out = []
    pattern = f"{table.upper()}/*.query.json" if table else "*/*.query.json"
    for q in sorted(root.glob(pattern)):
        data_file = q.with_name(q.name.replace(".query.json", ".csv"))
        if data_file.is_file():
            try:
                query = json.loads(q.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError) as err:   # a corrupt cache file: say which
                raise InputError(q, f"not a readable StatBank cache file ({type(err).__name__})",
                                 row=getattr(err, "lineno", None)) from None
            out.append({"table": q.parent.name, "path": data_file, "query": query})
    return out
