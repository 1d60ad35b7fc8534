#!/usr/bin/env bash
# Start this checkout's Docker Engine (npm run engine:up).
#
#   bash scripts/engine/up.sh
#
# Installs Debian's docker.io when dockerd is missing (apt-get, non-interactive, the package's own
# service start suppressed), then starts
#
#   dockerd --iptables=false --ip-masq=false --bridge=none --storage-driver=overlay2
#
# with its own data root, runtime dir and socket under .stack/engine and its log in
# .stack/logs/dockerd.log, and waits until the API answers. Idempotent: an engine this script
# started earlier is reused. Containers get no bridge network: run them with `--network host`.
# Writes .stack/engine.env (DOCKER_HOST, DOCKER_CONFIG) for `set -a; source .stack/engine.env`.
# Exits non-zero with the reason when this machine cannot run the engine. Never prompts.
set -euo pipefail

# shellcheck source=scripts/engine/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T0=$SECONDS
acquire_lock engine

reason="$(engine_cannot_run)"
[[ -z "$reason" ]] || die "this machine cannot run the engine: $reason"

# ---------------------------------------------------------------------------
# Install
# ---------------------------------------------------------------------------
install_engine() {
  command -v apt-get >/dev/null || die "$DOCKERD_BIN is missing and there is no apt-get to install Debian's $ENGINE_PACKAGE"
  say "installing Debian's $ENGINE_PACKAGE (apt-get; dockerd, containerd, runc, the 20.10 client)"
  # The package's postinst starts the init system's docker service unless policy-rc.d says no: that
  # would be a second engine on /var/run/docker.sock with iptables rules. Say no, for this install
  # only, unless the machine already has a policy.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\n# Written by scripts/engine/up.sh during apt-get install; removed after.\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    added_policy=1
  fi
  local log="$STACK_LOG_DIR/engine-apt.log" rc=0
  mkdir -p "$STACK_LOG_DIR"
  {
    apt-get -o DPkg::Lock::Timeout=300 update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$ENGINE_PACKAGE"
  } </dev/null >"$log" 2>&1 || rc=$?
  ((added_policy)) && rm -f "$policy"
  if ((rc != 0)); then
    tail -n 20 "$log" >&2
    die "apt-get install $ENGINE_PACKAGE failed (full log: $log)"
  fi
  [[ -x "$DOCKERD_BIN" && -x "$DOCKER_BIN" ]] || die "apt-get finished but $DOCKERD_BIN or $DOCKER_BIN is missing"
}

if [[ ! -x "$DOCKERD_BIN" || ! -x "$DOCKER_BIN" ]]; then
  install_engine
fi
engine_version="$("$DOCKERD_BIN" --version | sed -E 's/^Docker version ([^,]+),.*/\1/')"
[[ "$engine_version" == "$ENGINE_WANT_MAJOR".* ]] ||
  warn "dockerd is $engine_version, these scripts were written for Debian bookworm's $ENGINE_WANT_MAJOR"

# ---------------------------------------------------------------------------
# Start
# ---------------------------------------------------------------------------
mkdir -p "$ENGINE_DATA_ROOT" "$ENGINE_RUN_DIR" "$ENGINE_CONFIG_DIR" "$STACK_LOG_DIR" "$STACK_PID_DIR"
[[ -f "$ENGINE_CONFIG_DIR/config.json" ]] || printf '{}\n' >"$ENGINE_CONFIG_DIR/config.json"

action=reused
if pid="$(running_pid dockerd)"; then
  :
elif engine_answers; then
  # The socket answers but no pid of ours is recorded (the pid file was removed by hand).
  action="reused (no pid recorded)"
  pid=-
else
  # A socket left by an engine that was killed would make dockerd refuse to start.
  rm -f "$ENGINE_SOCKET"
  # Only settings that have no flag below: container logs rotate instead of filling the disk.
  cat >"$ENGINE_DIR/daemon.json" <<'EOF'
{
  "log-driver": "json-file",
  "log-opts": { "max-size": "10m", "max-file": "2" }
}
EOF
  say "starting dockerd $engine_version (nice $ENGINE_NICE; data root $ENGINE_DATA_ROOT)"
  start_bg dockerd nice -n "$ENGINE_NICE" "$DOCKERD_BIN" \
    --config-file "$ENGINE_DIR/daemon.json" \
    --iptables=false --ip-masq=false --bridge=none \
    --storage-driver=overlay2 \
    --data-root "$ENGINE_DATA_ROOT" \
    --exec-root "$ENGINE_RUN_DIR" \
    --pidfile "$ENGINE_RUN_DIR/dockerd.pid" \
    --host "$ENGINE_HOST"
  action=started
  pid="$(recorded_pid dockerd)"
fi

deadline=$((SECONDS + ENGINE_UP_TIMEOUT))
until engine_answers; do
  if [[ "$pid" != - ]] && ! pid_alive "$pid"; then
    tail_log dockerd 30
    die "dockerd exited before answering (see $STACK_LOG_DIR/dockerd.log above): this machine cannot run it as configured"
  fi
  if ((SECONDS >= deadline)); then
    tail_log dockerd 30
    die "dockerd did not answer on $ENGINE_SOCKET within ${ENGINE_UP_TIMEOUT}s ('bash scripts/engine/down.sh' stops it)"
  fi
  sleep 0.5
done

driver="$(docker_cli info --format '{{.Driver}}' 2>/dev/null || echo '?')"
[[ "$driver" == overlay2 ]] || warn "storage driver is '$driver', not overlay2"

# Sourceable by bash and parseable as a dotenv file: plain KEY=value. Written atomically.
cat >"$ENGINE_ENV_FILE.tmp" <<EOF
DOCKER_HOST=$ENGINE_HOST
DOCKER_CONFIG=$ENGINE_CONFIG_DIR
ENGINE_DOCKER_BIN=$DOCKER_BIN
EOF
mv "$ENGINE_ENV_FILE.tmp" "$ENGINE_ENV_FILE"

say "dockerd $action pid=$pid Engine $engine_version, $driver, socket $ENGINE_SOCKET ($((SECONDS - T0))s)"
say "containers need --network host (no bridge here); env: $ENGINE_ENV_FILE"
