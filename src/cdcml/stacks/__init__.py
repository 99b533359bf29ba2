"""The reference stacks of the CDC→ML pipeline: Pulumi components and profiles.

The repository's program (``stacks/__main__.py``) is::

    build(plan_stack(stack_config(), project=pulumi.get_project(), stack=pulumi.get_stack()))

:func:`~cdcml.stacks.config.plan_stack` validates the stack configuration into the typed
Args of every component (raising :class:`~cdcml.errors.ConfigError` naming the bad key),
and :func:`build` declares the profile: the original ``seed`` system as it was, or the
reference stack (``dev``, ``prod``, ``fanin``) built from the components below.
"""

from __future__ import annotations

import json
from typing import Any

from cdcml.stacks.cdc_ingestion import CdcFeed, CdcIngestion, CdcIngestionArgs, CdcTarget, GitRepository, TargetFormat
from cdcml.stacks.cdc_source import AdminPrincipalType, BackupRedundancy, CdcSource, CdcSourceArgs, SqlSku
from cdcml.stacks.config import CONFIG_SCHEMA, PROFILES, ReferencePlan, SeedPlan, plan_stack
from cdcml.stacks.eventing import ConsumerPurpose, EventHubsSku, Eventing, EventingArgs, MlConsumer
from cdcml.stacks.identity import Identity, IdentityArgs, RoleGrant
from cdcml.stacks.landing_zone import LandingSku, LandingZone, LandingZoneArgs
from cdcml.stacks.ml_consumption import MlConsumption, MlConsumptionArgs
from cdcml.stacks.network import Network, NetworkArgs
from cdcml.stacks.observability import Observability, ObservabilityArgs

__all__ = [
    "CONFIG_SCHEMA",
    "PROFILES",
    "AdminPrincipalType",
    "BackupRedundancy",
    "CdcFeed",
    "CdcIngestion",
    "CdcIngestionArgs",
    "CdcSource",
    "CdcSourceArgs",
    "CdcTarget",
    "ConsumerPurpose",
    "EventHubsSku",
    "Eventing",
    "EventingArgs",
    "GitRepository",
    "Identity",
    "IdentityArgs",
    "LandingSku",
    "LandingZone",
    "LandingZoneArgs",
    "MlConsumer",
    "MlConsumption",
    "MlConsumptionArgs",
    "Network",
    "NetworkArgs",
    "Observability",
    "ObservabilityArgs",
    "ReferencePlan",
    "RoleGrant",
    "SeedPlan",
    "SqlSku",
    "TargetFormat",
    "build",
    "plan_stack",
    "stack_config",
]


def stack_config() -> dict[str, str]:
    """The running program's configuration, flat (``"cdcml:sources"`` → JSON text), as
    the Pulumi language host passes it (explicit config and ``PULUMI_CONFIG``)."""
    from pulumi.runtime import config as runtime_config

    values: dict[str, Any] = dict(runtime_config.get_config_env())
    values.update(runtime_config.CONFIG.get())
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


def build(plan: SeedPlan | ReferencePlan) -> None:
    """Declare the resources of a planned profile in the running Pulumi program."""
    if isinstance(plan, SeedPlan):
        from cdcml.stacks.seed import build_seed

        build_seed()
        return
    from cdcml.stacks.reference import build_reference

    build_reference(plan)
