#!/usr/bin/env bash
# npm run test:unit: every test that needs no running stack and no workflow runtime, in one process,
# in well under a minute on a loaded 2-core machine. npm test stays the full suite.
#
#   npm run test:unit                                  # run them
#   npm run test:unit -- --workflows                   # also the workflow tests (see below)
#   npm run test:unit -- --list                        # only print the files it would run
#   npm run test:unit -- --test-name-pattern=refund    # node's own test flags pass through
#
# The files are chosen by folder and by what they use of the support kit, never from a list:
#   test/integration, test/ui, test/chaos   need the local stack (Temporal, Kafka, stripe-mock)
#   test/deploy                             needs the deploy tools (npm run setup -- deploy-tools)
#   imports support/service or              run the service itself: in process against the stack,
#     support/spawned-service               or the compiled binary (npm run build)
#   imports support/workflow-env            runs workflow code in Temporal's runtime: the replay of the
#                                           recorded histories and the tests on the time-skipping test
#                                           server. No stack, but bundling the workflows alone costs
#                                           about 8 s of CPU, and the test-server files take minutes
#                                           here; --workflows adds them (the test server comes from
#                                           setup's stack part; nothing needs to run)
# or imports a support module that imports one of these (support/refunds-env runs workflows).
# Everything else runs here. The stack's addresses are hidden from the run, so a test that reaches
# for the stack from a file of this set fails at once (the support kit names `npm run stack:up`)
# instead of passing only where a stack happens to run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

list_only=false
workflows=false
node_flags=()
for arg in "$@"; do
  case "$arg" in
    --list) list_only=true ;;
    --workflows) workflows=true ;;
    *) node_flags+=("$arg") ;;
  esac
done

needs=(service spawned-service)
$workflows || needs+=(workflow-env)
# A support module that imports one of these needs what it needs (refunds-env runs workflows), and
# so does whatever imports that: follow the imports through test/support until nothing is added.
while :; do
  patterns=()
  for module in "${needs[@]}"; do patterns+=(-e "/${module}'"); done
  mapfile -t found < <(grep -l "${patterns[@]}" test/support/*.ts | xargs -n1 basename | sed 's/\.ts$//')
  added=false
  for module in "${found[@]}"; do
    [[ " ${needs[*]} " == *" $module "* ]] || { needs+=("$module"); added=true; }
  done
  $added || break
done
needs_more=()
for module in "${needs[@]}"; do needs_more+=(-e "support/${module}'"); done
mapfile -t files < <(
  find test -name '*.test.ts' \
    -not -path 'test/integration/*' -not -path 'test/ui/*' -not -path 'test/chaos/*' -not -path 'test/deploy/*' |
    sort |
    xargs grep -L "${needs_more[@]}"
)
if $list_only; then
  printf '%s\n' "${files[@]}"
  exit 0
fi

test_server=()
if $workflows; then
  bash scripts/setup.sh node_modules stack
  path="$(bash scripts/stack/install.sh temporal 2>/dev/null | sed -n 's/^TEMPORAL_TEST_SERVER_PATH=//p')"
  test_server=(TEMPORAL_TEST_SERVER_PATH="$path")
else
  bash scripts/setup.sh node_modules
fi

reporter=(--test-reporter=spec)
[[ " ${node_flags[*]} " == *" --test-reporter"* ]] && reporter=()
empty_stack="$(mktemp -d)"
trap 'rm -rf "$empty_stack"' EXIT

# One process for every file: Node 20's runner would start one per file, and loading tsx, fastify and
# the Temporal client again for each is most of the run (see scripts/run-tests-in-one-process.ts).
echo "== unit tests on $(node --version): ${#files[@]} files in one process"
started=$SECONDS
status=0
env -u TEMPORAL_ADDRESS -u TEMPORAL_NAMESPACE -u TEMPORAL_UI_URL -u TEMPORAL_TEST_SERVER_PATH \
  -u KAFKA_BROKERS -u STRIPE_API_BASE STACK_DIR="$empty_stack" "${test_server[@]}" \
  node --import tsx "${reporter[@]}" "${node_flags[@]}" scripts/run-tests-in-one-process.ts "${files[@]}" ||
  status=$?
echo "== unit tests: $((SECONDS - started)) s, $([[ $status == 0 ]] && echo passed || echo "FAILED (exit $status)")"
exit "$status"
