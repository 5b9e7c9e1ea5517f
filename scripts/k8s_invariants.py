"""Least-privilege and deployability invariants of a rendered manifest set (docs/k8s.md).

    IDAAS_SERVICES="gateway identity ..." \
    python k8s_invariants.py <rendered.yaml> base|overlay <label> <topic suffix>...

`base` is k8s/base alone, which leaves Secrets, image tags and topics to the overlays; `overlay`
is a deployable render (deploy/<env>), where those must be there too. Exit 1 listing every
violation. Run by scripts/k8s-validate.sh with the venv's python (PyYAML).
"""
import re
import sys

import yaml

import os

rendered, mode, label, topic_suffixes = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
services = os.environ["IDAAS_SERVICES"].split()
overlay = mode == "overlay"
with open(rendered) as f:
    docs = [d for d in yaml.safe_load_all(f) if d]
by_kind = {}
for d in docs:
    by_kind.setdefault(d["kind"], []).append(d)
errors = []
name = lambda d: d["metadata"]["name"]
nsof = lambda d: d["metadata"].get("namespace", "")
# The platform's own workloads; an overlay may add others (local data stores) that these
# rules do not describe.
ours = lambda d: (d["metadata"].get("labels") or {}).get("app.kubernetes.io/part-of") == "idaas"

# kustomize's generators append "-<10-char hash>" to a Secret's name and rewrite references.
def is_name(ref, base):
    return ref == base or re.fullmatch(re.escape(base) + r"-[a-z0-9]{10}", ref) is not None

# The token signing key mints tokens for every tenant: identity's Secret only.
secrets = {(nsof(s), name(s)): s for s in by_kind.get("Secret", [])}
external = {(nsof(e), ((e["spec"].get("target") or {}).get("name") or name(e))): e
            for e in by_kind.get("ExternalSecret", [])}
for (ns, sname), s in secrets.items():
    keys = set(s.get("data") or {}) | set(s.get("stringData") or {})
    if not is_name(sname, "idaas-identity-keys") and any("TOKEN_SIGNING_KEY" in k for k in keys):
        errors.append(f"Secret {sname} holds a TOKEN_SIGNING_KEY (only idaas-identity-keys may)")
# An ExternalSecret is judged by what it fetches, not by the names it gives things: a service's
# reads only its own entry (idaas/<service>) and the shared Redis and PostgreSQL host entries;
# the bootstrap's only the PostgreSQL ones and each service's db_password; nobody's the token
# signing key but identity's; and none takes whole entries (dataFrom).
for (ns, sname), e in external.items():
    spec = e["spec"]
    if spec.get("dataFrom"):
        errors.append(f"ExternalSecret {sname}: dataFrom fetches whole entries; list each key")
    refs = [((d.get("remoteRef") or {}).get("key"), (d.get("remoteRef") or {}).get("property"))
            for d in spec.get("data") or []]
    owner = re.fullmatch(r"idaas-(.+)-keys", sname)
    kafka_user = re.fullmatch(r"idaas-kafka-(.+)", sname)
    for key, prop in refs:
        if kafka_user and (key, prop) != (f"idaas/{kafka_user.group(1)}", "kafka_password"):
            errors.append(f"ExternalSecret {sname} fetches {key}/{prop}: a Kafka user's Secret "
                          f"holds only that user's kafka_password")
        if prop == "token_signing_key" and sname != "idaas-identity-keys":
            errors.append(f"ExternalSecret {sname} fetches the token signing key (only identity's may)")
        if owner and key not in (f"idaas/{owner.group(1)}", "idaas/redis", "idaas/postgres"):
            errors.append(f"ExternalSecret {sname} fetches {key}: not its own entry")
        if sname == "idaas-db-bootstrap" and not (
                key in ("idaas/postgres", "idaas/postgres-admin") or prop == "db_password"):
            errors.append(f"ExternalSecret {sname} fetches {key}/{prop}: more than it needs")

# Shared ConfigMaps carry no credentials (public keys and CA certificates are not credentials).
credential = re.compile(r"REDIS__URL|DATABASE__URL|__KEYS__|SIGNING_KEY|PASSWORD")
for cm in by_kind.get("ConfigMap", []):
    for k, v in (cm.get("data") or {}).items():
        public = k.endswith("_PUBLIC_KEY") or "__PUBLIC_KEYS__" in k
        if (credential.search(k) and not public) or re.search(r"^\w+://[^/@\s]*:[^/@\s]*@", str(v)):
            errors.append(f"ConfigMap {name(cm)}: {k} looks like a credential; move it to a Secret")
        if "PRIVATE KEY" in str(v):
            errors.append(f"ConfigMap {name(cm)}: {k} holds a private key")

