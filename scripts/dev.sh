#!/usr/bin/env bash
# npm run dev [-- --real-stripe] [-- --with prometheus] [-- --with tracing]: install what is missing, start the local
# stack, build, check the Stripe configuration, and run every role in one process in the foreground
# with pretty logs. Ctrl-C stops the service (the stack keeps running; `npm run stack:down` stops it).
#
# Stripe is the local stand-in (tools/stripe-standin, a test tool in front of stripe-mock): it keeps
# the PaymentIntents, applies Stripe's test cards and sends signed webhooks to this service, which
# is registered as its webhook endpoint here. With --real-stripe it is your Stripe account in test
# mode instead: STRIPE_KEY (sk_test_…) and STRIPE_WEBHOOK_SECRET (the whsec_… that
# `stripe listen --forward-to http://127.0.0.1:8080/stripe/webhook` prints) come from your
# environment (README, "Against a real Stripe test account"). Other arguments go to the stack's up.sh:
#   npm run dev -- --with prometheus    # and Prometheus, scraping this process, with the alert rules
#   npm run dev -- --with tracing       # and Jaeger: this process exports its spans there (OTLP/HTTP)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

real_stripe=0
stack_args=()
for arg in "$@"; do
  case "$arg" in
    --real-stripe) real_stripe=1 ;;
    *) stack_args+=("$arg") ;; # up.sh names what it does not know
  esac
done
# Yours, kept from before dev.env's local placeholders are read.
own_key="${STRIPE_KEY:-}"
own_secret="${STRIPE_WEBHOOK_SECRET:-}"
# Before anything is installed or started: the real-Stripe path needs your settings.
if ((real_stripe)) && [[ -z "$own_key" || -z "$own_secret" ]]; then
  cat >&2 <<'EOF'
npm run dev -- --real-stripe needs your Stripe test-mode settings in the environment:
  export STRIPE_KEY=sk_test_…                 # Dashboard → Developers → API keys (test mode)
  stripe listen --forward-to http://127.0.0.1:8080/stripe/webhook   # in another terminal
  export STRIPE_WEBHOOK_SECRET=whsec_…        # the secret `stripe listen` printed
EOF
  exit 2
fi

bash scripts/setup.sh node_modules stack
bash scripts/stack/up.sh "${stack_args[@]}"
npm run build --silent

set -a
# shellcheck source=/dev/null
source .stack/stack.env
# shellcheck source=scripts/dev.env
source scripts/dev.env
set +a

if ((real_stripe)); then
  export STRIPE_KEY="$own_key" STRIPE_WEBHOOK_SECRET="$own_secret"
  unset STRIPE_API_BASE
  # Before anything starts: a live key, a placeholder or a malformed secret stops here.
  node --import tsx scripts/stripe-check.ts --real-stripe --online
  stripe_line="Stripe         your test-mode account (api.stripe.com); webhooks through \`stripe listen\`"
else
  node --import tsx scripts/stripe-check.ts
  # The stand-in delivers its signed events to this service (one endpoint per URL: this updates it).
  # The secret goes on stdin, never on a command line.
  curl -fsS -o /dev/null -X POST "$STRIPE_API_BASE/_standin/webhook_endpoints" \
    -H 'content-type: application/json' --data-binary @- <<<"{\"url\":\"http://127.0.0.1:${PORT}/stripe/webhook\",\"secret\":\"${STRIPE_WEBHOOK_SECRET%%,*}\"}"
  stripe_line="Stripe         the local stand-in ${STRIPE_API_BASE} (a test tool; webhooks to this service)"
fi

cat <<INFO

  Payments service (PAYMENTS_MODE=all)
    API            http://127.0.0.1:${PORT}   (OpenAPI: /openapi.json, events: /asyncapi.json, docs: /docs)
    Temporal UI    ${TEMPORAL_UI_URL}   (payloads decrypted through the codec server ${CODEC_SERVER_URL})
    ${stripe_line}
${PROMETHEUS_URL:+    Prometheus     ${PROMETHEUS_URL}/classic/alerts   (the state of the alert rules; README, Runbook)
}${JAEGER_URL:+    Traces         ${JAEGER_URL}/search?service=payments-service   (Jaeger; spans exported to ${OTEL_EXPORTER_OTLP_ENDPOINT})
}    Try it, as the order dispatcher would: a charge paid with a saved test card finishes by itself
      curl -s -XPOST http://127.0.0.1:${PORT}/charge -H 'authorization: Bearer ${CHARGE_API_TOKEN}' \\
        -H 'content-type: application/json' \\
        -d '{"event_id":"evt-demo-1","order_id":"order-1","amount":1999,"currency":"usd","payment_method":"pm_card_visa"}'
      npm run consume                           # → payments.completed for evt-demo-1
    A charge for the customer's browser (Prefer: wait=5 answers with its client_secret) waits for them:
      curl -s -XPOST http://127.0.0.1:${PORT}/charge -H 'authorization: Bearer ${CHARGE_API_TOKEN}' \\
        -H 'content-type: application/json' -H 'prefer: wait=5' \\
        -d '{"event_id":"evt-demo-2","order_id":"order-2","amount":1999,"currency":"usd"}'
      # → 201 {"status":"pending","payment_intent_id":"pi_…","client_secret":"pi_…_secret_…","next_action":null,…}
      # The customer's browser pays with that client_secret (Stripe.js, README "Quick start"):
      #   stripe.elements({ clientSecret }) → Payment Element → stripe.confirmPayment({ elements, … })
      # Without a browser, play the customer (the stand-in sends Stripe's signed webhooks):
      npm run webhook -- evt-demo-2 succeeded   # pays with pm_card_visa; or: failed, processing,
                                                # requires_action then 3ds-complete, --card pm_…
      curl -s http://127.0.0.1:${PORT}/charges/evt-demo-2 -H 'authorization: Bearer ${CHARGE_API_TOKEN}'

INFO
exec node dist/src/main.js
