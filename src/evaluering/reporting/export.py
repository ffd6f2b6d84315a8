"""Executed notebook -> the HTML report: code hidden, offline, byte-for-byte reproducible.

:func:`clean_notebook` makes an executed notebook deterministic (timing metadata, random
cell ids, object addresses and absolute paths removed) and :func:`notebook_to_html`
renders it with JupyterLab's ``lab`` template minus everything that would load from a
CDN (``templates/evaluering_report.html.j2``), without code, prompts, stderr or the
figures payload. :func:`check_offline` refuses HTML that would fetch anything.

>>> html = notebook_to_html(_demo_notebook(), title="Demo")
>>> "<h1" in html and "print(" not in html and "https://cdn" not in html
True
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import ReportError
from .contents import add_contents
from .figures import FIGURES_MIME

__all__ = ["clean_notebook", "html_notebook", "notebook_to_html", "check_offline", "check_alt_text",
           "TEMPLATE_DIR", "TEMPLATE_FILE"]

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_FILE = "evaluering_report.html.j2"

#: cell tags honoured by the export
REMOVE_CELL_TAGS = ("remove-cell", "remove_cell")
REMOVE_OUTPUT_TAGS = ("remove-output", "remove_output")
REMOVE_INPUT_TAGS = ("remove-input", "hide-input")

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_DROP_MIME = ("application/javascript", "application/vnd.jupyter.widget-view+json",
              "application/vnd.jupyter.widget-state+json")
_TEXT_MIME = ("text/plain", "text/html", "text/markdown", "text/latex", "image/svg+xml")


def _scrub(text: str, roots: tuple[str, ...]) -> str:
    text = _ADDRESS.sub("", text)
    for root in roots:
        text = text.replace(root + "/", "").replace(root, ".")
    return text


def _scrub_value(value: Any, roots: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return _scrub(value, roots)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return _scrub("".join(value), roots)
    return value


def clean_notebook(nb, *, roots: tuple[str, ...] = (), keep_parameters: bool = True):
    """Make an executed notebook deterministic, in place, and return it.

    - cell ids become ``cell-<n>``; execution counts are renumbered 1, 2, ... in cell order;
    - papermill/nbclient timing and the environment are dropped from the metadata;
    - ``" at 0x..."`` object addresses and the absolute ``roots`` (default: the injected
      ``project_root`` parameter) are removed from outputs.
    """
    nb.metadata.pop("widgets", None)
    pm = nb.metadata.get("papermill")
    if not roots:
        root = ((pm or {}).get("parameters") or {}).get("project_root")
        roots = (str(root).rstrip("/"),) if root and str(root).startswith("/") and str(root) != "/" else ()
    if pm is not None:
        keep = {k: pm[k] for k in ("parameters", "exception") if k in pm} if keep_parameters else {}
        nb.metadata["papermill"] = keep
    count = 0
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
        md = cell.get("metadata", {})
        for key in ("execution", "papermill", "collapsed", "scrolled"):
            md.pop(key, None)
        if cell.get("cell_type") != "code":
            continue
        if cell.get("execution_count") is not None:
            count += 1
            cell["execution_count"] = count
        for output in cell.get("outputs", []):
            if output.get("output_type") == "execute_result":
                output["execution_count"] = cell.get("execution_count")
            if output.get("output_type") == "stream":
                output["text"] = _scrub_value(output.get("text", ""), roots)
            for mime in _TEXT_MIME:
                if mime in output.get("data", {}):
                    output["data"][mime] = _scrub_value(output["data"][mime], roots)
    return nb


def _html_output(output) -> dict | None:
    """The part of one output the HTML shows (a new dict; the data strings are shared),
    or None for stderr, the figures payload and outputs with nothing left to show."""
    if output.get("output_type") == "stream" and output.get("name") == "stderr":
        return None
    out = dict(output)
    data = output.get("data")
    if data is not None:
        if FIGURES_MIME in data:
            return None
        data = {k: v for k, v in data.items() if k not in _DROP_MIME}
        if not data:
            return None
        out["data"] = data
        out["metadata"] = dict(output.get("metadata", {}))
    return out


def html_notebook(nb, *, title: str | None = None):
    """A new notebook reduced to what the HTML shows: no parameters cells, no stderr, no
    figures payload, no scripts; cells tagged ``remove-cell`` dropped, outputs of cells
    tagged ``remove-output`` dropped. ``nb`` is not changed; output texts are shared with
    it, not copied (the figures payload, the bulk of an executed report, is never walked)."""
    import nbformat

    cells = []
    for cell in nb.cells:
        tags = list(cell.get("metadata", {}).get("tags", []))
        if any(t in tags for t in REMOVE_CELL_TAGS) or "injected-parameters" in tags \
                or "parameters" in tags:
            continue
        new = {k: v for k, v in cell.items() if k not in ("outputs", "metadata", "attachments")}
        new["metadata"] = {"tags": tags} if tags else {}
        if "attachments" in cell:
            new["attachments"] = copy.deepcopy(cell["attachments"])
        if cell.get("cell_type") == "code":
            outputs = [] if any(t in tags for t in REMOVE_OUTPUT_TAGS) else cell.get("outputs", [])
            new["outputs"] = [o for o in map(_html_output, outputs) if o is not None]
        cells.append(new)
    language = nb.metadata.get("language_info", {}).get("name", "python")
    metadata = {"language_info": {"name": language}}
    if title:
        metadata["title"] = title
    return nbformat.from_dict({"nbformat": nb.get("nbformat", 4), "nbformat_minor": nb.get("nbformat_minor", 5),
                               "metadata": metadata, "cells": cells})


def _report_exporter_class():
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportHTMLExporter(HTMLExporter):
        """nbconvert's HTML exporter without its final BeautifulSoup pass, which re-parses
        the whole page to add alt text to images without one and ``tabindex`` to input and
        output areas. Report images always carry alt text (:func:`check_alt_text` enforces
        it) and a report has no code inputs to focus; the pass costs as much as the rest
        of the export."""

        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return ReportHTMLExporter


@lru_cache(maxsize=4)
def _exporter(language_code: str):
    exporter = _report_exporter_class()(template_name="lab", extra_template_paths=[str(TEMPLATE_DIR)],
                                        language_code=language_code)
    exporter.template_file = TEMPLATE_FILE
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.exclude_anchor_links = True
    exporter.embed_images = True
    return exporter


_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ALT = re.compile(r"\salt\s*=", re.I)


def check_alt_text(html: str, what: str = "report") -> None:
    """Raise :class:`ReportError` when an image of ``html`` has no alt text.

    >>> check_alt_text('<img src="a.svg" alt="Linjediagram">')
    >>> check_alt_text('<p><img src="a.svg"></p>')
    Traceback (most recent call last):
    ...
    evaluering.errors.ReportError: report: an image of the report has no alt text
    """
    for tag in _IMG.findall(html):
        if not _ALT.search(tag):
            raise ReportError(f"an image of the {what} has no alt text")


_EXTERNAL = [
    (re.compile(r"<script\b[^>]*\bsrc\s*=", re.I), "a script file"),
    (re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//", re.I), "a stylesheet"),
    (re.compile(r"<(?:img|iframe|source|video|audio|embed)\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//", re.I),
     "an embedded resource"),
    (re.compile(r"@import\s+(?:url\()?\s*[\"']?(?:https?:)?//", re.I), "a CSS import"),
    (re.compile(r"url\(\s*[\"']?(?:https?:)?//", re.I), "a CSS url()"),
    (re.compile(r"import\(\s*[\"'](?:https?:)?//", re.I), "a JavaScript module"),
]


def check_offline(html: str, what: str = "report") -> None:
    """Raise :class:`ReportError` when ``html`` would load anything from the network.

    >>> check_offline('<p><a href="https://dst.dk">DST</a></p>')   # a link is fine
    >>> check_offline('<script src="https://cdn.example/x.js"></script>')
    Traceback (most recent call last):
    ...
    evaluering.errors.ReportError: report: the report's HTML would load a script file from the network
    """
    for pattern, kind in _EXTERNAL:
        if pattern.search(html):
            raise ReportError(f"the {what}'s HTML would load {kind} from the network")


def notebook_to_html(nb, *, title: str | None = None, language_code: str = "da",
                     clean: bool = True) -> str:
    """Render an executed notebook as the offline HTML report (code hidden).

    ``clean`` runs :func:`clean_notebook` on a copy first. The result has no timestamps,
    random ids or absolute paths, so equal notebooks give equal bytes.
    """
    if clean:
        nb = clean_notebook(copy.deepcopy(nb))
    nb = html_notebook(nb, title=title)
    body, _ = _exporter(language_code).from_notebook_node(
        nb, resources={"metadata": {"name": title or "Rapport"}})
    body = body.replace("\r\n", "\n")
    body = add_contents(body)
    if not body.endswith("\n"):
        body += "\n"
    check_offline(body)
    check_alt_text(body)
    return body


def _demo_notebook():
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# Overskrift"))
    cell = nbformat.v4.new_code_cell("print('hej')")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hej\n")]
    nb.cells.append(cell)
    return nb
