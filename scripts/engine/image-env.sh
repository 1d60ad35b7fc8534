#!/usr/bin/env bash
# Sourced by scripts/image-test.sh and scripts/compose-test.sh (which define `stage`): brings up this
# checkout's Docker Engine, the local stack and payments-service:dev, exports their connection lines,
# and on exit stops exactly what it started. A caller with more to undo first (compose down) sets
# `before_stop` to a command.
before_stop=:
engine_started=0
started=()

stop_image_env() {
  local rc=$?
  $before_stop || true
  if ((${#started[@]})); then bash scripts/stack/down.sh "${started[@]}" || true; fi
  if ((engine_started)); then bash scripts/engine/down.sh || true; fi
  exit "$rc"
}

bring_up_image_env() {
  bash scripts/engine/status.sh >/dev/null 2>&1 || engine_started=1
  local part
  # Every part up.sh starts (scripts/stack/parts.sh), so each one started here is stopped on exit.
  # shellcheck source=scripts/stack/parts.sh
  source scripts/stack/parts.sh
  for part in "${STACK_PARTS[@]}"; do
    bash scripts/stack/status.sh "$part" >/dev/null 2>&1 || started+=("$part")
  done
  trap stop_image_env EXIT

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
}
