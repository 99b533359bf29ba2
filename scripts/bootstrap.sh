#!/usr/bin/env bash
# Create .venv and install cdcml with its test extra. Idempotent: reinstalls only when
# pyproject.toml, hatch_build.py or the version (src/cdcml/__init__.py) changed since the last
# successful bootstrap.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "bootstrap: creating $VENV" >&2
  "$PYTHON" -m venv "$VENV"
fi
STAMP="$VENV/.cdcml-bootstrap"
# (the guardrails pack's requirements.txt pins the released cdcml for publication; nothing
# here installs it, so it is not part of the stamp)
WANT="$(cat "$ROOT/pyproject.toml" "$ROOT/hatch_build.py" "$ROOT/src/cdcml/__init__.py" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  echo "bootstrap: installing cdcml and its test dependencies into .venv" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT[test]"
  echo "$WANT" > "$STAMP"
fi

# Test-only Node tools (the Azurite blob emulator for the azblob:// backend tests),
# installed from the committed lockfile.
if [ -f "$ROOT/tools/package-lock.json" ]; then
  NODE_STAMP="$ROOT/tools/node_modules/.cdcml-bootstrap"
  NODE_WANT="$(sha256sum "$ROOT/tools/package-lock.json" | cut -d' ' -f1)"
  if [ ! -f "$NODE_STAMP" ] || [ "$(cat "$NODE_STAMP")" != "$NODE_WANT" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "bootstrap: npm is needed for the Azurite emulator (tools/package.json)" >&2
      exit 1
    fi
    echo "bootstrap: installing test tools (npm ci --prefix tools)" >&2
    npm ci --prefix "$ROOT/tools" --no-audit --no-fund --loglevel=error >&2
    echo "$NODE_WANT" > "$NODE_STAMP"
  fi
fi
