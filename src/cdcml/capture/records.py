"""What capture keeps of each resource while the program runs: a mutable :class:`Record`
(the monitor fills in id and outputs after the inputs), frozen into a
:class:`~cdcml.model.Resource` when the graph is built."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cdcml.model import FrozenDict, Resource, ResourceOptions, SourcePosition, freeze

__all__ = ["Record"]


@dataclass
class Record:
    urn: str
    type: str
    name: str
    custom: bool
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    parent: str
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    provider: str
    options: ResourceOptions
    external: bool = False
    source_position: SourcePosition | None = None

    def resource(self) -> Resource:
        """The frozen resource of the graph (a component has no id)."""
        return Resource(
            urn=self.urn,
            type=self.type,
            name=self.name,
            custom=self.custom,
            id="" if not self.custom else self.id,
            inputs=freeze(self.inputs),
            outputs=freeze(self.outputs),
            parent=self.parent,
            dependencies=tuple(self.dependencies),
            property_dependencies=FrozenDict({k: tuple(v) for k, v in self.property_dependencies.items()}),
            provider=self.provider,
            options=self.options,
            external=self.external,
            source_position=self.source_position,
        )
