#!/usr/bin/env bash
# The integrator examples' dependencies, so `make test` can run both examples against the
# platform (tests/tests/it/examples.rs): examples/python's pinned requirements in
# .run/venv-examples, examples/node's locked packages (npm ci) in examples/node/node_modules.
# Each is installed again only when its pins change. Needs python3 (venv) and Node.js 20+.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

VENV="$ROOT/.run/venv-examples"
PY_PINS="$ROOT/examples/python/requirements.txt"
NODE_DIR="$ROOT/examples/node"

fingerprint() { sha256sum "$1" | cut -d' ' -f1; }

command -v python3 >/dev/null || die "python3 is required for examples/python"
if [[ "$(cat "$VENV/.pins" 2>/dev/null)" != "$(fingerprint "$PY_PINS")" ]]; then
  log "installing examples/python's requirements into .run/venv-examples"
  if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    # A venv made without ensurepip (Debian without python3-venv) is unusable: start again.
    rm -rf "$VENV"
    python3 -m venv "$VENV" && "$VENV/bin/python" -m pip --version >/dev/null 2>&1 || {
      rm -rf "$VENV"
      die "python3 -m venv failed (apt-get install -y python3-venv)"
    }
  fi
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$PY_PINS" >&2 ||
    die "could not install examples/python/requirements.txt"
  fingerprint "$PY_PINS" >"$VENV/.pins"
fi

command -v node >/dev/null && command -v npm >/dev/null ||
  die "Node.js 20+ with npm is required for examples/node"
major="$(node -p 'process.versions.node.split(".")[0]')"
((major >= 20)) || die "examples/node needs Node.js 20 or later (found $(node --version))"
lock="$NODE_DIR/package-lock.json"
if [[ "$(cat "$NODE_DIR/node_modules/.pins" 2>/dev/null)" != "$(fingerprint "$lock")" ]]; then
  log "installing examples/node's packages (npm ci)"
  (cd "$NODE_DIR" && npm ci --silent --no-audit --no-fund >&2) || die "npm ci failed in examples/node"
  fingerprint "$lock" >"$NODE_DIR/node_modules/.pins"
fi
