#!/usr/bin/env bash
# npm run dev: install what is missing, start the local stack, build, and run every role in one
# process in the foreground with pretty logs. Ctrl-C stops the service (the stack keeps running;
# `npm run stack:down` stops it). Arguments go to the stack's up.sh:
#   npm run dev -- --with prometheus    # and Prometheus, scraping this process, with the alert rules
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh node_modules stack
bash scripts/stack/up.sh "$@"
npm run build --silent

set -a
# shellcheck source=/dev/null
source .stack/stack.env
# shellcheck source=scripts/dev.env
source scripts/dev.env
set +a

cat <<INFO

  Payments service (PAYMENTS_MODE=all)
    API            http://127.0.0.1:${PORT}   (OpenAPI: /openapi.json, events: /asyncapi.json, docs: /docs)
    Temporal UI    ${TEMPORAL_UI_URL}
${PROMETHEUS_URL:+    Prometheus     ${PROMETHEUS_URL}/classic/alerts   (the alert rules' state; README, Runbook)
}    Try it, as the storefront's backend would (Prefer: wait=5 answers once the PaymentIntent exists):
      curl -s -XPOST http://127.0.0.1:${PORT}/charge -H 'authorization: Bearer ${CHARGE_API_TOKEN}' \\
        -H 'content-type: application/json' -H 'prefer: wait=5' \\
        -d '{"event_id":"evt-demo-1","order_id":"order-1","amount":1999,"currency":"usd"}'
      # → 201 {"status":"pending","payment_intent_id":"pi_…","client_secret":"pi_…_secret_…","next_action":null,…}
      # The customer's browser pays with that client_secret (Stripe.js, README "Quick start"):
      #   stripe.elements({ clientSecret }) → Payment Element → stripe.confirmPayment({ elements, … })
      curl -s http://127.0.0.1:${PORT}/charges/evt-demo-1 -H 'authorization: Bearer ${CHARGE_API_TOKEN}'
      # stripe-mock has no browser and sends no webhooks: play Stripe's part, then read the outcome
      npm run webhook -- evt-demo-1 succeeded
      npm run consume

INFO
exec node dist/src/main.js
