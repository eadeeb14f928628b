"""Futian tech-space map — command line.

Every command takes ``--json`` for machine-readable output. Errors are one-line messages
on stderr with a non-zero exit (2 for bad input or data, 1 for validation problems),
never a traceback (set SPACEMAP_DEBUG=1 to see one).

Examples::

    python cli.py layers --json
    python cli.py validate
    python cli.py area --layer subdistricts --json
    python cli.py store --rebuild
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import settings
from spatial.errors import ConflictError, SpaceMapError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL, EXIT_CONFLICT = 0, 1, 2, 3, 4


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, like every other bad input
        command = " ".join(self.prog.split()[1:])
        hint = f"python cli.py {command} --help" if command else "python cli.py --help"
        self.exit(EXIT_USAGE, f"error: {message} (see: {hint})\n")


def _emit(data, *, as_json: bool, text: str) -> None:
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(text + ("\n" if not text.endswith("\n") else ""))


def _fmt_m2(value) -> str:
    return "unknown" if value is None else f"{value:,.0f} m²"


def cmd_layers(args) -> int:
    from geodata.reports.overview import layer_overview
    from geodata.storage import read_all

    rows = layer_overview(read_all())
    lines = []
    for r in rows:
        line = f"{r['key']:<20} {r['feature_count']:>4}  {r['title_zh']} / {r['title_en']}"
        if "stated_areas_m2" in r:
            floor = r["stated_areas_m2"]["floor_area_m2"]
            line += f"  floor area {_fmt_m2(floor['sum'])} ({floor['known']} stated)"
        if "computed_area_m2" in r:
            line += f"  computed {r['computed_area_m2'] / 1e6:,.2f} km²"
        lines.append(line)
    _emit({"layers": rows}, as_json=args.json, text="\n".join(lines))
    return EXIT_OK


def cmd_validate(args) -> int:
    from geodata.ingest.bundled import read_bundled
    from geodata.storage import read_all, store_path
    from geodata.ingest.validate import validate_frames

    if args.bundled:
        frames, problems = read_bundled()
        target = "bundled files (geodata/data)"
    else:
        frames, problems = read_all(), []
        target = f"store {store_path()}"
    problems = problems + validate_frames(frames)
    data = {"target": target, "ok": not problems, "problem_count": len(problems),
            "problems": [p.as_dict() for p in problems]}
    text = f"{target}: OK, {sum(len(f) for f in frames.values())} features in {len(frames)} layers" if not problems \
        else "\n".join([f"{target}: {len(problems)} problem(s)"] + [f"  {p}" for p in problems])
    _emit(data, as_json=args.json, text=text)
    return EXIT_OK if not problems else EXIT_PROBLEMS


def cmd_area(args) -> int:
    from geodata.reports.overview import computed_areas
    from geodata.storage import read_layer

    rows = computed_areas(read_layer(args.layer), args.layer)
    total = sum(r["area_m2"] for r in rows)
    lines = [f"{args.layer}: computed in EPSG:4547"]
    for r in rows:
        extra = f"  (official {r['official_area_m2'] / 1e6:.2f} km², {r['difference_pct']:+.1f} %)" \
            if "official_area_m2" in r else ""
        lines.append(f"  {r['id']:<34} {r['name_zh']:<16} {r['area_m2']:>14,.1f} m²{extra}")
    lines.append(f"  total {total:,.1f} m²")
    _emit({"layer": args.layer, "crs": "EPSG:4547", "features": rows, "total_m2": round(total, 1)},
          as_json=args.json, text="\n".join(lines))
    return EXIT_OK


def cmd_store(args) -> int:
    from geodata.storage import create_store, open_store, store_path

    if args.rebuild:
        create_store(store_path(), replace=True)
    store = open_store()
    meta = store.read_meta()
    where = store.describe()
    _emit({"path": where, "backend": store.kind, **meta}, as_json=args.json,
          text=f"store {where}\n" + "\n".join(f"  {k}: {v}" for k, v in meta.items()))
    return EXIT_OK


def _parse_area(text: str | None) -> tuple[float | None, float | None]:
    import re

    if text is None:
        return None, None
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)?\s*(-)?\s*(\d+(?:\.\d+)?)?\s*", text)
    if not m or (m.group(1) is None and m.group(3) is None):
        raise SpaceMapError(f"--area must be MIN-MAX, MIN-, -MAX or MIN in m² (non-negative), got {text!r}")
    lo = float(m.group(1)) if m.group(1) else None
    hi = float(m.group(3)) if m.group(3) else (None if m.group(2) else lo)
    if m.group(2) is None:
        hi = None  # a single number is a minimum
    return lo, hi


def _parse_list(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").replace("，", ",").split(",") if p.strip()]


def _resolve_facility(text: str) -> str:
    from layers.vocab import FACILITIES

    key = text.strip().lower()
    for code, term in FACILITIES.items():
        if key in {code, term.zh.lower(), term.en.lower(), *(s.lower() for s in term.synonyms)}:
            return code
    raise SpaceMapError(f"unknown facility {text!r}; valid: {', '.join(FACILITIES)}")


def _resolve_zones(items: list[str], frames) -> tuple[str, ...]:
    out = []
    for item in items:
        key = item.strip().lower()
        hit = None
        for layer in ("subdistricts", "clusters"):
            f = frames[layer]
            for fid, zh, en in zip(f["id"], f["name_zh"], f["name_en"]):
                names = {str(fid).lower(), str(zh).lower(), str(en).lower(), str(zh).removesuffix("街道").lower(),
                         str(en).lower().removesuffix(" subdistrict")}
                if key in names:
                    hit = fid
        if hit is None:
            raise SpaceMapError(f"unknown subdistrict or cluster {item!r}; see: python cli.py area --layer subdistricts")
        out.append(hit)
    return tuple(out)


def _parse_weights(text: str | None) -> dict[str, float]:
    from spatial.match import CRITERIA

    out = {}
    for part in _parse_list(text):
        key, _, value = part.partition("=")
        if key not in CRITERIA:
            raise SpaceMapError(f"unknown weight {key!r}; criteria: {', '.join(CRITERIA)}")
        try:
            out[key] = float(value)
        except ValueError:
            raise SpaceMapError(f"weight {key} must be a number, got {value!r}") from None
        if out[key] < 0:
            raise SpaceMapError(f"weight {key} must not be negative, got {out[key]:g}")
    return out


def build_need(args, frames, carriers):
    """A validated Need from the match command's arguments."""
    from layers.vocab import INDUSTRIES, resolve_industry
    from spatial.match import Need
    from spatial.places import resolve_place

    industry = None
    if args.industry:
        industry = resolve_industry(args.industry)
        if industry is None:
            valid = ", ".join(f"{c} ({t.zh})" for c, t in INDUSTRIES.items())
            raise SpaceMapError(f"unknown industry {args.industry!r}; valid: {valid}")
    lo, hi = _parse_area(args.area)
    near, label = None, ""
    if args.near:
        lon, lat, label = resolve_place(args.near, landmarks=frames["landmarks"], carriers=carriers)
        near = (lon, lat)
    need = Need(industry=industry, area_min=lo, area_max=hi, max_rent=args.max_rent,
                zones=_resolve_zones(_parse_list(args.zones), frames), near=near, near_label=label,
                within_km=args.within_km, stage=args.stage,
                facilities=tuple(_resolve_facility(f) for f in _parse_list(args.needs)),
                hk_link=args.hk_link, policy_support=args.policy_support)
    problems = need.validate()
    if problems:
        raise SpaceMapError("; ".join(problems))
    return need


