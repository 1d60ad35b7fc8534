#!/usr/bin/env bash
# Stop this checkout's Docker Engine (npm run engine:down).
#
#   bash scripts/engine/down.sh
#
# Stops only the dockerd that up.sh started, by its recorded pid (checked against its command line):
# SIGTERM, which makes dockerd stop its running containers (SIGTERM, then SIGKILL after their stop
# timeout) and its containerd; after $ENGINE_STOP_TIMEOUT s (default 60) SIGKILL, and then the
# containerd it had started, found by its own pid file in our runtime dir. Images, containers and
# volumes stay in .stack/engine/data for the next start (rm -rf .stack/engine after this for a reset).
set -euo pipefail

# shellcheck source=scripts/engine/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

acquire_lock engine

if ! pid="$(running_pid dockerd)"; then
  if engine_answers; then
    warn "an engine answers on $ENGINE_SOCKET but no pid of ours is recorded: leaving it alone"
  else
    say "dockerd: not running"
  fi
  exit 0
fi

say "dockerd: stopping pid $pid (SIGTERM; it stops its containers first)"
kill -TERM "$pid" 2>/dev/null || true
deadline=$((SECONDS + ENGINE_STOP_TIMEOUT))
while pid_alive "$pid" && ((SECONDS < deadline)); do
  sleep 0.5
done
if pid_alive "$pid"; then
  warn "dockerd: still running after ${ENGINE_STOP_TIMEOUT}s, sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  # Its containerd outlives a SIGKILLed dockerd; stop it too, if it is the one from our runtime dir.
  cpid="$(tr -dc '0-9' <"$ENGINE_RUN_DIR/containerd/containerd.pid" 2>/dev/null || true)"
  if [[ -n "$cpid" ]] && pid_alive "$cpid" &&
    [[ "$(tr '\0' ' ' <"/proc/$cpid/cmdline" 2>/dev/null)" == *"$ENGINE_RUN_DIR"* ]]; then
    say "containerd: stopping pid $cpid"
    kill -TERM "$cpid" 2>/dev/null || true
  fi
fi
# dockerd leaves its default network namespace bind-mounted in the runtime dir (and a killed one,
# overlay mounts in the data root): unmount what is under our folders, so `rm -rf .stack` works.
while read -r _ mountpoint _; do
  case "$mountpoint" in
    "$ENGINE_RUN_DIR"/* | "$ENGINE_DATA_ROOT"/*) umount "$mountpoint" 2>/dev/null || umount -l "$mountpoint" || true ;;
  esac
done < <(sort -r -k2 /proc/mounts)
rm -f "$(pid_file dockerd)" "$ENGINE_ENV_FILE"
say "dockerd: stopped"
