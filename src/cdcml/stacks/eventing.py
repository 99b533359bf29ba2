"""Eventing: change notifications from the landing zone to the ML consumers.

An Event Hubs namespace (tier from config) with local (SAS) authentication disabled,
TLS 1.2, and in prod no public network access (only trusted Azure services, which
include Event Grid, get through its firewall); one event hub of CDC change
notifications; and one consumer group per declared ML consumer, so each training or
scoring job reads every partition on its own (Event Hubs allows one active reader per
partition per consumer group). There is no ARM link from an ML job to an event hub, so
each consumer group records its consumer in ``userMetadata`` as JSON
(``{"consumer": "aml:<workspace>/<consumer>", "purpose": …}``).

An Event Grid system topic on the landing account turns ``BlobCreated`` events under
each source's CDC folder into events on the hub, delivered with the topic's managed
identity (the identity gets *Azure Event Hubs Data Sender* on the hub from
:class:`~cdcml.stacks.identity.Identity`, and each subscription depends on that role
assignment: Event Grid checks the delivery identity's access when the subscription is
created). For ADLS Gen2 the filter keeps only
completed writes (``FlushWithClose`` and the blob-API equivalents).

With ``capture`` the hub archives its events as Avro to the landing account's capture
container with the namespace's managed identity (*Storage Blob Data Contributor* on that
container only; the hub depends on that role assignment, so Capture is never enabled
before its identity may write).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import pulumi
from pulumi_azure_native import eventgrid, eventhub

from cdcml.stacks._args import (
    ArgsError,
    check_bool,
    check_enum,
    check_int,
    check_location,
    check_pattern,
    check_tags,
    check_tuple,
    stack_unique_name,
)
from cdcml.stacks.landing_zone import LandingZone
from cdcml.stacks.wiring import (
    DiagnosticTarget,
    Grant,
    GrantScope,
    Principal,
    PrivateLinkGroup,
    PrivateLinkTarget,
    principal_id,
)

__all__ = [
    "HUB_NAME",
    "TIER_LIMITS",
    "ConsumerPurpose",
    "EventHubsSku",
    "Eventing",
    "EventingArgs",
    "MlConsumer",
    "TierLimits",
    "consumer_metadata",
]

HUB_NAME = "cdc-changes"
CONSUMER = re.compile(r"^[a-z][a-z0-9-]{1,48}[a-z0-9]$")
WORKSPACE = re.compile(r"^$|^[A-Za-z0-9][A-Za-z0-9_-]{2,32}$")


class EventHubsSku(StrEnum):
    """Event Hubs namespace tiers (Dedicated clusters are out of scope)."""

    BASIC = "Basic"
    STANDARD = "Standard"
    PREMIUM = "Premium"


@dataclass(frozen=True)
class TierLimits:
    """Per-tier limits that shape a valid configuration (DOC-EH-TIERS)."""

    consumer_groups: int
    retention_hours: int
    partitions: int
    capacity: int
    capture: bool
    private_link: bool


TIER_LIMITS: dict[EventHubsSku, TierLimits] = {
    EventHubsSku.BASIC: TierLimits(1, 24, 32, 40, capture=False, private_link=False),
    EventHubsSku.STANDARD: TierLimits(20, 168, 32, 40, capture=True, private_link=True),
    EventHubsSku.PREMIUM: TierLimits(100, 2160, 100, 16, capture=True, private_link=True),
}
"""Consumer groups per hub (``$Default`` included), retention, partitions per hub,
throughput/processing units, and whether Capture and Private Link exist on the tier."""


class ConsumerPurpose(StrEnum):
    """What an ML consumer does with the change stream."""

    TRAINING = "training"
    SCORING = "scoring"
    FEATURES = "features"
    MONITORING = "monitoring"


@dataclass(frozen=True, kw_only=True)
class MlConsumer:
    """An ML job that reads the change stream; it gets a consumer group of its own."""

    name: str
    purpose: ConsumerPurpose = ConsumerPurpose.TRAINING

    def __post_init__(self) -> None:
        check_pattern(self, "name", CONSUMER, "3 to 50 lowercase letters, digits or '-', starting with a letter")
        check_enum(self, "purpose", ConsumerPurpose)


def consumer_metadata(workspace: str, consumer: MlConsumer) -> str:
    """The ``userMetadata`` of a consumer's group: who reads through it, and why."""
    owner = f"aml:{workspace}/{consumer.name}" if workspace else f"ml:{consumer.name}"
    return json.dumps({"consumer": owner, "purpose": consumer.purpose.value}, separators=(",", ":"))


