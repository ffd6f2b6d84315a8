"""Audit generated outputs for disclosure problems (``evaluering audit DIR``).

Scans HTML, JSON, CSV, executed notebooks (``.ipynb``: the outputs of every cell) and text
logs (``.txt``, ``.log``, ``.md``) under a folder and reports:

* a published count with ``0 < n < threshold``: a cell marked ``data-count`` (the library's
  HTML), a table column, JSON key or CSV column named as a count (``numerator``,
  ``denominator``, ``count``, ``persons``, ``*_count``; see :mod:`.markers`);
* a person identifier: a CPR-number pattern (``010203-1234``, ``0102031234``) anywhere in the
  text, a column or key named ``person_id``, ``pnr``, ``cpr``, ``fornavn``, ``fødselsdato``, ...;
* a person-level row table: a ``navn`` column beside person attributes (age, sex), or age and
  sex per row with no count, rate or share column.

A finding is one line ``file:location: what``; sensitive values are never echoed (a CPR
number shows only its first two digits). A file that cannot be parsed is a finding too: the
audit cannot vouch for it.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "t.csv").write_text("area,count\\nA,2\\nB,40\\n")
>>> [str(f).split("/")[-1] for f in audit_path(d)]
['t.csv:2:count: unsuppressed count < 3 in column count']
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .markers import (COUNT_ATTR, CPR_PATTERN, SUPPRESSED_ATTR, SUPPRESSED_CLASS, is_count_name,
                      is_identifier_name, is_name_column, is_person_attribute, mask_cpr, normalize_name)
from .primary import check_threshold

__all__ = ["Finding", "audit_path", "audit_file", "audit_text", "assert_clean", "AUDITED_SUFFIXES",
           "MAX_PER_KIND"]

AUDITED_SUFFIXES = (".html", ".htm", ".json", ".csv", ".tsv", ".ipynb", ".txt", ".log", ".md", ".svg",
                    ".xml", ".xlsx", ".docx", ".yaml", ".yml", ".tex")
#: suffixes never read (images, PDF: their text is the HTML's); any other file that decodes as
#: text is scanned as plain text
BINARY_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".pdf", ".parquet", ".zip", ".gz", ".pyc", ".woff", ".woff2")
#: findings of one kind reported per file before they are summarised
MAX_PER_KIND = 20
_RATE_WORDS = ("andel", "rate", "pct", "procent", "share", "per_1000", "pr_1000", "mean", "gennemsnit")
_IDENT_TOKENS = {"person_id", "personid", "pnr", "cpr_nr", "cprnr", "personnummer"}  # not bare "cpr": prose


@dataclass(frozen=True, order=True)
class Finding:
    """One problem: where (``path``, ``location``) and what; never the sensitive value."""

    path: str
    location: str
    what: str
    kind: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.path}:{self.location}: {self.what}" if self.location else f"{self.path}: {self.what}"


class _Ctx:
    def __init__(self, path: str, threshold: int):
        self.path = path
        self.threshold = threshold
        self.findings: list[Finding] = []
        self.per_kind: dict[str, int] = {}

    def add(self, location: str, what: str, kind: str) -> None:
        n = self.per_kind.get(kind, 0) + 1
        self.per_kind[kind] = n
        if n <= MAX_PER_KIND:
            self.findings.append(Finding(self.path, location, what, kind))

    def finish(self) -> list[Finding]:
        for kind, n in self.per_kind.items():
            if n > MAX_PER_KIND:
                self.findings.append(Finding(self.path, "", f"{n - MAX_PER_KIND} more findings of kind {kind}", kind))
        return self.findings


_THOUSANDS = re.compile(r"^-?\d{1,3}(?:\.\d{3})+$")


def _count_value(v) -> float | None:
    """The value as a whole number if it reads as one (Danish or plain), else None."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        x = float(v)
    elif isinstance(v, str):
        s = v.strip().replace("\u00a0", "").replace(" ", "")
        if not s:
            return None
        if _THOUSANDS.match(s):
            s = s.replace(".", "")
        try:
            x = float(s.replace(",", ".")) if s.count(",") == 1 and "." not in s else float(s)
        except ValueError:
            return None
    else:
        return None
    if x != x or x != int(x):
        return None
    return x


