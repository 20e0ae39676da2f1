"""Artifact store flavors: where step outputs are written."""

from stackyard.artifact_stores.base import (
    BaseArtifactStore,
    BaseArtifactStoreConfig,
    BaseArtifactStoreFlavor,
)
from stackyard.artifact_stores.local import LocalArtifactStoreConfig, LocalArtifactStoreFlavor

__all__ = [
    "BaseArtifactStore",
    "BaseArtifactStoreConfig",
    "BaseArtifactStoreFlavor",
    "LocalArtifactStoreConfig",
    "LocalArtifactStoreFlavor",
]