def cmd_match(args) -> int:
    from geodata.reports.inventory import read_spaces, zoned
    from geodata.storage import open_store
    from layers.catalogue import CARRIER_LAYERS
    from spatial.carriers import combine_carriers
    from spatial.match import candidate_arrays, match
    from spatial.match_explain import exclusion_summary
    from spatial.scope import in_scope

    if args.top < 1:
        raise SpaceMapError(f"--top must be at least 1, got {args.top}")
    store = open_store()
    if args.spaces is None and "match" in store.pushdown:
        return _match_in_store(args, store)
    frames = store.read_all()
    carriers = read_spaces(args.spaces) if args.spaces else combine_carriers(frames, CARRIER_LAYERS)
    carriers = carriers.loc[in_scope(carriers, frames["district"], args.scope)].reset_index(drop=True)
    carriers = zoned(carriers, frames)
    need = build_need(args, frames, carriers)
    cands = candidate_arrays(carriers)
    result = match(cands, need, weights=_parse_weights(args.weights), top=args.top)
    return _match_output(args, need, cands, result, len(cands), exclusion_summary(result))


def _match_in_store(args, store) -> int:
    """Matching with the hard filters run by the store (a database), the scoring in numpy (same
    results)."""
    from layers.catalogue import CARRIER_LAYERS
    from spatial.carriers import combine_carriers
    from spatial.match_explain import exclusion_summary

    frames = {k: store.read_layer(k) for k in ("district", "subdistricts", "clusters", "hetao", "landmarks")}
    named = {}
    if args.near:  # a carrier named as the place to measure from: looked up by id or name, not by reading all
        named = {k: store.read_layer(k, ids=[args.near.strip()], names=True) for k in CARRIER_LAYERS}
    need = build_need(args, frames, combine_carriers(named, CARRIER_LAYERS))
    found = store.match(need, frames, scope=args.scope, weights=_parse_weights(args.weights), top=args.top)
    return _match_output(args, need, found["candidates"], found["result"], found["scope_size"],
                         exclusion_summary(found["result"], counts=found["excluded"]))


