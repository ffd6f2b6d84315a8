"""Nothing hangs, every user error is one line with exit code 2, in Danish by default:
alias bombs in plan files, ZIP bombs in Excel files, full disks and read-only folders,
the message catalogue and --lang, missing report inputs and --allow-missing, and the one
declaration of plan-file keys."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evaluering.cli import main

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "data" / "bad"
PLAN = ROOT / "tests" / "data" / "plans" / "aalborg-oest-single.yaml"   # a single-area plan file
CELLS_BUILT = (ROOT / "data" / "processed" / "cells.parquet").is_file()


def _run(args: list[str], cwd: Path, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    """The CLI in a fresh process; a hang fails the test at ``timeout`` (a guard, not a
    measurement)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env or {})}
    return subprocess.run([sys.executable, "-m", "evaluering", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=full_env)


# --- alias bombs and ZIP bombs ------------------------------------------------------------

def test_billion_laughs_is_small_and_expands_beyond_the_limit():
    from evaluering.plan import MAX_PLAN_NODES

    text = (BAD / "plan_billion_laughs.yaml").read_text(encoding="utf-8")
    assert 6000 <= len(text.encode("utf-8")) <= 7000          # the 6.5 kB file of the issue
    assert 10 ** 10 > MAX_PLAN_NODES                           # 10 levels of 10 aliases


@pytest.mark.parametrize("command", ["validate", "status", "report", "batch"])
def test_billion_laughs_fails_fast_everywhere(command, tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    plan = plans / "laughs.yaml"
    shutil.copy(BAD / "plan_billion_laughs.yaml", plan)
    args = {"validate": ["validate", str(plan)],
            "status": ["status", "--plan", str(plan), "--year", "2020"],
            "report": ["report", "--plan", "laughs", "--plans", str(plans), "--year", "2020", "--out",
                       str(tmp_path / "r"), "--no-pdf"],
            "batch": ["batch", "--year", "2020", "--plans", str(plans), "--out", str(tmp_path / "r"), "--no-pdf",
                      "--workers", "1"]}[command]
    proc = _run(["--lang", "en", *args], cwd=ROOT)
    where = f"{plan}:10: the plan expands to more than 50000 values"
    assert where in proc.stderr + proc.stdout
    assert proc.returncode == (1 if command == "batch" else 2)   # batch: one plan failed, the others go on
    assert "Traceback" not in proc.stderr


def test_zip_bomb_is_refused_before_unpacking(tmp_path):
    import zipfile

    from evaluering.sources.schema import MAX_XLSX_UNPACKED

    bomb = BAD / "events_zip_bomb.xlsx"
    with zipfile.ZipFile(bomb) as zf:
        declared = sum(i.file_size for i in zf.infolist())
    assert bomb.stat().st_size < 1_000_000 < MAX_XLSX_UNPACKED < declared
    proc = _run(["--lang", "en", "validate", str(bomb), "--kind", "events"], cwd=ROOT)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"{bomb}: the Excel file unpacks to more than 200 MB "
                                   "(xl/worksheets/sheet1.xml): refused as a possible ZIP bomb")


def test_field_length_limit_names_the_line(tmp_path):
    from evaluering.sources.schema import MAX_FIELD_CHARS, read_raw
    from evaluering.errors import InputError

    f = tmp_path / "x.csv"
    f.write_text("a;b\n1;2\n\n3;\"" + "x" * (MAX_FIELD_CHARS + 1) + "\"\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_raw(f)
    assert (err.value.row, err.value.message) == (4, f"a value longer than {MAX_FIELD_CHARS} characters")
    import csv
    assert csv.field_size_limit() == 131072          # the module-wide limit is put back


# --- full disk, read-only folder -------------------------------------------------------------

REG = {"persons.csv": "person_id,year,estate_id,municipality,birth_year,sex\n101,2018,AO-01,0851,2004,M\n"
                      "102,2018,AO-02,0851,2003,K\n",
       "events.csv": "person_id,date,law,kind\n101,2018-03-01,straffeloven,sigtelse\n",
       "estates.csv": "estate_id,plan_id,plan_part,municipality\nAO-01,p,,0851\nAO-02,p,,0851\n"}


def _register(tmp: Path) -> list[str]:
    for name, text in REG.items():
        (tmp / name).write_text(text, encoding="utf-8")
    return ["-q", "cells", "--persons", str(tmp / "persons.csv"), "--events", str(tmp / "events.csv"),
            "--estates", str(tmp / "estates.csv")]


def test_full_disk_names_the_path_and_the_cause(tmp_path, capsys, monkeypatch):
    import evaluering.atomic as atomic

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(atomic.os, "fsync", no_space)
    out = tmp_path / "out" / "cells.parquet"
    assert main(["--lang", "en", *_register(tmp_path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"evaluering cells: {out}: cannot write the file: the disk is full"
    assert not out.exists() and [p.name for p in out.parent.iterdir()] == []    # nothing half-written


def test_no_permission_names_the_path_and_the_cause(tmp_path, capsys, monkeypatch):
    """Simulated EACCES (works as root too)."""
    import tempfile

    def denied(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "out"))
    monkeypatch.setattr(tempfile, "mkstemp", denied)
    out = tmp_path / "out" / "cells.parquet"
    assert main(["--lang", "en", *_register(tmp_path), "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == (f"evaluering cells: {out}: cannot write the file: "
                                               "no permission to write there")


def test_read_only_folder_with_chmod(tmp_path, capsys):
    """A real read-only folder. As root chmod does not stop writes: then there is nothing to
    test with chmod (the simulated case above covers the message) and the test says so."""
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        probe = folder / ".probe"
        try:
            probe.write_text("x")
        except PermissionError:
            pass
        else:
            probe.unlink()
            pytest.skip("running as root: chmod 555 does not block writes here")
        out = folder / "cells.parquet"
        assert main(["--lang", "en", *_register(tmp_path), "--out", str(out)]) == 2
        assert capsys.readouterr().err.strip() == (f"evaluering cells: {out}: cannot write the file: "
                                                   "no permission to write there")
    finally:
        folder.chmod(0o755)


def test_os_errors_of_writes_become_output_errors():
    from evaluering.errors import OutputError

    for code, cause in [(errno.ENOSPC, "the disk is full"), (errno.EROFS, "the file system is read-only"),
                        (errno.EACCES, "no permission to write there")]:
        err = OutputError.from_os("x/y.html", OSError(code, os.strerror(code)))
        assert err.text("en") == f"cannot write the file: {cause}"
        assert err.exit_code == 2
    assert not OutputError.is_write_error(FileNotFoundError(errno.ENOENT, "x"))


# --- language ----------------------------------------------------------------------------------

def test_danish_by_default_english_on_request(tmp_path):
    f = BAD / "ssp_negative_count.csv"
    env_da = {"EVALUERING_LANG": ""}
    da = _run(["validate", str(f)], cwd=ROOT, env=env_da)
    en_flag = _run(["--lang", "en", "validate", str(f)], cwd=ROOT, env=env_da)
    en_env = _run(["validate", str(f)], cwd=ROOT, env={"EVALUERING_LANG": "en"})
    assert da.stderr.strip() == f"{f}:3:Antal sager: negativt antal"
    assert en_flag.stderr.strip() == en_env.stderr.strip() == f"{f}:3:Antal sager: negative count"
    assert da.returncode == en_flag.returncode == en_env.returncode == 2


def test_catalogue_has_no_duplicate_entries_and_every_placeholder_carries_over():
    import re

    import yaml

    from evaluering.plan import _check_nodes

    path = ROOT / "src" / "evaluering" / "messages.yaml"
    node = yaml.compose(path.read_text(encoding="utf-8"))
    _check_nodes(path, node)                                   # raises on a duplicate key
    for en, da in yaml.safe_load(path.read_text(encoding="utf-8")).items():
        assert set(re.findall(r"\{(\w+)\}", en)) == set(re.findall(r"\{(\w+)\}", da)), en


def test_fetch_dst_lang_is_not_the_message_language(tmp_path, capsys, monkeypatch):
    """`fetch-dst --lang en` asks StatBank for English; it does not switch the messages."""
    monkeypatch.delenv("EVALUERING_LANG", raising=False)
    assert main(["fetch-dst", "FOLK1A", "--cache", str(tmp_path), "--offline", "--lang", "en"]) == 2
    assert "EVALUERING_LANG" not in os.environ
    monkeypatch.setenv("EVALUERING_LANG", "en")


# --- missing report inputs ------------------------------------------------------------------------

def _plan(tmp: Path, replace: dict[str, str]) -> Path:
    text = PLAN.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    out = tmp / "plan.yaml"
    out.write_text(text, encoding="utf-8")
    return out


MISSING = {
    "log file": ({"ssp_log: data/raw/logs/ssp_sager.csv": "ssp_log: data/raw/logs/findes_ikke.csv"}, 2020,
                 "data.ssp_log", "the log file 'ssp' is missing"),
    "year outside the period": ({}, 2024, "--year", "the year 2024 is outside the plan period 2017-2020"),
    "estates without cells": ({"{id: AO-01, name: Afdeling AO-01, part: himmerland}":
                               "{id: XX-01, name: Afdeling XX-01, part: himmerland}",
                               "{id: AO-02, name: Afdeling AO-02, part: himmerland}":
                               "{id: XX-02, name: Afdeling XX-02, part: himmerland}"}, 2020, "estates", None),
}


@pytest.mark.skipif(not CELLS_BUILT, reason="data/processed/cells.parquet not built (evaluering build)")
@pytest.mark.parametrize("case", sorted(MISSING))
def test_missing_inputs_refused_unless_allowed(case, tmp_path, capsys, monkeypatch):
    from evaluering.plan import load_plan
    from evaluering.sources.missing import missing_inputs

    monkeypatch.chdir(ROOT)
    replace, year, key, fragment = MISSING[case]
    if case == "estates without cells":      # every estate renamed: no cell belongs to the plan
        text = PLAN.read_text(encoding="utf-8").replace("id: aalborg-oest", "id: xx-plan").replace(
            "ssp_log: data/raw/logs/ssp_sager.csv", "ssp_log: data/raw/logs/findes_ikke.csv")  # it names AO-0x
        for i in range(1, 10):
            text = text.replace(f"AO-0{i}", f"XX-0{i}")
        for part in ("himmerland", "alabu-lejerbo"):     # nor published rows of its own parts
            text = text.replace(part, f"xx-{part}")
        plan = tmp_path / "plan.yaml"
        plan.write_text(text, encoding="utf-8")
        fragment = "no count cells for the plan's estates (XX-01"
    else:
        plan = _plan(tmp_path, replace)
    got = missing_inputs(load_plan(plan), year)
    assert any(fragment in m.message for m in got)
    assert main(["status", "--plan", str(plan), "--year", str(year)]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and err.endswith("use --allow-missing to report without it")
    assert f"{plan}:" in err and f":{key}:" in err
    assert main(["status", "--plan", str(plan), "--year", str(year), "--allow-missing"]) == 0
    out = capsys.readouterr().out
    assert "Mangler:" in out


@pytest.mark.skipif(not CELLS_BUILT, reason="data/processed/cells.parquet not built (evaluering build)")
def test_comparison_level_without_data_is_said(tmp_path, monkeypatch):
    import pandas as pd

    from evaluering.plan import load_plan
    from evaluering.sources.missing import missing_inputs
    from evaluering.sources.tables import read_cells

    monkeypatch.chdir(ROOT)
    cells = read_cells(ROOT / "data" / "processed" / "cells.parquet")
    without = cells[cells["level"] != "country"].reset_index(drop=True)
    f = tmp_path / "cells.csv"
    without.to_csv(f, index=False)
    plan = load_plan(_plan(tmp_path, {"cells: data/processed/cells.parquet": f"cells: {f}",
                                      "published: data/raw/published": "published: data/raw/nowhere"}))
    got = [m.message for m in missing_inputs(plan, 2020)]
    assert got == ["no data for the comparison level 'country' (DK)"]
    assert isinstance(cells, pd.DataFrame)


@pytest.mark.skipif(not CELLS_BUILT, reason="data/processed/cells.parquet not built (evaluering build)")
def test_bundled_plan_misses_nothing(monkeypatch):
    from evaluering.plan import load_plan
    from evaluering.sources.missing import missing_inputs

    monkeypatch.chdir(ROOT)
    assert missing_inputs(load_plan(PLAN), 2020) == []


def test_plan_without_published_shows_no_other_plans_figures(tmp_path, monkeypatch):
    from evaluering.plan import load_plan
    from evaluering.published import load_published

    monkeypatch.chdir(ROOT)
    text = PLAN.read_text(encoding="utf-8").replace("id: aalborg-oest", "id: andet-omraade")
    for i in range(1, 10):
        text = text.replace(f"AO-0{i}", f"AN-0{i}")
    for part in ("himmerland", "alabu-lejerbo"):
        text = text.replace(part, f"andet-{part}")
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    other = load_plan(tmp_path / "p.yaml")
    pub = load_published(ROOT / "data" / "raw" / "published", plan=other)
    assert pub.values.empty and pub.printed_averages.empty
    own = load_published(ROOT / "data" / "raw" / "published", plan=load_plan(PLAN))
    assert len(own.values) and set(own.values["source"]) <= set(
        load_published(ROOT / "data" / "raw" / "published").values["source"])


# --- the one declaration of plan keys ----------------------------------------------------------

def test_bundled_plan_uses_only_declared_keys():
    from evaluering.plan import load_plan

    assert load_plan(PLAN).id == "aalborg-oest"


@pytest.mark.parametrize("old,new,column,near", [
    ("\nbudget:", "\nbudgett:", "budgett", "budget"),
    ("  stated_total_kr: 1107000", "  stated_totl_kr: 1107000", "budget.stated_totl_kr", "stated_total_kr"),
    ("    due: 2018-12-31", "    deu: 2018-12-31", "criteria.2.deu", "due"),
    ("  winter_week: 7", "  winterweek: 7", "holidays.winterweek", "winter_week"),
    ("  ssp_log: data", "  ssp_logs: data", "data.ssp_logs", "ssp_log"),
])
def test_unknown_key_at_any_level_suggests_the_nearest(old, new, column, near, tmp_path):
    from evaluering.errors import PlanError
    from evaluering.plan import load_plan

    plan = _plan(tmp_path, {old: new})
    line = next(i for i, ln in enumerate(plan.read_text(encoding="utf-8").splitlines(), start=1)
                if ln.startswith(new.strip("\n")))
    with pytest.raises(PlanError) as err:
        load_plan(plan)
    assert (err.value.row, err.value.column) == (line, column)
    assert err.value.message == f"unknown key '{column.rsplit('.', 1)[-1]}'; did you mean '{near}'?"


def test_a_new_key_is_one_line_of_the_declaration(tmp_path, monkeypatch):
    """Extending the declaration (as a new plan section would) needs no code."""
    import copy

    import evaluering.plan_schema as ps
    from evaluering.plan import load_plan

    schema = copy.deepcopy(ps.plan_schema())
    schema["plan"]["keys"]["focus_areas"] = {"type": "list", "items": {"type": "map", "keys": {
        "focus_area": {"type": "str"}, "criteria": {"ref": "criteria"}, "budget": {"ref": "budget"}}}}
    monkeypatch.setattr(ps, "plan_schema", lambda: schema)
    text = PLAN.read_text(encoding="utf-8") + ("focus_areas:\n  - focus_area: Uddannelse\n    budget:\n"
                                               "      stated_total_kr: 5\n")
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    assert load_plan(tmp_path / "p.yaml").raw["focus_areas"][0]["focus_area"] == "Uddannelse"
    (tmp_path / "p.yaml").write_text(text.replace("stated_total_kr: 5", "stated_total: 5"), encoding="utf-8")
    with pytest.raises(Exception, match="did you mean 'stated_total_kr'"):
        load_plan(tmp_path / "p.yaml")


@pytest.mark.skipif(not CELLS_BUILT, reason="data/processed/cells.parquet not built (evaluering build)")
def test_report_header_shows_what_is_missing(monkeypatch):
    """With --allow-missing the report is written and says what it lacks (in Danish)."""
    from evaluering.yearly import YearlyReport

    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("EVALUERING_LANG", "da")
    html = YearlyReport.load("aalborg-oest", 2024, project_root=str(ROOT)).header()._repr_html_()
    assert "Manglende data" in html and "året 2024 ligger uden for planperioden 2017-2020" in html
    ok = YearlyReport.load("aalborg-oest", 2020, project_root=str(ROOT)).header()._repr_html_()
    assert "Manglende data" not in ok


def test_report_command_refuses_missing_inputs(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["report", "--plan", "aalborg-oest", "--year", "2024", "--out", str(tmp_path), "--no-pdf"]) == 2
    err = capsys.readouterr().err.strip()
    bundled = ROOT / "data" / "raw" / "plans" / "aalborg-oest.yaml"
    assert err == (f"evaluering report: {bundled}:--year: the year 2024 is outside the plan period 2017-2020; "
                   "use --allow-missing to report without it")
    assert not any(tmp_path.iterdir())


# --- SAS files are recognised without --kind ---------------------------------------------------

def test_sas_file_kind_from_its_columns(tmp_path, monkeypatch):
    """A persons extract as SAS (written as XPORT, read through the SAS reader's seam like
    tests/cells does; pyreadstat cannot write SAS7BDAT)."""
    import pandas as pd
    import pyreadstat

    from evaluering.sources.validate import validate_file

    persons = pd.DataFrame({"person_id": [101.0, 102.0], "year": [2018.0, 2018.0], "estate_id": ["AO-01", "AO-02"],
                            "birth_year": [2004.0, 2003.0], "sex": ["M", "K"]})
    path = tmp_path / "persons.sas7bdat"
    pyreadstat.write_xport(persons, str(path), table_name="persons")
    monkeypatch.setattr(pyreadstat, "read_sas7bdat", pyreadstat.read_xport)
    result = validate_file(path)
    assert (result.kind, result.ok) == ("register-persons", True), result.lines()


@pytest.mark.parametrize("where", [ROOT.parent / "shared", ROOT.parents[1] / "shared"])
def test_real_sas_file_of_another_kind_is_a_clear_error(where):
    from evaluering.sources.validate import validate_file

    sample = where / "real-sources" / "sas" / "sample.sas7bdat"
    if not sample.is_file():
        pytest.skip(f"{sample} not here")
    result = validate_file(sample)
    assert not result.ok and "cannot tell what kind of file" in result.problems[0].message
    assert "give --kind" in result.problems[0].message


# --- a damaged StatBank cache --------------------------------------------------------------------

def test_corrupt_statbank_cache_query_file(statbank_cache, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    query = next((statbank_cache / "STRAF22").glob("*.query.json"))
    query.write_text('{"table": "STRAF22", "variables": [', encoding="utf-8")
    code = main(["--lang", "en", "convert", "--plan", "aalborg-oest", "--out", str(tmp_path / "out"),
                 "--dst-cache", str(statbank_cache)])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err == f"evaluering convert: {query}:1: not a readable StatBank cache file (JSONDecodeError)"
    assert not (tmp_path / "out").exists()
