#!/usr/bin/env bash
# Renders k8s/base and checks it (part of `make lint`; works from any directory):
#   1. render with `kubectl kustomize`, else `kustomize build`, else an embedded python renderer;
#   2. validate every rendered document against the Kubernetes OpenAPI schemas, strictly
#      (unknown fields are errors), with the PyPI package kubernetes-validate;
#   3. check the least-privilege invariants of docs/k8s.md: the token signing key only in
#      identity's Secret, each Deployment reads only its own Secret and has its own
#      NetworkPolicy behind a default deny, no credentials in the ConfigMap, probe paths, no
#      service account token, a grace period and a PodDisruptionBudget per Deployment, and an
#      ingress that routes no /actuator path.
# Needs python3. The first run creates .run/venv-k8s and installs kubernetes-validate from PyPI.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="$ROOT/k8s/base"
VENV="$ROOT/.run/venv-k8s"
# Pinned: `pip index versions kubernetes-validate` lists it. It ships schemas for 1.25..1.34.
KV_VERSION="1.34.1"
# The oldest Kubernetes we support running on; a field newer than this is an error.
K8S_VERSION="1.30.0"

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
# kind or apiVersion), which must fail too, since everything here is a core kind.
out="$("$VENV/bin/kubernetes-validate" --strict --quiet -k "$K8S_VERSION" "$rendered" 2>&1)" &&
  rc=0 || rc=$?
if [[ $rc -ne 0 || -n "$out" ]]; then
  printf '%s\n' "$out" | sed "s|$rendered|rendered|" >&2
  die "schema validation against Kubernetes $K8S_VERSION (strict)"
fi
log "schemas: all $count documents valid for Kubernetes ${K8S_VERSION%.0} (strict, kubernetes-validate $KV_VERSION)"

# --- 3. least-privilege invariants --------------------------------------------------------
"$PY" - "$rendered" <<'PY' || die "least-privilege checks"
import re, sys, yaml

with open(sys.argv[1]) as f:
    docs = [d for d in yaml.safe_load_all(f) if d]
by_kind = {}
for d in docs:
    by_kind.setdefault(d["kind"], []).append(d)
errors = []
name = lambda d: d["metadata"]["name"]
nsof = lambda d: d["metadata"].get("namespace", "")

# The token signing key mints tokens for every tenant: identity's Secret only.
secrets = {(nsof(s), name(s)): s for s in by_kind.get("Secret", [])}
for (ns, sname), s in secrets.items():
    keys = set(s.get("data") or {}) | set(s.get("stringData") or {})
    if sname != "idaas-identity-keys" and any("TOKEN_SIGNING_KEY" in k for k in keys):
        errors.append(f"Secret {sname} holds a TOKEN_SIGNING_KEY (only idaas-identity-keys may)")

# Shared ConfigMaps carry no credentials (public keys are not credentials).
credential = re.compile(r"REDIS__URL|DATABASE__URL|__KEYS__|SIGNING_KEY|PASSWORD")
for cm in by_kind.get("ConfigMap", []):
    for k, v in (cm.get("data") or {}).items():
        public = k.endswith("_PUBLIC_KEY") or "__PUBLIC_KEYS__" in k
        if (credential.search(k) and not public) or re.search(r"^\w+://[^/@\s]*:[^/@\s]*@", str(v)):
            errors.append(f"ConfigMap {name(cm)}: {k} looks like a credential; move it to a Secret")

policies = by_kind.get("NetworkPolicy", [])
def types(p):
    return set(p["spec"].get("policyTypes") or [])
for ns in {nsof(d) for d in by_kind.get("Deployment", [])}:
    if not any(nsof(p) == ns and p["spec"].get("podSelector") == {}
               and types(p) >= {"Ingress", "Egress"}
               and not p["spec"].get("ingress") and not p["spec"].get("egress")
               for p in policies):
        errors.append(f"namespace {ns!r}: no default-deny NetworkPolicy (ingress and egress)")

