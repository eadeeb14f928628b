#!/usr/bin/env bash
# Several app processes on one host behind nginx, sharing one PostGIS database.
#   SPACEMAP_DB_URL=postgresql://spacemap@db-host/spacemap bash scripts/serve_many.sh [PROCESSES] [LISTEN]
# Starts PROCESSES (default 2) `cli.py serve` processes on 127.0.0.1:8501… and nginx on LISTEN
# (default 8080) with deploy/nginx.conf.template; stops them all on Ctrl-C. Configuration is by
# environment only (see docs/DEPLOY.md). Needs nginx (bash scripts/system_deps.sh nginx).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${SPACEMAP_DB_URL:?set SPACEMAP_DB_URL=postgresql://user@host:port/database}"
n="${1:-2}"
listen="${2:-8080}"
base="${SPACEMAP_BASE_PORT:-8501}"
prefix="${SPACEMAP_NGINX_PREFIX:-$PWD/data/nginx}"
command -v npm >/dev/null || bash scripts/system_deps.sh npm
bash scripts/venv.sh requirements.txt
.venv/bin/python scripts/vendor_assets.py
.venv/bin/python cli.py store            # creates or migrates the database schema once, before the processes start
pids=()
backends=()
trap 'kill "${pids[@]}" 2>/dev/null; exit' INT TERM EXIT
for i in $(seq 0 $((n - 1))); do
  port=$((base + i))
  SPACEMAP_BEHIND_PROXY=1 .venv/bin/python cli.py serve --port "$port" --address 127.0.0.1 &   # reached only through nginx
  pids+=($!)
  backends+=("127.0.0.1:$port")
done
conf=$(.venv/bin/python deploy/render_nginx.py --listen "$listen" --backends "$(IFS=,; echo "${backends[*]}")" --prefix "$prefix")
echo "nginx on :$listen -> ${backends[*]}"
nginx -p "$prefix" -c "$conf" -g 'daemon off;' &
pids+=($!)
wait
