"""The batch's overview: ``index.html`` (a dashboard of every plan's criteria and activity
goals over the years of its period, with filters by municipality and focus area; every
plan's links; the failures with the failing cell's error) and ``summary.csv`` (one row per
plan and criterion). Both are self-contained (inline CSS and JavaScript, nothing loaded
from the network: the page works from the file system without a server), deterministic
(no timestamps) and written atomically.

>>> from evaluering.reporting.render import ReportResult
>>> r = ReportResult("p", 2020, "ok", plan_name="Plan P", files={"html": "p.html"},
...                  criteria=[{"id": "K1", "title": "Færre sigtede", "status": "opfyldt"}])
>>> summary_rows([r])[0]["criterion_status"]
'opfyldt'
"""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path
from typing import Iterable

from ..theme import status_css, status_slug
from .publish import publish_text as write_text

__all__ = ["SUMMARY_COLUMNS", "summary_rows", "summary_csv", "index_html", "dashboard_html", "write_index"]

SUMMARY_COLUMNS = ["year", "plan_id", "plan_name", "report_status", "criterion_id",
                   "criterion_title", "criterion_status", "html", "error"]

_STATUS_DA = {"ok": "skrevet", "skipped": "uændret", "failed": "fejlet"}


def summary_rows(results: Iterable) -> list[dict]:
    """One row per plan and criterion (a plan without criteria or that failed: one row)."""
    rows = []
    for r in sorted(results, key=lambda r: r.plan_id):
        base = {"year": r.year, "plan_id": r.plan_id, "plan_name": r.plan_name,
                "report_status": _STATUS_DA.get(r.status, r.status),
                "html": r.files.get("html", "") if r.ok else "", "error": r.error or ""}
        if r.ok and r.criteria:
            for c in r.criteria:
                rows.append({**base, "criterion_id": c["id"], "criterion_title": c["title"],
                             "criterion_status": c["status"]})
        else:
            rows.append({**base, "criterion_id": "", "criterion_title": "", "criterion_status": ""})
    return rows


def summary_csv(results: Iterable) -> str:
    """``summary.csv`` as text (comma-separated, UTF-8, header first)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=SUMMARY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(summary_rows(results))
    return buf.getvalue()


_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2rem auto; max-width: 70rem;
       color: #1a1a1a; line-height: 1.4; padding: 0 1rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0 2rem 0; }
th, td { border-bottom: 1px solid #ccc; padding: 0.35rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
.status { display: inline-block; padding: 0.05rem 0.45rem; border-radius: 0.3rem; margin: 0.1rem 0;
          border: 1px solid #999; font-size: 0.9em; }
.failed { color: #8a2c00; }
code { font-size: 0.9em; }
"""


def _n(count: int, one: str, many: str) -> str:
    """``"1 plan"``, ``"2 planer"``."""
    return f"{count} {one if count == 1 else many}"


def index_html(results: Iterable, year: int, title: str | None = None) -> str:
    """The batch overview page (Danish; one inline script for the filters, no external
    resources)."""
    results = sorted(results, key=lambda r: r.plan_id)
    esc = html.escape
    title = title or f"Årsrapporter {year}"
    ok = [r for r in results if r.ok]
    failed = [r for r in results if not r.ok]
    out = ["<!DOCTYPE html>", '<html lang="da">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{esc(title)}</title>", f"<style>{_CSS}{_DASH_CSS}{status_css()}</style>", "</head>", "<body>",
           f"<h1>{esc(title)}</h1>",
           f"<p>{_n(len(results), 'plan', 'planer')}: {_n(len(ok), 'rapport', 'rapporter')}, "
           f"{len(failed)} fejlede.</p>",
           "<h2>Planer og succeskriterier</h2>",
           '<table class="plans"><thead><tr><th>Plan</th><th>Succeskriterier</th><th>Filer</th>'
           "</tr></thead><tbody>"]
    for r in results:
        name = esc(r.plan_name or r.plan_id)
        if r.ok:
            crit = "<br>".join(
                f'<span class="status status-{status_slug(c["status"])}" title="{esc(c["title"])}">'
                f'{esc(c["id"])}: {esc(c["status"] or "–")}</span>' for c in r.criteria) or "–"
            links = " · ".join(f'<a href="{esc(r.files[k])}">{label}</a>' for k, label in
                               (("html", "HTML"), ("pdf", "PDF"), ("xlsx", "Excel"), ("docx", "Word"),
                                ("ipynb", "notebook"), ("json", "JSON"))
                               if k in r.files)
        else:
            crit = '<span class="failed">rapporten fejlede (se nedenfor)</span>'
            links = "–"
        out.append(f'<tr id="plan-{esc(r.plan_id)}"><td>{name}<br><code>{esc(r.plan_id)}</code></td>'
                   f"<td>{crit}</td><td>{links}</td></tr>")
    out.append("</tbody></table>")
    if failed:
        out += ["<h2>Fejlede rapporter</h2>",
                "<p>Disse planer er ikke udgivet. Den kørte notebook med fejlen ligger i "
                "<code>_fejlede/</code>.</p>",
                '<table class="failures"><thead><tr><th>Plan</th><th>Fejl</th></tr></thead><tbody>']
        for r in failed:
            out.append(f"<tr><td><code>{esc(r.plan_id)}</code></td><td>{esc(r.error or 'ukendt fejl')}</td></tr>")
        out.append("</tbody></table>")
    out.extend(dashboard_html(results))
    out.append('<p><a href="summary.csv">summary.csv</a>: én række pr. plan og succeskriterium.</p>')
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