def _is_small(v, threshold: int) -> bool:
    x = _count_value(v)
    return x is not None and 0 < x < threshold


def _scan_cpr(ctx: _Ctx, text: str, where) -> None:
    """``where(line_offset) -> location``."""
    for m in CPR_PATTERN.finditer(text):
        line = text.count("\n", 0, m.start())
        ctx.add(where(line), f"CPR-number pattern {mask_cpr(m.group())}", "cpr")


#: words that make a number before them a count of persons ("2 sigtede", "1 af 3 unge")
_PERSON_WORDS = (r"personer|person|sigtede|sigtet|mistænkte|unge|børn|borgere|beboere|deltagere|drenge|piger|"
                 r"mænd|kvinder|forløb|elever|sager")
_PHRASE_COUNT = re.compile(r"(?<![\d.,])(\d{1,6})\s+(?:" + _PERSON_WORDS + r")\b", re.I)
_PHRASE_OF = re.compile(r"(?<![\d.,])(\d{1,6})\s+af\s+(\d{1,6})\s+(?:med\s+kontakt|" + _PERSON_WORDS + r")\b", re.I)
_KEY_VALUE = re.compile(r"(?m)^[ \t-]*[\"']?([A-Za-zæøåÆØÅ][\wæøåÆØÅ]*)[\"']?[ \t]*[:=][ \t]*(\d{1,6})[ \t,]*$")
_PHRASE_N = re.compile(r"(?<![\w])(?:n|antal)\s*[:=]\s*(\d{1,6})(?![\d,.])", re.I)
#: the CPR pattern across inline markup: ``01<span>02</span>03-1234``
_INLINE_TAGS = re.compile(r"</?(?:span|b|i|em|strong|sub|sup|small|a|font|mark|u|s|code|abbr|tspan)\b[^>]*>", re.I)


def _scan_phrases(ctx: _Ctx, text: str, where) -> None:
    """Counts written in prose: "2 sigtede", "1 af 1 med kontakt", "n = 2"."""
    t = ctx.threshold
    for m in _PHRASE_COUNT.finditer(text):
        if 0 < int(m.group(1)) < t:
            ctx.add(where(text.count("\n", 0, m.start())), f"count < {t} in text (a number before a word for persons)",
                    "small_count_text")
    for m in _PHRASE_OF.finditer(text):
        k, n = int(m.group(1)), int(m.group(2))
        if 0 < k < t or 0 < n < t or 0 < n - k < t:
            ctx.add(where(text.count("\n", 0, m.start())), f"count < {t} in text (k af n)", "small_count_text")
    for m in _PHRASE_N.finditer(text):
        if 0 < int(m.group(1)) < t:
            ctx.add(where(text.count("\n", 0, m.start())), f"count < {t} in text (n = / antal:)", "small_count_text")
    for m in _KEY_VALUE.finditer(text):  # "antal_personer: 2" in YAML, logs, printed dicts
        if is_count_name(m.group(1)) and normalize_name(m.group(1)) not in ("n", "antal") and 0 < int(m.group(2)) < t:
            ctx.add(where(text.count("\n", 0, m.start())), f"count < {t} in text (n = / antal:) key {m.group(1)}",
                    "small_count_text")


def _scan_text(ctx: _Ctx, text: str, where) -> None:
    _scan_cpr(ctx, text, where)
    _scan_phrases(ctx, text, where)


_RATE_SCALES = (("1000", 1000.0), ("1_000", 1000.0), ("promille", 1000.0), ("andel", 100.0), ("pct", 100.0),
                ("procent", 100.0), ("share", 100.0), ("rate", 100.0), ("value", 100.0), ("værdi", 100.0))
_DEN_NAMES = ("denominator", "nævner", "naevner", "befolkning", "population", "persons", "personer", "n")


