#!/usr/bin/env bash
# make test: unit tests, integration tests on the real PostgreSQL/Redis/broker, and the
# end-to-end test that runs the six service binaries as processes (built here, debug profile).
# Extra arguments go to the test runner (cargo nextest run / cargo test), e.g. a test filter.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# Tests create their own databases on this server; make sure it and the broker are there.
# Defaults: the platform settings (IDAAS__DATABASE__URL, ...), else the local services.
export IDAAS_TEST_DATABASE_URL="${IDAAS_TEST_DATABASE_URL:-$(pg_server_url "$PG_URL")}"
export IDAAS_TEST_KAFKA_BROKERS="${IDAAS_TEST_KAFKA_BROKERS:-$KAFKA_BROKERS}"
export IDAAS_TEST_REDIS_URL="${IDAAS_TEST_REDIS_URL:-$REDIS_URL}"
IDAAS__DATABASE__URL="$IDAAS_TEST_DATABASE_URL" "$ROOT/scripts/ensure-postgres.sh"
# The database bootstrap test runs k8s/db-bootstrap/bootstrap.sql with psql, as its Job does.
command -v psql >/dev/null || apt_install postgresql-client
IDAAS__REDIS__URL="$IDAAS_TEST_REDIS_URL" "$ROOT/scripts/ensure-redis.sh"
IDAAS__KAFKA__BROKERS="$IDAAS_TEST_KAFKA_BROKERS" "$ROOT/scripts/ensure-tansu.sh"
# The API schema test drives the gateway with schemathesis (PyPI, pinned, in .run/).
IDAAS_SCHEMATHESIS="${IDAAS_SCHEMATHESIS:-$("$ROOT/scripts/ensure-schemathesis.sh")}"
export IDAAS_SCHEMATHESIS
# The examples test runs examples/python and examples/node against the platform.
"$ROOT/scripts/ensure-examples.sh"
# The Swagger UI test drives headless Chromium through chromedriver (Debian's packages).
# IDAAS_CHROMIUM / IDAAS_CHROMEDRIVER name others; the two must be the same version.
if { [[ -z "${IDAAS_CHROMIUM:-}" ]] && ! command -v chromium >/dev/null; } ||
  { [[ -z "${IDAAS_CHROMEDRIVER:-}" ]] && ! command -v chromedriver >/dev/null; }; then
  apt_install chromium chromium-driver fonts-liberation
fi
target_dir="${CARGO_TARGET_DIR:-$ROOT/target}"
export IDAAS_BIN_DIR="$target_dir/debug"

pkgs=()
for svc in "${SERVICES[@]}"; do pkgs+=(-p "$svc"); done
log "building the service binaries for the end-to-end test: cargo build ${pkgs[*]}"
cargo build "${pkgs[@]}"

status=0
if cargo nextest --version >/dev/null 2>&1; then
  # nextest does not run doc tests: cargo test --doc does, first, so nextest's summary closes.
  log "doc tests: cargo test --workspace --doc"
  cargo test --workspace --doc || status=$?
  log "tests: cargo nextest run --workspace --no-fail-fast $*"
  cargo nextest run --workspace --no-fail-fast "$@" || status=$?
else
  log "tests: cargo test --workspace --no-fail-fast $* (cargo-nextest not installed)"
  cargo test --workspace --no-fail-fast "$@" || status=$?
fi

# On success print nothing more: the runner's summary stays the closing line.
if ((status != 0)); then warn "tests failed (exit $status)"; fi
exit "$status"
