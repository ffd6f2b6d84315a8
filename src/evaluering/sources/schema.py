"""Declarative column schemas and one robust reader for tabular input files.

A :class:`Schema` lists the columns a file must have (by their Danish headers, with
aliases), how each value is parsed (whole number, decimal number, date, yes/no, one of a
set of words, free text) and which columns form the key. :func:`read_table` reads a CSV
file (UTF-8 with or without BOM, or cp1252; ``;``, ``,`` or tab separated, sniffed) or the
first sheet of an Excel workbook, checks every value and returns a tidy DataFrame with the
English column names. Every problem becomes an :class:`~evaluering.errors.InputError`
naming the file, the 1-based line (the header is line 1; for Excel the spreadsheet row),
the column *as written in the file*, and what is wrong. Values are echoed in messages only
for schemas marked ``echo_values`` (aggregate tables); log values never are.

Numbers follow the file's convention: in a ``;``-separated file or an Excel cell holding
text, ``,`` is the decimal mark and ``.`` groups thousands (``"1.107.000"``, ``"4,2"``); in
a ``,``-separated file ``.`` is the decimal mark.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> _ = p.write_text("Antal;Beløb\\n3;1.107.000,5\\n", encoding="utf-8")
>>> s = Schema("demo", [Column("n", "Antal", "int", min=0), Column("kr", "Beløb", "float")])
>>> read_table(p, s).to_dict("records")
[{'n': 3, 'kr': 1107000.5}]
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from ..errors import InputError

__all__ = [
    "Column", "Schema", "RawTable", "Problems", "read_raw", "read_table", "parse_table",
    "parse_int", "parse_float", "parse_date", "parse_bool", "normalize_header",
    "SUPPRESSED_MARKERS", "MAX_PROBLEMS", "looks_like_data", "headers_summary", "guess_kind",
]

#: how many problems a validation collects before it stops
MAX_PROBLEMS = 20

#: limits of every table reader (CSV, Excel): file size, data rows, characters in one value
MAX_TABLE_BYTES = 200_000_000
MAX_ROWS = 2_000_000
MAX_FIELD_CHARS = 10_000
#: an Excel file may unpack to at most this many bytes, and no big part may be compressed
#: more than MAX_XLSX_RATIO times (a "ZIP bomb" is refused before openpyxl opens it)
MAX_XLSX_UNPACKED = 200_000_000
MAX_XLSX_RATIO = 100
_XLSX_RATIO_FROM = 2_000_000


def _mb(n: int) -> str:
    return f"{n // 1_000_000} MB"


def check_size(path: Path, limit: int = MAX_TABLE_BYTES) -> int:
    """The size of ``path``; :class:`InputError` when it is above ``limit`` bytes."""
    size = path.stat().st_size
    if size > limit:
        raise InputError(path, f"the file is larger than {_mb(limit)}; split it or raise the limit")
    return size

#: cell texts that mean "suppressed / not published" in aggregate tables (read as missing)
SUPPRESSED_MARKERS: dict[str, str] = {
    "..": "suppressed (..)",
    ".": "suppressed (.)",
    "-": "not available (-)",
    "–": "not available (–)",
    "x": "suppressed (x)",
    "*": "suppressed (*)",
    "(x)": "suppressed (x)",
    "<3": "suppressed (fewer than 3)",
    "< 3": "suppressed (fewer than 3)",
    "<5": "suppressed (fewer than 5)",
    "< 5": "suppressed (fewer than 5)",
    "<10": "suppressed (fewer than 10)",
    "diskr.": "suppressed (diskretioneret)",
    "diskretioneret": "suppressed (diskretioneret)",
    "n/a": "not available",
    "na": "not available",
}

_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF", "a PDF document"),
    (b"PAR1", "a Parquet file"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Word file (.xls/.doc); save it as .xlsx or CSV"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"SQLite format", "an SQLite database"),
    (b"$FL2", "an SPSS file"),
]


# --------------------------------------------------------------------------------------
# Value parsers: return the parsed value or raise ValueError(reason) (reason has no value)
# --------------------------------------------------------------------------------------

_INT_PLAIN = re.compile(r"^[+-]?\d+$")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")
_THOUSANDS_SPACE = re.compile(r"^[+-]?\d{1,3}( \d{3})+$")


def _clean_number_text(text: str) -> str:
    t = text.strip().replace("\u2212", "-").replace("\u00a0", " ").replace("\u202f", " ")
    return t


def parse_int(value: Any, decimal: str = ",") -> int:
    """A whole number from a cell; thousands separators allowed.

    >>> parse_int("1.107.000"), parse_int(" 24 "), parse_int(12.0), parse_int("1 107 000")
    (1107000, 24, 12, 1107000)
    """
    if isinstance(value, bool):
        raise ValueError("expected a whole number, found a yes/no value")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or not value.is_integer():
            raise ValueError("expected a whole number")
        return int(value)
    text = _clean_number_text(str(value))
    if _INT_PLAIN.match(text):
        return int(text)
    if _THOUSANDS_SPACE.match(text):
        return int(text.replace(" ", ""))
    if decimal == "," and _THOUSANDS_DOT.match(text):
        return int(text.replace(".", ""))
    if decimal == "." and re.match(r"^[+-]?\d{1,3}(,\d{3})+$", text):
        return int(text.replace(",", ""))
    try:
        f = parse_float(text, decimal)
    except ValueError:
        raise ValueError("not a number (expected a whole number)") from None
    if f.is_integer():
        return int(f)
    raise ValueError("expected a whole number, found a decimal number")


def parse_float(value: Any, decimal: str = ",") -> float:
    """A decimal number; ``decimal`` is the file's decimal mark (``,`` or ``.``).

    >>> parse_float("4,2"), parse_float("1.107.000,50"), parse_float("4.2", "."), parse_float("-0,3")
    (4.2, 1107000.5, 4.2, -0.3)
    """
    if isinstance(value, bool):
        raise ValueError("expected a number, found a yes/no value")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            raise ValueError("not a number")
        if not math.isfinite(float(value)):
            raise ValueError("not a finite number (inf or too large)")
        return float(value)
    text = _clean_number_text(str(value)).replace(" ", "")
    if text.endswith("%"):
        text = text[:-1].strip()
    if not text:
        raise ValueError("empty")
    if decimal == ",":
        if "," in text:
            if text.count(",") > 1:
                raise ValueError("not a number (more than one decimal comma)")
            whole, frac = text.split(",")
            if "." in whole and not _THOUSANDS_DOT.match(whole if whole[:1].isdigit() or whole[:1] in "+-" else "x"):
                raise ValueError("not a number (misplaced thousands point)")
            text = whole.replace(".", "") + "." + frac
        elif _THOUSANDS_DOT.match(text) and text.count(".") > 1:
            text = text.replace(".", "")
        elif _THOUSANDS_DOT.match(text):
            # one point followed by exactly three digits: the Danish thousands point
            text = text.replace(".", "")
    else:
        if "," in text:
            if not re.match(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$", text):
                raise ValueError("not a number")
            text = text.replace(",", "")
    if not re.match(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$", text):
        raise ValueError("not a number")
    out = float(text)
    if not math.isfinite(out):
        raise ValueError("not a finite number (inf or too large)")
    return out


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%y", "%Y%m%d")


def parse_date(value: Any) -> dt.date:
    """A date: ISO ``2018-03-14`` or Danish ``14.03.2018`` / ``14-03-2018`` / ``14/3/2018``.

    >>> parse_date("14.03.2018"), parse_date("2018-03-14"), parse_date("14-3-2018")
    (datetime.date(2018, 3, 14), datetime.date(2018, 3, 14), datetime.date(2018, 3, 14))
    """
    d = _parse_date(value)
    if not 1800 <= d.year <= 2200:
        raise ValueError("not a plausible date (year outside 1800-2200)")
    return d


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError("not a date (a number; format the cell as a date or write DD.MM.YYYY)")
    text = str(value).strip()
    text = re.sub(r"[ T]00:00(:00)?$", "", text)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if re.match(r"^(\d{1,2}[.\-/]\d{1,2}[.\-/]\d{4}|\d{4}-\d{1,2}-\d{1,2})$", text):
        raise ValueError("not a valid calendar date")
    raise ValueError("not a date (use YYYY-MM-DD or DD.MM.YYYY)")


_TRUE = {"ja", "j", "yes", "y", "1", "x", "sand", "true", "sandt"}
_FALSE = {"nej", "n", "no", "0", "", "falsk", "false"}


def parse_bool(value: Any) -> bool:
    """ja/nej (also yes/no, 1/0, x/empty).

    >>> parse_bool("Ja"), parse_bool("nej"), parse_bool("x"), parse_bool(None)
    (True, False, True, False)
    """
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("expected ja or nej")


def normalize_header(text: Any) -> str:
    """Header matching key: case, surrounding spaces, repeated spaces and accents' forms
    ignored (NFC), ``aa`` kept distinct from ``å``.

    >>> normalize_header("  Antal  sager ") == normalize_header("antal sager")
    True
    """
    s = unicodedata.normalize("NFC", str(text if text is not None else ""))
    s = s.replace("\ufeff", "").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", s).strip().casefold()


def _fold(text: str) -> str:
    """Lower-case, ASCII-ish form for matching choice words (``opnået`` == ``opnaaet``)."""
    s = normalize_header(text)
    return s.replace("å", "aa").replace("æ", "ae").replace("ø", "oe")


# --------------------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------------------

#: every header of every declared schema (normalized): the only header texts a message
#: quotes, so that a data line read as the header (a person's name) is never echoed
_KNOWN_HEADERS: set[str] = set()
#: every declared schema by kind (to name the kind a wrong file looks like)
_SCHEMAS: dict[str, "Schema"] = {}

@dataclass(frozen=True)
class Column:
    """One column of a schema.

    ``kind`` is ``int``, ``float``, ``date``, ``bool``, ``text`` or ``choice``; ``choices``
    maps accepted words (matched case-insensitively, å/aa alike) to canonical values.
    ``required`` means the value may not be empty; ``optional`` means the whole column may
    be absent. ``suppressible`` lets a suppression marker (``..``, ``x``, ``<5``) stand for
    a missing value; the reason goes to ``<name>_note``.

    >>> Column("year", "År", "int", min=1990, max=2100).header
    'År'
    """

    name: str
    header: str
    kind: str = "text"
    aliases: tuple[str, ...] = ()
    required: bool = True
    optional: bool = False
    min: float | None = None
    max: float | None = None
    choices: dict[str, Any] | None = None
    suppressible: bool = False
    min_message: str | None = None
    max_message: str | None = None

    def headers(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


@dataclass
class Schema:
    """A declared file layout. ``key``: tidy column names that must be unique together.
    ``allow_extra``: unknown columns are ignored instead of being an error.
    ``echo_values``: messages may quote the offending value (aggregate tables only).
    ``checks``: functions ``(frame, ctx) -> None`` run on the parsed frame; they report via
    ``ctx.add(row_index, column_name, message)``."""

    kind: str
    columns: list[Column]
    key: tuple[str, ...] = ()
    allow_extra: bool = False
    echo_values: bool = False
    allow_empty: bool = False
    checks: list[Callable] = field(default_factory=list)
    description: str = ""

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def __post_init__(self) -> None:
        _KNOWN_HEADERS.update(normalize_header(h) for c in self.columns for h in c.headers())
        _SCHEMAS[self.kind] = self

    def header_signature(self) -> set[str]:
        return {normalize_header(h) for c in self.columns if not c.optional for h in c.headers()[:1]}


class Problems(Exception):
    """Several input problems at once (``errors``: InputErrors in file order).

    Raised by :func:`read_table` when ``collect=True``; ``str()`` is the first one.
    """

    def __init__(self, errors: list[InputError]):
        self.errors = errors
        super().__init__(str(errors[0]) if errors else "no problems")


@dataclass
class RawTable:
    """A file as text cells: ``headers`` as written, ``rows`` (lists, same length or not),
    ``lines`` (1-based line or spreadsheet row of each row), and the detected format."""

    path: Path
    headers: list[str]
    rows: list[list[Any]]
    lines: list[int]
    header_line: int = 1
    delimiter: str | None = None
    encoding: str | None = None
    decimal: str = ","
    fmt: str = "csv"


def _sniff_binary(path: Path, head: bytes) -> None:
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise InputError(path, f"not a table file: this looks like {what}", row=None)
    if b"\x00" in head[:4096]:
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(path, "UTF-16 text is not supported; save the file as UTF-8 CSV", row=None)
        raise InputError(path, "not a text file (binary content)", row=None)


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as err:
            line = data[: err.start].count(b"\n") + 1
            raise InputError(path, "invalid UTF-8 text after a UTF-8 BOM", row=line) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(path, "unknown text encoding (neither UTF-8 nor Windows-1252)", row=line) from None
    return text, "cp1252"


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", "\t", ",", "|")}
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] > 0 else ";"


def read_raw(path: str | Path, sheet: str | int | None = None) -> RawTable:
    """Read a CSV or Excel file as text cells with line numbers (no schema).

    Raises :class:`InputError` for a missing, empty, binary or undecodable file.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found")
    if path.is_dir():
        raise InputError(path, "a folder, not a file")
    check_size(path)
    data = path.read_bytes()
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InputError(path, "the file is empty")
    if data.startswith(b"PK\x03\x04"):
        return _read_excel(path, sheet)
    _sniff_binary(path, data[:8192])
    text, encoding = _decode(path, data)
    if text.lstrip().startswith(("{", "[")) and path.suffix.lower() in (".json", ".csv", ".txt", ""):
        raise InputError(path, "not a table file: this looks like JSON", row=1)
    if text.lstrip().startswith("<"):
        raise InputError(path, "not a table file: this looks like HTML/XML", row=1)
    if not text.strip():
        raise InputError(path, "the file is empty")
    lines_all = text.splitlines()
    # the header is the first non-blank line; Excel's "sep=;" hint line names the separator
    first = next((i for i, ln in enumerate(lines_all) if ln.strip()), None)
    if first is None:  # only line breaks that csv does not count as such
        raise InputError(path, "the file is empty")
    hint = re.match(r"^\s*sep=(.)\s*$", lines_all[first])
    skip_hint = hint is not None
    if hint:
        delimiter = hint.group(1)
        rest = [i for i, ln in enumerate(lines_all) if i > first and ln.strip()]
        if not rest:
            raise InputError(path, "the file is empty (only a 'sep=' line)")
    else:
        delimiter = _sniff_delimiter(lines_all[first])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] | None = None
    header_line = 1
    rows: list[list[Any]] = []
    lines: list[int] = []
    prev_end = 0
    old_limit = csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        for record in reader:
            start = prev_end + 1
            prev_end = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if skip_hint:
                skip_hint = False
                continue
            if headers is None:
                headers, header_line = record, start
                continue
            if len(rows) >= MAX_ROWS:
                raise InputError(path, f"the file has more than {MAX_ROWS} rows", row=start)
            rows.append(record)
            lines.append(start)
    except csv.Error as err:
        if "field larger than field limit" in str(err):
            raise InputError(path, f"a value longer than {MAX_FIELD_CHARS} characters", row=prev_end + 1) from None
        raise InputError(path, f"broken CSV ({err})", row=prev_end + 1) from None
    finally:
        csv.field_size_limit(old_limit)
    if headers is None:  # pragma: no cover - excluded by the emptiness test above
        raise InputError(path, "the file is empty")
    for i, h in enumerate(headers):
        if "\n" in h or "\r" in h:
            # a quote opened in the header swallowed the following lines: never echo them
            raise InputError(path, "a header spans several lines (an unbalanced quote \" in the header line?)",
                             row=header_line, column=f"column {i + 1}")
    return RawTable(path, [h.strip() for h in headers], rows, lines, header_line, delimiter, encoding,
                    decimal="." if delimiter == "," else ",", fmt="csv")


