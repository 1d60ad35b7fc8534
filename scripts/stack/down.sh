#!/usr/bin/env bash
# Stop the local stack (or some parts of it).
#
#   bash scripts/stack/down.sh               # all parts, the optional ones that run included
#   bash scripts/stack/down.sh kafka         # one part (temporal | kafka | stripe-mock | stripe-standin | codec-server | prometheus)
#
# Stops exactly the processes up.sh started, by their recorded pids (SIGTERM,
# up to $STACK_STOP_TIMEOUT s - default 20 - then SIGKILL) and removes their
# pid files. Never kills by process name, so a developer's own Temporal/Kafka
# is safe. Data under $STACK_DIR/data is kept: a later up.sh resumes with the
# same Temporal history and Kafka topics/messages (outage tests rely on it).
# To wipe everything instead: down.sh && rm -rf .stack/data
set -euo pipefail

# shellcheck source=scripts/stack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

parse_parts "$@"
if [[ $# -eq 0 ]]; then
  # Optional parts that are not running are skipped quietly.
  for part in "${STACK_OPTIONAL_PARTS[@]}"; do
    if running_pid "$part" >/dev/null; then PARTS+=("$part"); fi
  done
fi
acquire_lock stack
stop_parts "${PARTS[@]}"
