#!/usr/bin/env bash
# Makes sure Redis answers at IDAAS__REDIS__URL (default redis://127.0.0.1:6379). A local,
# non-persistent one is started (installed if need be) only when the URL is local and down.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

host="$(url_host "$REDIS_URL")"
port="$(url_port "$REDIS_URL" 6379)"
if ! port_open "$host" "$port"; then
  is_local_host "$host" || die "Redis at $host:$port does not answer (IDAAS__REDIS__URL)"
  command -v redis-server >/dev/null || apt_install redis-server
  log "starting local Redis on 127.0.0.1:$port"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
    --dir "$RUN_DIR" --logfile "$LOG_DIR/redis.log" >/dev/null
  wait_for_port 127.0.0.1 "$port" "Redis" 30
fi
if command -v redis-cli >/dev/null && [[ "$REDIS_URL" != rediss://* ]]; then
  pong=""
  for _ in $(seq 1 10); do
    pong="$(redis-cli -u "$REDIS_URL" --no-auth-warning ping 2>&1 || true)"
    [[ "$pong" == *PONG* ]] && break
    sleep 1
  done
  [[ "$pong" == *PONG* ]] || die "Redis at $host:$port answers but not to PING: $pong"
fi
log "Redis ready at $host:$port"
