#!/usr/bin/env bash
# Start the local stack (or some parts of it) and wait until it answers.
#
#   bash scripts/stack/up.sh                   # temporal + kafka + stripe-mock + stripe-standin + codec-server
#   bash scripts/stack/up.sh --with prometheus # the same, and Prometheus (optional part)
#   bash scripts/stack/up.sh --with tracing    # the same, and Jaeger, the trace backend (optional part)
#   bash scripts/stack/up.sh kafka             # one part (temporal | kafka | stripe-mock | stripe-standin | codec-server | prometheus | tracing)
#
# Idempotent: installs what is missing (install.sh, cached), reuses parts that
# are already running, starts the rest in the background, and returns only
# when every requested part answers - or fails after $STACK_UP_TIMEOUT s
# (default 90) with the tail of that part's log. Data survives down/up:
# Temporal keeps its SQLite file and Kafka its log dir under $STACK_DIR/data,
# which is what the outage tests (down.sh kafka; up.sh kafka) rely on.
# Finally writes $STACK_DIR/stack.env for the app and tests to source.
set -euo pipefail

# shellcheck source=scripts/stack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T0=$SECONDS
parse_parts "$@"
# The stand-in forwards every request to stripe-mock first: asking for it brings stripe-mock too.
if [[ " ${PARTS[*]} " == *" stripe-standin "* && " ${PARTS[*]} " != *" stripe-mock "* ]]; then
  PARTS=(stripe-mock "${PARTS[@]}")
fi
# One up/down at a time, so concurrent callers don't both start a part.
acquire_lock stack

# Install (no-op in well under a second when everything is stamped). Its
# stdout summary of paths isn't needed here.
bash "$STACK_SCRIPT_DIR/install.sh" "${PARTS[@]}" >/dev/null
mkdir -p "$STACK_DATA_DIR" "$STACK_LOG_DIR" "$STACK_PID_DIR"

# ---------------------------------------------------------------------------
# How to start each part.
# ---------------------------------------------------------------------------

# Refuse to start a part whose secondary port is taken: the server would die
# with a bind error that is easy to miss in its log.
require_free_port() {
  local part="$1" port="$2" what="$3"
  if port_open "$port"; then
    die "$part: $what port $STACK_HOST:$port is already in use by another process (set the matching STACK_*_PORT to move it)"
  fi
}

