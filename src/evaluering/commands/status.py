"""``evaluering status --plan ID --year YYYY [--plans DIR] [--format json|table]``.

Prints the evaluation of one plan in one report year, per focus area (delaftale): the
success criteria (baseline, target, observed, status, intervals), the activity goals and
the budget check; then the plan's budget (>= 25 % local co-financing) and its area-criteria
status. ``json`` is :meth:`evaluering.plan_evaluation.PlanEvaluation.to_dict` (today's
fields at the top for a single-area plan, and ``focus_areas``: a list, each with its
``criteria``); ``table`` is a short Danish text table.
Both read released values only: one release over every plan in the plan's folder
(:func:`evaluering.disclosure.release.release_for_plans`), recorded in
``data/processed/released/`` so that the reports and later commands agree with it.
"""

from __future__ import annotations

HELP = "Vis succeskriteriernes status for en plan og et år"


def add_arguments(parser) -> None:
    parser.add_argument("--plan", required=True, help="planens id (fx aalborg-oest) eller en planfil")
    parser.add_argument("--year", required=True, type=int, help="rapportåret, fx 2020")
    parser.add_argument("--plans", default=None, help="mappe med planfiler (standard: data/raw/plans)")
    parser.add_argument("--format", choices=("json", "table"), default="table",
                        help="json (maskinlæsbar) eller table (standard)")
    parser.add_argument("--allow-missing", action="store_true",
                        help="vis status, selv om input mangler (tælleceller, logs, sammenligningsniveauer, "
                        "år uden for planperioden); det manglende nævnes")
    parser.add_argument("--threshold", type=int, default=3,
                        help="diskretionering: tal under denne grænse vises ikke (standard 3; 0 = fra)")
    parser.add_argument("--method", choices=("suppress", "round"), default="suppress",
                        help="diskretionering: suppress (udelad små tal, standard) eller round (kontrolleret "
                             "afrunding til multipla af grænsen; totaler summer)")


def _table(pev, threshold: int = 3, release=None) -> str:
    from ..evaluation import SYNTHETIC_LABEL
    from ..fmt import kr

    lines = [f"{pev.plan.name}: status {pev.year}"]
    if pev.synthetic:
        lines.append(f"*** {SYNTHETIC_LABEL} ***")
    for ev in pev.focus_areas:
        lines.append("")
        if not pev.single:
            lines.append(f"== {ev.delaftale.focus_area}" + (" (eksempel)" if ev.delaftale.example else "") + " ==")
        lines.append(_area_table(ev, threshold, pev.released(threshold, release) if threshold and threshold > 1
                                 else None))
    b = pev.plan_budget
    if b.get("local_share_note"):
        lines.append("")
        lines.append(f"Hele planen: delbeløb i alt {kr(b['computed_total_kr'])}. {b['local_share_note']}")
    ac = pev.area_criteria or {}
    if ac:
        lines.append(f"Områdekriterier (almenboligloven § 61 a/b) {pev.year}: {ac.get('status')}")
    for note in pev.plan_notes:
        lines.append(f"Bemærk: {note}")
    return "\n".join(lines)


def _area_table(ev, threshold: int = 3, release=None) -> str:
    from ..evaluation import _fmt_value
    from ..fmt import kr

    lines = []
    lines.append(f"{'Kriterium':<10}{'Nulpunkt':>16}{'Mål':>16}{'Observeret':>14}{'Sti':>10}  "
                 f"{'Status':<18}{'Signifikant':<11}")
    for r in ev.suppressed_criteria(threshold, release).itertuples():
        unit = r.unit if isinstance(r.unit, str) else ""
        if r.kind == "milestone":
            base, target, obs, path = "", f"frist {int(r.target_year)}", "", ""
        else:
            base = f"{r.baseline_reason} ({int(r.baseline_year)})" if r.baseline_reason else \
                "" if r.baseline_value != r.baseline_value else \
                f"{_fmt_value(r.baseline_value, unit)} ({int(r.baseline_year)})"
            target = "" if r.target_value != r.target_value else \
                f"{_fmt_value(r.target_value, unit, 2)} ({int(r.target_year)})"
            obs = r.observed_reason or _fmt_value(r.observed_value, unit)
            path = _fmt_value(r.path_value, unit, 2)
        sig = {True: "ja", False: "nej"}.get(r.significant, "–")
        lines.append(f"{r.id:<10}{base:>16}{target:>16}{obs:>14}{path:>10}  {r.status:<18}{sig:<11}")
    lines.append("")
    lines.append(f"{'Aktivitetsmål':<10}{'Mål':>8}{'Opnået':>10}  {'Status':<18}Bemærkning")
    activities = ev.released(threshold, release).activities(ev) if threshold and threshold > 1 else ev.activities
    for r in activities.itertuples():
        unit = "pct." if r.unit == "pct." or r.metric == "attachment_rate" else "antal"
        obs = getattr(r, "observed_reason", None) or _fmt_value(r.observed, unit, 0)
        lines.append(f"{r.goal:<10}{_fmt_value(r.target, unit, 0):>8}{obs:>10}  "
                     f"{r.status:<18}{r.note or ''}")
    b = ev.budget
    lines.append("")
    lines.append(f"Økonomi: delbeløb i alt {kr(b['computed_total_kr'])}, angivet total "
                 f"{kr(b['stated_total_kr'])}" + (f"  AFVIGELSE {kr(abs(b['gap_kr']))}" if b["flag"] else ""))
    first = ev.delaftale is None or ev.delaftale.index in (None, 0)
    for r in (ev.printed_checks.itertuples() if first else ()):
        if r.flag:
            lines.append(f"Trykt tal afviger: {r.area_name} {r.first_year}-{r.last_year}: {r.note}")
    for note in ev.notes:
        lines.append(f"Bemærk: {note}")
    return "\n".join(lines)


def run(args) -> int:
    import json
    from pathlib import Path

    from ..evaluation import evaluate
    from ..plan import find_plan, load_plan

    if str(args.plan).endswith((".yaml", ".yml")):
        plan = load_plan(Path(args.plan))
    else:
        plan = find_plan(args.plan, args.plans)
    from ..sources.missing import refuse_missing
    from ..sources.validate import check_plan_sections

    check_plan_sections(plan)      # the checks of `evaluering validate`, before any data is read
    missing = refuse_missing(plan, args.year, getattr(args, "allow_missing", False))
    ev = evaluate(plan, args.year)
    release = None
    if args.threshold and args.threshold > 1 and plan.path is not None:
        # one release over every plan beside this one, kept in the project's record
        from ..disclosure.release import release_for_plans

        release = release_for_plans(Path(plan.path).parent, args.year, threshold=args.threshold,
                                    method=getattr(args, "method", "suppress"), evaluations={plan.id: ev})
    if args.format == "json":
        out = ev.to_dict(args.threshold, release=release)
        out["missing_inputs"] = [m.text() for m in missing]
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        print(_table(ev, args.threshold, release))
        for m in missing:
            print(f"Mangler: {m.text()}")
    return 0
