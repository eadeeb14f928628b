"""Account commands: ``user add / disable / enable / role / password / carriers / list / migrate``.

The CLI is the local administrator's tool: it writes to the store directly and records
``--by`` (default: the system login name) in the audit log."""
from __future__ import annotations

import getpass
import sys

from commands.common import EXIT_OK, emit, user
from spatial.errors import SpaceMapError


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise SpaceMapError("the two passwords differ")
    return first


def cmd_user(args) -> int:
    """Manage accounts in the store (admins, editors, staff)."""
    from geodata.stewardship import accounts

    by = args.by or user()
    if args.action == "list":
        rows = accounts.list_accounts()
        lines = [f"{a['name']:<20} {a['role']:<8} {'disabled' if a['disabled'] else 'active':<8} "
                 f"created {a['created_at']} by {a['created_by']}"
                 + (f"  carriers: {', '.join(a['carriers'])}" if a.get("carriers") else "") for a in rows]
        emit({"accounts": rows}, as_json=args.json, text="\n".join(lines) or "(no accounts: add one with user add)")
        return EXIT_OK
    if args.action == "migrate":
        notes = accounts.migrate_editors_file()
        emit({"notes": notes}, as_json=args.json, text="\n".join(notes) or "nothing to migrate")
        return EXIT_OK
    if not args.name:
        raise SpaceMapError(f"user {args.action} needs an account name")
    if args.action == "add":
        done = accounts.add_account(args.name, _password(args), args.role or "staff", by=by, carriers=args.carriers)
    elif args.action in ("disable", "enable"):
        done = accounts.set_disabled(args.name, args.action == "disable", by=by)
    elif args.action == "role":
        if not args.role:
            raise SpaceMapError("user role needs --role")
        done = accounts.set_role(args.name, args.role, by=by)
    elif args.action == "carriers":
        if args.carriers is None:
            raise SpaceMapError("user carriers needs --carriers IDS ('' for none)")
        done = accounts.set_carriers(args.name, args.carriers, by=by)
    else:
        done = accounts.set_password(args.name, _password(args), by=by)
    emit(done, as_json=args.json, text=f"account {done['name']}: {args.action} done (role {done.get('role')}, "
                                       f"{'disabled' if done.get('disabled') else 'active'}); audit {done['audit_id']}")
    return EXIT_OK


def register(add) -> None:
    """Add this group's sub-commands (``add(name, func, help)`` returns the sub-parser)."""
    from geodata.stewardship.accounts import ALL_ROLES

    p = add("user", cmd_user, "accounts in the store: add, disable, enable, role, password, carriers, list, migrate")
    p.add_argument("action", choices=["add", "disable", "enable", "role", "password", "carriers", "list", "migrate"],
                   help="migrate: copy the editors of the older editors file into the store, once")
    p.add_argument("name", nargs="?", help="the account name (1–40 letters, digits or . _ - @)")
    p.add_argument("--role", choices=list(ALL_ROLES), help="staff (demand pool, enquiries, audit log), editor "
                   "(changes the inventory), admin (accounts), operator (the units of its own carriers only); "
                   "add: default staff")
    p.add_argument("--carriers", metavar="IDS", help="an operator's carriers: ids, comma- or ;-separated")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--by", help="who makes the change (default: $USER)")
