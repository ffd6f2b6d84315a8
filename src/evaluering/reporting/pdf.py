"""HTML report -> PDF through headless Chromium (Debian package ``chromium``).

``make chromium`` installs it where it is missing. :func:`find_chromium` looks for the
executable named by ``$EVALUERING_CHROMIUM``, then ``chromium``, ``chromium-browser``,
``google-chrome`` and ``google-chrome-stable`` on ``PATH``. When there is none,
:func:`html_to_pdf` raises one clear line (:class:`ChromiumMissing`).

>>> isinstance(chromium_command("/usr/bin/chromium", "/tmp/a.html", "/tmp/a.pdf", "/tmp/p"), list)
True
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..atomic import atomic_path
from ..errors import ReportError

__all__ = ["ChromiumMissing", "find_chromium", "chromium_command", "html_to_pdf", "outline_pages", "CHROMIUM_FLAGS"]

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

#: flags for a quiet, offline, sandbox-free headless run (containers, CI)
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-default-apps", "--disable-extensions", "--mute-audio",
                  "--no-pdf-header-footer", "--hide-scrollbars", "--generate-pdf-document-outline")


class ChromiumMissing(ReportError):
    """No Chromium executable was found."""

    def __init__(self):
        super().__init__("PDF needs headless Chromium, which was not found: install the Debian "
                         "package chromium ('make chromium') or set EVALUERING_CHROMIUM")

    def __str__(self) -> str:
        return self.message


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable, or ``None``."""
    env = os.environ.get("EVALUERING_CHROMIUM")
    if env:
        found = shutil.which(env)
        return found
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_command(executable: str, html: str | Path, pdf: str | Path, profile: str | Path) -> list[str]:
    """The command line that prints ``html`` to ``pdf`` with a throw-away profile."""
    return [str(executable), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf}", Path(html).resolve().as_uri()]


def _print(exe: str, html: Path, pdf: Path, timeout: float) -> None:
    """One Chromium print of ``html`` to ``pdf`` (written atomically)."""
    with tempfile.TemporaryDirectory(prefix="evaluering-chromium-") as profile, \
            atomic_path(pdf, suffix=".pdf") as tmp:
        env = dict(os.environ, HOME=profile)
        try:
            proc = subprocess.run(chromium_command(exe, html, tmp, profile), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, timeout=timeout, env=env, check=False)
        except subprocess.TimeoutExpired:
            raise ReportError(f"{pdf.name}: Chromium did not finish the PDF within {timeout:.0f} s") from None
        except OSError as err:
            raise ReportError(f"{pdf.name}: could not start Chromium ({err.strerror})") from None
        data = tmp.read_bytes() if tmp.exists() else b""
        if proc.returncode != 0 or not data.startswith(b"%PDF"):
            lines = [ln for ln in proc.stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
            detail = lines[-1][:200] if lines else f"exit code {proc.returncode}"
            raise ReportError(f"{pdf.name}: Chromium did not write a PDF ({detail})")
        os.chmod(tmp, 0o644)


def outline_pages(pdf: str | Path) -> dict[str, int]:
    """Heading text -> 1-based page of the PDF's outline (Chromium's document outline).

    Empty when the PDF has no outline or cannot be read."""
    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - a declared dependency
        return {}
    out: dict[str, int] = {}
    try:
        reader = PdfReader(str(pdf))

        def walk(items):
            for item in items:
                if isinstance(item, list):
                    walk(item)
                    continue
                title = " ".join(str(item.title).split())
                page = reader.get_destination_page_number(item)
                if title and page is not None and title not in out:
                    out[title] = page + 1
        walk(reader.outline)
    except Exception:  # an unreadable outline only costs the page numbers of the contents
        return {}
    return out


def html_to_pdf(html: str | Path, pdf: str | Path, *, chromium: str | None = None,
                timeout: float = 180) -> Path:
    """Print the HTML file ``html`` to ``pdf`` (A4, page numbers; written atomically) and
    return its path.

    A report with a table of contents (:mod:`.contents`) is printed twice: the first
    print's outline gives the page of each section, which the second print shows in the
    contents. Raises :class:`ChromiumMissing` when Chromium is not installed and
    :class:`~evaluering.errors.ReportError` when it fails or times out.
    """
    from .contents import headings, with_page_numbers

    exe = chromium or find_chromium()
    if not exe:
        raise ChromiumMissing()
    html, pdf = Path(html), Path(pdf)
    if not html.is_file():
        raise ReportError(f"{html}: HTML file not found")
    _print(exe, html, pdf, timeout)
    text = html.read_text(encoding="utf-8")
    if 'class="ev-toc-page"' not in text or not headings(text):
        return pdf
    pages = outline_pages(pdf)
    if not pages:
        return pdf
    with tempfile.TemporaryDirectory(prefix="evaluering-toc-") as tmpdir:
        # beside the original would be better for relative links; reports embed everything
        numbered = Path(tmpdir) / html.name
        numbered.write_text(with_page_numbers(text, pages), encoding="utf-8")
        _print(exe, numbered, pdf, timeout)
    return pdf
