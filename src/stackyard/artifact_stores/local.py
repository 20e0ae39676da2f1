"""The default artifact store: a directory on this machine (or any fsspec URL)."""

from __future__ import annotations

import builtins
from typing import ClassVar

from stackyard.artifact_stores.base import (
    BaseArtifactStore,
    BaseArtifactStoreConfig,
    BaseArtifactStoreFlavor,
)
from stackyard.stack.flavor import StackComponent, StackComponentConfig


class LocalArtifactStoreConfig(BaseArtifactStoreConfig):
    """`path` is a local directory; created on first write."""


class LocalArtifactStoreFlavor(BaseArtifactStoreFlavor):
    name: ClassVar[str] = "local"
    config_class: ClassVar[builtins.type[StackComponentConfig]] = LocalArtifactStoreConfig
    implementation_class: ClassVar[builtins.type[StackComponent]] = BaseArtifactStore
