"""The models that cross cdcml's layers, and nothing else: plain, frozen data.

* :mod:`~cdcml.model.graph` — ``ResourceGraph``, the one model in: what every source
  (program capture, stack state) produces and the evaluator consumes;
* :mod:`~cdcml.model.values` — property values in the engine's wire form (secrets,
  unknowns, assets, resource references) and how to show them safely;
* :mod:`~cdcml.model.findings` — ``Findings``, the evaluator's answer for one graph;
* :mod:`~cdcml.model.verdict` — ``Verdict``, what a run concludes over one or more stacks
  (findings after baselines and waivers, policy metadata, locks, warnings): the one
  thing every report renders;
* :mod:`~cdcml.model.run_inputs` — ``RunInput``, a file or directory a run reads (which
  no report may overwrite).

Everything here imports only the standard library and itself, so every layer may use it.
"""

from __future__ import annotations

from cdcml.model.findings import (
    EnforcementLevel,
    EvaluatedResource,
    Finding,
    FindingKind,
    Findings,
    PackRef,
    Remediation,
    Severity,
)
from cdcml.model.graph import (
    CustomTimeouts,
    FrozenDict,
    Resource,
    ResourceGraph,
    ResourceOptions,
    SourcePosition,
    freeze,
    thaw,
)
from cdcml.model.run_inputs import RunInput
from cdcml.model.verdict import (
    Artifact,
    LockInfo,
    PolicyInfo,
    Shard,
    SourceLocation,
    StackRef,
    StackReport,
    Verdict,
    Waiver,
    WaiverMatch,
)

__all__ = [
    "Artifact",
    "CustomTimeouts",
    "EnforcementLevel",
    "EvaluatedResource",
    "Finding",
    "FindingKind",
    "Findings",
    "FrozenDict",
    "LockInfo",
    "PackRef",
    "PolicyInfo",
    "Remediation",
    "Resource",
    "ResourceGraph",
    "ResourceOptions",
    "RunInput",
    "Severity",
    "Shard",
    "SourceLocation",
    "SourcePosition",
    "StackRef",
    "StackReport",
    "Verdict",
    "Waiver",
    "WaiverMatch",
    "freeze",
    "thaw",
]
