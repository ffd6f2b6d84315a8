"""The report's figures payload: data the notebook hands to the runner, not to the reader.

The notebook calls :func:`record_figures` with a JSON-able mapping (the data behind each
figure and table, and the key ``"criteria"``: a list of ``{"id", "title", "status"}``).
It is displayed with the MIME type :data:`FIGURES_MIME`, which the runner extracts into
``reports/<year>/<plan>.json`` (:func:`extract_figures`) and the HTML export drops.

Several calls are merged in order: a key seen again replaces the earlier value, except
that two lists are concatenated (so ``criteria`` may be recorded section by section).

>>> to_jsonable({"x": float("nan"), "n": 3})
{'x': None, 'n': 3}
>>> merge_payloads([{"criteria": [{"id": "K1"}]}, {"criteria": [{"id": "K2"}], "a": 1}])
{'criteria': [{'id': 'K1'}, {'id': 'K2'}], 'a': 1}
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any, Iterable

__all__ = ["FIGURES_MIME", "record_figures", "to_jsonable", "merge_payloads", "extract_figures",
           "strip_figures"]

#: the MIME type of the figures payload in notebook outputs
FIGURES_MIME = "application/vnd.evaluering.figures+json"


def to_jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: NaN/inf become ``None``, numpy and pandas objects
    become Python numbers, lists and records, dates ISO strings.

    >>> import numpy as np
    >>> to_jsonable({"a": np.int64(2), "b": np.array([1.5, np.nan])})
    {'a': 2, 'b': [1.5, None]}
    """
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [to_jsonable(v) for v in items]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    module = type(value).__module__
    if module.startswith("numpy"):
        import numpy as np

        if isinstance(value, np.ndarray):
            return [to_jsonable(v) for v in value.tolist()]
        if isinstance(value, np.bool_):
            return bool(value)
        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.floating):
            return to_jsonable(float(value))
    if module.startswith("pandas"):
        import pandas as pd

        if isinstance(value, pd.DataFrame):
            return [to_jsonable(r) for r in value.to_dict(orient="records")]
        if isinstance(value, pd.Series):
            return to_jsonable(value.to_dict())
        if value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, pd.Timestamp):
            return value.isoformat()
    if hasattr(value, "to_dict"):
        return to_jsonable(value.to_dict())
    raise TypeError(f"cannot store a {type(value).__name__} in the figures payload")


def record_figures(data: dict) -> None:
    """Hand ``data`` (a mapping) to the report runner as the figures payload.

    Call it from the report notebook, once or once per section; the HTML report does not
    show it. Values must be JSON-able after :func:`to_jsonable` and must be aggregates
    (never person-level rows).
    """
    if not isinstance(data, dict):
        raise TypeError("record_figures takes a dict")
    from IPython.display import display

    payload = to_jsonable(data)
    json.dumps(payload)  # fail here, in the notebook cell, if it cannot be stored
    display({FIGURES_MIME: payload, "text/plain": f"<figurdata: {', '.join(sorted(payload))}>"},
            raw=True)


def merge_payloads(payloads: Iterable[dict]) -> dict:
    """Merge figure payloads in order (see the module docstring)."""
    out: dict = {}
    for payload in payloads:
        for key, value in payload.items():
            if isinstance(out.get(key), list) and isinstance(value, list):
                out[key] = [*out[key], *value]
            else:
                out[key] = value
    return out


def _payload_outputs(nb):
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") in ("display_data", "execute_result") \
                    and FIGURES_MIME in output.get("data", {}):
                yield output


def extract_figures(nb) -> dict:
    """The merged figures payload of an executed notebook (``{}`` when there is none)."""
    payloads = []
    for output in _payload_outputs(nb):
        data = output["data"][FIGURES_MIME]
        payloads.append(json.loads(data) if isinstance(data, str) else data)
    return merge_payloads(payloads)


def strip_figures(nb):
    """Remove the figures payload outputs from ``nb`` in place (for the HTML export)."""
    for cell in nb.cells:
        if cell.get("cell_type") == "code" and cell.get("outputs"):
            cell.outputs = [o for o in cell.outputs
                            if not (o.get("output_type") in ("display_data", "execute_result")
                                    and FIGURES_MIME in o.get("data", {}))]
    return nb
