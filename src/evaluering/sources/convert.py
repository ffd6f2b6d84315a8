"""Real sources -> the inputs of a yearly report, instead of the bundled CSVs.

From a StatBank cache (``data/raw/dst/``, see :mod:`evaluering.sources.dst`), one or more
Landsbyggefonden exports (:mod:`evaluering.sources.lbf`) and the local logs
(:mod:`evaluering.sources.logs`), :func:`convert` writes one folder::

    <out>/cells.parquet            count cells (municipality and country level from StatBank;
                                   any level where the LBF export gives count and base)
    <out>/published/lbf_values.csv published values from the LBF export (tidy, '.' decimals)
    <out>/published/lbf_suppressed.csv  the suppressed/missing LBF values with the reason
    <out>/published/<printed>.csv  with ``printed=``: the source document's printed tables
    <out>/plans/<plan>.yaml        the plan file with its ``data:`` section pointing here and
                                   at the checked logs (``synthetic: false``)

so that ``evaluering report --plan <plan> --year <year> --plans <out>/plans`` builds the
report from these sources. The folder is written atomically (all or nothing).

StatBank cells: a numerator table (STRAF44 afgørelser, STRAF22 sigtelser, ...) is summed
to the age band of a catalogue indicator and divided by FOLK1A's population on 1 January
(quarter ``K1``) of the year, per municipality (``OMRÅDE`` 101-860 -> ``"0851"``) and the
whole country (``000`` -> ``"DK"``). A suppressed component (``..``, or the table's
``suppressedDataValue``) leaves its cell out, with a warning, never a 0. Dimensions not
filtered must carry a total code (``TOT``, ``IALT``) or one value, otherwise the sum is
refused as ambiguous (so CIVILSTAND or OVERTRÆD never multiply a count). Every age of a
band must be in the answer (the ages of the table's tableinfo, when cached): a missing age
is an error, not a smaller denominator. A requested measure that yields no cells is an
error. Answers in text presentation are mapped to codes with the cached tableinfo.

>>> age_range("15-19"), age_range("80-"), age_range("12"), age_range("IALT")
((15, 19), (80, 200), (12, 12), None)
>>> band_range("10-17"), band_range("15+")
((10, 17), (15, 200))
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..errors import EvalueringError, InputError

__all__ = ["DstRecipe", "RECIPES", "population_from_folk1a", "statbank_cells", "lbf_published",
           "lbf_cells", "find_logs", "convert", "ConvertResult", "age_range", "band_range", "main"]

TOTAL_CODES = {"tot", "ialt", "i alt", "total", "00", "alle"}
_OPEN = 200


def age_range(code: Any) -> tuple[int, int] | None:
    """The age interval of a StatBank age code (``"15"``, ``"15-19"``, ``"80-"``,
    ``"99+"``, ``"15-19 år"``), or None for a total/unknown code."""
    t = str(code).strip().lower().replace(" år", "").replace("år", "").strip()
    m = re.match(r"^(\d+)$", t)
    if m:
        return int(m.group(1)), int(m.group(1))
    m = re.match(r"^(\d+)\s*-\s*(\d+)$", t)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = re.match(r"^(\d+)\s*(-|\+|og derover| og derover)$", t)
    if m:
        return int(m.group(1)), _OPEN
    return None


def band_range(band: str) -> tuple[int, int]:
    """The interval of an indicator age band (``"10-17"``, ``"15+"``)."""
    r = age_range(band)
    if r is None:
        raise EvalueringError(f"unknown age band '{band}'")
    return r


def _sex(code: Any) -> str | None:
    t = str(code).strip().lower()
    return {"1": "M", "m": "M", "mænd": "M", "2": "K", "k": "K", "kvinder": "K", "tot": "all",
            "i alt": "all", "ialt": "all"}.get(t)


def _area(code: Any) -> tuple[str, str] | None:
    t = str(code).strip()
    if t in ("000", "0", "00"):
        return "country", "DK"
    if t.isdigit() and 101 <= int(t) <= 860:
        return "municipality", t.zfill(4)
    return None


def _year(code: Any) -> int | None:
    t = str(code).strip().upper()
    m = re.match(r"^(\d{4})(K1|M01)?$", t)
    return int(m.group(1)) if m else None


@dataclass(frozen=True)
class DstRecipe:
    """How one measure's numerator is made from a cached StatBank table.

    ``filters``: variable (lower-case code) -> values kept before summing.
    """

    measure: str
    table: str
    age_band: str
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    note: str = ""


def _domain_recipes() -> tuple[DstRecipe, ...]:
    """The StatBank recipes of the focus-area files (``statbank:``), once per measure and table."""
    from ..domain.focus import load_focus_areas

    out, seen = [], set()
    for area in load_focus_areas().values():
        for r in area.statbank:
            key = (r["measure"], r["table"])
            if key in seen:
                continue
            seen.add(key)
            out.append(DstRecipe(str(r["measure"]), str(r["table"]), str(r["age_band"]),
                                 filters={str(k): [str(x) for x in v] for k, v in (r.get("filters") or {}).items()},
                                 note=str(r.get("note", ""))))
    return tuple(out)


#: default recipes, from ``statbank:`` of domain/focus_areas/*.yaml (check the codes of your
#: cache with ``evaluering fetch-dst TABLE --info``)
RECIPES: tuple[DstRecipe, ...] = _domain_recipes()


def _dims(frame) -> list[str]:
    return [c for c in frame.columns if c not in ("value", "note")]


def _only_totals(df, keep: set[str], src: str, table: str):
    """Restrict every dimension not in ``keep`` to its total code (or its one value), so
    that a variable not filtered (CIVILSTAND, OVERTRÆD, ...) never multiplies a sum."""
    for d in _dims(df):
        if d in keep:
            continue
        vals = set(df[d].astype(str))
        totals = {v for v in vals if v.strip().lower() in TOTAL_CODES}
        if totals:
            df = df[df[d].isin(totals)]
        elif len(vals) > 1:
            raise InputError(src, f"{table}: summing over {d.upper()} ({len(vals)} values, no total code) "
                             f"is ambiguous; filter it in the recipe or fetch its total", column=d.upper())
    return df


def table_ages(info) -> list[tuple[int, int]] | None:
    """The age groups of a tableinfo's ``ALDER`` variable (totals and unknown left out).

    >>> table_ages({"variables": [{"id": "ALDER", "values": [{"id": "IALT"}, {"id": "15"}, {"id": "80-"}]}]})
    [(15, 15), (80, 200)]
    """
    if not isinstance(info, Mapping):
        return None
    for var in info.get("variables", []) or []:
        if isinstance(var, Mapping) and str(var.get("id", "")).casefold() == "alder":
            ages = [age_range(v.get("id")) for v in var.get("values", []) if isinstance(v, Mapping)]
            return [a for a in ages if a is not None] or None
    return None


def _check_ages(df, lo: int, hi: int, expected, src: str, table: str, band: str) -> None:
    """Each (area, year, sex) group holds every age group of the band."""
    if expected is None:
        expected = sorted({a for a in df["_age"] if a is not None})
    need = [a for a in expected if lo <= a[0] and a[1] <= hi]
    if not need:
        return
    groups = ["område", "tid"] + (["køn"] if "køn" in df.columns else [])
    for key, g in df.groupby(groups, sort=True):
        have = set(g["_age"])
        missing = [a for a in need if a not in have]
        if missing:
            shown = ", ".join(f"{a[0]}" if a[0] == a[1] else (f"{a[0]}-" if a[1] >= _OPEN else f"{a[0]}-{a[1]}")
                              for a in missing[:8]) + (" ..." if len(missing) > 8 else "")
            where = ", ".join(f"{name} {k}" for name, k in zip(groups, key if isinstance(key, tuple) else (key,)))
            raise InputError(src, f"{table} mangler {len(missing)} aldersgruppe(r) i {band} for {where}: {shown}; "
                             f"hent alle aldre (fx --var 'ALDER=*'), ellers bliver nævneren for lille",
                             column="ALDER")


def population_from_folk1a(folk1a, bands: Sequence[str] = ("10-17", "15+"), info=None):
    """Persons per (level, area, year, age_band, sex) from a FOLK1A frame (codes), counted
    on 1 January (``K1``); sex ``M``/``K`` rows plus their ``all`` sum.

    ``info``: FOLK1A's tableinfo; its ages (0-125) are the ages a band must have.
    Raises :class:`InputError` when a needed population value is suppressed or an age of
    a band is missing from the answer.
    """
    import pandas as pd

    src = folk1a.attrs.get("cache", "FOLK1A")
    need = {"område", "alder", "tid"}
    if not need <= set(folk1a.columns):
        raise InputError(src, "FOLK1A needs OMRÅDE, ALDER and Tid "
                         f"(has {', '.join(_dims(folk1a))})")
    df = _only_totals(folk1a.copy(), {"område", "alder", "tid", "køn"}, src, "FOLK1A")
    df["_year"] = [(_year(t) if str(t).upper().endswith("K1") or str(t).isdigit() else None) for t in df["tid"]]
    df = df[df["_year"].notna()]
    df["_area"] = [_area(o) for o in df["område"]]
    df = df[df["_area"].notna()]
    df["_age"] = [age_range(a) for a in df["alder"]]
    df = df[df["_age"].notna()]
    df["_sex"] = [_sex(k) for k in df["køn"]] if "køn" in df.columns else "all"
    df = df[df["_sex"].isin(["M", "K"])] if (df["_sex"].isin(["M", "K"])).any() else df[df["_sex"] == "all"]
    ages = table_ages(info)
    if ages is None:
        ages = [(a, a) for a in range(0, 126)]      # FOLK1A: single ages 0-125
    rows = []
    for band in bands:
        lo, hi = band_range(band)
        inside = df[[lo <= a[0] and a[1] <= hi for a in df["_age"]]]
        if inside.empty:
            continue
        _check_ages(inside, lo, hi, ages, src, "FOLK1A", band)
        if inside["value"].isna().any():
            raise InputError(src, f"a FOLK1A population value for {band} is suppressed")
        g = inside.groupby([inside["_area"].map(lambda x: x[0]), inside["_area"].map(lambda x: x[1]),
                            "_year", "_sex"])["value"].sum()
        for (level, area, year, sex), persons in g.items():
            rows.append((level, area, int(year), band, sex, int(round(persons))))
    pop = pd.DataFrame(rows, columns=["level", "area", "year", "age_band", "sex", "persons"])
    if len(pop) and (pop["sex"] != "all").any():
        tot = pop.groupby(["level", "area", "year", "age_band"], as_index=False)["persons"].sum()
        tot["sex"] = "all"
        pop = pd.concat([pop, tot[pop.columns]], ignore_index=True)
    return pop


def statbank_cells(numerator, population, recipe: DstRecipe, warnings: list[str] | None = None, info=None):
    """Count cells of ``recipe.measure`` from a numerator frame and a population frame
    (:func:`population_from_folk1a`); ``info``: the numerator table's tableinfo (its age
    groups are the ones a band must have)."""
    import pandas as pd

    from ..cellschema import empty_cells

    warnings = warnings if warnings is not None else []
    src = numerator.attrs.get("cache", recipe.table)
    df = numerator.copy()
    for var, values in recipe.filters.items():
        if var not in df.columns:
            raise InputError(src, f"{recipe.table} has no variable '{var.upper()}' to filter on")
        df = df[df[var].isin([str(v) for v in values])]
    df = _only_totals(df, {"område", "tid", "alder", "køn", *recipe.filters}, src, recipe.table)
    lo, hi = band_range(recipe.age_band)
    if "alder" in df.columns:
        ranges = [age_range(a) for a in df["alder"]]
        if any(r is not None for r in ranges):
            sexed = df.assign(_age=ranges)
            if "køn" in sexed.columns:
                s = [_sex(k) for k in sexed["køn"]]
                sexed = sexed[[x in ("M", "K") for x in s]] if any(x in ("M", "K") for x in s) else sexed
            _check_ages(sexed[[r is not None and lo <= r[0] and r[1] <= hi for r in sexed["_age"]]], lo, hi,
                        table_ages(info), src, recipe.table, recipe.age_band)
        keep, partial = [], 0
        for r in ranges:
            if r is None:
                keep.append(False)
            elif lo <= r[0] and r[1] <= hi:
                keep.append(True)
            else:
                if r[0] <= hi and r[1] >= lo:
                    partial += 1
                keep.append(False)
        if partial:
            raise InputError(src, f"{recipe.table}: age groups straddle the band {recipe.age_band}; "
                             f"the numerator cannot be split", column="ALDER")
        df = df[keep]
    df = df.assign(_year=[_year(t) for t in df["tid"]], _area=[_area(o) for o in df["område"]])
    df = df[df["_year"].notna() & df["_area"].notna()]
    if "køn" in df.columns:
        df["_sex"] = [_sex(k) for k in df["køn"]]
        if (df["_sex"].isin(["M", "K"])).any():
            df = df[df["_sex"].isin(["M", "K"])]
        else:
            df = df[df["_sex"] == "all"]
    else:
        df["_sex"] = "all"
    if df.empty:
        warnings.append(f"{recipe.table}: no rows for {recipe.measure} after selection")
        return empty_cells()
    df["_level"] = df["_area"].map(lambda x: x[0])
    df["_aid"] = df["_area"].map(lambda x: x[1])
    keys = ["_level", "_aid", "_year", "_sex"]
    g = df.groupby(keys).agg(num=("value", "sum"), missing=("value", lambda s: int(s.isna().sum())))
    suppressed = g[g["missing"] > 0]
    if len(suppressed):
        warnings.append(f"{recipe.table}: {len(suppressed)} cell(s) of {recipe.measure} have suppressed parts "
                        f"(.. or the table's suppressedDataValue) and are left out, not set to 0")
    g = g[g["missing"] == 0].reset_index()
    pop = population[population["age_band"] == recipe.age_band].set_index(["level", "area", "year", "sex"])["persons"]
    rows = []
    lacking = 0
    for r in g.itertuples(index=False):
        den = pop.get((r[0], r[1], int(r[2]), r[3]))
        if den is None or (isinstance(den, float) and math.isnan(den)):
            lacking += 1
            continue
        rows.append({"level": r[0], "area": r[1], "year": int(r[2]), "age_band": recipe.age_band, "sex": r[3],
                     "measure": recipe.measure, "numerator": int(round(r.num)), "denominator": int(den),
                     "source": f"Danmarks Statistik, Statistikbanken {recipe.table} og FOLK1A",
                     "synthetic": False})
    if lacking:
        warnings.append(f"{recipe.table}: {lacking} cell(s) of {recipe.measure} have no FOLK1A population "
                        f"in the cache and are left out")
    out = pd.DataFrame(rows) if rows else empty_cells()
    return out


def _catalogue(plan):
    from ..catalogue import load_catalogue
    return load_catalogue(plan)


def lbf_published(lbf, plan=None, table: str = "LBF"):
    """Published-value rows (the layout of ``data/raw/published/``) from an LBF frame, and
    the suppressed/missing rows with their reason (two DataFrames)."""
    import pandas as pd

    from ..published import VALUE_COLUMNS

    cat = _catalogue(plan)
    units = {k: (f"{ind.unit_da}" if getattr(ind, "unit_da", None) else "") for k, ind in cat.items()}
    df = lbf.copy()
    df["table"] = table
    df["unit"] = [u if isinstance(u, str) and u else units.get(i, "") for u, i in zip(df["unit"].astype(object), df["indicator"])]
    have = df["value"].notna()
    values = df.loc[have, list(VALUE_COLUMNS)].reset_index(drop=True)
    suppressed = df.loc[~have, ["table", "indicator", "level", "area", "area_name", "year", "value_note", "source"]]
    return values, suppressed.reset_index(drop=True)


def lbf_cells(lbf, plan=None, warnings: list[str] | None = None):
    """Count cells from LBF rows that give both a count and its base (``Grundlag``)."""
    import pandas as pd

    from ..cellschema import empty_cells

    warnings = warnings if warnings is not None else []
    cat = _catalogue(plan)
    rows = []
    for r in lbf.itertuples(index=False):
        if pd.isna(r.count) or pd.isna(r.denominator):
            continue
        ind = cat.get(r.indicator)
        if ind is None:
            warnings.append(f"LBF indicator '{r.indicator}' is not in the catalogue; no cells made")
            continue
        rows.append({"level": r.level, "area": r.area, "year": int(r.year), "age_band": ind.age_band, "sex": "all",
                     "measure": ind.measure, "numerator": int(r.count), "denominator": int(r.denominator),
                     "source": r.source, "synthetic": False})
    return pd.DataFrame(rows) if rows else empty_cells()


def find_logs(logs: str | Path | Mapping[str, str | Path] | None, plan=None) -> dict[str, Path]:
    """Log kind -> file: a mapping as given, or every CSV/Excel file of a folder whose
    headers identify a log kind. Each log is read and checked (InputError on a problem)."""
    from .logs import LOG_SCHEMAS, read_log
    from .validate import guess_kind

    if logs is None:
        return {}
    if isinstance(logs, Mapping):
        found = {k: Path(v) for k, v in logs.items()}
    else:
        folder = Path(logs)
        if not folder.is_dir():
            raise InputError(folder, "the logs folder does not exist")
        found = {}
        for f in sorted(folder.iterdir()):
            if f.suffix.lower() not in (".csv", ".xlsx", ".txt") or f.name.startswith((".", "~$")):
                continue
            kind = guess_kind(f)
            if kind not in LOG_SCHEMAS:
                continue
            if kind in found:
                raise InputError(f, f"a second '{kind}' log in the folder (also {found[kind].name})")
            found[kind] = f
    for kind, f in found.items():
        if kind not in LOG_SCHEMAS:
            raise EvalueringError(f"unknown log kind '{kind}'")
        read_log(f, kind, plan=plan)
    return found


_LOG_DATA_KEYS = {"ssp": "ssp_log", "meetings": "meetings_log", "courses": "courses_log",
                  "events": "events_log", "milestones": "milestones_log", "qualitative": "qualitative_log"}


@dataclass
class ConvertResult:
    """What :func:`convert` wrote and what it left out."""

    out: Path
    plan_file: Path
    cells: int
    published_values: int
    suppressed_values: int
    logs: dict[str, Path]
    warnings: list[str]

    def lines(self) -> list[str]:
        out = [f"OK: {self.cells} count cells, {self.published_values} published values "
               f"({self.suppressed_values} suppressed), logs: {', '.join(sorted(self.logs)) or 'none'}",
               f"plan file: {self.plan_file}"]
        return out + [f"warning: {w}" for w in self.warnings]

    def _repr_html_(self) -> str:  # pragma: no cover - display only
        import html
        return "<pre>" + html.escape("\n".join(self.lines())) + "</pre>"


def _rel(path: Path) -> str:
    from ..plan import project_root
    path = Path(path).resolve()
    try:
        return str(path.relative_to(project_root().resolve()))
    except ValueError:
        return str(path)


def convert(plan: Any, out: str | Path, dst_cache: str | Path | None = None,
            lbf: Sequence[str | Path] | str | Path | None = None,
            logs: str | Path | Mapping[str, str | Path] | None = None,
            recipes: Sequence[DstRecipe] = RECIPES, lbf_sheet: str | int | None = None,
            printed: str | Path | None = None) -> ConvertResult:
    """Build ``out`` (see the module docstring) from the given sources; returns a summary.

    ``printed``: a folder of the source document's printed tables (the layout of
    ``data/raw/published/``) to carry over; a printed yearly value that the LBF export also
    gives is replaced by the export's (with a warning when the two differ). Every input is
    checked first; on any problem nothing is written.
    """
    import pandas as pd
    import yaml

    from ..atomic import atomic_dir
    from ..cellschema import check_cells, empty_cells
    from ..plan import Plan, find_plan, load_plan
    from .dst import cached_queries, read_bulk, to_codes
    from .lbf import read_lbf

    if not isinstance(plan, Plan):
        p = Path(str(plan))
        plan = load_plan(p) if p.suffix in (".yaml", ".yml") else find_plan(str(plan))
    out = Path(out)
    warnings: list[str] = []
    frames = []

    # StatBank: the newest cached answer per table (the cache holds one file per selection)
    if dst_cache is not None:
        cache = Path(dst_cache)
        if not cache.is_dir():
            raise InputError(cache, "the StatBank cache folder does not exist (run evaluering fetch-dst)")
        def info_of(table):
            f = cache / table / "tableinfo.json"
            if not f.is_file():
                return None
            try:
                return json.loads(f.read_text(encoding="utf-8-sig"))
            except (ValueError, UnicodeDecodeError):
                raise InputError(f, "tabelinfo i cachen er ødelagt (ikke JSON); hent igen med --refresh") from None

        def latest(table):
            qs = cached_queries(cache, table)
            if not qs:
                return None
            best = max(qs, key=lambda q: q["path"].stat().st_size)
            frame = to_codes(read_bulk(best["path"]), info_of(table), str(best["path"]))
            frame.attrs["cache"] = str(best["path"])
            return frame
        folk = latest("FOLK1A")
        if folk is None:
            warnings.append("no FOLK1A in the StatBank cache: no population, no StatBank cells")
        else:
            bands = sorted({r.age_band for r in recipes})
            pop = population_from_folk1a(folk, bands, info=info_of("FOLK1A"))
            for r in recipes:
                num = latest(r.table)
                if num is None:
                    warnings.append(f"no {r.table} in the StatBank cache: no '{r.measure}' cells")
                    continue
                before = len(warnings)
                made = statbank_cells(num, pop, r, warnings, info=info_of(r.table))
                if not len(made):
                    why = "; ".join(warnings[before:]) or "no rows after selection"
                    raise InputError(num.attrs.get("cache", r.table),
                                     f"0 tællingsceller for målet '{r.measure}' fra {r.table} og FOLK1A ({why})",
                                     row=1, column="INDHOLD")
                frames.append(made)

    values = pd.DataFrame()
    suppressed = pd.DataFrame()
    lbf_paths = [lbf] if isinstance(lbf, (str, Path)) else list(lbf or [])
    v_frames, s_frames = [], []
    known_areas = {plan.id, *(x.id for x in plan.parts), *(e.id for e in plan.estates)}
    for path in lbf_paths:
        frame = read_lbf(path, sheet=lbf_sheet)
        local = frame[frame["level"].isin(["estate", "plan_part", "plan"])]
        unknown = sorted(set(local["area"]) - known_areas)
        if unknown:
            warnings.append(f"{Path(path).name}: area id(s) {', '.join(unknown[:5])} are not in plan "
                            f"'{plan.id}' (rename them to the plan's ids to use them)")
        v, s = lbf_published(frame, plan)
        v_frames.append(v)
        s_frames.append(s)
        frames.append(lbf_cells(frame, plan, warnings))
    if v_frames:
        values = pd.concat(v_frames, ignore_index=True)
        suppressed = pd.concat(s_frames, ignore_index=True)
        dup = values.duplicated(["indicator", "level", "area", "year"], keep=False)
        if dup.any():
            r = values[dup].iloc[0]
            raise InputError(lbf_paths[-1], f"the LBF exports give {r['indicator']} for {r['area']} {r['year']} twice")

    printed_files: dict[str, Any] = {}
    if printed is not None:
        from .tables import read_published_values
        folder = Path(printed)
        if not folder.is_dir():
            raise InputError(folder, "the folder of printed tables does not exist")
        lbf_keys = set()
        if len(values):
            lbf_keys = {(r.indicator, r.level, r.area, int(r.year)): float(r.value) for r in values.itertuples()}
        for f in sorted(folder.glob("*.csv")):
            head = f.read_text(encoding="utf-8-sig").splitlines()[:1]
            cols = head[0].split(",") if head else []
            if "value" in cols and "indicator" in cols:
                frame = read_published_values(f)
                keys = [(r.indicator, r.level, r.area, int(r.year)) for r in frame.itertuples()]
                replaced = [k for k in keys if k in lbf_keys]
                differ = [k for k, v in zip(keys, frame["value"]) if k in lbf_keys and abs(lbf_keys[k] - v) > 1e-9]
                if replaced:
                    warnings.append(f"{f.name}: {len(replaced)} printed value(s) replaced by the LBF export"
                                    + (f" ({len(differ)} differ)" if differ else " (equal)"))
                drop = [i for i, k in enumerate(keys) if k in lbf_keys]
                text = pd.read_csv(f, dtype=str, keep_default_na=False, encoding="utf-8-sig")
                printed_files[f.name] = text.drop(index=text.index[drop])
            else:
                printed_files[f.name] = pd.read_csv(f, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            if f.name in ("lbf_values.csv", "lbf_suppressed.csv"):
                raise InputError(f, "a printed table may not be named like the converted LBF files")

    found_logs = find_logs(logs, plan)
    frames = [f for f in frames if len(f)]
    cells = check_cells(pd.concat(frames, ignore_index=True) if frames else empty_cells(), "converted cells")

    data = dict(plan.data)
    data.update({"cells": _rel(out / "cells.parquet"), "published": _rel(out / "published"), "synthetic": False})
    for kind, f in found_logs.items():
        data[_LOG_DATA_KEYS[kind]] = _rel(f)
    for kind, key in _LOG_DATA_KEYS.items():
        if kind not in found_logs and key in data:
            data.pop(key)
            warnings.append(f"no '{kind}' log given: the report will say it is missing")
    raw = dict(plan.raw)
    raw["data"] = data
    header = (f"# Derived from {_rel(plan.path)} by evaluering.sources.convert: the data section points at\n"
              f"# real sources (StatBank cache, LBF export, local logs). Edit the original, then convert again.\n")
    with atomic_dir(out) as tmp:
        (tmp / "published").mkdir()
        (tmp / "plans").mkdir()
        cells.to_parquet(tmp / "cells.parquet", index=False)
        if len(values):
            values.to_csv(tmp / "published" / "lbf_values.csv", index=False)
        if len(suppressed):
            suppressed.to_csv(tmp / "published" / "lbf_suppressed.csv", index=False)
        for name, frame in printed_files.items():
            if len(frame):
                frame.to_csv(tmp / "published" / name, index=False)
        (tmp / "plans" / f"{plan.id}.yaml").write_text(
            header + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return ConvertResult(out=out, plan_file=out / "plans" / f"{plan.id}.yaml", cells=len(cells),
                         published_values=len(values), suppressed_values=len(suppressed),
                         logs=found_logs, warnings=warnings)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m evaluering.sources.convert --plan ID --out DIR [--dst-cache DIR]
    [--lbf FILE ...] [--logs DIR]``: one line per result, exit 2 on bad input."""
    import argparse
    import sys

    ap = argparse.ArgumentParser(prog="python -m evaluering.sources.convert", allow_abbrev=False,
                                 description="Byg rapportens input fra Statistikbanken, LBF og lokale logs")
    ap.add_argument("--plan", required=True, help="plan id or plan file")
    ap.add_argument("--out", required=True, help="output folder (written atomically)")
    ap.add_argument("--dst-cache", default=None, help="StatBank cache folder (data/raw/dst)")
    ap.add_argument("--lbf", action="append", default=[], help="an LBF export (repeatable)")
    ap.add_argument("--lbf-sheet", default=None, help="sheet name of the LBF exports (default: first)")
    ap.add_argument("--logs", default=None, help="folder with the local logs (CSV/Excel)")
    ap.add_argument("--printed", default=None, help="folder of the source document's printed tables to carry "
                    "over (e.g. data/raw/published)")
    args = ap.parse_args(argv)
    try:
        res = convert(args.plan, args.out, dst_cache=args.dst_cache, lbf=args.lbf, logs=args.logs,
                      lbf_sheet=args.lbf_sheet, printed=args.printed)
    except EvalueringError as err:
        print(f"convert: {err}", file=sys.stderr)
        return 2
    print("\n".join(res.lines()))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
