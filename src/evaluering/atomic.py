"""Atomic file output: a reader sees the old file or the new one, never half of one.

Write to a temporary file in the destination folder, flush and fsync it, then
``os.replace`` it over the destination (atomic on POSIX within one file system).
A full disk, a read-only folder or a missing permission becomes an
:class:`~evaluering.errors.OutputError` naming the destination and the cause.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> write_text(d / "a.txt", "hej")
>>> (d / "a.txt").read_text()
'hej'
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

__all__ = ["atomic_path", "atomic_open", "write_text", "write_bytes", "atomic_dir", "output_error"]

_ALWAYS_OUTPUT = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}


def output_error(dest: Path, err: BaseException):
    """An :class:`~evaluering.errors.OutputError` for ``err`` when it is a write failure at
    ``dest`` (disk full, read-only, no permission in the destination folder), else None."""
    from .errors import OutputError

    if not isinstance(err, OSError) or not OutputError.is_write_error(err):
        return None
    if err.errno in _ALWAYS_OUTPUT:
        return OutputError.from_os(dest, err)
    name = err.filename
    if name is None or Path(name).parent in (dest.parent, dest) or Path(name) == dest.parent:
        return OutputError.from_os(dest, err)
    return None


def _mkdir(folder: Path, dest: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        out = output_error(dest, err)
        if out is None:
            raise
        raise out from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(dest: str | Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; on success move it over ``dest``.

    Use it for writers that want a path (``DataFrame.to_parquet``, DuckDB ``COPY``).
    On an exception the temporary file is removed and ``dest`` is untouched.
    """
    dest = Path(dest)
    _mkdir(dest.parent, dest)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=suffix or ".tmp", dir=dest.parent)
    except OSError as err:
        out = output_error(dest, err)
        if out is None:
            raise
        raise out from None
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_umask())   # mkstemp makes 0600; outputs get the usual mode
    try:
        yield tmp_path
        if tmp_path.is_file():
            with open(tmp_path, "rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp_path, dest)
    except BaseException as err:
        with contextlib.suppress(OSError):
            if tmp_path.is_dir():
                shutil.rmtree(tmp_path)
            else:
                tmp_path.unlink()
        out = output_error(dest, err)
        if out is not None:
            raise out from None
        raise


@contextlib.contextmanager
def atomic_open(dest: str | Path, mode: str = "w", encoding: str | None = "utf-8", newline: str | None = None):
    """Open a temporary file for writing; it replaces ``dest`` when the block ends cleanly."""
    if "b" in mode:
        encoding = None
    with atomic_path(dest) as tmp:
        with open(tmp, mode, encoding=encoding, newline=newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())


def write_text(dest: str | Path, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``dest`` atomically."""
    with atomic_open(dest, "w", encoding=encoding, newline="") as fh:
        fh.write(text)


def write_bytes(dest: str | Path, data: bytes) -> None:
    """Write ``data`` to ``dest`` atomically."""
    with atomic_open(dest, "wb") as fh:
        fh.write(data)


@contextlib.contextmanager
def atomic_dir(dest: str | Path) -> Iterator[Path]:
    """Yield a temporary directory beside ``dest``; on success it replaces ``dest``.

    An existing ``dest`` is moved aside and removed only after the new one is in place.
    """
    dest = Path(dest)
    _mkdir(dest.parent, dest)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    except OSError as err:
        out = output_error(dest, err)
        if out is None:
            raise
        raise out from None
    try:
        yield tmp
        old = None
        if dest.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old.", dir=dest.parent))
            os.replace(dest, old / dest.name)
        os.replace(tmp, dest)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException as err:
        shutil.rmtree(tmp, ignore_errors=True)
        out = output_error(dest, err)
        if out is not None:
            raise out from None
        raise
