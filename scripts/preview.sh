#!/usr/bin/env bash
# The main job: `cdcml preview` of the repository's own program and pack on the seed
# stack (bootstraps .venv first). Extra arguments are passed to cdcml preview.
# Exit code: 0 clean or advisory only, 1 a mandatory violation (the seed has some), 2 bad input.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
exec "$ROOT/.venv/bin/cdcml" preview --stack seed "$@"
