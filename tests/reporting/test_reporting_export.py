"""HTML export, figures payload and provenance, on hand-built notebooks (no kernel)."""

from __future__ import annotations

import hashlib
import json
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from image_helpers import png_base64

from evaluering.errors import ReportError
from evaluering.reporting.export import check_alt_text, check_offline, clean_notebook, notebook_to_html
from evaluering.reporting.figures import FIGURES_MIME, extract_figures, merge_payloads, to_jsonable
from evaluering.reporting.provenance import file_sha256, provenance, run_key




def executed_notebook(root="/abs/proj"):
    nb = new_notebook()
    nb.metadata["papermill"] = {"start_time": "2026-01-01T00:00:00", "environment_variables": {"X": "1"},
                                "parameters": {"plan_id": "p", "project_root": root}, "duration": 3.2}
    params = new_code_cell("plan_id = 'p'", metadata={"tags": ["parameters"]})
    injected = new_code_cell(f"plan_id = 'p'\nproject_root = '{root}'", metadata={"tags": ["injected-parameters"]})
    code = new_code_cell("SECRET_SOURCE_TOKEN = 1\nprint('synlig tekst')", execution_count=17)
    code.metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00Z"}
    code.outputs = [
        new_output("stream", name="stdout", text=f"synlig tekst fra {root}/data/x.csv\n"),
        new_output("stream", name="stderr", text="FutureWarning: intern advarsel\n"),
        new_output("execute_result", execution_count=17,
                   data={"text/plain": "[<matplotlib.lines.Line2D at 0x7f3a2b1c9d00>]"}),
        new_output("display_data", data={"image/png": png_base64(), "text/plain": "<Figure>"},
                   metadata={"image/png": {"alt": "Linje der stiger"}}),
        new_output("display_data", data={FIGURES_MIME: {"criteria": [{"id": "K1", "title": "t", "status": "opfyldt"}]},
                                         "text/plain": "<figurdata>"}),
        new_output("display_data", data={"application/javascript": "alert(1)", "text/plain": "js"}),
    ]
    table = new_code_cell("df", execution_count=18)
    table.outputs = [new_output("execute_result", execution_count=18,
                                data={"text/html": "<table><tr><th>År</th></tr><tr><td>2020</td></tr></table>",
                                      "text/plain": "df"})]
    nb.cells = [params, injected, new_markdown_cell("# Årsrapport 2020\n\nTekst."), code, table]
    return nb


def test_html_hides_code_prompts_stderr_payload_and_scripts():
    html = notebook_to_html(executed_notebook(), title="Rapport")
    assert "<h1" in html and "Årsrapport 2020" in html
    assert "synlig tekst" in html and "<th>År</th>" in html
    assert "SECRET_SOURCE_TOKEN" not in html             # code hidden
    assert "project_root" not in html                    # the injected parameters too
    body = html[html.index("<body"):]
    assert "In&nbsp;[" not in body and "Out[" not in body and "jp-InputPrompt" not in body
    assert "/abs/proj" not in html                         # the root taken from the parameters
    assert "FutureWarning" not in html                   # stderr dropped
    assert FIGURES_MIME not in html and "figurdata" not in html
    assert "<script" not in html and "alert(1)" not in html
    assert 'alt="Linje der stiger"' in html
    assert '<html lang="da">' in html and "<title>Rapport</title>" in html
    check_offline(html)


