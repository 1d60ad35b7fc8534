#!/usr/bin/env bash
# The compose file's payments services on this machine's Docker Engine, against the local stack.
#
#   bash scripts/compose.sh install   # Compose v2 (pinned), built from the Go module proxy, cached
#   bash scripts/compose.sh up        # engine, stack, image, then the three roles: healthy, then `ps`
#   bash scripts/compose.sh down      # stops and removes the project's containers
#   bash scripts/compose.sh ARGS...   # any `docker compose` command on the same files (ps, logs, config)
#
# Compose: Debian's docker-compose 1.29.2 refuses docker-compose.yml (top-level `name:`), and no
# release binary can be downloaded here. Compose v2 is a Go module; `go mod download` of the pinned
# version and `go build ./cmd` inside the downloaded module build the real `docker compose` plugin,
# installed as a CLI plugin in the engine's private DOCKER_CONFIG (.stack/engine/config/cli-plugins),
# cached under .stack/compose with a stamp. A cold build takes minutes (nice 19).
#
# `up` uses docker-compose.yml with deploy/compose.host.yml on top: the engine here has no bridge, so
# every container runs on the host's network, each role on its own 127.0.0.1 port (GATEWAY_PORT,
# WEBHOOK_PORT, WORKER_PORT: 8080, 8081, 8082), and Temporal, Kafka and stripe-mock are the local
# stack's (`npm run stack:up`). No image of the third-party services exists here; the override turns
# the ones the roles wait for into watchers of the local stack, under the same names, so the roles'
# depends_on conditions are real waits (see the override's header).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/engine/lib.sh
source scripts/engine/lib.sh
LOG_TAG=compose # say, warn, die: scripts/log.sh, through the engine's helpers

COMPOSE_MODULE="github.com/docker/compose/v2"
COMPOSE_VERSION="v2.40.3"
COMPOSE_DIR="$STACK_DIR/compose"
COMPOSE_BIN="$COMPOSE_DIR/$COMPOSE_VERSION/docker-compose"
COMPOSE_PLUGIN="$ENGINE_CONFIG_DIR/cli-plugins/docker-compose"
COMPOSE_FILES=(-f docker-compose.yml -f deploy/compose.host.yml)
ROLES=(gateway webhook-receiver worker)

install_compose() {
  local stamp="$COMPOSE_DIR/.stamp" want="$COMPOSE_MODULE@$COMPOSE_VERSION"
  if [[ -x "$COMPOSE_BIN" && "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
    :
  else
    command -v go >/dev/null || die "go not found (Compose v2 is built from the Go module proxy)"
    local t0=$SECONDS dir log="$STACK_LOG_DIR/compose-build.log"
    mkdir -p "$COMPOSE_DIR" "$STACK_LOG_DIR"
    say "building $want from the Go module proxy (go mod download; go build ./cmd; nice 19; log: $log)"
    # Outside the repo, GOWORK off: nothing of ours is consulted. `go install` is not used: the
    # module's own go.mod is the main module only when building inside it.
    dir="$(cd "$COMPOSE_DIR" && GOWORK=off GOFLAGS=-mod=mod go mod download -json "$want" |
      sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
    [[ -n "$dir" && -f "$dir/go.mod" ]] || die "go mod download $want gave no module directory"
    if ! (cd "$dir" && GOWORK=off CGO_ENABLED=0 nice -n 19 go build -trimpath \
      -ldflags "-w -X $COMPOSE_MODULE/internal.Version=$COMPOSE_VERSION" \
      -o "$COMPOSE_BIN.tmp" ./cmd) </dev/null >"$log" 2>&1; then
      tail -n 30 "$log" >&2
      die "go build of $want failed (full log: $log)"
    fi
    mv "$COMPOSE_BIN.tmp" "$COMPOSE_BIN"
    printf '%s' "$want" >"$stamp"
    say "built $want in $((SECONDS - t0))s, $(du -m "$COMPOSE_BIN" | cut -f1) MB"
  fi
  mkdir -p "$(dirname "$COMPOSE_PLUGIN")"
  ln -sfn "$COMPOSE_BIN" "$COMPOSE_PLUGIN"
}

compose() {
  docker_cli compose --project-directory . "${COMPOSE_FILES[@]}" "$@"
}

# The local stack's addresses, for the override's interpolation.
load_stack_env() {
  [[ -f "$STACK_ENV_FILE" ]] || die "no $STACK_ENV_FILE: start the local stack first ('npm run stack:up')"
  set -a
  # shellcheck source=/dev/null
  source "$STACK_ENV_FILE"
  set +a
}

cmd="${1:-up}"
case "$cmd" in
  install)
    install_compose
    say "$(docker_cli compose version 2>/dev/null || "$COMPOSE_BIN" version)"
    ;;
  up)
    T0=$SECONDS
    install_compose
    bash scripts/engine/up.sh
    bash scripts/stack/up.sh
    load_stack_env
    if ! docker_cli image inspect payments-service:dev >/dev/null 2>&1; then
      bash scripts/image-build.sh
    fi
    say "docker compose up --detach --wait ${ROLES[*]} (and the watchers they depend on)"
    compose up --detach --no-build --wait "${ROLES[@]}"
    compose ps
    say "up in $((SECONDS - T0))s: gateway http://127.0.0.1:${GATEWAY_PORT:-8080}, webhook-receiver http://127.0.0.1:${WEBHOOK_PORT:-8081}, worker http://127.0.0.1:${WORKER_PORT:-8082}"
    ;;
  down)
    install_compose
    require_engine
    [[ -f "$STACK_ENV_FILE" ]] && load_stack_env
    compose down --remove-orphans
    ;;
  *)
    install_compose
    require_engine
    [[ -f "$STACK_ENV_FILE" ]] && load_stack_env
    compose "$@"
    ;;
esac
