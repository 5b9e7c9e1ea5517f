#!/usr/bin/env bash
# make up: the whole platform locally, each service its own background process
# (logs .run/logs/<svc>.log, pids .run/<svc>.pid). Running it twice is harmless: a service whose
# pid is alive is left alone. Stop with scripts/down.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/ensure-postgres.sh"
"$ROOT/scripts/ensure-redis.sh"
"$ROOT/scripts/ensure-tansu.sh"
"$ROOT/scripts/dev-secrets.sh"

pkgs=()
for svc in "${SERVICES[@]}"; do pkgs+=(-p "$svc"); done
log "building the services (release): cargo build --release ${pkgs[*]}"
cargo build --release "${pkgs[@]}"

export IDAAS_PROFILE="${IDAAS_PROFILE:-local}"
export IDAAS_CONFIG_DIR="${IDAAS_CONFIG_DIR:-$ROOT/config}"
bin_dir="$ROOT/target/release"
[[ -z "${CARGO_TARGET_DIR:-}" ]] || bin_dir="$CARGO_TARGET_DIR/release"

started=()
for svc in "${SERVICES[@]}"; do
  port="$(service_port "$svc")"
  if pid_alive "$svc"; then
    log "$svc already running (pid $(pid_of "$svc"))"
    continue
  fi
  rm -f "$(pid_file "$svc")"
  if port_open 127.0.0.1 "$port"; then
    if http_ok "http://127.0.0.1:$port/actuator/health"; then
      warn "$svc: port $port already serves a healthy service not started by make up; leaving it"
      continue
    fi
    die "$svc: port $port is taken by another process; free it or run scripts/down.sh"
  fi
  [[ -x "$bin_dir/$svc" ]] || die "$bin_dir/$svc missing after the build"
  start_bg "$svc" "$bin_dir/$svc"
  started+=("$svc")
  log "started $svc (pid $(pid_of "$svc"), port $port, log .run/logs/$svc.log)"
done

for svc in "${SERVICES[@]}"; do
  port="$(service_port "$svc")"
  # Started by us (pid file): also fail fast if it exits. Otherwise only poll its health.
  name=""
  [[ -f "$(pid_file "$svc")" ]] && name="$svc"
  wait_for_http "http://127.0.0.1:$port/actuator/health" "$svc" "${IDAAS_HEALTH_TIMEOUT:-120}" "$name"
  log "$svc healthy on http://127.0.0.1:$port"
done

log "IDaaS is up: http://127.0.0.1:$(service_port gateway)/api"
log "(health: http://127.0.0.1:$(service_port gateway)/actuator/health; logs: make logs; stop: make down)"
