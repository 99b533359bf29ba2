#!/usr/bin/env bash
# The peers benchmark in one command: makes benchmarks/.venv-peers (once, and again when
# peers/requirements.txt changes) with checkov, regopy and psutil from PyPI and AWS's
# cfn-guard binary from the cdklabs-cdk-validator-cfnguard wheel, then runs peers.py with
# the given arguments (default: 1k and 10k resources, 3 runs each). cdcml itself runs from
# this checkout (src/) with the project's .venv.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv-peers"
requirements="$here/peers/requirements.txt"
guard_wheel="cdklabs-cdk-validator-cfnguard==0.0.62"
stamp="$venv/.installed"
want="$(cat "$requirements"; echo "$guard_wheel")"

if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  "${PYTHON:-python3.11}" -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet -r "$requirements"
  download="$(mktemp -d)"
  trap 'rm -rf "$download"' EXIT
  "$venv/bin/pip" download --quiet --no-deps --dest "$download" "$guard_wheel"
  "$venv/bin/python" - "$download" "$venv/bin/cfn-guard" <<'PY'
import io, pathlib, sys, tarfile, zipfile
wheel = next(pathlib.Path(sys.argv[1]).glob("*.whl"))
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith(".jsii.tgz"))
    with tarfile.open(fileobj=io.BytesIO(z.read(name))) as t:
        data = t.extractfile("package/bin/ubuntu/x86_64/cfn-guard").read()
out = pathlib.Path(sys.argv[2])
out.write_bytes(data)
out.chmod(0o755)
PY
  "$venv/bin/cfn-guard" --version
  echo "$want" > "$stamp"
fi
exec "$venv/bin/python" "$here/peers.py" "$@"
