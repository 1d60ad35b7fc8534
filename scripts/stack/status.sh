#!/usr/bin/env bash
# Show the state of the local stack.
#
#   bash scripts/stack/status.sh [part...]
#
# One line per part: running/stopped, pid (or "external" when something not
# started by up.sh answers on the port), address. A part counts as running
# when its main port answers. Exit 0 if every part is running, else 3
# (LSB "program is not running"), so scripts can do `status.sh || up.sh`.
set -euo pipefail

# shellcheck source=scripts/stack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

parse_parts "$@"
if [[ $# -eq 0 ]]; then
  # Optional parts are listed when they run; they never make the stack "not running".
  for part in "${STACK_OPTIONAL_PARTS[@]}"; do
    if running_pid "$part" >/dev/null; then PARTS+=("$part"); fi
  done
fi

all_running=1
for part in "${PARTS[@]}"; do
  pid="$(running_pid "$part" || true)"
  if part_port_answers "$part"; then
    state=running
    note=""
    [[ -n "$pid" ]] || pid=external
  else
    state=stopped
    all_running=0
    # Our process exists but does not answer (yet): starting, or wedged.
    if [[ -n "$pid" ]]; then note="  (process alive but not answering; see $STACK_LOG_DIR/$part.log)"; else note=""; pid=-; fi
  fi
  printf '%-14s %-7s pid=%-8s %s%s\n' "$part" "$state" "$pid" "$(part_address "$part")" "$note"
done

if [[ $all_running -eq 1 ]]; then
  exit 0
fi
exit 3
