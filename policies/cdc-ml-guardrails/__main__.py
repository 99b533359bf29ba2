"""The cdc-ml-guardrails CrossGuard pack: every policy of the cdcml catalogue.

This is the only PolicyPack(...) call in the repository. Run it with
``pulumi preview --policy-pack policies/cdc-ml-guardrails`` or ``cdcml preview``.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from cdcml.policies.catalogue import POLICIES

PolicyPack(
    name="cdc-ml-guardrails",
    description="Guardrails for Azure CDC → ML stacks: CDC cadence and mode, tagging, network isolation, "
    "identity, encryption, retention, cost and cross-resource invariants.",
    policies=list(POLICIES),
    enforcement_level=EnforcementLevel.ADVISORY,
)
