"""evaluering audit: fails on planted leaks, passes on clean outputs, masks what it reports."""

from __future__ import annotations

import json

import nbformat
import pandas as pd
import pytest

from image_helpers import png_base64

from evaluering.cli import main
from evaluering.disclosure import audit_path, suppress_table
from evaluering.disclosure.audit import audit_text
from evaluering.plan import project_root

CPR = "010203-1234"


def _nb(outputs_per_cell) -> str:
    nb = nbformat.v4.new_notebook()
    for outs in outputs_per_cell:
        cell = nbformat.v4.new_code_cell("x")
        cell.outputs = [nbformat.from_dict(o) for o in outs]
        cell.execution_count = 1
        nb.cells.append(cell)
    return nbformat.writes(nb)




@pytest.fixture
def clean_dir(tmp_path):
    """Outputs as the product writes them: suppressed table as HTML, JSON, CSV, a notebook."""
    df = pd.DataFrame({"area": ["AO-01", "AO-02", "AO-03", "Helhedsplansområde"],
                       "count": [2, 11, 14, 27], "persons": [150, 180, 241, 571]})
    df["andel"] = df["count"] / df["persons"] * 100
    res = suppress_table(df, ["count", "persons"], {"andel": ("count", "persons")},
                         totals={"area": "Helhedsplansområde"})
    d = tmp_path / "reports" / "2020"
    d.mkdir(parents=True)
    page = (f"<html><head><style>.x{{width:0102031234px}}</style><script>var t = 1102031234;</script>"
            f"</head><body><h1>Årsrapport 2020</h1>{res.to_html()}<p>Budget 1.107.000 kr., 24 sigtede i 2015, "
            f"4,2 %</p><img src='data:image/png;base64,{png_base64()}'></body></html>")
    (d / "aalborg-oest.html").write_text(page, encoding="utf-8")
    res.write_json(d / "aalborg-oest.json")
    res.write_csv(d / "tabel.csv")
    (d / "figures.json").write_text(json.dumps({"plan": "aalborg-oest", "criteria": [
        {"id": "K1", "baseline": {"value": 4.2, "count": 24}, "target": 3.15, "persons": 571}],
        "meetings_held": 1, "execution_count": 1}), encoding="utf-8")
    (d / "aalborg-oest.ipynb").write_text(_nb([
        [{"output_type": "display_data", "data": {"text/html": res.to_html(), "text/plain": repr(res)},
          "metadata": {}}],
        [{"output_type": "display_data", "data": {"image/png": png_base64(), "text/plain": "<Figure>"},
          "metadata": {}}],
        [{"output_type": "stream", "name": "stdout", "text": "Tabellen er diskretioneret (grænse 3).\n"}],
    ]), encoding="utf-8")
    return tmp_path / "reports"


def test_clean_outputs_pass(clean_dir, capsys):
    assert audit_path(clean_dir) == []
    assert main(["audit", str(clean_dir)]) == 0
    assert "ingen fund" in capsys.readouterr().err


