#!/usr/bin/env bash
# Makes sure PostgreSQL answers at IDAAS__DATABASE__URL (default: local trust auth) and that
# each service's database exists. Starts a local server only when the URL is local and down.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

command -v psql >/dev/null || apt_install postgresql-client
host="$(url_host "$PG_URL")"
port="$(url_port "$PG_URL" 5432)"

if ! port_open "$host" "$port"; then
  is_local_host "$host" || die "PostgreSQL at $host:$port does not answer"
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    log "installing PostgreSQL"
    apt_install postgresql
  fi
  log "starting local PostgreSQL"
  version="$(ls /etc/postgresql | sort -V | tail -n1)"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start \
    || pg_ctlcluster "$version" main start
  wait_for_port "$host" "$port" "PostgreSQL" 60
  # A fresh Debian cluster uses peer auth; the platform expects local trust for postgres.
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  if [[ -w "$hba" ]] && ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
  fi
fi

maint="${PG_URL%/}/postgres"
for _ in $(seq 1 30); do psql "$maint" -qtAc 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
psql "$maint" -qtAc 'SELECT 1' >/dev/null || die "cannot log in to PostgreSQL at $host:$port"
for db in "${DATABASES[@]}"; do
  if [[ "$(psql "$maint" -qtAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != "1" ]]; then
    psql "$maint" -qc "CREATE DATABASE \"$db\"" >/dev/null
    log "created database $db"
  fi
done
log "PostgreSQL ready at $host:$port"