start_temporal() {
  require_free_port temporal "$STACK_TEMPORAL_UI_PORT" "Web UI"
  local -a args=(
    server start-dev
    --ip "$STACK_HOST"
    --port "$STACK_TEMPORAL_PORT"
    --ui-port "$STACK_TEMPORAL_UI_PORT"
    # Persistent state, so workflows survive a Temporal restart (outage tests).
    --db-filename "$STACK_DATA_DIR/temporal.sqlite"
    # WAL + no fsync: much higher write throughput; durability against power
    # loss is irrelevant for a local stack (a killed process loses nothing).
    --sqlite-pragma journal_mode=WAL
    --sqlite-pragma synchronous=OFF
    --namespace "$STACK_TEMPORAL_NAMESPACE"
    --log-level warn
    # No internet here; the UI would otherwise try to fetch its news feed.
    --ui-disable-news-fetch
    # The UI decrypts payloads through the stack's codec server. The browser sends no
    # Authorization header to a plain-http endpoint, so the endpoint carries the token as its last
    # path segment (src/api/codec/routes.ts).
    --ui-codec-endpoint "$(codec_endpoint)"
  )
  local sa dc
  for sa in "${STACK_TEMPORAL_SEARCH_ATTRIBUTES[@]}"; do
    args+=(--search-attribute "$sa")
  done
  # Server 1.32 already defaults most of these to true; pinning them keeps
  # behaviour stable if the CLI/server version changes. Updates and
  # update-with-start (ExecuteMultiOperation) may be used by the service;
  # eager workflow start saves a round trip per started workflow.
  for dc in \
    frontend.enableUpdateWorkflowExecution=true \
    frontend.enableUpdateWorkflowExecutionAsyncAccepted=true \
    frontend.enableExecuteMultiOperation=true \
    system.enableEagerWorkflowStart=true; do
    args+=(--dynamic-config-value "$dc")
  done
  # Throughput levers measured by `npm run bench` (README, Benchmark). Eager
  # activity execution hands an activity to the worker in the reply to the
  # workflow task that scheduled it (no matching round trip); one task queue
  # partition suits one dev server (no forwarding between partitions).
  # The CLI's dev server re-reads the search attributes from SQLite on every
  # use (so ones added at run time show at once): about 20 reads per charge.
  # Ours are all registered at start (--search-attribute above), so the
  # server's cached copy is right; Temporal CPU per charge 25.8 -> 23.8 ms.
  # The history service polls its transfer queue at most 20 times a second by
  # default, so a new workflow task waited up to 50 ms before it was handed to
  # matching (worker-side schedule-to-start p50 20-50 ms at 25 charges/s);
  # at 100 polls/s it is within 2 ms and end-to-end p50 111 -> 28 ms; server
  # CPU per charge about the same (A/B: 24.7 -> 24.4 ms at 25/s, 21.6 -> 22.7
  # at 40/s). 1000 polls/s cost throughput: 40/s failed.
  # The Go garbage collector runs less often (GOGC=400 instead of 100): about
  # a tenth less server CPU per charge for about twice the memory, a good trade
  # on a 2-core laptop. STACK_TEMPORAL_TUNING=default starts the server without
  # any of these, to measure what they buy.
  local -a go_env=()
  if [[ "${STACK_TEMPORAL_TUNING:-tuned}" != default ]]; then
    for dc in \
      system.enableActivityEagerExecution=true \
      matching.numTaskqueueReadPartitions=1 \
      matching.numTaskqueueWritePartitions=1 \
      system.forceSearchAttributesCacheRefreshOnRead=false \
      history.transferProcessorMaxPollRPS=100; do
      args+=(--dynamic-config-value "$dc")
    done
    go_env=(GOGC="${STACK_TEMPORAL_GOGC:-400}")
  fi
  # Escape hatch for experiments, e.g. STACK_TEMPORAL_EXTRA_ARGS='--dynamic-config-value limit.maxIDLength=1000'
  if [[ -n "${STACK_TEMPORAL_EXTRA_ARGS:-}" ]]; then
    local -a extra
    read -r -a extra <<<"$STACK_TEMPORAL_EXTRA_ARGS"
    args+=("${extra[@]}")
  fi
  start_bg temporal env "${go_env[@]}" "$TEMPORAL_BIN" "${args[@]}"
}

# The codec endpoint the Web UI calls: the codec server's URL with its token (scripts/dev.env).
codec_endpoint() {
  local token
  token="$(dev_env_value CODEC_SERVER_TOKEN)"
  [[ -n "$token" ]] || die "codec-server: scripts/dev.env sets no CODEC_SERVER_TOKEN"
  printf 'http://%s:%s/%s' "$STACK_HOST" "$STACK_CODEC_SERVER_PORT" "$token"
}

# The codec server's whole environment (env -i below: nothing of the caller's leaks in, e.g. the
# PORT of a shell that sourced scripts/dev.env). Rewritten on every start, mode 600.
write_codec_server_env() {
  local keys token
  keys="$(dev_env_value PAYMENTS_CODEC_KEYS)"
  token="$(dev_env_value CODEC_SERVER_TOKEN)"
  [[ -n "$keys" && -n "$token" ]] || die "codec-server: scripts/dev.env must set PAYMENTS_CODEC_KEYS and CODEC_SERVER_TOKEN"
  (
    umask 077
    cat >"$STACK_CODEC_SERVER_ENV" <<EOF
PAYMENTS_MODE=codec-server
HOST=$STACK_HOST
PORT=$STACK_CODEC_SERVER_PORT
LOG_LEVEL=info
PAYMENTS_CODEC_KEYS=$keys
CODEC_SERVER_TOKEN=$token
CODEC_SERVER_CORS_ORIGINS=http://$STACK_HOST:$STACK_TEMPORAL_UI_PORT,http://localhost:$STACK_TEMPORAL_UI_PORT
TEMPORAL_NAMESPACE=$STACK_TEMPORAL_NAMESPACE
EOF
  )
}

start_codec_server() {
  write_codec_server_env
  # From the repository root, where `--import tsx` resolves; the env file's path (under STACK_DIR)
  # in the command line is what lets these scripts recognise the process as theirs.
  (cd "$REPO_ROOT" && start_bg codec-server env -i PATH="$PATH" HOME="${HOME:-/tmp}" \
    node --env-file="$STACK_CODEC_SERVER_ENV" --import tsx "$REPO_ROOT/src/main.ts")
}