def _read_excel(path: Path, sheet: str | int | None = None) -> RawTable:
    import zipfile

    try:
        import openpyxl
    except ImportError:  # pragma: no cover
        raise InputError(path, "reading Excel needs openpyxl") from None
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError(path, "a damaged Excel/ZIP file") from None
    names = {i.filename for i in infos}
    total = 0
    for info in infos:
        total += info.file_size
        if total > MAX_XLSX_UNPACKED:
            raise InputError(path, f"the Excel file unpacks to more than {MAX_XLSX_UNPACKED // 1_000_000} MB "
                             f"({info.filename}): refused as a possible ZIP bomb")
        if info.file_size > _XLSX_RATIO_FROM and info.file_size > MAX_XLSX_RATIO * max(info.compress_size, 1):
            raise InputError(path, f"the Excel file's part {info.filename} is compressed more than "
                             f"{MAX_XLSX_RATIO} times: refused as a possible ZIP bomb")
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise InputError(path, "not a table file: this looks like a Word document")
        raise InputError(path, "not a table file: a ZIP archive, not an Excel workbook")
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except InputError:
        raise
    except Exception as err:  # openpyxl raises many kinds
        raise InputError(path, f"cannot open the Excel workbook ({type(err).__name__})") from None
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet, int):
            ws = wb.worksheets[sheet]
        else:
            if sheet not in wb.sheetnames:
                raise InputError(path, f"no sheet named '{sheet}' (sheets: {', '.join(wb.sheetnames)})")
            ws = wb[sheet]
        headers = None
        header_line = 1
        rows, lines = [], []
        for i, values in enumerate(ws.iter_rows(values_only=True), start=1):
            vals = list(values)
            if not any(v is not None and str(v).strip() != "" for v in vals):
                continue
            if any(isinstance(v, str) and len(v) > MAX_FIELD_CHARS for v in vals):
                raise InputError(path, f"a value longer than {MAX_FIELD_CHARS} characters", row=i)
            if len(rows) >= MAX_ROWS:
                raise InputError(path, f"the file has more than {MAX_ROWS} rows", row=i)
            if headers is None:
                while vals and (vals[-1] is None or str(vals[-1]).strip() == ""):
                    vals.pop()
                # a header cell may hold a line break ("Antal<Alt+Enter>sager"): one line
                headers, header_line = ["" if v is None else " ".join(str(v).split()) for v in vals], i
                continue
            rows.append(["" if v is None else v for v in vals])
            lines.append(i)
    finally:
        wb.close()
    if headers is None:
        raise InputError(path, "the workbook's first sheet is empty")
    return RawTable(path, headers, rows, lines, header_line, None, None, decimal=",", fmt="excel")