def _match_output(args, need, cands, result, candidates: int, reasons: dict) -> int:
    from spatial.match import need_to_dict
    from spatial.match_explain import results_table

    rows = results_table(cands, result)
    data = {
        "need": need_to_dict(need), "scope": args.scope, "candidates": candidates, "results": rows,
        "excluded_count": int(candidates - result.passing.sum()), "exclusion_reasons": reasons,
        "near_misses": result.near_misses, "stable_top3": result.stable_top3,
        "unstable_under": result.unstable_under, "weights": result.weights,
    }
    lines = [f"{len(rows)} result(s) of {candidates} candidates; {data['excluded_count']} excluded"]
    for r in rows:
        lines.append(f"  {r['rank']:>2}. {r['score']:5.1f}  {r['name_zh']}  ({r['layer']})"
                     + (f"  ⚠ {'; '.join(r['flags'])}" if r["flags"] else ""))
    for reason, count in data["exclusion_reasons"].items():
        lines.append(f"  excluded: {reason}: {count}")
    for miss in result.near_misses[:3]:
        lines.append(f"  relaxing '{miss['reason']}' would add {miss['adds']}")
    if rows and not result.stable_top3:
        lines.append(f"  top three change when weights move ±20 %: {', '.join(result.unstable_under)}")
    _emit(data, as_json=args.json, text="\n".join(lines))
    return EXIT_OK


POOL_COLUMNS = ("name", "industry", "area", "max_rent", "near", "within_km", "needs", "stage", "zones", "hk_link",
                "policy_support")


