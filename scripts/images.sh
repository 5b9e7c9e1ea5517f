#!/usr/bin/env bash
# make images [SERVICE...]: one OCI image per service (deploy/images/Containerfile), built with
# buildah (vfs storage, chroot isolation: works as root without a daemon or a registry). Each
# image is FROM scratch; its root filesystem is prepared here from the release binary:
#   /usr/local/bin/idaas-service   the service (stripped)
#   the shared libraries `ldd` lists for it, at their paths, and the dynamic loader
#   /etc/ssl/certs/ca-certificates.crt, /etc/idaas/{default,local}.toml, /etc/passwd, /etc/group
# Tags: idaas/<service>:<12-hex revision>, never latest. Prints each image's size.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

BUILDAH=(buildah --storage-driver vfs)
UID_GID=65532

ensure_buildah() {
  command -v buildah >/dev/null && return
  [[ $(id -u) -eq 0 ]] || die "buildah not found; install it (apt-get install -y buildah)"
  log "installing buildah (apt-get)"
  apt-get update -qq >/dev/null && apt-get install -y -qq buildah >/dev/null ||
    die "apt-get install buildah failed"
}

revision() { git rev-parse --short=12 HEAD 2>/dev/null || echo unknown; }

# Copies a file and the directories above it into the root filesystem, resolving symlinks to
# what they point at (the loader finds libraries by the names ldd prints).
copy_into() {
  local src="$1" rootfs="$2"
  mkdir -p "$rootfs$(dirname "$src")"
  cp -L "$src" "$rootfs$src"
}

prepare_rootfs() {
  local svc="$1" dir="$2" bin="$3"
  local rootfs="$dir/rootfs"
  rm -rf "$dir"
  mkdir -p "$rootfs/usr/local/bin" "$rootfs/etc/idaas" "$rootfs/etc/ssl/certs"
  cp "$bin" "$rootfs/usr/local/bin/idaas-service"
  strip "$rootfs/usr/local/bin/idaas-service" 2>/dev/null || true
  # Every shared library the binary links, and the loader itself (the `=>` paths and the
  # absolute one ldd prints for ld-linux).
  local lib
  while read -r lib; do
    [[ -n "$lib" && -e "$lib" ]] && copy_into "$lib" "$rootfs"
  done < <(ldd "$bin" | awk '/=>/ { print $3 } !/=>/ && $1 ~ /^\// { print $1 }')
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  cp config/default.toml config/local.toml "$rootfs/etc/idaas/"
  printf 'root:x:0:0::/nonexistent:/sbin/nologin\nidaas:x:%s:%s::/nonexistent:/sbin/nologin\n' \
    "$UID_GID" "$UID_GID" > "$rootfs/etc/passwd"
  printf 'root:x:0:\nidaas:x:%s:\n' "$UID_GID" > "$rootfs/etc/group"
}

main() {
  local services=("$@")
  ((${#services[@]})) || services=("${SERVICES[@]}")
  ensure_buildah
  local rev; rev="$(revision)"
  local pkgs=()
  for s in "${services[@]}"; do pkgs+=(-p "$s"); done
  log "building (release): ${services[*]}"
  IDAAS_GIT_REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
    cargo build --release "${pkgs[@]}"
  local target="${CARGO_TARGET_DIR:-$ROOT/target}"
  printf '%-20s %-40s %s\n' service image size >&2
  for s in "${services[@]}"; do
    local dir="$RUN_DIR/images/$s"
    prepare_rootfs "$s" "$dir" "$target/release/$s"
    "${BUILDAH[@]}" bud --quiet --isolation chroot --layers=false \
      --build-arg "SERVICE=$s" --build-arg "REVISION=$rev" \
      -t "idaas/$s:$rev" -f "$ROOT/deploy/images/Containerfile" "$dir" >/dev/null
    printf '%-20s %-40s %s\n' "$s" "idaas/$s:$rev" \
      "$("${BUILDAH[@]}" images --noheading --format '{{.Size}}' "idaas/$s:$rev")" >&2
  done
}

main "$@"