# --------------------------------------------------------------------------------------
# Parsing a raw table against a schema
# --------------------------------------------------------------------------------------

class _Collector:
    def __init__(self, path: Path, collect: bool, limit: int):
        self.path, self.collect, self.limit = path, collect, limit
        self.errors: list[InputError] = []

    def add(self, row: int | None, column: str | None, message: str) -> None:
        err = InputError(self.path, message, row=row, column=column)
        if not self.collect:
            raise err
        self.errors.append(err)
        if len(self.errors) >= self.limit:
            raise Problems(self.errors)

    def done(self) -> None:
        if self.errors:
            self.errors.sort(key=lambda e: (e.row or 0))
            raise Problems(self.errors)


@dataclass
class CheckContext:
    """What a schema check gets: the file's headers and line numbers to report with."""

    path: Path
    header_of: dict[str, str]
    lines: list[int]
    collector: _Collector
    echo: bool
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, index: int | None, column: str | None, message: str) -> None:
        """Report a problem at the row with positional ``index`` in tidy column ``column``."""
        row = self.lines[index] if index is not None else None
        col = self.header_of.get(column, column) if column is not None else None
        self.collector.add(row, col, message)

    def value(self, v: Any) -> str:
        """``" 'v'"`` when values may be echoed, else ``""``."""
        return f" '{_shown(v)}'" if self.echo else ""


