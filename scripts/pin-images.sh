#!/usr/bin/env bash
# Pins an overlay's images to one revision: rewrites the newTag of every idaas/<service> entry
# under `images:` in deploy/<overlay>/kustomization.yaml.
#   bash scripts/pin-images.sh local               # the revision `make images` tags now (HEAD)
#   bash scripts/pin-images.sh production 0123456789ab
# A revision is the 12-hex commit `make images` tags with; nothing else (no latest) is accepted.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

overlay="${1:-}"
file="$ROOT/deploy/$overlay/kustomization.yaml"
[[ -n "$overlay" && -f "$file" ]] || die "usage: pin-images.sh <overlay in deploy/> [revision]"
rev="${2:-$(git -C "$ROOT" rev-parse --short=12 HEAD)}"
[[ "$rev" =~ ^[0-9a-f]{12}$ ]] || die "revision must be 12 hex digits (git rev-parse --short=12), got '$rev'"

before="$(grep -cE '^  - \{ name: idaas/[a-z-]+,.* newTag: ' "$file" || true)"
((before == ${#SERVICES[@]})) || die "$file: expected ${#SERVICES[@]} idaas/<service> image entries, found $before"
sed -i -E "s/^(  - \{ name: idaas\/[a-z-]+,.* newTag: )[^ }]+( \})/\1$rev\2/" "$file"
after="$(grep -cE "^  - \{ name: idaas/[a-z-]+,.* newTag: $rev \}" "$file" || true)"
((after == before)) || die "$file: pinned $after of $before images"
log "deploy/$overlay: ${#SERVICES[@]} images pinned to $rev"
