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
if [[ -z "$own_api" ]]; then
  command -v curl >/dev/null || apt_install curl
  gateway="http://127.0.0.1:$(service_port gateway)"
  http_ok "$gateway/actuator/health" ||
    die "the platform is not up at $gateway: run make up first (or pass --api URL)"
fi
# Release, like make up: its dependencies are already built.
cargo build -q --release -p idaas-demo
bin_dir="$ROOT/target/release"
[[ -z "${CARGO_TARGET_DIR:-}" ]] || bin_dir="$CARGO_TARGET_DIR/release"
exec "$bin_dir/idaas-demo" "$@"
