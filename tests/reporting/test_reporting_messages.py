"""Report errors reach users in Danish: every ReportError the code raises has a catalogue entry."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from evaluering.errors import ReportError, localize

SRC = Path(__file__).resolve().parents[2] / "src" / "evaluering"


def _report_error_texts():
    """The message of every ``raise ReportError(...)`` in the package, f-string fields as 'X'."""
    out = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ReportError" and node.args):
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                text = arg.value
            elif isinstance(arg, ast.JoinedStr):
                text = "".join(v.value if isinstance(v, ast.Constant) else "X" for v in arg.values)
            else:
                continue
            out.append(pytest.param(text, id=f"{path.name}:{node.lineno}"))
    return out


TEXTS = _report_error_texts()


def test_the_scan_finds_the_report_errors():
    assert len(TEXTS) >= 15


@pytest.mark.parametrize("text", TEXTS)
def test_every_report_error_has_danish(text):
    assert localize(text, "da") != text, text


def test_report_error_in_danish_and_english(monkeypatch):
    err = ReportError("year must be a whole number (got 'x')", plan="aalborg-oest", cell=2)
    monkeypatch.setenv("EVALUERING_LANG", "da")
    assert str(err) == "plan aalborg-oest, celle 2: året skal være et helt tal (fik 'x')"
    monkeypatch.setenv("EVALUERING_LANG", "en")
    assert str(err) == "plan aalborg-oest, cell 2: year must be a whole number (got 'x')"
    monkeypatch.setenv("EVALUERING_LANG", "da")
    assert str(ReportError("/tmp/x: no plan files (*.yaml) found")) == "rapport: /tmp/x: ingen planfiler (*.yaml) fundet"
