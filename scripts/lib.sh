#!/usr/bin/env bash
# Shared helpers for the local-platform scripts. Source it; do not run it.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="$ROOT/.run"
LOG_DIR="$RUN_DIR/logs"
mkdir -p "$LOG_DIR"

SERVICES=(identity transaction ledger webhook-dispatcher settlement gateway)
DATABASES=(idaas_identity idaas_transaction idaas_ledger idaas_webhook_dispatcher idaas_settlement)
TOPICS=(idaas.applications idaas.transactions idaas.ledger idaas.webhooks idaas.webhooks.dlt idaas.settlements)

# PostgreSQL server URL without a database name; same variable the services read.
PG_URL="${IDAAS__DATABASE__URL:-postgres://postgres@127.0.0.1:5432}"
KAFKA_HOST="${IDAAS_KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${IDAAS_KAFKA_PORT:-9092}"
REDIS_URL="${IDAAS__REDIS__URL:-redis://127.0.0.1:6379}"

export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1;34m[idaas]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[idaas] %s\033[0m\n' "$*" >&2; exit 1; }

# host and port of a URL like scheme://user:pw@host:port/db
url_host() { local u="${1#*://}"; u="${u#*@}"; u="${u%%/*}"; u="${u%%\?*}"; echo "${u%%:*}"; }
url_port() {
  local u="${1#*://}"; u="${u#*@}"; u="${u%%/*}"; u="${u%%\?*}"
  if [[ "$u" == *:* ]]; then echo "${u##*:}"; else echo "$2"; fi
}

is_local_host() { [[ "$1" == "127.0.0.1" || "$1" == "localhost" || "$1" == "::1" ]]; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for_port() {
  local host="$1" port="$2" what="$3" tries="${4:-60}"
  for _ in $(seq 1 "$tries"); do
    port_open "$host" "$port" && return 0
    sleep 1
  done
  die "$what did not open $host:$port"
}

pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

apt_install() {
  command -v apt-get >/dev/null || die "need $* but apt-get is not available; install it by hand"
  if [[ -z "${IDAAS_APT_UPDATED:-}" ]]; then
    apt-get update -qq >&2
    export IDAAS_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}
