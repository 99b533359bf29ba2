"""A tiny Pulumi project and policy pack in a temporary directory, for the CI tests."""

from __future__ import annotations

from pathlib import Path

PROGRAM = """
import pulumi

class Thing(pulumi.CustomResource):
    def __init__(self, name, props, opts=None):
        super().__init__("test:index:Thing", name, props, opts)

config = pulumi.Config()
Thing("a", {"bad": config.get_bool("bad") or False, "meh": config.get_bool("meh") or False})
"""

PACK = """
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

def bad(args, report_violation):
    if args.props.get("bad"):
        report_violation("bad is set")

def meh(args, report_violation):
    if args.props.get("meh"):
        report_violation("meh is set")

PolicyPack("ci-pack", [
    ResourceValidationPolicy(name="no-bad", description="Nothing is bad.", validate=bad,
                             enforcement_level=EnforcementLevel.MANDATORY),
    ResourceValidationPolicy(name="no-meh", description="Nothing is meh.", validate=meh,
                             enforcement_level=EnforcementLevel.ADVISORY),
])
"""


def project(root: Path, stacks: dict[str, str] | None = None) -> Path:
    """A project in *root* (``name: tiny``) with a stack per entry of *stacks*: its
    ``config:`` block as YAML text. Default: ``clean`` (nothing set), ``bad`` (a mandatory
    violation), ``meh`` (an advisory one)."""
    stacks = stacks or {"clean": "{}", "bad": "{tiny:bad: 'true'}", "meh": "{tiny:meh: 'true'}"}
    root.mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text("name: tiny\nruntime: python\n")
    for name, config in stacks.items():
        (root / f"Pulumi.{name}.yaml").write_text(f"config: {config}\n")
    (root / "__main__.py").write_text(PROGRAM)
    return root


def pack(root: Path) -> Path:
    d = root / "policies" / "ci-pack"
    d.mkdir(parents=True)
    (d / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 1.0.0\n")
    (d / "__main__.py").write_text(PACK)
    return d