def test_small_count_in_html_table_is_found(clean_dir, capsys):
    leak = pd.DataFrame({"area": ["AO-01", "AO-02"], "count": [2, 40]}).to_html()
    (clean_dir / "2020" / "leak.html").write_text(f"<html><body>{leak}</body></html>")
    (clean_dir / "2020" / "marked.html").write_text('<table><tr><td class="ev-count" data-count="1">1</td></tr></table>')
    assert main(["audit", str(clean_dir)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert any("leak.html:line" in line and "unsuppressed count < 3 in column count" in line for line in out)
    assert any("marked.html:line 1: unsuppressed count < 3 in a data-count cell" in line for line in out)
    assert len(out) == 2


def test_cpr_in_notebook_output_is_found_and_masked(clean_dir, capsys):
    (clean_dir / "2020" / "run.ipynb").write_text(_nb([
        [{"output_type": "stream", "name": "stdout", "text": f"række: {CPR} 14 år\n"}],
        [{"output_type": "execute_result", "execution_count": 2, "metadata": {},
          "data": {"text/plain": "x", "text/html": "<p>pnr 1512990123</p>"}}],
        [{"output_type": "error", "ename": "ValueError", "evalue": "bad row", "traceback": [f"person {CPR}"]}],
    ]))
    assert main(["audit", str(clean_dir)]) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "run.ipynb:cell 1, output 1, line 1: CPR-number pattern 01****-****" in out
    assert "run.ipynb:cell 2, output 1, line 1: CPR-number pattern 15********" in out
    assert "run.ipynb:cell 3, output 1, line 3: CPR-number pattern 01****-****" in out
    assert len(lines) == 3
    assert "1234" not in out and "0123" not in out           # never echoed in full


def test_person_level_csv_is_found(clean_dir, capsys):
    d = clean_dir / "2020"
    (d / "personer.csv").write_text("person_id;alder;køn;afdeling;sigtet\n17;14;M;AO-01;1\n18;15;K;AO-02;0\n")
    (d / "rows.csv").write_text("alder,koen,afdeling,sigtet\n14,M,AO-01,1\n15,K,AO-02,0\n16,K,AO-02,0\n")
    (d / "names.csv").write_text("navn,alder\nJens,14\n")
    assert main(["audit", str(clean_dir)]) == 1
    out = capsys.readouterr().out
    assert "personer.csv:1:person_id: person identifier column person_id" in out
    assert "rows.csv:1: person-level rows (age and sex per row, no count column)" in out
    assert "names.csv:1: person-level rows (a name column beside person attributes)" in out
    assert "Jens" not in out


def test_json_leaks_are_found():
    text = json.dumps({"rows": [{"area": "AO-01", "numerator": 2, "denominator": 150},
                                {"area": "AO-02", "numerator": None, "numerator_reason": "< 3"}],
                       "people": [{"pnr": "0102031234", "age": 14}, {"pnr": "0203041234", "age": 15}],
                       "note": "sigtet: 311299-1234", "estate_count": 1})
    found = [str(f) for f in audit_text(text, "json", name="f.json")]
    assert found == [
        "f.json:$.rows[0].numerator: unsuppressed count < 3 in key numerator",
        "f.json:$.people[*].pnr: person identifier key pnr",
        "f.json:$.note: CPR-number pattern 31****-****",
        "f.json:$.estate_count: unsuppressed count < 3 in key estate_count",
    ]


def test_threshold_option_and_bad_usage(tmp_path, capsys):
    (tmp_path / "t.csv").write_text("area,count\nA,4\nB,40\n")
    assert main(["audit", str(tmp_path)]) == 0
    assert main(["audit", str(tmp_path), "--threshold", "5"]) == 1
    assert "t.csv:2:count: unsuppressed count < 5 in column count" in capsys.readouterr().out
    assert main(["audit", str(tmp_path / "nope")]) == 2
    assert main(["audit", str(tmp_path), "--threshold", "0"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["audit"])
    assert exc.value.code == 2


def test_unreadable_file_is_a_finding(tmp_path):
    (tmp_path / "broken.json").write_text("{not json")
    found = audit_path(tmp_path)
    assert len(found) == 1 and "not audited" in found[0].what


def test_published_source_tables_are_clean():
    """The published tables bundled with the product carry no small count and no identifier."""
    assert audit_path(project_root() / "data" / "raw" / "published", threshold=3) == []


def test_cpr_pattern_does_not_fire_on_numbers_and_dates():
    text = "Budget 1.107.000 kr.; 0,0102031234; 2017-02-01; id 12345678901; 3102991234567"
    assert audit_text(text, "txt") == []
    assert len(audit_text("cpr 0102031234 og 010203-1234", "txt")) == 2


@pytest.mark.slow
def test_executed_notebook_with_a_leak(tmp_path):
    """A notebook really executed (nbclient) that prints a CPR number is caught."""
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f"print('{CPR[:6]}' + '-' + '{CPR[7:]}')"),
                nbformat.v4.new_code_cell("import pandas as pd\npd.DataFrame({'count': [1, 30]})")]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    nbformat.write(nb, tmp_path / "executed.ipynb")
    found = [str(f) for f in audit_path(tmp_path)]
    assert any("cell 1, output 1" in f and "CPR-number pattern" in f for f in found)
    assert any("cell 2, output 1" in f and "unsuppressed count < 3 in column count" in f for f in found)


def test_assert_clean_for_test_suites(clean_dir):
    from evaluering.disclosure import assert_clean

    assert_clean(clean_dir)
    (clean_dir / "leak.json").write_text('{"denominator": 2}')
    with pytest.raises(AssertionError, match=r"leak.json:\$.denominator: unsuppressed count < 3"):
        assert_clean(clean_dir)