for dep in by_kind.get("Deployment", []):
    dname, ns = name(dep), nsof(dep)
    pod = dep["spec"]["template"]
    labels = pod["metadata"].get("labels") or {}
    containers = pod["spec"]["containers"]

    # Its own Secret, and nothing else.
    own = f"idaas-{dname}-keys"
    refs = [e["secretRef"]["name"] for c in containers for e in c.get("envFrom") or []
            if "secretRef" in e]
    refs += [e["valueFrom"]["secretKeyRef"]["name"] for c in containers for e in c.get("env") or []
             if "secretKeyRef" in (e.get("valueFrom") or {})]
    if set(refs) != {own}:
        errors.append(f"Deployment {dname}: reads Secrets {sorted(set(refs))}, expected only {own}")
    if (ns, own) not in secrets:
        errors.append(f"Deployment {dname}: Secret {own} is not in the render")

    # Its own NetworkPolicy (exact selector, both directions), with ports it actually serves.
    mine = [p for p in policies if nsof(p) == ns
            and (sel := p["spec"].get("podSelector") or {}).get("matchLabels")
            and not sel.get("matchExpressions")
            and sel["matchLabels"].items() <= labels.items()
            and types(p) >= {"Ingress", "Egress"}]
    if not mine:
        errors.append(f"Deployment {dname}: no NetworkPolicy selects it for Ingress and Egress")
    served = {p["containerPort"] for c in containers for p in c.get("ports") or []}
    for p in mine:
        for rule in p["spec"].get("ingress") or []:
            for port in rule.get("ports") or []:
                if port.get("port") not in served:
                    errors.append(f"NetworkPolicy {name(p)}: ingress port {port.get('port')} "
                                  f"is not a port of {dname} {sorted(served)}")

    # Probes on the health endpoints; the startup probe allows 5 minutes.
    for c in containers:
        path = lambda probe: ((c.get(probe) or {}).get("httpGet") or {}).get("path")
        want = {"livenessProbe": "/actuator/health/liveness",
                "readinessProbe": "/actuator/health/readiness",
                "startupProbe": "/actuator/health/liveness"}
        for probe, p in want.items():
            if path(probe) != p:
                errors.append(f"Deployment {dname}: {probe} path {path(probe)!r}, expected {p}")
        sp = c.get("startupProbe") or {}
        if sp.get("failureThreshold", 3) * sp.get("periodSeconds", 10) < 300:
            errors.append(f"Deployment {dname}: startupProbe allows less than 5 minutes")

    # Hardened pods: its own ServiceAccount without a token, a grace period, a budget.
    spec = pod["spec"]
    if spec.get("automountServiceAccountToken") is not False:
        errors.append(f"Deployment {dname}: mounts a service account token")
    if not spec.get("terminationGracePeriodSeconds"):
        errors.append(f"Deployment {dname}: no terminationGracePeriodSeconds")
    budgets = [b for b in by_kind.get("PodDisruptionBudget", []) if nsof(b) == ns
               and ((b["spec"].get("selector") or {}).get("matchLabels") or {}).items() <= labels.items()]
    if not budgets:
        errors.append(f"Deployment {dname}: no PodDisruptionBudget")

# The ingress routes public paths only: never "/" as a whole, never /actuator.
for ing in by_kind.get("Ingress", []):
    for rule in ing["spec"].get("rules") or []:
        for path in (rule.get("http") or {}).get("paths") or []:
            pth = path.get("path") or "/"
            if pth == "/" or pth.startswith("/actuator"):
                errors.append(f"Ingress {name(ing)}: path {pth!r} would expose /actuator")

for e in errors:
    print(f"  {e}", file=sys.stderr)
deps = len(by_kind.get("Deployment", []))
if not errors:
    print(f"k8s-validate: least privilege: {deps} Deployments, each with its own Secret and "
          f"NetworkPolicy behind a default deny; token signing key only in idaas-identity-keys",
          file=sys.stderr)
sys.exit(1 if errors else 0)
PY

log "OK"
