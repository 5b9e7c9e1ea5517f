#!/usr/bin/env bash
# Renders k8s/base and every overlay in deploy/ and checks each (part of `make lint`; works
# from any directory):
#   1. render k8s/base with `kubectl kustomize`, else `kustomize build`, else an embedded python
#      renderer; overlays (generators, patches) need kubectl or kustomize;
#   2. validate every rendered document against the Kubernetes OpenAPI schemas, strictly
#      (unknown fields are errors), with the PyPI package kubernetes-validate; custom resources
#      (KafkaTopic, ExternalSecret) against the schemas kept in k8s/schemas, as strictly
#      (scripts/k8s_schemas.py);
#   3. check the invariants of docs/k8s.md (scripts/k8s_invariants.py): the token signing key
#      only in identity's Secret, each Deployment reads only its own Secret and has its own
#      NetworkPolicy behind a default deny, no credentials in the ConfigMap, probe paths, no
#      service account token, a grace period and a PodDisruptionBudget per Deployment, an
#      ingress that routes no /actuator path; in overlays also: every Secret present (or an
#      ExternalSecret's target), every image pinned (never latest), every topic declared or
#      created, no placeholder left in a self-contained overlay; and the checker itself: a copy
#      of the production render broken one rule at a time must fail on that rule
#      (scripts/k8s_invariants_selftest.py).
# The local overlay's keys are generated first if missing (scripts/k8s-local-secrets.sh).
# Needs python3. The first run creates .run/venv-k8s and installs kubernetes-validate from PyPI.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="$ROOT/k8s/base"
# TOPIC_SUFFIXES (and k8s-local-secrets.sh's helpers); log/die below are this script's own.
source "$ROOT/scripts/lib.sh"
VENV="$ROOT/.run/venv-k8s"
# Pinned: `pip index versions kubernetes-validate` lists it. It ships schemas for 1.25..1.34.
KV_VERSION="1.34.1"
# The oldest Kubernetes we support running on; a field newer than this is an error. 1.32: the
# ConfigMap has IDAAS__SERVICES__WEBHOOK-DISPATCHER__URL, and envFrom drops names with "-" before
# 1.32 (RelaxedEnvironmentVariableValidation, on by default since 1.32).
K8S_VERSION="1.32.0"

