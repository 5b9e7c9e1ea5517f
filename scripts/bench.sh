#!/usr/bin/env bash
# make bench: the platform with production-like settings (release build, rate limits raised,
# logs at warn), then every throughput scenario in one run (loadgen bench): one table of
# figures, ratios to pgbench and issue 11's targets, then the ledger invariants. Stops the
# platform it started. Never part of make test. Extra arguments go to loadgen (e.g. --seconds).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

command -v pgbench >/dev/null || die "pgbench not found (apt-get install -y postgresql-contrib or postgresql-client)"
"$ROOT/scripts/down.sh" >/dev/null 2>&1 || true
export IDAAS__RATE_LIMITS__TRANSACTIONS_PER_MINUTE=100000000
export IDAAS__RATE_LIMITS__DEFAULT_PER_MINUTE=100000000
export IDAAS__RATE_LIMITS__TOKEN_PER_MINUTE=1000000
export RUST_LOG=warn
"$ROOT/scripts/up.sh"
trap '"$ROOT/scripts/down.sh" >/dev/null 2>&1 || true' EXIT
log "building the load generator (release)"
cargo build --release -p loadgen
"${CARGO_TARGET_DIR:-$ROOT/target}/release/loadgen" bench --seconds 20 --concurrency 16 "$@"
