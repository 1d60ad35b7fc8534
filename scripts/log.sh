# shellcheck shell=bash
# The shell scripts' one logging prelude. Sourced, not executed: by scripts/stack/lib.sh (and through
# it by every script that sources that one), and by the test scripts for their stages.
#
#   LOG_TAG=compose           say / warn / die print "[compose] …" on stderr, so stdout stays clean for
#                             callers that capture it; the last script to set the tag names the lines
#                             of the helpers it sourced too
#   stages "image test"       then `stage setup` prints "== image test: setup (12s)": the time since
#                             `stages` on each stage of a long script
#
# Sourcing it again (a script that sources two libraries) changes neither the tag nor the clock.

say() { printf '[%s] %s\n' "${LOG_TAG:-payments}" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "${LOG_TAG:-payments}" "$*" >&2; }
die() {
  printf '[%s] ERROR: %s\n' "${LOG_TAG:-payments}" "$*" >&2
  exit 1
}

stages() {
  STAGE_TITLE=$1
  STAGE_T0=$SECONDS
}
stage() { printf '== %s: %s (%ds)\n' "${STAGE_TITLE:-stage}" "$*" $((SECONDS - ${STAGE_T0:-0})); }
