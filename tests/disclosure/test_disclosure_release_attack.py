"""Issue 13's attack, against the real outputs of a batch over two years and two overlapping plans.

The scenario (:mod:`scenario`): plan A (nine estates, two parts) and plan B (seven of A's
estates); a part with 2 persons suspected or charged in 2020 and 2 in 2019; 2 youth courses
started in 2020. Through the command line: ``evaluering batch`` for 2019 and 2020 (HTML, JSON,
notebook, index.html, summary.csv) and ``evaluering status --format json`` for both plans and
years.

The attacker (:class:`disclosure_attacker.LinearAttacker`, no code shared with
``evaluering.disclosure``) reads every published number of those files, knows the plan files
(which estate belongs to which part and plan) and sets up a linear program over the unknown
estate-year counts: published counts as equations, a published rate with its published
denominator as an interval (the rate is rounded to the digits it shows), the pooled multi-year
rates over summed counts, the courses and participants of the plan period (the participants of
2017-2019 published in 2019, of 2017-2020 in 2020), the cost per participant. For every count
the outputs withhold it computes the feasible interval.

The rule enforced: **no suppressed count can be pinned to one value, and every count of 1 to
threshold - 1 (a suppressed cell, or a hidden one such as the estates one plan has and the other
has not) keeps a feasible interval at least ``threshold`` wide, so its upper end is at least the
threshold: the attacker cannot even tell that it is small.**
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pandas as pd
import pytest

import scenario
from disclosure_attacker import LinearAttacker

IND = "andel_sigtede_10_17"
IND_LABEL = "Andel 10-17-årige sigtet eller mistænkt mindst én gang"
THRESHOLD = 3
EST = [f"AO-0{i}" for i in range(1, 10)]
AREAS = {  # what the plan files tell everyone: area -> its estates
    ("plan", scenario.PLAN_A): EST,
    ("plan_part", "himmerland"): EST[:5],
    ("plan_part", "alabu-lejerbo"): EST[5:],
    ("plan", scenario.PLAN_B): EST[:7],
}
YEARS = range(2010, 2021)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    import os

    keep = os.environ.get("EVALUERING_SCENARIO_DIR")  # to look at the outputs afterwards
    base = Path(keep) if keep else tmp_path_factory.mktemp("scenario")
    if keep and (base / "projekt").exists():
        import shutil

        shutil.rmtree(base / "projekt")
    root = scenario.build_project(base)
    for y in scenario.YEARS:
        scenario.cli(root, "batch", "--year", str(y), "--no-pdf", "--workers", "1", "--force")
    status = {}
    for y in scenario.YEARS:
        for p in (scenario.PLAN_A, scenario.PLAN_B):
            proc = scenario.cli(root, "status", "--plan", p, "--year", str(y), "--format", "json")
            status[(p, y)] = json.loads(proc.stdout)
            (root / "reports" / str(y) / f"{p}.status.json").write_text(proc.stdout, encoding="utf-8")
    text = scenario.cli(root, "status", "--plan", scenario.PLAN_A, "--year", "2020").stdout
    (root / "reports" / "2020" / f"{scenario.PLAN_A}.status.txt").write_text(text, encoding="utf-8")
    return root, status


def _truth(root: Path) -> dict:
    """Estate-year counts of the scenario's cells (pandas, not evaluering)."""
    c = pd.read_parquet(root / "data" / "processed" / "cells.parquet")
    c = c[(c["measure"] == scenario.MEASURE) & (c["age_band"] == scenario.AGE) & c["area"].isin(EST)]
    g = c.groupby(["area", "year"])[["numerator", "denominator"]].sum()
    return {(a, int(y)): (int(n), int(d)) for (a, y), (n, d) in g.iterrows()}


def _decimals(v: float) -> int:
    s = repr(float(v))
    return len(s.split(".")[1].rstrip("0")) if "." in s else 0


