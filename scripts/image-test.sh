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

# shellcheck source=scripts/log.sh
source scripts/log.sh
stages "image test"

stage "setup"
bash scripts/setup.sh node_modules stack

# shellcheck source=scripts/engine/image-env.sh
source scripts/engine/image-env.sh
bring_up_image_env

stage "test/image"
node --import tsx --test --test-concurrency=1 --test-reporter=spec test/image/image.e2e.ts
stage "done"
