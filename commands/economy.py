"""Economy commands: ``indicators`` (per carrier, cluster, subdistrict, Hetao or district; ``--public``
applies the disclosure rule) and ``placements`` (list, review, confirm, run again).
(Imports of enterprise figures: ``python cli.py import FILE --layer enterprise_years``.)
"""
from __future__ import annotations

from pathlib import Path

from commands.common import EXIT_OK, emit, write_table
from spatial.errors import SpaceMapError

SOURCES_NOTE = ("Computed from the enterprise figures imported into the store (enterprise_years), each enterprise "
                "placed in a carrier (placements); per m² on the gross floor area (建筑面积) of the carriers with "
                "a stated one. Reported figures of the seeds are listed apart, never added in.")


def _years(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    first, _, last = text.partition("-")
    try:
        span = (int(first), int(last or first))
    except ValueError:
        raise SpaceMapError(f"--years takes FIRST-LAST, e.g. 2022-2024 (got {text!r})") from None
    if span[0] > span[1]:
        raise SpaceMapError(f"--years: {span[0]} is after {span[1]}")
    return span


def _num(value) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _money(value) -> str:
    return "—" if value is None else f"{value / 1e4:,.1f}"


def cmd_indicators(args) -> int:
    """Indicators by carrier, cluster, subdistrict, Hetao or district for a year or a range."""
    from geodata.reports.economy import indicator_report, indicators_json

    result = indicator_report(args.by, year=args.year, years=_years(args.years), public=args.public, scope=args.scope)
    data = indicators_json(result)
    if args.out is not None:
        _write(args.out, result, args.lang)
    if result["empty"]:
        lines = ["no enterprise figures in the store: import them with "
                 "python cli.py import FILE --layer enterprise_years --by ACCOUNT"]
    else:
        lines = [f"indicators by {args.by}, {data['years'][0]}–{data['years'][1]}"
                 f"{' (public: disclosure rule applied)' if args.public else ''}; money in 10k CNY",
                 f"{'unit':<28} {'ent.':>5} {'hi-tech':>7} {'employees':>9} {'revenue':>12} {'tax':>10} "
                 f"{'tax/m²':>8} withheld"]
        for r in [*data["rows"], {**data["total"], "name_en": "TOTAL"}]:
            lines.append(f"{str(r['name_en'])[:28]:<28} {_num(r['enterprises']):>5} {_num(r['high_tech']):>7} "
                         f"{_num(r['employees']):>9} {_money(r['revenue_cny']):>12} {_money(r['tax_cny']):>10} "
                         f"{_num(r['tax_per_m2']):>8} {', '.join(r['suppressed'])}")
        counts = data["placements"]
        lines.append("placements: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    emit(data, as_json=args.json, text="\n".join(lines))
    return EXIT_OK


def _write(out: Path, result: dict, lang: str) -> None:
    import pandas as pd

    from geodata.reports.economy import indicator_table

    table = indicator_table(result, lang)

    def sheets() -> dict:
        years = result["years"]
        sources = pd.DataFrame({"item": ["years", "disclosure rule", "method"],
                                "value": [None if years is None else f"{years[0]}–{years[1]}",
                                          "applied (public)" if result["public"] else "not applied (staff)",
                                          SOURCES_NOTE]})
        return {"indicators": table, "sources": sources}

    write_table(out, table, sheets)


def cmd_placements(args) -> int:
    """Where enterprises are: the review list (``--review``) or every placement's status counts."""
    from geodata.stewardship.economy import review_list

    statuses = ("review",) if args.review else ("confirmed", "placed", "review", "unplaced")
    rows = review_list(statuses=statuses)
    lines = [f"{r['id']:<28} {r['status']:<9} {r['method']:<9} {r['confidence'] or 0:>5.2f} "
             f"{r['carrier_id'] or '—':<24} {r['address'] or ''}" for r in rows]
    emit({"placements": rows, "count": len(rows)}, as_json=args.json,
         text="\n".join(lines) or ("nothing to review" if args.review else "(no placements)"))
    return EXIT_OK


def cmd_confirm(args) -> int:
    """An editor confirms or corrects where an enterprise is (audited, undoable)."""
    from geodata.stewardship.economy import confirm_placement

    carrier = None if args.carrier.lower() in ("none", "-") else args.carrier
    data = confirm_placement(args.id, carrier, by=args.by, unit_id=args.unit, expected_version=args.expect_version,
                             reason=args.reason)
    emit(data, as_json=args.json, text=f"{data['enterprise_id']} placed in {data['carrier_id'] or 'no carrier'} "
                                       f"(confirmed; audit {data['audit_id']})")
    return EXIT_OK


def cmd_run(args) -> int:
    """Place every enterprise again (confirmed placements kept), or only those without a placement."""
    from geodata.stewardship.economy import place_all

    data = place_all(by=args.by, only_missing=args.missing)
    emit(data, as_json=args.json, text=", ".join(f"{k} {v}" for k, v in data.items()))
    return EXIT_OK


def register(add) -> None:
    """Add this group's sub-commands (``add(name, func, help)`` returns the sub-parser)."""
    from geodata.reports.economy import LEVELS
    from spatial.scope import DEFAULT_SCOPE, SCOPES

    p = add("indicators", cmd_indicators, "economic indicators per carrier, cluster, subdistrict, Hetao or district")
    p.add_argument("--by", required=True, choices=LEVELS)
    p.add_argument("--year", type=int, help="the year (default: the latest with figures)")
    p.add_argument("--years", metavar="FIRST-LAST", help="a range of years: flows summed, employees averaged")
    p.add_argument("--public", action="store_true", help="apply the disclosure rule (what the public pages show)")
    p.add_argument("--scope", choices=SCOPES, default=DEFAULT_SCOPE)
    p.add_argument("--out", type=Path, help="write the table to a .csv or .xlsx file (units in the headers)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the file's headers")
    p = add("placements", cmd_placements, "where enterprises are: --review lists the uncertain ones")
    p.add_argument("--review", action="store_true", help="only the placements an editor should confirm")
    sub = p.add_subparsers(dest="placements_command", parser_class=type(p))
    c = sub.add_parser("confirm", help="confirm or correct where an enterprise is")
    c.add_argument("--json", action="store_true", help="print JSON")
    c.set_defaults(func=cmd_confirm)
    c.add_argument("id", help="enterprise id (placements --review lists them)")
    c.add_argument("carrier", help="carrier id, or 'none' when it is in no carrier of the store")
    c.add_argument("--unit", help="the unit, when known")
    c.add_argument("--by", required=True, help="the editor's account")
    c.add_argument("--reason", help="why (default: placement confirmed)")
    c.add_argument("--expect-version", type=int, metavar="N", help="the row version you read; exit 4 if it changed")
    c = sub.add_parser("run", help="place the enterprises again (confirmed placements stay)")
    c.add_argument("--json", action="store_true", help="print JSON")
    c.set_defaults(func=cmd_run)
    c.add_argument("--by", required=True, help="the editor's account")
    c.add_argument("--missing", action="store_true", help="only enterprises without a placement")
