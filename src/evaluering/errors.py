"""Exceptions with structured fields.

Every error a user can cause carries *where* it happened (file, row, column) and *what*
is wrong, never the offending person-level value. The command line turns an
:class:`EvalueringError` into one line on stderr and exit code 2, with no traceback.

Messages are written in English in the code and shown in the user's language (Danish by
default; ``EVALUERING_LANG=en`` or ``evaluering --lang en`` for English) through one
catalogue, ``messages.yaml`` (:func:`localize`). ``message`` keeps the English text.

Example
-------
>>> err = InputError("data/raw/x.csv", "negative count", row=4, column="antal")
>>> err.text("en"), err.text("da")
('negative count', 'negativt antal')
>>> with language("en"):
...     str(err)
'data/raw/x.csv:4:antal: negative count'
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
from functools import lru_cache
from pathlib import Path

__all__ = ["EvalueringError", "InputError", "PlanError", "ReportError", "OutputError", "format_location",
           "localize", "current_language", "language", "LANGUAGES"]

#: languages of user-facing messages; the first is the default
LANGUAGES = ("da", "en")
_LANG_ENV = "EVALUERING_LANG"


def current_language() -> str:
    """``da`` (default) or ``en``, from ``EVALUERING_LANG``."""
    lang = os.environ.get(_LANG_ENV, "").strip().lower()[:2]
    return lang if lang in LANGUAGES else LANGUAGES[0]


@contextlib.contextmanager
def language(lang: str):
    """Show messages in ``lang`` inside the block (sets ``EVALUERING_LANG``)."""
    old = os.environ.get(_LANG_ENV)
    os.environ[_LANG_ENV] = lang
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(_LANG_ENV, None)
        else:
            os.environ[_LANG_ENV] = old


def _pattern(template: str) -> re.Pattern:
    out, pos = [], 0
    for m in re.finditer(r"\{(\w+)\}", template):
        out.append(re.escape(template[pos:m.start()]))
        out.append(f"(?P<{m.group(1)}>.+?)")
        pos = m.end()
    out.append(re.escape(template[pos:]))
    return re.compile("".join(out), re.S)


@lru_cache(maxsize=1)
def _catalogue() -> tuple[dict[str, str], list[tuple[re.Pattern, str]]]:
    """(exact English -> Danish, [(pattern, Danish template)]) from ``messages.yaml``."""
    import yaml

    raw = yaml.safe_load(Path(__file__).with_name("messages.yaml").read_text(encoding="utf-8")) or {}
    exact = {en: da for en, da in raw.items() if "{" not in en}
    patterns = sorted(((_pattern(en), da) for en, da in raw.items() if "{" in en),
                      key=lambda p: -len(p[0].pattern))
    return exact, patterns


def _translate_one(text: str, depth: int = 0) -> str | None:
    exact, patterns = _catalogue()
    if text in exact:
        return exact[text]
    if depth > 3:
        return None
    for pat, da in patterns:
        m = pat.fullmatch(text)
        if m:
            values = {k: _translate_parts(v, depth + 1) for k, v in m.groupdict().items()}
            return da.format(**values)
    return None


def _translate_parts(text: str, depth: int = 0) -> str:
    """``text`` translated whole, else part by part (parts joined by ``"; "``)."""
    whole = _translate_one(text, depth)
    if whole is not None:
        return whole
    parts = text.split("; ")
    if len(parts) > 1:
        return "; ".join(_translate_one(p, depth) or p for p in parts)
    return text


def localize(message: str, lang: str | None = None) -> str:
    """``message`` (English, as written in the code) in ``lang`` (default: the current
    language). Parts joined by ``"; "`` are translated one by one; text the catalogue does
    not know stays English.

    >>> localize("the file is empty", "da")
    'filen er tom'
    >>> localize("missing column 'Niveau'; expected columns: År, Niveau", "da")
    "kolonnen 'Niveau' mangler; forventede kolonner: År, Niveau"
    """
    lang = lang or current_language()
    if lang == "en" or not message:
        return message
    return _translate_parts(message)


def format_location(path: str | Path | None, row: int | None = None, column: str | None = None) -> str:
    """Return ``file:row:column`` with the parts that are known.

    >>> format_location("a.csv", 3, "år")
    'a.csv:3:år'
    >>> format_location("a.csv", None, "år")
    'a.csv:år'
    """
    parts = [str(path) if path is not None else "<input>"]
    if row is not None:
        parts.append(str(row))
    if column is not None:
        parts.append(str(column))
    return ":".join(parts)


class EvalueringError(Exception):
    """Base class of errors that the CLI reports as one line with exit code 2."""

    exit_code = 2

    def __str__(self) -> str:
        return localize(super().__str__())


class InputError(EvalueringError):
    """A problem with an input file.

    ``row`` is the 1-based line number in the file as a text editor shows it (the header is
    line 1), or the spreadsheet row number for Excel; ``column`` is the column name as written
    in the file. ``message`` must never contain a person-level value.
    """

    def __init__(self, path: str | Path | None, message: str, row: int | None = None,
                 column: str | None = None):
        self.path = str(path) if path is not None else None
        self.row = row
        self.column = column
        self.message = message
        super().__init__(f"{format_location(self.path, row, column)}: {message}")

    def text(self, lang: str | None = None) -> str:
        """The message in ``lang`` (default: the current language)."""
        return localize(self.message, lang)

    def __str__(self) -> str:
        return f"{format_location(self.path, self.row, self.column)}: {self.text()}"


class PlanError(InputError):
    """A problem in a plan file (YAML); ``column`` holds the dotted key path."""


_WRITE_CAUSES = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EACCES: "no permission to write there",
    errno.EPERM: "no permission to write there",
    errno.EROFS: "the file system is read-only",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "a folder is in the way",
    errno.ENAMETOOLONG: "the file name is too long",
}


class OutputError(EvalueringError):
    """An output could not be written; names the path and the cause (disk full, read-only).

    >>> import errno
    >>> err = OutputError.from_os("reports/2020/x.html", OSError(errno.ENOSPC, "No space left"))
    >>> err.text("en")
    'cannot write the file: the disk is full'
    """

    def __init__(self, path: str | Path, cause: str):
        self.path = str(path)
        self.cause = cause
        self.message = f"cannot write the file: {cause}"
        super().__init__(f"{self.path}: {self.message}")

    @classmethod
    def from_os(cls, path: str | Path | None, err: OSError) -> "OutputError":
        cause = _WRITE_CAUSES.get(err.errno, err.strerror or type(err).__name__)
        return cls(path if path is not None else (err.filename or "<output>"), cause)

    def text(self, lang: str | None = None) -> str:
        return localize(self.message, lang)

    def __str__(self) -> str:
        return f"{self.path}: {self.text()}"

    @staticmethod
    def is_write_error(err: BaseException) -> bool:
        """True for an OSError of a full disk, a missing permission or a read-only system."""
        return isinstance(err, OSError) and err.errno in _WRITE_CAUSES


class ReportError(EvalueringError):
    """A report could not be produced (a notebook cell failed, a converter is missing)."""

    def __init__(self, message: str, plan: str | None = None, cell: int | None = None):
        self.plan = plan
        self.cell = cell
        self.message = message
        where = f"plan {plan}" if plan else "report"
        if cell is not None:
            where += f", cell {cell}"
        super().__init__(f"{where}: {message}")
