#!/usr/bin/env bash
# Makes sure Redis answers; starts a local non-persistent one when the URL is local and down.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

host="$(url_host "$REDIS_URL")"
port="$(url_port "$REDIS_URL" 6379)"
if ! port_open "$host" "$port"; then
  is_local_host "$host" || die "Redis at $host:$port does not answer"
  command -v redis-server >/dev/null || apt_install redis-server
  log "starting local Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
    --dir "$RUN_DIR" --logfile "$LOG_DIR/redis.log"
  wait_for_port "$host" "$port" "Redis" 30
fi
log "Redis ready at $host:$port"
