"""`validate` and the commands that consume a file agree on every file of the bad-input
corpus (tests/data/bad/): both refuse it with the same ``file:row:column: message`` line and
exit code 2. Each kind of file is given to the command that reads it in real use:

plan file                  status --plan FILE, report --plan ID --plans DIR
logs, cells, published     status --plan PLAN.yaml --allow-missing (a copy of the bundled plan
                           whose `data:` points at the file)
estate map, register       cells --persons P --events E --estates MAP (good companions)
DiD panel                  did FILE --unit unit --time time --start start --count ... --population ...
StatBank answer            convert --dst-cache DIR (the file as a cached answer)
LBF export                 convert --lbf FILE

Also: good variants that used to be read differently (a `;` published table with `4,2`,
``..`` markers, cp1252) are accepted by both and read as the same values.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from evaluering.cli import main
from evaluering.sources.validate import validate_file

from test_sources_bad_corpus import BAD, CASES  # noqa: E402 (the same folder)

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "data" / "raw" / "plans" / "aalborg-oest.yaml"
LOG_KEYS = {"ssp": "ssp_log", "meetings": "meetings_log", "courses": "courses_log", "events": "events_log",
            "milestones": "milestones_log"}

PERSONS = ("person_id,year,estate_id,municipality,birth_year,sex\n101,2018,AO-01,0851,2004,M\n"
           "102,2018,AO-01,0851,2003,K\n103,2018,AO-02,0851,2005,M\n")
EVENTS = "person_id,date,law,kind\n101,2018-03-01,straffeloven,sigtelse\n103,2018-05-02,straffeloven,afgoerelse\n"
ESTATES = "estate_id,plan_id,plan_part,municipality\nAO-01,aalborg-oest,himmerland,0851\nAO-02,aalborg-oest,himmerland,0851\n"


def _plan_copy(tmp: Path, **data) -> Path:
    """The bundled plan with some `data:` entries replaced (absolute paths)."""
    import yaml

    text = PLAN.read_text(encoding="utf-8")
    for key, value in data.items():
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if line.strip().startswith(f"{key}:"):
                lines[i] = f"  {key}: {json.dumps(str(value))}"
        text = "\n".join(lines) + "\n"
    out = tmp / "plan.yaml"
    out.write_text(text, encoding="utf-8")
    assert yaml.safe_load(text)["data"][next(iter(data))] == str(next(iter(data.values())))
    return out


def _consumer(kind: str, path: Path, tmp: Path) -> tuple[list[str], dict[str, str]]:
    """(argv of the consuming command, {path the command names: path validate names})."""
    if kind == "plan":
        return ["status", "--plan", str(path), "--year", "2020"], {}
    if kind in LOG_KEYS:
        return ["status", "--plan", str(_plan_copy(tmp, **{LOG_KEYS[kind]: path})), "--year", "2020",
                "--allow-missing"], {}
    if kind == "cells":
        return ["status", "--plan", str(_plan_copy(tmp, cells=path)), "--year", "2020", "--allow-missing"], {}
    if kind in ("published", "printed-averages"):
        folder = tmp / "published"
        folder.mkdir()
        copy = folder / (path.stem + ".csv")
        shutil.copy(path, copy)
        return (["status", "--plan", str(_plan_copy(tmp, published=folder)), "--year", "2020", "--allow-missing"],
                {str(copy): str(path)})
    if kind in ("estates", "register-persons", "register-events"):
        files = {"persons": tmp / "persons.csv", "events": tmp / "events.csv", "estates": tmp / "estates.csv"}
        files["persons"].write_text(PERSONS, encoding="utf-8")
        files["events"].write_text(EVENTS, encoding="utf-8")
        files["estates"].write_text(ESTATES, encoding="utf-8")
        files[{"estates": "estates", "register-persons": "persons", "register-events": "events"}[kind]] = path
        return ["-q", "cells", "--persons", str(files["persons"]), "--events", str(files["events"]),
                "--estates", str(files["estates"]), "--out", str(tmp / "out" / "cells.parquet")], {}
    if kind == "did-panel":
        return ["did", str(path), "--unit", "unit", "--time", "time", "--start", "start", "--count", "count",
                "--population", "population"], {}
    if kind == "dst":
        from evaluering.sources.dst import Query

        q = Query.make("FOLK1A", {"OMRÅDE": ["000", "851"], "KØN": ["1", "2"], "ALDER": ["*"], "Tid": ["*"]})
        (tmp / "dst" / "FOLK1A").mkdir(parents=True)
        copy = tmp / "dst" / "FOLK1A" / f"{q.key()}.csv"
        shutil.copy(path, copy)
        (copy.with_name(f"{q.key()}.query.json")).write_text(json.dumps(q.body()), encoding="utf-8")
        return (["convert", "--plan", "aalborg-oest", "--out", str(tmp / "conv"), "--dst-cache", str(tmp / "dst")],
                {str(copy): str(path)})
    if kind == "lbf":
        return ["convert", "--plan", "aalborg-oest", "--out", str(tmp / "conv"), "--lbf", str(path)], {}
    raise AssertionError(f"no consumer for kind {kind}")


def _validate_line(path: Path, kind: str, plan: Path | None, capsys) -> tuple[int, str]:
    argv = ["validate", str(path), "--kind", kind] + (["--plan", str(plan)] if plan else [])
    code = main(argv)
    out, err = capsys.readouterr()
    return code, (err.splitlines() or [out.strip()])[0]


#: (file, kind) of every corpus case whose kind is known (given or recognised)
def _cases():
    seen = set()
    for name, kind, *_ in CASES:
        kind = kind or validate_file(BAD / name).kind
        if kind is None or (name, kind) in seen:
            continue
        seen.add((name, kind))
        yield name, kind


AGREE = sorted(_cases())


@pytest.mark.parametrize("name,kind", AGREE, ids=[f"{n}-{k}" for n, k in AGREE])
def test_validate_and_consumer_refuse_alike(name, kind, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    path = BAD / name
    argv, renamed = _consumer(kind, path, tmp_path)
    plan = Path(argv[argv.index("--plan") + 1]) if kind in (*LOG_KEYS, "cells") else None
    v_code, v_line = _validate_line(path, kind, plan, capsys)
    c_code = main(argv)
    out, err = capsys.readouterr()
    assert v_code == 2 and c_code == 2, (v_line, err)
    command = argv[1] if argv[0] == "-q" else argv[0]
    c_line = err.splitlines()[0].removeprefix(f"evaluering {command}: ")
    for theirs, ours in renamed.items():
        c_line = c_line.replace(theirs, ours)
    assert c_line == v_line
    assert "intern fejl" not in err and "internal error" not in err and "Traceback" not in err


@pytest.mark.parametrize("name", [n for n, k in AGREE if k == "plan"])
def test_report_refuses_a_bad_plan_like_validate(name, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    plans = tmp_path / "plans"
    plans.mkdir()
    copy = plans / name
    shutil.copy(BAD / name, copy)
    v_code, v_line = _validate_line(copy, "plan", None, capsys)
    code = main(["report", "--plan", copy.stem, "--plans", str(plans), "--year", "2020", "--out", str(tmp_path / "r"),
                 "--no-pdf"])
    err = capsys.readouterr().err
    assert v_code == 2 and code == 2
    assert err.splitlines()[0].removeprefix("evaluering report: ") == v_line


# --- good variants: accepted by both, read as the same values -----------------------------

def _published_dir(tmp: Path, text: str, encoding: str = "utf-8") -> Path:
    folder = tmp / "published"
    folder.mkdir()
    (folder / "t.csv").write_bytes(text.encode(encoding))
    return folder


VARIANTS = {
    "semicolon-decimal-comma": ("table;indicator;level;area;area_name;year;value;count;unit;source\n"
                                "T2;andel_sigtede_10_17;plan;aalborg-oest;Aalborg Øst;2015;4,2;24;pct.;kilde\n"
                                "T2;andel_sigtede_10_17;plan;aalborg-oest;Aalborg Øst;2016;..;;pct.;kilde\n", "utf-8"),
    "cp1252": ("table;indicator;level;area;area_name;year;value;count;unit;source\n"
               "T2;andel_sigtede_10_17;plan;aalborg-oest;Aalborg Øst;2015;4,2;24;pct.;Landsbyggefonden\n", "cp1252"),
    "suppressed-markers": ("table,indicator,level,area,area_name,year,value,count,unit,source\n"
                           "T2,andel_sigtede_10_17,plan,aalborg-oest,Aalborg Øst,2015,4.2,24,pct.,kilde\n"
                           "T2,andel_sigtede_10_17,municipality,0851,Aalborg,2015,x,<5,pct.,kilde\n", "utf-8"),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_good_published_variants_are_read_alike(variant, tmp_path, monkeypatch, capsys):
    from evaluering.evaluation import evaluate
    from evaluering.plan import load_plan
    from evaluering.published import load_published
    from evaluering.sources.tables import read_published_values

    monkeypatch.chdir(ROOT)
    text, encoding = VARIANTS[variant]
    folder = _published_dir(tmp_path, text, encoding)
    result = validate_file(folder / "t.csv")
    assert result.ok, result.lines()
    checked = read_published_values(folder / "t.csv")
    plan = load_plan(_plan_copy(tmp_path, published=folder))
    used = load_published(folder, plan=plan).values
    assert used["value"].tolist()[:1] == [4.2] == checked["value"].tolist()[:1]
    assert used["value"].isna().tolist() == checked["value"].isna().tolist()
    assert used["decimals"].tolist()[0] == 1
    # the report's series shows the published 4,2 of 2015 for the plan (what validate read)
    if (ROOT / "data" / "processed" / "cells.parquet").is_file():
        ev = evaluate(plan, 2020)
        s = ev.series["andel_sigtede_10_17"]
        row = s[(s["level"] == "plan") & (s["year"] == 2015)]
        assert row["value"].tolist() == [4.2]


def test_cp1252_estate_map_is_read_alike(tmp_path):
    from evaluering.cells.estates import read_estates

    f = tmp_path / "estates.csv"
    f.write_bytes("estate_id;plan_id;plan_part;municipality\nØst-1;aalborg-oest;;0851\nVæld-2;;;0851\n".encode("cp1252"))
    assert validate_file(f).ok and validate_file(f).kind == "estates"
    assert read_estates(f)["estate_id"].tolist() == ["Øst-1", "Væld-2"]
