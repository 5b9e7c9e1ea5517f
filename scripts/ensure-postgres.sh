#!/usr/bin/env bash
# Makes sure PostgreSQL answers at IDAAS__DATABASE__URL (default postgres://postgres@127.0.0.1:5432,
# trust auth) and that each service's database exists (idempotent). A local server is started
# (installed if need be) only when the URL points at 127.0.0.1/localhost and nothing answers;
# a remote or password-protected server is only used, never touched.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

command -v psql >/dev/null || apt_install postgresql-client
server="$(pg_server_url "$PG_URL")"
host="$(url_host "$server")"
port="$(url_port "$server" 5432)"
maint="$(pg_url_for_db "$server" postgres)"

can_login() { psql "$maint" -qtAc 'SELECT 1' >/dev/null 2>&1; }

# The local Debian cluster (pg_lsclusters) listening on $port, as "version name".
local_cluster() {
  command -v pg_lsclusters >/dev/null || return 1
  pg_lsclusters -h 2>/dev/null | awk -v p="$port" '$3 == p { print $1, $2; exit }'
}

started=0
if ! port_open "$host" "$port"; then
  is_local_host "$host" || die "PostgreSQL at $host:$port does not answer (IDAAS__DATABASE__URL)"
  if [[ -z "$(local_cluster)" ]]; then
    log "no local PostgreSQL cluster on port $port; installing PostgreSQL"
    apt_install postgresql
  fi
  c="$(local_cluster)" || true
  [[ -n "$c" ]] || die "no local PostgreSQL cluster configured for port $port (see pg_lsclusters)"
  read -r version cluster <<<"$c"
  log "starting local PostgreSQL $version/$cluster"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start \
    || as_root pg_ctlcluster "$version" "$cluster" start \
    || port_open "$host" "$port" \
    || die "could not start PostgreSQL $version/$cluster (see /var/log/postgresql/)"
  wait_for_port "$host" "$port" "PostgreSQL" 60
  started=1
fi

# Right after a start the server may still refuse connections for a moment.
if ((started)); then
  for _ in $(seq 1 20); do can_login && break; sleep 1; done
fi

# A fresh Debian cluster asks for a password over TCP; the local platform expects trust for
# the passwordless default URL. Only then, and only for a local cluster we can configure.
authority="${server#*://}"; authority="${authority%%/*}"
userinfo=""; [[ "$authority" == *@* ]] && userinfo="${authority%@*}"
c="$(local_cluster)" || true
if ! can_login && is_local_host "$host" && [[ "$userinfo" != *:* && -z "${PGPASSWORD:-}" && -n "$c" ]]; then
  read -r version cluster <<<"$c"
  hba="/etc/postgresql/$version/$cluster/pg_hba.conf"
  if [[ -f "$hba" ]] && ! grep -Eq '^host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
    warn "PostgreSQL refuses passwordless TCP logins; adding local trust rules to $hba"
    as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" reload \
      || as_root pg_ctlcluster "$version" "$cluster" reload || true
    for _ in $(seq 1 10); do can_login && break; sleep 1; done
  fi
fi

if ! can_login; then
  psql "$maint" -qtAc 'SELECT 1' >&2 || true
  die "cannot log in to PostgreSQL at $host:$port (check user/password in IDAAS__DATABASE__URL)"
fi

db_exists() { [[ "$(psql "$maint" -qtAc "SELECT 1 FROM pg_database WHERE datname = '$1'")" == "1" ]]; }
for db in "${DATABASES[@]}"; do
  db_exists "$db" && continue
  # Another run may create it at the same moment: "already exists" is fine.
  if psql "$maint" -qc "CREATE DATABASE \"$db\"" >/dev/null 2>"$LOG_DIR/ensure-postgres.log" || db_exists "$db"; then
    log "created database $db"
  else
    tail -n 5 "$LOG_DIR/ensure-postgres.log" >&2
    die "could not create database $db"
  fi
done
log "PostgreSQL ready at $host:$port (databases: ${DATABASES[*]})"
