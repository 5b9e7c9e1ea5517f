#!/usr/bin/env bash
# Keys and passwords for the `local` Kubernetes overlay, in deploy/local/secrets/ (git-ignored),
# which its secretGenerator and configMapGenerator read. Generated once: an existing complete set
# is left as it is and nothing is ever printed. Delete the directory for new ones, and then the
# cluster's PostgreSQL volume too (its admin password was set when the volume was created).
#   public/*.pub             SPKI PEM public halves, for the shared ConfigMap
#   gateway/, identity/, ... each service's private keys and connection URLs (its Secret only)
#   db-bootstrap.env         libpq PG* variables (admin) and each service role's password
#   postgres-password, redis.conf  for the local PostgreSQL and Redis the overlay runs
set -euo pipefail
source "$(dirname "$0")/lib.sh"

dir="$ROOT/deploy/local/secrets"
[[ -e "$dir/.complete" ]] && exit 0
command -v openssl >/dev/null || apt_install openssl
mkdir -p "$ROOT/deploy/local"
umask 077
tmp="$(mktemp -d "$ROOT/deploy/local/.secrets.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# URL-safe (hex), since the service passwords also go into postgres:// and redis:// URLs.
password() { openssl rand -hex 24; }
pubkey() { openssl pkey -in "$1" -pubout 2>/dev/null || die "openssl could not derive a public key"; }

mkdir -p "$tmp/public"
for svc in gateway identity transaction ledger webhook-dispatcher settlement; do
  mkdir -p "$tmp/$svc"
done

redis_pw="$(password)"
printf 'requirepass %s\nsave ""\nappendonly no\n' "$redis_pw" >"$tmp/redis.conf"
printf '%s' "redis://:$redis_pw@redis.idaas:6379" >"$tmp/redis-url"

p256_pem >"$tmp/gateway/request-encryption.pem"
pubkey "$tmp/gateway/request-encryption.pem" >"$tmp/public/request-encryption.pub"
p256_pem >"$tmp/identity/token-signing.pem"
openssl rand -base64 32 | tr -d '\n' >"$tmp/identity/at-rest-key"

admin_pw="$(password)"
printf '%s' "$admin_pw" >"$tmp/postgres-password"
{
  echo "PGHOST=postgres.idaas"
  echo "PGPORT=5432"
  echo "PGDATABASE=postgres"
  echo "PGUSER=postgres"
  echo "PGPASSWORD=$admin_pw"
  echo "PGSSLMODE=disable"
} >"$tmp/db-bootstrap.env"
for svc in identity transaction ledger webhook-dispatcher settlement; do
  name="${svc//-/_}"
  p256_pem >"$tmp/$svc/service-signing.pem"
  pubkey "$tmp/$svc/service-signing.pem" >"$tmp/public/$name.pub"
  pw="$(password)"
  echo "IDAAS_DB_PASSWORD_${name^^}=$pw" >>"$tmp/db-bootstrap.env"
  printf '%s' "postgres://idaas_$name:$pw@postgres.idaas:5432" >"$tmp/$svc/database-url"
done

touch "$tmp/.complete"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
log "generated the local overlay's keys and passwords in deploy/local/secrets/"