def cmd_pool(args) -> int:
    """List the demand pool, or import needs from a CSV whose columns mirror the match flags."""
    import json as _json
    from datetime import datetime, timezone

    import pandas as pd

    from geodata.ingest.bundled import read_csv_text
    from geodata.storage import append_rows, read_all, read_layer
    from layers.catalogue import CARRIER_LAYERS
    from spatial.carriers import combine_carriers
    from spatial.match import need_to_dict

    pool = read_layer("demand_pool")
    if args.import_file is None:
        _emit({"needs": pool[["id", "name", "created_at"]].to_dict("records")}, as_json=args.json,
              text="\n".join(f"{r.id}  {r.name}" for r in pool.itertuples()) or "(demand pool is empty)")
        return EXIT_OK
    try:
        table = read_csv_text(args.import_file)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise SpaceMapError(f"cannot read {args.import_file}: {exc}") from exc
    unknown = [c for c in table.columns if c not in POOL_COLUMNS]
    if "name" not in table.columns or unknown:
        raise SpaceMapError(f"pool CSV columns must be among {', '.join(POOL_COLUMNS)} (with name); "
                            f"unknown: {', '.join(unknown) or 'none'}")
    frames = read_all()
    carriers = combine_carriers(frames, CARRIER_LAYERS)
    accepted, rejected = [], []
    now = datetime.now(timezone.utc)
    for row_no, row in enumerate(table.to_dict("records"), start=2):  # row 1 is the header
        ns = argparse.Namespace(**{c: row.get(c) for c in POOL_COLUMNS})
        try:
            ns.max_rent = float(ns.max_rent) if ns.max_rent else None
            ns.within_km = float(ns.within_km) if ns.within_km else None
        except ValueError as exc:
            rejected.append({"row": row_no, "reason": f"not a number: {exc}"})
            continue
        ns.hk_link = str(ns.hk_link or "").lower() in ("1", "true", "yes", "是")
        ns.policy_support = str(ns.policy_support or "").lower() in ("1", "true", "yes", "是")
        if not (row.get("name") or "").strip():
            rejected.append({"row": row_no, "reason": "name is missing"})
            continue
        try:
            need = build_need(ns, frames, carriers)
        except SpaceMapError as exc:
            rejected.append({"row": row_no, "reason": str(exc)})
            continue
        accepted.append({"id": f"need-{now:%Y%m%d%H%M%S}-{row_no}", "name": row["name"].strip(),
                         "created_at": now.isoformat(timespec="seconds"),
                         "need_json": _json.dumps(need_to_dict(need), ensure_ascii=False),
                         "source": f"{Path(args.import_file).name} row {row_no}"})
    if accepted and not rejected:
        append_rows("demand_pool", pd.DataFrame(accepted))
    data = {"accepted": len(accepted), "rejected": rejected, "committed": bool(accepted) and not rejected}
    lines = [f"{len(accepted)} need(s) accepted, {len(rejected)} rejected; "
             + ("committed" if data["committed"] else "nothing saved (fix the rejected rows and import again)")]
    lines += [f"  row {r['row']}: {r['reason']}" for r in rejected]
    _emit(data, as_json=args.json, text="\n".join(lines))
    return EXIT_OK if not rejected else EXIT_PROBLEMS


def _today(text: str | None):
    from datetime import date

    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise SpaceMapError(f"--today must be a date YYYY-MM-DD, got {text!r}") from exc


def _user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _pct(value) -> str:
    return "unknown" if value is None else f"{value:.1f} %"


def cmd_progress(args) -> int:
    """Progress toward the incubation-space goal; --set-goal records a new goal first."""
    from geodata.stewardship.goals import set_goal
    from geodata.reports.inventory import snapshot
    from geodata.reports.planning import progress_report

    if args.set_goal is not None or args.goal_year is not None:
        if args.set_goal is None or args.goal_year is None:
            raise SpaceMapError("--set-goal and --goal-year go together")
        set_goal(args.set_goal, args.goal_year, set_by=args.by or _user(), reason=args.reason)
    frames, carriers = snapshot()
    what_if = None if args.what_if is None else _parse_list(args.what_if)
    try:
        s, _ = progress_report(frames, carriers, today=_today(args.today), what_if=what_if)
    except ValueError as exc:
        raise SpaceMapError(str(exc)) from exc
    latest = s["latest_reported"]
    lines = [
        f"goal: {s['goal_m2']:,.0f} m² by {s['goal_year']} ({s['goal_source']})",
        f"latest reported: {latest['area_m2']:,.0f} m² on {latest['date']} = {_pct(s['pct_of_goal_reported'])} "
        f"of the goal ({latest['source']})",
        f"ledger now: {s['ledger_total_m2']:,.0f} m² = {_pct(s['pct_of_goal_ledger'])} of the goal; "
        f"{s['ledger_counts']['area_unknown']} of {s['ledger_counts']['carriers']} carriers have no counted area",
    ]
    if s["deadline_passed"]:
        lines.append(f"deadline {s['deadline']} has passed: "
                     + ("reached" if s["reached_by_deadline"] else "not reached by any figure reported by then"))
    req = s["required_m2_per_year"]
    hist = s["historical_m2_per_year"]
    lines.append(f"pace needed from {s['required_from']} to the deadline: "
                 + ("n/a" if req is None else f"{req:,.0f} m²/year")
                 + (f"; historical pace since {s['historical_from']}: {hist:,.0f} m²/year" if hist else ""))
    lines.append(f"at the historical pace the goal is reached in: {s['projected_year_reaching_goal'] or 'never'}")
    w = s["what_if"]
    if w["added_m2"]:
        lines.append(f"what if {', '.join(a['id'] for a in w['additions'])} (+{w['added_m2']:,.0f} m²): "
                     f"{w['total_m2']:,.0f} m² = {_pct(w['pct_of_goal'])}, goal in "
                     f"{w['projected_year_reaching_goal'] or 'never'}")
    _emit(s, as_json=args.json, text="\n".join(lines))
    return EXIT_OK