def _check_consistency(ctx: _Ctx, names: list[str], rows: list[list], loc) -> None:
    """A rate published beside its denominator while the count is withheld gives the count
    back: ``rate x denominator / scale`` is flagged when it is 1 to threshold - 1."""
    norm = [normalize_name(c) for c in names]
    den = next((j for j, c in enumerate(norm) if c in _DEN_NAMES or c.startswith("befolkning")), None)
    if den is None:
        return
    num = next((j for j, c in enumerate(norm) if c in ("numerator", "tæller", "taeller", "count", "antal")
                or c.startswith("antal_")), None)
    rates = []
    for j, c in enumerate(norm):
        if j in (den, num) or c.endswith(("_lower", "_upper", "_reason")):
            continue
        for word, scale in _RATE_SCALES:
            if word in c:
                rates.append((j, scale))
                break
    for i, row in enumerate(rows):
        if den >= len(row):
            continue
        d = _number(row[den])
        if d is None or d <= 0:
            continue
        if num is not None and num < len(row) and _number(row[num]) is not None:
            continue  # the count is published itself (and checked as a count)
        for j, scale in rates:
            r = _number(row[j]) if j < len(row) else None
            if r is None:
                continue
            for sc in {scale, 1000.0 if scale == 100.0 and "value" in norm[j] else scale}:
                k = r * d / sc
                if 0.5 <= k < ctx.threshold - 0.5:
                    ctx.add(loc(i, names[j]), f"rate x published denominator gives a count < {ctx.threshold} "
                            f"(column {names[j]} x {names[den]})", "consistency")
                    break


def _number(v) -> float | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return None if v != v else float(v)
    if isinstance(v, str):
        t = v.strip().replace("\u00a0", "").replace("%", "").strip()
        if _THOUSANDS.match(t):
            t = t.replace(".", "")
        t = t.replace(",", ".") if t.count(",") == 1 and "." not in t else t
        try:
            return float(t)
        except ValueError:
            return None
    return None


_ROW_COUNT_LABEL = re.compile(r"(?:^|[:\s])(antal|nævner|naevner|tæller|taeller|personer|befolkning|count|persons)\s*$", re.I)


def _check_table(ctx: _Ctx, columns: list, rows: list[list], loc, skip=None) -> None:
    """Column-based checks. ``loc(row_index, column_name) -> location``; ``skip(r, c)`` True
    for cells not to check for counts (marked or suppressed HTML cells)."""
    names = [str(c) for c in columns]
    norm = [normalize_name(c) for c in names]
    for j, c in enumerate(names):
        if is_identifier_name(c):
            ctx.add(loc(None, c), f"person identifier column {c}", "identifier")
    count_idx = [j for j, c in enumerate(names) if is_count_name(c)]
    for i, row in enumerate(rows):
        for j in count_idx:
            if j < len(row) and not (skip and skip(i, j)) and _is_small(row[j], ctx.threshold):
                ctx.add(loc(i, names[j]), f"unsuppressed count < {ctx.threshold} in column {names[j]}", "small_count")
    for i, row in enumerate(rows):  # a row labelled as counts ("Plan: antal", "Plan: nævner")
        if row and isinstance(row[0], str) and _ROW_COUNT_LABEL.search(row[0].strip()):
            for j in range(1, len(row)):
                if j not in count_idx and not (skip and skip(i, j)) and _is_small(row[j], ctx.threshold):
                    ctx.add(loc(i, names[j] if j < len(names) else str(j)),
                            f"unsuppressed count < {ctx.threshold} in a row of counts", "small_count")
    _check_consistency(ctx, names, rows, loc)
    has_count = bool(count_idx)
    has_rate = any(any(w in n for w in _RATE_WORDS) for n in norm)
    attrs = {n for n in norm if is_person_attribute(n)}
    if not has_count and rows:
        if any(is_name_column(c) for c in names) and attrs:
            ctx.add(loc(None, None), "person-level rows (a name column beside person attributes)", "person_rows")
        elif not has_rate and attrs & {"age", "alder", "birth_year", "foedselsaar", "fødselsår"} \
                and attrs & {"sex", "koen", "køn", "gender"} and len(rows) >= 2:
            ctx.add(loc(None, None), "person-level rows (age and sex per row, no count column)", "person_rows")


