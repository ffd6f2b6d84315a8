"""The report as a person sees it: rendered in headless Chromium (offline), and printed
to PDF."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evaluering.reporting.batch import plan_jobs
from evaluering.reporting.render import render_report

from reporting_helpers import HEAVY, ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and Path("/usr/bin/chromium").exists():
    CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (install the Debian "
                                    "package chromium: make chromium)")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The heavy fixture's report for the bundled plan: HTML and PDF."""
    out = tmp_path_factory.mktemp("reports")
    jobs, _ = plan_jobs(2020, out=out, notebook=HEAVY, project_root=ROOT, pdf=CHROMIUM is not None,
                        warm=False, only=["aalborg-oest"])
    result = render_report(jobs[0])
    assert result.ok, result.error
    return jobs[0].paths(), result


@needs_chromium
def test_report_renders_offline_with_headings_table_and_images(report):
    from playwright.sync_api import sync_playwright

    paths, _ = report
    external = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.on("request", lambda r: external.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
            page.goto(paths["html"].resolve().as_uri(), wait_until="load")
            h1 = page.locator("h1").first
            assert h1.is_visible() and "Årsrapport" in h1.inner_text()
            h2 = [t.strip() for t in page.locator("h2").all_inner_texts()]
            assert "Udvikling" in h2
            table = page.locator("table.criteria")
            assert table.is_visible()
            assert table.locator("tbody tr").count() >= 3
            assert table.locator("tbody tr").first.locator("td").first.inner_text() == "K1"
            images = page.locator("img")
            assert images.count() >= 1
            widths = page.eval_on_selector_all("img", "els => els.map(e => e.complete ? e.naturalWidth : 0)")
            assert all(w > 0 for w in widths), widths
            assert images.first.is_visible() and images.first.get_attribute("alt")
            assert page.locator("pre", has_text="import").count() == 0        # no code shown
            assert page.locator(".jp-InputPrompt").count() == 0
        finally:
            browser.close()
    assert external == []


@needs_chromium
def test_pdf_has_the_pages(report):
    from pypdf import PdfReader

    paths, result = report
    assert result.files.get("pdf") == paths["pdf"].name and not result.warnings
    reader = PdfReader(str(paths["pdf"]))
    assert len(reader.pages) >= 1
    text = "".join(page.extract_text() or "" for page in reader.pages)
    assert "Årsrapport" in text and "Udvikling" in text


def test_missing_chromium_is_one_clear_line(tmp_path, monkeypatch):
    from evaluering.reporting.pdf import ChromiumMissing, find_chromium, html_to_pdf

    monkeypatch.setenv("EVALUERING_CHROMIUM", "no-such-chromium-binary")
    assert find_chromium() is None
    (tmp_path / "a.html").write_text("<h1>x</h1>", encoding="utf-8")
    with pytest.raises(ChromiumMissing) as err:
        html_to_pdf(tmp_path / "a.html", tmp_path / "a.pdf")
    message = str(err.value)
    assert "\n" not in message and "chromium" in message.lower() and "make chromium" in message
    assert not (tmp_path / "a.pdf").exists() and list(tmp_path.iterdir()) == [tmp_path / "a.html"]
