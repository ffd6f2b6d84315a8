"""Every plan's yearly report in one unattended, fault-tolerant batch.

:func:`run_batch` turns each plan file in ``data/raw/plans/`` (or ``plans_dir``) into a
:class:`~evaluering.reporting.render.ReportJob` and runs them

- in this process (``workers=1``), or
- in a pool of ``workers`` processes, or
- on a Dask cluster (``scheduler="tcp://host:8786"``, or ``"local"`` for a local cluster
  of ``workers`` processes),

each worker keeping one warm kernel. A plan that fails never stops the others and is never
published; a plan whose inputs, parameters, notebook and library are unchanged is skipped
(``force=True`` re-renders). Then ``index.html`` and ``summary.csv`` are written.

>>> batch = run_batch(2020, plans_dir="data/raw/plans", out="reports")   # doctest: +SKIP
>>> batch.exit_code                                                       # doctest: +SKIP
0
"""

from __future__ import annotations

import sys
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..errors import EvalueringError, ReportError
from .render import ReportJob, ReportResult, render_report, shutdown_kernels

__all__ = ["BatchResult", "plan_jobs", "run_batch", "run_jobs", "default_notebook",
           "clean_stale_temporaries"]


@dataclass
class BatchResult:
    """The outcome of a batch: one :class:`ReportResult` per plan, and the index files."""

    year: int
    out_dir: Path
    results: list[ReportResult] = field(default_factory=list)
    index: dict[str, Path] = field(default_factory=dict)

    @property
    def failed(self) -> list[ReportResult]:
        return [r for r in self.results if not r.ok]

    @property
    def exit_code(self) -> int:
        """0 when every plan has its report, 1 when at least one failed."""
        return 1 if self.failed else 0

    def counts(self) -> dict[str, int]:
        out = {"ok": 0, "skipped": 0, "failed": 0}
        for r in self.results:
            out[r.status] = out.get(r.status, 0) + 1
        return out

    def _repr_html_(self) -> str:  # pragma: no cover - display only
        from .index import index_html

        return index_html(self.results, self.year)


def default_notebook(project_root: str | Path | None = None) -> Path:
    """``notebooks/yearly_report.ipynb`` of the project."""
    from ..plan import project_root as _root

    return Path(project_root or _root()) / "notebooks" / "yearly_report.ipynb"


def plan_jobs(year: int, *, plans_dir: str | Path | None = None, out: str | Path | None = None,
              notebook: str | Path | None = None, pdf: bool = False, force: bool = False,
              warm: bool = True, kernel_name: str | None = None, project_root: str | Path | None = None,
              cells_path: str | Path | None = None, published_dir: str | Path | None = None,
              show_run_date: bool = False, disclosure_threshold: int = 3,
              timeout: float | None = 1800, only: Iterable[str] | None = None, mode: str | None = None,
              ) -> tuple[list[ReportJob], list[ReportResult]]:
    """The jobs of a batch, and a failure result for each plan file that cannot be read."""
    from ..plan import list_plans, load_plan
    from ..plan import project_root as _root
    from .params import build_parameters
    from .provenance import plan_input_files

    root = Path(project_root or _root()).resolve()
    plans_dir = Path(plans_dir) if plans_dir is not None else root / "data" / "raw" / "plans"
    if not plans_dir.is_dir():
        raise ReportError(f"{plans_dir}: plans folder not found")
    out_dir = (Path(out) if out is not None else root / "reports") / str(int(year))
    notebook = Path(notebook) if notebook is not None else default_notebook(root)
    if not notebook.is_file():
        raise ReportError(f"{notebook}: notebook not found")
    files = list_plans(plans_dir)
    if not files:
        raise ReportError(f"{plans_dir}: no plan files (*.yaml) found")
    wanted = set(only) if only is not None else None
    jobs: list[ReportJob] = []
    failures: list[ReportResult] = []
    seen: dict[str, Path] = {}
    for f in files:
        try:
            plan = load_plan(f)
        except EvalueringError as err:
            failures.append(ReportResult(f.stem, int(year), "failed", error=str(err)))
            continue
        if wanted is not None and plan.id not in wanted and f.stem not in wanted:
            continue
        if plan.id in seen:
            failures.append(ReportResult(plan.id, int(year), "failed", plan_name=plan.name,
                                         error=f"{f}: plan id '{plan.id}' is also used by {seen[plan.id].name}"))
            continue
        seen[plan.id] = f
        params = build_parameters(plan.id, year, plans_dir=plans_dir, project_root=root,
                                  cells_path=cells_path or plan.data.get("cells") or "data/processed/cells.parquet",
                                  published_dir=published_dir or plan.data.get("published") or "data/raw/published",
                                  show_run_date=show_run_date, disclosure_threshold=disclosure_threshold,
                                  mode=mode)
        jobs.append(ReportJob(plan_path=str(f.resolve()), plan_id=plan.id, year=int(year),
                              out_dir=str(out_dir.resolve()), notebook=str(notebook.resolve()),
                              params=params, pdf=pdf, force=force, warm=warm, kernel_name=kernel_name,
                              timeout=timeout, plan_name=plan.name,
                              inputs=tuple(str(p) for p in plan_input_files(params, plan=plan))))
    return jobs, failures


