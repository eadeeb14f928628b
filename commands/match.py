"""Matching commands: match (a ranked shortlist for a need) and pool (the demand pool)."""
from __future__ import annotations

from pathlib import Path

from commands.common import EXIT_OK, EXIT_PROBLEMS, emit, parse_day, user
from spatial.errors import SpaceMapError


def _need(args, frames, carriers):
    from spatial.need import need_from_text

    return need_from_text(frames=frames, carriers=carriers, industry=args.industry, area=args.area,
                          max_rent=args.max_rent, near=args.near, within_km=args.within_km, needs=args.needs,
                          stage=args.stage, zones=args.zones, hk_link=args.hk_link,
                          policy_support=args.policy_support)


def cmd_match(args) -> int:
    """Match against the store (its own pre-filter where it has one) or against ``--spaces``."""
    from geodata.storage import NotSupported, open_store
    from spatial.match_explain import exclusion_summary, results_table
    from spatial.need import parse_weights

    if args.top < 1:
        raise SpaceMapError(f"--top must be at least 1, got {args.top}")
    weights = parse_weights(args.weights)
    if args.level == "unit":
        if args.spaces is not None:
            raise SpaceMapError("--level unit matches the store's units: it cannot be used with --spaces")
        return _match_units(args, weights)
    if args.spaces is not None:
        return _match_file(args, open_store().read_all(), weights)
    store = open_store()
    frames, need = _store_need(args, store)
    try:
        found = store.match(need, frames, scope=args.scope, weights=weights, top=args.top)
    except NotSupported:  # the store cannot pre-filter: score every carrier of the scope here
        return _match_here(args, need, store.read_all(), weights)
    return _match_output(args, need, results_table(found["candidates"], found["result"]), found["result"],
                         found["scope_size"], exclusion_summary(found["result"], counts=found["excluded"]))


def _store_need(args, store):
    """The zone layers and the need (a carrier named as the place to measure from is looked up by id
    or name, not by reading all)."""
    from layers.catalogue import CARRIER_LAYERS
    from spatial.carriers import combine_carriers

    frames = {k: store.read_layer(k) for k in ("district", "subdistricts", "clusters", "hetao", "landmarks")}
    named = {}
    if args.near:
        named = {k: store.read_layer(k, ids=[args.near.strip()], names=True) for k in CARRIER_LAYERS}
    return frames, _need(args, frames, combine_carriers(named, CARRIER_LAYERS))


def _match_units(args, weights) -> int:
    """Unit-level matching: the store's pre-filter where it has one, else every unit of the scope here."""
    from geodata.storage import NotSupported, open_store
    from spatial.match_explain import exclusion_summary
    from spatial.unit_match import unit_results_table

    store = open_store()
    frames, need = _store_need(args, store)
    today = parse_day(args.today)
    try:  # the optional push-down (NotSupported where the store has none)
        found = store.match_units(need, frames, scope=args.scope, weights=weights, top=args.top)
        ucands, result, size = found["candidates"], found["result"], found["scope_size"]
        reasons = exclusion_summary(result, counts=found["excluded"])
    except NotSupported:
        ucands, result = _units_here(args, need, store.read_all(), weights)
        size, reasons = len(ucands), exclusion_summary(result)
    rows = unit_results_table(ucands, result, today=today)
    return _match_output(args, need, rows, result, size, reasons, level="unit")


def _units_here(args, need, frames, weights):
    """Unit candidates of the scope built in memory, and the match on them."""
    from geodata.reports.inventory import zoned
    from layers.catalogue import CARRIER_LAYERS
    from spatial.carriers import combine_carriers
    from spatial.match import candidate_arrays
    from spatial.scope import in_scope
    from spatial.unit_match import match_units, unit_candidate_arrays

    carriers = combine_carriers(frames, CARRIER_LAYERS)
    carriers = zoned(carriers.loc[in_scope(carriers, frames["district"], args.scope)].reset_index(drop=True), frames)
    ucands = unit_candidate_arrays(candidate_arrays(carriers), frames["units"])
    return ucands, match_units(ucands, need, weights=weights, top=args.top)


def _match_file(args, frames, weights) -> int:
    """Match against another inventory file (``--spaces``); places may name its carriers."""
    from geodata.reports.inventory import read_spaces

    carriers = read_spaces(args.spaces)
    return _match_here(args, None, frames, weights, carriers=carriers)


def _match_here(args, need, frames, weights, *, carriers=None) -> int:
    """Score the carriers of the scope in memory (the store's, or ``carriers``)."""
    from geodata.reports.inventory import zoned
    from layers.catalogue import CARRIER_LAYERS
    from spatial.carriers import combine_carriers
    from spatial.match import candidate_arrays, match
    from spatial.match_explain import exclusion_summary, results_table
    from spatial.scope import in_scope

    carriers = combine_carriers(frames, CARRIER_LAYERS) if carriers is None else carriers
    carriers = carriers.loc[in_scope(carriers, frames["district"], args.scope)].reset_index(drop=True)
    carriers = zoned(carriers, frames)
    need = need if need is not None else _need(args, frames, carriers)
    cands = candidate_arrays(carriers)
    result = match(cands, need, weights=weights, top=args.top)
    return _match_output(args, need, results_table(cands, result), result, len(cands), exclusion_summary(result))