class _Attack:
    """Collects what the outputs publish into one linear program."""

    def __init__(self):
        self.lp = LinearAttacker()
        for e in EST:
            for y in YEARS:
                self.lp.var(("x", e, y))
        self.suppressed: set = set()
        self.published_counts: dict = {}

    def area_expr(self, level, area, y):
        return {("x", e, y): 1.0 for e in AREAS[(level, area)]}

    def series_row(self, r: dict):
        key = (r["level"], r["area"])
        if key not in AREAS or int(r["year"]) not in YEARS:
            return
        y = int(r["year"])
        expr = self.area_expr(*key, y)
        num, den, val = r.get("numerator"), r.get("denominator"), r.get("value")
        if r.get("suppressed_reason"):
            self.suppressed.add((*key, y))
        if num is not None:
            self.lp.eq(expr, float(num))
            self.published_counts[(*key, y)] = float(num)
        if den is not None:
            self.lp.le(expr, float(den))          # a count is at most its base
            if val is not None and num is None:   # a rate beside its denominator
                h = 0.5 * 10 ** -_decimals(val)
                self.lp.between(expr, float(den) * (val - h) / 100, float(den) * (val + h) / 100)
        for bound in ("lower", "upper"):
            if r.get(bound) is not None and num is None and not r.get("published"):
                raise AssertionError(f"an interval is published beside a withheld count: {r}")


