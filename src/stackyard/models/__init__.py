"""Pydantic models of every resource, loaded on first use.

`from stackyard.models import PipelineRunResponse` works as usual; the module
holding it is imported only then, keeping start-up of the CLI short.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE: dict[str, str] = {
    "APIKeyRequest": "stackyard.models.users",
    "APIKeyResponse": "stackyard.models.users",
    "APIKeyUpdate": "stackyard.models.users",
    "ArtifactRequest": "stackyard.models.artifacts",
    "ArtifactResponse": "stackyard.models.artifacts",
    "ArtifactType": "stackyard.models.enums",
    "ArtifactUpdate": "stackyard.models.artifacts",
    "ArtifactVersionRequest": "stackyard.models.artifacts",
    "ArtifactVersionResponse": "stackyard.models.artifacts",
    "ArtifactVersionUpdate": "stackyard.models.artifacts",
    "BuildRequest": "stackyard.models.automation",
    "BuildResponse": "stackyard.models.automation",
    "CodeReference": "stackyard.models.pipelines",
    "CodeRepositoryRequest": "stackyard.models.code",
    "CodeRepositoryResponse": "stackyard.models.code",
    "CodeRepositoryUpdate": "stackyard.models.code",
    "ExecutionStatus": "stackyard.models.enums",
    "FlavorRequest": "stackyard.models.stacks",
    "FlavorResponse": "stackyard.models.stacks",
    "FlavorUpdate": "stackyard.models.stacks",
    "OwnedResponse": "stackyard.models.base",
    "Page": "stackyard.models.base",
    "PipelineRequest": "stackyard.models.pipelines",
    "PipelineResponse": "stackyard.models.pipelines",
    "PipelineRunRequest": "stackyard.models.pipelines",
    "PipelineRunResponse": "stackyard.models.pipelines",
    "PipelineRunUpdate": "stackyard.models.pipelines",
    "PipelineUpdate": "stackyard.models.pipelines",
    "Request": "stackyard.models.base",
    "Response": "stackyard.models.base",
    "RunMetadataRequest": "stackyard.models.tags",
    "RunMetadataResponse": "stackyard.models.tags",
    "RunTemplateRequest": "stackyard.models.automation",
    "RunTemplateResponse": "stackyard.models.automation",
    "RunTemplateUpdate": "stackyard.models.automation",
    "ScheduleRequest": "stackyard.models.automation",
    "ScheduleResponse": "stackyard.models.automation",
    "ScheduleUpdate": "stackyard.models.automation",
    "SecretRequest": "stackyard.models.secrets",
    "SecretResponse": "stackyard.models.secrets",
    "SecretUpdate": "stackyard.models.secrets",
    "ServiceConnectorRequest": "stackyard.models.connectors",
    "ServiceConnectorResponse": "stackyard.models.connectors",
    "ServiceConnectorUpdate": "stackyard.models.connectors",
    "SnapshotRequest": "stackyard.models.pipelines",
    "SnapshotResponse": "stackyard.models.pipelines",
    "StackComponentRequest": "stackyard.models.stacks",
    "StackComponentResponse": "stackyard.models.stacks",
    "StackComponentType": "stackyard.models.enums",
    "StackComponentUpdate": "stackyard.models.stacks",
    "StackRequest": "stackyard.models.stacks",
    "StackResponse": "stackyard.models.stacks",
    "StackUpdate": "stackyard.models.stacks",
    "StepRunRequest": "stackyard.models.pipelines",
    "StepRunResponse": "stackyard.models.pipelines",
    "StepRunUpdate": "stackyard.models.pipelines",
    "TagRequest": "stackyard.models.tags",
    "TagResponse": "stackyard.models.tags",
    "TagUpdate": "stackyard.models.tags",
    "Update": "stackyard.models.base",
    "UserRequest": "stackyard.models.users",
    "UserResponse": "stackyard.models.users",
    "UserUpdate": "stackyard.models.users",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'stackyard.models' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