def cmd_tally(args) -> int:
    """Area tally per subdistrict, cluster, inside/outside Hetao, layer or industry."""
    from geodata.reports.export import table_csv, table_xlsx
    from geodata.reports.inventory import snapshot
    from geodata.reports.planning import tally_json, tally_report, tally_sources, tally_table
    from geodata.storage import store_path

    frames, carriers = snapshot()
    location = store_path() if args.out is None else None  # the export's sources sheet needs every carrier
    result = tally_report(args.by, carriers, frames, land=args.land, stated=args.stated, scope=args.scope,
                          location=location)
    data = tally_json(result)
    if args.out is not None:
        suffix = args.out.suffix.lower()
        table = tally_table(result, args.lang)
        if suffix == ".csv":
            payload = table_csv(table)
        elif suffix == ".xlsx":
            payload = table_xlsx({"tally": table, "sources": tally_sources(result, carriers, args.lang)})
        else:
            raise SpaceMapError(f"--out must end in .csv or .xlsx, got {args.out.name}")
        try:
            args.out.write_bytes(payload)
        except OSError as exc:
            raise SpaceMapError(f"cannot write {args.out}: {exc}") from exc
    lines = [f"{'unit':<28} {'count':>5} {'land m²':>12} {'floor m²':>12} {'incubation m²':>14} {'available m²':>13}"]
    for r in [*data["rows"], {**data["total"], "name_en": "TOTAL"}]:
        land = _fmt_m2(r["land_area_m2"]) if r["polygon_count"] else "no polygons"
        lines.append(f"{str(r['name_en'])[:28]:<28} {r['count']:>5} {land:>12} "
                     f"{_fmt_m2(r['floor_area_m2']):>12} {_fmt_m2(r['incubation_area_m2']):>14} "
                     f"{_fmt_m2(r['available_area_m2']):>13}")
    if data["overlapping"]:
        lines.append("note: a carrier can count in several rows here, so rows need not add up to the total")
    _emit(data, as_json=args.json, text="\n".join(lines))
    return EXIT_OK


