#!/usr/bin/env bash
# make down: stops, by pid, what make up started: the services (gateway first), then the
# tansu broker if scripts/ensure-tansu.sh started it. Removes stale pid files. PostgreSQL and
# Redis are left running. Never kills by name.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do stop_pid "${SERVICES[i]}"; done
stop_pid tansu
# Any other stale pid file.
for f in "$RUN_DIR"/*.pid; do
  [[ -e "$f" ]] || continue
  name="$(basename "$f" .pid)"
  pid_alive "$name" || rm -f "$f"
done
log "down"
