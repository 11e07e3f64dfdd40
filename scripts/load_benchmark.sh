#!/usr/bin/env bash
# The load table of BENCHMARKS.md: for each concurrency, our IVR then the dialplan baseline
# (12320) on the same Asterisk, 2 x C calls each, one JSON object per line.
#   scripts/load_benchmark.sh 50 100 200
set -euo pipefail
cd "$(dirname "$0")/.."
levels=${*:-50 100 200}
exec scripts/with_serve.sh bash -c "
for c in $levels; do
  for number in 12319 12320; do
    .venv/bin/hotline12319 loadtest --calls \$((c * 2)) --concurrency \$c --heard \
      --number \$number --json | tr -d '\n '; echo
  done
done"
