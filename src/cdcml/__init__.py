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

__version__ = "0.1.0"
