"""The cdcml reference program: stack configuration → profile → components."""

import pulumi

from cdcml.stacks import build

config = pulumi.Config("cdcml")
build(config.get("profile") or pulumi.get_stack())