def _html_counts(html: str, names: dict) -> list[tuple]:
    """(level, area, year, count or None) from the report's 'Antal bag tallene' tables."""
    out = []
    sections = [sec for sec in re.split(r"<h3[^>]*>", html) if sec.startswith(IND_LABEL)]
    html = "".join(sections)
    for table in re.findall(r"<table[^>]*>.*?</table>", html, flags=re.S):
        if "Antal bag tallene" not in table:
            continue
        years = [int(y) for y in re.findall(r"<th[^>]*>(\d{4})</th>", table)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
            if not cells:
                continue
            label = re.sub(r"<[^>]+>", "", cells[0]).strip()
            if not label.endswith(": antal"):
                continue
            key = names.get(label[: -len(": antal")])
            for y, c in zip(years, cells[1:]):
                text = re.sub(r"<[^>]+>", "", c).strip().replace(".", "")
                if text.isdigit():
                    out.append((key, y, int(text)))
                elif "ev-suppressed" in c:  # a withheld count, with its reason
                    out.append((key, y, None))
    return out


def test_no_suppressed_count_can_be_recovered_from_all_outputs(outputs):
    root, status = outputs
    truth = _truth(root)
    att = _Attack()
    names = {"Helhedsplanerne i Aalborg Øst – Kriminalpræventiv indsats": ("plan", scenario.PLAN_A),
             "Helhedsplan Aalborg Øst B (overlappende)": ("plan", scenario.PLAN_B),
             "Helhedsplan i Aalborg Øst v. Himmerland Boligforening": ("plan_part", "himmerland"),
             "Helhedsplan i Aalborg Øst v. Alabu Bolig og Lejerbo": ("plan_part", "alabu-lejerbo")}
    n_numbers = 0
    for y in scenario.YEARS:
        d = root / "reports" / str(y)
        for p in (scenario.PLAN_A, scenario.PLAN_B):
            fig = json.loads((d / f"{p}.json").read_text(encoding="utf-8"))["figures"]
            for ind in fig["indicators"]:
                if ind["indicator"] == IND:
                    rows = ind["series"]
                    rows = [dict(zip(rows["columns"], r)) for r in rows["data"]] if isinstance(rows, dict) else rows
                    for r in rows:
                        att.series_row(r)
                        n_numbers += 1
            for c in fig["criteria"]:
                if c.get("indicator") == IND:
                    assert c.get("observed_reason") or c.get("observed_value") is not None or c["kind"] == "milestone"
            for (key, yr, count) in _html_counts((d / f"{p}.html").read_text(encoding="utf-8"), names):
                if key is None or yr not in YEARS:
                    continue
                if count is None:
                    att.suppressed.add((*key, yr))
                else:
                    att.lp.eq(att.area_expr(*key, yr), float(count))
                    n_numbers += 1
            st = status[(p, y)]
            for ind in st["indicators"]:
                if ind["id"] == IND:
                    for r in ind["series"]:
                        att.series_row(r)
                        n_numbers += 1
            for c in st["criteria"]:
                if c.get("indicator") != IND:
                    continue
                for prefix in ("baseline", "observed"):
                    yr, cnt = c.get(f"{prefix}_year"), c.get(f"{prefix}_count")
                    if cnt is not None and yr in YEARS:
                        att.lp.eq(att.area_expr(c.get("level") or "plan", c.get("area") or p, int(yr)), float(cnt))
                        n_numbers += 1
            for a in st["averages"]:
                if a["indicator"] != IND or a.get("pooled_rate") is None or (a["level"], a["area"]) not in AREAS:
                    continue
                yrs = range(int(a["first_year"]), int(a["last_year"]) + 1)
                dens = [r.get("denominator") for ind in st["indicators"] if ind["id"] == IND for r in ind["series"]
                        if (r["level"], r["area"]) == (a["level"], a["area"]) and r["year"] in yrs]
                if len(dens) == len(yrs) and all(v is not None for v in dens):
                    h = 0.5 * 10 ** -_decimals(a["pooled_rate"])
                    expr = {}
                    for yr in yrs:
                        for k, v in att.area_expr(a["level"], a["area"], yr).items():
                            expr[k] = v
                    att.lp.between(expr, sum(dens) * (a["pooled_rate"] - h) / 100, sum(dens) * (a["pooled_rate"] + h) / 100)
    assert n_numbers > 200  # the attacker read the outputs
    # summary.csv and index.html publish statuses, no counts
    for y in scenario.YEARS:
        rows = list(csv.DictReader((root / "reports" / str(y) / "summary.csv").open(encoding="utf-8")))
        assert {r["plan_id"] for r in rows} == {scenario.PLAN_A, scenario.PLAN_B}

    targets = {}
    for (level, area, y) in att.suppressed:
        targets[(level, area, y)] = att.area_expr(level, area, y)
    # hidden cells an attacker would go for: A minus B, the estates B shares with the small part
    for y in YEARS:
        targets[("hidden", "AO-08+AO-09", y)] = {("x", "AO-08", y): 1.0, ("x", "AO-09", y): 1.0}
        targets[("hidden", "AO-06+AO-07", y)] = {("x", "AO-06", y): 1.0, ("x", "AO-07", y): 1.0}
    planted = [("plan_part", "alabu-lejerbo", 2020), ("plan_part", "alabu-lejerbo", 2019)]
    for key in planted:
        assert key in att.suppressed, f"the planted small cell {key} is published"
    checked_small = 0
    for key, expr in sorted(targets.items(), key=str):
        true = sum(truth[(e, key[2])][0] for (_, e, _), _c in expr.items())
        lo, hi = att.lp.interval(expr)
        assert lo - 1e-6 <= true <= hi + 1e-6, f"{key}: the truth {true} is outside [{lo}, {hi}] (attacker model wrong)"
        if key[0] != "hidden":
            assert hi - lo >= 1 - 1e-6, f"{key} pinned to {lo}"
        if 0 < true < THRESHOLD:
            checked_small += 1
            assert hi - lo >= THRESHOLD - 1e-6, f"{key} (true {true}) only in [{lo:g}, {hi:g}]"
            assert hi >= THRESHOLD - 1e-6
    assert checked_small >= 3


def test_the_attack_pins_the_small_part_when_only_primary_cells_are_withheld(outputs):
    """The attack is real: publishing every count but the small ones (primary suppression
    only, what the product did before the release step) gives the part's 2 persons back."""
    root, _ = outputs
    truth = _truth(root)
    lp = LinearAttacker()
    for (level, area), ests in AREAS.items():
        for y in YEARS:
            n = sum(truth[(e, y)][0] for e in ests)
            if not 0 < n < THRESHOLD:
                lp.eq({("x", e, y): 1.0 for e in ests}, float(n))
    lo, hi = lp.interval({("x", e, 2020): 1.0 for e in AREAS[("plan_part", "alabu-lejerbo")]})
    assert lo == hi == 2.0


def test_activity_counts_cannot_be_recovered_across_years(outputs):
    """2 courses in 2020: the 2020 outputs withhold it, and the plan period's totals of 2019 and
    2020 (participants, courses, cost per participant) do not give it back."""
    root, status = outputs
    lp = LinearAttacker()
    for v in ("C_pre", "c2019", "c2020", "E_pre", "e2019", "e2020"):
        lp.var(v)
    withheld = False
    for y in scenario.YEARS:
        for p in (scenario.PLAN_A, scenario.PLAN_B):
            st = status[(p, y)]
            fig = json.loads((root / "reports" / str(y) / f"{p}.json").read_text(encoding="utf-8"))["figures"]
            for acts in (st["activities"], fig["activities"]):
                for a in acts:
                    if a["metric"] == "courses_started":
                        if a.get("observed") is None:
                            withheld |= y == 2020
                        else:
                            lp.eq({f"c{y}": 1.0}, float(a["observed"]))
            for b in (st["budget"], fig["budget"]):
                cpp = b.get("cost_per_participant") or {}
                years = ["c2019"] + (["c2020"] if y == 2020 else [])
                events = ["e2019"] + (["e2020"] if y == 2020 else [])
                if cpp.get("participants") is not None:
                    lp.eq({"C_pre": 1, "E_pre": 1, **{k: 1 for k in years + events}}, float(cpp["participants"]))
                by = cpp.get("by_kind") or {}
                if by.get("courses_started") is not None:
                    lp.eq({"C_pre": 1, **{k: 1 for k in years}}, float(by["courses_started"]))
                if by.get("event_participants") is not None:
                    lp.eq({"E_pre": 1, **{k: 1 for k in events}}, float(by["event_participants"]))
                kr = cpp.get("per_participant_computed_kr")
                if kr is not None and b.get("computed_total_kr"):
                    # participants = total / kr, kr rounded to whole kroner
                    total = float(b["computed_total_kr"])
                    lp.between({"C_pre": 1, "E_pre": 1, **{k: 1 for k in years + events}},
                               total / (kr + 0.5), total / (kr - 0.5))
    assert withheld, "the 2 courses of 2020 are published"
    lo, hi = lp.interval({"c2020": 1.0})
    assert lo <= scenario.COURSES_2020 <= hi
    assert hi - lo >= THRESHOLD - 1e-6, f"2020 courses only in [{lo}, {hi}]"


def test_status_text_and_json_withhold_small_activity_counts(outputs):
    root, status = outputs
    st = status[(scenario.PLAN_A, 2020)]
    att = next(a for a in st["activities"] if a["metric"] == "attachment_rate")
    assert att["observed"] is None and att["n"] is None and "1 af 1" not in (att["note"] or "")
    text = (root / "reports" / "2020" / f"{scenario.PLAN_A}.status.txt").read_text(encoding="utf-8")
    assert "1 af 1 med kontakt" not in text and "< 3" in text


def test_the_audit_finds_nothing_in_the_scenario_outputs(outputs):
    from evaluering.disclosure import audit_path

    root, _ = outputs
    findings = audit_path(root / "reports", threshold=THRESHOLD)
    assert not findings, "\n".join(map(str, findings))


def test_the_release_record_keeps_last_years_decisions(outputs):
    root, _ = outputs
    led = pd.read_csv(root / "data" / "processed" / "released" / "data_raw_plans" / "ledger.csv", dtype=str, keep_default_na=False)
    key = led[(led["indicator"] == IND) & (led["area"] == "aalborg-oest/alabu-lejerbo") & (led["period"] == "2019")
              & (led["role"] == "numerator")]
    assert key["reason"].tolist() == ["< 3"] and key["value"].tolist() == [""]
    assert key["release_year"].tolist() == ["2019"]
    # never a suppressed value in the record
    assert (led.loc[led["reason"] != "", "value"] == "").all()
    meta = json.loads((root / "data" / "processed" / "released" / "data_raw_plans" / "releases.json").read_text(encoding="utf-8"))
    assert set(meta) == {"2019", "2020"}
