#!/usr/bin/env bash
# Temporal on SQL persistence, as production runs it: the real Temporal server on PostgreSQL, set up
# by deploy/temporal's schema and namespace scripts, with the compose file's dynamic config.
#
#   bash scripts/temporal-sql.sh install   # the server and temporal-sql-tool (go install, pinned, cached)
#   bash scripts/temporal-sql.sh up        # PostgreSQL, schema, server, namespace; writes .stack/temporal-sql.env
#   bash scripts/temporal-sql.sh status
#   bash scripts/temporal-sql.sh down      # stops the server and PostgreSQL it started (data kept)
#   bash scripts/temporal-sql.sh test      # up, the charge-path integration test on it, the bench's
#                                          # ceilings on it beside the dev server's, down
#
# Not part of `npm test` (a cold build takes 10+ minutes); `npm run temporal:sql -- test`.
#
# - Server: go.temporal.io/server v1.32.0 (the version of the dev server in the local stack and of the
#   compose file's temporalio/server:1.32.0), `go install` of cmd/server and cmd/tools/sql from the Go
#   module proxy into .stack/temporal-sql/bin (stamped), run as a plain process on 127.0.0.1.
# - PostgreSQL: Debian's packages (postgresql-15 on bookworm), a private cluster in
#   .stack/temporal-sql/pgdata run as the `postgres` user on 127.0.0.1:$TSQL_PG_PORT, user temporal.
# - deploy/temporal/setup-schema.sh and setup-namespace.sh run unchanged, as compose runs them (an
#   admin-tools container with deploy/temporal mounted at /scripts): no temporalio/admin-tools image
#   can be pulled here, so a local stand-in is built on this machine's engine from the base stand-in
#   (scripts/image-build.sh) with temporal-sql-tool, the stack's temporal CLI, nc and the server's
#   PostgreSQL schema at /etc/temporal/schema. Needs the engine (`npm run engine:up`).
# - Dynamic config: deploy/temporal/dynamicconfig.yaml, validated by the server itself first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/engine/lib.sh
source scripts/engine/lib.sh
LOG_TAG=temporal-sql # say, warn, die: scripts/log.sh, through the engine's helpers

TSQL_MODULE="go.temporal.io/server"
TSQL_VERSION="v1.32.0"
TSQL_DIR="$STACK_DIR/temporal-sql"
TSQL_BIN_DIR="$TSQL_DIR/bin"
TSQL_SERVER_BIN="$TSQL_BIN_DIR/temporal-server"
TSQL_TOOL_BIN="$TSQL_BIN_DIR/temporal-sql-tool"
TSQL_SCHEMA_DIR="$TSQL_DIR/schema" # postgresql/v12/{temporal,visibility} from the module
TSQL_ENV_FILE="$STACK_DIR/temporal-sql.env"
TSQL_PGDATA="$TSQL_DIR/pgdata"
TSQL_PGRUN="$TSQL_DIR/pgrun"
TSQL_CONFIG="$TSQL_DIR/config/temporal.yaml"
ADMIN_TOOLS_IMAGE="payments-temporal-admin-tools:1.32.0-local"
BASE_TAG="node:24.19.0-bookworm-slim"

# Ports, all on 127.0.0.1: the frontend's gRPC port and the ones derived from it.
TSQL_PORT="${TSQL_PORT:-47233}"
# Membership (ringpop) ports: the server stores them in a PostgreSQL smallint, so they must stay
# below 32768 (47335 failed: "value is out of range for type smallint").
TSQL_MEMBERSHIP_PORT="${TSQL_MEMBERSHIP_PORT:-26933}"
TSQL_PG_PORT="${TSQL_PG_PORT:-45432}"
TSQL_DB_USER="temporal"
# LOCAL ONLY, as docker-compose.yml's: a cluster on loopback that holds test charges.
TSQL_DB_PASSWORD="temporal-local-only"
TSQL_NAMESPACE="default"

