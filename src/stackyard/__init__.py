"""stackyard: pipelines of Python steps on a stack, every run recorded.

The names below load on first use, so `import stackyard` stays cheap: the CLI
and the Client pay only for what they touch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackyard.utils.lazy import lazy_attributes

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "ArtifactConfig": "stackyard.pipelines.ml_models",
    "BaseMaterializer": "stackyard.artifacts.materializers",
    "Client": "stackyard.client",
    "DockerSettings": "stackyard.builds.settings",
    "ExecutionStatus": "stackyard.models.enums",
    "Model": "stackyard.pipelines.ml_models",
    "ResourceSettings": "stackyard.pipelines.settings",
    "RetryPolicy": "stackyard.pipelines.settings",
    "Schedule": "stackyard.pipelines.schedule",
    "get_step_context": "stackyard.pipelines.context",
    "load_artifact": "stackyard.pipelines.artifacts",
    "log_metadata": "stackyard.pipelines.context",
    "pipeline": "stackyard.pipelines.pipeline",
    "register_materializer": "stackyard.artifacts.materializers",
    "save_artifact": "stackyard.pipelines.artifacts",
    "step": "stackyard.pipelines.step",
}

if TYPE_CHECKING:
    from stackyard.artifacts.materializers import BaseMaterializer, register_materializer
    from stackyard.builds.settings import DockerSettings
    from stackyard.client import Client
    from stackyard.models.enums import ExecutionStatus
    from stackyard.pipelines.artifacts import load_artifact, save_artifact
    from stackyard.pipelines.context import get_step_context, log_metadata
    from stackyard.pipelines.ml_models import ArtifactConfig, Model
    from stackyard.pipelines.pipeline import pipeline
    from stackyard.pipelines.schedule import Schedule
    from stackyard.pipelines.settings import ResourceSettings, RetryPolicy
    from stackyard.pipelines.step import step

__all__ = [
    "ArtifactConfig",
    "BaseMaterializer",
    "Client",
    "DockerSettings",
    "ExecutionStatus",
    "Model",
    "ResourceSettings",
    "RetryPolicy",
    "Schedule",
    "__version__",
    "get_step_context",
    "load_artifact",
    "log_metadata",
    "pipeline",
    "register_materializer",
    "save_artifact",
    "step",
]


__getattr__ = lazy_attributes(__name__, lambda: _LAZY)