# ---------------------------------------------------------------- HTML
class _HTMLScan(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.stack: list[dict] = []
        self.tables: list[dict] = []
        self.texts: list[tuple[int, str]] = []
        self.marked: list[tuple[int, str]] = []
        self.attrs: list[tuple[int, str, str]] = []
        self.scripts: list[tuple[int, str, str]] = []
        self._script: tuple[int, str, list] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        line = self.getpos()[0]
        for k, v in attrs:
            if v and k != "src" and not (k in ("href", "xlink:href") and v.startswith("data:")):
                self.attrs.append((line, k, v))
        if tag == "script":
            self.skip += 1
            self._script = (line, (a.get("type") or "").lower(), [])
            return
        if tag == "style":
            self.skip += 1
            return
        if COUNT_ATTR in a:
            self.marked.append((line, a.get(COUNT_ATTR) or ""))
        if tag == "table":
            self.stack.append({"rows": [], "line": line, "cell": None})
        elif not self.stack:
            return
        elif tag == "tr":
            self.stack[-1]["rows"].append([])
        elif tag in ("td", "th"):
            t = self.stack[-1]
            if not t["rows"]:
                t["rows"].append([])
            classes = (a.get("class") or "").split()
            cell = {"tag": tag, "text": [], "line": line,
                    "skip": SUPPRESSED_CLASS in classes or SUPPRESSED_ATTR in a or COUNT_ATTR in a}
            t["rows"][-1].append(cell)
            t["cell"] = cell

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script[0], self._script[1], "".join(self._script[2])))
            self._script = None
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag == "table" and self.stack:
            self.tables.append(self.stack.pop())
        elif tag in ("td", "th") and self.stack:
            self.stack[-1]["cell"] = None

    def handle_data(self, data):
        if self._script is not None:
            self._script[2].append(data)
        if self.skip:
            return
        self.texts.append((self.getpos()[0], data))
        if self.stack and self.stack[-1]["cell"] is not None:
            self.stack[-1]["cell"]["text"].append(data)


def _audit_html(ctx: _Ctx, text: str, prefix: str = "") -> None:
    scan = _HTMLScan()
    scan.feed(text)
    scan.close()
    while scan.stack:
        scan.tables.append(scan.stack.pop())
    for line, value in scan.marked:
        if _is_small(value, ctx.threshold):
            ctx.add(f"{prefix}line {line}", f"unsuppressed count < {ctx.threshold} in a {COUNT_ATTR} cell", "small_count")
    for t in scan.tables:
        rows = [r for r in t["rows"] if r]
        header = next((r for r in rows if all(c["tag"] == "th" for c in r)), None)
        if header is None:
            continue
        columns = ["".join(c["text"]).strip() for c in header]
        body = [r for r in rows if any(c["tag"] == "td" for c in r)]
        values = [["".join(c["text"]).strip() for c in r] for r in body]

        def loc(i, col, body=body, t=t):
            line = t["line"] if i is None else body[i][0]["line"]
            return f"{prefix}line {line}"

        _check_table(ctx, columns, values, loc, skip=lambda i, j, body=body: body[i][j]["skip"])
    for line, data in scan.texts:
        _scan_text(ctx, data, lambda off, line=line: f"{prefix}line {line + off}")
    for line, name, value in scan.attrs:
        where = lambda off, line=line: f"{prefix}line {line + off}"  # noqa: E731
        _scan_text(ctx, value, where)
        attr = name[5:] if name.startswith("data-") else ""
        if attr and name != COUNT_ATTR and is_count_name(attr) and _is_small(value, ctx.threshold):
            ctx.add(where(0), f"unsuppressed count < {ctx.threshold} in attribute {name}", "small_count")
    for line, kind, body in scan.scripts:
        where = lambda off, line=line: f"{prefix}line {line + off}"  # noqa: E731
        if "json" in kind:
            try:
                _walk_json(ctx, json.loads(body), f"{prefix}line {line}: $")
            except ValueError:
                ctx.add(where(0), "a JSON script that cannot be parsed; not audited", "unreadable")
            continue
        for m in _JS_STRING.finditer(body):
            _scan_text(ctx, m.group(2), lambda off, o=body.count("\n", 0, m.start()), line=line: f"{prefix}line {line + o}")
        for m in _JS_COUNT.finditer(body):
            if is_count_name(m.group(1)) and 0 < int(m.group(2)) < ctx.threshold:
                ctx.add(where(body.count("\n", 0, m.start())),
                        f"unsuppressed count < {ctx.threshold} in script key {m.group(1)}", "small_count")
    # CPR numbers split by inline markup
    joined = _INLINE_TAGS.sub("", re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I))
    joined = re.sub(r"<[^>]+>", " ", joined)
    import html as _html

    joined = _html.unescape(joined)
    plain = " ".join(d for _, d in scan.texts)
    for m in CPR_PATTERN.finditer(joined):
        if m.group() not in plain:
            ctx.add(f"{prefix}line {joined.count(chr(10), 0, m.start()) + 1}",
                    f"CPR-number pattern split by markup {mask_cpr(m.group())}", "cpr")


