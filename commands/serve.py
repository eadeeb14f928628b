"""serve: start the Streamlit app with its heavy modules and the store loaded first."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app.py"


def cmd_serve(args) -> int:
    """Start the Streamlit app in this process, with the heavy modules imported first.

    The first visitor then does not wait for geopandas, folium and the store to load.
    """
    import gc
    import time

    import settings
    from spatial.errors import SpaceMapError

    try:
        port = args.port or settings.port()
    except ValueError as exc:
        raise SpaceMapError(str(exc)) from exc
    started = time.perf_counter()
    # Only modules that do not touch Streamlit: its config must be loaded by `streamlit run`.
    import layers.render  # noqa: F401  (folium, geopandas, shapely, pyproj)
    import spatial.carriers  # noqa: F401
    import spatial.search  # noqa: F401
    from geodata.reports.inventory import snapshot
    from geodata.storage import open_store
    from layers.charts import warm_up

    where = open_store().describe()
    snapshot()  # the first visitor finds the data loaded
    warm_up()  # the chart renderer's engine starts now, not on the first visit to the progress page
    gc.collect()
    gc.freeze()  # what start-up loaded (libraries, the inventory) is never scanned by a collection again
    sys.stderr.write(f"store {where}; modules and data loaded in {time.perf_counter() - started:.1f} s\n")
    from streamlit.web import cli as stcli

    extra = [a for a in args.streamlit_args if a != "--"]
    sys.argv = ["streamlit", "run", str(APP), "--server.port", str(port), "--server.address", args.address,
                *extra]
    return stcli.main()


def register(add) -> None:
    """Add the serve sub-command (``add(name, func, help)`` returns the sub-parser)."""
    import settings

    p = add("serve", cmd_serve, "start the web app (Streamlit) with its modules preloaded")
    p.add_argument("--port", type=int, help=f"port (default: $PORT or {settings.DEFAULT_PORT})")
    p.add_argument("--address", default="0.0.0.0", help="listen address (127.0.0.1 for this machine only)")
    p.add_argument("streamlit_args", nargs=argparse.REMAINDER,
                   help="further options for streamlit run, after -- (e.g. -- --server.baseUrlPath map)")
