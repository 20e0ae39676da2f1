"""The flavors every store knows from the start, by import path."""

from __future__ import annotations

BUILTIN_FLAVORS: tuple[str, ...] = (
    "stackyard.orchestrators.local.LocalOrchestratorFlavor",
    "stackyard.orchestrators.local_parallel.LocalParallelOrchestratorFlavor",
    "stackyard.orchestrators.ray.RayOrchestratorFlavor",
    "stackyard.artifact_stores.local.LocalArtifactStoreFlavor",
    "stackyard.artifact_stores.s3.S3ArtifactStoreFlavor",
    "stackyard.image_builders.local_docker.LocalDockerImageBuilderFlavor",
    "stackyard.container_registries.default.DefaultContainerRegistryFlavor",
    "stackyard.experiment_trackers.mlflow.MLflowExperimentTrackerFlavor",
)
