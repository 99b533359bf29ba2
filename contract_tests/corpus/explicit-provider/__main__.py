"""A primary and a disaster-recovery region, each with its own provider; the DR pieces
come in through a component that takes ``providers``."""

import pulumi
import pulumi_azure_native as azure_native
from pulumi_azure_native import resources, storage

primary = azure_native.Provider("primary", location="westeurope")
dr = azure_native.Provider("dr", location="northeurope")


class Region(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("corpus:dr:Region", name, None, opts)
        rg = resources.ResourceGroup(f"{name}-rg", opts=pulumi.ResourceOptions(parent=self))
        storage.StorageAccount(
            f"{name}acct",
            resource_group_name=rg.name,
            kind="StorageV2",
            sku=storage.SkuArgs(name="Standard_LRS"),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})


rg = resources.ResourceGroup("main-rg", opts=pulumi.ResourceOptions(provider=primary))
storage.StorageAccount(
    "mainacct",
    resource_group_name=rg.name,
    kind="StorageV2",
    sku=storage.SkuArgs(name="Standard_ZRS"),
    opts=pulumi.ResourceOptions(provider=primary),
)
Region("dr", opts=pulumi.ResourceOptions(providers={"azure-native": dr}))
