#!/usr/bin/env bash
# Makes sure Debian's headless-capable Chromium is at /usr/bin/chromium (the browser the UI tests drive
# through playwright-core; Playwright's own browser download is never used). Idempotent: returns at once
# when the binary is there. Non-interactive, so it also runs as root in CI with no standard input.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [[ -x $CHROMIUM ]]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "[chromium] $CHROMIUM is missing and apt-get is not available: install Debian's chromium package" >&2
  exit 1
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo_cmd=(sudo -n)
  else
    echo "[chromium] $CHROMIUM is missing; run as root (or with passwordless sudo): apt-get install -y chromium" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "[chromium] installing Debian's chromium (apt-get)…" >&2
# Waits for another apt/dpkg run (an unattended upgrade, a parallel job) instead of failing on its lock.
apt_opts=(-o DPkg::Lock::Timeout=300)
"${sudo_cmd[@]}" apt-get "${apt_opts[@]}" update -qq </dev/null >/dev/null
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  chromium fonts-liberation </dev/null >/dev/null

if [[ ! -x $CHROMIUM ]]; then
  echo "[chromium] apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "[chromium] $("$CHROMIUM" --version 2>/dev/null || echo installed)" >&2
