"""What every command group shares: output (text or ``--json``), exit codes, small formatters."""
from __future__ import annotations

import json
import sys

from spatial.errors import SpaceMapError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL, EXIT_CONFLICT = 0, 1, 2, 3, 4
"""0 done; 1 the data has problems (validation, rejected rows); 2 bad input or data (one-line
error); 3 an internal error; 4 a conflict with somebody else's change."""


def emit(data, *, as_json: bool, text: str) -> None:
    """Print ``data`` as JSON, or ``text`` for a person."""
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(text + ("\n" if not text.endswith("\n") else ""))


def fmt_m2(value) -> str:
    return "unknown" if value is None else f"{value:,.0f} m²"


def fmt_pct(value) -> str:
    return "unknown" if value is None else f"{value:.1f} %"


def user() -> str:
    """The login name, for ``--by`` defaults ("" when it cannot be found)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def parse_day(text: str | None, *, flag: str = "--today"):
    """A date from ``YYYY-MM-DD`` (None: today, or ``$SPACEMAP_TODAY`` as on the pages)."""
    from datetime import date

    import settings

    if text is None:
        try:
            return settings.today()
        except ValueError as exc:
            raise SpaceMapError(f"SPACEMAP_TODAY must be a date YYYY-MM-DD: {exc}") from exc
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise SpaceMapError(f"{flag} must be a date YYYY-MM-DD, got {text!r}") from exc


def write_table(out, table, sheets) -> None:
    """Write ``table`` to ``out`` as CSV, or ``sheets()`` (name → table, made only when needed) as XLSX, by
    the file's suffix; :class:`SpaceMapError` for another suffix or a file that cannot be written."""
    from geodata.reports.export import table_csv, table_xlsx

    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise SpaceMapError(f"--out must end in .csv or .xlsx, got {out.name}")
    payload = table_csv(table) if suffix == ".csv" else table_xlsx(sheets())
    try:
        out.write_bytes(payload)
    except OSError as exc:
        raise SpaceMapError(f"cannot write {out}: {exc}") from exc
