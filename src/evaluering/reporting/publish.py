"""Atomic writes of published files, readable by everyone (``0644``).

:mod:`evaluering.atomic` writes through ``tempfile.mkstemp``, whose files are private
(``0600``); a published report must be readable by the web server and colleagues, so these
helpers set the mode on the temporary file before it replaces the destination.

>>> import tempfile, pathlib, stat
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> publish_text(d / "a.html", "<p>hej</p>")
>>> oct(stat.S_IMODE((d / "a.html").stat().st_mode))
'0o644'
"""

from __future__ import annotations

import os
from pathlib import Path

from ..atomic import atomic_path

__all__ = ["PUBLISHED_MODE", "publish_text", "publish_bytes"]

PUBLISHED_MODE = 0o644


def publish_bytes(dest: str | Path, data: bytes) -> None:
    """Write ``data`` to ``dest`` atomically with mode ``0644``."""
    with atomic_path(dest) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, PUBLISHED_MODE)


def publish_text(dest: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8, newlines as given) to ``dest`` atomically with mode ``0644``."""
    publish_bytes(dest, text.encode("utf-8"))
