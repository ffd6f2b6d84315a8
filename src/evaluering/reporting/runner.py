"""Run the report notebook with papermill, in a fresh kernel or in a warm one.

A plain papermill run spends most of its time starting a kernel and importing pandas,
matplotlib and seaborn. :class:`WarmKernel` keeps one kernel alive across runs: it is
started once, pre-imports the modules the notebook imports, and before every run the
papermill engine ``evaluering-warm`` (:class:`WarmKernelEngine`) resets it:

- the user namespace and the execution counter (``InteractiveShell.reset``),
- matplotlib (figures closed, ``rcParams`` restored to the fresh-kernel state),
- IPython display formatters, pandas options, numpy print/error options, warning
  filters, ``sys.path``, ``os.environ``, the working directory and the library's caches.

So a warm run gives the same notebook as a fresh one (the benchmark checks that the
HTML is byte-identical). Both kernels get ``PYTHONHASHSEED=0`` and an in-memory history.

>>> params = {"plan_id": "x", "year": 2020}
>>> sorted(kernel_env({"PATH": "/bin"}))
['MPLBACKEND', 'PATH', 'PYTHONHASHSEED']
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ReportError

__all__ = ["CellError", "NotebookFailed", "WarmKernel", "WarmKernelEngine", "run_notebook",
           "notebook_imports", "cell_error", "kernel_env", "load_notebook", "DEFAULT_KERNEL"]

#: the kernelspec registered by ``make setup``; ``python3`` is used when it is missing
DEFAULT_KERNEL = "evaluering"
#: modules every warm kernel imports up front (the report stack), besides the notebook's own
PRELOAD = ("numpy", "pandas", "matplotlib", "matplotlib.pyplot", "seaborn")
ENGINE_NAME = "evaluering-warm"


def kernel_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a report kernel: ``base`` (default ``os.environ``) plus a fixed
    hash seed and the inline matplotlib backend."""
    env = dict(os.environ if base is None else base)
    env["PYTHONHASHSEED"] = "0"
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    return env


def resolve_kernel_name(name: str | None = None) -> str:
    """``name``, else the ``evaluering`` kernelspec when installed, else ``python3``."""
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    if name:
        if name not in specs:
            raise ReportError(f"no Jupyter kernel named '{name}' (installed: {', '.join(sorted(specs))})")
        return name
    return DEFAULT_KERNEL if DEFAULT_KERNEL in specs else "python3"


def load_notebook(path: str | Path):
    """Read a notebook (nbformat 4) or raise :class:`ReportError` naming the file."""
    import nbformat

    path = Path(path)
    if not path.is_file():
        raise ReportError(f"{path}: notebook not found")
    try:
        return nbformat.read(path, as_version=4)
    except Exception as err:  # nbformat raises several types for a broken file
        raise ReportError(f"{path}: not a readable notebook ({type(err).__name__})") from None


# --- failures -------------------------------------------------------------------------

@dataclass(frozen=True)
class CellError:
    """Where and how a notebook failed: the cell's number in the source notebook
    (1-based, the injected parameters cell not counted), and the exception."""

    cell: int
    ename: str
    evalue: str

    def __str__(self) -> str:
        return f"celle {self.cell}: {self.ename}: {self.evalue}"


class NotebookFailed(ReportError):
    """A report notebook raised in a cell; ``nb`` is the executed notebook up to there."""

    def __init__(self, error: CellError, nb=None, plan: str | None = None):
        self.error = error
        self.nb = nb
        super().__init__(str(error), plan=plan)


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def cell_error(nb) -> CellError | None:
    """The first error output of an executed notebook, located in the source notebook.

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> c = nbformat.v4.new_code_cell("1/0")
    >>> c.outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])]
    >>> nb.cells = [nbformat.v4.new_markdown_cell("x"), c]
    >>> str(cell_error(nb))
    'celle 2: ZeroDivisionError: division by zero'
    """
    number = 0
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags or "papermill-error-cell-tag" in tags:
            continue
        number += 1
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return CellError(number, output.get("ename", "Error"), _one_line(output.get("evalue", "")))
    return None


# --- warm kernels ---------------------------------------------------------------------

