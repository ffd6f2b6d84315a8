"""One plan's report: run the notebook, then write ``<plan>.ipynb``, ``.html``, ``.pdf``
and ``.json`` under ``<out>/<year>/``, each atomically, the JSON last.

The JSON holds the run key (a hash of input files, parameters, notebook and library), so
a report whose JSON is missing or stale is simply rendered again: a run killed at any
moment leaves complete old files or complete new ones, and the next run repairs the set.
A failing notebook publishes nothing: the plan's previous report files are removed and
the executed notebook (with the error) goes to ``<out>/<year>/_fejlede/<plan>.ipynb``.

>>> job = ReportJob(plan_path="p.yaml", plan_id="p", year=2020, out_dir="reports/2020",
...                 notebook="nb.ipynb", params={"plan_id": "p", "year": 2020})
>>> job.paths()["html"].name
'p.html'
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .publish import publish_text as write_text
from ..errors import EvalueringError, ReportError

__all__ = ["ReportJob", "ReportResult", "render_report", "read_report_json", "FAILED_DIR", "REPORT_FILES",
           "get_kernel", "shutdown_kernels"]

FAILED_DIR = "_fejlede"
#: the files of one report: the HTML, the executed notebook, the JSON record, the PDF and
#: the exports for editing (Excel: the tables; Word: the report)
REPORT_FILES = ("html", "ipynb", "json", "pdf", "xlsx", "docx")
_KERNELS: dict[tuple, Any] = {}


@dataclass(frozen=True)
class ReportJob:
    """Everything one report run needs (picklable: it travels to Dask workers)."""

    plan_path: str
    plan_id: str
    year: int
    out_dir: str
    notebook: str
    params: dict[str, Any]
    pdf: bool = False
    force: bool = False
    warm: bool = True
    kernel_name: str | None = None
    timeout: float | None = 1800
    plan_name: str = ""
    inputs: tuple[str, ...] | None = None  # the input files (None: found from the plan file)

    def paths(self) -> dict[str, Path]:
        out = Path(self.out_dir)
        return {ext: out / f"{self.plan_id}.{ext}" for ext in REPORT_FILES}


@dataclass
class ReportResult:
    """What happened to one plan: ``status`` is ``"ok"``, ``"skipped"`` (unchanged) or
    ``"failed"``; ``error`` is the one-line reason of a failure."""

    plan_id: str
    year: int
    status: str
    plan_name: str = ""
    files: dict[str, str] = field(default_factory=dict)
    criteria: list[dict] = field(default_factory=list)
    error: str | None = None
    cell: int | None = None
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    #: what the batch dashboard shows: municipality, focus areas, statuses per year
    dashboard: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "skipped")


def read_report_json(path: str | Path) -> dict | None:
    """The JSON record of a published report, or ``None`` if missing or unreadable."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def get_kernel(kernel_name: str | None = None):
    """This process's warm kernel for ``kernel_name`` (started on first use)."""
    from .runner import WarmKernel

    import threading

    key = (kernel_name or "", threading.get_ident())  # a kernel runs one notebook at a time
    kernel = _KERNELS.get(key)
    if kernel is None:
        kernel = WarmKernel(kernel_name)
        _KERNELS[key] = kernel
        with contextlib.suppress(Exception):  # also when a pool worker exits
            import multiprocessing.util as mpu

            mpu.Finalize(kernel, kernel.shutdown, exitpriority=10)
    return kernel


def shutdown_kernels() -> None:
    """Stop this process's warm kernels."""
    while _KERNELS:
        _, kernel = _KERNELS.popitem()
        kernel.shutdown()


def _criteria(figures: dict) -> list[dict]:
    out = []
    for item in figures.get("criteria") or []:
        if isinstance(item, dict):
            out.append({"id": str(item.get("id", "")), "title": str(item.get("title", "")),
                        "status": str(item.get("status", ""))})
    return out


def _dashboard(figures: dict) -> dict:
    """The part of a report's figures the batch dashboard needs (small: no series)."""
    plan = figures.get("plan") or {}
    period = figures.get("period") or {}
    rows = [{k: r.get(k) for k in ("area", "kind", "id", "title", "year", "status")}
            for r in period.get("rows") or [] if isinstance(r, dict)]
    return {"municipality": plan.get("municipality") or "", "focus_areas": list(plan.get("focus_areas") or []),
            "mode": period.get("mode") or plan.get("mode") or "", "years": list(period.get("years") or []),
            "rows": rows}


