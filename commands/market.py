"""The market's commands: enquiries (submit, list, show, advance, undo, erase) and the funnel."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from commands.common import EXIT_OK, emit, parse_day, user
from spatial.errors import SpaceMapError

NOT_GIVEN = "(not given)"
"""The enterprise name of a submission that gave none (never the contact's name: that is personal data)."""


def _need(path: Path):
    from spatial.need import need_from_dict

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SpaceMapError(f"cannot read the need {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise SpaceMapError(f"{path}: a need is a JSON object (industry, area_min, area_max, max_rent, …)")
    try:
        return need_from_dict(data)
    except (TypeError, ValueError) as exc:
        raise SpaceMapError(f"{path}: not a need: {exc}") from exc


def cmd_enquiry(args) -> int:
    """Enquiries: submit one (with consent), list, show, advance through the pipeline, undo, erase."""
    from geodata.stewardship import market

    if args.action == "submit":
        from messages import t
        from messages.market import CONSENT_VERSION

        if not args.need:
            raise SpaceMapError("enquiry submit needs --need FILE.json")
        data = market.submit_enquiry(
            _need(args.need), enterprise_name=args.enterprise or NOT_GIVEN, contact_name=args.contact_name,
            contact_phone=args.contact_phone, contact_email=args.contact_email, credit_code=args.credit_code,
            picked=[p for p in (args.units or "").replace(",", ";").split(";") if p], message=args.note,
            consent=bool(args.consent), consent_version=CONSENT_VERSION, consent_text=t("enq_consent_text", "zh"),
            channel="cli", who=args.by or "cli")
        emit(data, as_json=args.json, text=f"enquiry {data['ref']} received; reply due by {data['due_at']}")
        return EXIT_OK
    if args.action == "list":
        table = market.list_enquiries(stage=args.stage)
        cols = ["id", "submitted_at", "enterprise_name", "stage", "stage_at", "assigned_to", "due_at", "overdue",
                "eligible", "synthetic"]
        from geodata.stewardship.enquiry_store import plain

        rows = plain(table[cols])
        emit({"enquiries": rows}, as_json=args.json, text="\n".join(
            f"{r['id']}  {r['stage']:<14} {r['enterprise_name']}" + ("  OVERDUE" if r["overdue"] else "")
            for r in rows) or "(no enquiries)")
        return EXIT_OK
    if not args.ref:
        raise SpaceMapError(f"enquiry {args.action} needs the reference (REF)")
    if args.action == "show":
        data = market.enquiry(args.ref)
        emit(data, as_json=args.json, text="\n".join(
            [f"{data['id']}: {data['enterprise_name']} — {data['stage']} since {data['stage_at']}"] +
            [f"  {h['at']}  {h['who']}: {h['from_stage'] or '—'} → {h['to_stage']}  {h['note'] or ''}"
             for h in data["history"]]))
        return EXIT_OK
    by = args.by or user()
    if args.action == "advance":
        if not args.to:
            raise SpaceMapError("enquiry advance needs --to STAGE")
        lease = None
        if args.to == "signed":
            lease = market.lease_of(args.units, carrier=args.carrier, area=args.area, rent=args.rent,
                                    start=args.start, end=args.end)
        units = [u for u in (args.units or "").replace(",", ";").split(";") if u.strip()]
        data = market.advance(args.ref, args.to, by=by, expected_version=args.expect_version,
                              expected_stage=args.expect_stage, note=args.note, units=units, lease=lease,
                              reason=args.reason)
        emit(data, as_json=args.json, text=f"{data['ref']}: {data['from']} → {data['to']} ({data['event']})")
        return EXIT_OK
    if args.action == "undo":
        data = market.undo_step(args.ref, by=by)
        emit(data, as_json=args.json, text=f"{data['ref']}: {data['undone']} undone; back in {data['stage']}")
        return EXIT_OK
    data = market.erase_personal_data(args.ref, by=by)
    emit(data, as_json=args.json, text=f"{data['ref']}: personal data removed at {data['erased_at']}")
    return EXIT_OK


def cmd_funnel(args) -> int:
    """Counts and conversion from enquiry to signed to moved in, median days per stage."""
    from geodata.reports.inventory import snapshot
    from geodata.reports.market import funnel_report

    start = parse_day(args.start, flag="--from") if args.start else None
    end = parse_day(args.end, flag="--to") if args.end else None
    if start and end and end < start:
        raise SpaceMapError(f"--to ({end}) is before --from ({start})")
    frames, carriers = snapshot()
    data = funnel_report(frames, carriers, start=start, end=end, by=args.by)
    emit(data, as_json=args.json, text="\n".join(_funnel_lines(data)))
    return EXIT_OK


def _funnel_lines(data: dict) -> list[str]:
    lines = [f"enquiries {data.get('from') or 'from the start'} – {data.get('to') or date.today().isoformat()}: "
             f"{data['total']}" + (" [synthetic demo data]" if data.get("synthetic") else "")]
    for s in data["stages"]:
        conv = "—" if s["conversion"] is None else f"{s['conversion'] * 100:.0f} %"
        days = "—" if s["median_days"] is None else f"{s['median_days']:.1f} d"
        lines.append(f"  {s['name']:<15} {s['count']:>7}  {conv:>6}  {days:>8}")
    return lines


def cmd_screening(args) -> int:
    """Screening rules: list, add, remove, undo (staff read and change them; audited)."""
    from geodata.stewardship import screening_rules as rules
    from geodata.storage import read_layer

    if args.action == "list":
        table = read_layer("screening_rules")
        rows = [{k: (None if v != v else v) for k, v in r.items()} for r in table.to_dict("records")]
        emit({"rules": rows}, as_json=args.json, text="\n".join(
            f"{r['id']}  {r['applies_to']:<22} {r['kind']:<18} {r['value']:<20} {r['reason_en']}" for r in rows)
            or "(no screening rules: every enquiry is eligible)")
        return EXIT_OK
    by = args.by or user()
    if args.action == "add":
        data = rules.add_rule(applies_to=args.applies_to or "*", kind=args.kind, value=args.value,
                              reason_zh=args.reason_zh, reason_en=args.reason_en, who=by)
    elif args.action == "remove":
        if not args.rule:
            raise SpaceMapError("screening remove needs the rule id")
        data = rules.remove_rule(args.rule, who=by)
    else:
        data = rules.undo_rule_change(who=by)
    emit(data, as_json=args.json, text=json.dumps(data, ensure_ascii=False))
    return EXIT_OK


def cmd_enterprise(args) -> int:
    """The enterprise registry: remove an enterprise's personal data on request."""
    from geodata.stewardship.enterprises import erase_enterprise

    data = erase_enterprise(args.id, by=args.by or user())
    emit(data, as_json=args.json, text=f"{data['enterprise']}: personal data removed at {data['erased_at']} "
                                       f"({data['audit_entries_scrubbed']} audit entries scrubbed)")
    return EXIT_OK


def register(add) -> None:
    """Add this group's sub-commands (``add(name, func, help)`` returns the sub-parser)."""
    from layers.vocab import CLOSE_REASONS, ENQUIRY_STAGES

    p = add("enquiry", cmd_enquiry, "enterprise enquiries and the pipeline to a signed lease")
    p.add_argument("action", choices=["submit", "list", "show", "advance", "undo", "erase"])
    p.add_argument("ref", nargs="?", help="the enquiry's reference (FT-YYYYMMDD-XXXXXXXX)")
    p.add_argument("--need", type=Path, help="submit: the need as JSON (as `match --json` echoes it)")
    p.add_argument("--enterprise", help="submit: the enterprise's name (default: recorded as not given; never the contact's name)")
    p.add_argument("--credit-code", help="submit: unified social credit code (18 characters, checked)")
    p.add_argument("--contact-name", help="submit: contact person")
    p.add_argument("--contact-phone", help="submit: contact phone")
    p.add_argument("--contact-email", help="submit: contact email")
    p.add_argument("--consent", action="store_true",
                   help="submit: the contact consents to the processing of their personal data (required)")
    p.add_argument("--stage", choices=list(ENQUIRY_STAGES), help="list: only enquiries in this stage")
    p.add_argument("--to", choices=list(ENQUIRY_STAGES), help="advance: the next stage")
    p.add_argument("--by", help="who does it (default: $USER)")
    p.add_argument("--note", help="a note for the history (submit: the enterprise's message)")
    p.add_argument("--units", help="unit ids (or carrier ids), comma- or ;-separated: picked, shortlisted, offered, leased")
    p.add_argument("--carrier", help="signed: the carrier (default: the units')")
    p.add_argument("--area", type=float, help="signed: leased area in m² (default: the units' areas)")
    p.add_argument("--rent", type=float, help="signed: rent in CNY/m²/month")
    p.add_argument("--start", help="signed: lease start YYYY-MM-DD")
    p.add_argument("--end", help="signed: lease end YYYY-MM-DD")
    p.add_argument("--reason", choices=list(CLOSE_REASONS), help="closed: why")
    p.add_argument("--expect-version", type=int, help="advance: the enquiry's row version you saw (exit 4 if changed)")
    p.add_argument("--expect-stage", choices=list(ENQUIRY_STAGES),
                   help="advance: the stage you saw it in (exit 4 if somebody moved it meanwhile)")
    p = add("enterprise", cmd_enterprise, "the enterprise registry: erase an enterprise's personal data on request")
    p.add_argument("action", choices=["erase"])
    p.add_argument("id", help="the enterprise's id (ent-<credit code>)")
    p.add_argument("--by", help="who does it (default: $USER)")
    p = add("screening", cmd_screening, "screening rules that mark an enquiry eligible or not, with reasons")
    p.add_argument("action", choices=["list", "add", "remove", "undo"])
    p.add_argument("rule", nargs="?", help="remove: the rule's id")
    p.add_argument("--applies-to", help="add: a carrier layer (e.g. lowcost_spaces) or * (default)")
    p.add_argument("--kind", choices=["qualification_any", "max_age_years", "max_headcount", "industry_in"])
    p.add_argument("--value", help="add: qualification or industry codes (;-separated) or a number")
    p.add_argument("--reason-zh", help="add: the rule's reason in Chinese")
    p.add_argument("--reason-en", help="add: the rule's reason in English")
    p.add_argument("--by", help="who changes the rules (default: $USER)")
    p = add("funnel", cmd_funnel, "the funnel from enquiry to signed lease to moved in")
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="enquiries submitted on or after")
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="enquiries submitted on or before")
    p.add_argument("--by", choices=["cluster", "industry", "carrier"], help="one funnel per group")
