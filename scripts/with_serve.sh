#!/usr/bin/env bash
# Run a command against a `serve` of its own on PostgreSQL (the `hotline` database), holding
# the sandbox lock so no test session shares the ARI app meanwhile. Used by `make soak` and
# the load benchmark; serve's log goes to a temporary file named on stderr.
#   scripts/with_serve.sh .venv/bin/hotline12319 loadtest --calls 100 --concurrency 50 --json
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/var/lib/hotline12319/tests.lock
flock 9
export DATABASE_URL=${DATABASE_URL:-postgresql+asyncpg://hotline:hotline@127.0.0.1:5432/hotline}
export HOTLINE_WRAP_UP_SECONDS=${HOTLINE_WRAP_UP_SECONDS:-2}
# The calls' event loop at real-time priority, as deployed (docker/compose.yaml); 0 = off.
export HOTLINE_REALTIME_PRIORITY=${HOTLINE_REALTIME_PRIORITY:-5}
log=$(mktemp -t hotline-serve.XXXXXX.log)
.venv/bin/hotline12319 serve >"$log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null; wait $serve 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fsS http://127.0.0.1:8319/health 2>/dev/null | grep -q '"ari_connected": *true' && break
  sleep 0.5
done
echo "serve up (pid $serve, log $log)" >&2
"$@"
