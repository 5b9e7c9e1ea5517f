#!/usr/bin/env bash
# make demo: Flow A of the integration guide (sections 3 and 23) against the platform that
# `make up` started, by two applications, every step printed and checked (tools/demo).
# Exits 0 only if every step held. Extra arguments go to the demo (make demo ARGS='--api URL').
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

own_api=""
for arg in "$@"; do
  case "$arg" in --api | --api=*) own_api=1 ;; esac
done
# Only whether something listens: the demo itself waits for the platform to report UP and
# says which part is not.
if [[ -z "$own_api" ]] && ! port_open 127.0.0.1 "$(service_port gateway)"; then
  die "nothing listens on the gateway's port $(service_port gateway): run make up first (or pass --api URL)"
fi
# Release, like make up, whose build most of its dependencies share.
log "building the demo (release): cargo build --release -p idaas-demo"
cargo build -q --release -p idaas-demo
bin_dir="$ROOT/target/release"
[[ -z "${CARGO_TARGET_DIR:-}" ]] || bin_dir="$CARGO_TARGET_DIR/release"
exec "$bin_dir/idaas-demo" "$@"
