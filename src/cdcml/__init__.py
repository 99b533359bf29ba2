"""cdcml: policy-and-testing framework for Change-Data-Capture → Machine-Learning
infrastructure on Azure, written with Pulumi and CrossGuard."""

from __future__ import annotations

from cdcml.model import (
    EnforcementLevel,
    Finding,
    FindingKind,
    Findings,
    Remediation,
    Resource,
    ResourceGraph,
    ResourceOptions,
    Severity,
)

__all__ = [
    "EnforcementLevel",
    "Finding",
    "FindingKind",
    "Findings",
    "Remediation",
    "Resource",
    "ResourceGraph",
    "ResourceOptions",
    "Severity",
    "__version__",
]

# The one version source: pyproject.toml reads it ([tool.hatch.version]); the guardrails pack's
# PulumiPolicy.yaml version and requirements.txt pin are copies, kept equal by tests/policies/test_pack.py.
__version__ = "0.1.0"
