"""Image builder flavors: what turns a build context into a container image."""

from stackyard.image_builders.local_docker import (
    LocalDockerImageBuilder,
    LocalDockerImageBuilderFlavor,
)

__all__ = ["LocalDockerImageBuilder", "LocalDockerImageBuilderFlavor"]
