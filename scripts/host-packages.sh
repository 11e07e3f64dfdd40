#!/usr/bin/env bash
# Debian packages the hotline needs on the host; installs only what is missing.
set -euo pipefail
# docker-compose (1.29) only validates docker/compose.yaml in the unit tests; no engine runs.
# chromium + fonts-wqy-microhei: the browser tests (tests/e2e) drive headless Chromium; the font
# renders the Chinese UI.
# kamailio: the cluster's SIP proxy (issue 14: `cluster up`, docker/compose.cluster.yaml).
wanted=(debootstrap postgresql sox python3-venv docker-compose ffmpeg chromium fonts-wqy-microhei kamailio)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing host packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