policies = by_kind.get("NetworkPolicy", [])
def types(p):
    return set(p["spec"].get("policyTypes") or [])
deployments = [d for d in by_kind.get("Deployment", []) if ours(d)]
# Exactly the platform's services, none missing, none unlabelled (which would skip every rule).
present = {name(d) for d in deployments}
for svc in services:
    if svc not in present:
        errors.append(f"Deployment {svc}: missing, or not labelled app.kubernetes.io/part-of: idaas")
for d in deployments:
    if name(d) not in services:
        errors.append(f"Deployment {name(d)}: part of idaas but not one of its services {services}")
for ns in {nsof(d) for d in deployments}:
    if not any(nsof(p) == ns and p["spec"].get("podSelector") == {}
               and types(p) >= {"Ingress", "Egress"}
               and not p["spec"].get("ingress") and not p["spec"].get("egress")
               for p in policies):
        errors.append(f"namespace {ns!r}: no default-deny NetworkPolicy (ingress and egress)")

for dep in deployments:
    dname, ns = name(dep), nsof(dep)
    pod = dep["spec"]["template"]
    labels = pod["metadata"].get("labels") or {}
    containers = pod["spec"]["containers"]

    # Its own Secret, and nothing else; in a deployable render that Secret exists.
    own = f"idaas-{dname}-keys"
    refs = [e["secretRef"]["name"] for c in containers for e in c.get("envFrom") or []
            if "secretRef" in e]
    refs += [e["valueFrom"]["secretKeyRef"]["name"] for c in containers for e in c.get("env") or []
             if "secretKeyRef" in (e.get("valueFrom") or {})]
    if len(set(refs)) != 1 or not all(is_name(r, own) for r in refs):
        errors.append(f"Deployment {dname}: reads Secrets {sorted(set(refs))}, expected only {own}")
    if overlay and refs and (ns, refs[0]) not in secrets and (ns, refs[0]) not in external:
        errors.append(f"Deployment {dname}: Secret {refs[0]} is neither in the render nor an "
                      f"ExternalSecret's target")

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

