"""Space-unit commands: ``unit list / edit / attach / detach / attachments / get``.

Changes are made by an account of the store (``--by NAME``, required): an operator only on the
units of its own carriers, editors and admins on any, staff on none. Every change is audited
and undone with ``python cli.py undo``. (Imports of units: ``python cli.py import FILE --layer units``.)
"""
from __future__ import annotations

from pathlib import Path

from commands.common import EXIT_OK, emit
from spatial.errors import SpaceMapError


def _account(args) -> dict:
    from geodata.stewardship.units import acting_account

    return acting_account(args.by, what="change units")


def cmd_list(args) -> int:
    """The units in the store (of one carrier with --carrier), with their row versions."""
    from geodata.storage import read_layer

    units = read_layer("units")
    if args.carrier:
        units = units.loc[units["carrier_id"].astype(str) == args.carrier]
    keep = ["id", "carrier_id", "building", "floor", "unit_label", "area_m2", "status", "verified_on", "row_version"]
    rows = [{k: (None if v is None or v != v else (v.item() if hasattr(v, "item") else v)) for k, v in r.items()}
            for r in units[keep].to_dict("records")]
    lines = [f"{r['id']:<32} {r['carrier_id']:<24} {r['unit_label'] or '':<10} {r['area_m2'] or 0:>8,.0f} m²  "
             f"{r['status'] or '':<10} verified {r['verified_on'] or '?'}  v{r['row_version']}" for r in rows]
    emit({"units": rows}, as_json=args.json, text="\n".join(lines) or "(no units)")
    return EXIT_OK


def cmd_edit(args) -> int:
    """Correct fields of one unit with a reason (audited, undoable); exit 4 on a conflict."""
    from geodata.stewardship.units import edit_unit

    values = {}
    for pair in args.set or []:
        field, sep, value = pair.partition("=")
        if not sep or not field.strip():
            raise SpaceMapError(f"write changes as --set FIELD=VALUE, got {pair!r}")
        values[field.strip()] = value
    if not values:
        raise SpaceMapError("say what to change: --set FIELD=VALUE (one or more)")
    account = _account(args)
    result = edit_unit(args.unit, values, reason=args.reason, who=account["name"], account=account,
                       expected_version=args.expect_version)
    changed = "; ".join(f"{c['field']} {c['old']!r} → {c['new']!r}" for c in result["changes"]) or "no change"
    emit(result, as_json=args.json, text=f"unit {args.unit}: {changed}; now version {result['row_version']}; "
                                         f"audit {result['audit_id']}")
    return EXIT_OK


def cmd_attach(args) -> int:
    """Attach a photo (PNG, JPEG) or floor plan (PDF) to a unit."""
    from geodata.stewardship.units import add_attachment
    from layers.market_catalogue import MAX_ATTACHMENT_BYTES

    path = Path(args.file)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SpaceMapError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    if size > MAX_ATTACHMENT_BYTES:  # refused before reading it
        raise SpaceMapError(f"{path.name} is {size:,} bytes; the limit is {MAX_ATTACHMENT_BYTES:,} bytes")
    account = _account(args)
    result = add_attachment(args.unit, path.name, path.read_bytes(), who=account["name"], account=account)
    emit(result, as_json=args.json, text=f"attached {result['file_name']} ({result['mime']}, "
                                         f"{result['size_bytes']:,} bytes) to {args.unit} as {result['id']}; "
                                         f"audit {result['audit_id']}")
    return EXIT_OK


def cmd_detach(args) -> int:
    """Remove an attachment (undoable)."""
    from geodata.stewardship.units import remove_attachment

    account = _account(args)
    result = remove_attachment(args.id, who=account["name"], account=account, reason=args.reason)
    emit(result, as_json=args.json, text=f"removed {args.id} from {result['unit_id']}; audit {result['audit_id']}")
    return EXIT_OK


def cmd_attachments(args) -> int:
    """The live attachments of a unit."""
    from geodata.stewardship.units import attachments_of

    rows = attachments_of([args.unit], staff=True)
    lines = [f"{a['id']}  {a['mime']:<16} {a['size_bytes']:>10,} bytes  {a['file_name']}  "
             f"(added {a['added_at']} by {a['added_by']})" for a in rows]
    emit({"unit": args.unit, "attachments": rows}, as_json=args.json, text="\n".join(lines) or "(no attachments)")
    return EXIT_OK


def cmd_get(args) -> int:
    """Write an attachment's bytes (checked again) to a file."""
    from geodata.stewardship.units import read_attachment

    meta, data = read_attachment(args.id)
    out = Path(args.out)
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise SpaceMapError(f"cannot write {out}: {exc.strerror or exc}") from exc
    emit({**meta, "written": str(out)}, as_json=args.json,
         text=f"wrote {meta['file_name']} ({meta['mime']}, {meta['size_bytes']:,} bytes) to {out}")
    return EXIT_OK


def register(add) -> None:
    """Add this group's sub-commands (``add(name, func, help)`` returns the sub-parser)."""
    p = add("unit", cmd_list, "space units: list, edit, attach photos and floor plans")
    sub = p.add_subparsers(dest="unit_command", required=True, parser_class=type(p))

    def child(name, func, help_text, *, by=False):
        c = sub.add_parser(name, help=help_text, description=help_text)
        c.add_argument("--json", action="store_true", help="print JSON")
        c.set_defaults(func=func)
        if by:
            c.add_argument("--by", help="the account that makes the change (required; see: user list)")
        return c

    child("list", cmd_list, "the units (id, carrier, area, status, row version)").add_argument(
        "--carrier", help="only the units of this carrier id")
    c = child("edit", cmd_edit, "correct fields of one unit, with a reason", by=True)
    c.add_argument("unit", help="unit id")
    c.add_argument("--set", action="append", metavar="FIELD=VALUE", help="e.g. --set status=let (repeatable)")
    c.add_argument("--reason", required=True, help="why the change is made")
    c.add_argument("--expect-version", type=int, metavar="N",
                   help="the row version you read (unit list); exit 4 if it changed since")
    c = child("attach", cmd_attach, "attach a photo (PNG, JPEG) or floor plan (PDF), at most 10 MB", by=True)
    c.add_argument("unit", help="unit id")
    c.add_argument("file", help="the file to attach")
    c = child("detach", cmd_detach, "remove an attachment (undo: python cli.py undo)", by=True)
    c.add_argument("id", help="attachment id")
    c.add_argument("--reason", help="why it is removed")
    child("attachments", cmd_attachments, "the attachments of a unit").add_argument("unit", help="unit id")
    c = child("get", cmd_get, "write an attachment's bytes to a file")
    c.add_argument("id", help="attachment id")
    c.add_argument("--out", required=True, help="the file to write")

