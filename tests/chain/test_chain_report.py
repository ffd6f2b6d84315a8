"""The whole chain on the bundled data: raw data -> count cells -> indicators and criteria ->
the yearly report notebook executed by papermill -> HTML, ipynb and JSON.

The report is produced once per session through the command line, as a user would, and
the checks read its outputs: the published Aalborg Øst figures appear exactly as in the
source document, the computed values agree with hand calculations, synthetic data are
labelled, the HTML is offline and reproducible, and the audit finds no disclosure leak.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
PLAN, YEAR = "aalborg-oest", 2020


def _cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "evaluering", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"evaluering {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    _cli("build")
    out = tmp_path_factory.mktemp("reports")
    _cli("report", "--plan", PLAN, "--year", str(YEAR), "--out", str(out), "--no-pdf", "--force")
    return out / str(YEAR)


@pytest.fixture(scope="module")
def html(report_dir) -> str:
    return (report_dir / f"{PLAN}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def figures(report_dir) -> dict:
    data = json.loads((report_dir / f"{PLAN}.json").read_text(encoding="utf-8"))
    assert data["plan_id"] == PLAN and data["year"] == YEAR
    return data["figures"]


def _visible_text(html: str) -> str:
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    html = re.sub(r'src="data:[^"]*"', " ", html)
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", text)


def test_outputs_are_written_beside_each_other(report_dir):
    for ext in ("html", "ipynb", "json", "xlsx", "docx"):
        assert (report_dir / f"{PLAN}.{ext}").stat().st_size > 0
    assert not [p for p in report_dir.iterdir() if p.name.startswith(".")], "temporary files left behind"


def _trend_row(html: str, caption_start: str, row_label: str) -> dict[int, str]:
    """The first line of each year's cell in one row of a trend table (value, no interval)."""
    table = re.search(r"<table[^>]*><caption>" + re.escape(caption_start) + r".*?</table>", html, flags=re.S)
    assert table, f"no table captioned {caption_start!r}"
    years = [int(y) for y in re.findall(r"<th>(\d{4})</th>", table.group(0))]
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(0), flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        if cells and re.sub(r"<[^>]+>", "", cells[0]).strip() == row_label:
            values = [re.sub(r"<[^>]+>", "", re.split(r"<br\s*/?>|<sup>", c)[0]).strip() for c in cells[1:]]
            return dict(zip(years, values))
    raise AssertionError(f"no row {row_label!r}")


def test_published_shares_appear_as_printed(html):
    """Source document: 10-17-year-olds charged, helhedsplan areas 2012-2015: 2,7 2,5 4,0 4,2;
    Aalborg Kommune 1,1 1,0 0,8 0,8."""
    plan = _trend_row(html, "Andel 10-17-årige sigtet eller mistænkt mindst én gang (pct.)",
                      "Helhedsplanerne i Aalborg Øst")
    assert [plan[y] for y in (2012, 2013, 2014, 2015)] == ["2,7 %", "2,5 %", "4,0 %", "4,2 %"]
    muni = _trend_row(html, "Andel 10-17-årige sigtet eller mistænkt mindst én gang (pct.)", "Aalborg Kommune")
    assert [muni[y] for y in (2012, 2013, 2014, 2015)] == ["1,1 %", "1,0 %", "0,8 %", "0,8 %"]


def test_published_rates_per_1000_appear_as_printed(html):
    """Sigtelser per 1,000 persons 15+, Himmerland 2013-2016: 89,2 108,8 76,6 65,1."""
    him = _trend_row(html, "Sigtelser pr. 1.000 personer på 15 år og derover",
                     "Helhedsplan i Aalborg Øst v. Himmerland Boligforening")
    assert [him[y] for y in (2013, 2014, 2015, 2016)] == ["89,2", "108,8", "76,6", "65,1"]