def _is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "") or (isinstance(v, float) and math.isnan(v))


def _label(header: str, i: int) -> str:
    """How a file's header is named in a message: as written, or ``column N`` when it
    holds digits (a data row read as the header must not be echoed)."""
    return f"column {i + 1}" if any(ch.isdigit() for ch in header) or not header else header


def looks_like_data(cells: Sequence[Any]) -> bool:
    """True when most cells of a header line parse as numbers or dates.

    >>> looks_like_data(["2018", "1", "AO-01", "1", "3"]), looks_like_data(["År", "Kvartal"])
    (True, False)
    """
    def data(h) -> bool:
        for parse in (parse_float, parse_date):
            try:
                parse(h)
                return True
            except ValueError:
                pass
        return False
    cells = [c for c in cells if str(c).strip()]
    return bool(cells) and sum(data(c) for c in cells) * 2 > len(cells)


def _match_headers(raw: RawTable, schema: Schema, col: _Collector) -> dict[str, int]:
    """tidy name -> position in the file's header."""
    norm = [normalize_header(h) for h in raw.headers]
    seen: dict[str, int] = {}
    twice: list[tuple[int, int]] = []
    for i, h in enumerate(norm):
        if h == "":
            continue
        if h in seen:
            twice.append((seen[h], i))
        seen.setdefault(h, i)
    positions: dict[str, int] = {}
    missing = []
    for c in schema.columns:
        pos = next((seen[normalize_header(h)] for h in c.headers() if normalize_header(h) in seen), None)
        if pos is None:
            if not c.optional:
                missing.append(c)
            continue
        positions[c.name] = pos
    used = set(positions.values())
    known = [c.header for c in schema.columns]
    if missing and not positions:
        if looks_like_data(raw.headers):
            why = "the first line looks like data: is the header line missing?"
        else:
            why = f"not the right kind of file? (headers: {headers_summary(raw.headers)})"
            other = guess_kind(raw, [s for k, s in _SCHEMAS.items() if k != schema.kind], complete_only=True)
            if other is not None:
                why += f"; the headers look like a '{other.kind}' file"
        col.add(raw.header_line, missing[0].header,
                f"none of the columns of a '{schema.kind}' file ({', '.join(known)}) found: {why}")
        col.done()
    for i, h in enumerate(norm):
        if h == "" and any(i < len(r) and not _is_blank(r[i]) for r in raw.rows):
            col.add(raw.header_line, f"column {i + 1}", "a column without a header holds values")
    for first, i in twice:
        col.add(raw.header_line, _label(raw.headers[i], i), f"the column appears twice (columns {first + 1} and {i + 1})")
    if missing:
        for c in missing:
            col.add(raw.header_line, c.header, f"missing column '{c.header}'; expected columns: {', '.join(known)}")
    if not schema.allow_extra:
        for h, i in seen.items():
            if i not in used:
                col.add(raw.header_line, _label(raw.headers[i], i),
                        f"unexpected column; the columns of a '{schema.kind}' file are {', '.join(known)}")
    return positions


