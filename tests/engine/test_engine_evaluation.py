"""evaluate(), Evaluation.to_dict()/_repr_html_ and `evaluering status`."""

from __future__ import annotations

import json

import pytest

from evaluering.cli import main
from evaluering.evaluation import evaluate

from engine_helpers import PLAN_FILE, ROOT, cell, cells, example_logs, plan

REQUIRED = ("id", "indicator", "baseline_year", "baseline_value", "target_year", "target_value",
            "observed_value", "status")


@pytest.fixture(scope="module")
def ev():
    p = plan()
    rows = [cell("plan", "aalborg-oest", 2020, "sigtet_mistaenkt", 18, 600),
            cell("municipality", "0851", 2020, "sigtet_mistaenkt", 70, 9000)]
    return evaluate(p, 2020, cells=cells(rows), logs=example_logs(p))


def test_to_dict_is_json_with_the_contract_fields(ev):
    d = json.loads(json.dumps(ev.to_dict(), allow_nan=False))
    assert d["plan"] == "aalborg-oest" and d["year"] == 2020 and d["synthetic"] is True
    assert d["data_label"].startswith("Syntetiske data")
    crit = {c["id"]: c for c in d["criteria"]}
    assert set(crit) == {"K1", "K2", "K3", "K3b"}
    for c in crit.values():
        assert all(k in c for k in REQUIRED)
    k1 = crit["K1"]
    assert (k1["baseline_value"], k1["baseline_count"], k1["target_value"]) == (4.2, 24, 3.15)
    assert k1["observed_value"] == pytest.approx(3.0) and k1["status"] == "opfyldt"
    # published rates carry the indicator's decimals (the release rounds them), never full precision
    assert k1["comparison_observed_value"] == round(100 * 70 / 9000, 1)
    assert d["budget"]["gap_kr"] == 99000 and d["budget"]["flag"] is True
    assert {a["goal"] for a in d["activities"]} >= {"A1.1", "A1.2", "A1.3", "A1.4", "A2.1", "A2.2", "A3.1", "A3.2"}
    almen = [c for c in d["printed_checks"] if c["area"] == "almen"][0]
    assert (almen["printed_value"], almen["computed_rounded"], almen["flag"]) == (2.3, 2.2, True)
    # no estate-level rows in the summary
    for ind in d["indicators"]:
        assert all(r["level"] != "estate" for r in ind["series"])


def test_ssp_log_pooled_from_estates_to_plan(ev):
    s = ev.indicator("ssp_sager_niveau_1_2", levels=("plan",))
    est = ev.indicator("ssp_sager_niveau_1_2", levels=("estate",))
    for y in (2017, 2018, 2019, 2020):
        assert s.loc[s["year"] == y, "value"].iloc[0] == est.loc[est["year"] == y, "numerator"].sum()
    assert ev.cells is not None and set(ev.cells["level"]) == {"estate", "plan_part", "plan"}
    assert ev.example_logs


def test_html_is_danish_and_flags_synthetic_data(ev):
    h = ev._repr_html_()
    assert "Syntetiske data" in h and "Succeskriterier" in h and "Aktivitetsmål" in h
    assert "3,15 %" in h and "4,2 %" in h and "afvigelse 99.000 kr." in h and "Almene boligsektor" in h
    assert "Evaluation(plan='aalborg-oest'" in repr(ev)


def test_evaluate_accepts_a_plan_id_and_reads_defaults():
    ev = evaluate("aalborg-oest", 2018)
    crit = ev.criteria.set_index("id")
    assert crit.loc["K1", "baseline_value"] == 4.2 and crit.loc["K3", "status"] == "opfyldt"
    assert ev.synthetic