# ---------------------------------------------------------------------------
# Install
# ---------------------------------------------------------------------------
install_server() {
  local stamp="$TSQL_BIN_DIR/.stamp" want="$TSQL_MODULE@$TSQL_VERSION"
  if [[ -x "$TSQL_SERVER_BIN" && -x "$TSQL_TOOL_BIN" && -d "$TSQL_SCHEMA_DIR/postgresql/v12" &&
    "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
    return 0
  fi
  command -v go >/dev/null || die "go not found (the server is built from the Go module proxy)"
  local t0=$SECONDS log="$STACK_LOG_DIR/temporal-sql-build.log" tmp="$TSQL_DIR/bin.tmp"
  mkdir -p "$TSQL_DIR" "$STACK_LOG_DIR"
  rm -rf "$tmp"
  say "go install $want: cmd/server and cmd/tools/sql (nice 19; a cold build takes 10+ min; log: $log)"
  if ! (cd "$TSQL_DIR" && GOWORK=off CGO_ENABLED=0 GOBIN="$tmp" nice -n 19 go install \
    "$TSQL_MODULE/cmd/server@$TSQL_VERSION" "$TSQL_MODULE/cmd/tools/sql@$TSQL_VERSION") </dev/null >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "go install failed (full log: $log)"
  fi
  local dir
  dir="$(cd "$TSQL_DIR" && GOWORK=off go mod download -json "$want" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$dir/schema/postgresql/v12" ]] || die "no schema/postgresql/v12 in $dir"
  rm -rf "$TSQL_SCHEMA_DIR" "$TSQL_BIN_DIR"
  mkdir -p "$TSQL_SCHEMA_DIR/postgresql"
  cp -r "$dir/schema/postgresql/v12" "$TSQL_SCHEMA_DIR/postgresql/"
  chmod -R u+w "$TSQL_SCHEMA_DIR"
  mkdir -p "$TSQL_BIN_DIR"
  mv "$tmp/server" "$TSQL_SERVER_BIN"
  mv "$tmp/sql" "$TSQL_TOOL_BIN"
  rm -rf "$tmp"
  printf '%s' "$want" >"$stamp"
  say "built in $((SECONDS - t0))s: temporal-server $(($(stat -c %s "$TSQL_SERVER_BIN") / 1000000)) MB, temporal-sql-tool $(($(stat -c %s "$TSQL_TOOL_BIN") / 1000000)) MB"
}

pg_bin_dir() {
  local dir
  dir="$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
  if [[ -z "$dir" || ! -x "$dir/postgres" ]]; then
    say "installing Debian's postgresql (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends postgresql \
      </dev/null >>"$STACK_LOG_DIR/temporal-sql-apt.log" 2>&1 ||
      die "apt-get install postgresql failed (log: $STACK_LOG_DIR/temporal-sql-apt.log)"
    dir="$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d | sort -V | tail -n 1)"
  fi
  printf '%s' "$dir"
}