log() { printf 'k8s-validate: %s\n' "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# --- 0. tools -----------------------------------------------------------------------------
have_validator() {
  [[ -x "$VENV/bin/kubernetes-validate" ]] &&
    "$VENV/bin/python" - "$KV_VERSION" 2>/dev/null <<'PY'
import importlib.metadata, sys
sys.exit(importlib.metadata.version("kubernetes-validate") != sys.argv[1])
PY
}
if ! have_validator; then
  command -v python3 >/dev/null || die "python3 is required"
  log "installing kubernetes-validate==$KV_VERSION into .run/venv-k8s"
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "kubernetes-validate==$KV_VERSION" || die "could not install kubernetes-validate"
  have_validator || die "kubernetes-validate $KV_VERSION is not usable in $VENV"
fi
# The venv's python has PyYAML (a kubernetes-validate dependency); the snippets below use it.
PY="$VENV/bin/python"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
rendered="$tmp/rendered.yaml"

# --- 1. render ----------------------------------------------------------------------------
# Fallback renderer: exact for what k8s/base/kustomization.yaml may use, and it refuses the
# rest rather than guess: `namespace` (set on namespaced objects; a Namespace object is renamed
# to it, as kustomize does), `resources` (plain files, concatenated), and `labels` entries with
# only `pairs` (added to metadata.labels). commonLabels is refused: kustomize also rewrites
# selectors with it, NetworkPolicy peers included. When kubectl/kustomize is present, the
# fallback is run as well and compared with it, so it cannot drift unnoticed.
render_fallback() {
  "$PY" - "$BASE" <<'PY'
import os, sys, yaml

base = sys.argv[1]
with open(os.path.join(base, "kustomization.yaml")) as f:
    k = yaml.safe_load(f) or {}

def refuse(why):
    sys.exit(f"fallback renderer: {why}; install kubectl or kustomize to render this")

extra = set(k) - {"apiVersion", "kind", "namespace", "resources", "labels"}
if extra:
    refuse(f"unsupported kustomization fields {sorted(extra)}")
pairs = {}
for entry in k.get("labels") or []:
    if set(entry) - {"pairs"}:
        refuse("labels entries may only have `pairs` (no includeSelectors/includeTemplates)")
    pairs.update({str(a): str(b) for a, b in entry["pairs"].items()})

# Kinds whose namespace handling is just metadata.namespace (or the Namespace rename).
namespaced = {"ConfigMap", "Secret", "Service", "ServiceAccount", "Deployment", "StatefulSet",
              "DaemonSet", "Job", "CronJob", "NetworkPolicy", "Ingress",
              "PodDisruptionBudget", "HorizontalPodAutoscaler"}
ns = k.get("namespace")
docs = []
for res in k.get("resources") or []:
    path = os.path.join(base, res)
    if not os.path.isfile(path):
        refuse(f"resource {res!r} is not a plain file")
    with open(path) as f:
        for doc in yaml.safe_load_all(f):
            if doc is None:
                continue
            kind = doc.get("kind")
            meta = doc.setdefault("metadata", {})
            if ns:
                if kind == "Namespace":
                    meta["name"] = ns
                elif kind in namespaced:
                    meta["namespace"] = ns
                else:
                    refuse(f"kind {kind} ({res}) is not modelled")
            if pairs:
                meta["labels"] = {**(meta.get("labels") or {}), **pairs}
            docs.append(doc)
yaml.safe_dump_all(docs, sys.stdout, sort_keys=False)
PY
}

if command -v kubectl >/dev/null; then
  renderer="kubectl kustomize"
  kubectl kustomize "$BASE" >"$rendered" || die "kubectl kustomize k8s/base"
elif command -v kustomize >/dev/null; then
  renderer="kustomize build"
  kustomize build "$BASE" >"$rendered" || die "kustomize build k8s/base"
else
  renderer="embedded python renderer"
fi
if [[ "$renderer" == "embedded python renderer" ]]; then
  render_fallback >"$rendered" || die "rendering k8s/base"
else
  render_fallback >"$tmp/fallback.yaml" || die "the fallback renderer refused k8s/base"
  "$PY" - "$rendered" "$tmp/fallback.yaml" <<'PY' || die "fallback renderer differs from $renderer"
import sys, yaml
def load(p):
    with open(p) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    key = lambda d: (d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"])
    return {key(d): d for d in docs}
real, fallback = load(sys.argv[1]), load(sys.argv[2])
bad = sorted(k for k in real.keys() | fallback.keys() if real.get(k) != fallback.get(k))
for k in bad:
    print(f"  differs: {'/'.join(k)}", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
fi
count="$(grep -c '^kind:' "$rendered" || true)"
log "rendered k8s/base with $renderer: $count documents"

# --- 2. schemas ---------------------------------------------------------------------------
# --quiet prints only warnings and failures. A warning is a kind without a schema (a typo'd
# kind or apiVersion), which must fail too: custom kinds are split off first and checked
# against k8s/schemas instead.
validate_schemas() {
  local file="$1" label="$2" core="$tmp/core.yaml" out rc count
  "$PY" "$ROOT/scripts/k8s_schemas.py" "$file" "$core" "$ROOT/k8s/schemas" ||
    die "$label: custom resources against k8s/schemas"
  count="$(grep -c '^kind:' "$core" || true)"
  out="$("$VENV/bin/kubernetes-validate" --strict --quiet -k "$K8S_VERSION" "$core" 2>&1)" &&
    rc=0 || rc=$?
  if [[ $rc -ne 0 || -n "$out" ]]; then
    printf '%s\n' "$out" | sed "s|$core|$label|" >&2
    die "$label: schema validation against Kubernetes $K8S_VERSION (strict)"
  fi
  log "$label: all $count built-in documents valid for Kubernetes ${K8S_VERSION%.0} (strict, kubernetes-validate $KV_VERSION)"
}

# --- 3. invariants ------------------------------------------------------------------------
check_invariants() {
  IDAAS_SERVICES="${SERVICES[*]}" \
    "$PY" "$ROOT/scripts/k8s_invariants.py" "$1" "$2" "$3" "${TOPIC_SUFFIXES[@]}" ||
    die "$3: invariants (docs/k8s.md)"
}

validate_schemas "$rendered" "k8s/base"
check_invariants "$rendered" base "k8s/base"

# --- overlays -----------------------------------------------------------------------------
if [[ "$renderer" == "embedded python renderer" ]]; then
  die "the overlays in deploy/ need kubectl (kubectl kustomize) or kustomize to render"
fi
[[ -x "$ROOT/scripts/k8s-local-secrets.sh" ]] && "$ROOT/scripts/k8s-local-secrets.sh"
overlays=0
for kustomization in "$ROOT"/deploy/*/kustomization.yaml; do
  dir="$(dirname "$kustomization")"
  label="deploy/$(basename "$dir")"
  out="$tmp/overlay.yaml"
  if [[ "$renderer" == "kubectl kustomize" ]]; then
    kubectl kustomize "$dir" >"$out" || die "kubectl kustomize $label"
  else
    kustomize build "$dir" >"$out" || die "kustomize build $label"
  fi
  log "rendered $label with $renderer: $(grep -c '^kind:' "$out" || true) documents"
  validate_schemas "$out" "$label"
  check_invariants "$out" overlay "$label"
  if [[ "$label" == deploy/production ]]; then
    # The checker itself: every rule must reject a copy of this render that breaks it.
    IDAAS_SERVICES="${SERVICES[*]}" \
      "$PY" "$ROOT/scripts/k8s_invariants_selftest.py" "$out" "${TOPIC_SUFFIXES[@]}" >&2 ||
      die "the invariant checker let a broken render through"
  fi
  overlays=$((overlays + 1))
done
((overlays >= 2)) || die "expected the local and production overlays in deploy/, found $overlays"

log "OK"
