#!/usr/bin/env bash
# npm run test:compose: the compose file's payments services from nothing, by themselves.
#
#   1. setup: node_modules and the local stack's tools (cached)
#   2. Compose v2, built once from the Go module proxy (scripts/compose.sh install; cached)
#   3. this checkout's Docker Engine, the local stack, payments-service:dev (image:build, cached)
#   4. scripts/compose.sh up: the three roles healthy, `docker compose ps`
#   5. test/image/compose.e2e.ts: start-up order, a charge through the three services
#   6. compose down; stops exactly what it started (the engine, stack parts)
#
# Idempotent, never prompts. Ports: GATEWAY_PORT, WEBHOOK_PORT, WORKER_PORT (8080, 8081, 8082).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

T0=$SECONDS
stage() { printf '== compose test: %s (%ds)\n' "$*" $((SECONDS - T0)); }

stage "setup"
bash scripts/setup.sh node_modules stack
stage "compose v2"
bash scripts/compose.sh install

engine_started=0
bash scripts/engine/status.sh >/dev/null 2>&1 || engine_started=1
started=()
for part in temporal kafka stripe-mock; do
  bash scripts/stack/status.sh "$part" >/dev/null 2>&1 || started+=("$part")
done
compose_up=0
stop_started() {
  local rc=$?
  if ((compose_up)); then bash scripts/compose.sh down || true; fi
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

stage "compose up"
compose_up=1
bash scripts/compose.sh up

stage "test/image/compose.e2e.ts"
node --import tsx --test --test-concurrency=1 --test-reporter=spec test/image/compose.e2e.ts
stage "done"