# The admin-tools stand-in: what deploy/temporal's scripts expect of temporalio/admin-tools.
build_admin_tools() {
  local want ctx="$TSQL_DIR/admin-tools"
  want="$(sha256sum "$TSQL_TOOL_BIN" "$TEMPORAL_BIN" | sha256sum | cut -c1-16)"
  if [[ "$(docker_cli image inspect --format '{{index .Config.Labels "org.payments.inputs"}}' "$ADMIN_TOOLS_IMAGE" 2>/dev/null)" == "$want" ]]; then
    return 0
  fi
  if ! docker_cli image inspect "$BASE_TAG" >/dev/null 2>&1; then
    say "no $BASE_TAG in the engine: npm run image:build builds it"
    bash scripts/image-build.sh
  fi
  say "building $ADMIN_TOOLS_IMAGE (a local stand-in for temporalio/admin-tools:1.32.0)"
  rm -rf "$ctx"
  mkdir -p "$ctx"
  cp "$TSQL_TOOL_BIN" "$TEMPORAL_BIN" "$ctx/"
  cp -r "$TSQL_SCHEMA_DIR" "$ctx/schema"
  cat >"$ctx/Dockerfile" <<EOF
# Generated by scripts/temporal-sql.sh: what deploy/temporal/*.sh need of temporalio/admin-tools.
FROM $BASE_TAG
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends netcat-openbsd && rm -rf /var/lib/apt/lists/*
COPY temporal-sql-tool temporal /usr/local/bin/
COPY schema /etc/temporal/schema
LABEL org.payments.local-stand-in=true \\
      org.payments.inputs=$want \\
      org.opencontainers.image.title="LOCAL STAND-IN for temporalio/admin-tools:1.32.0" \\
      org.opencontainers.image.description="Built by scripts/temporal-sql.sh: temporal-sql-tool $TSQL_VERSION (go install), the temporal CLI of the local stack, nc, the server's PostgreSQL schema"
EOF
  DOCKER_BUILDKIT=0 docker_cli build --quiet --network host -t "$ADMIN_TOOLS_IMAGE" "$ctx" >/dev/null </dev/null
  rm -rf "$ctx"
}

# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }

pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$TSQL_PG_PORT" -t 2 >/dev/null 2>&1; }

start_postgres() {
  id postgres >/dev/null 2>&1 || die "no 'postgres' user (Debian's postgresql package creates it)"
  [[ $(id -u) -eq 0 ]] || die "needs root (to run PostgreSQL as the postgres user)"
  if [[ ! -f "$TSQL_PGDATA/PG_VERSION" ]]; then
    say "postgresql: initdb $TSQL_PGDATA (user $TSQL_DB_USER, scram-sha-256 on 127.0.0.1)"
    rm -rf "$TSQL_PGDATA"
    mkdir -p "$TSQL_PGDATA"
    chown postgres:postgres "$TSQL_PGDATA"
    chmod 700 "$TSQL_PGDATA"
    as_postgres test -w "$TSQL_PGDATA" ||
      die "the postgres user cannot reach $TSQL_PGDATA (a parent folder is not searchable by others)"
    local pwfile="$TSQL_DIR/.pgpass-init"
    printf '%s\n' "$TSQL_DB_PASSWORD" >"$pwfile"
    chown postgres "$pwfile"
    chmod 600 "$pwfile"
    as_postgres "$PG_BIN/initdb" -D "$TSQL_PGDATA" -U "$TSQL_DB_USER" --pwfile="$pwfile" \
      --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$STACK_LOG_DIR/temporal-sql-initdb.log" 2>&1 ||
      {
        rm -f "$pwfile"
        tail -n 20 "$STACK_LOG_DIR/temporal-sql-initdb.log" >&2
        die "initdb failed"
      }
    rm -f "$pwfile"
  fi
  mkdir -p "$TSQL_PGRUN"
  chown postgres:postgres "$TSQL_PGRUN"
  say "postgresql: starting $("$PG_BIN/postgres" --version | awk '{print $NF}') on 127.0.0.1:$TSQL_PG_PORT"
  # Temporal opens up to maxConns (20) per store and service: more than the default 100 in all.
  start_bg temporal-sql-postgres setpriv --reuid=postgres --regid=postgres --init-groups -- \
    "$PG_BIN/postgres" -D "$TSQL_PGDATA" -p "$TSQL_PG_PORT" -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories="$TSQL_PGRUN" -c max_connections=300
}

# ---------------------------------------------------------------------------
# Server
# ---------------------------------------------------------------------------
sql_store() { # sql_store NAME DATABASE MAXCONNS -> a datastore of the server config
  cat <<EOF
    $1:
      sql:
        pluginName: postgres12
        databaseName: $2
        connectAddr: 127.0.0.1:$TSQL_PG_PORT
        connectProtocol: tcp
        user: $TSQL_DB_USER
        password: $TSQL_DB_PASSWORD
        maxConns: $3
        maxIdleConns: $3
        maxConnLifetime: 1h
EOF
}

write_server_config() {
  mkdir -p "$(dirname "$TSQL_CONFIG")"
  cat >"$TSQL_CONFIG" <<EOF
# Generated by scripts/temporal-sql.sh from the server's own development-postgres12.yaml: ports
# moved to TSQL_PORT ($TSQL_PORT) and up, PostgreSQL on $TSQL_PG_PORT, the compose file's dynamic config.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
$(sql_store postgres-default temporal 20)
$(sql_store postgres-visibility temporal_visibility 2)
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
  frontend:
    rpc: { grpcPort: $TSQL_PORT, membershipPort: $((TSQL_MEMBERSHIP_PORT + 0)), bindOnLocalHost: true, httpPort: $((TSQL_PORT + 10)) }
  history:
    rpc: { grpcPort: $((TSQL_PORT + 1)), membershipPort: $((TSQL_MEMBERSHIP_PORT + 1)), bindOnLocalHost: true }
  matching:
    rpc: { grpcPort: $((TSQL_PORT + 2)), membershipPort: $((TSQL_MEMBERSHIP_PORT + 2)), bindOnLocalHost: true }
  worker:
    rpc: { grpcPort: $((TSQL_PORT + 6)), membershipPort: $((TSQL_MEMBERSHIP_PORT + 6)), bindOnLocalHost: true }
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:$TSQL_PORT
dcRedirectionPolicy:
  policy: noop
archival:
  history: { state: disabled }
  visibility: { state: disabled }
namespaceDefaults:
  archival:
    history: { state: disabled }
    visibility: { state: disabled }
dynamicConfigClient:
  filepath: $REPO_ROOT/deploy/temporal/dynamicconfig.yaml
  pollInterval: 10s
EOF
}

server_healthy() {
  timeout 10 "$TEMPORAL_BIN" operator cluster health --address "127.0.0.1:$TSQL_PORT" 2>/dev/null | grep -q SERVING
}

# admin_tools SCRIPT ENV... -> one of deploy/temporal's scripts, as compose runs it. The script's own
# lines are shown; temporal-sql-tool's log lines (timestamped) go to .stack/logs/temporal-sql-admin.log.
admin_tools() {
  local script="$1"
  shift
  local -a env_args=()
  local kv log="$STACK_LOG_DIR/temporal-sql-admin.log" rc=0
  for kv in "$@"; do env_args+=(--env "$kv"); done
  printf '\n===== %s %s =====\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$script" >>"$log"
  docker_cli run --rm --network host --volume "$REPO_ROOT/deploy/temporal:/scripts:ro" \
    "${env_args[@]}" --entrypoint /bin/sh "$ADMIN_TOOLS_IMAGE" "/scripts/$script" </dev/null >>"$log" 2>&1 || rc=$?
  sed -n "/===== .* $script =====/,\$p" "$log" | sed 1d | grep -v -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' |
    sed 's/^/[temporal-sql]   /' >&2 || true
  ((rc == 0)) || die "$script failed (exit $rc; log: $log)"
}

wait_for() { # wait_for WHAT SECONDS PID-NAME PROBE...
  local what="$1" seconds="$2" name="$3"
  shift 3
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    if ! running_pid "$name" >/dev/null; then
      tail_log "$name" 30
      die "$what exited (log: $STACK_LOG_DIR/$name.log)"
    fi
    if ((SECONDS >= deadline)); then
      tail_log "$name" 30
      die "$what did not answer within ${seconds}s (log: $STACK_LOG_DIR/$name.log)"
    fi
    sleep 0.5
  done
}

up() {
  local t0=$SECONDS
  install_server
  bash scripts/stack/install.sh temporal >/dev/null # the temporal CLI (probes; admin-tools)
  PG_BIN="$(pg_bin_dir)"
  acquire_lock temporal-sql

  local check
  check="$("$TSQL_SERVER_BIN" validate-dynamic-config deploy/temporal/dynamicconfig.yaml 2>&1 | sed 1d)" ||
    die "deploy/temporal/dynamicconfig.yaml does not validate: $check"
  say "dynamic config: deploy/temporal/dynamicconfig.yaml validated by the server${check:+ with: $(tr -s " \n" " " <<<"$check" | sed "s/^ *//; s/ *$//")}"
  if running_pid temporal-sql-postgres >/dev/null; then
    say "postgresql: reused (pid $(running_pid temporal-sql-postgres))"
  else
    if port_open "$TSQL_PG_PORT"; then die "127.0.0.1:$TSQL_PG_PORT is taken by another process (set TSQL_PG_PORT)"; fi
    start_postgres
  fi
  wait_for postgresql 60 temporal-sql-postgres pg_ready

  require_engine
  build_admin_tools
  local t1=$SECONDS
  say "schema: deploy/temporal/setup-schema.sh (in $ADMIN_TOOLS_IMAGE)"
  SQL_PASSWORD="$TSQL_DB_PASSWORD" admin_tools setup-schema.sh POSTGRES_SEEDS=127.0.0.1 \
    "POSTGRES_USER=$TSQL_DB_USER" SQL_PASSWORD "DB_PORT=$TSQL_PG_PORT"
  say "schema: done in $((SECONDS - t1))s"

  if running_pid temporal-sql-server >/dev/null; then
    say "server: reused (pid $(running_pid temporal-sql-server))"
  else
    if port_open "$TSQL_PORT"; then die "127.0.0.1:$TSQL_PORT is taken by another process (set TSQL_PORT)"; fi
    write_server_config
    say "server: starting temporal-server $TSQL_VERSION on 127.0.0.1:$TSQL_PORT (PostgreSQL persistence and visibility)"
    start_bg temporal-sql-server "$TSQL_SERVER_BIN" --config-file "$TSQL_CONFIG" --allow-no-auth start
  fi
  wait_for "the server" 120 temporal-sql-server server_healthy

  t1=$SECONDS
  say "namespace: deploy/temporal/setup-namespace.sh (in $ADMIN_TOOLS_IMAGE)"
  admin_tools setup-namespace.sh "TEMPORAL_ADDRESS=127.0.0.1:$TSQL_PORT" "TEMPORAL_NAMESPACE=$TSQL_NAMESPACE"
  say "namespace: done in $((SECONDS - t1))s"

  cat >"$TSQL_ENV_FILE.tmp" <<EOF
TEMPORAL_ADDRESS=127.0.0.1:$TSQL_PORT
TEMPORAL_NAMESPACE=$TSQL_NAMESPACE
EOF
  mv "$TSQL_ENV_FILE.tmp" "$TSQL_ENV_FILE"
  say "up in $((SECONDS - t0))s: Temporal $TSQL_VERSION on PostgreSQL at 127.0.0.1:$TSQL_PORT; env: $TSQL_ENV_FILE"
}

