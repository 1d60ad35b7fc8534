#!/usr/bin/env bash
# Show this checkout's Docker Engine (npm run engine:status): running or stopped, pid, socket,
# version, images and running containers. Exit 0 when it answers, else 3 (as scripts/stack/status.sh).
set -euo pipefail

# shellcheck source=scripts/engine/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

pid="$(running_pid dockerd || echo -)"
if engine_answers; then
  version="$(docker_cli version --format '{{.Server.Version}}')"
  printf 'engine  running  pid=%-8s %s (Engine %s)\n' "$pid" "$ENGINE_HOST" "$version"
  printf '  images: %s, running containers: %s, data root %s\n' \
    "$(docker_cli images -q | wc -l)" "$(docker_cli ps -q | wc -l)" "$ENGINE_DATA_ROOT"
  exit 0
fi
note=""
[[ "$pid" == - ]] || note="  (process alive but not answering; see $STACK_LOG_DIR/dockerd.log)"
printf 'engine  stopped  pid=%-8s %s%s\n' "$pid" "$ENGINE_HOST" "$note"
exit 3
