"""Planning commands: progress (to the incubation-space goal), tally (area per unit) and the printed report."""
from __future__ import annotations

from pathlib import Path

from commands.common import EXIT_OK, emit, fmt_m2, fmt_pct, parse_day, user, write_table
from spatial.errors import SpaceMapError


def cmd_progress(args) -> int:
    """Progress toward the incubation-space goal; --set-goal records a new goal first."""
    from geodata.reports.inventory import snapshot
    from geodata.reports.planning import progress_report
    from geodata.stewardship.goals import set_goal, undo_goal
    from spatial.need import parse_list

    if args.set_goal is not None or args.goal_year is not None:
        if args.set_goal is None or args.goal_year is None:
            raise SpaceMapError("--set-goal and --goal-year go together")
        set_goal(args.set_goal, args.goal_year, set_by=args.by or user(), reason=args.reason)
    elif args.undo_goal:
        undo_goal(who=args.by or user())
    frames, carriers = snapshot()
    what_if = None if args.what_if is None else parse_list(args.what_if)
    try:
        s, _ = progress_report(frames, carriers, today=parse_day(args.today), what_if=what_if)
    except ValueError as exc:
        raise SpaceMapError(str(exc)) from exc
    emit(s, as_json=args.json, text="\n".join(_progress_lines(s)))
    return EXIT_OK


def _progress_lines(s: dict) -> list[str]:
    latest = s["latest_reported"]
    other = "" if s["latest_same_measure_as_goal"] else f", a different measure from the goal's ({s['goal_measure']})"
    when = f"no later than {latest['date']}" if latest.get("date_precision") == "reported_by" else latest["date"]
    lines = [
        f"goal: {s['goal_m2']:,.0f} m² by {s['goal_year']} ({s['goal_source']})",
        f"latest reported: {latest['area_m2']:,.0f} m² {latest['measure_en']} ({latest['measure']}{other}), "
        f"{when} = {fmt_pct(s['pct_of_goal_reported'])} of the goal ({latest['source']})",
        f"ledger now: {s['ledger_total_m2']:,.0f} m² = {fmt_pct(s['pct_of_goal_ledger'])} of the goal; "
        f"{s['ledger_counts']['area_unknown']} of {s['ledger_counts']['carriers']} carriers have no counted area",
    ]
    if "settled_via_platform_m2" in s:
        settled = s["settled"]
        lines.append(f"settled through the platform: {settled['settled_via_platform_m2']:,.0f} m² in "
                     f"{settled['leases']} signed leases ({settled['in_incubation_carriers_m2']:,.0f} m² in incubation "
                     f"carriers; counted apart from the reported figures and the ledger)"
                     + (" [synthetic demo data]" if settled["synthetic"] else ""))
    if s["deadline_passed"]:
        outcome = {True: "reached", False: "not reached by any figure of its measure reported by then",
                   None: f"unknown: no figure of the goal's measure in the sources; none at all after "
                         f"{s['last_report_date'][:7]}"}[s["reached_by_deadline"]]
        lines.append(f"deadline {s['deadline']} has passed: {outcome}")
    req = s["required_m2_per_year"]
    hist = s["historical_m2_per_year"]
    lines.append(f"pace needed from {s['required_from']} to the deadline: "
                 + ("n/a" if req is None else f"{req:,.0f} m²/year")
                 + (f"; historical pace since {s['historical_from']}: {hist:,.0f} m²/year" if hist else
                    "; no historical pace: no two reported figures of one measure"))
    for p in s["pace_between_reports"]:
        change = "" if p["like"] else f"  (measure changes {p['from_measure']} → {p['to_measure']}: not a pace)"
        lines.append(f"  {p['from']} {p['from_m2']:,.0f} → {p['to']} {p['to_m2']:,.0f} m²{change}")
    if hist:
        lines.append(f"at the historical pace the goal is reached in: {s['projected_year_reaching_goal'] or 'never'}")
    for c in s["count_targets"]:
        latest_count = c["latest"]
        lines.append(f"count {c['indicator']}: " + " → ".join(f"{g['value']} by {g['year']}" for g in c["targets"])
                     + (f"; latest {latest_count['value']} ({latest_count['date']})" if latest_count else
                        "; no count reported"))
    w = s["what_if"]
    if w["added_m2"]:
        lines.append(f"what if {', '.join(a['id'] for a in w['additions'])} (+{w['added_m2']:,.0f} m²): "
                     f"{w['total_m2']:,.0f} m² = {fmt_pct(w['pct_of_goal'])}, goal in "
                     f"{w['projected_year_reaching_goal'] or 'never'}")
    return lines