def _parse_value(c: Column, v: Any, decimal: str) -> Any:
    if c.kind == "int":
        return parse_int(v, decimal)
    if c.kind == "float":
        return parse_float(v, decimal)
    if c.kind == "date":
        return parse_date(v)
    if c.kind == "bool":
        return parse_bool(v)
    if c.kind == "choice":
        key = _fold(str(v))
        assert c.choices is not None
        for word, canonical in c.choices.items():
            if _fold(word) == key:
                return canonical
        canonical = [str(v) for v in dict.fromkeys(c.choices.values()) if v is not None]
        empty_ok = None in c.choices.values() or not c.required
        raise ValueError("expected one of " + ", ".join(canonical) + (" or empty" if empty_ok else ""))
    if c.kind == "text":
        return str(v).strip() if not isinstance(v, (dt.date, dt.datetime)) else v.isoformat()
    raise ValueError(f"unknown column kind {c.kind}")  # pragma: no cover


def _parse_rows(raw: RawTable, schema: Schema, positions: dict[str, int], header_of: dict[str, str],
                col: _Collector) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """Parse every value row by row, reporting each problem (in file order) to ``col``.
    Returns the parsed values and the suppression notes by tidy column name."""
    ncols = len(raw.headers)
    data: dict[str, list[Any]] = {c.name: [] for c in schema.columns if c.name in positions}
    notes: dict[str, list[Any]] = {c.name: [] for c in schema.columns if c.suppressible and c.name in positions}
    for row, line in zip(raw.rows, raw.lines):
        if len(row) > ncols and any(not _is_blank(v) for v in row[ncols:]):
            col.add(line, None, f"the row has {len(row)} fields but the header has {ncols} "
                    f"(a separator inside a value? quote it)")
        for c in schema.columns:
            if c.name not in positions:
                continue
            pos = positions[c.name]
            v = row[pos] if pos < len(row) else None
            header = header_of[c.name]
            note = None
            if c.suppressible and isinstance(v, str) and v.strip().casefold() in SUPPRESSED_MARKERS:
                note, value = SUPPRESSED_MARKERS[v.strip().casefold()], None
            elif _is_blank(v):
                if c.kind == "bool":
                    value = False
                elif c.required:
                    col.add(line, header, "missing value")
                    value = None
                else:
                    value = None
            else:
                try:
                    value = _parse_value(c, v, raw.decimal)
                except ValueError as err:
                    shown = f" '{_shown(v)}'" if schema.echo_values else ""
                    col.add(line, header, f"{err}{' (found' + shown + ')' if shown else ''}")
                    value = None
                else:
                    if c.kind in ("int", "float") and value is not None:
                        if c.min is not None and value < c.min:
                            col.add(line, header, c.min_message or (
                                "negative count" if c.min == 0 else f"below the smallest allowed value {_num(c.min)}"))
                        elif c.max is not None and value > c.max:
                            col.add(line, header, c.max_message or f"above the largest allowed value {_num(c.max)}")
            data[c.name].append(value)
            if c.name in notes:
                notes[c.name].append(note)
    return data, notes


