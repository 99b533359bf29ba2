#!/usr/bin/env bash
# Regenerate requirements/lock.txt, the exact set ./scripts/bootstrap.sh installs into .venv:
# cdcml's dependencies and its test extra, resolved by pip-compile (pip-tools, installed in a
# throwaway venv) within pyproject.toml's ranges. Without arguments the versions already in
# the lock are kept where they still fit; pass --upgrade (or --upgrade-package NAME) to move.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
TOOLS="$(mktemp -d)"
trap 'rm -rf "$TOOLS"' EXIT
"$PYTHON" -m venv "$TOOLS/venv"
"$TOOLS/venv/bin/python" -m pip install --quiet --disable-pip-version-check "pip-tools>=7.4"
cd "$ROOT"
CUSTOM_COMPILE_COMMAND="./scripts/lock.sh" "$TOOLS/venv/bin/pip-compile" --quiet --strip-extras --extra test \
  --no-emit-index-url --no-emit-find-links --output-file requirements/lock.txt "$@" pyproject.toml