_JS_STRING = re.compile(r"([\"'`])((?:\\.|(?!\1).){1,2000})\1", re.S)
_JS_COUNT = re.compile(r"[\"']?([A-Za-z_æøåÆØÅ][\wæøåÆØÅ]*)[\"']?\s*:\s*(\d{1,6})(?![\d.])")


# ---------------------------------------------------------------- JSON
def _walk_json(ctx: _Ctx, obj, path: str, skip_keys=frozenset()) -> None:
    if isinstance(obj, dict):
        if isinstance(obj.get("columns"), list) and isinstance(obj.get("data"), list) \
                and all(isinstance(r, list) for r in obj["data"]):
            _check_table(ctx, obj["columns"], obj["data"],
                         lambda i, c: f"{path}.data" + (f"[{i}]" if i is not None else ""))
        for k, v in obj.items():
            p = f"{path}.{k}"
            if k in skip_keys:
                continue
            if is_identifier_name(k) and v not in (None, "", [], {}):
                ctx.add(p, f"person identifier key {k}", "identifier")
                continue
            if is_count_name(k) and _is_small(v, ctx.threshold) and not isinstance(v, str):
                ctx.add(p, f"unsuppressed count < {ctx.threshold} in key {k}", "small_count")
            _walk_json(ctx, v, p)
    elif isinstance(obj, list):
        skip = frozenset()
        if obj and all(isinstance(r, dict) for r in obj):
            keys = list(dict.fromkeys(k for r in obj for k in r))
            ident = [k for k in keys if is_identifier_name(k)]
            for k in ident:
                ctx.add(f"{path}[*].{k}", f"person identifier key {k}", "identifier")
            skip = frozenset(ident)
            rows = [[r.get(k) for k in keys] for r in obj]
            _check_table(_NoIdent(ctx), keys, rows, lambda i, c: f"{path}[*]")
            _check_consistency(ctx, keys, rows, lambda i, c: f"{path}[{i}].{c}")
        for i, v in enumerate(obj):
            _walk_json(ctx, v, f"{path}[{i}]", skip)
    elif isinstance(obj, str):
        _scan_text(ctx, obj, lambda off: path)