class _Unparsable(Exception):
    """A value :func:`_parse_columns` leaves to :func:`_parse_rows` to report."""


def _column_parser(c: Column, decimal: str) -> Callable[[Any], tuple[Any, Any]]:
    """``value -> (parsed, note)`` for one column, as :func:`_parse_rows` parses it; raises
    :class:`_Unparsable` where :func:`_parse_rows` reports a problem."""
    def parse(v: Any) -> tuple[Any, Any]:
        if c.suppressible and isinstance(v, str) and v.strip().casefold() in SUPPRESSED_MARKERS:
            return None, SUPPRESSED_MARKERS[v.strip().casefold()]
        if _is_blank(v):
            if c.kind == "bool":
                return False, None
            if c.required:
                raise _Unparsable
            return None, None
        try:
            value = _parse_value(c, v, decimal)
        except ValueError:
            raise _Unparsable from None
        if c.kind in ("int", "float") and value is not None:
            if (c.min is not None and value < c.min) or (c.max is not None and value > c.max):
                raise _Unparsable
        return value, None
    return parse


def _parse_columns(raw: RawTable, schema: Schema,
                   positions: dict[str, int]) -> tuple[dict[str, list[Any]], dict[str, list[Any]]] | None:
    """The fast pass of :func:`parse_table`: parse column by column, each distinct value of
    a column once. Returns None at the first problem (:func:`_parse_rows` then reports)."""
    ncols = len(raw.headers)
    if any(len(row) > ncols and any(not _is_blank(v) for v in row[ncols:]) for row in raw.rows):
        return None
    data: dict[str, list[Any]] = {}
    notes: dict[str, list[Any]] = {}
    for c in schema.columns:
        if c.name not in positions:
            continue
        pos = positions[c.name]
        parse = _column_parser(c, raw.decimal)
        seen: dict[tuple[type, Any], tuple[Any, Any]] = {}   # (type, text) -> (value, note)
        values, col_notes = [], []
        try:
            for row in raw.rows:
                v = row[pos] if pos < len(row) else None
                try:
                    got = seen.get((type(v), v))
                    if got is None:
                        got = seen[(type(v), v)] = parse(v)
                except TypeError:   # an unhashable cell value
                    got = parse(v)
                values.append(got[0])
                col_notes.append(got[1])
        except _Unparsable:
            return None
        data[c.name] = values
        if c.suppressible:
            notes[c.name] = col_notes
    return data, notes


