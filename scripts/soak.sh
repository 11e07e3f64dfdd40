#!/usr/bin/env bash
# `make soak`: a 30-minute call through the hotline (tools/soak.py), against a `serve` of its
# own on PostgreSQL. Holds the sandbox lock so no test session shares the ARI app meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${SOAK_MINUTES:-30}
exec 9>/var/lib/hotline12319/tests.lock
flock 9
export DATABASE_URL=${DATABASE_URL:-postgresql+asyncpg://hotline:hotline@127.0.0.1:5432/hotline}
export HOTLINE_WRAP_UP_SECONDS=2
log=$(mktemp -t soak-serve.XXXXXX.log)
.venv/bin/hotline12319 serve >"$log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null; wait $serve 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fsS http://127.0.0.1:8319/health 2>/dev/null | grep -q '"ari_connected": *true' && break
  sleep 0.5
done
echo "soak: serve up (log $log); one call of $minutes minutes"
.venv/bin/python -m tools.soak --minutes "$minutes" --json
