#!/usr/bin/env bash
# Makes sure Debian's headless-capable Chromium is at /usr/bin/chromium (the browser the UI tests drive
# through playwright-core; Playwright's own browser download is never used). Idempotent: returns at once
# when the binary is there. Non-interactive, so it also runs as root in CI with no standard input.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [[ -x $CHROMIUM ]]; then
  exit 0
fi

# shellcheck source=scripts/apt-install.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
apt_install chromium chromium fonts-liberation

if [[ ! -x $CHROMIUM ]]; then
  echo "[chromium] apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "[chromium] $("$CHROMIUM" --version 2>/dev/null || echo installed)" >&2
