"""OPA for the peers benchmark, run as its own process in benchmarks/.venv-peers: the Rego
policy cdcml_plan.rego over a Terraform plan JSON, evaluated by rego-cpp (``regopy``),
the way ``opa eval --input PLAN 'data.cdcml.plan.deny'`` or conftest would. Prints the
violations as a JSON list of {policy, address}.

usage: python opa_plan.py PLAN.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from regopy import Input, Interpreter  # type: ignore[import-not-found,import-untyped,unused-ignore]

POLICY = Path(__file__).with_name("cdcml_plan.rego")


def main() -> None:
    plan = json.loads(Path(sys.argv[1]).read_text())
    rego = Interpreter()
    rego.add_module("cdcml_plan", POLICY.read_text())
    rego.set_input(Input(plan))
    output = rego.query("deny := data.cdcml.plan.deny")
    if not output.ok():
        sys.exit(f"opa_plan: {output}")
    json.dump(json.loads(str(output))["bindings"]["deny"], sys.stdout)


if __name__ == "__main__":
    main()
