#!/usr/bin/env bash
# The Kafka-protocol broker for local runs and tests: tansu 0.6 from crates.io, installed once
# into ~/.cargo/bin (about 8 minutes), run with in-memory storage on 127.0.0.1:9092 and
# advertised as 127.0.0.1 (not localhost). pid in .run/tansu.pid, log in .run/logs/tansu.log.
# Then creates the topics (tansu auto-creates none). A remote IDAAS__KAFKA__BROKERS is only used.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

tansu_ok() { command -v tansu >/dev/null && [[ "$(tansu --version 2>/dev/null)" == *" $TANSU_VERSION"* ]]; }

install_tansu() {
  command -v cargo >/dev/null || die "cargo not found: install a Rust toolchain first"
  mkdir -p "${CARGO_HOME:-$HOME/.cargo}"
  local lock="${CARGO_HOME:-$HOME/.cargo}/.idaas-tansu-install.lock"
  # One install at a time across parallel runs; the second waits and then finds it installed.
  exec 9>"$lock"
  if command -v flock >/dev/null; then
    flock 9 || die "could not lock $lock"
  fi
  if ! tansu_ok; then
    log "installing tansu $TANSU_VERSION from crates.io (once; about 8 minutes; log: $LOG_DIR/tansu-install.log)"
    if ! cargo install tansu --version "$TANSU_VERSION" --locked --features dynostore \
      >"$LOG_DIR/tansu-install.log" 2>&1; then
      tail -n 40 "$LOG_DIR/tansu-install.log" >&2
      die "cargo install tansu failed (log: $LOG_DIR/tansu-install.log)"
    fi
  fi
  exec 9>&-
  tansu_ok || die "tansu $TANSU_VERSION not on PATH after install (PATH=$PATH)"
}

# Parallel runs (make up and make test at once) must not start two brokers.
exec 8>"$RUN_DIR/tansu.lock"
command -v flock >/dev/null && flock 8

if ! port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
  is_local_host "$KAFKA_HOST" || die "Kafka broker at $KAFKA_HOST:$KAFKA_PORT does not answer (IDAAS__KAFKA__BROKERS)"
  tansu_ok || install_tansu
  log "starting tansu $TANSU_VERSION on $TANSU_URL (memory storage)"
  start_bg tansu tansu broker \
    --listener-url "$TANSU_URL" \
    --advertised-listener-url "$TANSU_URL" \
    --storage-engine memory://tansu/
  wait_for_port "$KAFKA_HOST" "$KAFKA_PORT" "tansu" 60 tansu
  log "tansu running (pid $(pid_of tansu))"
elif pid_alive tansu; then
  log "tansu already running (pid $(pid_of tansu))"
else
  log "a broker already listens on $KAFKA_HOST:$KAFKA_PORT; using it"
fi

exec 8>&-

# create-topics.sh uses the tansu CLI as its admin client. For a remote broker without a local
# tansu, skip it: the services create the topics they need at start-up anyway.
if ! tansu_ok && ! is_local_host "$KAFKA_HOST"; then
  warn "tansu CLI not installed: not creating topics on $KAFKA_HOST:$KAFKA_PORT (services create theirs at start-up)"
else
  tansu_ok || install_tansu
  "$ROOT/scripts/create-topics.sh"
fi
log "broker ready at $KAFKA_HOST:$KAFKA_PORT"