write_kafka_server_properties() {
  # Regenerated on every start so port changes take effect; the identity of
  # the cluster lives in the data dir (meta.properties), not here.
  cat >"$STACK_KAFKA_DIR/server.properties" <<EOF
# Generated by scripts/stack/up.sh - edits are overwritten on the next start.
# Single-node KRaft: this one process is both controller and broker.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$STACK_HOST:$STACK_KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$STACK_HOST:$STACK_KAFKA_PORT,CONTROLLER://$STACK_HOST:$STACK_KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$STACK_HOST:$STACK_KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$STACK_DATA_DIR/kafka
# One broker: every internal topic must have replication factor 1. Fewer
# partitions than the default 50 make creating/loading them quicker on 2 cores.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
num.partitions=3
# Consumers in tests join immediately instead of waiting 3 s for more members.
group.initial.rebalance.delay.ms=0
# Topics are created explicitly by up.sh (and by the app/tests if they need more).
auto.create.topics.enable=false
EOF
}

start_kafka() {
  require_free_port kafka "$STACK_KAFKA_CONTROLLER_PORT" "controller"
  write_kafka_server_properties
  mkdir -p "$STACK_DATA_DIR/kafka"
  # KRaft needs its storage formatted once with a cluster id. Never reformat
  # an existing log dir: that is what keeps topics and messages across
  # down/up. (Static controller.quorum.voters => no --standalone needed.)
  if [[ ! -f "$STACK_DATA_DIR/kafka/meta.properties" ]]; then
    local cluster_id out
    cluster_id="$(kafka_tool kafka.tools.StorageTool random-uuid)"
    say "kafka: formatting new storage in $STACK_DATA_DIR/kafka (cluster id $cluster_id)"
    if ! out="$(kafka_tool kafka.tools.StorageTool format -t "$cluster_id" -c "$STACK_KAFKA_DIR/server.properties" 2>&1)"; then
      printf '%s\n' "$out" >&2
      die "kafka: storage format failed"
    fi
  fi
  start_bg kafka java -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$STACK_KAFKA_DIR/log4j2.xml" \
    -cp "$STACK_KAFKA_LIB/*" kafka.Kafka "$STACK_KAFKA_DIR/server.properties"
}

start_stripe_mock() {
  # -http-addr binds HTTP to loopback only. stripe-mock v0.203.0 still opens
  # HTTPS on 0.0.0.0:12112 when only -http-addr is given (its "HTTP explicitly
  # requested" check ignores -http-addr), so park HTTPS on a random loopback
  # port instead: nothing uses it and it can never collide.
  start_bg stripe-mock "$STRIPE_MOCK_BIN" \
    -http-addr "$STACK_HOST:$STACK_STRIPE_MOCK_PORT" \
    -https-addr "$STACK_HOST:0"
}

# The Stripe test-mode stand-in (a test tool: tools/stripe-standin/README.md). `env -C` runs it from
# the repository, where `--import tsx` resolves; --state-file puts $STACK_DIR on its command line,
# which is how these scripts recognise the process as theirs.
start_stripe_standin() {
  start_bg stripe-standin env -C "$REPO_ROOT" node --import tsx "$STRIPE_STANDIN_MAIN" \
    --host "$STACK_HOST" \
    --port "$STACK_STRIPE_STANDIN_PORT" \
    --upstream "http://$STACK_HOST:$STACK_STRIPE_MOCK_PORT" \
    --state-file "$STRIPE_STANDIN_STATE_FILE" \
    --rate-limit "$STACK_STRIPE_STANDIN_RATE_LIMIT"
}

# Prometheus: its configuration regenerated on every start (targets and interval
# from the environment), the rules read from the repository's deploy/prometheus
# (the same file compose mounts and Kubernetes ships), data kept under data/.
write_prometheus_config() {
  local dir="$STACK_DIR/prometheus" target targets=""
  mkdir -p "$dir"
  for target in $STACK_PROMETHEUS_TARGETS; do targets+="'$target', "; done
  cat >"$dir/prometheus.yml" <<EOF
# Generated by scripts/stack/up.sh - edits are overwritten on the next start.
global:
  scrape_interval: $STACK_PROMETHEUS_INTERVAL
  evaluation_interval: $STACK_PROMETHEUS_INTERVAL
rule_files:
  - $STACK_PROMETHEUS_RULES
scrape_configs:
  # The job name the alert rules expect (PaymentsRoleDown: up{job="payments"}).
  - job_name: payments
    metrics_path: /metrics
    static_configs:
      - targets: [${targets%, }]
  - job_name: prometheus
    static_configs:
      - targets: ['$STACK_HOST:$STACK_PROMETHEUS_PORT']
EOF
}

start_prometheus() {
  [[ -x "$PROMETHEUS_BIN" ]] || die "prometheus: $PROMETHEUS_BIN is missing (npm run setup -- prometheus)"
  write_prometheus_config
  mkdir -p "$STACK_DATA_DIR/prometheus"
  start_bg prometheus "$PROMETHEUS_BIN" \
    --config.file="$STACK_DIR/prometheus/prometheus.yml" \
    --storage.tsdb.path="$STACK_DATA_DIR/prometheus" \
    --storage.tsdb.retention.time=2d \
    --web.listen-address="$STACK_HOST:$STACK_PROMETHEUS_PORT"
}

# Jaeger all in one, in memory (traces are lost when it stops): OTLP/HTTP in, the UI and its query
# API on the UI port; its own metrics off (their default port is the codec server's).
write_jaeger_config() {
  mkdir -p "$STACK_DIR/tracing"
  cat >"$STACK_DIR/tracing/jaeger.yaml" <<EOF
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 50000
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: $STACK_HOST:$STACK_TRACING_UI_PORT
    grpc:
      endpoint: $STACK_HOST:$STACK_TRACING_QUERY_GRPC_PORT
receivers:
  otlp:
    protocols:
      http:
        endpoint: $STACK_HOST:$STACK_TRACING_OTLP_PORT
processors:
  batch:
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
EOF
}

start_tracing() {
  [[ -x "$JAEGER_BIN" ]] || die "tracing: $JAEGER_BIN is missing (bash scripts/stack/install.sh tracing)"
  require_free_port tracing "$STACK_TRACING_OTLP_PORT" "OTLP/HTTP"
  require_free_port tracing "$STACK_TRACING_QUERY_GRPC_PORT" "query gRPC"
  write_jaeger_config
  start_bg tracing "$JAEGER_BIN" --config "$STACK_DIR/tracing/jaeger.yaml"
}

# ---------------------------------------------------------------------------
# Readiness probes: "answers" means usable by the app, not just a bound port.
# ---------------------------------------------------------------------------
ready_temporal() {
  port_open "$STACK_TEMPORAL_PORT" || return 1
  temporal_cli operator cluster health 2>/dev/null | grep -q SERVING || return 1
  curl -fsS -o /dev/null --max-time 3 "http://$STACK_HOST:$STACK_TEMPORAL_UI_PORT/" 2>/dev/null || return 1
}

# The dev server registers --search-attribute only in a new database: one made by an older version
# of this script lacks attributes added since, and a workflow that sets one would fail its tasks.
# Creates the missing ones, waits until all are listed (workflows must not race that), and sets the
# namespace's retention. Idempotent and quick when all is in place.
ensure_temporal_namespace() {
  local list sa deadline=$((SECONDS + STACK_UP_TIMEOUT))
  while :; do
    list="$(temporal_cli operator search-attribute list --namespace "$STACK_TEMPORAL_NAMESPACE" 2>/dev/null)" || list=""
    local missing=()
    for sa in "${STACK_TEMPORAL_SEARCH_ATTRIBUTES[@]}"; do
      grep -qw -- "${sa%%=*}" <<<"$list" || missing+=("$sa")
    done
    ((${#missing[@]} == 0)) && break
    ((SECONDS < deadline)) || die "temporal: search attributes not registered: ${missing[*]}"
    for sa in "${missing[@]}"; do
      temporal_cli operator search-attribute create --namespace "$STACK_TEMPORAL_NAMESPACE" \
        --name "${sa%%=*}" --type "${sa#*=}" >/dev/null 2>&1 || true
    done
    sleep 1
  done
  temporal_cli operator namespace update --namespace "$STACK_TEMPORAL_NAMESPACE" \
    --retention "$STACK_TEMPORAL_RETENTION" >/dev/null \
    || die "temporal: could not set the retention of namespace $STACK_TEMPORAL_NAMESPACE"
}

ready_kafka() {
  port_open "$STACK_KAFKA_PORT" || return 1
  kafka_topics --list >/dev/null 2>&1
}

ready_stripe_mock() {
  curl -fsS -o /dev/null --max-time 3 -H 'Authorization: Bearer sk_test_123' \
    "http://$STACK_HOST:$STACK_STRIPE_MOCK_PORT/v1/payment_intents" 2>/dev/null
}

# Ready when it answers and reaches stripe-mock (its health check asks stripe-mock, uncounted by its
# rate limit and unrecorded).
ready_stripe_standin() {
  curl -fsS -o /dev/null --max-time 3 "http://$STACK_HOST:$STACK_STRIPE_STANDIN_PORT/_standin/health" 2>/dev/null
}

ready_codec_server() {
  curl -fsS -o /dev/null --max-time 3 "http://$STACK_HOST:$STACK_CODEC_SERVER_PORT/readyz" 2>/dev/null
}

# Ready, and it is ours: it has loaded the service's alert rules (another
# Prometheus on the port would not have them).
ready_prometheus() {
  curl -fsS -o /dev/null --max-time 3 "http://$STACK_HOST:$STACK_PROMETHEUS_PORT/-/ready" 2>/dev/null || return 1
  curl -fsS --max-time 3 "http://$STACK_HOST:$STACK_PROMETHEUS_PORT/api/v1/rules?type=alert" 2>/dev/null \
    | grep -q '"name":"payments.availability"'
}

# Ready when its query API answers (it lists the services that sent spans) and OTLP/HTTP listens.
ready_tracing() {
  curl -fsS -o /dev/null --max-time 3 "http://$STACK_HOST:$STACK_TRACING_UI_PORT/api/services" 2>/dev/null || return 1
  port_open "$STACK_TRACING_OTLP_PORT"
}

ready() {
  case "$1" in
    temporal) ready_temporal ;;
    kafka) ready_kafka ;;
    stripe-mock) ready_stripe_mock ;;
    stripe-standin) ready_stripe_standin ;;
    codec-server) ready_codec_server ;;
    prometheus) ready_prometheus ;;
    tracing) ready_tracing ;;
  esac
}

# wait_ready PART -> poll until ready; fail fast if our process died, fail
# with the log tail after the timeout.
wait_ready() {
  local part="$1" deadline=$((SECONDS + STACK_UP_TIMEOUT)) pid
  if [[ "${ACTION[$part]}" == external ]]; then
    # Not ours, already up: it either works now or is something else.
    deadline=$((SECONDS + 10))
  fi
  while :; do
    if ready "$part"; then
      return 0
    fi
    if [[ "${ACTION[$part]}" == external ]]; then
      if [[ $SECONDS -ge $deadline ]]; then
        die "$part: $(part_address "$part") is taken by a process these scripts did not start, and it does not answer like $part. Stop it, or move the stack with STACK_*_PORT env vars."
      fi
    elif ! pid="$(running_pid "$part")"; then
      tail_log "$part"
      die "$part: process exited before answering (see $STACK_LOG_DIR/$part.log)"
    fi
    if [[ $SECONDS -ge $deadline ]]; then
      tail_log "$part"
      die "$part: did not answer on $(part_address "$part") within ${STACK_UP_TIMEOUT}s (log: $STACK_LOG_DIR/$part.log; 'bash scripts/stack/down.sh $part' stops it)"
    fi
    sleep 0.5
  done
}

# Create the service's topics if missing (3 partitions, RF 1). One JVM for the
# listing, one per missing topic (TopicCommand creates one topic per call).
ensure_kafka_topics() {
  local existing topic out
  existing="$(kafka_topics --list 2>/dev/null)" || die "kafka: could not list topics"
  for topic in "${STACK_KAFKA_TOPICS[@]}"; do
    if ! grep -qxF -- "$topic" <<<"$existing"; then
      # --if-not-exists: harmless if the app created it meanwhile. Output is
      # kept quiet because TopicCommand warns about '.' and '_' in names.
      if ! out="$(kafka_topics --create --if-not-exists --topic "$topic" \
        --partitions "$STACK_KAFKA_PARTITIONS" --replication-factor 1 2>&1)"; then
        printf '%s\n' "$out" >&2
        die "kafka: could not create topic $topic"
      fi
      say "kafka: created topic $topic ($STACK_KAFKA_PARTITIONS partitions)"
    fi
  done
  # Kafka creates its internal topics (__consumer_offsets for consumer groups,
  # __transaction_state for idempotent/transactional producers) lazily, on the
  # first client that needs them; that client then sees "coordinator not
  # available/loading" errors for a moment. Trigger the creation here, once
  # per data dir, so the first test isn't the one paying for it.
  if ! grep -qxF __consumer_offsets <<<"$existing" || ! grep -qxF __transaction_state <<<"$existing"; then
    say "kafka: creating internal topics (__consumer_offsets, __transaction_state)"
    kafka_tool org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
      --bootstrap-server "$STACK_HOST:$STACK_KAFKA_PORT" --describe --group stack-warmup >/dev/null 2>&1 &
    local g=$!
    kafka_tool org.apache.kafka.tools.TransactionsCommand \
      --bootstrap-server "$STACK_HOST:$STACK_KAFKA_PORT" describe --transactional-id stack-warmup >/dev/null 2>&1 || true
    wait "$g" || true # both "fail" (group/transaction unknown) by design
  fi
}

# ---------------------------------------------------------------------------
# Main: start everything that is missing first (so parts boot in parallel),
# then wait for each.
# ---------------------------------------------------------------------------
declare -A ACTION=()
for part in "${PARTS[@]}"; do
  if pid="$(running_pid "$part")"; then
    ACTION[$part]=reused
  elif part_port_answers "$part"; then
    # Someone else's server on our port (e.g. a dev's own temporal). Use it if
    # it passes the readiness probe; down.sh will leave it alone.
    ACTION[$part]=external
  else
    say "$part: starting"
    case "$part" in
      temporal) start_temporal ;;
      kafka) start_kafka ;;
      stripe-mock) start_stripe_mock ;;
      stripe-standin) start_stripe_standin ;;
      codec-server) start_codec_server ;;
      prometheus) start_prometheus ;;
      tracing) start_tracing ;;
    esac
    ACTION[$part]=started
  fi
done

for part in "${PARTS[@]}"; do
  wait_ready "$part"
  if [[ "$part" == kafka ]]; then
    ensure_kafka_topics
  fi
  if [[ "$part" == temporal ]]; then
    ensure_temporal_namespace
  fi
done

# Sourceable by bash (`. .stack/stack.env`) and parseable as a dotenv file:
# plain KEY=value, no quotes, no comments. Written atomically. STRIPE_API_BASE is the service's
# Stripe: the stand-in (a test tool); STRIPE_MOCK_URL is stripe-mock itself, stateless, for the tests
# that shape its fixtures with their own proxy.
cat >"$STACK_ENV_FILE.tmp" <<EOF
TEMPORAL_ADDRESS=$STACK_HOST:$STACK_TEMPORAL_PORT
TEMPORAL_NAMESPACE=$STACK_TEMPORAL_NAMESPACE
TEMPORAL_UI_URL=http://$STACK_HOST:$STACK_TEMPORAL_UI_PORT
TEMPORAL_TEST_SERVER_PATH=$TEMPORAL_TEST_SERVER_BIN
KAFKA_BROKERS=$STACK_HOST:$STACK_KAFKA_PORT
STRIPE_API_BASE=http://$STACK_HOST:$STACK_STRIPE_STANDIN_PORT
STRIPE_MOCK_URL=http://$STACK_HOST:$STACK_STRIPE_MOCK_PORT
CODEC_SERVER_URL=http://$STACK_HOST:$STACK_CODEC_SERVER_PORT
EOF
# The optional Prometheus whenever it runs, whichever up.sh call started it (npm run dev's banner).
if running_pid prometheus >/dev/null; then
  echo "PROMETHEUS_URL=http://$STACK_HOST:$STACK_PROMETHEUS_PORT" >>"$STACK_ENV_FILE.tmp"
fi
# The optional trace backend likewise: where spans go (the standard variable) and where to read them.
if running_pid tracing >/dev/null; then
  echo "OTEL_EXPORTER_OTLP_ENDPOINT=http://$STACK_HOST:$STACK_TRACING_OTLP_PORT" >>"$STACK_ENV_FILE.tmp"
  echo "JAEGER_URL=http://$STACK_HOST:$STACK_TRACING_UI_PORT" >>"$STACK_ENV_FILE.tmp"
fi
mv "$STACK_ENV_FILE.tmp" "$STACK_ENV_FILE"

for part in "${PARTS[@]}"; do
  case "${ACTION[$part]}" in
    started) what="started" ;;
    reused) what="reused" ;;
    external) what="reused (external process, not managed by these scripts)" ;;
  esac
  pid="$(running_pid "$part" || echo -)"
  printf '[stack] %-14s %-7s pid=%-7s %s\n' "$part" "$what" "$pid" "$(part_address "$part")"
done
say "ready in $((SECONDS - T0))s; env: $STACK_ENV_FILE"
