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

if ! command -v apt-get >/dev/null 2>&1; then
  echo "[prometheus] $PROMTOOL is missing and apt-get is not available: install Debian's prometheus package" >&2
  exit 1
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo_cmd=(sudo -n)
  else
    echo "[prometheus] $PROMTOOL is missing; run as root (or with passwordless sudo): apt-get install -y --no-install-recommends prometheus" >&2
    exit 1
  fi
fi

echo "[prometheus] installing Debian's prometheus (apt-get)…" >&2
# Waits for another apt/dpkg run (an unattended upgrade, a parallel job) instead of failing on its lock.
apt_opts=(-o DPkg::Lock::Timeout=300)
"${sudo_cmd[@]}" apt-get "${apt_opts[@]}" update -qq </dev/null >/dev/null
# No recommends: the node exporter it recommends is not used here.
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  prometheus </dev/null >/dev/null

if ! installed; then
  echo "[prometheus] apt-get finished but $PROMETHEUS or $PROMTOOL is still missing" >&2
  exit 1
fi
echo "[prometheus] $("$PROMETHEUS" --version 2>&1 | head -1)" >&2
