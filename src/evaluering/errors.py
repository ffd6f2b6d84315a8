"""Exceptions with structured fields.

Every error a user can cause carries *where* it happened (file, row, column) and *what*
is wrong, never the offending person-level value. The command line turns an
:class:`EvalueringError` into one line on stderr and exit code 2, with no traceback.

Example
-------
>>> err = InputError("data/raw/x.csv", "the value must be a whole number", row=4, column="antal")
>>> str(err)
'data/raw/x.csv:4:antal: the value must be a whole number'
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["EvalueringError", "InputError", "PlanError", "ReportError", "format_location"]


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


class PlanError(InputError):
    """A problem in a plan file (YAML); ``column`` holds the dotted key path."""


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
