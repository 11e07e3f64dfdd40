#!/usr/bin/env bash
# Issue 11's survey benchmark (BENCHMARKS.md): one `serve` with surveys due at once, in calling
# hours all day, and the policy's survey lines raised so the rates are not capped by pacing;
# then tools/survey_benchmark.py's phases (inbound load with survey calls at rising rates).
#   scripts/survey_benchmark.sh --rates 0,10,20,40 --calls 24 --arrivals 0.4
set -euo pipefail
cd "$(dirname "$0")/.."
policy=$(mktemp -t survey-bench-policy.XXXXXX.yaml)
trap 'rm -f "$policy"' EXIT
sed -E 's/^max_concurrent: .*/max_concurrent: 40/' routing/followup/survey_policy.yaml >"$policy"
export HOTLINE_SURVEY_POLICY_FILE=$policy HOTLINE_SURVEY_DELAY_SECONDS=0
export HOTLINE_SURVEY_HOURS=${HOTLINE_SURVEY_HOURS:-00:00-23:59}
scripts/with_serve.sh .venv/bin/python -m tools.survey_benchmark "$@"