stop_one() { # stop_one NAME SIGNAL
  local pid
  pid="$(running_pid "$1")" || {
    say "$1: not running"
    return 0
  }
  say "$1: stopping pid $pid (SIG$2)"
  kill "-$2" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 60))
  while pid_alive "$pid" && ((SECONDS < deadline)); do sleep 0.5; done
  if pid_alive "$pid"; then
    warn "$1: still running after 60s, SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$(pid_file "$1")"
}

down() {
  acquire_lock temporal-sql
  stop_one temporal-sql-server TERM
  # SIGINT: PostgreSQL's fast shutdown (ends sessions, checkpoints, exits).
  stop_one temporal-sql-postgres INT
  rm -f "$TSQL_ENV_FILE"
}

status() {
  local rc=0 part pid
  for part in temporal-sql-postgres temporal-sql-server; do
    if pid="$(running_pid "$part")"; then
      printf '%-22s running pid=%s\n' "$part" "$pid"
    else
      printf '%-22s stopped\n' "$part"
      rc=3
    fi
  done
  return "$rc"
}

# ---------------------------------------------------------------------------
# test: the charge path and the bench's ceilings on this server, beside the dev server's
# ---------------------------------------------------------------------------
ceilings_of() { # ceilings_of RESULTS.json -> "noop_workflow 61.2 (59–63.1), bare_workflow ..."
  # shellcheck disable=SC2016 # JavaScript, not shell
  node -e '
    const r = require(process.argv[1]);
    const f = (name) => { const c = r.ceilings[name]; const s = c.samples.map((x) => x.per_s);
      return `${name} ${c.per_s} (${Math.min(...s)}–${Math.max(...s)})`; };
    console.log([f("noop_workflow"), f("bare_workflow")].join(", ") + `; sustained ${r.sustained_charges_per_s ?? "none"} charges/s, ok=${r.ok}`);
  ' "$1"
}

