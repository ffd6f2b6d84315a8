"""Plots never show a point, bar or label that the table suppresses."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from evaluering.disclosure import (assert_plot_safe, bar_labels, check_plot, label_bars, mask_for_plot,  # noqa: E402
                                   suppress_table)


@pytest.fixture
def table():
    # estates A-C and the plan total; A has 2 persons charged (primary), one more is secondary
    df = pd.DataFrame({"area": ["A", "B", "C", "Plan"], "count": [2, 9, 14, 25],
                       "unge": [40, 120, 200, 360]})
    df["andel"] = df["count"] / df["unge"] * 100
    return df, suppress_table(df, ["count", "unge"], {"andel": ("count", "unge")}, totals={"area": "Plan"})


def test_mask_for_plot_drops_suppressed_values(table):
    df, res = table
    m = mask_for_plot(res)
    assert m["andel"].dtype == np.float64
    assert np.isnan(m["andel"]).tolist() == [True, True, False, False]
    assert m.loc[2, "andel"] == pytest.approx(7.0)
    assert mask_for_plot(res, "andel", dropna=True)["area"].tolist() == ["C", "Plan"]


def test_bar_chart_from_masked_frame_is_safe_and_raw_is_not(table):
    df, res = table
    m = mask_for_plot(res)
    fig, ax = plt.subplots()
    bars = ax.bar(m["area"], m["andel"])
    assert bar_labels(res, "andel") == ["< 3", "diskretioneret", "7,0", "6,9"]
    label_bars(ax, bars, res, "andel")
    assert check_plot(fig, res) == []
    assert_plot_safe(fig, res)
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["< 3", "diskretioneret", "7,0", "6,9"]
    plt.close(fig)

    fig, ax = plt.subplots()
    bars = ax.bar(df["area"], df["andel"])                      # unsuppressed data
    problems = check_plot(fig, res)
    assert len(problems) == 2 and all(p.startswith("bar ") for p in problems)
    with pytest.raises(AssertionError, match="suppressed or unpublished"):
        assert_plot_safe(fig, res)
    plt.close(fig)


def test_labels_scatter_lines_and_bands_are_checked(table):
    df, res = table
    fig, ax = plt.subplots()
    ax.annotate("5,0 %", (0, 5.0))                              # A's rate, suppressed
    ax.scatter([0, 1], [df.loc[0, "andel"], df.loc[2, "andel"]])
    ax.fill_between([0, 1], [1.0, 1.0], [df.loc[2, "andel"]] * 2)
    ax.axhline(3.15)                                           # a target: allowed explicitly
    problems = check_plot(ax, res, allow=[3.15])
    kinds = sorted(p.split(":")[0].split()[0] for p in problems)
    assert kinds == ["collection", "collection", "label"]
    plt.close(fig)


def test_seaborn_line_with_gap(table):
    import seaborn as sns

    years = pd.DataFrame({"year": [2014, 2015, 2016, 2017], "count": [6, 2, 7, 9]})
    res = suppress_table(years, "count")
    fig, ax = plt.subplots()
    sns.lineplot(data=mask_for_plot(res), x="year", y="count", ax=ax, errorbar=None)
    assert_plot_safe(fig, res)
    ys = np.concatenate([ln.get_ydata() for ln in ax.get_lines()])
    assert 2 not in ys
    plt.close(fig)
