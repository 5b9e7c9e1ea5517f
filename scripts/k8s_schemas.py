"""Custom resources of a rendered manifest set, validated against the schemas kept in
k8s/schemas/ (each the CRD's openAPIV3Schema, with its source in "x-source").

    python k8s_schemas.py <rendered.yaml> <core-out.yaml> <schemas dir>

Writes the Kubernetes built-in documents to <core-out.yaml> (for kubernetes-validate) and checks
every other one here, as strictly as kubernetes-validate --strict: an unknown field is an error
(CRD schemas do not say additionalProperties: false, so it is added to every object that lists
its properties and does not preserve unknown fields). A custom kind without a kept schema is an
error, never a skip. Run by scripts/k8s-validate.sh with the venv's python.
"""
import copy
import json
import os
import sys

import jsonschema
import yaml

rendered, core_out, schemas = sys.argv[1:4]
BUILTIN = {"", "apps", "batch", "policy", "autoscaling"}


def builtin(api_version):
    group = api_version.rpartition("/")[0] if "/" in api_version else ""
    return group in BUILTIN or group.endswith(".k8s.io")


def strict(schema):
    schema = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if ("properties" in node and "additionalProperties" not in node
                    and not node.get("x-kubernetes-preserve-unknown-fields")):
                node["additionalProperties"] = False
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(schema)
    return schema


with open(rendered) as f:
    docs = [d for d in yaml.safe_load_all(f) if d]
core = [d for d in docs if builtin(d["apiVersion"])]
custom = [d for d in docs if not builtin(d["apiVersion"])]
with open(core_out, "w") as f:
    yaml.safe_dump_all(core, f, sort_keys=False)

errors, checked = [], {}
validators = {}
for d in custom:
    group, version = d["apiVersion"].split("/")
    key = f"{group}_{version}_{d['kind'].lower()}"
    path = os.path.join(schemas, key + ".json")
    label = f"{d['kind']} {d['metadata'].get('name')}"
    if key not in validators:
        if not os.path.isfile(path):
            errors.append(f"{label}: no schema k8s/schemas/{key}.json for {d['apiVersion']}")
            continue
        with open(path) as f:
            schema = json.load(f)
        schema.pop("x-source", None)
        validators[key] = jsonschema.Draft4Validator(strict(schema))
    for e in validators[key].iter_errors(d):
        where = "/".join(str(p) for p in e.absolute_path) or "(top)"
        errors.append(f"{label}: {where}: {e.message}")
    checked[d["kind"]] = checked.get(d["kind"], 0) + 1

for e in errors:
    print(f"  {e}", file=sys.stderr)
if not errors and checked:
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(checked.items()))
    print(f"k8s-validate: custom resources valid against k8s/schemas ({kinds})", file=sys.stderr)
sys.exit(1 if errors else 0)