# What run_test started, for its EXIT trap (globals: the trap runs after the function returned).
engine_started=0
tsql_started=0
stack_started=()
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  local rc=$?
  if ((tsql_started)); then down || true; fi
  if ((${#stack_started[@]})); then bash scripts/stack/down.sh "${stack_started[@]}" || true; fi
  if ((engine_started)); then bash scripts/engine/down.sh || true; fi
  exit "$rc"
}

# cpu_s PID... -> CPU seconds (user + system, the process and its reaped children) of the PIDs
# and of their live children (PostgreSQL's backends are the postmaster's).
cpu_s() {
  local pid ticks=0 hz
  hz="$(getconf CLK_TCK)"
  for pid in "$@" $(for p in "$@"; do pgrep -P "$p"; done); do
    [[ -r "/proc/$pid/stat" ]] || continue
    ticks=$((ticks + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13 + $14 + $15}')))
  done
  awk -v t="$ticks" -v hz="$hz" 'BEGIN { printf "%.1f", t / hz }'
}

run_test() {
  local T0=$SECONDS
  bash scripts/setup.sh node_modules stack
  bash scripts/engine/status.sh >/dev/null 2>&1 || engine_started=1
  status >/dev/null 2>&1 || tsql_started=1
  local part
  for part in temporal kafka stripe-mock codec-server; do
    bash scripts/stack/status.sh "$part" >/dev/null 2>&1 || stack_started+=("$part")
  done
  trap cleanup EXIT

  echo "== temporal-sql test: engine, local stack (Kafka, stripe-mock; its dev server for the comparison)"
  bash scripts/engine/up.sh
  bash scripts/stack/up.sh
  echo "== temporal-sql test: Temporal on PostgreSQL"
  up
  npm run build --silent

  local -a stack_env
  mapfile -t stack_env <"$STACK_ENV_FILE"
  echo "== temporal-sql test: test/integration/charge-path.test.ts against 127.0.0.1:$TSQL_PORT"
  env "${stack_env[@]}" TEMPORAL_ADDRESS="127.0.0.1:$TSQL_PORT" \
    node --import tsx --test --test-concurrency=1 --test-reporter=spec test/integration/charge-path.test.ts

  # The bench reads Temporal's address from its stack dir: a second one whose `temporal` is this
  # server, used through the stack scripts' external-server path (readiness: cluster health, the
  # search attributes, a Web UI answering: the dev server's, since this server has none). Kafka and
  # stripe-mock are the running stack's. The installs are the main stack dir's, linked.
  local bench_stack="$TSQL_DIR/bench-stack" flags
  mkdir -p "$bench_stack"
  for part in venv kafka bin; do ln -sfn "$STACK_DIR/$part" "$bench_stack/$part"; done
  flags=(--no-build --rates "${TSQL_BENCH_RATES:-10}" --step-seconds 15 --warmup-seconds 3 --dup-seconds 3
    --ceiling-samples 3 --ceiling-seconds 15)
  # The two servers do not run the same settings: the dev server as `npm run stack:up` tunes it
  # (scripts/stack/up.sh: GOGC=400, transfer queue polled at 100/s, search attributes cached), this
  # one with the compose file's dynamic config (search attributes re-read on every use) and Go's
  # defaults, as compose and production would run it.
  echo "== temporal-sql test: npm run bench -- ${flags[*]}, dev server (SQLite), then Temporal on PostgreSQL"
  local load_before load_between dev_pid sql_pid pg_pid c0 dev_cpu sql_cpu pg_cpu
  dev_pid="$(recorded_pid temporal)"
  sql_pid="$(recorded_pid temporal-sql-server)"
  pg_pid="$(recorded_pid temporal-sql-postgres)"
  load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
  c0="$(cpu_s "$dev_pid")"
  bash scripts/bench.sh "${flags[@]}" --out "$TSQL_DIR/bench-dev-server.json"
  dev_cpu="$(awk -v a="$c0" -v b="$(cpu_s "$dev_pid")" 'BEGIN { printf "%.1f", b - a }')"
  load_between="$(cut -d' ' -f1-3 /proc/loadavg)"
  c0="$(cpu_s "$sql_pid") $(cpu_s "$pg_pid")"
  STACK_DIR="$bench_stack" STACK_TEMPORAL_PORT="$TSQL_PORT" \
    STACK_TEMPORAL_UI_PORT="$(sed -n 's#^TEMPORAL_UI_URL=http://127.0.0.1:##p' "$STACK_ENV_FILE")" \
    bash scripts/bench.sh "${flags[@]}" --out "$TSQL_DIR/bench-postgresql.json"
  sql_cpu="$(awk -v a="${c0% *}" -v b="$(cpu_s "$sql_pid")" 'BEGIN { printf "%.1f", b - a }')"
  pg_cpu="$(awk -v a="${c0#* }" -v b="$(cpu_s "$pg_pid")" 'BEGIN { printf "%.1f", b - a }')"
  echo "== temporal-sql test: ceilings (per s, median of 3 (range)), same box, same run"
  echo "dev server (SQLite):      $(ceilings_of "$TSQL_DIR/bench-dev-server.json"); dev server CPU over its run ${dev_cpu} s"
  echo "server 1.32 on PostgreSQL: $(ceilings_of "$TSQL_DIR/bench-postgresql.json"); CPU over its run: temporal-server ${sql_cpu} s, PostgreSQL ${pg_cpu} s"
  echo "load average (1, 5, 15 min) before the dev server's run: $load_before; before PostgreSQL's: $load_between; after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "== temporal-sql test: done in $((SECONDS - T0))s"
}

cmd="${1:-up}"
case "$cmd" in
  install) install_server ;;
  up) up ;;
  down) down ;;
  status) status ;;
  test) run_test ;;
  *) die "unknown command '$cmd' (install | up | status | down | test)" ;;
esac
