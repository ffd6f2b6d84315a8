"""Yearly reports: run the report notebook (papermill, warm kernels), export offline HTML
and PDF, record figures and provenance, and batch every plan with an index.

The flat public API (imported lazily, so ``import evaluering.reporting`` stays cheap):

- :func:`render_report` / :class:`ReportJob`: one plan's report files;
- :func:`run_batch`: every plan's report, ``index.html`` and ``summary.csv``;
- :func:`run_notebook`, :class:`WarmKernel`: papermill execution in a fresh or warm kernel;
- :func:`notebook_to_html`, :func:`html_to_pdf`: the exports;
- :func:`record_figures` (call it in the notebook); :mod:`.provenance` (input hashes);
- :func:`build_parameters`, :data:`REPORT_PARAMETERS`: the notebook parameters contract.

>>> from evaluering.reporting import build_parameters
>>> build_parameters("aalborg-oest", 2020, project_root="/p")["published_dir"]
'data/raw/published'
"""

from __future__ import annotations

from evaluering._lazy import lazy_exports

_LAZY = {
    "REPORT_PARAMETERS": "params", "build_parameters": "params", "check_parameters_cell": "params",
    "record_figures": "figures", "extract_figures": "figures", "FIGURES_MIME": "figures",
    "provenance_frame": "provenance", "run_key": "provenance", "plan_input_files": "provenance",
    "run_notebook": "runner", "WarmKernel": "runner", "NotebookFailed": "runner", "CellError": "runner",
    "notebook_to_html": "export", "clean_notebook": "export", "check_offline": "export",
    "html_to_pdf": "pdf", "find_chromium": "pdf", "ChromiumMissing": "pdf",
    "ReportJob": "render", "ReportResult": "render", "render_report": "render",
    "run_batch": "batch", "BatchResult": "batch", "plan_jobs": "batch",
    "write_index": "index", "summary_csv": "index",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
