#!/usr/bin/env bash
# make up: the whole platform locally, each service its own process. Safe to run twice.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/ensure-postgres.sh"
"$ROOT/scripts/ensure-redis.sh"
"$ROOT/scripts/ensure-tansu.sh"
"$ROOT/scripts/dev-secrets.sh"

log "building the services (release)"
cargo build --release $(printf -- '-p %s ' "${SERVICES[@]}") >&2

export IDAAS_PROFILE="${IDAAS_PROFILE:-local}"
for svc in "${SERVICES[@]}"; do
  pidfile="$RUN_DIR/$svc.pid"
  if pid_alive "$pidfile"; then
    log "$svc already running (pid $(cat "$pidfile"))"
    continue
  fi
  nohup "$ROOT/target/release/$svc" >>"$LOG_DIR/$svc.log" 2>&1 &
  echo $! >"$pidfile"
  log "started $svc (pid $!)"
done

port_of() {
  case "$1" in
    gateway) echo 8080 ;; identity) echo 8081 ;; transaction) echo 8082 ;;
    ledger) echo 8083 ;; webhook-dispatcher) echo 8084 ;; settlement) echo 8085 ;;
  esac
}
for svc in "${SERVICES[@]}"; do
  url="http://127.0.0.1:$(port_of "$svc")/actuator/health"
  for i in $(seq 1 120); do
    if curl -fsS "$url" >/dev/null 2>&1; then break; fi
    if ! pid_alive "$RUN_DIR/$svc.pid"; then
      tail -n 40 "$LOG_DIR/$svc.log" >&2 || true
      die "$svc exited; log above ($LOG_DIR/$svc.log)"
    fi
    if [[ "$i" == 120 ]]; then
      tail -n 40 "$LOG_DIR/$svc.log" >&2 || true
      die "$svc not healthy after 120 s"
    fi
    sleep 1
  done
  log "$svc healthy"
done
log "IDaaS is up: http://127.0.0.1:8080/api  (health: http://127.0.0.1:8080/actuator/health)"