if overlay:
    # Every image pinned: a digest, or a tag that is not `latest`; ours by the 12-hex revision
    # `make images` tags with (scripts/pin-images.sh).
    workloads = [w for k in ("Deployment", "StatefulSet", "DaemonSet", "Job")
                 for w in by_kind.get(k, [])]
    for w in workloads:
        spec = w["spec"]["template"]["spec"]
        for c in (spec.get("initContainers") or []) + spec["containers"]:
            image = c["image"]
            repo, _, tag = image.rpartition(":") if ":" in image.rsplit("/", 1)[-1] else (image, "", "")
            if "@sha256:" in image:
                continue
            if not tag or tag == "latest":
                errors.append(f"{w['kind']} {name(w)}: image {image} is not pinned")
            elif re.search(r"(^|/)idaas/[a-z-]+$", repo) and not re.fullmatch(r"[0-9a-f]{12}", tag):
                errors.append(f"{w['kind']} {name(w)}: image {image}: expected a 12-hex revision tag")

    # Topics: declared (a KafkaTopic per topic), or created by the services; never both unsaid.
    config = {}
    for cm in by_kind.get("ConfigMap", []):
        if name(cm) == "idaas-config":
            config = cm.get("data") or {}
    prefix = config.get("IDAAS__KAFKA__TOPIC_PREFIX", "idaas.")
    creates = str(config.get("IDAAS__KAFKA__CREATE_TOPICS", "false")).lower() == "true"
    declared = {(t["spec"].get("topicName") or name(t)) for t in by_kind.get("KafkaTopic", [])}
    wanted = {prefix + s for s in topic_suffixes}
    if declared and creates:
        errors.append("KafkaTopics are declared and IDAAS__KAFKA__CREATE_TOPICS is true: pick one")
    if not creates and wanted - declared:
        errors.append(f"topics neither declared as KafkaTopics nor created by the services: "
                      f"{sorted(wanted - declared)}")
    # Strimzi's bootstrap Service is <cluster>-kafka-bootstrap.<namespace>: topics and users must
    # be for that cluster, in that namespace, or its operators never see them.
    broker = str(config.get("IDAAS__KAFKA__BROKERS", "")).split(",")[0]
    m = re.match(r"([a-z0-9-]+)-kafka-bootstrap\.([a-z0-9-]+)", broker)

    # Kafka with SASL: every service logs in as its own KafkaUser (idaas-<service>, same
    # cluster and namespace as the topics), whose password comes from a Secret that exists
    # there; ACLs never grant All, never Write to a topic prefix, and nothing on the cluster but
    # IdempotentWrite.
    users = {name(u): u for u in by_kind.get("KafkaUser", [])}
    if str(config.get("IDAAS__KAFKA__SECURITY_PROTOCOL", "")).lower().startswith("sasl"):
        for svc in services:
            own = f"idaas-{svc}-keys"
            template = {}
            for (ns, sname), e in external.items():
                if sname == own:
                    template = (e["spec"]["target"].get("template") or {}).get("data") or {}
            for (ns, sname), sec in secrets.items():
                if is_name(sname, own):
                    template = {**(sec.get("stringData") or {}), **(sec.get("data") or {})}
            user = template.get("IDAAS__KAFKA__SASL_USERNAME")
            if user != f"idaas-{svc}":
                errors.append(f"{svc}: Kafka user {user!r} in its Secret, expected idaas-{svc}")
            elif user not in users:
                errors.append(f"{svc}: no KafkaUser {user}")
            if "IDAAS__KAFKA__SASL_PASSWORD" not in template:
                errors.append(f"{svc}: no IDAAS__KAFKA__SASL_PASSWORD in its Secret")
    for uname, u in users.items():
        cluster = (u["metadata"].get("labels") or {}).get("strimzi.io/cluster")
        if not m or (cluster, nsof(u)) != (m.group(1), m.group(2)):
            errors.append(f"KafkaUser {uname}: not for the services' cluster ({broker!r})")
        ref = ((((u["spec"].get("authentication") or {}).get("password") or {})
                .get("valueFrom") or {}).get("secretKeyRef") or {}).get("name")
        if ref and (nsof(u), ref) not in secrets and (nsof(u), ref) not in external:
            errors.append(f"KafkaUser {uname}: password Secret {ref} is not provided")
        for acl in ((u["spec"].get("authorization") or {}).get("acls") or []):
            res, ops = acl.get("resource") or {}, set(acl.get("operations") or [])
            if "All" in ops:
                errors.append(f"KafkaUser {uname}: an ACL grants All")
            if res.get("type") == "cluster" and ops - {"IdempotentWrite"}:
                errors.append(f"KafkaUser {uname}: cluster operations {sorted(ops)}")
            if (res.get("type") == "topic" and res.get("patternType") == "prefix"
                    and ops & {"Write", "Delete", "Alter", "AlterConfigs", "Create"}):
                errors.append(f"KafkaUser {uname}: {sorted(ops)} on every topic {res.get('name')}*")

    for t in by_kind.get("KafkaTopic", []):
        cfg = t["spec"].get("config") or {}
        replicas, isr = t["spec"].get("replicas", 1), int(cfg.get("min.insync.replicas", 1))
        if replicas < 3 or isr < 2 or isr >= replicas:
            errors.append(f"KafkaTopic {name(t)}: needs replicas >= 3 and "
                          f"2 <= min.insync.replicas < replicas (a broker may be down)")
        cluster = (t["metadata"].get("labels") or {}).get("strimzi.io/cluster")
        if not m or (cluster, nsof(t)) != (m.group(1), m.group(2)):
            errors.append(f"KafkaTopic {name(t)}: cluster {cluster!r} in {nsof(t)!r} is not the "
                          f"Strimzi cluster the services use ({broker!r})")

    # An overlay that generates its own Secrets (no external store) must be complete; one that
    # takes them from a store keeps placeholders only for what its operator must supply (public
    # keys, CA), and they are listed, since services refuse to start with them.
    placeholders = [f"{d['kind']} {name(d)}" for d in docs
                    if d["kind"] in ("Secret", "ConfigMap") and "REPLACE-ME" in yaml.safe_dump(d)]
    if placeholders and not external:
        errors += [f"{p}: still holds a REPLACE-ME placeholder" for p in placeholders]
    elif placeholders:
        print(f"k8s-validate: {label}: to supply before deploying (REPLACE-ME): "
              f"{', '.join(placeholders)}", file=sys.stderr)

for e in errors:
    print(f"  {e}", file=sys.stderr)
if not errors:
    extra = ("; Secrets present, images pinned, topics accounted for" if overlay else "")
    print(f"k8s-validate: {label}: least privilege: {len(deployments)} Deployments, each with its "
          f"own Secret and NetworkPolicy behind a default deny; token signing key only in "
          f"identity's Secret{extra}", file=sys.stderr)
sys.exit(1 if errors else 0)
