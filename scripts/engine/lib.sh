# shellcheck shell=bash disable=SC2034 # (SC2034: variables here are used by the scripts that source this file)
# Shared helpers for the local Docker Engine scripts (up.sh, down.sh, status.sh) and the scripts that
# use the engine (image-build.sh, image-test.sh, compose.sh).
#
# The engine is Debian's docker.io package (Engine 20.10) started by hand, not by an init system:
#
#   dockerd --iptables=false --ip-masq=false --bridge=none --storage-driver=overlay2
#
# This machine has no container registry (nothing can be pulled) and no bridge or NAT for containers:
# every container runs with `--network host` and binds 127.0.0.1 ports. Everything the engine owns
# lives under $STACK_DIR/engine (git-ignored): its data root (images, containers, volumes), its
# runtime dir (API socket, containerd) and the docker CLI config dir (compose plugin). Its log is
# $STACK_DIR/logs/dockerd.log, its pid $STACK_DIR/pids/dockerd.pid, as for the stack's parts. The
# socket is private to this checkout: a developer's own /var/run/docker.sock is never used or touched.
#
# This file is sourced, not executed; callers set `set -euo pipefail` themselves.

# The stack's helpers: STACK_DIR, start_bg, running_pid, pid_alive, acquire_lock, tail_log.
# shellcheck source=scripts/stack/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../stack" && pwd -P)/lib.sh"

LOG_TAG=engine # say, warn, die: scripts/log.sh, through the stack's helpers

ENGINE_DIR="$STACK_DIR/engine"
ENGINE_DATA_ROOT="${ENGINE_DATA_ROOT:-$ENGINE_DIR/data}"
ENGINE_CONFIG_DIR="$ENGINE_DIR/config" # DOCKER_CONFIG: config.json and cli-plugins/ (compose)
ENGINE_ENV_FILE="$STACK_DIR/engine.env"
# The runtime dir holds unix sockets (the API socket; containerd's, one level deeper), whose paths
# must stay under the kernel's 108-byte limit. A checkout whose path is too long for that gets a
# short dir under /run named after a hash of its stack dir.
ENGINE_RUN_DIR="$ENGINE_DIR/run"
engine_longest_socket="$ENGINE_RUN_DIR/containerd/containerd-debug.sock"
if ((${#engine_longest_socket} > 100)); then
  ENGINE_RUN_DIR="/run/payments-engine-$(printf '%s' "$STACK_DIR" | sha256sum | cut -c1-12)"
fi
ENGINE_SOCKET="$ENGINE_RUN_DIR/docker.sock"
ENGINE_HOST="unix://$ENGINE_SOCKET"

# Debian bookworm's docker.io: dockerd, containerd, runc and the matching 20.10 client. The client
# is called by its full path: another `docker` earlier on PATH (a newer CLI) may not match it.
ENGINE_PACKAGE="docker.io"
ENGINE_WANT_MAJOR="20.10"
DOCKERD_BIN=/usr/sbin/dockerd
DOCKER_BIN=/usr/bin/docker
# The engine and everything it runs (builds, containers) at this CPU priority: the machine's two
# cores are shared, and a `docker build` must yield to other people's tests. Containers inherit it
# from dockerd through containerd and its shims.
ENGINE_NICE="${ENGINE_NICE:-19}"
# Seconds up.sh waits for the API to answer.
ENGINE_UP_TIMEOUT="${ENGINE_UP_TIMEOUT:-60}"
# Seconds down.sh waits after SIGTERM (dockerd first stops its containers, 15 s each at most).
ENGINE_STOP_TIMEOUT="${ENGINE_STOP_TIMEOUT:-60}"

# docker ARGS... -> the engine's own client against this checkout's engine, with its own config dir
# (so a developer's ~/.docker, credential helpers included, is never read).
docker_cli() {
  DOCKER_HOST="$ENGINE_HOST" DOCKER_CONFIG="$ENGINE_CONFIG_DIR" "$DOCKER_BIN" "$@"
}

# engine_answers -> success if this checkout's engine answers on its socket.
engine_answers() {
  [[ -S "$ENGINE_SOCKET" ]] || return 1
  timeout 10 env DOCKER_HOST="$ENGINE_HOST" DOCKER_CONFIG="$ENGINE_CONFIG_DIR" \
    "$DOCKER_BIN" version --format '{{.Server.Version}}' >/dev/null 2>&1
}

# require_engine -> dies with the command to run when the engine is not up (for the scripts that
# use it: they never start it behind the caller's back unless they say so).
require_engine() {
  [[ -x "$DOCKER_BIN" ]] || die "$DOCKER_BIN is missing: run 'npm run engine:up' (installs Debian's $ENGINE_PACKAGE)"
  engine_answers || die "the engine does not answer on $ENGINE_SOCKET: run 'npm run engine:up'"
}

# engine_cannot_run -> prints why this machine cannot run the engine (empty when it can).
engine_cannot_run() {
  if [[ "$(uname -s)" != Linux ]]; then
    echo "dockerd needs Linux (this is $(uname -s))"
  elif [[ $(id -u) -ne 0 ]]; then
    echo "dockerd needs root here (a rootful engine started by hand); run as root"
  elif ! grep -qw overlay /proc/filesystems && ! modprobe overlay 2>/dev/null; then
    echo "the kernel has no overlay filesystem (overlay2 storage needs it)"
  elif [[ ! -d /sys/fs/cgroup ]] || [[ -z "$(ls -A /sys/fs/cgroup 2>/dev/null)" ]]; then
    echo "no cgroup filesystem is mounted at /sys/fs/cgroup"
  else
    mkdir -p "$ENGINE_DATA_ROOT"
    local fs
    fs="$(stat -f -c %T "$ENGINE_DATA_ROOT")"
    case "$fs" in
      overlayfs | tmpfs | nfs | fuseblk | fuse*)
        echo "$ENGINE_DATA_ROOT is on $fs, where overlay2 cannot keep layers; set ENGINE_DATA_ROOT to a folder on ext4 or xfs"
        ;;
    esac
  fi
}
