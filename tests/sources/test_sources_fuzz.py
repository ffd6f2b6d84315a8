"""Property: whatever bytes a log file holds, the readers either return a frame or raise an
InputError/Problems; never another exception (which the CLI would show as an internal error)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from evaluering.errors import InputError
from evaluering.sources.schema import Problems
from evaluering.sources.validate import validate_file

GOOD = ("År;Kvartal;Område;Niveau;Antal sager\n2018;1;AO-01;1;3\n2018;2;AO-02;2;1.107\n"
        "Dato;x\n").encode("utf-8")
MEET = ("Dato;Mødetype;Åbent møde;Ferieplan for;Målgruppe identificeret\n"
        "14.03.2018;Netværksmøde;ja;påskeferie;nej\n").encode("cp1252")

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _check(tmp_path, data: bytes, kind):
    p = tmp_path / "f.csv"
    p.write_bytes(data)
    try:
        v = validate_file(p, kind=kind)
    except (InputError, Problems):      # pragma: no cover - validate_file returns, never raises these
        raise AssertionError("validate_file must return problems, not raise")
    for e in v.problems:
        assert isinstance(e, InputError) and "\n" not in str(e)


@SETTINGS
@given(st.binary(max_size=300), st.sampled_from([None, "ssp", "meetings", "courses", "events", "milestones",
                                                 "published", "cells", "lbf", "dst"]))
def test_random_bytes(tmp_path, data, kind):
    _check(tmp_path, data, kind)


@SETTINGS
@given(st.data())
def test_mutated_logs(tmp_path, data):
    base = bytearray(data.draw(st.sampled_from([GOOD, MEET])))
    for _ in range(data.draw(st.integers(1, 6))):
        i = data.draw(st.integers(0, len(base) - 1))
        op = data.draw(st.sampled_from(["set", "del", "ins"]))
        b = data.draw(st.sampled_from(list(b";,\n\r\"-.x0912 \xe6\xf8\xe5\xef\xbb\xbf")))
        if op == "set":
            base[i] = b
        elif op == "del":
            del base[i]
        else:
            base.insert(i, b)
    _check(tmp_path, bytes(base), data.draw(st.sampled_from([None, "ssp", "meetings"])))
