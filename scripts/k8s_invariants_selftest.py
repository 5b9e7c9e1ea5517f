"""The invariant checker's own test: each rule must reject a render that breaks it.

    IDAAS_SERVICES="gateway identity ..." \
    python k8s_invariants_selftest.py <rendered production overlay> <topic suffix>...

Takes a render that passes (deploy/production), breaks one rule at a time in a copy, and runs
scripts/k8s_invariants.py on it: each copy must fail, naming what was broken. A checker that
stopped seeing a rule would otherwise pass every render silently. Run by scripts/k8s-validate.sh
with the venv's python (PyYAML). Exit 1 listing every rule the checker let through.
"""
import copy
import os
import subprocess
import sys
import tempfile

import yaml

rendered, topic_suffixes = sys.argv[1], sys.argv[2:]
checker = os.path.join(os.path.dirname(os.path.abspath(__file__)), "k8s_invariants.py")
with open(rendered) as f:
    original = [d for d in yaml.safe_load_all(f) if d]


def find(docs, kind, name=None):
    return [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]


def pod(docs, deployment):
    return find(docs, "Deployment", deployment)[0]["spec"]["template"]["spec"]


def signing_key_for_gateway(docs):
    find(docs, "ExternalSecret", "idaas-gateway-keys")[0]["spec"]["data"].append(
        {"secretKey": "k", "remoteRef": {"key": "idaas/identity", "property": "token_signing_key"}})


def gateway_reads_identity(docs):
    pod(docs, "gateway")["containers"][0]["envFrom"].append(
        {"secretRef": {"name": "idaas-identity-keys"}})


def no_default_deny(docs):
    docs[:] = [d for d in docs
               if not (d["kind"] == "NetworkPolicy" and d["spec"].get("podSelector") == {})]


def latest_image(docs):
    c = pod(docs, "ledger")["containers"][0]
    c["image"] = c["image"].rsplit(":", 1)[0] + ":latest"


def actuator_routed(docs):
    rule = find(docs, "Ingress")[0]["spec"]["rules"][0]
    path = copy.deepcopy(rule["http"]["paths"][0])
    path["path"] = "/actuator"
    rule["http"]["paths"].append(path)


def topic_missing(docs):
    topics = find(docs, "KafkaTopic")
    docs.remove(topics[0])


def credential_in_configmap(docs):
    find(docs, "ConfigMap", "idaas-config")[0]["data"]["IDAAS__DATABASE__PASSWORD"] = "x"


def no_budget(docs):
    docs.remove(find(docs, "PodDisruptionBudget")[0])


def acl_all(docs):
    user = find(docs, "KafkaUser", "idaas-gateway")[0]
    user["spec"]["authorization"]["acls"][0]["operations"] = ["All"]


def token_mounted(docs):
    pod(docs, "settlement")["automountServiceAccountToken"] = True


def unlabelled_service(docs):
    del find(docs, "Deployment", "identity")[0]["metadata"]["labels"]["app.kubernetes.io/part-of"]


# (what is broken, how, what the checker must say)
CASES = [
    ("the gateway fetches the token signing key", signing_key_for_gateway,
     "ExternalSecret idaas-gateway-keys fetches the token signing key"),
    ("the gateway reads identity's Secret", gateway_reads_identity, "Deployment gateway: reads Secrets"),
    ("no default-deny NetworkPolicy", no_default_deny, "no default-deny NetworkPolicy"),
    ("an image on latest", latest_image, "Deployment ledger: image"),
    ("the ingress routes /actuator", actuator_routed, "would expose /actuator"),
    ("a topic neither declared nor created", topic_missing, "topics neither declared"),
    ("a password in the shared ConfigMap", credential_in_configmap, "looks like a credential"),
    ("a Deployment without a PodDisruptionBudget", no_budget, "no PodDisruptionBudget"),
    ("a Kafka ACL granting All", acl_all, "an ACL grants All"),
    ("a service account token mounted", token_mounted, "Deployment settlement: mounts a service account token"),
    ("a service that escapes every rule by its label", unlabelled_service, "Deployment identity: missing"),
]


def check(docs):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        yaml.safe_dump_all(docs, f)
    try:
        return subprocess.run([sys.executable, checker, f.name, "overlay", "selftest", *topic_suffixes],
                              capture_output=True, text=True)
    finally:
        os.unlink(f.name)


baseline = check(copy.deepcopy(original))
if baseline.returncode != 0:
    sys.exit(f"the unbroken render does not pass, so nothing can be learned:\n{baseline.stdout}{baseline.stderr}")

missed = []
for what, breaks, says in CASES:
    docs = copy.deepcopy(original)
    breaks(docs)
    result = check(docs)
    said = result.stdout + result.stderr
    if result.returncode == 0 or says not in said:
        missed.append(f"{what}: expected a failure saying {says!r}, got exit {result.returncode}:\n{said}")
if missed:
    print("the invariant checker let through:\n" + "\n".join(missed), file=sys.stderr)
    sys.exit(1)
print(f"{len(CASES)} broken renders, each rejected for what was broken")