@dataclass(frozen=True, kw_only=True)
class EventingArgs:
    """The namespace, hub and consumers. ``consumer_workspace`` is the ML workspace the
    consumers run in (recorded in their groups' metadata)."""

    location: str
    consumers: tuple[MlConsumer, ...] = ()
    sku: EventHubsSku = EventHubsSku.STANDARD
    capacity: int = 1
    max_throughput_units: int = 4
    partitions: int = 4
    retention_hours: int = 72
    capture: bool = False
    capture_interval_seconds: int = 300
    capture_size_mb: int = 300
    public_network_access: bool = False
    zone_redundant: bool = True
    consumer_workspace: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        owner = type(self).__name__
        sku = check_enum(self, "sku", EventHubsSku)
        limits = TIER_LIMITS[sku]
        if sku is EventHubsSku.BASIC and self.consumers:
            raise ArgsError(
                owner, "consumers", "empty on the Basic tier (its only consumer group is $Default)", len(self.consumers)
            )
        consumers = check_tuple(self, "consumers", 0, limits.consumer_groups - 1)
        for i, consumer in enumerate(consumers):
            if not isinstance(consumer, MlConsumer):
                raise ArgsError(owner, f"consumers[{i}]", "an MlConsumer", consumer)
            if consumer.name in [c.name for c in consumers[:i]]:
                raise ArgsError(owner, f"consumers[{i}].name", "a consumer name not used before", consumer.name)
        check_int(self, "capacity", 1, limits.capacity)
        if sku is EventHubsSku.STANDARD:
            mtu = check_int(self, "max_throughput_units", 0, limits.capacity)
            if mtu and mtu < self.capacity:
                raise ArgsError(
                    owner, "max_throughput_units", f"0 (no auto-inflate) or {self.capacity} to {limits.capacity}", mtu
                )
        elif self.max_throughput_units != 0:
            raise ArgsError(
                owner,
                "max_throughput_units",
                f"0 on the {sku} tier (auto-inflate is Standard only)",
                self.max_throughput_units,
            )
        check_int(self, "partitions", 1, limits.partitions)
        check_int(self, "retention_hours", 1, limits.retention_hours)
        if check_bool(self, "capture") and not limits.capture:
            raise ArgsError(owner, "capture", f"false on the {sku} tier (Capture needs Standard or Premium)", True)
        check_int(self, "capture_interval_seconds", 60, 900)
        check_int(self, "capture_size_mb", 10, 500)
        if not check_bool(self, "public_network_access") and not limits.private_link:
            raise ArgsError(owner, "public_network_access", f"true on the {sku} tier (it has no private link)", False)
        check_bool(self, "zone_redundant")
        check_pattern(self, "consumer_workspace", WORKSPACE, "an ML workspace name or empty")
        check_location(self)
        check_tags(self)


