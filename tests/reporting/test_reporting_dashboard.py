"""The batch dashboard (index.html): every plan's statuses over the years, filters by
municipality and focus area, rendered in headless Chromium from the file system with no
network request."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evaluering.reporting.index import index_html
from evaluering.reporting.render import ReportResult


def _result(plan_id, name, muni, area, statuses):
    rows = [{"area": area, "kind": "criterion", "id": "K1", "title": "Færre sigtede", "year": y, "status": s}
            for y, s in statuses.items()]
    rows += [{"area": area, "kind": "goal", "id": "A1.1", "title": "6 møder", "year": y, "status": "opfyldt"}
             for y in statuses]
    return ReportResult(plan_id, 2020, "ok", plan_name=name, files={"html": f"{plan_id}.html"},
                        criteria=[{"id": "K1", "title": "Færre sigtede", "status": list(statuses.values())[-1]}],
                        dashboard={"municipality": muni, "focus_areas": [area], "years": list(statuses), "rows": rows})


RESULTS = [
    _result("aalborg", "Aalborg Øst", "Aalborg Kommune", "Kriminalitetsforebyggelse",
            {2017: "på rette vej", 2018: "på rette vej", 2019: "ikke på rette vej", 2020: "opfyldt"}),
    _result("vollsmose", "Vollsmose", "Odense Kommune", "Beskæftigelse", {2019: "mangler data", 2020: "på rette vej"}),
    _result("gellerup", "Gellerup", "Aarhus Kommune", "Kriminalitetsforebyggelse", {2020: "ikke opfyldt"}),
    ReportResult("fejl", 2020, "failed", plan_name="Fejlplan", error="celle 3: fejl"),
]


def test_dashboard_html_has_every_plan_year_and_filter():
    html = index_html(RESULTS, 2020)
    assert html.count('class="plan-head"') == 3
    for y in (2017, 2018, 2019, 2020):
        assert f"<th>{y}</th>" in html
    assert '<option value="Odense Kommune">' in html and '<option value="Beskæftigelse">' in html
    assert "<script src" not in html and "http://" not in html and "https://" not in html
    assert index_html(RESULTS, 2020) == html


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (make chromium)")
def test_dashboard_filters_in_chromium_without_network(tmp_path):
    from playwright.sync_api import sync_playwright

    page_file = Path(tmp_path) / "index.html"
    page_file.write_text(index_html(RESULTS, 2020), encoding="utf-8")
    requests = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri(), wait_until="load")

            def visible_plans():
                return page.eval_on_selector_all(
                    "table.dashboard tr.plan-head", "els => els.filter(e => !e.hidden).map(e => e.dataset.plan)")

            assert visible_plans() == ["aalborg", "gellerup", "vollsmose"]
            assert page.locator("#dash-count").inner_text() == "3 af 3 planer vist"
            # Aalborg's criterion over the years: four statuses in words
            row = page.locator('table.dashboard tr[data-plan="aalborg"]', has_text="K1")
            assert row.locator(".status").all_inner_texts() == ["på rette vej", "på rette vej",
                                                                 "ikke på rette vej", "opfyldt"]
            page.select_option("#f-focus-area", "Kriminalitetsforebyggelse")
            assert visible_plans() == ["aalborg", "gellerup"]
            page.select_option("#f-municipality", "Aarhus Kommune")
            assert visible_plans() == ["gellerup"]
            assert page.locator("#dash-count").inner_text() == "1 af 3 planer vist"
            page.select_option("#f-focus-area", "")
            page.select_option("#f-municipality", "")
            assert len(visible_plans()) == 3
            assert errors == []
        finally:
            browser.close()
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
