"""demo: a separate store holding the bundled data and synthetic market rows (units, enterprises,
enquiries with their history, leases), to try the market pages without real data.

The demo never writes into the default or the configured store: see
:func:`geodata.demo_market.build_demo_store`.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from commands.common import EXIT_OK, emit, parse_day
from spatial.errors import SpaceMapError


def default_out() -> Path:
    """``data/demo.gpkg`` beside the default store."""
    import settings

    return settings.REPO_ROOT / "data" / "demo.gpkg"


def _location(args):
    """The demo store's location from ``--db-url`` or ``--out`` (a .gpkg file; its folder is made)."""
    import settings

    if args.db_url is not None:
        if not args.db_url.startswith(settings.DB_SCHEMES):
            raise SpaceMapError(f"--db-url must be a postgresql:// URL, got {args.db_url.split('@')[-1]!r}")
        return args.db_url
    out = (args.out or default_out()).expanduser().absolute()
    if out.suffix.lower() != ".gpkg":
        raise SpaceMapError(f"--out must be a .gpkg file, got {out.name}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SpaceMapError(f"cannot create the folder {out.parent}: {exc}") from exc
    return out


def _now(text: str | None):
    """None (the real time) unless ``--today`` or ``$SPACEMAP_TODAY`` names another day: then noon in Shenzhen."""
    from datetime import date, datetime, time, timezone

    day = parse_day(text)
    return None if day == date.today() else datetime.combine(day, time(4, 0), timezone.utc)


def cmd_demo(args) -> int:
    """Build the demo store and say where it is, what it holds and how to run the app on it."""
    from geodata.demo_economy import add_demo_economy
    from geodata.demo_market import DEFAULT_SEED, build_demo_store

    seed = DEFAULT_SEED if args.seed is None else args.seed
    for name, value, low in (("--enquiries", args.enquiries, 0), ("--units-per-carrier", args.units_per_carrier, 1),
                             ("--seed", seed, 0)):
        if value < low:
            raise SpaceMapError(f"{name} must be at least {low}, got {value}")
    now = _now(args.today)
    location = _location(args)
    try:
        result = build_demo_store(location, seed=seed, enquiries=args.enquiries,
                                  units_per_carrier=args.units_per_carrier, now=now)
        result["counts"].update(add_demo_economy(location, seed=seed + 3, today=(now or datetime.now(timezone.utc))
                                                 .date()))
    except ValueError as exc:  # e.g. more enquiries at offer or beyond than free units
        raise SpaceMapError(f"cannot build the demo: {exc}") from exc
    variable = "SPACEMAP_DB_URL" if isinstance(location, str) else "SPACEMAP_STORE"
    result["serve"] = f"{variable}={result['location']} python cli.py serve"
    counts = ", ".join(f"{n:,} {key}" for key, n in result["counts"].items())
    emit(result, as_json=args.json, text="\n".join([
        f"demo store: {result['location']} ({result['demo']}; every market row is synthetic)",
        f"holds: {counts}", f"run the app on it: {result['serve']}"]))
    return EXIT_OK


def register(add) -> None:
    """Add the demo sub-command (``add(name, func, help)`` returns the sub-parser)."""
    p = add("demo", cmd_demo, "build a separate demo store with synthetic units, enterprises, enquiries and leases")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--out", type=Path, metavar="PATH",
                       help="the demo GeoPackage (default: data/demo.gpkg; never the default or configured store)")
    where.add_argument("--db-url", metavar="URL", help="a postgresql:// database for the demo instead of a file")
    p.add_argument("--seed", type=int, help="random seed (default: the demo's fixed seed; the same seed, the same demo)")
    p.add_argument("--enquiries", type=int, default=500, help="number of enquiries (default 500)")
    p.add_argument("--units-per-carrier", type=int, default=20, help="units in each operating carrier (default 20)")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="the day the demo is generated on (default: today)")
