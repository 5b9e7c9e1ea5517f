#!/usr/bin/env bash
# Optional check that the broker really stores and serves messages: produces one message to a
# scratch topic (<prefix>smoke, not one the services read) and consumes it back with tansu's CLI.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

topic="${TOPIC_PREFIX}smoke"
"$ROOT/scripts/create-topics.sh" "$topic" >/dev/null
marker="smoke-$(date +%s)-$$"
printf '{"value": "%s"}\n' "$marker" | timeout 30 tansu cat produce --broker "$TANSU_URL" "$topic" \
  || die "could not produce to $topic on $TANSU_URL"
if timeout 60 tansu cat consume --broker "$TANSU_URL" --max-wait-time-ms 2000 "$topic" | grep -Fq "$marker"; then
  log "broker at $KAFKA_HOST:$KAFKA_PORT: produced and consumed a message on $topic"
else
  die "message produced to $topic was not consumed back from $TANSU_URL"
fi