_DASH_CSS = """
.filters { display: flex; gap: 1.5rem; flex-wrap: wrap; margin: 0.5rem 0 1rem 0; }
.filters label { font-weight: bold; }
.dashboard td.st { white-space: nowrap; }
.dashboard tr.plan-head td { background: #eef3f8; font-weight: bold; border-top: 2px solid #777; }
.dashboard .kind { color: #444; font-size: 0.85em; }
#dash-count { font-style: italic; }
"""

#: the filter script: inline, no network, no framework (rows carry data-* attributes)
_DASH_JS = """
(function () {
  var muni = document.getElementById('f-municipality');
  var area = document.getElementById('f-focus-area');
  var rows = document.querySelectorAll('table.dashboard tbody tr');
  var count = document.getElementById('dash-count');
  function apply() {
    var m = muni.value, a = area.value, plans = {};
    rows.forEach(function (tr) {
      var okM = !m || tr.dataset.municipality === m;
      var areas = (tr.dataset.focusAreas || '').split('|');
      var okA = !a || areas.indexOf(a) >= 0;
      var show = okM && okA;
      tr.hidden = !show;
      if (show) { plans[tr.dataset.plan] = true; }
    });
    count.textContent = Object.keys(plans).length + ' af ' + count.dataset.total + ' planer vist';
  }
  muni.addEventListener('change', apply);
  area.addEventListener('change', apply);
  apply();
})();
"""


def dashboard_html(results: Iterable) -> list[str]:
    """The dashboard part of ``index.html``: one block of rows per plan (its criteria and
    activity goals, a column per year of the batch's periods, the status in words and
    colour), and two filters (municipality, focus area) run by an inline script."""
    esc = html.escape
    results = [r for r in sorted(results, key=lambda r: r.plan_id) if r.ok]
    dash = {r.plan_id: getattr(r, "dashboard", None) or {} for r in results}
    years = sorted({int(y) for d in dash.values() for y in d.get("years") or []})
    munis = sorted({d.get("municipality") or "" for d in dash.values()} - {""})
    areas = sorted({a for d in dash.values() for a in d.get("focus_areas") or []})
    out = ["<h2>Oversigt over planperioderne</h2>",
           "<p>Hver plans succeskriterier og aktivitetsmål år for år i planperioden (status i ord og farve). "
           "Vælg kommune og indsatsområde for at afgrænse listen.</p>",
           '<div class="filters"><div><label for="f-municipality">Kommune</label> '
           '<select id="f-municipality"><option value="">alle</option>'
           + "".join(f'<option value="{esc(m)}">{esc(m)}</option>' for m in munis) + "</select></div>"
           '<div><label for="f-focus-area">Indsatsområde</label> '
           '<select id="f-focus-area"><option value="">alle</option>'
           + "".join(f'<option value="{esc(a)}">{esc(a)}</option>' for a in areas) + "</select></div>"
           f'<div id="dash-count" data-total="{len(results)}" aria-live="polite"></div></div>',
           '<table class="dashboard"><thead><tr><th>Plan / mål</th>'
           + "".join(f"<th>{y}</th>" for y in years) + "</tr></thead><tbody>"]
    for r in results:
        d = dash[r.plan_id]
        attrs = (f'data-plan="{esc(r.plan_id)}" data-municipality="{esc(d.get("municipality") or "")}" '
                 f'data-focus-areas="{esc("|".join(d.get("focus_areas") or []))}"')
        link = f'<a href="{esc(r.files["html"])}">{esc(r.plan_name or r.plan_id)}</a>' if "html" in r.files \
            else esc(r.plan_name or r.plan_id)
        meta = " · ".join(x for x in (d.get("municipality"), ", ".join(d.get("focus_areas") or [])) if x)
        out.append(f'<tr class="plan-head" {attrs}><td colspan="{len(years) + 1}">{link}'
                   + (f' <span class="kind">{esc(meta)}</span>' if meta else "") + "</td></tr>")
        by_key: dict[tuple, dict] = {}
        for row in d.get("rows") or []:
            key = (row.get("area"), row.get("kind"), row.get("id"))
            by_key.setdefault(key, {"row": row, "years": {}})["years"][row.get("year")] = row.get("status")
        if not by_key:
            out.append(f'<tr {attrs}><td colspan="{len(years) + 1}">ingen periodedata i rapporten</td></tr>')
        for (area, kind, ident), item in by_key.items():
            label = "Succeskriterium" if kind == "criterion" else "Aktivitetsmål"
            cells = []
            for y in years:
                st = item["years"].get(y)
                cells.append(f'<td class="st"><span class="status status-{status_slug(st)}">{esc(st)}</span></td>'
                             if st else "<td>–</td>")
            out.append(f"<tr {attrs}><td>{esc(ident)}: {esc(item['row'].get('title') or '')} "
                       f'<span class="kind">({label.lower()})</span></td>{"".join(cells)}</tr>')
    out.append("</tbody></table>")
    out.append(f"<script>{_DASH_JS}</script>")
    return out


def write_index(results: Iterable, out_dir: str | Path, year: int) -> dict[str, Path]:
    """Write ``index.html`` and ``summary.csv`` into ``out_dir`` (atomically)."""
    results = list(results)
    out_dir = Path(out_dir)
    paths = {"index": out_dir / "index.html", "summary": out_dir / "summary.csv"}
    write_text(paths["summary"], summary_csv(results))
    write_text(paths["index"], index_html(results, year))
    return paths
