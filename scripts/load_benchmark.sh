#!/usr/bin/env bash
# The load table of BENCHMARKS.md: for each concurrency, our IVR then the dialplan baseline
# (12320) on the same Asterisk, one JSON object per line. By default 2 x C calls dial at once
# (every caller's menus in step: the worst case). ARRIVALS=poisson: 3 x C calls arrive as a
# Poisson stream of C/45 a second, enough to hold C calls in progress (a call lasts ~60 s).
#   scripts/load_benchmark.sh 50 100 200
#   ARRIVALS=poisson scripts/load_benchmark.sh 50 100 200
set -euo pipefail
cd "$(dirname "$0")/.."
levels=${*:-50 100 200}
arrivals=${ARRIVALS:-at-once}
exec scripts/with_serve.sh bash -c "
for c in $levels; do
  if [ $arrivals = poisson ]; then
    shape=\"--calls \$((c * 3)) --rate \$(python3 -c \"print(\$c / 45)\")\"
  else
    shape=\"--calls \$((c * 2))\"
  fi
  for number in 12319 12320; do
    .venv/bin/hotline12319 loadtest \$shape --concurrency \$c --heard \
      --number \$number --json | tr -d '\n '; echo
  done
done"
