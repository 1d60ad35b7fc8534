#!/bin/sh
# One-shot (docker-compose service temporal-setup, image temporalio/admin-tools): waits for the
# Temporal frontend, creates the namespace the service uses, and registers the custom search
# attributes the charge workflow sets (src/workflows/messages.ts). Idempotent: existing ones are
# left alone, so it runs on every `docker compose up`.
#
# The same list is registered by the local dev stack (scripts/stack/lib.sh) and the kind overlay
# (k8s/overlays/kind/temporal.yaml); test/deploy checks that all three agree.
set -eu

ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
SEARCH_ATTRIBUTES="OrderId=Keyword EventId=Keyword ChargeStatus=Keyword PaymentIntentId=Keyword AmountMinor=Int Currency=Keyword RefundedMinor=Int ChargeFailureCode=Keyword DisputeStatus=Keyword DisputeEvidenceDueBy=Datetime AuthorizationExpiresAt=Datetime"

# retry WHAT COMMAND...: up to 60 tries 2 s apart (the frontend starts slowly, and a new namespace
# takes a few seconds to reach every frontend's cache).
retry() {
  what="$1"
  shift
  attempt=1
  until "$@"; do
    [ "$attempt" -ge 60 ] && { echo "gave up waiting for $what" >&2; return 1; }
    attempt=$((attempt + 1))
    sleep 2
  done
}

retry "temporal at $ADDRESS to be healthy" temporal operator cluster health --address "$ADDRESS" >/dev/null

# At least the service's dedupe window (CHARGE_DEDUPE_WINDOW, 8d by default): with a shorter
# retention the gateway refuses charges, since a replayed event_id could be charged again.
RETENTION="${TEMPORAL_RETENTION:-192h}"
if temporal operator namespace describe --address "$ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1; then
  temporal operator namespace update --address "$ADDRESS" --namespace "$NAMESPACE" --retention "$RETENTION"
  echo "namespace $NAMESPACE exists; retention set to $RETENTION"
else
  temporal operator namespace create --address "$ADDRESS" --namespace "$NAMESPACE" --retention "$RETENTION"
  echo "namespace $NAMESPACE created (retention $RETENTION)"
fi

list_attributes() {
  existing="$(temporal operator search-attribute list --address "$ADDRESS" --namespace "$NAMESPACE" 2>&1)"
}
retry "namespace $NAMESPACE to be visible" list_attributes
for attribute in $SEARCH_ATTRIBUTES; do
  name="${attribute%%=*}"
  type="${attribute#*=}"
  if printf '%s\n' "$existing" | grep -qw -- "$name"; then
    echo "search attribute $name exists"
  else
    temporal operator search-attribute create --address "$ADDRESS" --namespace "$NAMESPACE" \
      --name "$name" --type "$type"
    echo "search attribute $name ($type) created"
  fi
done