def test_cli_status_json(capsys):
    assert main(["status", "--plan", "aalborg-oest", "--year", "2020", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    crit = {c["id"]: c for c in d["criteria"]}
    assert crit["K1"]["target_value"] == 3.15 and crit["K1"]["baseline_value"] == 4.2
    assert crit["K2"]["baseline_year"] == 2017
    # the plan has four delaftaler: each with its criteria; the budget is the plan's
    assert [a["focus_area"] for a in d["focus_areas"]] == [
        "Kriminalpræventiv indsats", "Tryghed og trivsel", "Uddannelse og beskæftigelse",
        "Forebyggelse og forældreansvar"]
    assert [c["id"] for c in d["focus_areas"][0]["criteria"]] == ["K1", "K2", "K3", "K3b"]
    assert d["focus_areas"][0]["budget"]["computed_total_kr"] == 894000 + 114000
    assert d["budget"]["computed_total_kr"] == 1008000 + 900000 + 1050000 + 750000
    assert d["budget"]["local_share_pct"] == pytest.approx(100 * (114000 + 300000 + 350000 + 250000) / 3708000)
    assert d["budget"]["local_share_ok"] is True
    assert [a["example"] for a in d["focus_areas"]] == [False, True, True, True]


def test_cli_status_table(capsys):
    assert main(["status", "--plan", "aalborg-oest", "--year", "2019"]) == 0
    out = capsys.readouterr().out
    assert "Syntetiske data" in out and "K1" in out and "AFVIGELSE 99.000 kr." in out


def test_cli_unknown_plan_is_one_line_exit_2(capsys):
    assert main(["status", "--plan", "nope", "--year", "2020"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "unknown plan 'nope'" in err


def test_cli_bad_log_names_file_row_column(tmp_path, capsys):
    bad = tmp_path / "moeder.csv"
    bad.write_text("Dato;Mødetype;Åbent møde;Ferieplan for;Målgruppe identificeret\n"
                   "08.02.2018;Netværksmøde;måske;;nej\n", encoding="utf-8")
    text = PLAN_FILE.read_text(encoding="utf-8").replace(
        "meetings_log: data/raw/logs/netvaerksmoeder.csv", f"meetings_log: {bad}")
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "aalborg-oest.yaml").write_text(text, encoding="utf-8")
    code = main(["status", "--plan", "aalborg-oest", "--year", "2018", "--plans", str(tmp_path / "plans")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert "moeder.csv:2:" in err and "måske" not in err


def test_templates_have_the_danish_headers_of_docs_logs():
    import csv
    import re

    from openpyxl import load_workbook

    doc = (ROOT / "docs" / "logs.md").read_text(encoding="utf-8")
    heads = {}
    for kind, cells_ in re.findall(r"\(`(\w+)`\) \| (.+) \|", doc):
        heads[kind] = re.findall(r"`([^`]+)` \[", cells_)
    files = {"ssp": "ssp_sager", "meetings": "netvaerksmoeder", "courses": "ungeforloeb",
             "events": "opkvalificering", "milestones": "milepaele"}
    assert set(heads) == set(files)
    for kind, stem in files.items():
        d = ROOT / "data" / "raw" / "templates"
        with open(d / f"{stem}.csv", encoding="utf-8") as fh:
            assert next(csv.reader(fh, delimiter=";")) == heads[kind]
        ws = load_workbook(d / f"{stem}.xlsx").active
        assert [c.value for c in ws[1]] == heads[kind]
        # the example logs use the same headers
        with open(ROOT / "data" / "raw" / "logs" / f"{stem}.csv", encoding="utf-8") as fh:
            assert next(csv.reader(fh, delimiter=";")) == heads[kind]


def test_example_logs_are_marked_as_invented():
    readme = (ROOT / "data" / "raw" / "logs" / "README.md").read_text(encoding="utf-8")
    assert "opdigtede eksempeldata" in readme and "Syntetiske data" in readme
    assert plan().data.get("synthetic") is True


def test_small_counts_are_suppressed_in_the_summary():
    p = plan()
    rows = [cell("plan", "aalborg-oest", 2020, "sigtet_mistaenkt", 2, 600)]
    ev = evaluate(p, 2020, cells=cells(rows), logs=example_logs(p))
    k1 = {c["id"]: c for c in ev.to_dict()["criteria"]}["K1"]
    assert k1["observed_value"] is None and k1["observed_count"] is None and k1["observed_reason"] == "< 3"
    assert k1["ratio"] is None and k1["significant"] is None
    assert "&lt; 3" in ev._repr_html_()
    assert k1["baseline_value"] == 4.2                     # 24 persons: shown
    series = {i["id"]: i for i in ev.to_dict()["indicators"]}["andel_sigtede_10_17"]["series"]
    r = [x for x in series if x["level"] == "plan" and x["year"] == 2020][0]
    assert r["value"] is None and r["numerator"] is None and r["suppressed_reason"]
    # the unsuppressed figures stay available to the library user
    assert ev.criteria.set_index("id").loc["K1", "observed_count"] == 2
    assert {c["id"]: c for c in ev.to_dict(threshold=0)["criteria"]}["K1"]["observed_count"] == 2
