#!/usr/bin/env bash
# npm run test:image: the image test from nothing, by itself (CI runs it after `npm test`).
#
#   1. setup: node_modules and the local stack's tools (cached)
#   2. this checkout's Docker Engine (installs Debian's docker.io when missing)
#   3. the local stack (Temporal dev server, Kafka, stripe-mock)
#   4. npm run image:build: the base stand-in when missing, then payments-service:dev
#   5. test/image/image.e2e.ts (compose.e2e.ts is npm run test:compose)
#
# Idempotent, never prompts; stops at the end exactly what it started (the engine, stack parts).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

T0=$SECONDS
stage() { printf '== image test: %s (%ds)\n' "$*" $((SECONDS - T0)); }

stage "setup"
bash scripts/setup.sh node_modules stack

engine_started=0
bash scripts/engine/status.sh >/dev/null 2>&1 || engine_started=1
started=()
for part in temporal kafka stripe-mock; do
  bash scripts/stack/status.sh "$part" >/dev/null 2>&1 || started+=("$part")
done
stop_started() {
  local rc=$?
  if ((${#started[@]})); then bash scripts/stack/down.sh "${started[@]}" || true; fi
  if ((engine_started)); then bash scripts/engine/down.sh || true; fi
  exit "$rc"
}
trap stop_started EXIT

stage "engine"
bash scripts/engine/up.sh
stage "stack"
bash scripts/stack/up.sh

set -a
# shellcheck source=/dev/null
source .stack/stack.env
# shellcheck source=/dev/null
source .stack/engine.env
set +a

stage "image:build"
bash scripts/image-build.sh

stage "test/image"
node --import tsx --test --test-concurrency=1 --test-reporter=spec test/image/image.e2e.ts
stage "done"
