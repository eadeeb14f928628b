"""api: serve the public inventory through OGC API – Features (pygeoapi behind waitress)."""
from __future__ import annotations

import sys

DEFAULT_API_PORT = 5000


def cmd_api(args) -> int:
    """Serve every public layer as an OGC API – Features collection until stopped (Ctrl-C).

    The store is the configured one (``SPACEMAP_STORE``, or ``SPACEMAP_DB_URL`` for PostGIS); only
    public layers and public fields are served.
    """
    from geodata.storage import describe_store
    from ogcapi.server import serve
    from spatial.errors import SpaceMapError

    port = args.port
    if not 0 < port < 65536:
        raise SpaceMapError(f"--port must be between 1 and 65535, not {port}")
    if args.threads < 1:
        raise SpaceMapError(f"--threads must be at least 1, not {args.threads}")
    host = "127.0.0.1" if args.address in ("0.0.0.0", "::") else args.address
    url = (args.url or f"http://{host}:{port}").rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise SpaceMapError(f"--url must start with http:// or https://, not {url!r}")
    where = describe_store()

    def announce(count: int) -> None:
        sys.stderr.write(f"OGC API - Features: {url} (store {where}, {count} public collections); "
                         f"listening on {args.address}:{port}\n")
        sys.stderr.flush()

    try:
        serve(host=args.address, port=port, url=url, threads=args.threads, announce=announce)
    except OSError as exc:  # the port is taken, the address is not this machine's
        raise SpaceMapError(f"cannot listen on {args.address}:{port}: {exc.strerror or exc}") from None
    except KeyboardInterrupt:
        pass
    return 0


def register(add) -> None:
    """Add the api sub-command (``add(name, func, help)`` returns the sub-parser)."""
    p = add("api", cmd_api, "serve the public layers through OGC API - Features (QGIS, ArcGIS, GDAL)")
    p.add_argument("--port", type=int, default=DEFAULT_API_PORT, help=f"port (default {DEFAULT_API_PORT})")
    p.add_argument("--address", default="127.0.0.1",
                   help="listen address (default 127.0.0.1; 0.0.0.0 for every interface)")
    p.add_argument("--url", help="the address clients use, e.g. https://example.org/ogc behind nginx "
                                 "(default http://ADDRESS:PORT)")
    p.add_argument("--threads", type=int, default=4, help="worker threads (default 4)")