def _remove_published(job: ReportJob) -> None:
    for path in job.paths().values():
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _json_text(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def render_report(job: ReportJob) -> ReportResult:
    """Render one plan's report (see the module docstring). Never raises for a failing
    notebook: the failure is in the result."""
    import nbformat

    from .export import clean_notebook, notebook_to_html
    from .figures import extract_figures
    from .provenance import provenance, run_key
    from .runner import NotebookFailed, load_notebook, run_notebook

    started = time.perf_counter()
    paths = job.paths()
    result = ReportResult(job.plan_id, job.year, "failed", plan_name=job.plan_name)
    try:
        record = provenance(job.params, plan_path=job.plan_path, notebook=job.notebook,
                            inputs=job.inputs)
        key = run_key(record)
        existing = read_report_json(paths["json"])
        wanted = ["html", "ipynb", "json", "xlsx", "docx"] + (["pdf"] if job.pdf else [])
        if (not job.force and existing is not None and existing.get("run_key") == key
                and all(paths[k].is_file() for k in wanted)):
            result.status = "skipped"
            result.criteria = _criteria(existing.get("figures", {}))
            result.dashboard = _dashboard(existing.get("figures", {}))
            result.files = {k: paths[k].name for k in wanted}
            return result

        nb = load_notebook(job.notebook)
        from .params import check_parameters_cell

        check_parameters_cell(nb, job.notebook)
        kernel = get_kernel(job.kernel_name) if job.warm else None
        root = str(Path(job.params["project_root"]).resolve())
        try:
            executed = run_notebook(nb, job.params, kernel=kernel, kernel_name=job.kernel_name,
                                    timeout=job.timeout)
        except NotebookFailed as err:
            _remove_published(job)
            if err.nb is not None:
                clean_notebook(err.nb, roots=(root,))
                write_text(Path(job.out_dir) / FAILED_DIR / f"{job.plan_id}.ipynb", nbformat.writes(err.nb))
            result.error = str(err.error)
            result.cell = err.error.cell
            return result

        clean_notebook(executed, roots=(root,))
        figures = extract_figures(executed)
        kind = {"midtvejs": "midtvejsevaluering", "slut": "slutevaluering"}.get(
            (figures.get("plan") or {}).get("mode"), "årsrapport")
        title = f"{job.plan_name or job.plan_id} – {kind} {job.year}"
        html = notebook_to_html(executed, title=title, clean=False)
        write_text(paths["ipynb"], nbformat.writes(executed) + "\n")
        write_text(paths["html"], html)
        files = {"html": paths["html"].name, "ipynb": paths["ipynb"].name}
        from .office import report_exports
        from .publish import publish_bytes

        for kind, data in report_exports(html, title).items():
            publish_bytes(paths[kind], data)
            files[kind] = paths[kind].name
        if job.pdf:
            from .pdf import html_to_pdf

            try:
                html_to_pdf(paths["html"], paths["pdf"])
                files["pdf"] = paths["pdf"].name
            except ReportError as err:
                with contextlib.suppress(FileNotFoundError):
                    paths["pdf"].unlink()
                result.warnings.append(str(err))
        elif paths["pdf"].exists():
            paths["pdf"].unlink()  # a PDF of an older run would not match the new HTML
        files["json"] = paths["json"].name
        doc = {"plan_id": job.plan_id, "plan_name": job.plan_name, "year": job.year,
               "files": files, "figures": figures, "provenance": record,
               "run_key": key if "pdf" in files or not job.pdf else None}
        write_text(paths["json"], _json_text(doc))  # last: it commits the report
        with contextlib.suppress(FileNotFoundError):
            (Path(job.out_dir) / FAILED_DIR / f"{job.plan_id}.ipynb").unlink()
        result.status = "ok"
        result.files = files
        result.criteria = _criteria(figures)
        result.dashboard = _dashboard(figures)
        return result
    except EvalueringError as err:
        _remove_published(job)
        result.error = str(err)
        return result
    except Exception as err:  # an internal error must not stop the other plans
        _remove_published(job)
        result.error = f"intern fejl ({type(err).__name__})"
        return result
    finally:
        result.seconds = round(time.perf_counter() - started, 3)