class _NoIdent:
    """A view of a context that only lets person-level row findings through (the record
    walk reports identifiers and counts itself)."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.threshold = ctx.threshold

    def add(self, location, what, kind):
        if kind in ("person_rows",):
            self.ctx.add(location, what, kind)


# ---------------------------------------------------------------- CSV and text
def _audit_csv(ctx: _Ctx, text: str) -> None:
    sample = text[:8192]
    try:
        delim = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delim = "\t" if ctx.path.endswith(".tsv") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    rows, lines = [], []
    for row in reader:
        rows.append(row)
        lines.append(reader.line_num)
    if not rows:
        return
    header, body = rows[0], rows[1:]
    _check_table(ctx, header, body, lambda i, c: f"{lines[i + 1] if i is not None else 1}" + (f":{c}" if c else ""))
    for i, row in enumerate(body):
        for j, cell in enumerate(row):
            col = header[j] if j < len(header) else str(j + 1)
            _scan_cpr(ctx, cell, lambda off, i=i, col=col: f"{lines[i + 1]}:{col}")


def _audit_plain(ctx: _Ctx, text: str, prefix: str = "") -> None:
    _scan_text(ctx, text, lambda off: f"{prefix}line {off + 1}")
    _check_printed_frame(ctx, text, prefix)
    for n, line in enumerate(text.splitlines()):
        tokens = {normalize_name(t) for t in line.split()}
        hit = sorted(tokens & _IDENT_TOKENS)
        if hit:
            ctx.add(f"{prefix}line {n + 1}", f"person identifier column {hit[0]} in printed output", "identifier")


def _check_printed_frame(ctx: _Ctx, text: str, prefix: str) -> None:
    """A pandas frame printed as text (a notebook's ``text/plain``, a log line): the header
    names the columns, each row is the index and the values."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) < 2:
        return
    header = lines[0].split()
    if not header or not any(is_count_name(h) for h in header):
        return
    rows = []
    for ln in lines[1:]:
        tok = ln.split()
        if len(tok) == len(header) + 1:
            rows.append(tok[1:])
    if rows:
        _check_table(ctx, header, rows, lambda i, c: f"{prefix}line {i + 2 if i is not None else 1}")


def _audit_xlsx(ctx: _Ctx, data: bytes) -> None:
    """Every sheet of a workbook: the first row as header, cell values and text."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    for ws in wb.worksheets:
        rows = [["" if v is None else v for v in r] for r in ws.iter_rows(values_only=True)]
        rows = [r for r in rows if any(str(v).strip() for v in r)]
        if not rows:
            continue
        _check_table(ctx, [str(v) for v in rows[0]], rows[1:],
                     lambda i, c, t=ws.title: f"sheet {t}, row {i + 2 if i is not None else 1}")
        for i, r in enumerate(rows):
            for v in r:
                if isinstance(v, str):
                    _scan_text(ctx, v, lambda off, i=i, t=ws.title: f"sheet {t}, row {i + 1}")


def _audit_docx(ctx: _Ctx, data: bytes) -> None:
    """A Word document: its paragraphs as text, its tables as tables."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")

    def text_of(fragment):
        return "".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", fragment))

    for ti, tbl in enumerate(re.findall(r"<w:tbl>.*?</w:tbl>", xml, flags=re.S)):
        rows = [[text_of(c) for c in re.findall(r"<w:tc>.*?</w:tc>", tr, flags=re.S)]
                for tr in re.findall(r"<w:tr[ >].*?</w:tr>", tbl, flags=re.S)]
        if rows:
            _check_table(ctx, rows[0], rows[1:], lambda i, c, ti=ti: f"table {ti + 1}, row {i + 2 if i is not None else 1}")
    paras = [text_of(p) for p in re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S)]
    _scan_text(ctx, "\n".join(paras), lambda off: f"paragraph {off + 1}")


def _audit_notebook(ctx: _Ctx, nb: dict) -> None:
    for ci, cell in enumerate(nb.get("cells", [])):
        for oi, out in enumerate(cell.get("outputs", []) or []):
            prefix = f"cell {ci + 1}, output {oi + 1}, "
            kind = out.get("output_type")
            if kind == "stream":
                _audit_plain(ctx, _joined(out.get("text", "")), prefix)
            elif kind == "error":
                _audit_plain(ctx, "\n".join([out.get("ename", ""), out.get("evalue", ""),
                                             *out.get("traceback", [])]), prefix)
            else:
                data = out.get("data", {}) or {}
                if "text/html" in data:
                    _audit_html(ctx, _joined(data["text/html"]), prefix)
                elif "text/plain" in data:
                    _audit_plain(ctx, _joined(data["text/plain"]), prefix)
                for mime, value in data.items():
                    if mime == "application/json" or mime.endswith("+json"):
                        _walk_json(ctx, value, f"{prefix}$")
                    elif mime in ("text/markdown", "text/latex"):
                        _scan_text(ctx, _joined(value), lambda off, p=prefix: f"{p}line {off + 1}")
                    elif mime == "image/svg+xml":
                        _audit_html(ctx, _joined(value), prefix)


