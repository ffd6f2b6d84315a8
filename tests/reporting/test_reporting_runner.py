"""Papermill execution in fresh and warm kernels: same results, no state carried over."""

from __future__ import annotations

import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from evaluering.reporting.export import notebook_to_html
from evaluering.reporting.params import build_parameters
from evaluering.reporting.runner import NotebookFailed, WarmKernel, cell_error, notebook_imports, run_notebook

from reporting_helpers import FAILING, HEAVY, ROOT

pytestmark = pytest.mark.slow

PARAMS = '''plan_id: str = "x"
year: int = 2020
plans_dir: str = "data/raw/plans"
cells_path: str = "data/processed/cells.parquet"
published_dir: str = "data/raw/published"
project_root: str = "."
show_run_date: bool = False
disclosure_threshold: int = 3'''


def probe_notebook():
    """A notebook that prints the state a previous run could have leaked, then changes it."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        new_code_cell(PARAMS, metadata={"tags": ["parameters"]}),
        new_code_cell("import os, sys, warnings\nimport matplotlib\nimport matplotlib.pyplot as plt\nimport pandas as pd\n"
                      "print('leak' in globals(), matplotlib.rcParams['lines.linewidth'], "
                      "pd.get_option('display.max_rows'), len(plt.get_fignums()), os.getcwd(), "
                      "os.environ.get('EVALUERING_PROBE'), '/nowhere' in sys.path)"),
        new_code_cell("leak = 1\nmatplotlib.rcParams['lines.linewidth'] = 7.0\npd.set_option('display.max_rows', 3)\n"
                      "os.environ['EVALUERING_PROBE'] = 'x'\nsys.path.append('/nowhere')\nfig = plt.figure()\n"
                      "os.chdir('/')\nprint(plan_id)"),
    ]
    return nb


def _stdout(nb, index):
    return "".join(o.get("text", "") for o in nb.cells[index].outputs if o.get("output_type") == "stream")


@pytest.fixture(scope="module")
def warm():
    kernel = WarmKernel()
    yield kernel
    kernel.shutdown()


def test_warm_kernel_resets_namespace_plots_options_and_cwd(warm, tmp_path):
    nb = probe_notebook()
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    first = run_notebook(nb, build_parameters("a", 2020, project_root=one), kernel=warm)
    second = run_notebook(nb, build_parameters("b", 2020, project_root=two), kernel=warm)
    fresh = run_notebook(nb, build_parameters("b", 2020, project_root=two))
    # the injected parameters cell sits at index 1: the probe is cell 2
    expected = f"False 1.5 60 0 {two.resolve()} None False\n"
    assert _stdout(second, 2) == expected
    assert _stdout(fresh, 2) == expected
    assert _stdout(first, 2) == expected.replace(str(two.resolve()), str(one.resolve()))
    assert _stdout(second, 3) == "b\n"
    assert [c.get("execution_count") for c in second.cells] == [c.get("execution_count") for c in fresh.cells]
    assert warm.runs == 2


def test_warm_html_is_byte_identical_to_fresh_html(warm):
    params = build_parameters("aalborg-oest", 2020, project_root=ROOT)
    run_notebook(HEAVY, build_parameters("aalborg-oest", 2019, project_root=ROOT), kernel=warm)
    warm_html = notebook_to_html(run_notebook(HEAVY, params, kernel=warm), title="t")
    fresh_html = notebook_to_html(run_notebook(HEAVY, params), title="t")
    assert warm_html == fresh_html
    assert re.search(r'<img src="data:image/png;base64,[^"]+" alt="Figur"', warm_html)


def test_failure_names_the_cell_and_the_kernel_stays_usable(warm):
    params = build_parameters("aalborg-oest", 2020, project_root=ROOT)
    with pytest.raises(NotebookFailed) as err:
        run_notebook(FAILING, params, kernel=warm)
    assert str(err.value.error) == "celle 5: ValueError: planen aalborg-oest kan ikke beregnes"
    assert err.value.error.cell == 5 and err.value.nb is not None
    assert cell_error(err.value.nb) == err.value.error
    ok = run_notebook(probe_notebook(), build_parameters("c", 2020, project_root=ROOT), kernel=warm)
    assert _stdout(ok, 3) == "c\n"


def test_notebook_imports_lists_the_modules_to_preload():
    nb = nbformat.read(HEAVY, as_version=4)
    mods = notebook_imports(nb)
    assert {"pandas", "seaborn", "matplotlib.pyplot", "statsmodels.formula.api"} <= set(mods)


def test_new_imports_do_not_snapshot_a_used_kernel(warm, tmp_path):
    """A second notebook with more imports re-prepares the kernel from the clean state."""
    first = probe_notebook()
    run_notebook(first, build_parameters("a", 2020, project_root=tmp_path), kernel=warm)
    second = probe_notebook()
    second.cells[1].source = "import json\n" + second.cells[1].source
    out = run_notebook(second, build_parameters("b", 2020, project_root=tmp_path), kernel=warm)
    assert _stdout(out, 2) == f"False 1.5 60 0 {tmp_path.resolve()} None False\n"