def test_average_is_computed_and_printed_figures_checked(figures):
    """3,4 is computed (2,7+2,5+4,0+4,2)/4 = 3,35 -> 3,4; the almene 2,3 is flagged (computed 2,2)."""
    checks = {(c["area"]): c for c in figures["printed_checks"]}
    plan = checks["aalborg-oest"]
    assert plan["computed_mean"] == pytest.approx((2.7 + 2.5 + 4.0 + 4.2) / 4)
    assert plan["computed_rounded"] == pytest.approx(3.4)
    assert plan["flag"] is False
    almen = checks["almen"]
    assert almen["printed_value"] == pytest.approx(2.3)
    assert almen["computed_rounded"] == pytest.approx(2.2)   # (2,3+2,4+2,1+2,0)/4 = 2,2
    assert almen["flag"] is True


def test_first_criterion_baseline_target(figures, html):
    """Baseline 2015: 4,2 % (24 persons); target 2020: 25 % lower = 3,15 %."""
    k1 = next(c for c in figures["criteria"] if c["id"] == "K1")
    assert k1["baseline_year"] == 2015 and k1["target_year"] == 2020
    assert k1["baseline_value"] == pytest.approx(4.2)
    assert k1["target_value"] == pytest.approx(4.2 * 0.75)
    assert k1["status"] in ("opfyldt", "ikke opfyldt")          # the target year is reached
    text = _visible_text(html)
    assert "2015: 4,2 % (24 personer)" in text
    assert "2020: 3,15 %" in text


def test_observed_value_is_a_ratio_of_sums(figures):
    """The observed 2020 share equals sum(numerators)/sum(denominators) of the plan's estates
    (published with the indicator's one decimal, as every released rate)."""
    import pandas as pd

    cells = pd.read_parquet(ROOT / "data" / "processed" / "cells.parquet")
    sel = cells[(cells["level"] == "estate") & (cells["measure"] == "sigtet_mistaenkt")
                & (cells["year"] == YEAR) & cells["area"].str.startswith("AO-")]
    expected = 100 * sel["numerator"].sum() / sel["denominator"].sum()
    k1 = next(c for c in figures["criteria"] if c["id"] == "K1")
    assert k1["observed_value"] == round(expected, 1)


def test_budget_gap_is_flagged(figures, html):
    b = figures["budget"]
    assert b["computed_total_kr"] == 894000 + 114000
    assert b["gap_kr"] == 1107000 - 1008000
    assert "99.000 kr." in _visible_text(html)


def test_synthetic_data_are_labelled(html, figures):
    assert "Syntetiske data" in _visible_text(html)
    assert figures["plan"]["synthetic"] is True


def test_effect_estimate_recovers_the_known_effect(figures):
    eff = figures["effect"]
    assert eff["available"] is True
    att = eff["att"]
    lo, hi = att["ci_low"], att["ci_high"]
    assert lo < eff["true_effect_pp"] / 100 < hi


def test_both_honest_breakdown_values_are_shown(figures, html):
    """Smoothness (M) and relative magnitudes (Mbar) for the same target, printed as computed."""
    from evaluering import fmt

    eff = figures["effect"]
    sd, rm = eff["honest"], eff["honest_relative_magnitude"]
    assert sd["method"] == "smoothness" and rm["method"] == "relative_magnitude"
    assert rm["l_vec"] == sd["l_vec"]  # the same target: the mean of the years after the start
    text = _visible_text(html)
    line = re.search(r"Nedbrudsværdier: (.*?)\. Relative størrelser: Mbar sammenligner", text)
    assert line, "the breakdown line is missing"
    if sd["breakdown"] not in (None, float("inf")):
        assert f"M = {fmt.number(100 * sd['breakdown'], 3)} procentpoint" in line.group(1)
    if rm["breakdown"] not in (None, float("inf")):
        mbar = "0" if rm["breakdown"] == 0 else fmt.number(rm["breakdown"], 2)
        assert f"Mbar = {mbar} (relative størrelser" in line.group(1)
    # one robust interval per Mbar of the default grid, as printed
    assert len([r for r in rm["table"] if r["kind"] == "robust"]) == 5
    assert "Robuste intervaller (Rambachan &amp; Roth 2023, relative størrelser" in html


