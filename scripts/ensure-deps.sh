#!/usr/bin/env bash
# Installs node_modules with `npm ci` when missing or stale (package-lock.json changed since the
# last install), so `npm test` and `npm run dev` work on a fresh clone by themselves.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

stamp=node_modules/.payments-lock-hash
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ -d node_modules && -f $stamp && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
echo "[deps] installing node_modules (npm ci)…" >&2
npm ci --no-audit --no-fund --loglevel=error </dev/null
echo "$want" >"$stamp"
