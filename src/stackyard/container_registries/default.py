"""Any registry reachable by URI (`registry.example.com/team`, `localhost:5000`)."""

from __future__ import annotations

import builtins
from typing import ClassVar

from pydantic import field_validator

from stackyard.models.enums import StackComponentType
from stackyard.stack.flavor import Flavor, StackComponent, StackComponentConfig


class ContainerRegistryConfig(StackComponentConfig):
    uri: str

    @field_validator("uri")
    @classmethod
    def _no_scheme(cls, value: str) -> str:
        if "://" in value:
            raise ValueError(f"give the registry without a scheme, e.g. {value.split('://')[1]}")
        return value.rstrip("/")


class ContainerRegistry(StackComponent):
    config: ContainerRegistryConfig

    def image_name(self, repository: str, tag: str) -> str:
        return f"{self.config.uri}/{repository}:{tag}"


class DefaultContainerRegistryFlavor(Flavor):
    name: ClassVar[str] = "default"
    type: ClassVar[StackComponentType] = StackComponentType.CONTAINER_REGISTRY
    config_class: ClassVar[builtins.type[StackComponentConfig]] = ContainerRegistryConfig
    implementation_class: ClassVar[builtins.type[StackComponent]] = ContainerRegistry
