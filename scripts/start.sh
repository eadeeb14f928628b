#!/usr/bin/env bash
# One command: install everything and start the app on the bundled data.
#   bash scripts/start.sh            (then open http://localhost:8501)
# The GeoPackage store is created from geodata/ on first use at $SPACEMAP_STORE
# (default: data/spacemap.gpkg).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh requirements.txt
.venv/bin/python cli.py store
exec .venv/bin/streamlit run app.py --server.port "${PORT:-8501}" "$@"
