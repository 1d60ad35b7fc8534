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

# shellcheck source=scripts/stack/parts.sh
source scripts/stack/parts.sh
started=()
for part in "${STACK_PARTS[@]}"; do
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

# The tests that need no stack run in one process per Node version (scripts/run-tests-in-one-process.ts:
# loading tsx, fastify and the Temporal client once instead of once per file is most of their time);
# the files that use the stack run one at a time, each in its own process.
mapfile -t unit < <(bash scripts/test-unit.sh --list)
mapfile -t unit_and_workflows < <(bash scripts/test-unit.sh --list --workflows)

# The image runs Node 24: the unit, API, workflow and replay tests run on it (first, so the closing
# summary is the full suite's). The workflow tests on the time-skipping server run here only: on Node 20
# every workflow runs in the real workers of the integration tests, and its replay test runs there too.
node24="$(bash scripts/node24.sh)" # installed by setup.sh: prints its path
echo "== tests on $("$node24" --version): ${#unit_and_workflows[@]} files in one process"
"$node24" --import tsx --test-reporter=spec scripts/run-tests-in-one-process.ts "${unit_and_workflows[@]}"

# The benchmark cannot rot: a ~20 s smoke run of the whole harness, a tiny flash sale included
# (reuses the running stack).
echo "== bench smoke" && bash scripts/bench.sh --smoke --no-build

echo "== tests on $(node --version): ${#unit[@]} files and the replay test in one process"
node --import tsx --test-reporter=spec scripts/run-tests-in-one-process.ts "${unit[@]}" test/replay/replay.test.ts

# The secret scan (test/zz-secret-scan.test.ts) sorts last: it reads every suite's logs.
mapfile -t stack_files < <(find test -name '*.test.ts' | sort | grep -vxF -f <(printf '%s\n' "${unit_and_workflows[@]}"))
echo "== tests on $(node --version) against the stack (${#stack_files[@]} files, one at a time)"
# One file at a time: integration files stop and restart stack parts to prove recovery.
node --import tsx --test --test-concurrency=1 --test-reporter=spec "${stack_files[@]}"
