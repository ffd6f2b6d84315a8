"""Every value marked by origin (published, computed, synthetic), and chart lines broken at
years without a shown value."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from reporting_helpers import ROOT

pytestmark = pytest.mark.skipif(not (ROOT / "data" / "processed" / "cells.parquet").is_file(),
                                reason="no count cells: run `evaluering build`")


@pytest.fixture(scope="module")
def report():
    from evaluering import theme
    from evaluering.yearly import YearlyReport

    theme.apply()
    return YearlyReport.load("aalborg-oest", 2020, project_root=str(ROOT))


def _row_marks(html: str, caption_start: str, label: str) -> dict[int, str]:
    table = re.search(r"<table[^>]*><caption>" + re.escape(caption_start) + r".*?</table>", html, flags=re.S).group(0)
    years = [int(y) for y in re.findall(r"<th>(\d{4})</th>", table)]
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        if cells and re.sub(r"<[^>]+>", "", cells[0]).strip() == label:
            return {y: (re.findall(r"<sup>(\w)</sup>", c) or [""])[0] for y, c in zip(years, cells[1:])}
    raise AssertionError(label)


def test_trend_table_marks_follow_the_source_document(report):
    """Published (source document, T2): the plan's share 2012-2015; every other year of the
    bundled data is synthetic, and is marked so (it was unmarked before)."""
    html = str(report.indicators())
    marks = _row_marks(html, "Andel 10-17-årige sigtet eller mistænkt mindst én gang (pct.)",
                       "Helhedsplanerne i Aalborg Øst")
    assert {y: m for y, m in marks.items() if m == "o"} == {2012: "o", 2013: "o", 2014: "o", 2015: "o"}
    assert all(marks[y] == "s" for y in marks if y not in (2012, 2013, 2014, 2015))
    # the published Himmerland rates 2013-2016 (source document, T1) and nothing else of that row
    marks = _row_marks(html, "Sigtelser pr. 1.000 personer", "Helhedsplan i Aalborg Øst v. Himmerland Boligforening")
    assert sorted(y for y, m in marks.items() if m == "o") == [2013, 2014, 2015, 2016]
    # the SSP log of the bundled plan is an invented example: synthetic, not "the SSP log"
    marks = _row_marks(html, "SSP-sager på niveau 1 og 2", "Helhedsplanerne i Aalborg Øst")
    assert set(marks.values()) == {"s"}


def test_criteria_marks(report):
    """K1: published baseline (4,2 % in 2015), synthetic observation; K2 (example SSP log) and
    the milestones (example milestone log) synthetic."""
    report.summary()
    crit = report._criteria.set_index("id")
    assert crit.loc["K1", "baseline_origin"] == "published" and crit.loc["K1", "observed_origin"] == "synthetic"
    assert crit.loc["K2", "baseline_origin"] == "synthetic" and crit.loc["K2", "observed_origin"] == "synthetic"
    assert crit.loc["K3", "observed_origin"] == "synthetic"
    html = str(report.summary())
    assert "2015: 4,2 % (24 personer)<sup>o</sup>" in html


def test_line_breaks_at_a_suppressed_year(report, monkeypatch):
    """A suppressed year is a gap in the line (NaN), not a straight line across it."""
    from evaluering.yearly import trends

    s, ind = report._suppressed_series("andel_sigtede_10_17")
    s = s.copy()
    hit = (s["level"] == "plan") & (s["year"] == 2017)
    s.loc[hit, ["value", "lower", "upper", "numerator"]] = np.nan
    s.loc[hit, "suppressed_reason"] = "< 3"
    captured = {}

    def capture(fig, **kw):
        captured["fig"] = fig
        return "<figure></figure>"

    monkeypatch.setattr(trends, "figure_html", capture)
    trends.trend_figure(s, ind, report.plan, 2010, 2020, True)
    ax = captured["fig"].axes[0]
    name = report.plan.name
    line = next(ln for ln in ax.lines if ln.get_label().replace("\n", " ") == name)
    x, y = line.get_xdata(), line.get_ydata()
    assert list(x) == list(range(2010, 2021))
    assert np.isnan(y[list(x).index(2017)])
    assert not np.isnan(y[list(x).index(2016)]) and not np.isnan(y[list(x).index(2018)])


def test_line_values_fills_missing_years_with_nan():
    from evaluering.yearly.trends import line_values

    rows = pd.DataFrame({"year": [2010, 2013], "value": [1.0, 2.0], "lower": [0.5, None], "upper": [1.5, None]})
    out = line_values(rows, 2010, 2013)
    assert np.isnan(out["value"][1:3]).all() and out["value"][[0, 3]].tolist() == [1.0, 2.0]
    assert np.isnan(out["lower"][3])
