"""The look shared by every output: status labels and figures."""

from __future__ import annotations

import re

from evaluering import theme
from evaluering.reporting.index import index_html
from evaluering.reporting.render import ReportResult
from evaluering.yearly.criteria_view import status_badge
from evaluering.yearly.html import css


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))


def test_every_status_has_one_colour_in_report_and_index():
    result = ReportResult("p", 2020, "ok", criteria=[{"id": f"K{i}", "title": s, "status": s}
                                                     for i, s in enumerate(theme.STATUS_COLOURS)])
    index = index_html([result], 2020)
    report = css()
    for status, (background, border) in theme.STATUS_COLOURS.items():
        rule = f".status-{theme.status_slug(status)}{{background:{background};border:1px solid {border}}}"
        assert rule in report and rule in index, status
        assert f"status-{theme.status_slug(status)}" in status_badge(status)
        assert f"status-{theme.status_slug(status)}" in index
    assert "status-mangler-data" in status_badge("ukendt status")     # never an unstyled label


def test_met_and_missed_differ_in_more_than_red_and_green():
    # deuteranopes confuse red and green: "opfyldt" and "ikke opfyldt" must differ in the
    # blue-yellow direction (Okabe-Ito blue against orange), and the label says it in words
    met, missed = (_rgb(theme.STATUS_COLOURS[s][1]) for s in ("opfyldt", "ikke opfyldt"))
    assert met[2] - met[0] > 100 and missed[0] - missed[2] > 100
    assert re.search(r">ikke opfyldt<", status_badge("ikke opfyldt"))


def test_new_figure_has_fixed_margins_and_few_value_ticks():
    theme.apply()
    fig, ax = theme.new_figure((6, 3), left=0.1, right=0.9, bottom=0.2, top=0.85)
    ax.plot([2010, 2020], [0, 137])
    assert ax.get_position().x0 == 0.1 and ax.get_position().y1 == 0.85
    fig.canvas.draw()
    ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
    assert 3 <= len(ticks) <= 7
    html = theme.figure_html(fig, title="T", alt="Linjediagram", source="DST", unit="pct.")
    assert 'alt="Linjediagram"' in html and "Kilde: DST." in html
