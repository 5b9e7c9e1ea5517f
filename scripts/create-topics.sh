#!/usr/bin/env bash
# tansu creates no topic by itself. Idempotent: "already exists" is fine. The services also
# create what they need at start-up through the admin API.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

existing="$(tansu topic list --broker "tcp://$KAFKA_HOST:$KAFKA_PORT" 2>/dev/null || true)"
for topic in "${TOPICS[@]}"; do
  if grep -q "\"name\":\"$topic\"" <<<"$existing"; then
    continue
  fi
  tansu topic create --broker "tcp://$KAFKA_HOST:$KAFKA_PORT" --partitions 1 "$topic" >/dev/null 2>&1 \
    || tansu topic list --broker "tcp://$KAFKA_HOST:$KAFKA_PORT" 2>/dev/null | grep -q "\"name\":\"$topic\"" \
    || die "could not create topic $topic"
  log "created topic $topic"
done