def clean_stale_temporaries(out_dir: str | Path, plan_ids: Iterable[str]) -> int:
    """Remove temporary files a killed run left beside the reports; returns how many."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return 0
    removed = 0
    from .render import REPORT_FILES

    names = [f"{p}.{ext}" for p in plan_ids for ext in REPORT_FILES]
    names += ["index.html", "summary.csv"]
    for folder in (out_dir, out_dir / "_fejlede"):
        for name in names:
            for tmp in folder.glob(f".{name}.*"):
                if tmp.is_file():
                    tmp.unlink(missing_ok=True)
                    removed += 1
    return removed


def _run_serial(jobs, done, keep_kernels=False):
    try:
        for job in jobs:
            done(render_report(job))
    finally:
        if not keep_kernels:
            shutdown_kernels()


def _run_pool(jobs, workers, done):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = {pool.submit(render_report, job): job for job in jobs}
        for fut in as_completed(futures):
            job = futures[fut]
            try:
                done(fut.result())
            except Exception as err:  # a worker died
                done(ReportResult(job.plan_id, job.year, "failed", plan_name=job.plan_name,
                                  error=f"worker failed: {type(err).__name__}"))


def _run_dask(jobs, scheduler, workers, done):
    try:
        from distributed import Client, LocalCluster, as_completed as dask_completed
    except ImportError:  # pragma: no cover - a declared dependency
        raise ReportError("--scheduler needs dask[distributed]") from None
    cluster = None
    try:
        if scheduler == "local":
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=40)
            client = Client(cluster)
        else:
            try:
                client = Client(scheduler, timeout="15s")
            except OSError:
                raise ReportError(f"no Dask scheduler answers at {scheduler}") from None
        with client:
            futures = client.map(render_report, jobs, pure=False)
            by_key = {f.key: job for f, job in zip(futures, jobs)}
            for fut in dask_completed(futures):
                job = by_key[fut.key]
                try:
                    done(fut.result())
                except Exception as err:
                    done(ReportResult(job.plan_id, job.year, "failed", plan_name=job.plan_name,
                                      error=f"worker failed: {type(err).__name__}"))
    finally:
        if cluster is not None:
            cluster.close()


def run_jobs(jobs: list[ReportJob], *, workers: int = 1, scheduler: str | None = None,
             progress: bool | None = None, on_result: Callable[[ReportResult], None] | None = None,
             keep_kernels: bool = False) -> list[ReportResult]:
    """Run report jobs (see the module docstring); results in completion order.

    ``keep_kernels`` keeps this process's warm kernel running after a serial run, for the
    next batch in the same process (it stops at exit or with ``shutdown_kernels()``)."""
    from tqdm.auto import tqdm

    if progress is None:
        progress = sys.stderr.isatty()
    results: list[ReportResult] = []
    bar = tqdm(total=len(jobs), unit="plan", desc="Rapporter", disable=not progress, file=sys.stderr)

    def done(result: ReportResult) -> None:
        results.append(result)
        bar.set_postfix_str(f"{result.plan_id}: {result.status}", refresh=False)
        bar.update(1)
        if on_result is not None:
            on_result(result)

    try:
        if not jobs:
            pass
        elif scheduler:
            _run_dask(jobs, scheduler, max(1, workers), done)
        elif workers <= 1 or len(jobs) == 1:
            _run_serial(jobs, done, keep_kernels)
        else:
            _run_pool(jobs, min(workers, len(jobs)), done)
    finally:
        bar.close()
    return results


def release_batch(jobs: list[ReportJob], year: int, *, plans_dir=None, root=None, threshold: int = 3,
                  progress: bool | None = None, workers: int = 1) -> list[ReportJob]:
    """The disclosure release of the whole batch, before any report runs: one decision over
    every plan of the folder (:func:`evaluering.disclosure.release.release_for_plans`), kept in
    ``data/processed/released/`` where every report of the batch reads it. The record becomes
    an input of every job, so a report is rendered again when the release changes."""
    import dataclasses

    if not jobs or not threshold or threshold <= 1:
        return jobs
    from ..disclosure.ledger import default_release_dir
    from ..disclosure.release import release_for_plans

    folder = Path(plans_dir) if plans_dir is not None else Path(jobs[0].plan_path).parent
    release_for_plans(folder, int(year), threshold=int(threshold), root=root, progress=progress,
                      workers=workers)
    ledger = default_release_dir(root, folder) / "ledger.csv"
    from .provenance import plan_input_files

    return [dataclasses.replace(j, inputs=tuple(j.inputs if j.inputs is not None else
                                                map(str, plan_input_files(j.params, plan_path=j.plan_path)))
                                + (str(ledger),)) for j in jobs]


def run_batch(year: int, *, plans_dir: str | Path | None = None, out: str | Path | None = None,
              notebook: str | Path | None = None, workers: int = 1, scheduler: str | None = None,
              pdf: bool | None = None, force: bool = False, progress: bool | None = None,
              warm: bool = True, keep_kernels: bool = False, **job_options) -> BatchResult:
    """Render every plan's report for ``year`` and write ``index.html`` and ``summary.csv``.

    ``pdf=None`` makes PDFs when Chromium is installed; ``pdf=True`` requires it.
    """
    from .index import write_index
    from .pdf import ChromiumMissing, find_chromium

    if pdf is None:
        pdf = find_chromium() is not None
    elif pdf and find_chromium() is None:
        raise ChromiumMissing()
    from ..plan import project_root

    jobs, failures = plan_jobs(year, plans_dir=plans_dir, out=out, notebook=notebook, pdf=pdf,
                               force=force, warm=warm, **job_options)
    root = Path(job_options.get("project_root") or project_root()).resolve()
    out_dir = ((Path(out) if out is not None else root / "reports") / str(int(year))).resolve()
    jobs = release_batch(jobs, year, plans_dir=plans_dir, root=root,
                         threshold=job_options.get("disclosure_threshold", 3), progress=progress,
                         workers=workers if scheduler is None else 1)
    clean_stale_temporaries(out_dir, [j.plan_id for j in jobs])
    results = run_jobs(jobs, workers=workers, scheduler=scheduler, progress=progress,
                       keep_kernels=keep_kernels)
    batch = BatchResult(int(year), out_dir, sorted(results + failures, key=lambda r: r.plan_id))
    batch.index = write_index(batch.results, out_dir, int(year))
    return batch
