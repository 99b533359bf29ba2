"""Observability: a Log Analytics workspace and a diagnostic setting per PaaS resource.

Built in two steps, because the workspace is needed before the resources it watches
exist (the ML workspace's Application Insights is workspace-based) while each
diagnostic setting needs the resource it is for:

1. ``Observability(name, args, …)`` creates the Log Analytics workspace
   (``workspace_id``);
2. ``monitor(targets)`` creates one diagnostic setting per
   :class:`~cdcml.stacks.wiring.DiagnosticTarget`, all children of the component, and
   registers the component's outputs. Call it once, after every component is built.

Each setting sends the target's log category groups (``allLogs``), or its single
categories where it has no groups, and its metrics to the workspace, into
resource-specific tables where the service supports them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import monitor, operationalinsights

from cdcml.stacks._args import ArgsError, check_int, check_location, check_tags
from cdcml.stacks.wiring import DiagnosticTarget

__all__ = ["DIAGNOSTIC_SETTING_NAME", "Observability", "ObservabilityArgs"]

DIAGNOSTIC_SETTING_NAME = "cdcml-to-log-analytics"


@dataclass(frozen=True, kw_only=True)
class ObservabilityArgs:
    """The workspace's retention (days) and daily ingestion cap (GB; ``-1`` = no cap)."""

    location: str
    retention_days: int = 90
    daily_quota_gb: int = -1
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_int(self, "retention_days", 30, 730)
        quota = self.daily_quota_gb
        if isinstance(quota, bool) or not isinstance(quota, int) or not (quota == -1 or 1 <= quota <= 10000):
            raise ArgsError(type(self).__name__, "daily_quota_gb", "-1 (no cap) or an integer from 1 to 10000", quota)
        check_location(self)
        check_tags(self)


class Observability(pulumi.ComponentResource):
    """Log Analytics and the stack's diagnostic settings (``cdcml:stacks:Observability``)."""

    workspace_id: pulumi.Output[str]
    diagnostic_settings: dict[str, str]

    def __init__(
        self,
        name: str,
        args: ObservabilityArgs,
        *,
        resource_group_name: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("cdcml:stacks:Observability", name, None, opts)
        self._name = name
        self._monitored = False
        workspace = operationalinsights.Workspace(
            f"{name}-logs",
            resource_group_name=resource_group_name,
            location=args.location,
            sku=operationalinsights.WorkspaceSkuArgs(name=operationalinsights.WorkspaceSkuNameEnum.PER_GB2018),
            retention_in_days=args.retention_days,
            workspace_capping=(
                operationalinsights.WorkspaceCappingArgs(daily_quota_gb=float(args.daily_quota_gb))
                if args.daily_quota_gb > 0
                else None
            ),
            features=operationalinsights.WorkspaceFeaturesArgs(enable_log_access_using_only_resource_permissions=True),
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.workspace_id = workspace.id
        self.diagnostic_settings = {}

    def monitor(self, targets: Sequence[DiagnosticTarget]) -> None:
        """Create a diagnostic setting for each target and register the outputs (once)."""
        if self._monitored:
            raise RuntimeError(f"Observability {self._name}: monitor() was already called")
        roles = [t.role for t in targets]
        duplicates = sorted({r for r in roles if roles.count(r) > 1})
        if duplicates:
            raise ArgsError("Observability", "targets", "diagnostic targets with unique roles", duplicates)
        self._monitored = True
        for target in targets:
            logs = [monitor.DiagnosticsLogSettingsArgs(category_group=g, enabled=True) for g in target.log_groups]
            logs += [monitor.DiagnosticsLogSettingsArgs(category=c, enabled=True) for c in target.log_categories]
            monitor.DiagnosticSetting(
                f"{self._name}-{target.role}-diagnostics",
                name=DIAGNOSTIC_SETTING_NAME,
                resource_uri=target.resource_id,
                workspace_id=self.workspace_id,
                log_analytics_destination_type="Dedicated" if target.dedicated else None,
                logs=logs or None,
                metrics=[
                    monitor.DiagnosticsMetricSettingsArgs(category=c, enabled=True) for c in target.metric_categories
                ]
                or None,
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.diagnostic_settings[target.role] = DIAGNOSTIC_SETTING_NAME
        self.register_outputs(
            {"workspaceId": self.workspace_id, "diagnosticSettings": sorted(self.diagnostic_settings)}
        )
