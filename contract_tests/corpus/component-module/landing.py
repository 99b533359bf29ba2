"""A storage account and its containers as one component."""

from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import storage


@dataclass
class LandingZoneArgs:
    resource_group_name: pulumi.Input[str]
    containers: list[str] = field(default_factory=list)
    hns: bool = True


class LandingZone(pulumi.ComponentResource):
    def __init__(self, name: str, args: LandingZoneArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("corpus:landing:LandingZone", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = storage.StorageAccount(
            f"{name}-account",
            resource_group_name=args.resource_group_name,
            kind=storage.Kind.STORAGE_V2,
            sku=storage.SkuArgs(name=storage.SkuName.STANDARD_LRS),
            is_hns_enabled=args.hns,
            allow_blob_public_access=False,
            opts=child,
        )
        self.container_names = []
        for container in args.containers:
            storage.BlobContainer(
                f"{name}-{container}",
                resource_group_name=args.resource_group_name,
                account_name=account.name,
                container_name=container,
                public_access=storage.PublicAccess.NONE,
                opts=child,
            )
            self.container_names.append(container)
        self.account_name = account.name
        self.register_outputs({"accountName": account.name, "containers": self.container_names})
