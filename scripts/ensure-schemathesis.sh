#!/usr/bin/env bash
# schemathesis, the property-based API tester `make test` runs against the gateway's OpenAPI
# document (tests/tests/api_schema.rs). Installed once from PyPI into .run/venv-schemathesis,
# pinned; prints the path of its executable. Needs python3 with venv.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# Pinned: `pip index versions schemathesis` lists it.
ST_VERSION="4.32.5"
VENV="$ROOT/.run/venv-schemathesis"
BIN="$VENV/bin/schemathesis"

installed() { [[ -x "$BIN" ]] && [[ "$("$BIN" --version 2>/dev/null)" == *" $ST_VERSION" ]]; }

if ! installed; then
  command -v python3 >/dev/null || die "python3 is required for schemathesis"
  log "installing schemathesis==$ST_VERSION into .run/venv-schemathesis (once)"
  if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    # A venv made without ensurepip (Debian without python3-venv) is unusable: start again.
    rm -rf "$VENV"
    { python3 -m venv "$VENV" && "$VENV/bin/python" -m pip --version; } >/dev/null 2>&1 || {
      rm -rf "$VENV"
      die "python3 -m venv failed (apt-get install -y python3-venv)"
    }
  fi
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "schemathesis==$ST_VERSION" >&2 || die "could not install schemathesis"
  installed || die "schemathesis $ST_VERSION is not usable in $VENV"
fi
echo "$BIN"