def _match_output(args, need, rows: list[dict], result, candidates: int, reasons: dict, *, level: str = "carrier"
                  ) -> int:
    from spatial.need import need_to_dict

    data = {
        "need": need_to_dict(need), "scope": args.scope, "candidates": candidates, "results": rows,
        "excluded_count": int(candidates - result.passing.sum()), "exclusion_reasons": reasons,
        "near_misses": result.near_misses, "stable_top3": result.stable_top3,
        "unstable_under": result.unstable_under, "weights": result.weights,
    }
    if level == "unit":  # which level ran; a unit result is one unit: units are never combined
        data.update(level=level, units_combined=False)
    lines = [f"{len(rows)} result(s) of {candidates} candidates; {data['excluded_count']} excluded"]
    for r in rows:
        unit = ""
        if r.get("level") == "unit":
            area = "?" if r["area_m2"] is None else f"{r['area_m2']:,.0f}"
            unit = f"  {r['unit_label']} {area} m²" + (" (stale)" if r["stale"] else "")
        lines.append(f"  {r['rank']:>2}. {r['score']:5.1f}  {r['name_zh']}{unit}  ({r['layer']})"
                     + (f"  ⚠ {'; '.join(r['flags'])}" if r["flags"] else ""))
    for reason, count in data["exclusion_reasons"].items():
        lines.append(f"  excluded: {reason}: {count}")
    for miss in result.near_misses[:3]:
        lines.append(f"  relaxing '{miss['reason']}' would add {miss['adds']}")
    if rows and not result.stable_top3:
        lines.append(f"  top three change when weights move ±20 %: {', '.join(result.unstable_under)}")
    emit(data, as_json=args.json, text="\n".join(lines))
    return EXIT_OK


def cmd_pool(args) -> int:
    """List the demand pool, import needs from a CSV whose columns mirror the match flags, delete
    needs, or undo the latest pool change (each change audited with --by)."""
    from geodata.stewardship.pool import delete_needs, import_needs, pool_needs, undo_pool_change

    who = args.by or user()
    if args.delete:
        done = delete_needs(args.delete, who=who)
        emit(done, as_json=args.json, text=f"deleted {len(done['removed'])} need(s); audit {done['audit_id']}")
        return EXIT_OK
    if args.undo:
        done = undo_pool_change(who=who)
        emit(done, as_json=args.json, text=f"undid {done['undone']} ({done['action']}): {done['removed']} removed, "
                                           f"{done['restored']} restored")
        return EXIT_OK
    if args.import_file is None:
        pool = pool_needs()
        emit({"needs": pool[["id", "name", "created_at"]].to_dict("records")}, as_json=args.json,
             text="\n".join(f"{r.id}  {r.name}" for r in pool.itertuples()) or "(demand pool is empty)")
        return EXIT_OK
    data = import_needs(args.import_file, who=who)
    lines = [f"{data['accepted']} need(s) accepted, {len(data['rejected'])} rejected; "
             + ("committed" if data["committed"] else "nothing saved (fix the rejected rows and import again)")]
    lines += [f"  row {r['row']}: {r['reason']}" for r in data["rejected"]]
    emit(data, as_json=args.json, text="\n".join(lines))
    return EXIT_OK if not data["rejected"] else EXIT_PROBLEMS


def register(add) -> None:
    """Add this group's sub-commands (``add(name, func, help)`` returns the sub-parser)."""
    from geodata.stewardship.pool import POOL_COLUMNS
    from spatial.need import CRITERIA, STAGES
    from spatial.scope import DEFAULT_SCOPE, SCOPES

    p = add("match", cmd_match, "rank spaces for an enterprise need, with reasons")
    p.add_argument("--industry", help="industry code, Chinese or English name or synonym (e.g. 生物医药)")
    p.add_argument("--area", help="floor area range in m²: MIN-MAX, MIN- or -MAX")
    p.add_argument("--max-rent", type=float, help="maximum rent, CNY per m² per month")
    p.add_argument("--near", help="landmark (e.g. 皇岗口岸), carrier id or name, or 'lat,lon'")
    p.add_argument("--within-km", type=float, help="maximum distance from --near in km")
    p.add_argument("--needs", help="required facilities, comma-separated (e.g. wet_lab,clean_room)")
    p.add_argument("--stage", choices=list(STAGES), help="the enterprise's stage (fit of each kind of carrier)")
    p.add_argument("--zones", help="preferred subdistricts or clusters, comma-separated ids or names")
    p.add_argument("--hk-link", action="store_true", help="wants a Hong Kong link")
    p.add_argument("--policy-support", action="store_true", help="wants applicable policy support")
    p.add_argument("--weights", help=f"criterion weights, e.g. industry=30,cost=20; criteria: {', '.join(CRITERIA)}")
    p.add_argument("--top", type=int, default=10, help="how many results to list (default 10)")
    p.add_argument("--spaces", type=Path, help="match against this inventory (.gpkg, .geojson or .csv)")
    p.add_argument("--scope", choices=list(SCOPES), default=DEFAULT_SCOPE,
                   help="spaces in Futian only (default) or anywhere in Shenzhen")
    p.add_argument("--level", choices=["carrier", "unit"], default="carrier",
                   help="rank carriers by their stated figures (default), or their available units (single "
                        "units, never combined; carriers without units by their stated figures)")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="the date 'now' means for stale units (default: today)")
    p = add("pool", cmd_pool, "list the enterprise demand pool, or --import needs from a CSV (all or nothing)")
    p.add_argument("--import", dest="import_file", type=Path,
                   help=f"CSV with columns {', '.join(POOL_COLUMNS)} (values as for match)")
    p.add_argument("--delete", nargs="+", metavar="ID", help="remove these needs (undoable with --undo)")
    p.add_argument("--undo", action="store_true", help="undo the latest change to the pool")
    p.add_argument("--by", help="who changes the pool (default: $USER)")