def test_html_is_offline_and_code_hidden(html):
    assert "<script" not in html
    assert not re.search(r'(href|src)="https?://', html)
    assert "YearlyReport.load" not in html            # code cells are hidden
    for heading in ("Til bestyrelsen", "1. Planperioden på én side", "2. Indsatsområderne", "Succeskriterier",
                    "Data og metode", "Proveniens", "Effektestimat", "5. Områdekriterierne"):
        assert heading in html


def test_executed_notebook_keeps_outputs_without_errors(report_dir):
    nb = nbformat.read(report_dir / f"{PLAN}.ipynb", as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert outputs and not [o for o in outputs if o.get("output_type") == "error"]


def test_audit_finds_no_leak(report_dir):
    proc = _cli("audit", str(report_dir), check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_report_is_byte_reproducible(report_dir, html, tmp_path):
    _cli("report", "--plan", PLAN, "--year", str(YEAR), "--out", str(tmp_path), "--no-pdf", "--force")
    again = (tmp_path / str(YEAR) / f"{PLAN}.html").read_text(encoding="utf-8")
    assert again == html


def test_status_json_matches_the_report(figures):
    proc = _cli("status", "--plan", PLAN, "--year", str(YEAR), "--format", "json")
    data = json.loads(proc.stdout)
    by_id = {c["id"]: c for c in data["criteria"]}
    for c in figures["criteria"]:
        assert by_id[c["id"]]["status"] == c["status"]
        for key in ("baseline_year", "baseline_value", "target_year", "target_value"):
            assert key in by_id[c["id"]]


def test_unknown_plan_is_one_line_exit_2():
    proc = _cli("report", "--plan", "findes-ikke", "--year", "2020", "--no-pdf", check=False)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


# --- the real report as a person sees it: headless Chromium and the printed PDF ----------

def _chromium() -> str | None:
    from evaluering.reporting.pdf import find_chromium

    return find_chromium()


@pytest.mark.slow
@pytest.mark.browser
def test_report_as_seen_in_chromium(report_dir):
    chromium = _chromium()
    if chromium is None:
        pytest.skip("no chromium binary (make chromium installs the Debian package)")
    from playwright.sync_api import sync_playwright

    external = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda r: external.append(r.url)
                    if not r.url.startswith(("file:", "data:")) else None)
            page.goto((report_dir / f"{PLAN}.html").resolve().as_uri(), wait_until="load")
            # 2020 is the plan period's last year: the final-period report by default
            assert page.locator("h1").first.inner_text().startswith("Slutevaluering 2017–2020")
            h2 = [t.strip() for t in page.locator("h2").all_inner_texts()]
            # the plan-level report: the board summary first, then sections 1-8, the four
            # delaftaler as 2.1-2.4 inside section 2
            assert h2[0] == "Til bestyrelsen", h2
            top = [h for h in h2[1:] if "Indsatsområde:" not in h]
            areas = [h for h in h2 if "Indsatsområde:" in h]
            assert [h.split(".")[0] for h in top] == [str(i) for i in range(1, 9)], h2
            assert [h.split(" ")[0] for h in areas] == ["2.1", "2.2", "2.3", "2.4"], h2
            # the criteria table comes first and shows every criterion with its status
            criteria = page.locator("table.ev-criteria").first      # the first delaftale's
            assert criteria.is_visible()
            ids = criteria.locator("tbody tr td:first-child").all_inner_texts()
            assert ids == ["K1", "K2", "K3", "K3b"]
            assert criteria.locator(".status").count() == 4
            # every figure is loaded, has alt text and a caption
            widths = page.eval_on_selector_all("img", "els => els.map(e => e.complete ? e.naturalWidth : 0)")
            assert len(widths) >= 8 and all(w > 0 for w in widths), widths
            alts = page.eval_on_selector_all("img", "els => els.map(e => e.alt)")
            assert all(len(a) > 20 for a in alts), alts
            assert page.locator("figure.ev-figure figcaption").count() == len(widths)
            # nothing wider than the text column (a clipped table hides years)
            main = page.locator("main").bounding_box()["width"]
            tables = page.eval_on_selector_all("table.ev-table", "els => els.map(e => e.getBoundingClientRect().width)")
            assert tables and max(tables) <= main + 1, (max(tables), main)
            # the synthetic-data label is visible, not only present
            assert page.get_by_text("Syntetiske data.", exact=False).first.is_visible()
            assert page.locator(".jp-InputPrompt").count() == 0
        finally:
            browser.close()
    assert external == []


@pytest.mark.slow
@pytest.mark.browser
def test_report_prints_to_a_pdf_with_every_section(report_dir, tmp_path):
    if _chromium() is None:
        pytest.skip("no chromium binary (make chromium installs the Debian package)")
    from pypdf import PdfReader

    from evaluering.reporting.pdf import html_to_pdf

    pdf = tmp_path / f"{PLAN}.pdf"
    html_to_pdf(report_dir / f"{PLAN}.html", pdf)
    reader = PdfReader(str(pdf))
    assert len(reader.pages) >= 5
    # NFKC: the PDF sets "ff" as a ligature
    text = unicodedata.normalize("NFKC", " ".join(" ".join((page.extract_text() or "").split())
                                                   for page in reader.pages))
    for heading in ("Til bestyrelsen", "1. Planperioden på én side", "2. Indsatsområderne",
                    "2.1 Indsatsområde: Kriminalpræventiv indsats", "4. Effektestimater", "5. Områdekriterierne",
                    "8. Proveniens"):
        assert heading in text, heading
    first_page = " ".join((reader.pages[0].extract_text() or "").split())
    assert "Slutevaluering 2017–2020" in first_page and "K1" in first_page


# --- the board's PDF: A4, page numbers, contents, every column of every table --------------

A4 = (595.3, 841.9)   # points
#: the printed page's text width in CSS pixels: A4 (210 mm) less the 12 mm side margins
PRINT_WIDTH_PX = round((210 - 2 * 12) / 25.4 * 96)
LANDSCAPE_WIDTH_PX = round((297 - 2 * 12) / 25.4 * 96)


def _norm(text: str) -> str:
    """NFKC, one space between words, and no space after a dash a line ended with
    ("2012–" / "2015" in a narrow column)."""
    return re.sub(r"([–-]) (?=\d)", r"\1", " ".join(unicodedata.normalize("NFKC", text).split()))


def _bundled_plans() -> list[str]:
    from evaluering.plan import list_plans, load_plan

    return [load_plan(f).id for f in list_plans(ROOT / "data" / "raw" / "plans")]


@pytest.fixture(scope="module")
def bundled_reports(report_dir) -> Path:
    """The folder with every bundled plan's report (HTML, JSON) for :data:`YEAR`."""
    for plan in _bundled_plans():
        if not (report_dir / f"{plan}.html").is_file():
            _cli("report", "--plan", plan, "--year", str(YEAR), "--out", str(report_dir.parent), "--no-pdf")
    return report_dir


def test_every_plans_report_year_activities_match_status(bundled_reports):
    """The report judges the report year's activity goals of every delaftale from that
    delaftale's own logs, as `evaluering status` does (a plan whose logs sit under
    focus_areas.N.logs once showed them all as missing in the report year only)."""
    for plan in _bundled_plans():
        figures = json.loads((bundled_reports / f"{plan}.json").read_text(encoding="utf-8"))["figures"]
        status = json.loads(_cli("status", "--plan", plan, "--year", str(YEAR), "--format", "json").stdout)
        want = {(fa["id"], a["goal"]): (a["status"], a["observed"])
                for fa in status["focus_areas"] for a in fa["activities"]}
        got = {(fa["id"], a["goal"]): (a["status"], a["observed"])
               for fa in figures["focus_areas"] for a in fa["activities"]}
        assert got == want, plan
        assert any(v[0] != "mangler data" for v in got.values()), plan


@pytest.fixture(scope="module")
def printed(bundled_reports, tmp_path_factory):
    """Every bundled plan's report printed to PDF: {plan: (html text, PdfReader, page texts)}."""
    if _chromium() is None:
        pytest.skip("no chromium binary (make chromium installs the Debian package)")
    from pypdf import PdfReader

    from evaluering.reporting.pdf import html_to_pdf

    out = {}
    pdf_dir = tmp_path_factory.mktemp("pdf")
    for plan in _bundled_plans():
        html_path = bundled_reports / f"{plan}.html"
        pdf = html_to_pdf(html_path, pdf_dir / f"{plan}.pdf")
        reader = PdfReader(str(pdf))
        out[plan] = (html_path.read_text(encoding="utf-8"), reader,
                     [_norm(p.extract_text() or "") for p in reader.pages])
    return out


@pytest.mark.slow
@pytest.mark.browser
def test_pdf_is_a4_with_page_numbers(printed):
    for plan, (_, reader, pages) in printed.items():
        n = len(pages)
        for i, (page, text) in enumerate(zip(reader.pages, pages), start=1):
            size = sorted((float(page.mediabox.width), float(page.mediabox.height)))
            assert size == pytest.approx(sorted(A4), abs=1.5), (plan, i, size)
            assert f"Side {i} af {n}" in text, (plan, i)


@pytest.mark.slow
@pytest.mark.browser
def test_pdf_board_summary_is_page_one_and_contents_give_the_pages(printed):
    from evaluering.reporting.contents import headings

    from evaluering.plan import load_plan

    for plan, (html, _, pages) in printed.items():
        # the board summary starts on page 1 and ends on the page before the contents (a plan
        # with four delaftaler needs more than one page for every criterion of every area);
        # page 1 holds the plan's first success criterion
        first = load_plan(ROOT / "data" / "raw" / "plans" / f"{plan}.yaml").section("criteria")[0]["id"]
        assert "Til bestyrelsen" in pages[0] and first in pages[0], (plan, first)
        toc = next(i for i in range(1, len(pages)) if "Indhold" in pages[i])
        assert 1 <= toc <= 2, (plan, toc)
        board = " ".join(pages[:toc])
        assert "Kræver beslutning" in board and "Sådan er listerne dannet" in board, plan
        assert "Til bestyrelsen" not in pages[toc].split("Indhold", 1)[0], plan
        for ident, title in headings(html):
            # the contents line: the title followed by its page number
            m = re.search(re.escape(_norm(title)) + r" ?(\d+)", pages[toc])
            assert m, (plan, title)
            page_no = int(m.group(1))
            assert _norm(title) in pages[page_no - 1], (plan, title, page_no)


@pytest.mark.slow
@pytest.mark.browser
def test_pdf_shows_every_column_of_every_table(printed):
    """Each header of each table of the HTML is in the PDF's text as many times as tables
    carry it (a clipped column loses its header); the issue named the report year 2020,
    "Statistisk sikker ændring" and "Bemærkning"."""
    from collections import Counter

    from evaluering.reporting.document import report_tables

    for plan, (html, _, pages) in printed.items():
        text = " ".join(pages)
        needed = Counter(_norm(h) for t in report_tables(html) for h in t.header if _norm(h))
        missing = {h: (n, text.count(h)) for h, n in needed.items() if text.count(h) < n}
        assert not missing, (plan, missing)
        assert text.count("Statistisk sikker ændring") >= 1 and text.count("Bemærkning") >= needed["Bemærkning"] > 0


@pytest.mark.slow
@pytest.mark.browser
def test_print_layout_keeps_every_table_inside_the_page(printed, report_dir):
    """Chromium's print layout at the printed text width: no table, and no cell of one,
    reaches past the page, and no output area hides what overflows it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox", "--disable-gpu"])
        try:
            for plan in printed:
                page = browser.new_page(viewport={"width": PRINT_WIDTH_PX, "height": 1100})
                page.emulate_media(media="print")
                page.goto((report_dir / f"{plan}.html").resolve().as_uri(), wait_until="load")
                bad = page.evaluate("""([w, wl]) => {
                    const out = [];
                    document.querySelectorAll('table.ev-table').forEach((t, i) => {
                        const r = t.getBoundingClientRect();
                        // a table marked ev-landscape is printed on a landscape page
                        const lim = t.classList.contains('ev-landscape') ? wl : w;
                        if (r.right > lim + 1) out.push(['table', i, r.right]);
                        t.querySelectorAll('th, td').forEach(c => {
                            const cr = c.getBoundingClientRect();
                            if (cr.right > r.right + 1 || cr.width < 8) out.push(['cell', i, c.innerText.slice(0, 30), cr.right, cr.width]);
                        });
                        let e = t.parentElement;
                        while (e && e !== document.body) {
                            const s = getComputedStyle(e);
                            if (['hidden', 'auto', 'scroll', 'clip'].includes(s.overflowX) && e.scrollWidth > e.clientWidth + 1)
                                out.push(['clipped by', i, e.className]);
                            e = e.parentElement;
                        }
                    });
                    return out;
                }""", [PRINT_WIDTH_PX, LANDSCAPE_WIDTH_PX])
                assert bad == [], (plan, bad[:10])
                page.close()
        finally:
            browser.close()


def test_exports_open_and_hold_every_table(report_dir, html):
    """The Excel workbook has one sheet per table of the report with its Danish header row;
    the Word document has every table and every section heading."""
    import docx
    import openpyxl

    from evaluering.reporting.contents import headings
    from evaluering.reporting.document import report_tables

    tables = report_tables(html)
    wb = openpyxl.load_workbook(report_dir / f"{PLAN}.xlsx")
    assert len(wb.sheetnames) == 1 + len(tables)
    for ws, t in zip(wb.worksheets[1:], tables):
        assert [c.value or "" for c in ws[3]][:len(t.header)] == t.header
    suppressed = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.style == "Undertrykt"]
    # the period table withholds the 2017 attachment share (fewer than 3 young people)
    assert suppressed and all("< 3" in str(c.value) or "diskretioneret" in str(c.value) for c in suppressed)
    doc = docx.Document(str(report_dir / f"{PLAN}.docx"))
    assert len(doc.tables) == len(tables)
    texts = {p.text for p in doc.paragraphs}
    for _, title in headings(html):
        assert title in texts


@pytest.mark.slow
def test_notebook_runs_from_the_project_root_and_from_notebooks(tmp_path):
    """papermill without --cwd, started in the project root (and in notebooks/, as
    JupyterLab does): the notebook finds the project itself."""
    for cwd in (ROOT, ROOT / "notebooks"):
        out = tmp_path / f"{cwd.name}.ipynb"
        proc = subprocess.run([sys.executable, "-m", "papermill", str(ROOT / "notebooks" / "yearly_report.ipynb"),
                               str(out), "-p", "plan_id", PLAN, "-p", "year", "2019", "--no-progress-bar"],
                              cwd=cwd, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-2000:]
        nb = nbformat.read(out, as_version=4)
        outputs = [o for c in nb.cells for o in c.get("outputs", [])]
        assert not [o for o in outputs if o.get("output_type") == "error"]
        assert any("Til bestyrelsen" in "".join(c.source) for c in nb.cells)
