"""The plans of the reference program: what :func:`~cdcml.stacks.config.plan_stack`
returns and :func:`~cdcml.stacks.build` declares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from cdcml.stacks.cdc_ingestion import CdcIngestionArgs, CdcTarget
from cdcml.stacks.cdc_source import CdcSourceArgs
from cdcml.stacks.eventing import EventingArgs
from cdcml.stacks.identity import IdentityArgs
from cdcml.stacks.landing_zone import LandingZoneArgs
from cdcml.stacks.ml_consumption import MlConsumptionArgs
from cdcml.stacks.network import NetworkArgs
from cdcml.stacks.observability import ObservabilityArgs

__all__ = ["ComponentNames", "DataClassification", "Environment", "ReferencePlan", "SeedPlan"]


class Environment(StrEnum):
    """The environment a reference stack is for (``cdcml:environment``, the ``environment`` tag)."""

    DEV = "dev"
    TEST = "test"
    PROD = "prod"


class DataClassification(StrEnum):
    """The ``data-classification`` tag's values."""

    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    RESTRICTED = "restricted"


@dataclass(frozen=True)
class SeedPlan:
    """The ``seed`` profile: the original system, declared by :mod:`cdcml.stacks.seed`."""

    profile: str = "seed"


@dataclass(frozen=True)
class ComponentNames:
    """Logical names of a reference stack's components (children are ``<name>-<role>``)."""

    prefix: str

    def source(self, source: str) -> str:
        return f"{self.prefix}-{source}"

    @property
    def resource_group(self) -> str:
        return f"{self.prefix}-rg"

    @property
    def landing(self) -> str:
        return f"{self.prefix}-landing"

    @property
    def ingestion(self) -> str:
        return f"{self.prefix}-ingestion"

    @property
    def eventing(self) -> str:
        return f"{self.prefix}-events"

    @property
    def ml(self) -> str:
        return f"{self.prefix}-ml"

    @property
    def network(self) -> str:
        return f"{self.prefix}-network"

    @property
    def observability(self) -> str:
        return f"{self.prefix}-observability"

    @property
    def identity(self) -> str:
        return f"{self.prefix}-identity"


@dataclass(frozen=True)
class ReferencePlan:
    """The validated Args of every component of a reference profile (dev, prod, fanin)."""

    profile: str
    environment: Environment
    location: str
    resource_group_name: str
    tags: Mapping[str, str]
    names: ComponentNames
    private_networking: bool
    sources: tuple[CdcSourceArgs, ...]
    landing: LandingZoneArgs
    ingestion: CdcIngestionArgs
    targets: tuple[CdcTarget, ...]
    eventing: EventingArgs
    ml: MlConsumptionArgs
    network: NetworkArgs | None
    observability: ObservabilityArgs
    identity: IdentityArgs
