"""The cdc-ml-guardrails CrossGuard pack: every policy of the cdcml catalogue.

This is the only PolicyPack(...) call in the repository. Run it with
``pulumi preview --policy-pack policies/cdc-ml-guardrails`` or ``cdcml preview``.
"""

from pathlib import Path

from pulumi_policy import EnforcementLevel, PolicyPack

from cdcml.policies.catalogue import POLICIES, pack_metadata

PolicyPack(
    policies=list(POLICIES),
    enforcement_level=EnforcementLevel.ADVISORY,
    **pack_metadata(Path(__file__).with_name("PulumiPolicy.yaml")),
)
