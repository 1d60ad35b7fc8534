#!/usr/bin/env bash
# npm test: type check, lint, format check, build, OpenAPI lint, then every test against the real local
# stack.
# Starts the stack parts that are not running and stops exactly those at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Everything is installed first, in one visible step; no test installs anything.
bash scripts/setup.sh

echo "== type check" && npx tsc --noEmit -p .
echo "== lint" && npx eslint .
# Each check on its own line: under `set -e` a failure inside an `a && b` list would not stop the run.
echo "== format"
npx prettier --check . >/dev/null
echo "formatted"
echo "== build" && npm run build --silent
# The served OpenAPI document against Redocly's recommended rules (errors and warnings fail).
echo "== openapi lint" && bash scripts/openapi-lint.sh

started=()
for part in temporal kafka stripe-mock stripe-standin codec-server; do
  bash scripts/stack/status.sh "$part" >/dev/null 2>&1 || started+=("$part")
done
stop_started() {
  if ((${#started[@]})); then bash scripts/stack/down.sh "${started[@]}" || true; fi
}
trap stop_started EXIT
# Idempotent and quick when everything runs; it also (re)writes .stack/stack.env.
bash scripts/stack/up.sh

set -a
# shellcheck source=/dev/null
source .stack/stack.env
set +a

# The run folder of the processes' logs and the secrets handed to them, which the last test file
# (test/zz-secret-scan.test.ts) scans together with the bench's and the stack's logs.
rm -rf test-results/logs test-results/secrets

# The image runs Node 24: the unit, API, workflow and replay tests run on it too (first, so the
# closing summary is the full suite's).
node24="$(bash scripts/node24.sh)" # installed by setup.sh: prints its path
# The secret scan runs once, last of the full pass below, when every suite has written its logs.
mapfile -t portable < <(find test -name '*.test.ts' -not -path 'test/integration/*' -not -path 'test/deploy/*' -not -path 'test/clients/*' -not -path 'test/ui/*' -not -path 'test/chaos/*' -not -name 'zz-secret-scan.test.ts' | sort)
echo "== tests on $("$node24" --version) (${#portable[@]} files)"
"$node24" --import tsx --test --test-concurrency=1 --test-reporter=spec "${portable[@]}"

# The benchmark cannot rot: a ~20 s smoke run of the whole harness, a tiny flash sale included
# (reuses the running stack).
echo "== bench smoke" && bash scripts/bench.sh --smoke --no-build

mapfile -t files < <(find test -name '*.test.ts' | sort)
echo "== tests on $(node --version) (${#files[@]} files)"
# One file at a time: integration files stop and restart stack parts to prove recovery.
node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