def notebook_imports(nb) -> list[str]:
    """Top-level modules imported by the notebook's code cells (to pre-import them).

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_code_cell("import pandas as pd\\nfrom matplotlib import pyplot\\n%matplotlib inline")]
    >>> notebook_imports(nb)
    ['matplotlib', 'matplotlib.pyplot', 'pandas']
    """
    found: set[str] = set()
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        source = "\n".join(line for line in cell.source.splitlines()
                           if not line.lstrip().startswith(("%", "!")))
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                for alias in node.names:  # "from matplotlib import pyplot" imports a module
                    if alias.name != "*":
                        found.add(f"{node.module}.{alias.name}")
    return sorted(found)


_SETUP = textwrap.dedent('''
    def _evaluering_warm_setup(modules):
        import importlib, os, sys, types, warnings, locale
        previous = sys.modules.get("_evaluering_warm")
        if previous is not None:  # more modules to pre-import: back to the clean state first
            previous.reset(os.getcwd())
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:
                pass
        state = types.ModuleType("_evaluering_warm")
        state.environ = dict(os.environ)
        state.path = list(sys.path)
        state.filters = list(warnings.filters)
        state.locale = locale.setlocale(locale.LC_ALL)
        ip = get_ipython()
        mpl = sys.modules.get("matplotlib")
        state.rc = state.backend = None
        if mpl is not None and "matplotlib.pyplot" in sys.modules:
            plt = sys.modules["matplotlib.pyplot"]
            plt.close(plt.figure())  # activate the inline backend as a first figure would
            state.backend = mpl.get_backend()
            state.rc = dict(mpl.rcParams)
        state.formatters = {k: (f.enabled, dict(f.type_printers), dict(f.deferred_printers))
                            for k, f in ip.display_formatter.formatters.items()}
        np = sys.modules.get("numpy")
        state.np = (np.get_printoptions(), np.geterr()) if np is not None else None
        state.pd_config = None
        pd = sys.modules.get("pandas")
        if pd is not None:
            try:  # a snapshot of pandas' options, to reset them only when a run changed one
                import copy
                from pandas._config import config as pd_config
                state.pd_config = (pd_config, copy.deepcopy(pd_config._global_config))
            except Exception:
                state.pd_config = None

        def reset(cwd):
            ip = get_ipython()
            ip.reset(new_session=True)
            plt = sys.modules.get("matplotlib.pyplot")
            if plt is not None:
                plt.close("all")
                if state.backend is not None and sys.modules["matplotlib"].get_backend() != state.backend:
                    plt.switch_backend(state.backend)
                if state.rc is not None:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        sys.modules["matplotlib"].rcParams.update(state.rc)
            for k, (enabled, tp, dp) in state.formatters.items():
                f = ip.display_formatter.formatters[k]
                f.enabled = enabled
                f.type_printers.clear(); f.type_printers.update(tp)
                f.deferred_printers.clear(); f.deferred_printers.update(dp)
            pd = sys.modules.get("pandas")
            if pd is not None and (state.pd_config is None
                                   or state.pd_config[0]._global_config != state.pd_config[1]):
                with warnings.catch_warnings():  # resetting every option costs ~12 ms
                    warnings.simplefilter("ignore")
                    pd.reset_option("all")
            if state.np is not None:
                np.set_printoptions(**state.np[0])
                np.seterr(**state.np[1])
            warnings.filters[:] = state.filters
            warnings._filters_mutated()
            sys.path[:] = state.path
            os.environ.clear(); os.environ.update(state.environ)
            locale.setlocale(locale.LC_ALL, state.locale)
            for name, mod in list(sys.modules.items()):
                if name == "evaluering" or name.startswith("evaluering."):
                    for value in list(vars(mod).values()):
                        if callable(getattr(value, "cache_clear", None)) and \\
                                getattr(value, "__module__", None) == name:
                            value.cache_clear()
            os.chdir(cwd)

        state.reset = reset
        sys.modules["_evaluering_warm"] = state
        # what the imports created lives as long as the kernel: keep it out of every later
        # collection, so the collections of each reset are quick
        import gc
        gc.collect()
        gc.freeze()

    _evaluering_warm_setup(MODULES)
    globals().pop("_evaluering_warm_setup", None)
''')


