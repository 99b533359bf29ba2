"""The reference stack: a :class:`~cdcml.stacks.plan.ReferencePlan` → components.

Order follows the dependencies: the resource group and the Log Analytics workspace
first, then the sources and the landing zone, the factory that connects them, the
eventing that notifies the consumers, the ML workspace that reads the landing zone;
then what spans all of them: private endpoints (Network), the remaining role
assignments (Identity) and diagnostic settings (Observability.monitor). Identity is
declared before Eventing: the namespace's and the topic's roles are granted as soon as
those identities exist, because the hub's Capture and the Event Grid deliveries act with
them when they are created and depend on them.
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import resources

from cdcml.stacks.cdc_ingestion import CdcIngestion
from cdcml.stacks.cdc_source import CdcSource
from cdcml.stacks.eventing import Eventing
from cdcml.stacks.identity import Identity
from cdcml.stacks.landing_zone import LandingZone
from cdcml.stacks.ml_consumption import MlConsumption
from cdcml.stacks.network import Network
from cdcml.stacks.observability import Observability
from cdcml.stacks.plan import ReferencePlan
from cdcml.stacks.wiring import BuildingBlock, GrantScope, Principal

__all__ = ["ReferenceStack", "build_reference"]


class ReferenceStack:
    """The components of a reference stack, as built (for programs that extend it)."""

    def __init__(self, plan: ReferencePlan) -> None:
        names = plan.names
        self.resource_group = resources.ResourceGroup(
            names.resource_group,
            resource_group_name=plan.resource_group_name,
            location=plan.location,
            tags=dict(plan.tags),
        )
        rg = self.resource_group.name
        self.observability = Observability(names.observability, plan.observability, resource_group_name=rg)
        self.sources = {
            args.source: CdcSource(names.source(args.source), args, resource_group_name=rg) for args in plan.sources
        }
        self.landing = LandingZone(names.landing, plan.landing, resource_group_name=rg)
        self.ingestion = CdcIngestion(
            names.ingestion, plan.ingestion, resource_group_name=rg, landing=self.landing, sources=self.sources
        )
        self.identity = Identity(names.identity, plan.identity)
        self.eventing = Eventing(
            names.eventing, plan.eventing, resource_group_name=rg, landing=self.landing, grant=self.identity.grant
        )
        self.ml = MlConsumption(
            names.ml,
            plan.ml,
            resource_group_name=rg,
            landing=self.landing,
            log_analytics_workspace_id=self.observability.workspace_id,
            event_hubs_namespace_id=self.eventing.namespace_id if plan.eventing.consumers else None,
        )
        building_blocks: tuple[BuildingBlock, ...] = (
            *self.sources.values(),
            self.landing,
            self.ingestion,
            self.eventing,
            self.ml,
        )
        self.network = (
            Network(
                names.network,
                plan.network,
                resource_group_name=rg,
                targets=[t for block in building_blocks for t in block.private_link_targets],
            )
            if plan.network is not None
            else None
        )
        landing_scopes: dict[tuple[GrantScope, str], pulumi.Input[str]] = {
            (GrantScope.LANDING_CONTAINER, c): cid for c, cid in self.landing.container_ids.items()
        }
        self.identity.grant(Principal.DATA_FACTORY, self.ingestion.principal_id, landing_scopes)
        hub_scope = {(GrantScope.EVENT_HUB, self.eventing.hub_name): self.eventing.hub_id}
        self.identity.grant(Principal.ML_WORKSPACE, self.ml.principal_id, {**landing_scopes, **hub_scope})
        self.identity.close()
        self.observability.monitor([t for block in building_blocks for t in block.diagnostic_targets])


def build_reference(plan: ReferencePlan) -> ReferenceStack:
    """Declare a reference profile's resources and export its outputs.

    ``change_data_capture_name`` and ``machine_learning_dataset_name`` keep the seed's
    outputs: the first source's CDC, and the ML data asset over its first table (or the
    legacy dataset of the same name where the profile declares one)."""
    stack = ReferenceStack(plan)
    first = plan.targets[0]
    pulumi.export("change_data_capture_name", stack.ingestion.change_data_captures[first.source])
    pulumi.export("machine_learning_dataset_name", stack.ml.legacy_datasets.get(first.asset_name, first.asset_name))
    pulumi.export("resource_group_name", stack.resource_group.name)
    pulumi.export("factory_name", stack.ingestion.factory_name)
    pulumi.export("change_data_capture_names", stack.ingestion.change_data_captures)
    pulumi.export("landing_account_name", stack.landing.account_name)
    pulumi.export("landing_containers", stack.landing.containers)
    pulumi.export(
        "event_hub",
        {
            "namespace": stack.eventing.namespace_name,
            "hub": stack.eventing.hub_name,
            "consumerGroups": stack.eventing.consumer_groups,
        },
    )
    pulumi.export("ml_workspace_name", stack.ml.workspace_name)
    pulumi.export("data_assets", stack.ml.data_assets)
    return stack