def cmd_tally(args) -> int:
    """Area tally per subdistrict, cluster, inside/outside Hetao, layer or industry."""
    from geodata.reports.inventory import snapshot
    from geodata.reports.planning import tally_json, tally_report
    from geodata.storage import store_path

    frames, carriers = snapshot()
    location = store_path() if args.out is None else None  # the export's sources sheet needs every carrier
    result = tally_report(args.by, carriers, frames, land=args.land, stated=args.stated, scope=args.scope,
                          location=location, external=not args.seeds_only)
    data = tally_json(result)
    if args.out is not None:
        _write_tally(args.out, result, carriers, args.lang)
    lines = [f"{'unit':<28} {'count':>5} {'land m²':>12} {'floor m²':>12} {'usable m²':>10} {'space m²':>10} "
             f"{'incubation m²':>14} {'available m²':>13}"]
    for r in [*data["rows"], {**data["total"], "name_en": "TOTAL"}]:
        land = fmt_m2(r["land_area_m2"]) if r["polygon_count"] else "no polygons"
        lines.append(f"{str(r['name_en'])[:28]:<28} {r['count']:>5} {land:>12} "
                     f"{fmt_m2(r['floor_area_m2']):>12} {fmt_m2(r['usable_area_m2']):>10} "
                     f"{fmt_m2(r['space_area_m2']):>10} {fmt_m2(r['incubation_area_m2']):>14} "
                     f"{fmt_m2(r['available_area_m2']):>13}")
    external = {k: v for k, v in data["total"].get("external_m2", {}).items() if v}
    if external:
        lines.append("of the totals from external sources ([ext], not in any seed document): "
                     + ", ".join(f"{k} {v:,.0f} m²" for k, v in external.items())
                     + " (--seeds-only leaves them out)")
    if data["overlapping"]:
        lines.append("note: a carrier can count in several rows here, so rows need not add up to the total")
    emit(data, as_json=args.json, text="\n".join(lines))
    return EXIT_OK


def _write_tally(out: Path, result: dict, carriers, lang: str) -> None:
    from geodata.reports.planning import tally_sources, tally_table

    table = tally_table(result, lang)
    write_table(out, table, lambda: {"tally": table, "sources": tally_sources(result, carriers, lang)})


def cmd_report(args) -> int:
    """The planners' printed report (PDF): progress, count targets, tallies with maps, sources."""
    from geodata.reports.inventory import snapshot
    from geodata.reports.printed import planning_report_data
    from geodata.storage import store_path
    from layers.pdf import to_pdf
    from layers.print_planning import planning_html

    if args.out.suffix.lower() != ".pdf":
        raise SpaceMapError(f"--out must end in .pdf, got {args.out.name}")
    frames, carriers = snapshot()
    report = planning_report_data(frames, carriers, today=parse_day(args.today), scope=args.scope,
                                  location=store_path())
    pdf = to_pdf(planning_html(report, args.lang))
    try:
        args.out.write_bytes(pdf.data)
    except OSError as exc:
        raise SpaceMapError(f"cannot write {args.out}: {exc}") from exc
    data = {"out": str(args.out.resolve()), "pages": pdf.pages, "bytes": len(pdf.data), "lang": args.lang,
            "scope": args.scope, "today": report["today"].isoformat()}
    emit(data, as_json=args.json, text=f"wrote {data['out']} ({pdf.pages} pages, {args.lang}, {args.scope})")
    return EXIT_OK


def register(add) -> None:
    """Add this group's sub-commands (``add(name, func, help)`` returns the sub-parser)."""
    from spatial.scope import DEFAULT_SCOPE, SCOPES
    from spatial.tally import UNIT_KINDS

    p = add("progress", cmd_progress, "progress toward the incubation-space goal (科技培育空间)")
    p.add_argument("--what-if", metavar="IDS",
                   help="planned additions to add to the latest figure, comma-separated ids ('' for none; "
                        "default: those planned for the latest report's year or later)")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="the date 'now' means (default: today)")
    p.add_argument("--set-goal", type=float, metavar="M2", help="record a new goal in m² (with --goal-year)")
    p.add_argument("--goal-year", type=int, metavar="YEAR", help="year by whose end the new goal is to be reached")
    p.add_argument("--reason", help="why the goal is set (required with --set-goal)")
    p.add_argument("--undo-goal", action="store_true", help="withdraw the latest goal change (audited)")
    p.add_argument("--by", help="who sets or withdraws the goal (default: $USER)")
    p = add("tally", cmd_tally, "count and area per subdistrict, cluster, Hetao, layer or industry")
    p.add_argument("--by", required=True, choices=list(UNIT_KINDS))
    p.add_argument("--scope", choices=list(SCOPES), default=DEFAULT_SCOPE,
                   help="carriers of Futian only (default) or all of Shenzhen")
    p.add_argument("--land", choices=["apportion", "centroid"], default="apportion",
                   help="polygons crossing a unit boundary: split land area by area share (default) or by centroid")
    p.add_argument("--stated", choices=["centroid", "apportion"], default="centroid",
                   help="stated figures of such polygons: whole at the centroid (default) or split by area share")
    p.add_argument("--out", type=Path, help="also write the table to .csv, or .xlsx with a sources sheet")
    p.add_argument("--seeds-only", action="store_true",
                   help="leave out figures from external sources (public pages, [ext]): seed documents only")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="header language of --out")
    p = add("report", cmd_report, "the planners' printed report (PDF, A4): progress, targets, tallies with maps, sources")
    p.add_argument("--out", type=Path, required=True, help="where to write the PDF (.pdf)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="the report's language (default zh)")
    p.add_argument("--scope", choices=list(SCOPES), default=DEFAULT_SCOPE,
                   help="carriers of Futian only (default) or all of Shenzhen, for the tallies and maps")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="the date 'now' means (default: today)")
