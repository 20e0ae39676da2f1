"""Tags and run metadata: small facts attached to other entities."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import Field

from stackyard.models.base import OwnedResponse, Request, Update
from stackyard.models.spec import ResourceSpec, register


class TagRequest(Request):
    name: str = Field(min_length=1, max_length=255)
    color: str = "grey"


class TagUpdate(Update):
    name: str | None = None
    color: str | None = None


class TagResponse(OwnedResponse):
    name: str
    color: str = "grey"


class RunMetadataRequest(Request):
    """Metadata for one entity: `resource_type` is a resource name, e.g. "pipeline_run"."""

    resource_type: str
    resource_id: UUID
    values: dict[str, Any]


class RunMetadataResponse(OwnedResponse):
    resource_type: str
    resource_id: UUID
    key: str
    value: Any = None


register(
    ResourceSpec(
        name="tag",
        plural="tags",
        response=TagResponse,
        request=TagRequest,
        update=TagUpdate,
        unique=(("name",),),
    )
)
register(
    ResourceSpec(
        name="run_metadata",
        plural="run_metadata",
        response=RunMetadataResponse,
        request=RunMetadataRequest,
        name_field="key",
        indexes=(("resource_type", "resource_id"),),
        hooks="tags",
    )
)
