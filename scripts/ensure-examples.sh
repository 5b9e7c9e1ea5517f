#!/usr/bin/env bash
# The integrator examples' dependencies, so `make test` can run both examples against the
# platform (tests/tests/it/examples.rs): examples/python's pinned requirements in
# .run/venv-examples, examples/node's locked packages (npm ci) in examples/node/node_modules.
# Each is installed again only when its pins change. Needs python3 (venv) and Node.js 20+.
# What cannot be installed is reported and left out: the examples test then fails, saying so,
# and every other test still runs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

VENV="$ROOT/.run/venv-examples"
PY_PINS="$ROOT/examples/python/requirements.txt"
NODE_DIR="$ROOT/examples/node"

fingerprint() { sha256sum "$1" | cut -d' ' -f1; }

python_deps() {
  command -v python3 >/dev/null || { warn "examples/python: python3 not found"; return; }
  [[ "$(cat "$VENV/.pins" 2>/dev/null)" == "$(fingerprint "$PY_PINS")" ]] && return
  log "installing examples/python's requirements into .run/venv-examples"
  if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    # A venv made without ensurepip (Debian without python3-venv) is unusable: start again.
    rm -rf "$VENV"
    if ! { python3 -m venv "$VENV" && "$VENV/bin/python" -m pip --version; } >/dev/null 2>&1; then
      rm -rf "$VENV"
      warn "examples/python: python3 -m venv failed (apt-get install -y python3-venv)"
      return
    fi
  fi
  if "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$PY_PINS" >&2; then
    fingerprint "$PY_PINS" >"$VENV/.pins"
  else
    warn "examples/python: could not install requirements.txt"
  fi
}

node_deps() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    warn "examples/node: Node.js 20+ with npm not found"
    return
  fi
  local major lock="$NODE_DIR/package-lock.json"
  major="$(node -p 'process.versions.node.split(".")[0]')"
  ((major >= 20)) || { warn "examples/node needs Node.js 20 or later (found $(node --version))"; return; }
  if [[ -d "$NODE_DIR/node_modules/jose" ]] &&
    [[ "$(cat "$NODE_DIR/node_modules/.pins" 2>/dev/null)" == "$(fingerprint "$lock")" ]]; then
    return
  fi
  log "installing examples/node's packages (npm ci)"
  if (cd "$NODE_DIR" && npm ci --loglevel=error --no-audit --no-fund >&2); then
    fingerprint "$lock" >"$NODE_DIR/node_modules/.pins"
  else
    warn "examples/node: npm ci failed"
  fi
}

python_deps
node_deps
