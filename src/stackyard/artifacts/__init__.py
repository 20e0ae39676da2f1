"""Artifact storage: saving step outputs under a URI and loading them back."""

from stackyard.artifacts.materializers import (
    BaseMaterializer,
    SavedArtifact,
    load_value,
    materializer_for,
    register_materializer,
    save_value,
)

__all__ = [
    "BaseMaterializer",
    "SavedArtifact",
    "load_value",
    "materializer_for",
    "register_materializer",
    "save_value",
]