class WarmKernel:
    """One Jupyter kernel kept alive for many report runs (see the module docstring).

    >>> with WarmKernel(modules=["json"]) as kernel:            # doctest: +SKIP
    ...     nb = run_notebook("nb.ipynb", params, kernel=kernel)
    """

    def __init__(self, kernel_name: str | None = None, modules: list[str] | None = None,
                 startup_timeout: float = 60):
        self.kernel_name = resolve_kernel_name(kernel_name)
        self.modules = sorted(set(PRELOAD) | set(modules or []))
        self.startup_timeout = startup_timeout
        self.km = None
        self.kc = None
        self.runs = 0
        self.fresh = False  # True: no pre-imports and no reset (a one-off kernel)
        self._prepared = False
        self._tmp = None

    def start(self, cwd: str | Path | None = None) -> "WarmKernel":
        """Start the kernel (if not running). It talks over IPC sockets in a private
        temporary folder (no TCP ports, no files in the project)."""
        import tempfile

        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        if self.km is not None and run_sync(self.km.is_alive)():
            return self
        self.kc = None
        self._tmp = tempfile.mkdtemp(prefix="evaluering-kernel-")
        self.km = AsyncKernelManager(kernel_name=self.kernel_name, transport="ipc",
                                     ip=os.path.join(self._tmp, "k"),
                                     connection_file=os.path.join(self._tmp, "kernel.json"))
        run_sync(self.km.start_kernel)(cwd=str(cwd or os.getcwd()), env=kernel_env(),
                                       extra_arguments=["--HistoryManager.hist_file=:memory:"])
        self._prepared = False
        atexit.register(self.shutdown)
        return self

    def ensure_modules(self, modules: list[str]) -> None:
        """Pre-import more modules (the next reset re-snapshots the fresh state)."""
        new = sorted(set(modules) - set(self.modules))
        if new:
            self.modules = sorted(set(self.modules) | set(new))
            self._prepared = False

    def setup_code(self) -> str:
        return _SETUP.replace("MODULES", repr(self.modules))

    @staticmethod
    def reset_code(cwd: str | Path) -> str:
        return f"__import__('sys').modules['_evaluering_warm'].reset({str(cwd)!r})"

    def shutdown(self) -> None:
        """Stop the kernel (also at interpreter exit)."""
        import shutil

        from jupyter_core.utils import run_sync

        km, self.km = self.km, None
        kc, self.kc = self.kc, None
        if kc is not None:
            with contextlib.suppress(Exception):
                kc.stop_channels()
        if km is not None:
            with contextlib.suppress(Exception):
                run_sync(km.shutdown_kernel)(now=True)
            with contextlib.suppress(Exception):
                run_sync(km.cleanup_resources)()
        with contextlib.suppress(Exception):
            atexit.unregister(self.shutdown)
        tmp, self._tmp = getattr(self, "_tmp", None), None
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    def __enter__(self) -> "WarmKernel":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.shutdown()


