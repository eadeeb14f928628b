"""Futian tech-space map — command line.

Every command takes ``--json`` for machine-readable output. Errors are one-line messages
on stderr with a non-zero exit, never a traceback (set SPACEMAP_DEBUG=1 to see one):

== ==============================================================
0  done
1  the data has problems (validation problems, rejected rows)
2  bad input or data (unknown option value, unreadable file, …)
3  internal error
4  conflict: somebody changed the rows since you read them
== ==============================================================

This module keeps the parser, the exit codes and the error handling; each command group
lives in :mod:`commands` and calls domain functions.

Examples::

    python cli.py layers --json
    python cli.py validate
    python cli.py area --layer subdistricts --json
    python cli.py store --rebuild
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import settings
from commands import accounts, api, demo, economy, inventory, market, match, planning, serve, stewardship, units
from commands.common import EXIT_CONFLICT, EXIT_INTERNAL, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from spatial.errors import ConflictError, SpaceMapError

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "EXIT_INTERNAL", "EXIT_CONFLICT"]
GROUPS = (accounts, inventory, match, planning, stewardship, units, market, economy, demo, serve, api)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, like every other bad input
        command = " ".join(self.prog.split()[1:])
        hint = f"python cli.py {command} --help" if command else "python cli.py --help"
        self.exit(EXIT_USAGE, f"error: {message} (see: {hint})\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = _Parser(prog="cli.py", description="Futian tech-space map (福田科技空间地图)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(name, func, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(func=func)
        return p

    for group in GROUPS:
        group.register(add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    args = build_parser().parse_args(argv)
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