def cmd_import(args) -> int:
    """Import carriers from a file: dry run, or commit the accepted rows in one transaction."""
    from geodata.ingest.importer import plan_import
    from geodata.stewardship.commits import commit_import
    from geodata.storage import ensure_store, frames_for_import

    path = ensure_store()
    plan = plan_import(args.file, args.layer, frames_for_import(path), crs=args.crs, mapping_file=args.mapping)
    data = plan.summary()
    commit = not args.dry_run and bool(len(plan.accepted)) and not (args.strict and plan.rejected)
    data["committed"] = False
    if commit:
        data.update(commit_import(plan, who=args.by or _user(), path=path))
    if args.rejected_csv is not None and plan.rejected:
        from geodata.reports.export import table_csv

        args.rejected_csv.write_bytes(table_csv(plan.rejected_table()))
    lines = [f"{plan.file_name} ({plan.format}, {plan.crs}): {data['rows']} rows, {data['accepted']} accepted "
             f"({len(plan.added)} new, {len(plan.updated)} changed, {len(plan.unchanged)} unchanged), "
             f"{len({r.row for r in plan.rejected})} rejected"]
    lines += [f"  note: {n}" for n in plan.notes]
    for fid, changes in plan.updated.items():
        lines.append(f"  {fid}: " + "; ".join(f"{c['field']} {c['old']!r} → {c['new']!r}" for c in changes))
    lines += [f"  row {r.row}: {r.field}: {r.reason} (value: {r.value!r})" for r in plan.rejected]
    lines.append("committed" if data["committed"] else
                 "dry run: nothing written" if args.dry_run else
                 "nothing written: --strict and rows were rejected" if args.strict and plan.rejected else
                 "nothing written: no row accepted")
    _emit(data, as_json=args.json, text="\n".join(lines))
    return EXIT_PROBLEMS if plan.rejected else EXIT_OK


def cmd_export(args) -> int:
    """Export every layer as one GeoPackage, GeoJSON per layer, or CSV / XLSX."""
    from geodata.reports.store_export import export_store

    written = export_store(args.format, args.out)
    _emit({"format": args.format, "written": [str(p) for p in written]}, as_json=args.json,
          text="\n".join(f"wrote {p}" for p in written))
    return EXIT_OK


def cmd_audit(args) -> int:
    """The audit log: every import, edit and undo."""
    from geodata.stewardship.commits import audit_entries

    entries = audit_entries()
    lines = [f"{e['id']}  {e['at']}  {e['who']:<12} {e['action']:<6} {e.get('layer') or '':<15} "
             f"{e.get('file_name') or ''}  accepted {e.get('accepted') or 0}, rejected {e.get('rejected') or 0}"
             + (f"  (undone by {e['undone_by']})" if e.get("undone_by") else "") for e in entries]
    _emit({"entries": entries}, as_json=args.json, text="\n".join(lines) or "(no imports or edits yet)")
    return EXIT_OK


def cmd_edit(args) -> int:
    """Correct fields of one carrier with a reason (audited, undoable); --expect-version guards
    against overwriting somebody else's change (exit 4 on a conflict)."""
    from geodata.stewardship.commits import edit_fields

    values = {}
    for pair in args.values:
        field, sep, value = pair.partition("=")
        if not sep or not field.strip():
            raise SpaceMapError(f"write corrections as FIELD=VALUE, got {pair!r}")
        values[field.strip()] = value
    result = edit_fields(args.id, values, reason=args.reason, who=args.by or _user(),
                         expected_version=args.expect_version)
    _emit({"id": args.id, **result}, as_json=args.json,
          text=f"corrected {args.id} ({result['layer']}), now version {result['row_version']}; "
               f"audit {result['audit_id']}")
    return EXIT_OK


def cmd_undo(args) -> int:
    """Undo the last import or edit that has not been undone."""
    from geodata.stewardship.commits import undo_last

    result = undo_last(who=args.by or _user())
    _emit(result, as_json=args.json, text=f"undid {result['undone']} ({result['action']} of {result['layer']}): "
                                          f"{result['removed']} removed, {result['restored']} restored")
    return EXIT_OK


def cmd_editor(args) -> int:
    """Add an editor account (password asked for, or read from stdin with --password-stdin)."""
    import getpass

    from geodata.stewardship.accounts import add_editor

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("password: ")
    path = add_editor(args.name, password)
    _emit({"editor": args.name, "file": str(path)}, as_json=args.json, text=f"editor {args.name} saved in {path}")
    return EXIT_OK


