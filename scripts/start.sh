#!/usr/bin/env bash
# One command: install everything and start the app on the bundled data.
#   bash scripts/start.sh            (then open http://localhost:8501)
# The GeoPackage store is created from geodata/ on first use at $SPACEMAP_STORE
# (default: data/spacemap.gpkg).
#
# The public layers as an OGC API – Features service (QGIS, ArcGIS, GDAL), beside the app, on the same
# store (the GeoPackage, or PostGIS when SPACEMAP_DB_URL is set), in a second terminal or as a service:
#   .venv/bin/python cli.py api --port 5000                  # http://127.0.0.1:5000 (this machine only)
#   .venv/bin/python cli.py api --port 5000 --url https://example.org/ogc   # behind nginx: docs/DEPLOY.md
# It serves only public layers and public fields, read-only; it follows the store's changes by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || bash scripts/system_deps.sh npm
bash scripts/venv.sh requirements.txt
.venv/bin/python scripts/vendor_assets.py
.venv/bin/python cli.py store
exec .venv/bin/python cli.py serve "$@"  # port: $PORT (settings.py), default 8501
