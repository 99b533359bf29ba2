#!/usr/bin/env bash
# The whole test suite: lint, type check, unit, property and contract tests.
# Bootstraps .venv first; extra arguments go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
VENV="$ROOT/.venv/bin"
if [ "${CI:-}" = "true" ] && [ -z "${HYPOTHESIS_PROFILE:-}" ]; then export HYPOTHESIS_PROFILE=ci; fi

"$VENV/ruff" check src tests contract_tests benchmarks stacks policies ci
"$VENV/ruff" format --check src tests contract_tests benchmarks stacks policies ci
"$VENV/mypy"

set +e
"$VENV/python" -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "test.sh: pytest collected no tests; that is a failure" >&2
  exit 1
fi
exit "$status"
