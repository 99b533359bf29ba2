#!/usr/bin/env bash
# The contract tests that exercise the SDKs, against the lowest or the newest pulumi,
# pulumi-policy and pulumi-azure-native pyproject.toml's ranges allow (the default .venv
# holds the locked set: ./scripts/test.sh).
#
#   ./scripts/test-versions.sh lowest    .venv-lowest: the floors of requirements/lowest.txt
#   ./scripts/test-versions.sh highest   .venv-highest: the newest releases within the ranges
#
# The venv is reused between runs (highest is upgraded each time). The tests run in a
# scratch copy of the checkout whose .venv is the versioned venv, so programs that run in
# the project's own virtualenv (Pulumi.yaml: virtualenv: .venv) get the same SDKs as cdcml.
# Extra arguments go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
WHICH="${1:-}"
case "$WHICH" in
  lowest | highest) shift ;;
  *) echo "usage: $0 lowest|highest [pytest args]" >&2; exit 2 ;;
esac
VENV="$ROOT/.venv-$WHICH"
PIP=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
started=$SECONDS

if [ ! -x "$VENV/bin/python" ]; then
  echo "test-versions: creating $VENV" >&2
  "$PYTHON" -m venv "$VENV"
fi
if [ "$WHICH" = lowest ]; then
  "${PIP[@]}" -c "$ROOT/requirements/lowest.txt" -e "$ROOT[test]"
else
  "${PIP[@]}" --upgrade --upgrade-strategy eager -e "$ROOT[test]"
fi
"$VENV/bin/python" -m pip check --disable-pip-version-check >/dev/null
echo "test-versions: $WHICH: $("$VENV/bin/python" - <<'PY'
from importlib.metadata import version
print(", ".join(f"{n} {version(n)}" for n in ("pulumi", "pulumi-policy", "pulumi-azure-native", "protobuf", "grpcio")))
PY
) (installed in $((SECONDS - started)) s)" >&2

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
git -C "$ROOT" ls-files -z --cached --others --exclude-standard | (cd "$ROOT" && xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$WORK"
ln -s "$VENV" "$WORK/.venv"
cd "$WORK"
# The venv's editable install points at $ROOT; the scratch copy's own sources must win, in
# pytest and in the programs and packs it starts (reports name source files relative to it).
export PYTHONPATH="$WORK/src${PYTHONPATH:+:$PYTHONPATH}"
if [ "${CI:-}" = "true" ] && [ -z "${HYPOTHESIS_PROFILE:-}" ]; then export HYPOTHESIS_PROFILE=ci; fi

tests_started=$SECONDS
set +e
"$VENV/bin/python" -m pytest -p no:cacheprovider -q \
  contract_tests/test_capture_fidelity.py \
  contract_tests/test_engine_differential.py \
  contract_tests/test_engine_semantics.py \
  contract_tests/test_reference_stacks.py \
  contract_tests/test_stacks_sdk_schema.py \
  contract_tests/test_golden.py \
  "$@"
status=$?
set -e
echo "test-versions: $WHICH: pytest exit $status in $((SECONDS - tests_started)) s" >&2
exit "$status"
