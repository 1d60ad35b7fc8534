#!/usr/bin/env bash
# npm run bench [-- flags]: throughput and latency of the charge path against its ceilings.
#   npm run bench                   # full run (~8 min): stepped rates, ceilings, duplicates, resources
#   npm run bench -- --flash-sale   # ~5 min: 3,000 charges at 40/s against Stripe's 25/s, durable vs direct
#   npm run bench -- --smoke        # ~13 s of measurement and a tiny flash sale; non-zero exit if a charge is lost or fails
#   npm run bench -- --help         # every flag
# Honours STACK_DIR and the STACK_*_PORT variables of scripts/stack/. Starts the stack parts that
# are not running and stops exactly those at the end. Results: bench/results/latest.json and
# latency-vs-rate.svg; flash-sale.json and flash-sale.svg.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/ensure-deps.sh
# exec: the runner gets SIGINT/SIGTERM itself and stops every process it started.
exec node --import tsx bench/run.ts "$@"
