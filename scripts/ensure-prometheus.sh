#!/usr/bin/env bash
# Makes sure Debian's `prometheus` package is installed: /usr/bin/promtool checks and unit-tests the
# alert rules in `npm test` (test/deploy/alert-rules.test.ts), and /usr/bin/prometheus is the local
# stack's optional Prometheus (`npm run stack:up -- --with prometheus`). No container registry is
# reachable here, and Debian's package is the one registry build of both (2.42 in bookworm).
# Idempotent: returns at once when both binaries are there (the installed package is the stamp).
# Non-interactive, so it also runs as root in CI with no standard input.
#
# On a machine run by systemd the package also enables its own system service (Prometheus on 9090
# scraping itself): the local stack's Prometheus is a separate process on STACK_PROMETHEUS_PORT
# (9190), so the two never meet.
set -euo pipefail

PROMETHEUS=/usr/bin/prometheus
PROMTOOL=/usr/bin/promtool

installed() { [[ -x $PROMETHEUS && -x $PROMTOOL ]]; }

if installed; then
  exit 0
fi

# shellcheck source=scripts/apt-install.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
# No recommends: the node exporter it recommends is not used here.
apt_install prometheus prometheus

if ! installed; then
  echo "[prometheus] apt-get finished but $PROMETHEUS or $PROMTOOL is still missing" >&2
  exit 1
fi
echo "[prometheus] $("$PROMETHEUS" --version 2>&1 | head -1)" >&2
