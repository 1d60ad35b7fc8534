#!/bin/bash
# One-shot (docker-compose service kafka-init, image apache/kafka): creates the topics the service
# produces to, if missing. The broker has auto.create.topics.enable=false, so a typo in a topic
# name fails loudly instead of creating a stray topic. Idempotent (--if-not-exists).
#
# The same list is created by the local dev stack (scripts/stack/lib.sh) and the kind overlay's
# kafka-topics Job; test/deploy checks that they agree.
set -euo pipefail

BOOTSTRAP="${BOOTSTRAP_SERVER:-kafka:9092}"
PARTITIONS="${PARTITIONS:-3}"
TOPICS=(payments.completed payments.failed payments.refunded payments.refund_failed payments.authorized payments.disputed)
KAFKA_TOPICS="${KAFKA_TOPICS_SH:-/opt/kafka/bin/kafka-topics.sh}"

for attempt in $(seq 1 60); do
  if "$KAFKA_TOPICS" --bootstrap-server "$BOOTSTRAP" --list >/dev/null 2>&1; then break; fi
  if [[ $attempt -eq 60 ]]; then
    echo "kafka at $BOOTSTRAP did not answer" >&2
    exit 1
  fi
  sleep 2
done

for topic in "${TOPICS[@]}"; do
  "$KAFKA_TOPICS" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$topic" --partitions "$PARTITIONS" --replication-factor 1
done
echo "topics present: ${TOPICS[*]} ($PARTITIONS partitions each when created here)"
