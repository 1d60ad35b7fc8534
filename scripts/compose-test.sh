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

# shellcheck source=scripts/log.sh
source scripts/log.sh
stages "compose test"

stage "setup"
bash scripts/setup.sh node_modules stack
stage "compose v2"
bash scripts/compose.sh install

# shellcheck source=scripts/engine/image-env.sh
source scripts/engine/image-env.sh
compose_up=0
stop_compose() { if ((compose_up)); then bash scripts/compose.sh down; fi; }
before_stop=stop_compose
bring_up_image_env

stage "compose up"
compose_up=1
bash scripts/compose.sh up

stage "test/image/compose.e2e.ts"
node --import tsx --test --test-concurrency=1 --test-reporter=spec test/image/compose.e2e.ts
stage "done"
