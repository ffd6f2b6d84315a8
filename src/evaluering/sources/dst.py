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
           "default_cache_dir", "parse_var_args", "cached_queries", "complete_variables", "total_value",
           "decimal_mark", "to_codes"]

log = logging.getLogger(__name__)

BASE_URL = "https://api.statbank.dk/v1"

#: the tables the product uses, with default selections. The BULK format needs a value for
#: every variable of a table: variables not named here (or on the command line) are filled
#: from the table's /tableinfo with their total (``TOT``, ``IALT``, "... i alt"), see
#: :func:`complete_variables`. ``zero_is_count``: the table publishes small counts (1, 2, 3
#: appear in its answers), so a ``0`` is a real zero although tableinfo's
#: ``suppressedDataValue`` is ``"0"``; elsewhere a ``0`` equal to ``suppressedDataValue``
#: is read as missing ("0 eller diskretioneret"), never as a 0 count.
TABLES: dict[str, dict[str, Any]] = {
    "FOLK1A": {
        "title": "Befolkningen den 1. i kvartalet efter område, køn, alder, civilstand og tid",
        "variables": {"OMRÅDE": ["000", "851"], "KØN": ["1", "2"], "ALDER": ["*"], "CIVILSTAND": ["TOT"],
                      "Tid": ["*"]},
        "zero_is_count": True,
    },
    "STRAF22": {
        "title": "Anmeldte forbrydelser og sigtelser efter område, overtrædelsens art, anmeldte og sigtede og tid",
        "variables": {"OMRÅDE": ["000", "851"], "OVERTRÆD": ["1"], "ANMSIGT": ["ANM", "SIG"], "Tid": ["*"]},
    },
    "STRAF44": {
        "title": "Strafferetlige afgørelser efter område, overtrædelsens art, afgørelsestype, alder, køn og tid",
        "variables": {"OMRÅDE": ["000", "851"], "OVERTRÆD": ["TOT"], "KØN": ["M", "K"], "ALDER": ["*"],
                      "Tid": ["*"]},
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
            raise DstError(f"ikke et tabel-id i Statistikbanken: '{table}'")
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


_TOTAL_IDS = ("TOT", "IALT", "I ALT")
_TOTAL_TEXTS = ("i alt", "hele landet", "all denmark", "total", "alle")


def total_value(variable: Mapping[str, Any]) -> str | None:
    """The id of a tableinfo variable's total value (``TOT``, ``IALT`` or a text "... i alt",
    "Hele landet", "..., total"), or None.

    >>> total_value({"id": "KØN", "values": [{"id": "TOT", "text": "I alt"}, {"id": "1", "text": "Mænd"}]})
    'TOT'
    >>> total_value({"id": "OMRÅDE", "values": [{"id": "000", "text": "Hele landet"}, {"id": "851", "text": "Aalborg"}]})
    '000'
    >>> total_value({"id": "ANMSIGT", "values": [{"id": "ANM", "text": "Anmeldte"}, {"id": "SIG", "text": "Sigtede"}]}) is None
    True
    """
    values = [v for v in variable.get("values", []) if isinstance(v, Mapping)]
    for v in values:
        if str(v.get("id", "")).strip().upper() in _TOTAL_IDS:
            return str(v["id"])
    for v in values:
        t = " ".join(str(v.get("text", "")).casefold().split())
        if t in _TOTAL_TEXTS or t.endswith((" i alt", ", total", " total")):
            return str(v["id"])
    return None


def _variables_of(info: Mapping[str, Any], table: str) -> list[dict[str, Any]]:
    variables = info.get("variables") if isinstance(info, Mapping) else None
    if not isinstance(variables, list) or not variables:
        raise DstError(f"{table}: tabelinfo uden variable (ødelagt cache? hent igen med --refresh)")
    return [v for v in variables if isinstance(v, Mapping) and "id" in v]


def complete_variables(table: str, variables: Mapping[str, Sequence[str]] | None,
                       info: Mapping[str, Any]) -> dict[str, list[str]]:
    """Every variable of ``table`` with a selection, as the BULK format needs it.

    Names are matched to tableinfo's ids without regard to case (``TID`` -> ``Tid``); a
    variable not selected gets its total value (:func:`total_value`) so that it never
    multiplies a sum; one without a total that cannot be eliminated, or the time variable,
    must be selected. Plain value codes are checked against tableinfo (``*`` and StatBank
    patterns such as ``>=2015`` are passed on).

    >>> info = {"variables": [{"id": "OMRÅDE", "values": [{"id": "000", "text": "Hele landet"}]},
    ...     {"id": "CIVILSTAND", "elimination": True, "values": [{"id": "TOT", "text": "I alt"}]},
    ...     {"id": "Tid", "time": True, "values": [{"id": "2020K1", "text": "2020K1"}]}]}
    >>> complete_variables("FOLK1A", {"område": ["000"], "TID": ["*"]}, info)
    {'OMRÅDE': ['000'], 'CIVILSTAND': ['TOT'], 'Tid': ['*']}
    """
    table = table.upper()
    tvars = _variables_of(info, table)
    by_key = {str(v["id"]).casefold(): v for v in tvars}
    chosen: dict[str, list[str]] = {}
    for name, values in (variables or {}).items():
        var = by_key.get(str(name).strip().casefold())
        if var is None:
            raise DstError(f"{table}: variablen '{name}' findes ikke i tabellen "
                           f"(variable: {', '.join(str(v['id']) for v in tvars)})")
        known = {str(v.get("id")).casefold(): str(v.get("id")) for v in var.get("values", []) if isinstance(v, Mapping)}
        out = []
        for value in values:
            value = str(value).strip()
            plain = value.replace("-", "").replace("_", "").replace(" ", "").isalnum() and "*" not in value
            if plain and known and value.casefold() not in known:
                raise DstError(f"{table}: værdien '{value}' findes ikke for {var['id']} "
                               f"(se evaluering fetch-dst {table} --info)")
            out.append(known.get(value.casefold(), value) if plain else value)
        chosen[str(var["id"])] = out
    result: dict[str, list[str]] = {}
    for var in tvars:
        vid = str(var["id"])
        if vid in chosen:
            result[vid] = chosen[vid]
            continue
        total = None if var.get("time") or var.get("elimination") is False else total_value(var)
        if total is None:
            raise DstError(f"{table}: variablen {vid} skal vælges (den har ingen total og kan ikke udelades "
                           f"i BULK-formatet); fx --var '{vid}=*'")
        result[vid] = [total]
    return result


def parse_var_args(items: Sequence[str] | None) -> dict[str, list[str]]:
    """``["OMRÅDE=851,000", "Tid=*"]`` -> ``{"OMRÅDE": ["851", "000"], "Tid": ["*"]}``.

    >>> parse_var_args(["OMRÅDE=851,000", "Tid=*"])
    {'OMRÅDE': ['851', '000'], 'Tid': ['*']}
    """
    out: dict[str, list[str]] = {}
    for item in items or []:
        if "=" not in item:
            raise DstError(f"--var skal have formen NAVN=V1,V2 (fik '{item}')")
        key, _, values = item.partition("=")
        vals = [v.strip() for v in values.split(",") if v.strip()]
        if not key.strip() or not vals:
            raise DstError(f"--var skal have formen NAVN=V1,V2 (fik '{item}')")
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
    message = " ".join(str(data.get("message", "")).split())[:300] or "ingen besked"
    if " / " in message:            # "dansk tekst. / English text." -> the Danish part
        message = message.split(" / ")[0].strip()
    code = data.get("errorTypeCode")
    return f"{message} ({code})" if code else message


_HTTP_HINTS = {
    400: "Statistikbanken afviste forespørgslen",
    404: "adressen findes ikke hos Statistikbanken (tjek --base-url, fx https://api.statbank.dk/v1)",
}


def _http_message(what: str, status: int, url: str, api: str | None, reason: Any) -> str:
    """A one-line Danish message for an HTTP error answer of StatBank.

    >>> _http_message("FOLK1A", 400, "u", "Tabel findes ikke: X (EXTRACT-NOTFOUND)", "Bad Request")
    'FOLK1A: Statistikbanken afviste forespørgslen (HTTP 400): Tabel findes ikke: X (EXTRACT-NOTFOUND)'
    """
    head = _HTTP_HINTS.get(status, "Statistikbanken svarede med en fejl")
    detail = api if api else (str(reason) if reason else "intet svar")
    return f"{what}: {head} (HTTP {status}): {detail}" if status != 404 else \
        f"{what}: {head} (HTTP 404 fra {url}): {detail}"


def _danish_reason(last: str) -> str:
    return {"timed out": "svarede ikke inden for tidsgrænsen", "no attempt": "intet forsøg"}.get(last, last)


def decimal_mark(lang: str | None) -> str:
    """The decimal mark of a StatBank answer in ``lang``: ``,`` in Danish, ``.`` in English.

    >>> decimal_mark("da"), decimal_mark("en")
    (',', '.')
    """
    return "." if str(lang or "da").strip().lower() == "en" else ","


def _suppressed_value(table: str, info: Mapping[str, Any] | None) -> str | None:
    """The value a table shows for a suppressed cell (tableinfo ``suppressedDataValue``),
    unless the table publishes its zeros as counts (``TABLES[table]["zero_is_count"]``)."""
    if not isinstance(info, Mapping):
        return None
    value = info.get("suppressedDataValue")
    if value is None or str(value).strip() == "":
        return None
    if str(value).strip() == "0" and TABLES.get(table.upper(), {}).get("zero_is_count"):
        return None
    return str(value).strip()


class StatBankClient:
    """Fetch StatBank tables with a cache.

    ``offline=True`` never touches the network. ``retries`` extra attempts follow the
    first, after ``backoff * 2**n`` seconds (at most ``max_backoff``). ``sleep`` is
    injectable for tests.

    >>> c = StatBankClient(cache_dir="/nonexistent", offline=True)
    >>> c.fetch("FOLK1A")                                  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    evaluering.sources.dst.DstError: FOLK1A: findes ikke i cachen ... (offline)...
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
                raise DstError(_http_message(what, err.code, url, api, err.reason)) from None
            except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError) as err:
                reason = getattr(err, "reason", err)
                last = "timed out" if isinstance(reason, (socket.timeout, TimeoutError)) else f"{type(reason).__name__}: {reason}"
                continue
            api = _api_error(payload)
            if api is not None:
                raise DstError(f"{what}: Statistikbanken afviste forespørgslen: {api}")
            return payload
        raise DstError(f"{what}: {url} svarede ikke efter {self.retries + 1} forsøg ({_danish_reason(last)})")

    # -- public -----------------------------------------------------------------------
    def tableinfo(self, table: str) -> dict[str, Any]:
        """The table's metadata (``variables`` with ``id``, ``text``, ``values``); cached."""
        table = table.strip().upper()
        path = self.info_path(table)
        if path.is_file() and not self.refresh:
            try:
                info = json.loads(path.read_text(encoding="utf-8-sig"))
            except (ValueError, UnicodeDecodeError):
                raise DstError(f"{path}: tabelinfo i cachen er ødelagt (ikke JSON); hent igen med --refresh") from None
            _variables_of(info, table)
            return info
        if self.offline:
            raise DstError(f"{table}: tabelinfo findes ikke i cachen {path.parent} (offline)")
        payload = self._post("tableinfo", {"table": table, "format": "JSON", "lang": "da"}, f"{table} tableinfo")
        try:
            info = json.loads(payload.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError):
            raise DstError(f"{table} tabelinfo: svaret er ikke JSON") from None
        _variables_of(info, table)
        from ..atomic import write_bytes
        write_bytes(path, payload)
        return info

    def complete(self, query: Query) -> Query:
        """``query`` with every variable of the table selected (:func:`complete_variables`,
        from the cached tableinfo). Offline without a cached tableinfo the query is kept."""
        if self.offline and not self.info_path(query.table).is_file():
            return query
        info = self.tableinfo(query.table)
        variables = complete_variables(query.table, {k: list(v) for k, v in query.variables}, info)
        return Query.make(query.table, variables, lang=query.lang, value_presentation=query.value_presentation)

    def _info_or_none(self, table: str) -> dict[str, Any] | None:
        path = self.info_path(table)
        return self.tableinfo(table) if path.is_file() else None

    def fetch_raw(self, query: Query) -> tuple[bytes, Path, bool]:
        """The raw BULK bytes of the completed ``query`` (:meth:`complete`):
        ``(bytes, cache path, from_cache)``."""
        query = self.complete(query)
        path = self.data_path(query)
        if path.is_file() and not self.refresh:
            return path.read_bytes(), path, True
        if self.offline:
            raise DstError(f"{query.table}: findes ikke i cachen {path.parent} for dette udvalg (offline); "
                           f"hent det én gang med netværk: evaluering fetch-dst {query.table}")
        payload = self._post("data", query.body(), query.table)
        parse_bulk(payload, source=f"{query.table} svar", decimal=decimal_mark(query.lang),
                   suppressed_value=_suppressed_value(query.table, self._info_or_none(query.table)),
                   expect=query, info=self._info_or_none(query.table))   # refuse a broken or incomplete answer
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
        query = self.complete(Query.make(table, variables, **kw))
        payload, path, _ = self.fetch_raw(query)
        frame = parse_bulk(payload, source=str(path), decimal=decimal_mark(query.lang),
                           suppressed_value=_suppressed_value(query.table, self._info_or_none(query.table)))
        frame.attrs.update({"table": query.table, "cache": str(path), "query": query.body()})
        return frame


def parse_bulk(data: bytes, source: str = "<StatBank answer>", decimal: str = ",",
               suppressed_value: str | None = None, expect: Query | None = None,
               info: Mapping[str, Any] | None = None):
    """Parse a BULK/CSV StatBank answer (``;``, BOM, CRLF, ``..`` suppressed).

    ``decimal``: ``,`` for an answer in Danish, ``.`` in English (:func:`decimal_mark`).
    ``suppressed_value``: the table's ``suppressedDataValue`` (e.g. ``"0"``): such a value
    is missing with the reason in ``note``, never a count. ``expect``: the query; every
    selected value code of a variable must be in the answer (a missing age is an error,
    not a smaller sum); with ``info`` (tableinfo) ``*`` of a variable other than time means
    every value code of tableinfo. Raises :class:`InputError` with the line of a malformed row;
    values of the aggregate table may be quoted. A headerless StatBank *web* export
    (``"2000";110854;...``) is refused with a message saying what it is.

    >>> parse_bulk(b"S\\xc3\\x86SON;TID;INDHOLD\\nX;2020U46;56.2\\n", decimal=".")["value"].tolist()
    [56.2]
    >>> f = parse_bulk(b"OMR\\xc3\\x85DE;TID;INDHOLD\\n101;2025;0\\n", suppressed_value="0")
    >>> f["value"].isna().tolist(), f["note"].tolist()
    ([True], ['0 eller diskretioneret (tabellens suppressedDataValue er 0)'])
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
    if _headerless_web_export(first):
        raise InputError(source, "en Statistikbanken-webeksport uden overskrift (gemt fra statbank.dk), ikke et "
                         "API-svar: variablenes koder mangler; hent tabellen med evaluering fetch-dst",
                         row=header_line)
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
        if suppressed_value is not None and raw == suppressed_value:
            values.append(float("nan"))
            notes.append(f"{raw} eller diskretioneret (tabellens suppressedDataValue er {raw})")
            continue
        try:
            values.append(parse_float(raw, decimal))
        except ValueError:
            shown = raw if len(raw) <= 20 else raw[:19] + "…"
            raise InputError(source, f"not a number: '{shown}'", row=line, column=header[-1]) from None
        notes.append(None)
    frame = pd.DataFrame({d: pd.Series(v, dtype="string") for d, v in out.items()})
    frame["value"] = pd.Series(values, dtype="float64")
    frame["note"] = pd.Series(notes, dtype="string")
    if expect is not None:
        _check_complete(frame, expect, source, header_line, info)
    return frame


def _headerless_web_export(first: list[str]) -> bool:
    """A first row ending in a number (``"2000";110854;2902`` or ``"Danmark";"2008K1";4977829``):
    statbank.dk's saved table without the header row of variable codes."""
    cells = [c.strip() for c in first]
    if len(cells) < 2 or cells[-1].upper() == "INDHOLD":
        return False
    try:
        parse_float(cells[-1], ",")
    except ValueError:
        return False
    return True


def _check_complete(frame, query: Query, source: str, header_line: int, info=None) -> None:
    """Every plainly selected value code of ``query`` (and, with tableinfo, every value of a
    ``*`` selection of a variable other than time) occurs in the answer."""
    dims = {d.casefold(): d for d in frame.columns if d not in ("value", "note")}
    tvars = {str(v.get("id", "")).casefold(): v for v in (info or {}).get("variables", []) or []
             if isinstance(v, Mapping)} if isinstance(info, Mapping) else {}
    for name, values in query.variables:
        col = dims.get(name.casefold())
        plain = [v for v in values if v.replace("-", "").isalnum() and "*" not in v]
        var = tvars.get(name.casefold())
        if "*" in values and var is not None and not var.get("time"):
            plain += [str(v.get("id")) for v in var.get("values", []) if isinstance(v, Mapping)]
        if col is None:
            if len(plain) == 1 or any(v == "*" for v in values):
                continue   # a variable with one selected value may be left out of an answer
            raise InputError(source, f"svaret mangler variablen {name} fra forespørgslen", row=header_line)
        present = set(frame[col].astype(str))
        missing = [v for v in plain if v not in present]
        if missing:
            shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
            raise InputError(source, f"svaret mangler {len(missing)} af de valgte værdier af {name}: {shown}",
                             row=header_line, column=name)


def read_bulk(path: str | Path):
    """A cached StatBank answer (a file) as a tidy frame; see :func:`parse_bulk`."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found")
    decimal, suppressed, query = ",", None, None
    qfile = path.with_name(path.name[:-4] + ".query.json") if path.name.endswith(".csv") else None
    if qfile is not None and qfile.is_file():
        try:
            query = json.loads(qfile.read_text(encoding="utf-8-sig"))
        except (ValueError, UnicodeDecodeError):
            raise InputError(qfile, "ødelagt forespørgselsfil i cachen (ikke JSON); hent igen med --refresh") from None
        if isinstance(query, dict):
            decimal = decimal_mark(query.get("lang"))
            info = path.parent / "tableinfo.json"
            if info.is_file():
                try:
                    suppressed = _suppressed_value(str(query.get("table", path.parent.name)),
                                                   json.loads(info.read_text(encoding="utf-8-sig")))
                except (ValueError, UnicodeDecodeError):
                    raise InputError(info, "tabelinfo i cachen er ødelagt (ikke JSON); hent igen med --refresh") from None
    frame = parse_bulk(path.read_bytes(), source=str(path), decimal=decimal, suppressed_value=suppressed)
    if isinstance(query, dict):
        frame.attrs["query"] = query
    return frame


def to_codes(frame, info: Mapping[str, Any] | None, source: str = "StatBank"):
    """``frame`` with value texts (``valuePresentation=Text``: "Hele landet", "Mænd",
    "15 år") replaced by their codes from tableinfo; a column already in codes is kept.
    Works across languages when tableinfo and answer differ only in texts we know.

    >>> import pandas as pd
    >>> info = {"variables": [{"id": "KØN", "values": [{"id": "1", "text": "Mænd"}, {"id": "2", "text": "Kvinder"}]}]}
    >>> to_codes(pd.DataFrame({"køn": ["Mænd", "Kvinder"], "value": [1.0, 2.0]}), info)["køn"].tolist()
    ['1', '2']
    """
    import pandas as pd

    if not isinstance(info, Mapping):
        return frame
    out = frame.copy()
    for var in info.get("variables", []) or []:
        if not isinstance(var, Mapping):
            continue
        col = next((c for c in out.columns if c.casefold() == str(var.get("id", "")).casefold()), None)
        if col is None:
            continue
        ids = {str(v.get("id")) for v in var.get("values", []) if isinstance(v, Mapping)}
        values = set(out[col].astype(str))
        if values <= ids or var.get("time"):
            continue
        texts = {" ".join(str(v.get("text", "")).casefold().split()): str(v.get("id"))
                 for v in var.get("values", []) if isinstance(v, Mapping)}
        mapped, unknown = [], []
        for x in out[col].astype(str):
            key = " ".join(x.casefold().split())
            code = x if x in ids else texts.get(key)
            if code is None:
                unknown.append(x)
            mapped.append(code)
        if unknown:
            shown = ", ".join(sorted(set(unknown))[:5])
            raise InputError(source, f"ukendte værdier af {var['id']} (hverken koder eller tekster i tabelinfo): "
                             f"{shown}; hent svaret med valuePresentation=Code", column=str(var["id"]))
        out[col] = pd.Series(mapped, index=out.index, dtype="string")
    return out


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
