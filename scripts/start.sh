#!/usr/bin/env bash
# One command: install everything and start the app on the bundled data.
#   bash scripts/start.sh            (then open http://localhost:8501)
# The GeoPackage store is created from geodata/ on first use at $SPACEMAP_STORE
# (default: data/spacemap.gpkg).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || bash scripts/system_deps.sh npm
bash scripts/venv.sh requirements.txt
.venv/bin/python scripts/vendor_assets.py
.venv/bin/python cli.py store
exec .venv/bin/python cli.py serve "$@"  # port: $PORT (settings.py), default 8501