def _make_engine():
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine
    from papermill.utils import merge_kwargs, remove_args

    class WarmNotebookClient(PapermillNotebookClient):
        """Papermill's client, first preparing (once) and resetting the warm kernel."""

        warm = None
        cwd = None

        def _run_silent(self, code: str, what: str) -> None:
            reply = self.wait_for_reply(self.kc.execute(code, silent=True, store_history=False))
            content = (reply or {}).get("content", {})
            if content.get("status") != "ok":
                raise ReportError(f"could not {what} the warm kernel: "
                                  f"{content.get('ename', '?')}: {_one_line(content.get('evalue', ''))}")

        def papermill_execute_cells(self):
            if not self.warm.fresh:
                if not self.warm._prepared:
                    self._run_silent(self.warm.setup_code(), "prepare")
                    self.warm._prepared = True
                self._run_silent(self.warm.reset_code(self.cwd), "reset")
            super().papermill_execute_cells()

    class ReportEngine(NBClientEngine):
        """Papermill engine of the report runner: runs the notebook in the started
        :class:`WarmKernel` of the engine kwarg ``warm_kernel`` (after resetting it unless
        it is a one-off ``fresh`` kernel) and leaves it running. The executed notebook is
        also put in the engine kwarg ``holder`` (a dict), so it is available when papermill
        raises for a cell error."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None,
                                     **kwargs):
            warm: WarmKernel = kwargs.pop("warm_kernel")
            cwd = kwargs.pop("warm_cwd", None)
            holder = kwargs.pop("holder", {})
            holder["nb"] = nb_man.nb
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(kwargs, timeout=execution_timeout, startup_timeout=start_timeout,
                                 kernel_name=warm.kernel_name,
                                 log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
            client = WarmNotebookClient(nb_man, km=warm.km, **final)
            client.warm, client.cwd = warm, cwd
            client.kc = warm.kc  # None on the first run: nbclient starts one, kept below
            try:
                return client.execute(cleanup_kc=False)
            finally:
                warm.kc = client.kc
                if warm.fresh and warm.kc is not None:
                    with contextlib.suppress(Exception):
                        warm.kc.stop_channels()
                    warm.kc = None
                warm.runs += 1

    return ReportEngine


_ENGINE = None


def _register_engine():
    global _ENGINE
    import papermill.execute as pm_execute
    from papermill.engines import papermill_engines

    if _ENGINE is None:
        _ENGINE = _make_engine()
        # papermill serialises the whole executed notebook at the end even when there is no
        # output path (the runner writes it itself, atomically): skip that work
        original = pm_execute.write_ipynb

        def write_ipynb(nb, path, *args, **kwargs):
            if path is None:
                return None
            return original(nb, path, *args, **kwargs)

        pm_execute.write_ipynb = write_ipynb
    if papermill_engines._engines.get(ENGINE_NAME) is not _ENGINE:
        papermill_engines.register(ENGINE_NAME, _ENGINE)
    return _ENGINE


def __getattr__(name: str):
    if name == "WarmKernelEngine":
        return _register_engine()
    raise AttributeError(name)


@contextlib.contextmanager
def _quiet_papermill():
    import logging

    names = ("papermill", "traitlets", "nbclient")
    saved = [(name, logging.getLogger(name).level) for name in names]
    for name, _ in saved:
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        yield
    finally:
        for name, level in saved:
            logging.getLogger(name).setLevel(level)


def run_notebook(notebook, params: dict[str, Any], *, kernel: WarmKernel | None = None,
                 kernel_name: str | None = None, timeout: float | None = 1800):
    """Execute ``notebook`` (path or NotebookNode) with papermill and return the executed
    notebook (nothing is written). The kernel's working directory is ``params['project_root']``.

    With ``kernel`` the run reuses that :class:`WarmKernel` (reset first); without it a
    fresh kernel is started for this run and stopped after it. A cell error raises
    :class:`NotebookFailed` carrying the failing cell and the executed notebook.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    nb = notebook if not isinstance(notebook, (str, Path)) else load_notebook(notebook)
    cwd = str(Path(params.get("project_root", ".")).resolve())
    holder: dict[str, Any] = {}
    _register_engine()
    common = dict(parameters=params, engine_name=ENGINE_NAME, progress_bar=False,
                  request_save_on_cell_execute=False, execution_timeout=timeout, holder=holder)
    fresh = kernel is None
    if fresh:
        kernel = WarmKernel(kernel_name)
        kernel.fresh = True
    try:
        with _quiet_papermill():
            if not fresh:
                kernel.ensure_modules(notebook_imports(nb))
            kernel.start(cwd)
            return pm.execute_notebook(nb, None, kernel_name=kernel.kernel_name,
                                       warm_kernel=kernel, warm_cwd=cwd, **common)
    except PapermillExecutionError as err:
        failed = holder.get("nb")
        error = cell_error(failed) if failed is not None else None
        if error is None:
            error = CellError(int(err.cell_index) + 1, err.ename, _one_line(err.evalue))
        raise NotebookFailed(error, nb=failed, plan=params.get("plan_id")) from None
    except ReportError:
        raise
    except Exception as err:  # the kernel died, a timeout, ...
        kernel.shutdown()  # the next run starts a new one
        raise NotebookFailed(CellError(0, type(err).__name__, _one_line(str(err))),
                             nb=holder.get("nb"), plan=params.get("plan_id")) from None
    finally:
        if fresh:
            kernel.shutdown()
