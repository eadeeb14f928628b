"""Stewardship commands: import, edit, undo, audit (accounts: :mod:`commands.accounts`)."""
from __future__ import annotations

from pathlib import Path

from commands.common import EXIT_OK, EXIT_PROBLEMS, emit, user
from spatial.errors import SpaceMapError


def cmd_import(args) -> int:
    """Import carriers, units or enterprises from a file: dry run, or commit the accepted rows in one
    transaction. Units and enterprises are imported by an account of the store (``--by``, required):
    staff may not import, an operator only the units of its own carriers."""
    from geodata.ingest.importer import plan_import
    from geodata.ingest.table_import import TABLE_IMPORT_LAYERS
    from geodata.reports.export import table_csv
    from geodata.stewardship.commits import commit_import
    from geodata.stewardship.units import plan_market_import
    from geodata.storage import open_store

    store = open_store()
    if args.layer == "enterprise_years":
        from geodata.stewardship.economy import plan_economy_import

        plan = plan_economy_import(args.file, by=args.by, location=store.location, strict=args.strict, crs=args.crs,
                                   mapping_file=args.mapping, dry_run=args.dry_run, blank_clears=args.blank_clears)
    elif args.layer in TABLE_IMPORT_LAYERS:
        plan = plan_market_import(args.file, args.layer, by=args.by, location=store.location,
                                  mapping_file=args.mapping, blank_clears=args.blank_clears)
    else:
        plan = plan_import(args.file, args.layer, store.import_frames(), crs=args.crs, mapping_file=args.mapping,
                           blank_clears=args.blank_clears)
    data = plan.summary()
    commit = not args.dry_run and bool(len(plan.accepted)) and not (args.strict and plan.rejected)
    data["committed"] = False
    if commit:
        data.update(commit_import(plan, who=args.by or user(), path=store.location))
    if args.rejected_csv is not None and plan.rejected:
        args.rejected_csv.write_bytes(table_csv(plan.rejected_table()))
    emit(data, as_json=args.json, text="\n".join(_import_lines(args, plan, data)))
    return EXIT_PROBLEMS if plan.rejected else EXIT_OK


def _import_lines(args, plan, data: dict) -> list[str]:
    lines = [f"{plan.file_name} ({', '.join(filter(None, (plan.format, plan.crs)))}): {data['rows']} rows, "
             f"{data['accepted']} accepted "
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
    return lines


def cmd_audit(args) -> int:
    """The audit log: every import, edit and undo."""
    from geodata.stewardship.commits import audit_entries

    entries = audit_entries()
    lines = [f"{e['id']}  {e['at']}  {e['who']:<12} {e['action']:<6} {e.get('layer') or '':<15} "
             f"{e.get('file_name') or ''}  accepted {e.get('accepted') or 0}, rejected {e.get('rejected') or 0}"
             + (f"  (undone by {e['undone_by']})" if e.get("undone_by") else "") for e in entries]
    emit({"entries": entries}, as_json=args.json, text="\n".join(lines) or "(no imports or edits yet)")
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
    result = edit_fields(args.id, values, reason=args.reason, who=args.by or user(),
                         expected_version=args.expect_version)
    emit({"id": args.id, **result}, as_json=args.json,
         text=f"corrected {args.id} ({result['layer']}), now version {result['row_version']}; "
              f"audit {result['audit_id']}")
    return EXIT_OK


def cmd_undo(args) -> int:
    """Undo the last import or edit that has not been undone."""
    from geodata.stewardship.commits import undo_last

    result = undo_last(who=args.by or user())
    emit(result, as_json=args.json, text=f"undid {result['undone']} ({result['action']} of {result['layer']}): "
                                         f"{result['removed']} removed, {result['restored']} restored")
    return EXIT_OK


def register(add) -> None:
    """Add this group's sub-commands (``add(name, func, help)`` returns the sub-parser)."""
    from geodata.ingest.table_import import TABLE_IMPORT_LAYERS
    from layers.catalogue import CARRIER_LAYERS

    p = add("import", cmd_import, "import carriers from CSV, XLSX, GeoJSON, GeoPackage or zipped Shapefile; "
                                  "space units, enterprises or enterprise figures by year from CSV or XLSX (with --by ACCOUNT)")
    p.add_argument("file", type=Path)
    p.add_argument("--layer", required=True, choices=[*CARRIER_LAYERS, *TABLE_IMPORT_LAYERS, "enterprise_years"])
    p.add_argument("--crs", default="wgs84", help="coordinates given in: wgs84 (default), gcj02 (AMap), bd09 (Baidu), "
                                                   "cgcs2000 (EPSG:4490) or epsg:4547 (metres)")
    p.add_argument("--mapping", type=Path, help="JSON file mapping the file's headers to field names")
    p.add_argument("--dry-run", action="store_true", help="check and show what would change; write nothing")
    p.add_argument("--strict", action="store_true", help="write nothing if any row is rejected (enterprise_years: "
                                                          "a credit code not in the registry is rejected, not created)")
    p.add_argument("--blank-clears", action="store_true",
                   help="an empty cell erases the stored value of an existing id (default: it keeps it; "
                        "columns the file lacks always keep theirs)")
    p.add_argument("--by", help="who imports (default: $USER); units and enterprises: the account in the store "
                                "that imports (required: staff may not import, an operator only its carriers' units)")
    p.add_argument("--rejected-csv", type=Path, help="write the rejected rows with their reasons to this CSV")
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
