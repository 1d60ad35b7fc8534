#!/usr/bin/env bash
# npm run setup: installs everything the service and its tests need, one visible line per part, before
# anything runs. Tests never install: a test that raced an apt-get install against a Temporal connection
# deadline once failed every first run on a new machine.
#
#   bash scripts/setup.sh                      # every part (npm test runs this first)
#   bash scripts/setup.sh node_modules stack   # only these (npm run dev runs this)
#
# Parts, in order:
#   node_modules   npm ci when missing or stale (scripts/ensure-deps.sh)
#   node24         Node 24, the image's runtime, from PyPI (scripts/node24.sh)
#   chromium       Debian's chromium for the Web UI tests (scripts/ensure-chromium.sh)
#   deploy-tools   kubectl, kubernetes-validate, hadolint, check-jsonschema (scripts/deploy-tools.sh)
#   prometheus     Debian's prometheus: promtool for the alert rules' tests, the stack's optional Prometheus
#                  (scripts/ensure-prometheus.sh)
#   stack          the local stack's tools: Temporal CLI + test server, Kafka, stripe-mock (scripts/stack/install.sh)
#   tracing        the stack's optional trace backend, Jaeger, built from its Go module (several minutes cold);
#                  the trace test reads a charge's trace back from it (test/support/jaeger.ts)
# Every part is cached and stamped: a warm run takes a second or two. Never prompts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ALL_PARTS=(node_modules node24 chromium deploy-tools prometheus stack tracing)
parts=("$@")
((${#parts[@]})) || parts=("${ALL_PARTS[@]}")

run_part() {
  case "$1" in
    node_modules) bash scripts/ensure-deps.sh ;;
    node24) bash scripts/node24.sh >/dev/null ;;
    chromium) bash scripts/ensure-chromium.sh ;;
    deploy-tools) bash scripts/deploy-tools.sh >/dev/null ;;
    prometheus) bash scripts/ensure-prometheus.sh ;;
    stack) bash scripts/stack/install.sh >/dev/null ;;
    tracing) bash scripts/stack/install.sh tracing >/dev/null ;;
    *)
      echo "[setup] unknown part '$1' (parts: ${ALL_PARTS[*]})" >&2
      return 2
      ;;
  esac
}

echo "== setup (${parts[*]})"
for part in "${parts[@]}"; do
  started=$SECONDS
  if ! run_part "$part" </dev/null; then
    echo "[setup] $part: FAILED (see the lines above); nothing was run" >&2
    exit 1
  fi
  printf '[setup] %-13s ok (%ds)\n' "$part" $((SECONDS - started))
done
