#!/usr/bin/env bash
# make down: stops, by pid, what make up started (services first, then the broker).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

stop() {
  local name="$1" pidfile="$RUN_DIR/$1.pid"
  [[ -f "$pidfile" ]] || return 0
  local pid; pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    log "stopped $name"
  fi
  rm -f "$pidfile"
}

for svc in gateway "${SERVICES[@]}"; do stop "$svc"; done
stop tansu
