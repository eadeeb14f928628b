"""Inventory commands: layers, validate, area, store, export."""
from __future__ import annotations

from pathlib import Path

from commands.common import EXIT_OK, EXIT_PROBLEMS, emit, fmt_m2
from spatial.errors import SpaceMapError


def cmd_layers(args) -> int:
    from geodata.reports.overview import layer_overview
    from geodata.storage import read_all

    rows = layer_overview(read_all())
    lines = []
    for r in rows:
        line = f"{r['key']:<20} {r['feature_count']:>4}  {r['title_zh']} / {r['title_en']}"
        if "stated_areas_m2" in r:
            floor = r["stated_areas_m2"]["floor_area_m2"]
            line += f"  floor area {fmt_m2(floor['sum'])} ({floor['known']} stated)"
        if "computed_area_m2" in r:
            line += f"  computed {r['computed_area_m2'] / 1e6:,.2f} km²"
        lines.append(line)
    emit({"layers": rows}, as_json=args.json, text="\n".join(lines))
    return EXIT_OK


def cmd_validate(args) -> int:
    from geodata.ingest.bundled import read_bundled
    from geodata.ingest.provenance_rules import provenance_problems
    from geodata.ingest.validate import validate_frames
    from geodata.storage import describe_store, read_all

    if args.bundled:
        frames, problems = read_bundled()
        target = "bundled files (geodata/data)"
    else:
        frames, problems = read_all(), []
        target = f"store {describe_store()}"
    problems = problems + validate_frames(frames) + provenance_problems(frames)
    data = {"target": target, "ok": not problems, "problem_count": len(problems),
            "problems": [p.as_dict() for p in problems]}
    text = f"{target}: OK, {sum(len(f) for f in frames.values())} features in {len(frames)} layers" if not problems \
        else "\n".join([f"{target}: {len(problems)} problem(s)"] + [f"  {p}" for p in problems])
    emit(data, as_json=args.json, text=text)
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
    emit({"layer": args.layer, "crs": "EPSG:4547", "features": rows, "total_m2": round(total, 1)},
         as_json=args.json, text="\n".join(lines))
    return EXIT_OK


def cmd_store(args) -> int:
    """Show the store's metadata (creating it if missing); ``--rebuild --yes`` backs it up, then
    rebuilds it from the bundled files. Without ``--yes`` nothing changes: exit 2, saying what would be lost."""
    from geodata.storage import ensure_store, open_store

    rebuilt = {}
    if args.rebuild:
        ensure_store()
        rebuilt = _rebuild(yes=args.yes)
    store = open_store()
    meta = store.read_meta()
    where = store.describe()
    lines = [f"store {where}"] + [f"  {k}: {v}" for k, v in meta.items()]
    if rebuilt:
        lines.insert(0, f"rebuilt {where} from the bundled files; {rebuilt['backup_note']}")
    emit({"path": where, "backend": store.kind, **rebuilt, **meta}, as_json=args.json, text="\n".join(lines))
    return EXIT_OK


def _rebuild(*, yes: bool) -> dict:
    """Rebuild the configured store after a backup; refuse (SpaceMapError: exit 2) without ``yes``."""
    from geodata.storage import describe_store, kept_work, rebuild_store

    if not yes:
        lost = ", ".join(f"{n} {what}" for what, n in kept_work().items())
        raise SpaceMapError(f"store --rebuild replaces {describe_store()} with the bundled files and loses every "
                            f"import and edit: {lost}; add --yes to rebuild (a backup is taken first)")
    saved = rebuild_store()
    note = f"the store as it was is in {saved}" if saved is not None else \
        "no backup taken here: a PostGIS store keeps its own backups (pg_dump, point-in-time recovery)"
    return {"rebuilt": True, "backup": None if saved is None else str(saved), "backup_note": note}


def cmd_export(args) -> int:
    """Export every layer as one GeoPackage, GeoJSON per layer, or CSV / XLSX."""
    from geodata.reports.store_export import export_store

    written = export_store(args.format, args.out, public=args.public)
    emit({"format": args.format, "written": [str(p) for p in written]}, as_json=args.json,
         text="\n".join(f"wrote {p}" for p in written))
    return EXIT_OK


def register(add) -> None:
    """Add this group's sub-commands (``add(name, func, help)`` returns the sub-parser)."""
    from layers.catalogue import LAYERS

    add("layers", cmd_layers, "list the layers with feature counts and summed stated areas")
    p = add("validate", cmd_validate, "validate every layer; exit 1 when there are problems")
    p.add_argument("--bundled", action="store_true", help="validate the shipped files instead of the store")
    p = add("area", cmd_area, "computed areas (m², EPSG:4547) of a polygon layer")
    p.add_argument("--layer", required=True, metavar="KEY",
                   help=f"polygon layer: {', '.join(k for k, s in LAYERS.items() if s.geometry == 'MultiPolygon')}")
    p = add("store", cmd_store, "create the store if missing (or --rebuild it) and show its metadata")
    p.add_argument("--rebuild", action="store_true",
                   help="rebuild the store from the bundled files, losing every import, edit, goal and audit entry "
                        "(needs --yes; a GeoPackage is backed up first)")
    p.add_argument("--yes", action="store_true", help="confirm --rebuild")
    p = add("export", cmd_export, "export every layer (an exported GeoPackage re-imports to an identical store); "
                                  "it holds personal data (enquiries, enterprises' contacts): an administrator's tool")
    p.add_argument("--format", required=True, choices=["gpkg", "geojson", "csv", "xlsx"])
    p.add_argument("out", type=Path, help="file (gpkg, xlsx) or folder (geojson, csv)")
    p.add_argument("--public", action="store_true",
                   help="only the public layers and fields (what the portal shows): no personal data, no accounts")
