"""The effect-analysis notebook runs on the bundled synthetic cells (papermill)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "effect_analysis.ipynb"
CELLS = ROOT / "data" / "processed" / "cells.parquet"


def test_notebook_has_a_parameters_cell():
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for name in ("measure", "estimator", "control", "comparison_estates", "inference"):
        assert f"{name}:" in tagged[0].source


@pytest.mark.slow
@pytest.mark.skipif(not CELLS.is_file(), reason="data/processed/cells.parquet not built (evaluering build)")
def test_notebook_runs_and_recovers_the_planted_effect(tmp_path):
    import json

    import nbformat
    import papermill as pm
    from jupyter_client.kernelspec import KernelSpecManager

    kernel = "evaluering" if "evaluering" in KernelSpecManager().find_kernel_specs() else "python3"
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(out), cwd=str(ROOT / "notebooks"), kernel_name=kernel,
                        parameters={"estimator": "cs", "control": "notyet"}, progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    text = json.dumps([c.get("outputs", []) for c in nb.cells if c.cell_type == "code"])
    assert "Callaway" in text and "Randomiseringsinferens" in text and "procentpoint" in text
    assert "image/png" in text  # the event-study plot
    assert "Traceback" not in text