class Eventing(pulumi.ComponentResource):
    """Event Hubs namespace, hub, consumer groups and the landing zone's Event Grid
    subscription (``cdcml:stacks:Eventing``)."""

    namespace_name: str
    hub_name: str
    namespace_id: pulumi.Output[str]
    hub_id: pulumi.Output[str]
    consumer_groups: dict[str, str]
    private_link_targets: tuple[PrivateLinkTarget, ...]
    diagnostic_targets: tuple[DiagnosticTarget, ...]

    def __init__(
        self,
        name: str,
        args: EventingArgs,
        *,
        resource_group_name: pulumi.Input[str],
        landing: LandingZone,
        grant: Grant,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if args.capture and landing.capture_container is None:
            raise ArgsError(
                type(args).__name__, "capture", "false unless the landing zone has a capture container", True
            )
        super().__init__("cdcml:stacks:Eventing", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.namespace_name = stack_unique_name(name, "ns", max_length=50)
        self.hub_name = HUB_NAME
        namespace = self._declare_namespace(name, args, resource_group_name, child)
        capture_grants: tuple[pulumi.Resource, ...] = ()
        if args.capture and landing.capture_container and landing.capture_container_id is not None:
            scope = {(GrantScope.CAPTURE_CONTAINER, landing.capture_container): landing.capture_container_id}
            capture_grants = grant(Principal.EVENT_HUBS_NAMESPACE, principal_id(namespace.identity), scope)
        hub_opts = pulumi.ResourceOptions(parent=self, depends_on=list(capture_grants))
        hub = self._declare_hub(name, args, resource_group_name, namespace, landing, hub_opts)
        self.consumer_groups = {}
        for consumer in args.consumers:
            eventhub.ConsumerGroup(
                f"{name}-{consumer.name}-group",
                resource_group_name=resource_group_name,
                namespace_name=namespace.name,
                event_hub_name=hub.name,
                consumer_group_name=consumer.name,
                user_metadata=consumer_metadata(args.consumer_workspace, consumer),
                opts=child,
            )
            self.consumer_groups[consumer.name] = consumer.name
        topic = self._declare_blob_notifications(name, args, resource_group_name, landing, hub, grant, child)

        self.namespace_id = namespace.id
        self.hub_id = hub.id
        self.private_link_targets = (
            (PrivateLinkTarget("events-namespace", namespace.id, PrivateLinkGroup.EVENT_HUBS_NAMESPACE),)
            if TIER_LIMITS[args.sku].private_link
            else ()
        )
        self.diagnostic_targets = (
            DiagnosticTarget("events-namespace", namespace.id),
            DiagnosticTarget("landing-topic", topic.id),
        )
        self.register_outputs(
            {
                "namespaceName": self.namespace_name,
                "namespaceId": namespace.id,
                "hubName": self.hub_name,
                "hubId": hub.id,
                "consumerGroups": self.consumer_groups,
            }
        )

    def _declare_namespace(
        self, name: str, args: EventingArgs, resource_group_name: pulumi.Input[str], child: pulumi.ResourceOptions
    ) -> eventhub.Namespace:
        """The namespace (local auth off, TLS 1.2, auto-inflate on Standard) and, when
        private, its network rule set (deny, trusted services only)."""
        standard = args.sku is EventHubsSku.STANDARD
        namespace = eventhub.Namespace(
            f"{name}-namespace",
            resource_group_name=resource_group_name,
            namespace_name=self.namespace_name,
            location=args.location,
            sku=eventhub.SkuArgs(
                name=eventhub.SkuName(args.sku.value), tier=eventhub.SkuTier(args.sku.value), capacity=args.capacity
            ),
            is_auto_inflate_enabled=standard and args.max_throughput_units > 0,
            maximum_throughput_units=args.max_throughput_units if standard and args.max_throughput_units else None,
            disable_local_auth=True,
            minimum_tls_version=eventhub.TlsVersion.TLS_VERSION_1_2,
            public_network_access=(
                eventhub.PublicNetworkAccess.ENABLED
                if args.public_network_access
                else eventhub.PublicNetworkAccess.DISABLED
            ),
            zone_redundant=args.zone_redundant,
            identity=(
                eventhub.IdentityArgs(type=eventhub.ManagedServiceIdentityType.SYSTEM_ASSIGNED)
                if args.capture
                else None
            ),
            tags=dict(args.tags),
            opts=child,
        )
        if not args.public_network_access:
            eventhub.NamespaceNetworkRuleSet(
                f"{name}-network-rules",
                resource_group_name=resource_group_name,
                namespace_name=namespace.name,
                default_action=eventhub.DefaultAction.DENY,
                public_network_access=eventhub.PublicNetworkAccessFlag.DISABLED,
                # Event Grid delivery (and Capture) are trusted services.
                trusted_service_access_enabled=True,
                ip_rules=[],
                virtual_network_rules=[],
                opts=child,
            )
        return namespace

    def _declare_hub(
        self,
        name: str,
        args: EventingArgs,
        resource_group_name: pulumi.Input[str],
        namespace: eventhub.Namespace,
        landing: LandingZone,
        child: pulumi.ResourceOptions,
    ) -> eventhub.EventHub:
        """The change hub, with Avro Capture to the landing zone's capture container when asked."""
        capture = None
        if args.capture:
            capture = eventhub.CaptureDescriptionArgs(
                enabled=True,
                encoding=eventhub.EncodingCaptureDescription.AVRO,
                interval_in_seconds=args.capture_interval_seconds,
                size_limit_in_bytes=args.capture_size_mb * 1024 * 1024,
                skip_empty_archives=True,
                destination=eventhub.DestinationArgs(
                    name="EventHubArchive.AzureBlockBlob",
                    storage_account_resource_id=landing.account_id,
                    blob_container=landing.capture_container,
                    archive_name_format="{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}",
                    identity=eventhub.CaptureIdentityArgs(type=eventhub.CaptureIdentityType.SYSTEM_ASSIGNED),
                ),
            )
        return eventhub.EventHub(
            f"{name}-hub",
            resource_group_name=resource_group_name,
            namespace_name=namespace.name,
            event_hub_name=self.hub_name,
            partition_count=args.partitions,
            retention_description=eventhub.RetentionDescriptionArgs(
                cleanup_policy=eventhub.CleanupPolicyRetentionDescription.DELETE,
                retention_time_in_hours=args.retention_hours,
            ),
            capture_description=capture,
            user_metadata=json.dumps(
                {
                    "carries": "Microsoft.Storage.BlobCreated events of the CDC landing zone",
                    "account": landing.account_name,
                },
                separators=(",", ":"),
            ),
            opts=child,
        )

    def _declare_blob_notifications(
        self,
        name: str,
        args: EventingArgs,
        resource_group_name: pulumi.Input[str],
        landing: LandingZone,
        hub: eventhub.EventHub,
        grant: Grant,
        child: pulumi.ResourceOptions,
    ) -> eventgrid.SystemTopic:
        """The landing account's Event Grid system topic, its role on the hub and, per
        container, a subscription delivering completed writes under the CDC folder to the
        hub with the topic's identity (after that identity may send)."""
        topic = eventgrid.SystemTopic(
            f"{name}-landing-topic",
            resource_group_name=resource_group_name,
            system_topic_name=f"{landing.account_name}-events",
            location=args.location,
            source=landing.account_id,
            topic_type="Microsoft.Storage.StorageAccounts",
            identity=eventgrid.IdentityInfoArgs(type=eventgrid.IdentityType.SYSTEM_ASSIGNED),
            tags=dict(args.tags),
            opts=child,
        )
        hub_scope = {(GrantScope.EVENT_HUB, self.hub_name): hub.id}
        sender = grant(Principal.EVENT_GRID_TOPIC, principal_id(topic.identity), hub_scope)
        delivery = pulumi.ResourceOptions(parent=self, depends_on=list(sender))
        for container in landing.containers:
            eventgrid.SystemTopicEventSubscription(
                f"{name}-{container}-blob-created",
                resource_group_name=resource_group_name,
                system_topic_name=topic.name,
                event_subscription_name=f"{container}-cdc-to-{self.hub_name}",
                event_delivery_schema=eventgrid.EventDeliverySchema.CLOUD_EVENT_SCHEMA_V1_0,
                delivery_with_resource_identity=eventgrid.DeliveryWithResourceIdentityArgs(
                    identity=eventgrid.EventSubscriptionIdentityArgs(
                        type=eventgrid.EventSubscriptionIdentityType.SYSTEM_ASSIGNED
                    ),
                    destination=eventgrid.EventHubEventSubscriptionDestinationArgs(
                        endpoint_type="EventHub", resource_id=hub.id
                    ),
                ),
                filter=eventgrid.EventSubscriptionFilterArgs(
                    included_event_types=["Microsoft.Storage.BlobCreated"],
                    subject_begins_with=f"/blobServices/default/containers/{container}/blobs/{landing.cdc_folder}/",
                    advanced_filters=[
                        eventgrid.StringInAdvancedFilterArgs(
                            operator_type="StringIn",
                            key="data.api",
                            values=["FlushWithClose", "PutBlob", "PutBlockList", "CopyBlob"],
                        )
                    ],
                ),
                retry_policy=eventgrid.RetryPolicyArgs(max_delivery_attempts=30, event_time_to_live_in_minutes=1440),
                opts=delivery,
            )
        return topic