def parse_table(raw: RawTable, schema: Schema, collect: bool = False, limit: int = MAX_PROBLEMS,
                context: dict[str, Any] | None = None):
    """Check ``raw`` against ``schema`` and return the tidy DataFrame.

    With ``collect=True`` problems are gathered (up to ``limit``) and raised together as
    :class:`Problems`; otherwise the first one is raised as :class:`InputError`.
    """
    import pandas as pd

    col = _Collector(raw.path, collect, limit)
    positions = _match_headers(raw, schema, col)
    if col.errors and any(e.row == raw.header_line for e in col.errors):
        col.done()
    if not raw.rows and not schema.allow_empty:
        col.add(raw.header_line + 1, None, "no data rows: the file has a header only")
        col.done()
    header_of = {name: raw.headers[pos] for name, pos in positions.items()}
    for c in schema.columns:
        header_of.setdefault(c.name, c.header)
    parsed = _parse_columns(raw, schema, positions)
    if parsed is None:   # a problem somewhere: find and report every one in file order
        parsed = _parse_rows(raw, schema, positions, header_of, col)
    data, notes = parsed
    frame = _typed_frame(data, notes, schema)
    ctx = CheckContext(raw.path, header_of, raw.lines, col, schema.echo_values, dict(context or {}))
    if schema.key and not col.errors:
        keys = [k for k in schema.key if k in frame.columns]
        # distinct parsed keys mean no duplicate rows; only a repeat needs the frame
        repeated = not keys or len(set(zip(*(data[k] for k in keys)))) < len(frame)
        if repeated and frame.duplicated(keys, keep=False).any():
            first_seen: dict[tuple, int] = {}
            for i, k in enumerate(frame[keys].itertuples(index=False, name=None)):
                if k in first_seen:
                    ctx.add(i, keys[-1], f"duplicate key ({', '.join(header_of[x] for x in keys)}): "
                            f"the same as line {raw.lines[first_seen[k]]}")
                else:
                    first_seen[k] = i
    if not col.errors:
        for check in schema.checks:
            check(frame, ctx)
    col.done()
    frame.attrs["source"] = str(raw.path)
    frame.attrs["lines"] = list(raw.lines)
    frame.attrs["kind"] = schema.kind
    return frame


def _shown(v: Any, width: int = 30) -> str:
    """A value of an aggregate table as quoted in a message: one line, at most ``width``."""
    t = " ".join(str(v).split())
    return t if len(t) <= width else t[: width - 1] + "…"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


_EXACT_INT = 2 ** 53   # whole numbers a float holds exactly


