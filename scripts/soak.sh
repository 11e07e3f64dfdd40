#!/usr/bin/env bash
# `make soak`: a 30-minute call through the hotline (tools/soak.py), against a `serve` of its
# own; SOAK_MINUTES changes the length.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/with_serve.sh .venv/bin/python -m tools.soak --minutes "${SOAK_MINUTES:-30}" --json
