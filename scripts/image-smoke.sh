#!/usr/bin/env bash
# CI: the image of SERVICE (default gateway) starts against the local PostgreSQL, Redis and
# broker and answers its readiness probe. Builds the image first if this revision has none.
# The container runs with buildah (chroot isolation, the host's network), as the non-root
# user the image names, with the local profile's settings and a copy of the development
# secrets (config/local.secrets.toml, made by scripts/dev-secrets.sh) mounted read-only.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

svc="${1:-gateway}"
BUILDAH=(buildah --storage-driver vfs)
rev="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
image="idaas/$svc:$rev"
if ! "${BUILDAH[@]}" inspect --type image "$image" >/dev/null 2>&1; then
  bash "$ROOT/scripts/images.sh" "$svc"
fi
bash "$ROOT/scripts/dev-secrets.sh" >/dev/null
# The development secrets, readable by the image's user only (the original is root's, 0600).
secrets="$(mktemp)"
install -m 0400 -o 65532 -g 65532 "$ROOT/config/local.secrets.toml" "$secrets"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port="$(free_port)"
admin="$(free_port)"
key="$(tr '[:lower:]-' '[:upper:]_' <<<"$svc")"

ctr="$("${BUILDAH[@]}" from --quiet "$image")"
run_pid=""
cleanup() {
  if [[ -n "$run_pid" ]]; then kill "$run_pid" 2>/dev/null || true; wait "$run_pid" 2>/dev/null || true; fi
  # buildah releases the container a moment after its run ends.
  for _ in 1 2 3 4 5; do
    "${BUILDAH[@]}" rm "$ctr" >/dev/null 2>&1 && break
    sleep 1
  done
  rm -f "$secrets"
}
trap cleanup EXIT

log "starting $image on 127.0.0.1:$port (admin $admin)"
"${BUILDAH[@]}" run --isolation chroot --network host \
  --user 65532:65532 \
  --volume "$secrets:/etc/idaas/local.secrets.toml:ro" \
  --env IDAAS_PROFILE=local --env IDAAS__HTTP__HOST=127.0.0.1 \
  --env "IDAAS__SERVICES__${key}__PORT=$port" --env "IDAAS__SERVICES__${key}__ADMIN_PORT=$admin" \
  "$ctr" -- /usr/local/bin/idaas-service >"$LOG_DIR/image-smoke-$svc.log" 2>&1 &
run_pid=$!

for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null 2>&1; then
    log "$image is ready: $(curl -fsS "http://127.0.0.1:$port/actuator/info")"
    curl -fsS "http://127.0.0.1:$admin/actuator/prometheus" | grep -q '^http_server_requests_total' ||
      die "$image: no metrics on its admin port"
    # It reached the local data stores from inside the container (the other services are not
    # running, so the overall status is DOWN; Redis and the broker must be UP).
    health="$(curl -sS "http://127.0.0.1:$port/actuator/health")"
    for component in redis kafka; do
      grep -q "\"$component\":{\"status\":\"UP\"" <<<"$health" ||
        die "$image: $component not UP from inside the container: $health"
    done
    exit 0
  fi
  kill -0 "$run_pid" 2>/dev/null || { tail -n 30 "$LOG_DIR/image-smoke-$svc.log" >&2; die "$image exited"; }
  sleep 1
done
tail -n 30 "$LOG_DIR/image-smoke-$svc.log" >&2
die "$image did not become ready within 120 s"
