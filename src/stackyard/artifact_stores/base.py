"""What every artifact store is: a root URI under which artifacts are written."""

from __future__ import annotations

import builtins
from typing import ClassVar

from stackyard.models.enums import StackComponentType
from stackyard.stack.flavor import Flavor, StackComponent, StackComponentConfig


class BaseArtifactStoreConfig(StackComponentConfig):
    """`path`: a local directory or any fsspec URL (s3://bucket/prefix, ...)."""

    path: str


class BaseArtifactStore(StackComponent):
    """Hands out URIs under its root path; reading and writing go through fsspec."""

    config: BaseArtifactStoreConfig

    @property
    def path(self) -> str:
        return self.config.path.rstrip("/")

    def uri(self, *parts: str) -> str:
        return "/".join([self.path, *(p.strip("/") for p in parts)])


class BaseArtifactStoreFlavor(Flavor):
    type: ClassVar[StackComponentType] = StackComponentType.ARTIFACT_STORE
    config_class: ClassVar[builtins.type[StackComponentConfig]] = BaseArtifactStoreConfig
    implementation_class: ClassVar[builtins.type[StackComponent]] = BaseArtifactStore
