"""Resources once declared at the top level now live in a component; aliases keep
their old URNs so nothing is replaced."""

import pulumi
from pulumi_azure_native import resources, storage


class Data(pulumi.ComponentResource):
    def __init__(self, name: str, rg: resources.ResourceGroup) -> None:
        super().__init__("corpus:refactor:Data", name)
        storage.StorageAccount(
            "lake",
            resource_group_name=rg.name,
            kind="StorageV2",
            sku=storage.SkuArgs(name="Standard_LRS"),
            opts=pulumi.ResourceOptions(parent=self, aliases=[pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)]),
        )
        self.register_outputs({})


rg = resources.ResourceGroup("rg-main", opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="rg")]))
Data("data", rg)
