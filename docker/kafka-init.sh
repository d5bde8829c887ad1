#!/bin/sh
# Creates the topics the services expect (the broker has auto-creation off). Idempotent, so the
# one-shot `kafka-init` service can run on every `docker compose up`. Mirrors tools/ops/infra.mjs.
set -eu
BOOTSTRAP="${KAFKA_BOOTSTRAP:-kafka:9092}"

create() {
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$1" --partitions "$2" --replication-factor 1
}

for topic in order.events payment.events inventory.events; do
  create "$topic" 3
  create "$topic.dlq" 1
done
create _shop.infra-check 1

/opt/kafka/bin/kafka-topics.sh --bootstrap-server "$BOOTSTRAP" --list