def _typed_column(c: Column, values: list[Any]):
    """The parsed ``values`` of column ``c`` as an array of its kind's dtype, exactly as
    :func:`_types` converts a frame column of them."""
    import numpy as np
    import pandas as pd

    if c.kind == "int" and all(v is None or (type(v) is int and -_EXACT_INT < v < _EXACT_INT) for v in values):
        return pd.array(values, dtype="Int64") if (not values or None in values) else np.array(values, dtype=np.int64)
    if c.kind == "float" and all(v is None or type(v) is float for v in values):
        return np.array([math.nan if v is None else v for v in values], dtype=np.float64)
    if c.kind == "bool":
        return np.array(values, dtype=bool)
    if c.kind in ("text", "choice") and all(v is None or type(v) is str for v in values):
        return pd.array(values, dtype="string")
    if c.kind == "date":
        return pd.to_datetime(pd.Series([None if v is None else pd.Timestamp(v) for v in values],
                                        dtype="datetime64[ns]"))
    # anything unusual: the general conversion of a frame column
    return _types(pd.DataFrame({c.name: values}), Schema(c.kind, [c]))[c.name]


def _typed_frame(data: dict[str, list[Any]], notes: dict[str, list[Any]], schema: Schema):
    """The tidy frame of the parsed values: one column per schema column in ``data`` (typed
    as :func:`_types` types it), then one ``<name>_note`` column per suppressible one."""
    import pandas as pd

    columns = {c.name: _typed_column(c, data[c.name]) for c in schema.columns if c.name in data}
    for name, values in notes.items():
        columns[f"{name}_note"] = pd.array(values, dtype="string")
    return pd.DataFrame(columns)


def _types(frame, schema: Schema):
    import pandas as pd

    for c in schema.columns:
        if c.name not in frame.columns:
            continue
        s = frame[c.name]
        if c.kind == "int":
            frame[c.name] = pd.array(s.tolist(), dtype="Int64") if (s.isna().any() or len(s) == 0) else s.astype("int64")
        elif c.kind == "float":
            frame[c.name] = pd.to_numeric(s, errors="coerce").astype("float64")
        elif c.kind == "date":
            frame[c.name] = pd.to_datetime(pd.Series([None if v is None else pd.Timestamp(v) for v in s],
                                                     dtype="datetime64[ns]", index=s.index))
        elif c.kind == "bool":
            frame[c.name] = s.astype(bool)
        else:
            frame[c.name] = s.astype("string")
    return frame


def read_table(path: str | Path, schema: Schema, collect: bool = False, limit: int = MAX_PROBLEMS,
               sheet: str | int | None = None, context: dict[str, Any] | None = None):
    """Read ``path`` (CSV or Excel) and check it against ``schema``; the tidy DataFrame.

    ``frame.attrs["lines"]`` holds each row's line number in the file, for later messages.
    """
    raw = read_raw(path, sheet=sheet)
    return parse_table(raw, schema, collect=collect, limit=limit, context=context)


def guess_kind(raw: RawTable, schemas: Iterable[Schema], complete_only: bool = False) -> Schema | None:
    """The schema whose headers best match the file's: all required headers present wins;
    else the one with most hits when at least half of its headers (and two) are present,
    so that a file with one column missing is still read as its kind and the missing
    column reported."""
    norm = {normalize_header(h) for h in raw.headers}
    best, best_score = None, (0.0, 0)
    for s in schemas:
        need = [c for c in s.columns if not c.optional]
        if not need:
            continue
        hits = sum(1 for c in need if any(normalize_header(h) in norm for h in c.headers()))
        score = (hits / len(need), hits)
        if hits >= 2 and score[0] >= (1.0 if complete_only else 0.5) and score > best_score:
            best, best_score = s, score
    return best


def headers_summary(headers: Sequence[str]) -> str:
    """``'a', 'b', 'c'`` for messages; cells with digits (maybe a data row) show as ``…``.

    Only headers some schema declares are quoted; anything else (a name on a first line
    that is data) shows as ``…``.

    >>> _ = Schema("demo", [Column("year", "År"), Column("quarter", "Kvartal")])
    >>> headers_summary(["År", "Kvartal", "2018", "Anders"])
    "'År', 'Kvartal', '…', '…'"
    """
    def short(h: str) -> str:
        h = " ".join(str(h).split())
        if any(ch.isdigit() for ch in h) or normalize_header(h) not in _KNOWN_HEADERS:
            return "…"          # may be a data row (a name, a number): never echo it
        return h if len(h) <= 30 else h[:29] + "…"
    return ", ".join(f"'{short(h)}'" for h in headers[:8]) + (" ..." if len(headers) > 8 else "")
