#!/usr/bin/env bash
# make test: unit tests, integration tests on the real PostgreSQL/Redis/broker, and the
# end-to-end test that runs the six binaries as processes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/ensure-postgres.sh"
"$ROOT/scripts/ensure-redis.sh"
"$ROOT/scripts/ensure-tansu.sh"

export IDAAS_TEST_DATABASE_URL="${IDAAS_TEST_DATABASE_URL:-$PG_URL}"
export IDAAS_TEST_KAFKA_BROKERS="${IDAAS_TEST_KAFKA_BROKERS:-$KAFKA_HOST:$KAFKA_PORT}"
export IDAAS_TEST_REDIS_URL="${IDAAS_TEST_REDIS_URL:-$REDIS_URL}"
export IDAAS_BIN_DIR="$ROOT/target/debug"

log "building the service binaries for the end-to-end test"
cargo build $(printf -- '-p %s ' "${SERVICES[@]}") >&2

if cargo nextest --version >/dev/null 2>&1; then
  # Doc tests first: nextest's summary should be the last word on what ran.
  cargo test --workspace --doc --quiet
  cargo nextest run --workspace --no-fail-fast
else
  cargo test --workspace --no-fail-fast
fi