def _joined(x) -> str:
    return "".join(x) if isinstance(x, list) else str(x)


def audit_text(text: str, kind: str, threshold: int = 3, name: str = "<output>") -> list[Finding]:
    """Audit one text of a ``kind`` (``html``, ``json``, ``csv``, ``ipynb``, ``txt``).

    >>> [str(f) for f in audit_text('{"count": 1, "note": "ok"}', "json")]
    ['<output>:$.count: unsuppressed count < 3 in key count']
    """
    threshold = check_threshold(threshold)
    ctx = _Ctx(name, threshold)
    kind = kind.lstrip(".").lower()
    try:
        if kind in ("html", "htm", "svg", "xml"):
            _audit_html(ctx, text)
        elif kind in ("json", "ipynb"):
            obj = json.loads(text)
            (_audit_notebook if kind == "ipynb" else lambda c, o: _walk_json(c, o, "$"))(ctx, obj)
        elif kind in ("csv", "tsv"):
            _audit_csv(ctx, text)
        else:
            _audit_plain(ctx, text)
    except (ValueError, RecursionError) as err:
        ctx.add("", f"cannot be parsed as {kind} ({type(err).__name__}); not audited", "unreadable")
    return ctx.finish()


def audit_file(path, threshold: int = 3, name: str | None = None) -> list[Finding]:
    """Audit one file; ``name`` is how the file is named in findings (default: the path).
    Workbooks (``.xlsx``) and Word documents (``.docx``) are read as tables and text."""
    path = Path(path)
    name = str(path) if name is None else name
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".docx"):
        ctx = _Ctx(name, check_threshold(threshold))
        try:
            (_audit_xlsx if suffix == ".xlsx" else _audit_docx)(ctx, data)
        except Exception as err:  # a broken workbook: the audit cannot vouch for it
            ctx.add("", f"cannot be read as {suffix[1:]} ({type(err).__name__}); not audited", "unreadable")
        return ctx.finish()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return audit_text(text, path.suffix, threshold, name)


def audit_path(root, threshold: int = 3, progress: bool | None = None) -> list[Finding]:
    """Audit every file with an audited suffix under ``root`` (or ``root`` itself if a file).

    ``progress`` shows a tqdm bar over the files (None: only on a terminal).
    """
    from tqdm import tqdm

    threshold = check_threshold(threshold)
    root = Path(root)
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file() and _audited(p))
    findings: list[Finding] = []
    for f in tqdm(files, desc="audit", unit="fil", leave=False,
                  disable=(not progress) if progress is not None else None):
        findings.extend(audit_file(f, threshold))
    return findings


def _audited(p: Path) -> bool:
    """Known kinds, and any other file that reads as text (no NUL byte in its first 8 kB)."""
    suffix = p.suffix.lower()
    if suffix in AUDITED_SUFFIXES:
        return True
    if suffix in BINARY_SUFFIXES:
        return False
    try:
        with open(p, "rb") as fh:
            head = fh.read(8192)
    except OSError:
        return False
    return b"\0" not in head


def assert_clean(root, threshold: int = 3) -> None:
    """Raise ``AssertionError`` listing the findings under ``root`` (for test suites).

    >>> import tempfile
    >>> assert_clean(tempfile.mkdtemp())
    """
    findings = audit_path(root, threshold)
    if findings:
        raise AssertionError("disclosure audit failed:\n" + "\n".join(map(str, findings)))
