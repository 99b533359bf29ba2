"""Two landing zones built from one component class kept in landing.py."""

import pulumi
from landing import LandingZone, LandingZoneArgs
from pulumi_azure_native import resources

config = pulumi.Config()
rg = resources.ResourceGroup("rg")
containers = config.require_object("containers")
primary = LandingZone("primary", LandingZoneArgs(resource_group_name=rg.name, containers=containers))
archive = LandingZone("archive", LandingZoneArgs(resource_group_name=rg.name, containers=["archive"], hns=False))
pulumi.export("primary", primary.account_name)
pulumi.export("archiveContainers", archive.container_names)
