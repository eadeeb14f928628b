#!/usr/bin/env bash
# One command: install everything and run the full test suite, then the benchmarks.
#   bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system_deps.sh
bash scripts/venv.sh requirements-dev.txt
.venv/bin/python -m pytest "$@"
.venv/bin/python benchmarks/bench_store.py