def test_html_is_deterministic_and_has_no_absolute_paths_or_addresses():
    a = notebook_to_html(clean_notebook(executed_notebook("/abs/one")), title="R", clean=False)
    b = notebook_to_html(executed_notebook("/abs/two"), title="R")
    assert a == b
    assert "/abs/" not in a and " at 0x" not in a
    assert "synlig tekst fra data/x.csv" in a
    assert not re.search(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d", a)     # no timestamps
    assert re.findall(r'id="cell-id=([^"]+)"', a) == ["cell-2", "cell-3", "cell-4"]
    assert "celltag_parameters" not in a and "celltag_injected-parameters" not in a


def test_clean_notebook_drops_timing_and_environment_and_renumbers():
    nb = clean_notebook(executed_notebook(), roots=("/abs/proj",))
    assert nb.metadata["papermill"] == {"parameters": {"plan_id": "p", "project_root": "/abs/proj"}}
    assert all("execution" not in c.metadata for c in nb.cells)
    assert [c.get("execution_count") for c in nb.cells if c.cell_type == "code"] == [None, None, 1, 2]
    assert nb.cells[3].outputs[2]["data"]["text/plain"] == "[<matplotlib.lines.Line2D>]"
    nbformat.validate(nb)


@pytest.mark.parametrize("snippet", [
    '<script src="https://cdnjs.cloudflare.com/require.js"></script>',
    '<link rel="stylesheet" href="https://fonts.googleapis.com/css">',
    '<style>@import url("https://x.org/a.css");</style>',
    '<img src="//example.org/a.png">',
])
def test_check_offline_refuses_network_resources(snippet):
    with pytest.raises(ReportError, match="from the network"):
        check_offline(f"<html>{snippet}</html>")


def test_export_leaves_the_executed_notebook_unchanged():
    # the HTML view shares output texts with the executed notebook instead of copying them
    nb = clean_notebook(executed_notebook(), roots=("/abs/proj",))
    before = nbformat.writes(nb)
    notebook_to_html(nb, title="R", clean=False)
    assert nbformat.writes(nb) == before
    assert FIGURES_MIME in before                     # the payload stays for the JSON


def test_an_image_without_alt_text_is_refused():
    nb = executed_notebook()
    nb.cells[3].outputs.append(new_output("display_data", data={
        "text/html": '<figure><img src="data:image/svg+xml;base64,PHN2Zy8+"></figure>'}))
    with pytest.raises(ReportError, match="no alt text"):
        notebook_to_html(nb, title="R")
    check_alt_text('<img alt="Linjediagram" src="data:image/svg+xml;base64,PHN2Zy8+">')
    with pytest.raises(ReportError, match="no alt text"):
        check_alt_text('<img src="a.svg" title="alt=nej">')


def test_figures_payload_extracted_and_merged():
    nb = executed_notebook()
    extra = new_code_cell("x")
    extra.outputs = [new_output("display_data", data={FIGURES_MIME: {"criteria": [{"id": "K2"}], "n": 2}})]
    nb.cells.append(extra)
    figures = extract_figures(nb)
    assert [c["id"] for c in figures["criteria"]] == ["K1", "K2"]
    assert figures["n"] == 2
    assert merge_payloads([{"a": 1}, {"a": 2}]) == {"a": 2}


def test_to_jsonable_handles_numpy_pandas_and_missing():
    import numpy as np
    import pandas as pd

    df = pd.DataFrame({"år": [2019, 2020], "andel": [4.2, np.nan]})
    out = to_jsonable({"t": df, "x": np.float64("inf"), "d": pd.Timestamp("2020-01-01")})
    assert out == {"t": [{"år": 2019, "andel": 4.2}, {"år": 2020, "andel": None}], "x": None,
                   "d": "2020-01-01T00:00:00"}
    json.dumps(out, allow_nan=False)
    with pytest.raises(TypeError):
        to_jsonable({"f": object()})


def test_provenance_hashes_inputs_and_shows_run_date_only_when_asked(tmp_path):
    root = tmp_path
    (root / "data").mkdir()
    f = root / "data" / "cells.csv"
    f.write_bytes(b"a;b\n1;2\n")
    params = {"plan_id": "p", "year": 2020, "project_root": str(root), "show_run_date": False}
    rec = provenance(params, inputs=[f])
    assert rec["inputs"] == [{"path": "data/cells.csv", "sha256": hashlib.sha256(b"a;b\n1;2\n").hexdigest(),
                              "bytes": 8}]
    assert file_sha256(f) == hashlib.sha256(b"a;b\n1;2\n").hexdigest()
    assert "run_date" not in rec and "project_root" not in rec["parameters"]
    import datetime as dt

    dated = provenance({**params, "show_run_date": True}, inputs=[f], today=dt.date(2021, 3, 4))
    assert dated["run_date"] == "2021-03-04"
    assert run_key(dated) == run_key(rec) or dated["parameters"] != rec["parameters"]
    f.write_bytes(b"a;b\n1;3\n")
    assert run_key(provenance(params, inputs=[f])) != run_key(rec)
