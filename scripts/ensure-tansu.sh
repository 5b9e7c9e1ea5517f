#!/usr/bin/env bash
# The Kafka-protocol broker for local runs and tests: tansu 0.6 from crates.io, installed once
# into ~/.cargo/bin, run in memory on 127.0.0.1 (advertised as 127.0.0.1, not localhost).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

TANSU_VERSION="0.6.0"
if ! command -v tansu >/dev/null || ! tansu --version 2>/dev/null | grep -q "$TANSU_VERSION"; then
  log "installing tansu $TANSU_VERSION (once; about 8 minutes)"
  cargo install tansu --version "$TANSU_VERSION" --locked --features dynostore >&2
fi

if ! port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
  log "starting tansu on $KAFKA_HOST:$KAFKA_PORT"
  (
    cd "$RUN_DIR"
    nohup tansu broker \
      --listener-url "tcp://$KAFKA_HOST:$KAFKA_PORT" \
      --advertised-listener-url "tcp://$KAFKA_HOST:$KAFKA_PORT" \
      --storage-engine memory://tansu/ \
      >"$LOG_DIR/tansu.log" 2>&1 &
    echo $! >"$RUN_DIR/tansu.pid"
  )
  wait_for_port "$KAFKA_HOST" "$KAFKA_PORT" "tansu" 60
fi
"$(dirname "$0")/create-topics.sh"
log "broker ready at $KAFKA_HOST:$KAFKA_PORT"
