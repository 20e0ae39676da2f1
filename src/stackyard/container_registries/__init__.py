"""Container registry flavors: where built images are pushed."""

from stackyard.container_registries.default import (
    ContainerRegistry,
    DefaultContainerRegistryFlavor,
)

__all__ = ["ContainerRegistry", "DefaultContainerRegistryFlavor"]