def cmd_serve(args) -> int:
    """Start the Streamlit app in this process, with the heavy modules imported first.

    The first visitor then does not wait for geopandas, folium and the store to load.
    """
    import time

    started = time.perf_counter()
    # Only modules that do not touch Streamlit: its config must be loaded by `streamlit run`.
    import layers.render  # noqa: F401  (folium, geopandas, shapely, pyproj)
    import spatial.carriers  # noqa: F401
    import spatial.search  # noqa: F401
    from geodata.storage import describe_store, ensure_store

    from geodata.reports.inventory import snapshot

    from layers.charts import warm_up

    path = describe_store(ensure_store())
    snapshot()  # the first visitor finds the data loaded
    warm_up()  # the chart renderer's engine starts now, not on the first visit to the progress page
    sys.stderr.write(f"store {path}; modules and data loaded in {time.perf_counter() - started:.1f} s\n")
    from streamlit.web import cli as stcli

    app = str(Path(__file__).resolve().parent / "app.py")
    extra = [a for a in args.streamlit_args if a != "--"]
    sys.argv = ["streamlit", "run", app, "--server.port", str(args.port), "--server.address", args.address, *extra]
    return stcli.main()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    from layers.catalogue import CARRIER_LAYERS, LAYERS
    from spatial.scope import DEFAULT_SCOPE, SCOPES
    from spatial.tally import UNIT_KINDS

    parser = _Parser(prog="cli.py", description="Futian tech-space map (福田科技空间地图)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(name, func, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(func=func)
        return p

    add("layers", cmd_layers, "list the layers with feature counts and summed stated areas")
    p = add("validate", cmd_validate, "validate every layer; exit 1 when there are problems")
    p.add_argument("--bundled", action="store_true", help="validate the shipped files instead of the store")
    p = add("area", cmd_area, "computed areas (m², EPSG:4547) of a polygon layer")
    p.add_argument("--layer", required=True, metavar="KEY",
                   help=f"polygon layer: {', '.join(k for k, s in LAYERS.items() if s.geometry == 'MultiPolygon')}")
    p = add("match", cmd_match, "rank spaces for an enterprise need, with reasons")
    p.add_argument("--industry", help="industry code, Chinese or English name or synonym (e.g. 生物医药)")
    p.add_argument("--area", help="floor area range in m²: MIN-MAX, MIN- or -MAX")
    p.add_argument("--max-rent", type=float, help="maximum rent, CNY per m² per month")
    p.add_argument("--near", help="landmark (e.g. 皇岗口岸), carrier id or name, or 'lat,lon'")
    p.add_argument("--within-km", type=float, help="maximum distance from --near in km")
    p.add_argument("--needs", help="required facilities, comma-separated (e.g. wet_lab,clean_room)")
    p.add_argument("--stage", choices=["startup", "growth", "headquarters", "research_institute"])
    p.add_argument("--zones", help="preferred subdistricts or clusters, comma-separated ids or names")
    p.add_argument("--hk-link", action="store_true", help="wants a Hong Kong link")
    p.add_argument("--policy-support", action="store_true", help="wants applicable policy support")
    p.add_argument("--weights", help="criterion weights, e.g. industry=30,cost=20")
    p.add_argument("--top", type=int, default=10)
    p.add_argument("--spaces", type=Path, help="match against this inventory (.gpkg, .geojson or .csv)")
    p.add_argument("--scope", choices=list(SCOPES), default=DEFAULT_SCOPE,
                   help="spaces in Futian only (default) or anywhere in Shenzhen")
    p = add("pool", cmd_pool, "list the enterprise demand pool, or --import needs from a CSV (all or nothing)")
    p.add_argument("--import", dest="import_file", type=Path,
                   help=f"CSV with columns {', '.join(POOL_COLUMNS)} (values as for match)")
    p = add("progress", cmd_progress, "progress toward the incubation-space goal (科技培育空间)")
    p.add_argument("--what-if", metavar="IDS",
                   help="planned additions to add to the latest figure, comma-separated ids ('' for none; "
                        "default: those planned for the latest report's year or later)")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="the date 'now' means (default: today)")
    p.add_argument("--set-goal", type=float, metavar="M2", help="record a new goal in m² (with --goal-year)")
    p.add_argument("--goal-year", type=int, metavar="YEAR", help="year by whose end the new goal is to be reached")
    p.add_argument("--reason", help="why the goal is set (required with --set-goal)")
    p.add_argument("--by", help="who sets the goal (default: $USER)")
    p = add("tally", cmd_tally, "count and area per subdistrict, cluster, Hetao, layer or industry")
    p.add_argument("--by", required=True, choices=list(UNIT_KINDS))
    p.add_argument("--scope", choices=list(SCOPES), default=DEFAULT_SCOPE,
                   help="carriers of Futian only (default) or all of Shenzhen")
    p.add_argument("--land", choices=["apportion", "centroid"], default="apportion",
                   help="polygons crossing a unit boundary: split land area by area share (default) or by centroid")
    p.add_argument("--stated", choices=["centroid", "apportion"], default="centroid",
                   help="stated figures of such polygons: whole at the centroid (default) or split by area share")
    p.add_argument("--out", type=Path, help="also write the table to .csv, or .xlsx with a sources sheet")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="header language of --out")
    p = add("import", cmd_import, "import carriers from CSV, XLSX, GeoJSON, GeoPackage or zipped Shapefile")
    p.add_argument("file", type=Path)
    p.add_argument("--layer", required=True, choices=list(CARRIER_LAYERS))
    p.add_argument("--crs", default="wgs84", help="coordinates given in: wgs84 (default), gcj02 (AMap), bd09 (Baidu), "
                                                   "cgcs2000 (EPSG:4490) or epsg:4547 (metres)")
    p.add_argument("--mapping", type=Path, help="JSON file mapping the file's headers to field names")
    p.add_argument("--dry-run", action="store_true", help="check and show what would change; write nothing")
    p.add_argument("--strict", action="store_true", help="write nothing if any row is rejected")
    p.add_argument("--by", help="who imports (default: $USER)")
    p.add_argument("--rejected-csv", type=Path, help="write the rejected rows with their reasons to this CSV")
    p = add("export", cmd_export, "export every layer (an exported GeoPackage re-imports to an identical store)")
    p.add_argument("--format", required=True, choices=["gpkg", "geojson", "csv", "xlsx"])
    p.add_argument("out", type=Path, help="file (gpkg, xlsx) or folder (geojson, csv)")
    add("audit", cmd_audit, "the audit log of imports, edits and undos")
    p = add("edit", cmd_edit, "correct fields of one carrier (a figure with its source), with a reason")
    p.add_argument("id", help="carrier id")
    p.add_argument("values", nargs="+", metavar="FIELD=VALUE", help="e.g. available_area_m2=1200 "
                   "available_area_source='site visit 2026-11'")
    p.add_argument("--reason", required=True, help="why the correction is made")
    p.add_argument("--by", help="who corrects (default: $USER)")
    p.add_argument("--expect-version", type=int, metavar="N",
                   help="the row version you read (store --json / export); exit 4 if it changed since")
    p = add("undo", cmd_undo, "undo the last import or edit")
    p.add_argument("--by", help="who undoes (default: $USER)")
    p = add("editor", cmd_editor, "add an editor account (hashed, in $SPACEMAP_EDITORS, outside git)")
    p.add_argument("action", choices=["add"])
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p = add("serve", cmd_serve, "start the web app (Streamlit) with its modules preloaded")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="0.0.0.0", help="listen address (127.0.0.1 for this machine only)")
    p.add_argument("streamlit_args", nargs=argparse.REMAINDER,
                   help="further options for streamlit run, after -- (e.g. -- --server.baseUrlPath map)")
    p = add("store", cmd_store, "create the store if missing (or --rebuild it) and show its metadata")
    p.add_argument("--rebuild", action="store_true", help="rebuild the store from the bundled files")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ConflictError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_CONFLICT
    except SpaceMapError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - last line of defence: no traceback for users
        if settings.debug():
            raise
        sys.stderr.write(f"internal error: {type(exc).__name__}: {exc} (set SPACEMAP_DEBUG=1 for details)\n")
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
